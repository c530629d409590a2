"""Factories for courses: ``make_course`` and small real files (PDF, PNG) for handouts and covers."""
from __future__ import annotations

import itertools
import struct
import zlib

import pytest



def png_bytes(width=4, height=3) -> bytes:
    """A real (tiny) PNG image."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80\x20\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pdf_bytes(title="讲义") -> bytes:
    from elearn.courses.demo import simple_pdf

    return simple_pdf(title, ["第一行", "第二行"])


def make_course(db, *, teachers=(), title="太极拳入门", status="draft", visibility="public", lessons=1,
                category="taichi", chapters=1):
    """A course with ``chapters`` chapters holding ``lessons`` lessons in total (spread over them)."""
    from elearn.courses import services
    from elearn.courses.permissions import SYSTEM

    course = services.create_course(SYSTEM, title=title, category=category, visibility=visibility,
                                    teachers=list(teachers), description_md="**简介**")
    made = [services.add_chapter(course, f"第{i + 1}章") for i in range(chapters)]
    for n in range(lessons):
        services.add_lesson(course, f"第{n + 1}课", "内容", chapter=made[min(n, len(made) - 1)] if made else None)
    if status == "published":
        services.set_status(course, "published")
    db.session.commit()
    return course


@pytest.fixture
def course_factory(db):
    return lambda **kw: make_course(db, **kw)


def quick_user(db, roles):
    """A user without a password (hashing is slow); sign in with ``sign_in``, not the login form."""
    from elearn.accounts.services import create_user

    n = next(_numbers)
    user = create_user(name=f"用户{n}", mobile=f"137{n:08d}", roles=list(roles))
    user.must_change_password = False
    db.session.commit()
    return user


def sign_in(client, user):
    """Put ``user`` in the client's session as Flask-Login does (the login form has its own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    client.user = user
    return client


_numbers = itertools.count(1)


@pytest.fixture
def people(app, db):
    """One signed-in client per role, plus the anonymous one: the course teacher, another
    teacher, a student, an admin."""
    clients = {"anonymous": app.test_client()}
    clients["anonymous"].user = None
    for name, roles in (("teacher", ["teacher"]), ("other_teacher", ["teacher"]), ("student", ["student"]),
                        ("admin", ["admin"])):
        clients[name] = sign_in(app.test_client(), quick_user(db, roles))
    return clients


def bearer(db, user) -> dict:
    from elearn.accounts.services import issue_token

    token = issue_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def request_ctx(app, db):
    """Service tests run inside a request, as services do in the app (messages follow its language)."""
    with app.test_request_context():
        yield
