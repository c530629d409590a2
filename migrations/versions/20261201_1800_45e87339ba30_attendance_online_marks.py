"""online attendance marks belong to the attendance engine: class_online_marks becomes attendance_online_marks

The job of marking events from a viewing now serves every kind of event (class sessions, branch
activities), so its table moves to the engine's name. The rows are copied, not recreated: a viewing
whose job is done stays done (it is never marked twice), and one still queued keeps its lease state.

Revision ID: 45e87339ba30
Revises: 4e8a2c6d1b93
Create Date: 2026-12-01 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '45e87339ba30'
down_revision = '4e8a2c6d1b93'
branch_labels = None
depends_on = None

COLUMNS = ('id', 'status', 'attempt', 'attempts', 'lease_owner', 'lease_expires_at', 'queued_at', 'marked',
           'error', 'created_at', 'updated_at')


def _create(name):
    op.create_table(
        name,
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
        sa.ForeignKeyConstraint(['id'], ['viewings.id'], name=op.f(f'fk_{name}_id_viewings'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_lease_expires_at'), ['lease_expires_at'], unique=False)


def _move(source, target):
    """A new table under the new names (constraints and index included), the rows copied, the old one dropped."""
    _create(target)
    names = ', '.join(COLUMNS)
    op.execute(f'INSERT INTO {target} ({names}) SELECT {names} FROM {source}')
    with op.batch_alter_table(source, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f'ix_{source}_lease_expires_at'))
    op.drop_table(source)


def upgrade():
    _move('class_online_marks', 'attendance_online_marks')


def downgrade():
    _move('attendance_online_marks', 'class_online_marks')
