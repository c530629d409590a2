"""A rebuild asked of the writer, and its progress, as a small JSON file in the index folder.

``flask search reindex`` (any process, any machine sharing the folder) writes the request's file
and queues the rebuild; the writer writes its progress into the same file; the command reads it
until it says done or failed. A command that stopped waiting deletes the file, and the writer then
skips the request instead of rebuilding for nobody.
"""
from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from flask import current_app

from . import writer

WAITING, BUILDING, DONE, FAILED = "waiting", "building", "done", "failed"


def _path(request: str) -> Path:
    return Path(current_app.config["SEARCH_INDEX_DIR"]) / "rebuilds" / f"{request}.json"


def _write(request: str, **values) -> None:
    path = _path(request)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".{secrets.token_hex(3)}.tmp")
    temp.write_text(json.dumps(values), "utf-8")
    os.replace(temp, path)  # the reader never sees half a file


def new_request() -> str:
    request = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(4)}"
    _write(request, state=WAITING, done=0, total=0)
    return request


def status(request: str) -> dict | None:
    try:
        return json.loads(_path(request).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def forget(request: str) -> None:
    _path(request).unlink(missing_ok=True)


def run(request: str) -> dict | None:
    """In the writer: rebuild, writing the progress down at most every half second."""
    if status(request) is None:
        return None  # nobody waits for it any more
    shown = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - shown[0] >= 0.5 or done == total:
            shown[0] = now
            _write(request, state=BUILDING, done=done, total=total)

    try:
        result = writer.rebuild(progress)
    except Exception as exc:
        _write(request, state=FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    writer.apply_pending()  # anything committed between the last look and the swap
    _write(request, state=DONE, done=result["courses"], total=result["courses"], **result)
    return result
