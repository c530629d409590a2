"""Shared fixtures: one app per session, a rolled-back database per test, clients per role.

The database is whatever ELEARN_DATABASE_URL names (PostgreSQL in CI's second pass), else a
SQLite file in a temporary folder. The schema is built by running the migrations.
"""
from __future__ import annotations

import contextvars
import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as SASession

os.environ.setdefault("ELEARN_CONFIG", "test")

import config as config_module  # noqa: E402
from elearn import create_app  # noqa: E402
from elearn.extensions import db as _db  # noqa: E402
# Builders live in tests/factories.py and client helpers in tests/clients.py; these names stay
# importable from here for tests written before those modules existed.
from tests.clients import csrf_token, login, signed_in  # noqa: E402,F401
from tests.factories import DEFAULT_PASSWORD, make_user  # noqa: E402,F401


def pytest_sessionstart(session):
    """The app never compiles its catalogues (`make setup` does): a bare `pytest` compiles the stale ones."""
    from elearn.core.i18n import compile_catalogues

    compile_catalogues(config_module.BASE_DIR / "elearn" / "translations")


def make_config(tmp_path, **overrides) -> config_module.TestConfig:
    cfg = config_module.TestConfig()
    if not os.environ.get("ELEARN_DATABASE_URL"):
        cfg.DATABASE_URL = f"sqlite:///{tmp_path / 'test.db'}"
    cfg.MEDIA_DIR = str(tmp_path / "media")
    cfg.SEARCH_INDEX_DIR = str(tmp_path / "search-index")
    cfg.QUEUE_URL = f"sqlite:///{tmp_path / 'queue.db'}"
    for key, value in overrides.items():
        setattr(cfg, key, value)
    return cfg


def reset_schema(app) -> None:
    """Drop whatever a previous run left (PostgreSQL persists) and migrate from empty to head."""
    from flask_migrate import upgrade
    from sqlalchemy import MetaData

    with app.app_context():
        meta = MetaData()
        meta.reflect(bind=_db.engine)
        meta.drop_all(bind=_db.engine)
        _db.session.remove()
        upgrade()


class BoundSession(SASession):
    """A plain SQLAlchemy Session that stays on the connection it is given (see ``db``)."""

    def __init__(self, db=None, **options):
        super().__init__(**options)


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    Tests hold an app context for the database fixture; without this, Flask would reuse it for
    every request and ``g`` (the CSRF token cache, for one) would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


# ---------------------------------------------------------------- markers

#: Fixtures that reach the database. ``item.fixturenames`` is transitive, so ``client``, the role
#: clients, ``people``, ``user_factory``... count through ``db``, and ``live_db`` through ``live_server``.
DATABASE_FIXTURES = {"db", "live_server"}
BROWSER_DIR = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(config, items):
    """``db`` for tests that use the database (CI reruns only those on PostgreSQL), ``browser`` for
    tests/browser. A test that reaches the database without these fixtures says ``@pytest.mark.db``."""
    for item in items:
        if DATABASE_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.db)
        if BROWSER_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Keep the ``db`` marker honest: a test without it fails if it sends SQL, since CI's
    PostgreSQL pass would skip it."""
    if item.get_closest_marker("db") or item.get_closest_marker("own_sqlite"):
        return (yield)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        result = yield
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    if statements:
        shown = next((s for s in statements if not s.upper().startswith("BEGIN")), statements[0])
        pytest.fail(f"{item.nodeid} sent SQL ({shown[:80]!r}...) but is not marked db: use the "
                    "db fixture, or @pytest.mark.db if it builds its own database", pytrace=False)
    return result


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("elearn")
    app = create_app(make_config(tmp))
    app.test_client_class = IsolatedClient
    reset_schema(app)
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _queue_on_session_app(request):
    """Point the shared queue and the dedicated ones back at the session app: a test that built an app
    of its own (create_app re-points them) must not leave later tests queueing into that app's files,
    nor a dedicated consumer writing with that app's configuration (its search index, say)."""
    if "app" in request.fixturenames:
        from elearn.core.jobs import dedicated
        from elearn.extensions import queue

        app = request.getfixturevalue("app")
        for each in (queue, *dedicated.values()):  # search's own queue too: its consumer runs in the app it names
            if getattr(each, "flask_app", None) is not app:
                each.init_app(app)
    yield


@pytest.fixture
def db(app):
    """A database session whose work is rolled back after the test (views may commit freely)."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        # A plain SQLAlchemy Session: Flask-SQLAlchemy's own picks the engine per model and
        # would ignore the connection that holds the outer transaction.
        _db.session = _db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": BoundSession}
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def user_factory(db):
    return lambda **kw: make_user(db, **kw)


@pytest.fixture
def admin_client(app, db):
    return signed_in(app, db, roles=["admin"])


@pytest.fixture
def teacher_client(app, db):
    return signed_in(app, db, roles=["teacher"])


@pytest.fixture
def student_client(app, db):
    return signed_in(app, db, roles=["student"])


class JobRunner:
    """The jobs woken after a commit, kept instead of reaching a worker; ``run()`` does them here, in order."""

    def __init__(self):
        self.woken: list[tuple[str, int]] = []

    def run(self) -> list[str]:
        from elearn.core import jobs

        outcomes = []
        while self.woken:
            kind, row_id = self.woken.pop(0)
            outcomes.append(next(k for k in jobs.kinds() if k.name == kind).run(row_id))
        return outcomes


@pytest.fixture
def job_runner(monkeypatch):
    from elearn.core import jobs

    runner = JobRunner()
    monkeypatch.setattr(jobs, "enqueue", lambda kind, row_id, delay=None: runner.woken.append((kind, row_id)))
    return runner
