"""classes: announcements (通知) and who has read them

Revision ID: 4e6a8c2b1d35
Revises: a4c7e2d9b318
Create Date: 2026-12-01 16:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '4e6a8c2b1d35'
down_revision = 'a4c7e2d9b318'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'class_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('class_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('params', sa.JSON(), nullable=True),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_class_notices_author_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['class_id'], ['class_groups.id'], name=op.f('fk_class_notices_class_id_class_groups'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['class_sessions.id'],
                                name=op.f('fk_class_notices_session_id_class_sessions'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_class_notices')),
    )
    with op.batch_alter_table('class_notices', schema=None) as batch_op:
        batch_op.create_index('ix_class_notices_class_created', ['class_id', 'created_at'], unique=False)

    op.create_table(
        'class_notice_receipts',
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['notice_id'], ['class_notices.id'],
                                name=op.f('fk_class_notice_receipts_notice_id_class_notices'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_class_notice_receipts_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('notice_id', 'user_id', name=op.f('pk_class_notice_receipts')),
    )
    with op.batch_alter_table('class_notice_receipts', schema=None) as batch_op:
        batch_op.create_index('ix_class_notice_receipts_user', ['user_id', 'read_at'], unique=False)


def downgrade():
    op.drop_table('class_notice_receipts')
    op.drop_table('class_notices')
