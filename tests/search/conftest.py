"""Search tests: a fresh index folder per test (the app is shared by the session, the index must
not be), and the relevance fixture's courses built in the database through the real services."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import make_caption, make_user

FIXTURE = Path(__file__).with_name("relevance.json")


@pytest.fixture
def index_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "search-index"
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(folder))
    return folder


def srt(cues) -> bytes:
    def stamp(seconds: float) -> str:
        ms = int(round(seconds * 1000))
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    blocks = [f"{n}\n{stamp(start)} --> {stamp(start + 3)}\n{text}\n" for n, (start, text) in enumerate(cues, 1)]
    return "\n".join(blocks).encode()


def build_world(db, data: dict, *, status="published", visibility="public") -> dict:
    """The fixture's courses, lessons and captions; returns {key: Course or Lesson}."""
    from flask import current_app

    from elearn.core.permissions import SYSTEM
    from elearn.courses import services

    made = {}
    teachers = {}
    for c in data["courses"]:
        teacher = teachers.get(c["teacher"]) or make_user(db, roles=("teacher",), name=c["teacher"], fast_hash=True)
        teachers[c["teacher"]] = teacher
        course = services.create_course(SYSTEM, title=c["title"], category=c["category"], visibility=visibility,
                                        teachers=[teacher], description_md=c["description"])
        with current_app.test_request_context():
            for lesson_data in c["lessons"]:
                lesson = services.add_lesson(course, lesson_data["title"], lesson_data["description"])
                made[lesson_data["key"]] = lesson
        if status == "published":
            services.set_status(course, "published")
        db.session.commit()
        made[c["key"]] = course
        for lesson_data in c["lessons"]:
            make_caption(db, made[lesson_data["key"]], srt(lesson_data["cues"]))
    return made


@pytest.fixture
def relevance():
    return json.loads(FIXTURE.read_text("utf-8"))


@pytest.fixture
def world(db, index_dir, relevance):
    from elearn.search import writer

    made = build_world(db, relevance)
    writer.apply_pending()
    return made
