"""Background tasks: declared with ``task``/``periodic``, run inside an app context.

Tasks take ids, never ORM objects, and are enqueued only after the view's commit.
"""
from __future__ import annotations

import functools

from ..extensions import queue


def _in_app_context(fn):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        from ..extensions import db

        with queue.flask_app.app_context():
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.remove()

    return run


def task(**options):
    def decorator(fn):
        return queue.task(**options)(_in_app_context(fn))

    return decorator


def periodic(schedule, **options):
    def decorator(fn):
        return queue.periodic_task(schedule, **options)(_in_app_context(fn))

    return decorator


# ---------------------------------------------------------------- leases: the database is the truth
#
# huey never acknowledges a task, so a worker killed mid-job loses it from the queue. Each job
# therefore lives in a database row (status, attempt, lease) and the queue only wakes workers:
#   * a worker *claims* a queued row (or one whose lease ran out), which bumps ``attempt``;
#   * while it works it *renews* the lease every few seconds;
#   * every write it makes is guarded by its attempt number, so a stale worker that lost its
#     lease cannot overwrite the work of a newer one;
#   * a periodic, idempotent *reaper* re-queues rows whose lease expired, or fails them for good
#     after the maximum number of attempts.

import os
import socket
import threading
from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from .timeutil import utcnow

QUEUED, PROCESSING, READY, FAILED = "queued", "processing", "ready", "failed"


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _lease_seconds() -> int:
    return int(queue.flask_app.config.get("JOB_LEASE_SECONDS", 30))


def claim(model, row_id: int, owner: str) -> int | None:
    """Take the job if it is queued or its lease has run out; returns the new attempt number."""
    from ..extensions import db

    now = utcnow()
    result = db.session.execute(
        update(model)
        .where(model.id == row_id,
               or_(model.status == QUEUED,
                   and_(model.status == PROCESSING, model.lease_expires_at < now)))
        .values(status=PROCESSING, attempt=model.attempt + 1, attempts=model.attempts + 1,
                lease_owner=owner, lease_expires_at=now + timedelta(seconds=_lease_seconds()))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return None
    attempt = db.session.scalar(select(model.attempt).where(model.id == row_id))
    db.session.commit()
    return attempt


def guarded_update(model, row_id: int, attempt: int, **values) -> bool:
    """Write ``values`` only if this attempt still holds the job; commits; False if it lost it."""
    from ..extensions import db

    result = db.session.execute(
        update(model)
        .where(model.id == row_id, model.attempt == attempt, model.status == PROCESSING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def renew(model, row_id: int, attempt: int) -> bool:
    return guarded_update(model, row_id, attempt,
                          lease_expires_at=utcnow() + timedelta(seconds=_lease_seconds()))


def release(model, row_id: int, attempt: int) -> bool:
    """Give the job back to the queue unharmed (the worker is stopping); the attempt is not counted."""
    return guarded_update(model, row_id, attempt, status=QUEUED, lease_owner=None, lease_expires_at=None,
                          attempts=model.attempts - 1, queued_at=utcnow())


def reap(model, max_attempts: int, give_up) -> list[int]:
    """Re-queue jobs whose lease expired; fail those out of attempts. Returns ids to enqueue again.

    ``give_up(row)`` sets the plain failure reason on a row that used all its attempts.
    """
    from ..extensions import db

    now = utcnow()
    stale = db.session.scalars(
        select(model).where(model.status == PROCESSING, model.lease_expires_at < now).with_for_update()
    ).all()
    requeue = []
    for row in stale:
        row.lease_owner = None
        row.lease_expires_at = None
        if row.attempts >= max_attempts:
            row.status = FAILED
            give_up(row)
        else:
            row.status = QUEUED
            row.queued_at = now
            requeue.append(row.id)
    # Queued rows nobody has woken for a while (the queue lost the message): wake them again,
    # and note when, so a long backlog is not re-sent every minute.
    forgotten = db.session.scalars(
        select(model).where(model.status == QUEUED, model.queued_at < now - timedelta(minutes=10))
    ).all()
    for row in forgotten:
        row.queued_at = now
        requeue.append(row.id)
    db.session.commit()
    return sorted(set(requeue))


class LeaseKeeper:
    """Renews a lease every few seconds in a thread; ``lost`` is set when renewal fails."""

    def __init__(self, app, model, row_id: int, attempt: int, every: float | None = None):
        self.app, self.model, self.row_id, self.attempt = app, model, row_id, attempt
        self.every = every or max(1.0, app.config.get("JOB_LEASE_SECONDS", 30) / 6)
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{row_id}", daemon=True)

    def _run(self) -> None:
        from ..extensions import db

        with self.app.app_context():
            try:
                while not self._stop.wait(self.every):
                    if not renew(self.model, self.row_id, self.attempt):
                        self.lost.set()
                        return
            finally:
                db.session.remove()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


_running: dict[tuple[str, int], tuple[object, int, int]] = {}
_running_lock = threading.Lock()


class running:
    """Marks a job as held by this process, so a stopping worker can hand it back (``release_running``)."""

    def __init__(self, model, row_id: int, attempt: int):
        self.key = (model.__tablename__, row_id)
        self.value = (model, row_id, attempt)

    def __enter__(self):
        with _running_lock:
            _running[self.key] = self.value
        return self

    def __exit__(self, *exc):
        with _running_lock:
            _running.pop(self.key, None)


def release_running(requeue) -> list[tuple[str, int]]:
    """The worker is stopping: give every job it holds back to the queue, uncounted, and wake a worker.

    ``requeue(table_name, row_id)`` enqueues the job again. Any thread still working on a released
    job finds its guarded writes refused and stops without touching the row.
    """
    with _running_lock:
        held = list(_running.values())
        _running.clear()
    released = []
    for model, row_id, attempt in held:
        if release(model, row_id, attempt):
            requeue(model.__tablename__, row_id)
            released.append((model.__tablename__, row_id))
    return released
