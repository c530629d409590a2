"""Builders of test data, one way each: users, courses, chapters, lessons, media assets, captions,
handouts, and the small real files they are made of.

Each builder takes the database (the ``db`` or ``live_db`` fixture) first and keyword arguments with
plain defaults, goes through the app's own service where one exists (``create_user``,
``create_course``, ``add_caption``, ``store_handout``...), and commits, so a view or another thread
sees the result.
"""
from __future__ import annotations

import itertools
import struct
import tempfile
import zlib
from datetime import timedelta
from pathlib import Path

from flask import current_app

from elearn.core import storage

DEFAULT_PASSWORD = "correct-horse-7"
#: A two-line SubRip caption file in UTF-8.
SRT = "1\n00:00:00,000 --> 00:00:02,000\n大家好\n\n2\n00:00:02,000 --> 00:00:04,000\n今天学习书法\n".encode()
#: What the transcoder records for a ready video (the files themselves are only needed to play it).
RENDITIONS = {"master": "master.m3u8", "audio": {"name": "audio"}, "download": "download.mp4", "poster": "poster.jpg"}
#: Length in seconds of the videos of ``make_ready_course``.
DURATION = 60.0

_numbers = itertools.count(1)


# ---------------------------------------------------------------- files

def png_bytes(width=4, height=3) -> bytes:
    """A real (tiny) PNG image."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80\x20\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pdf_bytes(title="讲义") -> bytes:
    """A real (one-page) PDF."""
    from elearn.courses.demo import simple_pdf

    return simple_pdf(title, ["第一行", "第二行"])


# ---------------------------------------------------------------- people

def make_user(db, *, roles=("student",), password=DEFAULT_PASSWORD, fast_hash=False, name=None, mobile=None,
              username=None, birth_year=1950, disabled=False, must_change_password=False, **fields):
    """A user made by ``create_user``, with a fresh mobile number unless given one.

    ``password=None`` makes no password: sign such a user in with ``tests.clients.sign_in``.
    ``fast_hash`` stores the password with a cheap hash, for tests that use the real sign-in form
    many times (the default hash costs a good part of a second). Other keywords set attributes
    (``contrast``, ``text_size``, ``locale``...).
    """
    from werkzeug.security import generate_password_hash

    from elearn.accounts.services import create_user

    n = next(_numbers)
    if mobile is None and username is None:
        mobile = f"139{n:08d}"
    user = create_user(name=name or f"用户{n}", mobile=mobile, username=username,
                       password=None if fast_hash else password, birth_year=birth_year, roles=list(roles))
    if fast_hash and password:
        user.password_hash = generate_password_hash(password, method="pbkdf2:sha256:1000")
    user.must_change_password = must_change_password
    user.is_disabled = disabled
    for key, value in fields.items():
        setattr(user, key, value)
    db.session.commit()
    return user


# ---------------------------------------------------------------- courses

def make_course(db, *, teachers=(), title="太极拳入门", status="draft", visibility="public", lessons=1,
                category="taichi", chapters=1, description_md="**简介**"):
    """A course with ``chapters`` chapters (第1章, 第2章...) holding ``lessons`` lessons 第1课, 第2课...
    (one per chapter, the rest in the last one)."""
    from elearn.core.permissions import SYSTEM
    from elearn.courses import services

    course = services.create_course(SYSTEM, title=title, category=category, visibility=visibility,
                                    teachers=list(teachers), description_md=description_md)
    made = [services.add_chapter(course, f"第{i + 1}章") for i in range(chapters)]
    for n in range(lessons):
        services.add_lesson(course, f"第{n + 1}课", "内容", chapter=made[min(n, len(made) - 1)] if made else None)
    if status == "published":
        services.set_status(course, "published")
    db.session.commit()
    return course


def make_chapter(db, course, title=None):
    """A chapter at the end of ``course``."""
    from elearn.courses import services

    chapter = services.add_chapter(course, title or f"第{len(course.chapters) + 1}章")
    db.session.commit()
    return chapter


def make_lesson(db, teacher=None, *, title="第一课：握笔", course=None, chapter=None):
    """A lesson at the end of ``chapter`` or ``course``; without them, the only lesson of a new draft
    course 「书法入门」 (signed-in visibility) taught by ``teacher``."""
    from elearn.courses import services

    if course is None:
        course = make_course(db, teachers=[teacher] if teacher else [], title="书法入门", category="calligraphy",
                             visibility="signed_in", lessons=0, description_md="")
    with current_app.test_request_context():  # a first chapter is named in the request's language
        lesson = services.add_lesson(course, title, chapter=chapter)
    db.session.commit()
    return lesson


def make_handout(db, lesson, *, filename="讲义.pdf", data=None):
    """A handout of ``lesson`` stored by ``store_handout`` (a real PDF unless ``data`` is given)."""
    from elearn.courses import handouts

    with current_app.test_request_context():  # its refusals speak the request's language
        handout = handouts.store_handout(lesson, filename, pdf_bytes() if data is None else data)
    db.session.commit()
    return handout


# ---------------------------------------------------------------- media

def media_root() -> Path:
    return Path(current_app.config["MEDIA_DIR"])


def _status_defaults(status: str, fields: dict) -> dict:
    """What the upload and the worker leave on an asset in ``status`` (fields given win)."""
    from elearn.core.timeutil import utcnow

    if status == "queued":
        return {"queued_at": utcnow()}
    if status == "ready":
        return {"progress": 100.0, "ready_at": utcnow(), "duration": DURATION, "renditions": RENDITIONS}
    if status == "failed" and "error" not in fields:
        from elearn.core.errors import stored_message
        from elearn.video import transcode

        error, params = stored_message(transcode.FAILED)
        return {"error": error, "error_params": params, "error_code": "transcode_failed", "attempt": 3,
                "attempts": 3}
    return {}


def make_asset(db, lesson, status="ready", *, filename="课.mp4", size=10, source: bytes | Path | None = None,
               **fields):
    """A media asset of ``lesson`` in ``status`` (probing, queued, processing, ready, failed).

    Its row is written as the upload and the worker would leave it: no service makes a transcoded
    asset without running ffmpeg (``tests.learning.media`` has a really transcoded one). ``source``
    (bytes, or a file such as ``tests.video.clips.clip("tiny")``) is written where the upload puts it.
    """
    from elearn.video.models import MediaAsset

    values = {**_status_defaults(status, fields), **fields}
    asset = MediaAsset(lesson_id=lesson.id, status=status, original_filename=filename, size=size, **values)
    db.session.add(asset)
    db.session.flush()
    asset.source_path = storage.source_file(asset.key, "mp4")
    if source is not None:
        target = media_root() / asset.source_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source if isinstance(source, bytes) else Path(source).read_bytes())
    db.session.commit()
    return asset


def make_caption(db, lesson, data: bytes = SRT, *, filename="第一课.srt", lang="zh", user=None):
    """A caption of ``lesson`` stored and converted by ``add_caption`` (ready, or failed with the reason)."""
    from elearn.video import services

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "caption"
        source.write_bytes(data)
        caption = services.add_caption(lesson, source, filename, lang, getattr(user, "id", None), move=False)
    db.session.commit()
    return caption


def make_ready_course(db, *, lessons=3, visibility="signed_in", teachers=(), duration=DURATION, title="太极拳入门"):
    """A published course whose every lesson has a ready video ``duration`` seconds long."""
    course = make_course(db, teachers=list(teachers), status="published", visibility=visibility, lessons=lessons,
                         title=title)
    for lesson in course.lessons:
        make_asset(db, lesson, "ready", duration=duration, size=1)
    return course


# ---------------------------------------------------------------- learning

def make_viewing(db, user, lesson, started_at=None) -> str:
    """A viewing of ``lesson`` by ``user`` started at ``started_at`` (now): its public id, for reports."""
    from elearn.learning.services import start_viewing

    viewing = start_viewing(user, lesson, now=started_at)
    db.session.commit()
    return viewing.public_id


def started_long_ago(db, user, lesson, hours=1) -> str:
    """As if the user had started a viewing ``hours`` ago and watched nothing since (the clocks then
    allow a lot): the viewing's public id, for the reports."""
    from sqlalchemy import select

    from elearn.core.timeutil import utcnow
    from elearn.learning.models import LessonProgress

    progress = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id,
                                                              LessonProgress.lesson_id == lesson.id))
    if progress is None:
        progress = LessonProgress(user_id=user.id, lesson_id=lesson.id, covered=[])
        db.session.add(progress)
    progress.clock_at = utcnow() - timedelta(hours=hours)
    db.session.commit()
    return make_viewing(db, user, lesson, started_at=utcnow() - timedelta(hours=hours))
