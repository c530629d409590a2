"""The writer's wake-ups: after each commit that recorded a change, and every minute in case a
wake-up was lost (the table of changes, not the queue, is the truth)."""
from __future__ import annotations

from huey import crontab

from ..core.jobs import periodic, task
from . import writer


@task(retries=0)
def apply_changes():
    return writer.apply_pending()


@periodic(crontab(minute="*"))
def apply_changes_every_minute():
    return writer.apply_pending()


def wake_writer() -> None:
    apply_changes()
