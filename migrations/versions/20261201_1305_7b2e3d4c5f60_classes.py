"""classes: terms, class groups, staff, weekly rules, sessions, enrolments

Revision ID: 7b2e3d4c5f60
Revises: 6a1d2c3b4e5f
Create Date: 2026-12-01 13:05:04.309515

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b2e3d4c5f60'
down_revision = '6a1d2c3b4e5f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('required_rate', sa.Double(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms')),
    sa.UniqueConstraint('name', name=op.f('uq_terms_name'))
    )
    op.create_table('class_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('room', sa.String(length=100), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('self_enrol', sa.Boolean(), nullable=False),
    sa.Column('opens_before_minutes', sa.Integer(), nullable=False),
    sa.Column('closes_after_minutes', sa.Integer(), nullable=False),
    sa.Column('late_after_minutes', sa.Integer(), nullable=True),
    sa.Column('makeup_days', sa.Integer(), nullable=False),
    sa.Column('absent_when_unmarked', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_class_groups_course_id_courses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_class_groups_term_id_terms'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_groups')),
    sa.UniqueConstraint('term_id', 'name', name=op.f('uq_class_groups_term_id'))
    )
    with op.batch_alter_table('class_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_groups_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_groups_term_id'), ['term_id'], unique=False)

    op.create_table('class_staff',
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['class_groups.id'], name=op.f('fk_class_staff_class_id_class_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_class_staff_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('class_id', 'user_id', name=op.f('pk_class_staff'))
    )
    with op.batch_alter_table('class_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_staff_user_id'), ['user_id'], unique=False)

    op.create_table('class_weekly_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('skip_dates', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['class_groups.id'], name=op.f('fk_class_weekly_rules_class_id_class_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_weekly_rules'))
    )
    with op.batch_alter_table('class_weekly_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_weekly_rules_class_id'), ['class_id'], unique=False)

    op.create_table('enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=True),
    sa.Column('waiting_since', sa.DateTime(), nullable=True),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.Column('promoted_unseen', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['class_groups.id'], name=op.f('fk_enrolments_class_id_class_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_enrolments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
    sa.UniqueConstraint('class_id', 'user_id', name=op.f('uq_enrolments_class_id'))
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolments_class_id'), ['class_id'], unique=False)
        batch_op.create_index('ix_enrolments_user', ['user_id', 'state'], unique=False)

    op.create_table('class_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('room', sa.String(length=100), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('moved_from', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['class_id'], ['class_groups.id'], name=op.f('fk_class_sessions_class_id_class_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_class_sessions_lesson_id_lessons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rule_id'], ['class_weekly_rules.id'], name=op.f('fk_class_sessions_rule_id_class_weekly_rules'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_sessions'))
    )
    with op.batch_alter_table('class_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_sessions_class_id'), ['class_id'], unique=False)
        batch_op.create_index('ix_class_sessions_room_time', ['room', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_sessions_starts_at'), ['starts_at'], unique=False)



def downgrade():
    with op.batch_alter_table('class_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_sessions_starts_at'))
        batch_op.drop_index('ix_class_sessions_room_time')
        batch_op.drop_index(batch_op.f('ix_class_sessions_class_id'))

    op.drop_table('class_sessions')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolments_user')
        batch_op.drop_index(batch_op.f('ix_enrolments_class_id'))

    op.drop_table('enrolments')
    with op.batch_alter_table('class_weekly_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_weekly_rules_class_id'))

    op.drop_table('class_weekly_rules')
    with op.batch_alter_table('class_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_staff_user_id'))

    op.drop_table('class_staff')
    with op.batch_alter_table('class_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_groups_term_id'))
        batch_op.drop_index(batch_op.f('ix_class_groups_course_id'))

    op.drop_table('class_groups')
    op.drop_table('terms')
