"""Fixtures the video tests share: a signed-in teacher with a lesson, an admin, and the job hand-off."""
from __future__ import annotations

import pytest

from elearn.core import jobs
from tests.clients import signed_in
from tests.factories import make_lesson


@pytest.fixture
def teacher(app, db):
    return signed_in(app, db)


@pytest.fixture
def lesson(db, teacher):
    return make_lesson(db, teacher.user)


@pytest.fixture
def admin(app, db):
    return signed_in(app, db, roles=("admin",))


@pytest.fixture
def queued(monkeypatch):
    """The ids of the transcodes handed to the queue (after their commit), instead of waking a worker."""
    calls = []
    monkeypatch.setattr(jobs, "enqueue", lambda kind, row_id: calls.append(row_id))
    return calls
