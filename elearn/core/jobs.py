"""Background jobs: declared with ``task``/``periodic``, run inside an app context, and a
registry of job kinds so that the lease reaper and a stopping worker can hand any kind back.

Tasks take ids, never ORM objects, and are enqueued only after the view's commit
(``enqueue_after_commit``). A feature registers each kind of job it runs in its ``init_app``::

    jobs.register("transcode", model=MediaAsset, run=run_transcode, give_up=_give_up)

``model`` is the table holding each job's state and lease (see ``JobColumns``); ``run(row_id)``
does the work; ``give_up(row)`` writes the plain reason on a row that used all its attempts.
"""
from __future__ import annotations

import functools
import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from huey import crontab
from sqlalchemy import and_, or_, select, update

from ..extensions import Queue, db, queue
from . import models as events
from .timeutil import utcnow
from .transaction import after_commit

log = logging.getLogger(__name__)


def _in_app_context(fn, on=None):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with (on or queue).flask_app.app_context():
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.remove()

    return run


def task(on=None, **options):
    """A task on the shared queue, or ``on`` a dedicated one (see ``dedicated_queue``)."""
    def decorator(fn):
        return (on or queue).task(**options)(_in_app_context(fn, on))

    return decorator


def periodic(schedule, on=None, **options):
    def decorator(fn):
        return (on or queue).periodic_task(schedule, **options)(_in_app_context(fn, on))

    return decorator


#: Queues with exactly one consumer thread, run by the one worker started with ``--dedicated``
#: (run.py's embedded worker): work that must never run twice at once, such as search's index writer.
dedicated: dict[str, Queue] = {}


def dedicated_queue(name: str) -> Queue:
    """A queue of its own for one feature, in the same storage as the shared one (the feature's
    ``init_app`` calls its ``init_app``); its tasks run only in the dedicated consumer."""
    if name not in dedicated:
        own = Queue(f"elearn-{name}", results=False, utc=True)
        own.extension = f"queue:{name}"
        dedicated[name] = own
    return dedicated[name]


# ---------------------------------------------------------------- the registry of job kinds

@dataclass(frozen=True)
class JobKind:
    name: str
    model: type
    run: Callable[[int], object]
    give_up: Callable[[object], None]
    #: What the admins' status page calls this kind of work (a translatable string).
    label: object = None


_kinds: dict[str, JobKind] = {}


def register(kind: str, *, model, run, give_up, label=None) -> JobKind:
    """Declare a kind of job; registering the same kind again replaces it (a second app in tests)."""
    job = JobKind(kind, model, run, give_up, label)
    _kinds[kind] = job
    return job


def kinds() -> list[JobKind]:
    return list(_kinds.values())


_done = [0]
_done_lock = threading.Lock()


def jobs_done() -> int:
    """Jobs this process has run to an outcome (ready, failed, retrying...): the heartbeat shows it."""
    return _done[0]


@task(retries=0)
def run_job(kind: str, row_id: int):
    """The one queue task: wake the registered runner of ``kind`` for row ``row_id``."""
    job = _kinds.get(kind)
    if job is None:  # a message from a version that had this kind; the database row is the truth
        log.warning("no job kind %r registered; dropping the wake-up for row %s", kind, row_id)
        return None
    outcome = job.run(row_id)
    if outcome not in ("not claimed", "lease lost"):
        with _done_lock:
            _done[0] += 1
    return outcome


def enqueue(kind: str, row_id: int, delay: float | None = None) -> None:
    """Wake a worker for the job now, or after ``delay`` seconds (the row is committed already).

    A delayed wake-up that the queue loses is sent again by the reaper (queued rows not woken
    for ten minutes), so the database stays the truth.
    """
    if delay:
        run_job.schedule((kind, row_id), delay=delay)
    else:
        run_job(kind, row_id)


def enqueue_after_commit(kind: str, row_id: int) -> None:
    """Wake a worker once the transaction that made the job runnable has committed."""
    after_commit(lambda: enqueue(kind, row_id))


