"""Renditions checked with ffprobe over HTTP through the signed URLs, as a set-top box would fetch them."""
from __future__ import annotations

import json
import subprocess

from elearn.video import tasks
from elearn.video.services import lesson_media
from tests.factories import make_asset, make_lesson, make_user
from tests.video.clips import clip


def ffprobe(url: str) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", url],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_renditions_play_over_signed_urls_without_cookies(live_server, live_db):
    """ffprobe (no cookies, no session) reads the master, every rung and the download through signed URLs."""
    app = live_server.app
    lesson = make_lesson(live_db, make_user(live_db, roles=["teacher"]))
    asset = make_asset(live_db, lesson, "queued", size=1, source=clip("landscape"))
    assert tasks.run_transcode(asset.id) == "ready"
    with app.test_request_context():
        video = lesson_media(lesson.id)["video"]
    master = ffprobe(live_server.url + video["hls_url"])
    kinds = sorted({s["codec_type"] for s in master["streams"]})
    assert kinds == ["audio", "video"]
    videos = [s for s in master["streams"] if s["codec_type"] == "video"]
    assert {(s["codec_name"], s["profile"], s["pix_fmt"]) for s in videos} == {("h264", "High", "yuv420p")}
    assert {s["height"] for s in videos} == {360, 540}  # 960x540 source: never above it
    audio = [s for s in master["streams"] if s["codec_type"] == "audio"]
    assert {(s["codec_name"], s["sample_rate"], s["channels"]) for s in audio} == {("aac", "48000", 2)}
    download = ffprobe(live_server.url + video["mp4_url"])
    assert float(download["format"]["duration"]) > 12
    tampered = video["hls_url"].replace("/hls/", "/hls/9", 1)
    refused = subprocess.run(["ffprobe", "-v", "error", live_server.url + tampered], capture_output=True, timeout=60)
    assert refused.returncode != 0
