"""captions: keep the converted cues (start, end, text) as JSON, for search

Revision ID: 3bb154c91365
Revises: f15916037f83
Create Date: 2026-11-28 13:32:22.858375

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3bb154c91365'
down_revision = 'f15916037f83'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('captions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cues', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('captions', schema=None) as batch_op:
        batch_op.drop_column('cues')
