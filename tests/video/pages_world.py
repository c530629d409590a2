"""The media states the browser walk (tests/browser/pages.py) shows the teacher's and admin's pages with."""
from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import current_app

SRT_GB18030 = ("1\n00:00:01,000 --> 00:00:03,000\n大家好，今天学习怎样打视频电话。\n\n"
               "2\n00:00:03,500 --> 00:00:06,000\n先打开微信。\n").encode("gb18030")
SRT_BIG5 = "1\n00:00:01,000 --> 00:00:03,000\n大家好，今天我們學習視頻通話。\n".encode("big5")
SRT_ENGLISH = b"1\n00:00:01,000 --> 00:00:03,000\nHello, today we learn video calls.\n"
FFMPEG_DETAIL = "[h264 @ 0x5581] Invalid NAL unit size (41230 > 1187).\nError while decoding stream #0:0: Invalid data"


def _asset(db, lesson, status, files=False, **fields):
    from elearn.video.models import MediaAsset

    asset = MediaAsset(lesson_id=lesson.id, status=status, original_filename="视频通话.mp4", size=2048, **fields)
    db.session.add(asset)
    db.session.flush()
    asset.source_path = f"sources/{asset.id}/source.mp4"
    root = Path(current_app.config["MEDIA_DIR"])
    for folder in ("sources", "hls", "posters"):  # ids come round again after earlier tests
        shutil.rmtree(root / folder / str(asset.id), ignore_errors=True)
    if files:
        for relative, size in ((asset.source_path, 2048), (f"hls/{asset.id}/master.m3u8", 300)):
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(b"x" * size)
    return asset


def media_for_pages(db, course):
    """Lesson 2: a video being prepared (42 %, about 2 minutes left). Lesson 3: a replaced video waiting
    to be removed, the current one, a newer upload whose preparation failed (with ffmpeg's detail),
    a GB18030 caption with its first lines, a Big5 one that waits for its encoding, and an English one."""
    from elearn.core.timeutil import utcnow
    from elearn.video import services, transcode

    second, third = course.lessons[1], course.lessons[2]
    _asset(db, second, "processing", progress=42.0, eta_seconds=95, attempt=1, attempts=1)
    _asset(db, third, "ready", files=True, retired_at=utcnow() - timedelta(hours=1), duration=300.0)
    _asset(db, third, "ready", files=True, duration=320.0)
    reason, params = stored_message(transcode.FAILED)
    _asset(db, third, "failed", error=reason, error_params=params, error_code="transcode_failed",
           error_detail=FFMPEG_DETAIL, attempt=3, attempts=3)
    with tempfile.TemporaryDirectory() as folder:
        for name, data, lang in (("视频通话.srt", SRT_GB18030, "zh"), ("繁體.srt", SRT_BIG5, "zh"),
                                 ("English.srt", SRT_ENGLISH, "en")):
            source = Path(folder) / name
            source.write_bytes(data)
            services.add_caption(third, source, name, lang, None, move=False)
    db.session.commit()
