"""A real lesson video for player tests: an 8 s clip made with ffmpeg and run through the real
transcoder (``elearn.video.transcode.transcode``), cached under tests/.clips/ so it is made once,
then copied into MEDIA_DIR/hls/<asset key>/ and marked ready, as the transcoding worker would.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.factories import make_asset, make_caption, media_root
from tests.video.clips import CLIP_DIR, FFMPEG, H264_AAC, testsrc, tone

SECONDS = 8
#: Two rungs (360 and 540), so the quality menu has something to offer.
SIZE = "960x540"
CUES = [(0.0, 3.5, "大家好，今天学太极拳"), (3.5, 8.0, "第二句字幕")]
_VERSION = "v1"


def transcoded_lesson() -> tuple[Path, dict]:
    """The folder of a transcoded clip and its summary (what the worker stores in ``renditions``)."""
    from elearn.video.probe import probe
    from elearn.video.transcode import transcode

    folder = CLIP_DIR / f"learning-lesson-{_VERSION}"
    summary_file = folder / "summary.json"
    CLIP_DIR.mkdir(parents=True, exist_ok=True)
    with open(CLIP_DIR / ".learning.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not summary_file.exists():
            source = CLIP_DIR / f"learning-source-{_VERSION}.mp4"
            subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
                            *testsrc(SIZE, 25, SECONDS), *tone(SECONDS, 440, -20), *H264_AAC, str(source)], check=True)
            shutil.rmtree(folder, ignore_errors=True)
            result = transcode(source, folder / "out", probe(source))
            summary = result.to_dict()
            summary.pop("out_dir", None)
            tmp = summary_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(summary))
            os.replace(tmp, summary_file)
    return folder / "out", json.loads(summary_file.read_text())


def webvtt() -> str:
    def stamp(seconds):
        return f"00:00:{int(seconds):02d}.{int(seconds * 1000) % 1000:03d}"

    return "WEBVTT\n\n" + "\n\n".join(f"{stamp(a)} --> {stamp(b)}\n{text}" for a, b, text in CUES) + "\n"


def attach_ready_video(db, lesson, *, captions=True):
    """Give ``lesson`` the transcoded clip as its ready video (and Chinese captions); returns the asset."""
    out, summary = transcoded_lesson()
    asset = make_asset(db, lesson, "ready", filename="太极.mp4", size=1, duration=summary["duration"],
                       renditions=summary)
    shutil.copytree(out, media_root() / "hls" / asset.key)
    if captions:
        make_caption(db, lesson, webvtt().encode(), filename="字幕.vtt", lang="zh")
    return asset
