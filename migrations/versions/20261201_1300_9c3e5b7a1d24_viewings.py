"""learning: viewings (the clock each playing starts) and the viewing of each watched interval

Revision ID: 9c3e5b7a1d24
Revises: 7b2e3d4c5f60
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '9c3e5b7a1d24'
down_revision = '7b2e3d4c5f60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'viewings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('lesson_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('credited_seconds', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_viewings_lesson_id_lessons'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_viewings_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_viewings')),
        sa.UniqueConstraint('public_id', name=op.f('uq_viewings_public_id')),
    )
    with op.batch_alter_table('viewings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_viewings_lesson_id'), ['lesson_id'], unique=False)
        batch_op.create_index('ix_viewings_user_lesson_started', ['user_id', 'lesson_id', 'started_at'], unique=False)
    with op.batch_alter_table('watch_intervals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('viewing_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_watch_intervals_viewing_id'), ['viewing_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_watch_intervals_viewing_id_viewings'), 'viewings',
                                    ['viewing_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('watch_intervals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_watch_intervals_viewing_id_viewings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_watch_intervals_viewing_id'))
        batch_op.drop_column('viewing_id')
    with op.batch_alter_table('viewings', schema=None) as batch_op:
        batch_op.drop_index('ix_viewings_user_lesson_started')
        batch_op.drop_index(batch_op.f('ix_viewings_lesson_id'))
    op.drop_table('viewings')
