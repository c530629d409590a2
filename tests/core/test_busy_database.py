"""A write while another process holds SQLite's write lock past the busy timeout: 503 with Retry-After,
not a 500 after 15 s; and a read with a bearer token does not wait for the write of its last use."""
from __future__ import annotations

import sqlite3
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from elearn import create_app
from elearn.accounts.models import ApiToken
from elearn.accounts.services import issue_token
from elearn.core.timeutil import utcnow
from elearn.extensions import db as _db
from tests.conftest import DEFAULT_PASSWORD, IsolatedClient, make_config, make_user, reset_schema

BUSY_MS = 300


@pytest.fixture(scope="module")
def busy_app(tmp_path_factory):
    """Its own SQLite database with a short busy timeout (ELEARN_SQLITE_BUSY_MS)."""
    folder = tmp_path_factory.mktemp("busy")
    app = create_app(make_config(folder, SQLITE_BUSY_MS=BUSY_MS, DATABASE_URL=f"sqlite:///{folder / 'busy.db'}"))
    app.test_client_class = IsolatedClient
    reset_schema(app)
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def locked(busy_app):
    """Another process's writer: holds the write lock until the test ends."""
    other = sqlite3.connect(busy_app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):], isolation_level=None)
    yield lambda: other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK") if other.in_transaction else None
    other.close()


def _user_and_stale_token(app):
    with app.app_context():
        user = make_user(_db, fast_hash=True)
        token = issue_token(user)
        _db.session.commit()
        _db.session.execute(update(ApiToken).values(last_used_at=utcnow() - timedelta(hours=1)))
        _db.session.commit()
        return user.login_name, token


@pytest.mark.own_sqlite
def test_the_busy_timeout_is_the_setting(busy_app):
    with busy_app.app_context():
        assert _db.session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_MS
        _db.session.rollback()


@pytest.mark.own_sqlite
def test_a_write_while_locked_answers_503_with_retry_after(busy_app, locked):
    login, _ = _user_and_stale_token(busy_app)
    locked()
    started = time.monotonic()
    response = busy_app.test_client().post("/api/v1/auth/token", json={"login": login, "password": DEFAULT_PASSWORD})
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["code"] == "database_busy"
    assert time.monotonic() - started < 5


@pytest.mark.own_sqlite
def test_a_page_write_while_locked_is_the_busy_page(busy_app, locked):
    """Pages answer the same 503 (HTML), not the 500 page."""
    login, _ = _user_and_stale_token(busy_app)
    client = busy_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    locked()
    response = client.post("/login", data={"login": login, "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()


@pytest.mark.own_sqlite
def test_a_bearer_read_does_not_depend_on_recording_its_use(busy_app, locked):
    """GET /me with a token whose last use is due to be written: answered while the lock is held."""
    _, token = _user_and_stale_token(busy_app)
    locked()
    started = time.monotonic()
    response = busy_app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert time.monotonic() - started < BUSY_MS / 1000  # it did not even wait the busy timeout
