"""online attendance: each viewing's unique coverage, and the jobs that mark sessions from it

Revision ID: 4e7a2c9d1b35
Revises: b1a2c3d4e5f6
Create Date: 2026-12-01 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '4e7a2c9d1b35'
down_revision = 'b1a2c3d4e5f6'
branch_labels = None
depends_on = None


def _merged(pairs):
    merged = []
    for start, end in sorted(p for p in pairs if p[1] > p[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _backfill():
    """Viewings watched before this revision get their coverage from their stored intervals, so one
    in progress at the upgrade still crosses the threshold when it should."""
    bind = op.get_bind()
    viewings = sa.table('viewings', sa.column('id', sa.Integer), sa.column('covered', sa.JSON))
    intervals = sa.table('watch_intervals', sa.column('viewing_id', sa.Integer), sa.column('start_s', sa.Float),
                         sa.column('end_s', sa.Float))
    pieces = {}
    for row in bind.execute(sa.select(intervals.c.viewing_id, intervals.c.start_s, intervals.c.end_s)
                            .where(intervals.c.viewing_id.is_not(None))):
        pieces.setdefault(row.viewing_id, []).append((row.start_s, row.end_s))
    update = viewings.update().where(viewings.c.id == sa.bindparam('vid')).values(covered=sa.bindparam('cov'))
    rows = [{'vid': vid, 'cov': _merged(pairs)} for vid, pairs in pieces.items()]
    if rows:
        bind.execute(update, rows)


def upgrade():
    with op.batch_alter_table('viewings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('covered', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('covered_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_viewings_covered_at'), ['covered_at'], unique=False)
    _backfill()
    op.create_table(
        'class_online_marks',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('lease_owner', sa.String(length=128), nullable=True),
        sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
        sa.Column('queued_at', sa.DateTime(), nullable=True),
        sa.Column('marked', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['id'], ['viewings.id'], name=op.f('fk_class_online_marks_id_viewings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_class_online_marks')),
    )
    with op.batch_alter_table('class_online_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_online_marks_lease_expires_at'), ['lease_expires_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('class_online_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_online_marks_lease_expires_at'))
    op.drop_table('class_online_marks')
    with op.batch_alter_table('viewings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_viewings_covered_at'))
        batch_op.drop_column('covered_at')
        batch_op.drop_column('covered')
