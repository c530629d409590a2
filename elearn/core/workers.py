"""Worker liveness: each worker process writes its heartbeat row every few seconds from a thread.

Its own short transactions, on its own session (the thread has its own app context), so a long
job never delays the heartbeat and a heartbeat never holds SQLite's write lock for long. A row
not seen for three intervals is a worker that died (``stopped_at`` is set only by an orderly stop).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from huey.consumer import Consumer
from sqlalchemy import delete, update

from ..extensions import db
from . import jobs
from .models import WorkerHeartbeat
from .timeutil import utcnow

log = logging.getLogger(__name__)

#: Rows of workers gone longer than this are removed (the status page shows the recent past).
FORGET_AFTER = timedelta(days=2)


def interval(app) -> float:
    return max(0.5, float(app.config.get("WORKER_HEARTBEAT_SECONDS", 5)))


class Heartbeat:
    """``with Heartbeat(app):`` around the consumer: a row while it runs, ``stopped_at`` after."""

    def __init__(self, app):
        self.app = app
        now = utcnow()
        self.host, self.pid = socket.gethostname()[:128], os.getpid()
        self.name = f"{self.host}:{self.pid}:{now:%Y%m%dT%H%M%S.%f}"
        self.every = interval(app)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def __enter__(self):
        with self.app.app_context():
            try:
                db.session.add(WorkerHeartbeat(name=self.name, host=self.host, pid=self.pid))
                db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.seen_at < utcnow() - FORGET_AFTER))
                db.session.commit()
            finally:
                db.session.remove()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=self.every + 5)
        self._beat(stopped=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._beat()

    def _beat(self, stopped: bool = False) -> None:
        values = {"seen_at": utcnow(), "jobs_done": jobs.jobs_done()}
        if stopped:
            values["stopped_at"] = values["seen_at"]
        with self.app.app_context():
            try:
                db.session.execute(update(WorkerHeartbeat).where(WorkerHeartbeat.name == self.name).values(**values))
                db.session.commit()
            except Exception:  # noqa: BLE001 - a locked or absent database: try again next beat
                db.session.rollback()
                log.warning("worker heartbeat could not be written", exc_info=True)
            finally:
                db.session.remove()


class _Companion(Consumer):
    """A consumer started beside the worker's main one: the main consumer owns the signals."""

    def _set_signal_handlers(self):
        pass


class DedicatedConsumers:
    """``with DedicatedConsumers():`` one consumer thread (and its periodic tasks) for each dedicated
    queue (``jobs.dedicated``), so their work runs one task at a time in this process only."""

    def __init__(self, names=None):
        self.names = list(jobs.dedicated) if names is None else list(names)
        self.consumers: list[Consumer] = []

    def __enter__(self):
        for name in self.names:
            consumer = _Companion(jobs.dedicated[name], workers=1, worker_type="thread", periodic=True,
                                  max_delay=1.0)
            consumer.start()
            self.consumers.append(consumer)
        return self

    def __exit__(self, *exc):
        for consumer in self.consumers:
            consumer.stop(graceful=True)  # a rebuild under way finishes (or its lock dies with us)
        self.consumers.clear()
