"""learning: watched intervals (append-only), progress per user and lesson, player preferences

Revision ID: f15916037f83
Revises: b8151f0d28b7
Create Date: 2026-11-28 13:30:19.892742

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f15916037f83'
down_revision = 'b8151f0d28b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('learning_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('playback_rate', sa.Float(), nullable=False),
    sa.Column('captions_on', sa.Boolean(), nullable=False),
    sa.Column('caption_size', sa.String(length=8), nullable=False),
    sa.Column('autoplay_next', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_learning_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_learning_preferences'))
    )
    op.create_table('lesson_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Float(), nullable=False),
    sa.Column('duration', sa.Float(), nullable=True),
    sa.Column('covered', sa.JSON(), nullable=False),
    sa.Column('covered_seconds', sa.Float(), nullable=False),
    sa.Column('watched_seconds', sa.Float(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('clock_at', sa.DateTime(), nullable=True),
    sa.Column('recent_beats', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_lesson_progress_lesson_id_lessons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lesson_progress_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_progress')),
    sa.UniqueConstraint('user_id', 'lesson_id', name=op.f('uq_lesson_progress_user_id'))
    )
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_progress_lesson_id'), ['lesson_id'], unique=False)
        batch_op.create_index('ix_lesson_progress_user_updated', ['user_id', 'updated_at'], unique=False)

    op.create_table('watch_intervals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('start_s', sa.Float(), nullable=False),
    sa.Column('end_s', sa.Float(), nullable=False),
    sa.Column('clamped', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('beat', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_watch_intervals_lesson_id_lessons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_watch_intervals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watch_intervals'))
    )
    with op.batch_alter_table('watch_intervals', schema=None) as batch_op:
        batch_op.create_index('ix_watch_intervals_lesson_received', ['lesson_id', 'received_at'], unique=False)
        batch_op.create_index('ix_watch_intervals_user_day', ['user_id', 'day'], unique=False)
        batch_op.create_index('ix_watch_intervals_user_lesson_received', ['user_id', 'lesson_id', 'received_at'], unique=False)



def downgrade():
    with op.batch_alter_table('watch_intervals', schema=None) as batch_op:
        batch_op.drop_index('ix_watch_intervals_user_lesson_received')
        batch_op.drop_index('ix_watch_intervals_user_day')
        batch_op.drop_index('ix_watch_intervals_lesson_received')

    op.drop_table('watch_intervals')
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_progress_user_updated')
        batch_op.drop_index(batch_op.f('ix_lesson_progress_lesson_id'))

    op.drop_table('lesson_progress')
    op.drop_table('learning_preferences')
