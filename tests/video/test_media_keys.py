"""Signed media URLs name a random key per asset and per caption, never a row id that comes round
again: a URL saved for deleted media cannot open media made later, nor a sibling's files."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

from elearn.courses import services as courses
from elearn.video.services import lesson_media
from tests.factories import make_asset, make_caption, make_course, make_ready_course

PLAYLIST = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720/index.m3u8\n"


def _put_where_url_points(url: str, data: bytes) -> None:
    """Write the file a signed URL names, wherever the layout keeps it (``/media/<exp>/<sig>/<kind>/<folder>/<file>``)."""
    _, _, _, _, kind, folder, filename = unquote(urlsplit(url).path).split("/", 6)
    target = Path(current_app.config["MEDIA_DIR"]) / kind / folder / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def test_saved_url_of_a_deleted_public_asset_does_not_open_a_new_private_asset(app, db):
    """Delete a public lesson, let a private lesson's asset take the same id: the old URL opens nothing."""
    public = make_ready_course(db, lessons=2, visibility="public")
    lesson = public.lessons[0]
    old_url = lesson_media(lesson.id)["video"]["hls_url"]
    old_id = lesson_media(lesson.id)["video"]["id"]
    _put_where_url_points(old_url, PLAYLIST.encode())
    client = app.test_client()
    assert client.get(old_url).status_code == 200  # the learner's saved link works while the lesson exists

    courses.delete_lesson(lesson)
    db.session.commit()
    private = make_course(db, status="published", visibility="signed_in", title="内部课程")
    # SQLite hands out the deleted row's id again; giving it explicitly makes PostgreSQL do the same.
    new = make_asset(db, private.lessons[0], "ready", id=old_id, renditions={"master": "master.m3u8"})
    new_url = lesson_media(private.lessons[0].id)["video"]["hls_url"]
    _put_where_url_points(new_url, b"#EXTM3U\n# private\n")

    response = client.get(old_url)
    assert response.status_code in (403, 404)
    assert b"private" not in response.data
    assert new.id == old_id and client.get(new_url).data == b"#EXTM3U\n# private\n"


def test_caption_url_opens_only_its_own_caption(app, db):
    """A signed caption URL with another caption's file name (same lesson, or a lesson that took its id) is refused."""
    course = make_ready_course(db, lessons=1, visibility="public")
    lesson = course.lessons[0]
    make_caption(db, lesson, lang="zh")
    make_caption(db, lesson, lang="en", filename="lesson.srt")
    urls = {c["lang"]: c["url"] for c in lesson_media(lesson.id)["captions"]}
    client = app.test_client()
    assert client.get(urls["zh"]).status_code == 200 and client.get(urls["en"]).status_code == 200
    borrowed = urls["zh"].rsplit("/", 1)[0] + "/" + urls["en"].rsplit("/", 1)[1]
    assert client.get(borrowed).status_code in (403, 404)
