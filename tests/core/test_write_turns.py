"""SQLite writers take turns before BEGIN IMMEDIATE (core/db.py ``_Turn``): the threads of a process
through a lock of its own, the processes through an flock on a file beside the database. A writer
whose turn does not come within the busy timeout is refused as SQLite refuses (503 upstream), and a
turn is let go however its transaction ends."""
from __future__ import annotations

import fcntl
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from elearn import create_app
from elearn.core.db import unit_of_work
from elearn.core.errors import is_database_locked
from elearn.extensions import db as _db
from tests.conftest import make_config, reset_schema


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("turns")
    app = create_app(make_config(folder, SQLITE_BUSY_MS=2000, DATABASE_URL=f"sqlite:///{folder / 'turns.db'}"))
    reset_schema(app)
    with app.app_context():
        _db.session.execute(text("CREATE TABLE IF NOT EXISTS turn_probe (n INTEGER)"))
        _db.session.commit()
    yield app
    with app.app_context():
        _db.engine.dispose()


def _write(app, n: int, wait_ms: int | None = None) -> str:
    with app.app_context():
        try:
            with unit_of_work(locked=True, lock_wait_ms=wait_ms):
                _db.session.execute(text("INSERT INTO turn_probe (n) VALUES (:n)"), {"n": n})
            return "ok"
        except OperationalError as err:
            return "locked" if is_database_locked(err) else repr(err)


@pytest.mark.own_sqlite
def test_another_processs_turn_keeps_a_writer_out_until_it_is_let_go(own_app):
    """The turn file is what the other processes (web workers, the worker) hold while they write."""
    path = own_app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):] + ".writer-lock"
    with open(path, "a+") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        assert _write(own_app, 1, wait_ms=150) == "locked"  # SQLite itself is free: the turn is not
        fcntl.flock(other, fcntl.LOCK_UN)
    assert _write(own_app, 2, wait_ms=150) == "ok"


@pytest.mark.own_sqlite
def test_a_thread_waits_for_its_turn_and_gets_it_once_the_other_commits(own_app):
    inside, leave = threading.Event(), threading.Event()
    results = {}

    def first():
        with own_app.app_context(), unit_of_work(locked=True):
            _db.session.execute(text("INSERT INTO turn_probe (n) VALUES (10)"))
            inside.set()
            leave.wait(10)
        results["first"] = "ok"

    holder = threading.Thread(target=first)
    holder.start()
    assert inside.wait(10)
    assert _write(own_app, 11, wait_ms=150) == "locked"  # refused as SQLite refuses: a 503 upstream
    waiting = threading.Thread(target=lambda: results.__setitem__("second", _write(own_app, 12)))
    waiting.start()  # waits (busy timeout 2 s) ...
    leave.set()      # ... and is let in when the first commits
    holder.join(10)
    waiting.join(10)
    assert results == {"first": "ok", "second": "ok"}
    with own_app.app_context():
        assert {n for (n,) in _db.session.execute(text("SELECT n FROM turn_probe WHERE n >= 10"))} == {10, 12}
        _db.session.rollback()


@pytest.mark.own_sqlite
def test_a_failed_unit_lets_its_turn_go(own_app):
    def failing():
        with own_app.app_context(), unit_of_work(locked=True):
            raise ValueError("a refusal half-way")

    for _ in range(3):
        with pytest.raises(ValueError):
            failing()
        assert _write(own_app, 20, wait_ms=50) == "ok"  # neither the thread lock nor the flock is left held
