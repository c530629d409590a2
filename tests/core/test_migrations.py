"""Migrations build the schema from empty, tear it down again, and match the models exactly."""
import json
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from elearn import create_app
from elearn.extensions import db
from tests.conftest import make_config


def _scratch_database_url(tmp_path) -> str:
    """A database of its own: a SQLite file, or a sibling PostgreSQL database created for the test."""
    url = os.environ.get("ELEARN_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    parsed = make_url(url)
    name = f"{parsed.database}_migrations"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def scratch_app(tmp_path):
    app = create_app(make_config(tmp_path, DATABASE_URL=_scratch_database_url(tmp_path)))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.db  # a scratch database of its own, on PostgreSQL too
def test_upgrade_downgrade_and_models_match(scratch_app):
    with scratch_app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "user_roles", "api_tokens", "one_time_codes", "login_attempts"} <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        upgrade()  # and up again: downgrade left nothing behind that blocks it


def test_single_head_and_file_names():
    """One head, and every migration named YYYYMMDD_HHMM_<rev>_<slug>.py."""
    import re
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    folder = Path(__file__).resolve().parents[2] / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(folder))
    script = ScriptDirectory.from_config(cfg)
    assert len(script.get_heads()) == 1, script.get_heads()
    for path in (folder / "versions").glob("*.py"):
        assert re.match(r"^\d{8}_\d{4}_[0-9a-f]+_\w+\.py$", path.name), path.name


def _insert(conn, table_name: str, **values) -> None:
    """A row with ``values`` and a plain value in every other NOT NULL column, as the schema stands."""
    import datetime

    from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, MetaData, Table

    table = Table(table_name, MetaData(), autoload_with=conn)
    row = {}
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        kind = column.type
        row[column.name] = (False if isinstance(kind, Boolean) else datetime.datetime(2026, 11, 30)
                            if isinstance(kind, DateTime) else {} if isinstance(kind, JSON) else 0.0
                            if isinstance(kind, Float) else 0 if isinstance(kind, Integer) else "x")
    conn.execute(table.insert().values(**row, **values))


@pytest.mark.db
def test_uploads_keep_their_lesson_and_result_through_the_generic_targets_migration(scratch_app):
    """An upload made before uploads became generic keeps what it was for and what it became, both ways:
    lesson_id becomes target_id, asset/caption/handout ids go into result, and back on downgrade."""
    with scratch_app.app_context():
        upgrade(revision="3bb154c91365")
        with db.engine.begin() as conn:
            _insert(conn, "users", id=1, name="王老师")
            category = conn.execute(text("SELECT id FROM categories ORDER BY id LIMIT 1")).scalar()
            _insert(conn, "courses", id=1, title="书法入门", category_id=category)
            _insert(conn, "chapters", id=1, course_id=1, title="第一章")
            _insert(conn, "lessons", id=1, chapter_id=1, title="第一课")
            _insert(conn, "media_assets", id=7, lesson_id=1, status="ready")
            _insert(conn, "uploads", id="u" * 24, user_id=1, kind="video", lesson_id=1, asset_id=7, length=10,
                    state="complete")
            _insert(conn, "uploads", id="r" * 24, user_id=1, kind="caption", lesson_id=1, length=10,
                    state="receiving")
        upgrade()
        with db.engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT id, target_id FROM uploads")).all())
            results = {key: value for key, value in conn.execute(text("SELECT id, result FROM uploads"))}
        assert rows == {"u" * 24: 1, "r" * 24: 1}
        as_json = {key: json.loads(value) if isinstance(value, str) else value for key, value in results.items()}
        assert as_json == {"u" * 24: {"asset_id": 7}, "r" * 24: None}
        downgrade(revision="3bb154c91365")
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT id, lesson_id, asset_id FROM uploads ORDER BY id")).all()
        assert [tuple(row) for row in back] == [("r" * 24, 1, None), ("u" * 24, 1, 7)]


_OLD_ROWS = """
INSERT INTO courses (id, title, subtitle, category_id, description_md, visibility, status, created_at, updated_at)
    VALUES (1, 'c', '', (SELECT min(id) FROM categories), '', 'public', 'draft', '2026-01-01', '2026-01-01');
INSERT INTO chapters (id, course_id, title, position) VALUES (1, 1, 'ch', 0);
INSERT INTO lessons (id, chapter_id, position, title, description_md, created_at, updated_at)
    VALUES (5, 1, 0, 'l', '', '2026-01-01', '2026-01-01');
INSERT INTO media_assets (id, lesson_id, kind, status, original_filename, source_path, size, progress, attempt,
    attempts, created_at, updated_at) VALUES (7, 5, 'video', 'ready', 'a.mp4', 'sources/7/source.mp4', 1, 100, 1, 1,
    '2026-01-01', '2026-01-01');
INSERT INTO captions (id, lesson_id, lang, label, status, original_filename, source_path, vtt_path, created_at,
    updated_at) VALUES (3, 5, 'zh', '', 'ready', 'a.srt', 'captions/5/aaaa.srt', 'captions/5/bbbb.vtt',
    '2026-01-01', '2026-01-01');
"""
_OLD_FILES = ("sources/7/source.mp4", "hls/7/master.m3u8", "hls/7/720/seg_00000.ts", "captions/5/aaaa.srt",
              "captions/5/bbbb.vtt")


@pytest.mark.db
def test_media_keys_migration_moves_folders_both_ways(scratch_app):
    """Upgrading names each asset's and caption's folder by its new key (files moved, paths rewritten);
    downgrading moves every file back to the id name."""
    from pathlib import Path

    media = Path(scratch_app.config["MEDIA_DIR"])
    with scratch_app.app_context():
        upgrade(revision="e201f5e3589e")
        with db.engine.begin() as conn:
            for statement in filter(str.strip, _OLD_ROWS.split(";")):
                conn.execute(text(statement))
        for relative in _OLD_FILES:
            (media / relative).parent.mkdir(parents=True, exist_ok=True)
            (media / relative).write_text(relative)

        upgrade()
        with db.engine.connect() as conn:
            asset_key, source = conn.execute(text("SELECT key, source_path FROM media_assets")).one()
            caption_key, *caption_paths = conn.execute(text("SELECT key, source_path, vtt_path FROM captions")).one()
        assert len({asset_key, caption_key}) == 2 and all(len(k) == 32 for k in (asset_key, caption_key))
        assert source == f"sources/{asset_key}/source.mp4"
        assert caption_paths == [f"captions/{caption_key}/aaaa.srt", f"captions/{caption_key}/bbbb.vtt"]
        moved = {"sources/7/source.mp4": source, "hls/7/master.m3u8": f"hls/{asset_key}/master.m3u8",
                 "hls/7/720/seg_00000.ts": f"hls/{asset_key}/720/seg_00000.ts",
                 "captions/5/aaaa.srt": caption_paths[0], "captions/5/bbbb.vtt": caption_paths[1]}
        assert {old: (media / new).read_text() for old, new in moved.items()} == {old: old for old in moved}
        assert not any((media / top / ident).exists() for top, ident in (("sources", "7"), ("hls", "7"), ("captions", "5")))

        downgrade(revision="e201f5e3589e")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT source_path FROM media_assets")).scalar() == "sources/7/source.mp4"
            assert list(conn.execute(text("SELECT source_path, vtt_path FROM captions")).one()) == [
                "captions/5/aaaa.srt", "captions/5/bbbb.vtt"]
        assert {relative: (media / relative).read_text() for relative in _OLD_FILES} == {r: r for r in _OLD_FILES}
        assert not (media / "sources" / asset_key).exists() and not (media / "captions" / caption_key).exists()
