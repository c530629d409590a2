"""search: the changes the index still has to take in

Revision ID: 9b3d5e7f1a20
Revises: 8d3b6e1f2a47
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '9b3d5e7f1a20'
down_revision = '8d3b6e1f2a47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_changes')),
    )


def downgrade():
    op.drop_table('search_changes')
