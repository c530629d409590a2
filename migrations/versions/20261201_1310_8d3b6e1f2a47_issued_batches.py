"""accounts: issued_batches, so a reload of a page that issued codes shows them again instead of issuing

Revision ID: 8d3b6e1f2a47
Revises: 7d3e5b1a9c20
Create Date: 2026-12-01 13:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '8d3b6e1f2a47'
down_revision = '7d3e5b1a9c20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'issued_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('admin_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('user_ids', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('shown_until', sa.DateTime(), nullable=False),
        sa.Column('secret', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['admin_id'], ['users.id'], name=op.f('fk_issued_batches_admin_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_batches')),
        sa.UniqueConstraint('nonce', name=op.f('uq_issued_batches_nonce')),
    )
    with op.batch_alter_table('issued_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_batches_admin_id'), ['admin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_batches_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('issued_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_batches_created_at'))
        batch_op.drop_index(batch_op.f('ix_issued_batches_admin_id'))
    op.drop_table('issued_batches')
