"""uploads: generic targets (kind + target_id + result) instead of lesson, asset, caption, handout keys

tus became elearn.uploads, a layer below courses and video: an upload names its target kind and the
id of the object it is for, and records what the finished file became as JSON. Existing rows keep
their meaning: ``target_id`` takes the lesson id, ``result`` the asset, caption or handout id.

Revision ID: e201f5e3589e
Revises: 3bb154c91365
Create Date: 2026-12-01 09:44:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e201f5e3589e'
down_revision = '3bb154c91365'
branch_labels = None
depends_on = None

_RESULT_KEYS = ("asset_id", "caption_id", "handout_id")


def _uploads(*columns):
    return sa.table("uploads", sa.column("id", sa.String), *columns)


def upgrade():
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=16), type_=sa.String(length=32),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('target_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('result', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_uploads_target_id'), ['target_id'], unique=False)

    conn = op.get_bind()
    old = _uploads(sa.column("lesson_id", sa.Integer), *(sa.column(key, sa.Integer) for key in _RESULT_KEYS))
    new = _uploads(sa.column("target_id", sa.Integer), sa.column("result", sa.JSON))
    for row in conn.execute(sa.select(old)).mappings().all():
        result = {key: row[key] for key in _RESULT_KEYS if row[key] is not None}
        conn.execute(new.update().where(new.c.id == row["id"]).values(
            target_id=row["lesson_id"], result=result or sa.null()))  # SQL NULL, not JSON null

    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_uploads_lesson_id'))
        batch_op.drop_constraint(batch_op.f('fk_uploads_asset_id_media_assets'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_uploads_caption_id_captions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_uploads_handout_id_handouts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_uploads_lesson_id_lessons'), type_='foreignkey')
        batch_op.drop_column('handout_id')
        batch_op.drop_column('caption_id')
        batch_op.drop_column('asset_id')
        batch_op.drop_column('lesson_id')


def downgrade():
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lesson_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('asset_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('caption_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('handout_id', sa.Integer(), nullable=True))

    conn = op.get_bind()
    # Uploads for targets the old schema had no column for (none exist before this revision's
    # features) cannot be kept: they go, as abandoned uploads would.
    new = _uploads(sa.column("kind", sa.String), sa.column("target_id", sa.Integer), sa.column("result", sa.JSON))
    old = _uploads(sa.column("lesson_id", sa.Integer), *(sa.column(key, sa.Integer) for key in _RESULT_KEYS))
    lessons = {row[0] for row in conn.execute(sa.text("SELECT id FROM lessons"))}
    for row in conn.execute(sa.select(new)).mappings().all():
        if row["kind"] not in ("video", "caption", "handout") or row["target_id"] not in lessons:
            conn.execute(new.delete().where(new.c.id == row["id"]))
            continue
        result = row["result"] or {}
        conn.execute(old.update().where(old.c.id == row["id"]).values(
            lesson_id=row["target_id"], **{key: result.get(key) for key in _RESULT_KEYS}))

    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_uploads_target_id'))
        batch_op.drop_column('result')
        batch_op.drop_column('target_id')
        batch_op.alter_column('kind', existing_type=sa.String(length=32), type_=sa.String(length=16),
                              existing_nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_uploads_lesson_id_lessons'), 'lessons', ['lesson_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_uploads_handout_id_handouts'), 'handouts', ['handout_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_uploads_caption_id_captions'), 'captions', ['caption_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_uploads_asset_id_media_assets'), 'media_assets', ['asset_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_uploads_lesson_id'), ['lesson_id'], unique=False)
