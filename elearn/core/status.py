"""The admins' status report: workers alive or gone, jobs per kind by state, expired leases,
and what happened to jobs lately. Read-only; the page and the API show the same dictionary.

/healthz does not use this: it checks the web process only, so that a load balancer never drops
web nodes because a worker is down.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from . import jobs, workers
from .errors import translated
from .models import JobEvent, WorkerHeartbeat
from .timeutil import utcnow

RECENT_EVENTS = 20


def _workers(now) -> list[dict]:
    gone_after = timedelta(seconds=3 * workers.interval(current_app))
    rows = db.session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.started_at.desc()).limit(50)).all()
    return [{"name": row.name, "host": row.host, "pid": row.pid, "started_at": row.started_at,
             "seen_at": row.seen_at, "stopped_at": row.stopped_at, "jobs_done": row.jobs_done,
             "seconds_since_seen": int((now - row.seen_at).total_seconds()),
             "state": "stopped" if row.stopped_at else ("alive" if now - row.seen_at <= gone_after else "gone")}
            for row in rows]


def _kind(job, now) -> dict:
    model = job.model
    counts = dict(db.session.execute(select(model.status, func.count()).group_by(model.status)).all())
    expired = db.session.scalars(select(model).where(model.status == jobs.PROCESSING,
                                                     model.lease_expires_at < now)).all()
    failures = db.session.scalars(select(model).where(model.status == jobs.FAILED)
                                  .order_by(model.updated_at.desc()).limit(10)).all() \
        if hasattr(model, "updated_at") else []
    return {"kind": job.name, "label": str(job.label or job.name), "counts": counts,
            "expired": [{"id": row.id, "worker": row.lease_owner, "attempt": row.attempt,
                         "lease_expired_at": row.lease_expires_at} for row in expired],
            "failures": [{"id": row.id, "code": getattr(row, "error_code", None),
                          "reason": translated(getattr(row, "error", None), getattr(row, "error_params", None)), "attempts": row.attempts,
                          "at": getattr(row, "updated_at", None)} for row in failures]}


def report() -> dict:
    now = utcnow()
    listed = _workers(now)
    events = db.session.scalars(select(JobEvent).order_by(JobEvent.at.desc(), JobEvent.id.desc())
                                .limit(RECENT_EVENTS)).all()
    return {
        "now": now,
        "workers": listed,
        "workers_alive": sum(1 for w in listed if w["state"] == "alive"),
        "jobs": [_kind(job, now) for job in jobs.kinds()],
        "events": [{"kind": e.kind, "row_id": e.row_id, "event": e.event, "code": e.code,
                    "worker": e.worker, "detail": e.detail, "at": e.at} for e in events],
    }


def workers_note() -> dict:
    """For /healthz: a note, never a failure (ok stays true whatever the workers do)."""
    now = utcnow()
    listed = [w for w in _workers(now) if w["state"] != "stopped"]
    return {"ok": True, "alive": sum(1 for w in listed if w["state"] == "alive"),
            "gone": sum(1 for w in listed if w["state"] == "gone")}
