"""The device-sessions migration drops the users' session epoch without touching anything that refers
to a user (on SQLite a table rebuild of "users" would cascade-delete those rows), and brings it back."""
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from elearn.extensions import db
from tests.core.test_migrations import _insert, scratch_app  # noqa: F401  (the fixture)


@pytest.mark.db
def test_the_session_epoch_goes_and_comes_back_without_losing_rows(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        upgrade(revision="4f0c2a9d7b61")
        with db.engine.begin() as conn:
            _insert(conn, "users", id=1, name="王老师", session_epoch=3)
            _insert(conn, "user_roles", user_id=1, role="teacher")
            _insert(conn, "api_tokens", user_id=1, token_hash="h" * 64)
        upgrade()
        with db.engine.connect() as conn:
            assert "session_epoch" not in {c["name"] for c in inspect(conn).get_columns("users")}
            assert conn.execute(text("SELECT count(*) FROM user_roles")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 1
        downgrade(revision="4f0c2a9d7b61")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT session_epoch FROM users")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM user_roles")).scalar() == 1
            assert "user_sessions" not in inspect(conn).get_table_names()
