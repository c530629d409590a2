"""The writer's queue: a dedicated one (core.jobs.dedicated_queue) with exactly one consumer thread,
in the one worker started with ``--dedicated`` (run.py's embedded worker), so every change to the
index is made by that one thread. The writer's lock (writer.py) stays as the safety net should a
second writer ever be started.

It is woken after each commit that recorded a change, and every minute in case a wake-up was lost
(the table of changes, not the queue, is the truth); ``flask search reindex`` asks it to rebuild
and follows the progress it writes down (rebuilds.py).
"""
from __future__ import annotations

from huey import crontab

from ..core.jobs import dedicated_queue, periodic, task
from . import rebuilds, writer

search_queue = dedicated_queue("search")


@task(on=search_queue, retries=0)
def apply_changes():
    return writer.apply_pending()


@periodic(crontab(minute="*"), on=search_queue)
def apply_changes_every_minute():
    return writer.apply_pending()


@task(on=search_queue, retries=0)
def rebuild_index(request: str):
    return rebuilds.run(request)


def wake_writer() -> None:
    apply_changes()


def ask_for_rebuild() -> str:
    """Queue a rebuild for the writer; the name of the request, to follow with ``rebuilds.status``."""
    request = rebuilds.new_request()
    rebuild_index(request)
    return request
