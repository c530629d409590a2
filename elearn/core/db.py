"""One unit of work for views, API endpoints and CLI commands, and write-lock-first transactions.

Every place that changes the database does it in one block that commits once, or rolls back and
leaves nothing half-written (Warehouse's commit-per-request, Indico's request handlers)::

    with unit_of_work():                       # API and CLI: a refusal rolls back and propagates
        services.do_something()

    with unit_of_work(flash_errors=True) as work:   # pages: a refusal is flashed and swallowed
        services.do_something()
    if work.ok:
        return redirect(...)
    return render_template(...), work.status

Services flush and never commit; only this module (and the job machinery) ends transactions.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from contextlib import ContextDecorator

from flask import current_app, flash
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..extensions import db
from .errors import ServiceError

#: Keys in ``Session.info``: the transaction has written (flushed or run DML), holds the write lock,
#: how many units of work are open on the session, and the lock of this process it holds (below).
_WROTE, _LOCKED, _DEPTH, _TURN = "elearn_wrote", "elearn_write_locked", "elearn_units_open", "elearn_writer_turn"



@event.listens_for(Engine, "set_connection_execution_options")
def _lock_up_front(conn, options):
    """``session.connection(execution_options={"begin_immediate": True})`` sets the options on a fresh
    connection just before its BEGIN; this marks it so that extensions.py emits BEGIN IMMEDIATE."""
    if options.get("begin_immediate") and not conn.in_transaction():
        conn.info["begin_immediate"] = True
        if options.get("lock_wait_ms") is not None:
            conn.info["lock_wait_ms"] = options["lock_wait_ms"]


@event.listens_for(Session, "after_flush")
def _note_flush(session, flush_context):
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_dml(state):
    # session.execute(update(...)) writes without a flush; it counts as a write all the same.
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_transaction(session, transaction):
    if transaction.parent is None:
        session.info.pop(_WROTE, None)
        session.info.pop(_LOCKED, None)
        turn = session.info.pop(_TURN, None)
        if turn is not None:
            turn.release()  # after COMMIT or ROLLBACK has reached SQLite


def has_uncommitted_writes(session: Session | None = None) -> bool:
    """Whether the session holds changes not yet flushed, or flushed writes not yet committed."""
    session = session or db.session()
    if session.new or session.deleted or session.info.get(_WROTE):
        return True
    return any(session.is_modified(obj) for obj in session.dirty)


def start_locked_transaction(wait_ms: int | None = None) -> None:
    """Begin a transaction that holds SQLite's write lock from the start.

    A deferred SQLite transaction that has read and then writes fails at once ("database is locked")
    when another writer committed in between: its snapshot is stale, and waiting cannot help. Code
    that reads, then writes what it read (a heartbeat's coverage, a login attempt, a token's last
    use), takes the lock at BEGIN instead. A transaction that has only read so far is ended first;
    one that has written is refused (RuntimeError): ending it would commit or lose those writes
    behind the caller's back. Calling it again inside the locked transaction changes nothing.
    PostgreSQL needs none of this (rows are locked with FOR UPDATE where needed). ``wait_ms`` waits
    that long for SQLite's lock instead of the busy timeout, for work a caller skips when it is busy.
    """
    session = db.session()
    if session.info.get(_LOCKED):
        return
    if has_uncommitted_writes(session):
        raise RuntimeError("start_locked_transaction() with uncommitted changes in the session: take the "
                           "write lock before writing (unit_of_work(locked=True) around all of it)")
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        if session.in_transaction():
            session.rollback()  # it only read: nothing is lost
        turn = _take_turn(bind, wait_ms)
        try:
            session.connection(execution_options={"begin_immediate": True, "lock_wait_ms": wait_ms})
        except BaseException:
            turn.release()
            raise
        session.info[_TURN] = turn
    else:
        session.connection()  # the mark below lasts as long as this transaction, on every database
    session.info[_LOCKED] = True


#: One turn per SQLite database file (below): its writers take BEGIN IMMEDIATE one at a time.
_TURNS: dict[str, _Turn] = {}
_TURNS_GUARD = threading.Lock()


class _Turn:
    """Whose turn it is to write one SQLite database: a lock for this process's threads, then an
    flock on a file beside the database for the processes (web workers, the worker, a CLI command).

    Taken before BEGIN IMMEDIATE and let go when the transaction ends. SQLite's busy handler sleeps
    between its tries (1, 2, 5, 10 ms, then up to 100 ms), so writers asking together mostly sleep
    while the lock is free; one waiting here takes it within a millisecond of its release (measured
    with bench/heartbeat.py: see docs/benchmarks.md). It waits as long as SQLite would (the busy
    timeout, or ``wait_ms``), then refuses as SQLite does. Writers that do not take a turn (a deferred
    transaction that writes) still meet SQLite's own lock, as before."""

    POLL = 0.0005

    def __init__(self, database: str | None):
        self.threads = threading.Lock()
        self.path = f"{database}.writer-lock" if database and database != ":memory:" else None
        self.pid, self.handle = None, None

    def acquire(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        if not self.threads.acquire(timeout=max(seconds, 0.001)):
            return False
        try:
            if self._file() is None:
                return True
            while True:
                try:
                    fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        self.threads.release()
                        return False
                    time.sleep(self.POLL)
        except BaseException:
            self.threads.release()
            raise

    def release(self) -> None:
        try:
            if self.handle is not None and self.pid == os.getpid():
                fcntl.flock(self.handle, fcntl.LOCK_UN)
        finally:
            self.threads.release()

    def _file(self):
        """The lock file, opened by this process: a descriptor inherited across fork shares its flock."""
        if self.path is None:
            return None
        if self.pid != os.getpid():
            try:
                self.handle = open(self.path, "a+")  # noqa: SIM115 - kept open for the process's life
            except OSError:
                self.path = None  # a read-only folder: SQLite's own lock alone, as before
                return None
            self.pid = os.getpid()
        return self.handle


def _take_turn(bind, wait_ms: int | None) -> _Turn:
    database = bind.engine.url.database
    with _TURNS_GUARD:
        turn = _TURNS.setdefault(str(database), _Turn(database))
    seconds = (wait_ms if wait_ms is not None else _busy_timeout_ms()) / 1000
    if not turn.acquire(seconds):
        raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    return turn


def _busy_timeout_ms() -> float:
    return float(current_app.config.get("SQLITE_BUSY_MS", 5000))


class unit_of_work(ContextDecorator):  # noqa: N801  (used like a function: ``with unit_of_work():``)
    """A block of work that commits exactly once at its end, or rolls back on any exception.

    - ``flash_errors=True`` (pages): a ServiceError is rolled back, its translated message flashed as
      an error and the exception swallowed; ``work.ok``, ``work.error`` and ``work.status`` (the
      refusal's HTTP status, 200 when it worked) say what happened. Any other exception propagates.
    - Without it (API endpoints, CLI commands) every exception rolls back and propagates: the app's
      error handler answers a ServiceError, a CLI command turns it into a click error.
    - ``locked=True`` takes SQLite's write lock before the block (``start_locked_transaction``), for
      work that reads and then writes what it read.
    - ``lock_wait_ms`` (with ``locked``) waits only that long for the lock (see ``start_locked_transaction``).
    - ``commit_on=(ServiceError,)`` commits even when the block raises one of these, for a refusal
      that must stay on record: a failed sign-in is written before the service refuses it, so that
      throttling counts it. The exception is still flashed or propagated as above.

    A unit inside another unit is refused (RuntimeError): its commit would split the outer one.
    Used as a decorator, each call runs in a fresh unit.
    """

    def __init__(self, *, flash_errors: bool = False, locked: bool = False,
                 commit_on: tuple[type[BaseException], ...] = (), lock_wait_ms: int | None = None):
        self.flash_errors = flash_errors
        self.locked = locked
        self.lock_wait_ms = lock_wait_ms
        self.commit_on = tuple(commit_on)
        self.ok = False
        self.error: ServiceError | None = None
        self.status = 200

    def _recreate_cm(self):
        # ContextDecorator would reuse this instance for every call (and thread) of the decorated function.
        return type(self)(flash_errors=self.flash_errors, locked=self.locked, commit_on=self.commit_on,
                          lock_wait_ms=self.lock_wait_ms)

    def __enter__(self) -> unit_of_work:
        session = db.session()
        if session.info.get(_DEPTH):
            raise RuntimeError("unit_of_work inside another unit_of_work: the inner commit would split the outer one")
        self.ok, self.error, self.status = False, None, 200
        if self.locked:
            start_locked_transaction(self.lock_wait_ms)
        session.info[_DEPTH] = 1
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        session = db.session()
        session.info.pop(_DEPTH, None)
        keep = exc is None or isinstance(exc, self.commit_on)
        if keep:
            try:
                session.commit()
            except BaseException:
                session.rollback()
                raise
        else:
            session.rollback()
        if exc is None:
            self.ok = True
            return False
        if isinstance(exc, ServiceError):
            self.error, self.status = exc, exc.status
            if self.flash_errors:
                flash(str(exc.message), "error")
                return True
        return False
