"""classes: a private calendar feed per person

Revision ID: a4c7e2d9b318
Revises: c4e7a2b9d153
Create Date: 2026-12-01 16:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a4c7e2d9b318'
down_revision = 'c4e7a2b9d153'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'class_calendar_feeds',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_class_calendar_feeds_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_class_calendar_feeds')),
    )


def downgrade():
    op.drop_table('class_calendar_feeds')
