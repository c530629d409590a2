"""branches: branches on class groups, party groups, members with party details, the access log,
activities with minutes revisions, and the 三会一课 requirements (seeded with the defaults)

Revision ID: b1a2c3d4e5f6
Revises: 9b3d5e7f1a20
Create Date: 2026-12-01 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b1a2c3d4e5f6'
down_revision = '9b3d5e7f1a20'
branch_labels = None
depends_on = None

DEFAULTS = [("general_meeting", "quarter"), ("committee", "month"), ("group_meeting", "month"),
            ("lecture", "quarter"), ("theme_day", "month")]


def upgrade():
    op.create_table(
        'branches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('description', sa.String(length=1000), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_branches')),
        sa.UniqueConstraint('name', name=op.f('uq_branches_name')),
    )
    op.create_table(
        'branch_classes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('class_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_branch_classes_branch_id_branches'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['class_id'], ['class_groups.id'],
                                name=op.f('fk_branch_classes_class_id_class_groups'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_branch_classes')),
        sa.UniqueConstraint('branch_id', 'class_id', name=op.f('uq_branch_classes_branch_id')),
    )
    op.create_index(op.f('ix_branch_classes_branch_id'), 'branch_classes', ['branch_id'])
    op.create_index(op.f('ix_branch_classes_class_id'), 'branch_classes', ['class_id'])
    op.create_table(
        'party_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_party_groups_branch_id_branches'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_party_groups')),
        sa.UniqueConstraint('branch_id', 'name', name=op.f('uq_party_groups_branch_id')),
    )
    op.create_index(op.f('ix_party_groups_branch_id'), 'party_groups', ['branch_id'])
    op.create_table(
        'branch_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('person_name', sa.String(length=64), nullable=False),
        sa.Column('officer_role', sa.String(length=24), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('party_status', sa.String(length=20), nullable=True),
        sa.Column('joined_party_on', sa.Date(), nullable=True),
        sa.Column('full_member_on', sa.Date(), nullable=True),
        sa.Column('consent_at', sa.DateTime(), nullable=True),
        sa.Column('consent_by_id', sa.Integer(), nullable=True),
        sa.Column('joined_at', sa.DateTime(), nullable=False),
        sa.Column('left_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_branch_members_branch_id_branches'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_branch_members_user_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['group_id'], ['party_groups.id'], name=op.f('fk_branch_members_group_id_party_groups'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['consent_by_id'], ['users.id'], name=op.f('fk_branch_members_consent_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_branch_members')),
        sa.UniqueConstraint('branch_id', 'user_id', name=op.f('uq_branch_members_branch_id')),
    )
    op.create_index(op.f('ix_branch_members_branch_id'), 'branch_members', ['branch_id'])
    op.create_index(op.f('ix_branch_members_user_id'), 'branch_members', ['user_id'])
    op.create_table(
        'membership_access',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('member_name', sa.String(length=64), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=True),
        sa.Column('viewer_id', sa.Integer(), nullable=True),
        sa.Column('viewer_name', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=12), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['branch_members.id'],
                                name=op.f('fk_membership_access_member_id_branch_members'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_membership_access_branch_id_branches'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['viewer_id'], ['users.id'], name=op.f('fk_membership_access_viewer_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_access')),
    )
    op.create_index(op.f('ix_membership_access_member_id'), 'membership_access', ['member_id'])
    op.create_index(op.f('ix_membership_access_branch_id'), 'membership_access', ['branch_id'])
    op.create_index(op.f('ix_membership_access_at'), 'membership_access', ['at'])
    op.create_table(
        'branch_activities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('custom_kind', sa.String(length=64), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('agenda', sa.Text(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('online', sa.Boolean(), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('lesson_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_branch_activities_branch_id_branches'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['group_id'], ['party_groups.id'],
                                name=op.f('fk_branch_activities_group_id_party_groups'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_branch_activities_lesson_id_lessons'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_branch_activities_created_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_branch_activities')),
    )
    op.create_index(op.f('ix_branch_activities_branch_id'), 'branch_activities', ['branch_id'])
    op.create_table(
        'minutes_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('body_md', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('author_name', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('approved_at', sa.DateTime(), nullable=True),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['activity_id'], ['branch_activities.id'],
                                name=op.f('fk_minutes_revisions_activity_id_branch_activities'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_minutes_revisions_author_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'],
                                name=op.f('fk_minutes_revisions_approved_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_revisions')),
        sa.UniqueConstraint('activity_id', 'number', name=op.f('uq_minutes_revisions_activity_id')),
    )
    op.create_index(op.f('ix_minutes_revisions_activity_id'), 'minutes_revisions', ['activity_id'])
    requirements = op.create_table(
        'branch_requirements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('times', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_branch_requirements')),
        sa.UniqueConstraint('kind', name=op.f('uq_branch_requirements_kind')),
    )
    op.bulk_insert(requirements, [{"kind": kind, "period": period, "times": 1} for kind, period in DEFAULTS])


def downgrade():
    for table in ('branch_requirements', 'minutes_revisions', 'branch_activities', 'membership_access',
                  'branch_members', 'party_groups', 'branch_classes', 'branches'):
        op.drop_table(table)
