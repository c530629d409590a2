"""accounts: server-side device sessions (user_sessions) replace the users' session epoch

Revision ID: 7d3e5b1a9c20
Revises: 9c3e5b7a1d24
Create Date: 2026-12-01 13:00:00

Existing sign-ins carried "<id>:<epoch>" and have no row: everyone signs in once more after the upgrade
(and after a downgrade, since the epoch cookie is gone by then).
"""
from alembic import op
import sqlalchemy as sa


revision = '7d3e5b1a9c20'
down_revision = '9c3e5b7a1d24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('user_agent', sa.String(length=255), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('remember', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash')),
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_user_sessions_user_ended', ['user_id', 'ended_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_expires_at'), ['expires_at'], unique=False)
    # Not batch mode: on SQLite that rebuilds "users", and dropping the old table (foreign keys are on,
    # and cannot be turned off inside the migration's transaction) would cascade-delete every row that
    # refers to a user. A plain column with no index or constraint drops in place (SQLite >= 3.35).
    op.drop_column('users', 'session_epoch')


def downgrade():
    op.add_column('users', sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_expires_at'))
        batch_op.drop_index('ix_user_sessions_user_ended')
    op.drop_table('user_sessions')
