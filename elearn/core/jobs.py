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
