"""Running ffmpeg for the transcoder: progress from ``-progress``, a watchdog for a process that stops
making progress, the last lines of stderr kept for the admins, and the plain reason when it fails.

Flask-free, like transcode.py, which is its only user.
"""
from __future__ import annotations

import subprocess
import threading
import time
from collections import deque

from flask_babel import lazy_gettext as _l

from .probe import TOOLS_MISSING, MediaError, die_with_parent

STALL_SECONDS = 300
_DAMAGE_HINTS = ("invalid data found", "error while decoding", "partial file", "corrupt", "moov atom not found",
                 "invalid nal", "no frame", "truncat", "concealing", "missing picture", "non-existing pps")

DAMAGED_STREAM = _l("Part of this recording is damaged, so it could not be prepared for playing. "
                    "Please upload the original file again.")
FAILED = _l("This recording could not be prepared for playing. The administrator can see the details; "
            "please try again later.")
STALLED = _l("Preparing this recording stopped making progress and was stopped. Please try again later.")


class TranscodeError(MediaError):
    """A transcode that failed: ``message`` is for the teacher, ``detail`` (ffmpeg's stderr tail) for admins."""


def run(cmd: list[str], on_media_time=None, stall_seconds: float = STALL_SECONDS) -> list[str]:
    """Run ffmpeg, feeding ``-progress`` times (seconds) to ``on_media_time``; return the stderr tail."""
    try:
        # Its own process group: a Ctrl-C meant for the worker must not kill ffmpeg first (that would
        # count as a failed attempt); it dies with the worker instead, through the parent-death signal.
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=die_with_parent, start_new_session=True)
    except OSError as err:
        raise TranscodeError("tools_missing", TOOLS_MISSING, str(err)) from None
    tail: deque[str] = deque(maxlen=80)
    state = {"last": time.monotonic(), "stalled": False}
    reader = threading.Thread(target=_drain, args=(proc.stderr, tail), daemon=True)
    reader.start()
    threading.Thread(target=_watchdog, args=(proc, state, stall_seconds), daemon=True).start()
    try:
        for raw in proc.stdout:
            state["last"] = time.monotonic()
            key, _, value = raw.decode("ascii", errors="replace").strip().partition("=")
            if key == "out_time_us" and on_media_time and value.lstrip("-").isdigit():
                on_media_time(int(value) / 1e6)
        proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    reader.join(timeout=5)  # the last stderr lines hold loudnorm's report and the error
    if state["stalled"]:
        raise TranscodeError("stalled", STALLED, "\n".join(tail))
    if proc.returncode != 0:
        raise _failure(list(tail))
    return list(tail)


def _drain(stream, tail: deque) -> None:
    for raw in stream:
        tail.append(raw.decode("utf-8", errors="replace").rstrip())


def _watchdog(proc, state: dict, stall_seconds: float) -> None:
    while proc.poll() is None:
        time.sleep(1)
        if time.monotonic() - state["last"] > stall_seconds and proc.poll() is None:
            state["stalled"] = True
            proc.kill()


def _failure(tail: list[str]) -> TranscodeError:
    detail = "\n".join(tail)
    if any(hint in detail.lower() for hint in _DAMAGE_HINTS):
        return TranscodeError("damaged", DAMAGED_STREAM, detail)
    return TranscodeError("failed", FAILED, detail)
