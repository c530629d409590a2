"""The media states the browser walk (tests/browser/pages.py) shows the teacher's and admin's pages with."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app

from tests.factories import make_asset, make_caption, png_bytes

SRT_GB18030 = ("1\n00:00:01,000 --> 00:00:03,000\n大家好，今天学习怎样打视频电话。\n\n"
               "2\n00:00:03,500 --> 00:00:06,000\n先打开微信。\n").encode("gb18030")
SRT_BIG5 = "1\n00:00:01,000 --> 00:00:03,000\n大家好，今天我們學習視頻通話。\n".encode("big5")
SRT_ENGLISH = b"1\n00:00:01,000 --> 00:00:03,000\nHello, today we learn video calls.\n"
FFMPEG_DETAIL = "[h264 @ 0x5581] Invalid NAL unit size (41230 > 1187).\nError while decoding stream #0:0: Invalid data"


def _asset(db, lesson, status, files=False, **fields):
    """With ``files``: a 2048-byte source and a 300-byte playlist on disk."""
    asset = make_asset(db, lesson, status, filename="视频通话.mp4", size=2048, source=b"x" * 2048 if files else None,
                       **fields)
    if files:
        playlist = Path(current_app.config["MEDIA_DIR"]) / "hls" / asset.key / "master.m3u8"
        playlist.parent.mkdir(parents=True, exist_ok=True)
        playlist.write_bytes(b"x" * 300)
        # The teacher's panel previews a ready video: its poster must exist (a real tiny image).
        (playlist.parent / "poster.jpg").write_bytes(png_bytes())
        (playlist.parent / "download.mp4").write_bytes(b"x" * 100)
    return asset


def media_for_pages(db, course):
    """Lesson 2: a video being prepared (42 %, about 2 minutes left). Lesson 3: a replaced video waiting
    to be removed, the current one, a newer upload whose preparation failed (with ffmpeg's detail),
    a GB18030 caption with its first lines, a Big5 one that waits for its encoding, and an English one."""
    from elearn.core.timeutil import utcnow

    second, third = course.lessons[1], course.lessons[2]
    _asset(db, second, "processing", progress=42.0, eta_seconds=95, attempt=1, attempts=1)
    _asset(db, third, "ready", files=True, retired_at=utcnow() - timedelta(hours=1), duration=300.0)
    _asset(db, third, "ready", files=True, duration=320.0)
    _asset(db, third, "failed", error_detail=FFMPEG_DETAIL)
    for name, data, lang in (("视频通话.srt", SRT_GB18030, "zh"), ("繁體.srt", SRT_BIG5, "zh"),
                             ("English.srt", SRT_ENGLISH, "en")):
        make_caption(db, third, data, filename=name, lang=lang)
