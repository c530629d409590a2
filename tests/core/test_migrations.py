"""Migrations build the schema from empty, tear it down again, and match the models exactly."""
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
