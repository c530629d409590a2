"""Attendance: the one engine for class sessions and branch activities (statuses, marks with their
history, roll call, QR self check-in, leave, marks from watching, closing with 缺勤).

The features that own events register an ``EventKind`` in ``hooks.event_kinds``; the engine never
imports them (DESIGN.md §3).
"""
from . import models, online_jobs, tasks  # noqa: F401


def init_app(app) -> None:
    """The job that marks events from watching (``online_jobs``); the periodic sweeps are imported
    above. The pages and API that take attendance belong to the features that own events."""
    online_jobs.init_app(app)
