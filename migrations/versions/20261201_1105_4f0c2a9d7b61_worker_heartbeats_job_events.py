"""operations: a heartbeat row per worker process, and job events for the admins' status page

Revision ID: 4f0c2a9d7b61
Revises: 5c1e7a9d0b42
Create Date: 2026-12-01 10:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '4f0c2a9d7b61'
down_revision = '5c1e7a9d0b42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'worker_heartbeats',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=160), nullable=False),
        sa.Column('host', sa.String(length=128), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.Column('stopped_at', sa.DateTime(), nullable=True),
        sa.Column('jobs_done', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_worker_heartbeats')),
        sa.UniqueConstraint('name', name=op.f('uq_worker_heartbeats_name')),
    )
    with op.batch_alter_table('worker_heartbeats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_heartbeats_seen_at'), ['seen_at'], unique=False)
    op.create_table(
        'job_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('row_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=True),
        sa.Column('worker', sa.String(length=160), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_events')),
    )
    with op.batch_alter_table('job_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_events_at'), ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('job_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_events_at'))
    op.drop_table('job_events')
    with op.batch_alter_table('worker_heartbeats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_heartbeats_seen_at'))
    op.drop_table('worker_heartbeats')
