"""Uploads that pose as recordings but name other files: HLS playlists, concat lists, DASH manifests,
SDP and metadata files. Each must be refused as "not a recording", never followed, whichever way it
arrives (the tus upload, a course package, or an asset queued before the probe refused such files)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from elearn.core.errors import ServiceError, stored_message
from elearn.core.storage import root as media_root
from elearn.video import tasks
from elearn.video.models import MediaAsset
from elearn.video.probe import NOT_MEDIA, probe
from elearn.video.services import asset_review, import_video_file
from elearn.video.transcode import TranscodeError, transcode
from tests.clients import signed_in
from tests.factories import make_asset, make_lesson, make_user
from tests.video.clips import clip
from tests.video.test_tus import send_file

HLS = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:2.0,\n{target}\n#EXT-X-ENDLIST\n"
DASH = """<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT1S"
     profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
<Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="100000">
<BaseURL>{target}</BaseURL></Representation></AdaptationSet></Period></MPD>
"""
SDP = "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=lesson\nc=IN IP4 127.0.0.1\nt=0 0\nm=video 5004 RTP/AVP 96\n" \
      "a=rtpmap:96 H264/90000\n"

# name -> (file text, the demuxer ffprobe recognises it as); {relative} is the other teacher's source
# seen from the uploader's source folder, {outside} a recording outside media/.
HOSTILE = {
    "hls_relative": (HLS.format(target="{relative}"), "hls"),
    "hls_file_url_outside_media": (HLS.format(target="file:{outside}"), "hls"),
    "hls_absolute_outside_media": (HLS.format(target="{outside}"), "hls"),
    "ffconcat": ("ffconcat version 1.0\nfile '{relative}'\n", "concat"),
    "dash": (DASH.format(target="{relative}"), "dash"),
    "sdp": (SDP, "sdp"),
    "ffmetadata": (";FFMETADATA1\ntitle=lesson\n", "ffmetadata"),
}


@pytest.fixture
def victim(db):
    """Another teacher's unpublished lesson with a real recording on disk (MPEG-TS from a camcorder,
    which an HLS playlist plays as its segment)."""
    lesson = make_lesson(db, make_user(db, roles=["teacher"]), title="别人的课")
    return make_asset(db, lesson, "ready", size=1, source=clip("mts"))


@pytest.fixture
def outside(tmp_path) -> Path:
    target = tmp_path / "outside.ts"
    shutil.copyfile(clip("mts"), target)
    return target


def hostile(name: str, victim: MediaAsset, outside: Path) -> bytes:
    text, _ = HOSTILE[name]
    return text.format(relative=f"../{victim.id}/source.mp4", outside=outside).encode()


def assert_refused(asset: MediaAsset, format_name: str) -> None:
    """Failed for good with the plain "not a recording" words; the format named only in the admins' detail."""
    assert asset.status == "failed", (asset.status, asset.error_detail)
    assert asset.error_code == "not_media" and asset.error == stored_message(NOT_MEDIA)[0]
    assert format_name in asset.error_detail
    assert not (media_root() / "hls" / str(asset.id)).exists()
    review = asset_review(asset, show_detail=False)
    assert review == {"retryable": False, "error_detail": None}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_file_naming_other_files_uploaded_as_a_video_is_refused(app, db, victim, outside, name):
    """Through the real tus upload, as lecture.mp4: refused at the probe, nothing queued or followed."""
    teacher = signed_in(app, db)
    lesson = make_lesson(db, teacher.user)
    send_file(teacher, lesson.id, hostile(name, victim, outside), kind="video", filename="lecture.mp4")
    db.session.expire_all()
    asset = db.session.scalars(select(MediaAsset).where(MediaAsset.lesson_id == lesson.id)).one()
    assert_refused(asset, HOSTILE[name][1])


def test_a_playlist_in_a_course_package_is_refused(app, db, victim, outside, tmp_path):
    """A course package's lesson file goes through the same probe."""
    lesson = make_lesson(db, make_user(db, roles=["teacher"]))
    packaged = tmp_path / "lecture.mp4"
    packaged.write_bytes(hostile("hls_absolute_outside_media", victim, outside))
    asset = import_video_file(lesson, packaged)
    db.session.commit()
    assert_refused(asset, "hls")


@pytest.mark.parametrize("name", ["hls_relative", "hls_file_url_outside_media", "dash"])
def test_a_queued_playlist_never_becomes_ready(app, db, victim, outside, name):
    """An asset queued before the probe refused playlists fails at once when the worker takes it."""
    lesson = make_lesson(db, make_user(db, roles=["teacher"]))
    asset = make_asset(db, lesson, "queued", size=1, source=hostile(name, victim, outside))
    assert tasks.run_transcode(asset.id) == "failed"
    db.session.expire_all()
    assert asset.attempts == 1
    assert_refused(asset, HOSTILE[name][1])


def test_ffmpeg_itself_refuses_a_playlist_as_source(tmp_path, outside):
    """Defence in depth: even given the probe of a real recording (a file swapped after probing),
    the transcoder's own inputs refuse a playlist, and leave nothing behind."""
    source = tmp_path / "source.mp4"
    source.write_text(HLS.format(target=outside))
    out = tmp_path / "hls" / "7"
    with pytest.raises(TranscodeError) as caught:
        transcode(source, out, probe(outside))
    assert "whitelist" in caught.value.detail
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_the_probe_names_the_refused_format_for_admins(tmp_path, outside):
    """The teacher reads plain words; the detail says which format ffprobe saw."""
    source = tmp_path / "source.mp4"
    source.write_text(HLS.format(target=outside))
    with pytest.raises(ServiceError) as caught:
        probe(source)
    assert (caught.value.code, str(caught.value.message)) == ("not_media", str(NOT_MEDIA))
    assert "hls" not in str(caught.value.message) and "'hls'" in caught.value.detail
