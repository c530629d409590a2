"""Fixtures for courses: a signed-in client per role, and a request to run services in."""
from __future__ import annotations

import pytest

from tests.clients import sign_in
from tests.factories import make_course, make_user


@pytest.fixture
def course_factory(db):
    return lambda **kw: make_course(db, **kw)


@pytest.fixture
def people(app, db):
    """One signed-in client per role, plus the anonymous one: the course teacher, another
    teacher, a student, an admin."""
    clients = {"anonymous": app.test_client()}
    clients["anonymous"].user = None
    for name, roles in (("teacher", ["teacher"]), ("other_teacher", ["teacher"]), ("student", ["student"]),
                        ("admin", ["admin"])):
        clients[name] = sign_in(app.test_client(), make_user(db, roles=roles, password=None))
    return clients


@pytest.fixture
def request_ctx(app, db):
    """Service tests run inside a request, as services do in the app (messages follow its language)."""
    with app.test_request_context():
        yield
