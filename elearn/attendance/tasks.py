"""Closing events: the periodic sweep that makes the unmarked 缺勤 once a window has ended."""
from __future__ import annotations

from huey import crontab

from ..core.db import unit_of_work
from ..core.jobs import periodic
from . import services


@periodic(crontab(minute="*"))
def close_ended_events() -> int:
    """Every minute: close each event whose window ended (idempotent: a closed event is skipped)."""
    closed = 0
    for event_id in services.events_due():
        with unit_of_work(locked=True):
            event = services.get_event(event_id)
            services.close(event)
            closed += 1
    return closed
