"""branches: branch_activity_files, the files attached to an activity (uploaded through tus)

Revision ID: c7d2e9a4b618
Revises: 45e87339ba30
Create Date: 2026-12-01 19:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c7d2e9a4b618'
down_revision = "45e87339ba30"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'branch_activity_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('original_filename', sa.String(length=255), nullable=False),
        sa.Column('stored_path', sa.String(length=500), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['activity_id'], ['branch_activities.id'],
                                name=op.f('fk_branch_activity_files_activity_id_branch_activities'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_branch_activity_files_uploaded_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_branch_activity_files')),
    )
    op.create_index(op.f('ix_branch_activity_files_activity_id'), 'branch_activity_files', ['activity_id'])


def downgrade():
    op.drop_index(op.f('ix_branch_activity_files_activity_id'), table_name='branch_activity_files')
    op.drop_table('branch_activity_files')