def reap_all() -> dict[str, list[int]]:
    """Hand back every kind's jobs whose worker died; returns the ids woken again, per kind."""
    woken = {}
    for job in kinds():
        ids = reap(job.model, queue.flask_app.config["JOB_MAX_ATTEMPTS"], job.give_up, kind=job.name)
        for row_id in ids:
            enqueue(job.name, row_id)
        woken[job.name] = ids
    return woken


@periodic(crontab(minute="*"))
def reap_jobs() -> dict[str, list[int]]:
    """Every minute, and at every worker start: re-queue jobs whose lease expired (idempotent)."""
    return reap_all()


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

QUEUED, PROCESSING, FAILED = "queued", "processing", "failed"


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _lease_seconds() -> int:
    return int(queue.flask_app.config.get("JOB_LEASE_SECONDS", 30))


def claim(model, row_id: int, owner: str) -> int | None:
    """Take the job if it is queued or its lease has run out; returns the new attempt number."""
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


def guarded_update(model, row_id: int, attempt: int, *, all_or_nothing: bool = False, **values) -> bool:
    """Write ``values`` only if this attempt still holds the job; commits; False if it lost it.

    ``all_or_nothing``: the session holds the job's work too, and a lost job rolls it back instead
    of committing it (a stale worker must not commit what a newer one is doing again).
    """
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, model.attempt == attempt, model.status == PROCESSING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if all_or_nothing and result.rowcount != 1:
        db.session.rollback()
        return False
    db.session.commit()
    return result.rowcount == 1


def renew(model, row_id: int, attempt: int) -> bool:
    return guarded_update(model, row_id, attempt,
                          lease_expires_at=utcnow() + timedelta(seconds=_lease_seconds()))


def release(model, row_id: int, attempt: int) -> bool:
    """Give the job back to the queue unharmed (the worker is stopping); the attempt is not counted."""
    return guarded_update(model, row_id, attempt, status=QUEUED, lease_owner=None, lease_expires_at=None,
                          attempts=model.attempts - 1, queued_at=utcnow())


def reap(model, max_attempts: int, give_up, kind: str | None = None) -> list[int]:
    """Re-queue jobs whose lease expired; fail those out of attempts. Returns ids to enqueue again.

    ``give_up(row)`` sets the plain failure reason on a row that used all its attempts.
    """
    now = utcnow()
    stale = db.session.scalars(
        select(model).where(model.status == PROCESSING, model.lease_expires_at < now).with_for_update()
    ).all()
    requeue = []
    for row in stale:
        # Recorded for the status page: which worker stopped answering, and what became of its job.
        events.record(kind or model.__tablename__, row.id,
                      events.GAVE_UP if row.attempts >= max_attempts else events.LEASE_EXPIRED,
                      worker=row.lease_owner, detail=f"attempt {row.attempt}")
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


_running: dict[tuple[str, int], int] = {}
_running_lock = threading.Lock()


class running:
    """Marks a job of ``kind`` as held by this process, so a stopping worker can hand it back."""

    def __init__(self, kind: str, row_id: int, attempt: int):
        self.key = (kind, row_id)
        self.attempt = attempt

    def __enter__(self):
        with _running_lock:
            _running[self.key] = self.attempt
        return self

    def __exit__(self, *exc):
        with _running_lock:
            _running.pop(self.key, None)


def release_running() -> list[tuple[str, int]]:
    """The worker is stopping: give every job it holds back to the queue, uncounted, and wake a worker.

    Any thread still working on a released job finds its guarded writes refused and stops without
    touching the row.
    """
    with _running_lock:
        held = list(_running.items())
        _running.clear()
    released = []
    for (kind, row_id), attempt in held:
        job = _kinds.get(kind)
        if job is not None and release(job.model, row_id, attempt):
            enqueue(kind, row_id)
            released.append((kind, row_id))
    return released
