"""classes: 结业证书 certificates, a class's own attendance requirement; core: throttle hits

Revision ID: c4e7a2b9d153
Revises: 4e7a2c9d1b35
Create Date: 2026-12-01 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4e7a2b9d153'
down_revision = '4e7a2c9d1b35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('class_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_rate', sa.Double(), nullable=True))

    op.create_table('class_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('person_name', sa.String(length=64), nullable=False),
    sa.Column('class_name', sa.String(length=100), nullable=False),
    sa.Column('term_name', sa.String(length=64), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=100), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['class_id'], ['class_groups.id'], name=op.f('fk_class_certificates_class_id_class_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_class_certificates_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_class_certificates_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_class_certificates_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_certificates')),
    sa.UniqueConstraint('class_id', 'user_id', name=op.f('uq_class_certificates_class_id')),
    sa.UniqueConstraint('code', name=op.f('uq_class_certificates_code'))
    )
    with op.batch_alter_table('class_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_certificates_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_certificates_user_id'), ['user_id'], unique=False)

    op.create_table('throttle_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_hits'))
    )
    with op.batch_alter_table('throttle_hits', schema=None) as batch_op:
        batch_op.create_index('ix_throttle_hits_bucket_key_created', ['bucket', 'key', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('throttle_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_throttle_hits_bucket_key_created')
    op.drop_table('throttle_hits')
    with op.batch_alter_table('class_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_class_certificates_class_id'))
    op.drop_table('class_certificates')
    with op.batch_alter_table('class_groups', schema=None) as batch_op:
        batch_op.drop_column('certificate_rate')
