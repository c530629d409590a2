"""media keys: assets and captions get a random key, their folders on disk are named by it

Signed media URLs named an asset by its id and a caption by its lesson's id; ids come round again
after a delete (SQLite reuses them), so a saved URL could open media made later. Each asset and
caption now has ``key`` (32 random hex digits, unique), and its files move:

    sources/<asset id>/    -> sources/<asset key>/
    hls/<asset id>/        -> hls/<asset key>/
    captions/<lesson id>/<random>.<ext> -> captions/<caption key>/<random>.<ext>

The media folder is the app's ``MEDIA_DIR``. Files move after the database work of the revision, so
a failure there leaves the files where the old rows expect them; a file that is already missing is
skipped (the row keeps its new path, as a missing file did before). Downgrade moves them back.

Revision ID: 5c1e7a9d0b42
Revises: e201f5e3589e
Create Date: 2026-12-01 11:00:00

"""
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = '5c1e7a9d0b42'
down_revision = 'e201f5e3589e'
branch_labels = None
depends_on = None

_assets = sa.table("media_assets", sa.column("id", sa.Integer), sa.column("key", sa.String),
                   sa.column("source_path", sa.String))
_captions = sa.table("captions", sa.column("id", sa.Integer), sa.column("key", sa.String),
                     sa.column("lesson_id", sa.Integer), sa.column("source_path", sa.String),
                     sa.column("vtt_path", sa.String))


def _moved(relative, old_folder: str, new_folder: str):
    """``relative`` with its folder ``old_folder`` replaced by ``new_folder`` (None and strangers unchanged)."""
    if relative and relative.startswith(old_folder + "/"):
        return new_folder + relative[len(old_folder):]
    return relative


def _move(moves) -> None:
    """Rename each (old, new) path under MEDIA_DIR; old folders left empty (a lesson's captions) go too."""
    root = Path(current_app.config["MEDIA_DIR"])
    emptied = set()
    for old, new in moves:
        source, target = root / old, root / new
        if not source.exists() or target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        emptied.add(source.parent)
    for folder in emptied:
        if folder != root and folder.parent != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _set_keys(table, rows, new_paths) -> list:
    """Write each row's key and paths; returns the (old, new) file moves that go with them."""
    conn, moves = op.get_bind(), []
    for row in rows:
        values, row_moves = new_paths(row)
        conn.execute(table.update().where(table.c.id == row["id"]).values(**values))
        moves += row_moves
    return moves


def _asset_up(row):
    key = secrets.token_hex(16)
    folders = [(f"{top}/{row['id']}", f"{top}/{key}") for top in ("sources", "hls")]
    return {"key": key, "source_path": _moved(row["source_path"], *folders[0])}, folders


def _asset_down(row):
    folders = [(f"{top}/{row['key']}", f"{top}/{row['id']}") for top in ("sources", "hls")]
    return {"source_path": _moved(row["source_path"], *folders[0])}, folders


def _caption_paths(row, old_folder: str, new_folder: str):
    values, moves = {}, []
    for column in ("source_path", "vtt_path"):
        values[column] = _moved(row[column], old_folder, new_folder)
        if values[column] != row[column]:
            moves.append((row[column], values[column]))
    return values, moves


def _caption_up(row):
    key = secrets.token_hex(16)
    values, moves = _caption_paths(row, f"captions/{row['lesson_id']}", f"captions/{key}")
    return {"key": key, **values}, moves


def _caption_down(row):
    return _caption_paths(row, f"captions/{row['key']}", f"captions/{row['lesson_id']}")


def upgrade():
    for name in ("media_assets", "captions"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('key', sa.String(length=32), nullable=True))
    conn = op.get_bind()
    moves = _set_keys(_assets, conn.execute(sa.select(_assets)).mappings().all(), _asset_up)
    moves += _set_keys(_captions, conn.execute(sa.select(_captions)).mappings().all(), _caption_up)
    for name in ("media_assets", "captions"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column('key', existing_type=sa.String(length=32), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f'uq_{name}_key'), ['key'])
    _move(moves)


def downgrade():
    conn = op.get_bind()
    moves = _set_keys(_assets, conn.execute(sa.select(_assets)).mappings().all(), _asset_down)
    moves += _set_keys(_captions, conn.execute(sa.select(_captions)).mappings().all(), _caption_down)
    for name in ("media_assets", "captions"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{name}_key'), type_='unique')
            batch_op.drop_column('key')
    _move(moves)
