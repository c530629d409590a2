"""The health report behind /healthz: one check per part the platform needs."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from ..extensions import db, queue
from . import status

_tool_cache: dict[str, tuple[float, dict]] = {}


def _check_database() -> dict:
    db.session.execute(text("SELECT 1"))
    return {"ok": True, "engine": db.engine.dialect.name}


def _check_queue() -> dict:
    return {"ok": True, "pending": queue.pending_count(), "storage": type(queue.storage).__name__}


def _check_tool(name: str) -> dict:
    """ffmpeg/ffprobe runs and prints a version; cached a minute so /healthz stays cheap."""
    binary = current_app.config[name.upper()]
    cached = _tool_cache.get(binary)
    if cached and time.monotonic() - cached[0] < 60:
        return cached[1]
    path = shutil.which(binary)
    if not path:
        result = {"ok": False, "error": f"{binary} not found on PATH"}
    else:
        out = subprocess.run([path, "-version"], capture_output=True, text=True, timeout=10)
        first = (out.stdout.splitlines() or [""])[0]
        result = {"ok": out.returncode == 0, "version": first}
    _tool_cache[binary] = (time.monotonic(), result)
    return result


def _check_search_index() -> dict:
    folder = Path(current_app.config["SEARCH_INDEX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    ok = folder.is_dir() and os.access(folder, os.W_OK)
    return {"ok": ok, "path": str(folder)} if ok else {"ok": False, "error": "not writable", "path": str(folder)}


CHECKS = {
    "database": _check_database,
    "queue": _check_queue,
    "ffmpeg": lambda: _check_tool("ffmpeg"),
    "ffprobe": lambda: _check_tool("ffprobe"),
    "search_index": _check_search_index,
}




def register_check(name: str, check) -> None:
    """A higher feature adds (or replaces) a check: search reports its index's generation, age and size."""
    CHECKS[name] = check


#: Reported, never failing: /healthz checks the web process, and a load balancer must not drop
#: web nodes because a background worker is down (admins see that on /admin/status).
NOTES = {"workers": status.workers_note}


def report() -> tuple[dict, bool]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports failures, it does not raise them
            if name == "database":
                db.session.rollback()
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    healthy = all(r["ok"] for r in results.values())
    notes = {}
    for name, note in NOTES.items():
        try:
            notes[name] = note()
        except Exception as exc:  # noqa: BLE001 - a note never turns the check red
            db.session.rollback()
            notes[name] = {"ok": True, "error": f"{type(exc).__name__}"}
    return {"status": "ok" if healthy else "unhealthy", "checks": results, "notes": notes}, healthy
