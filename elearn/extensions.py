"""Extension objects, created unbound and attached to the app in ``create_app``."""
from __future__ import annotations

from urllib.parse import urlparse

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class Queue(Huey):
    """A huey instance whose storage is chosen by the app's configuration.

    Tasks are declared at import time against this one object; ``init_app`` points it at
    SQLite (the embedded default) or Redis. The database, not the queue, is the source of
    truth for every job: the queue only wakes workers.
    """

    storage_class = MemoryStorage
    #: Where the app keeps it (a dedicated queue, core.jobs.dedicated_queue, has its own key).
    extension = "queue"

    def init_app(self, app) -> None:
        url = app.config["QUEUE_URL"]
        parsed = urlparse(url)
        if parsed.scheme == "sqlite":
            self.storage_class = SqliteStorage
            self.storage_kwargs = {"filename": url[len("sqlite:///"):]}
        elif parsed.scheme in {"redis", "rediss", "unix"}:
            self.storage_class = RedisStorage
            self.storage_kwargs = {"url": url}
        elif parsed.scheme == "memory":
            self.storage_class = MemoryStorage
            self.storage_kwargs = {}
        else:
            raise ValueError(f"ELEARN_QUEUE_URL: unsupported queue {url!r} (use sqlite:///path or redis://)")
        self._immediate = bool(app.config.get("QUEUE_IMMEDIATE"))
        self.immediate_use_memory = True
        self.storage = self.create_storage()
        self.flask_app = app
        app.extensions[self.extension] = self


queue = Queue("elearn", results=False, utc=True)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    """WAL and foreign keys for SQLite; we issue BEGIN ourselves.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; turning it off and
    emitting BEGIN on the "begin" event (below) is SQLAlchemy's documented recipe, and lets a
    writer take the lock up front with BEGIN IMMEDIATE.
    """
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # The busy timeout is the driver's ``timeout`` (ELEARN_SQLITE_BUSY_MS, config.py), set per app.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    mode = "IMMEDIATE" if conn.info.pop("begin_immediate", False) else "DEFERRED"
    wait_ms = conn.info.pop("lock_wait_ms", None)
    if wait_ms is None:
        conn.exec_driver_sql(f"BEGIN {mode}")
        return
    # Wait at most wait_ms for the lock at this BEGIN only (work that may be skipped when the
    # database is busy); once BEGIN IMMEDIATE holds the lock, nothing else in it waits.
    usual = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
    try:
        conn.exec_driver_sql(f"BEGIN {mode}")
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(usual)}")
