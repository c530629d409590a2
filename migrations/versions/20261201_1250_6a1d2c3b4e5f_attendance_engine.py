"""attendance: events, a record per person, every change to it, leave requests

Revision ID: 6a1d2c3b4e5f
Revises: 4f0c2a9d7b61
Create Date: 2026-12-01 12:50:41.377714

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a1d2c3b4e5f'
down_revision = '4f0c2a9d7b61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('opens_before_minutes', sa.Integer(), nullable=False),
    sa.Column('closes_after_minutes', sa.Integer(), nullable=False),
    sa.Column('late_after_minutes', sa.Integer(), nullable=True),
    sa.Column('lesson_id', sa.Integer(), nullable=True),
    sa.Column('makeup_days', sa.Integer(), nullable=False),
    sa.Column('absent_when_unmarked', sa.Boolean(), nullable=False),
    sa.Column('checkin_secret', sa.String(length=64), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_attendance_events_lesson_id_lessons'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_events')),
    sa.UniqueConstraint('kind', 'owner_id', name=op.f('uq_attendance_events_kind'))
    )
    with op.batch_alter_table('attendance_events', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_events_open', ['closed_at', 'ends_at'], unique=False)

    op.create_table('attendance_leave_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_attendance_leave_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['attendance_events.id'], name=op.f('fk_attendance_leave_requests_event_id_attendance_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_attendance_leave_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attendance_leave_requests_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_leave_requests')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_attendance_leave_requests_event_id'))
    )
    with op.batch_alter_table('attendance_leave_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_leave_requests_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_leave_requests_user_id'), ['user_id'], unique=False)

    op.create_table('attendance_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('person_name', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['attendance_events.id'], name=op.f('fk_attendance_records_event_id_attendance_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_attendance_records_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attendance_records_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_records')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_attendance_records_event_id'))
    )
    with op.batch_alter_table('attendance_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_records_user_id'), ['user_id'], unique=False)

    op.create_table('attendance_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('old_status', sa.String(length=12), nullable=True),
    sa.Column('new_status', sa.String(length=12), nullable=False),
    sa.Column('old_mode', sa.String(length=12), nullable=True),
    sa.Column('new_mode', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('made_at', sa.DateTime(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.Column('client_ref', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_attendance_changes_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['attendance_records.id'], name=op.f('fk_attendance_changes_record_id_attendance_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_changes')),
    sa.UniqueConstraint('record_id', 'client_ref', name=op.f('uq_attendance_changes_record_id'))
    )
    with op.batch_alter_table('attendance_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_changes_record_id'), ['record_id'], unique=False)



def downgrade():
    with op.batch_alter_table('attendance_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_changes_record_id'))

    op.drop_table('attendance_changes')
    with op.batch_alter_table('attendance_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_records_user_id'))

    op.drop_table('attendance_records')
    with op.batch_alter_table('attendance_leave_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_leave_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_leave_requests_event_id'))

    op.drop_table('attendance_leave_requests')
    with op.batch_alter_table('attendance_events', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_events_open')

    op.drop_table('attendance_events')
