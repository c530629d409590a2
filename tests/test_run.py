"""`python run.py` as a supervisor, with real processes: gunicorn and the worker as its children,
a worker killed with SIGKILL mid-transcode restarted by itself, and a stop under repeated signals
that leaves no orphan."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import config as config_module
from elearn.core import status
from elearn.core.models import JobEvent, WorkerHeartbeat
from elearn.video import tasks
from tests.video.test_jobs import _committed_asset, _ffmpeg_pids, _status, _wait


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    """Running (a zombie counts as gone: it runs nothing and its parent has not reaped it yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _start(app, port: int) -> subprocess.Popen:
    # A short lease so a killed worker's job is re-run soon, but not so short that the live worker's
    # renewals miss it while the same process also runs the search writer (a rebuild at its start).
    env = dict(os.environ, ELEARN_CONFIG="test", ELEARN_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               ELEARN_QUEUE_URL=app.config["QUEUE_URL"], ELEARN_MEDIA_DIR=app.config["MEDIA_DIR"],
               ELEARN_SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"], ELEARN_EMBEDDED_WORKER="1",
               ELEARN_PORT=str(port), ELEARN_JOB_LEASE_SECONDS="8", ELEARN_WORKER_HEARTBEAT_SECONDS="1",
               ELEARN_WEB_WORKERS="1", ELEARN_WEB_THREADS="4", PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, str(config_module.BASE_DIR / "run.py")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _worker_state(app, pid: int) -> str | None:
    from elearn.extensions import db

    with app.app_context():
        state = next((w["state"] for w in status.report()["workers"] if w["pid"] == pid), None)
        db.session.remove()
        return state


def _alive_workers(app) -> list[int]:
    from elearn.extensions import db

    with app.app_context():
        pids = [w["pid"] for w in status.report()["workers"] if w["state"] == "alive"]
        db.session.remove()
        return pids


def _healthz(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status
    except OSError:
        return 0


@pytest.mark.db  # run.py's processes need committed rows
def test_run_py_restarts_a_killed_worker_finishes_its_job_and_stops_cleanly(app):
    """kill -9 of the embedded worker mid-transcode: no restart by hand, the job finishes, the status
    report shows the dead worker and the re-run; then a double SIGTERM leaves no process behind."""
    from elearn.extensions import db

    asset_id, asset_key, lesson_id, teacher_id = _committed_asset(app)
    port = _free_port()
    runner = _start(app, port)
    family: set[int] = set()
    try:
        _wait(lambda: _healthz(port) == 200, 60, "gunicorn to answer")
        first = _wait(lambda: _alive_workers(app), 60, "the worker's heartbeat")[0]
        with app.app_context():
            tasks.enqueue(asset_id)
        _wait(lambda: _status(app, asset_id)[0] == "processing" and _ffmpeg_pids(asset_key), 60, "transcoding")
        os.killpg(first, signal.SIGKILL)
        second = _wait(lambda: [p for p in _alive_workers(app) if p != first], 60, "a restarted worker")[0]
        assert _healthz(port) == 200  # the web process stays healthy meanwhile
        _wait(lambda: _status(app, asset_id)[0] == "ready", 150, "the restarted worker to finish the job")
        assert _status(app, asset_id)[2] == 2  # run again, as attempt 2
        # The killed worker counts as gone once it has missed three heartbeats (of this app's interval).
        _wait(lambda: _worker_state(app, first) == "gone", 60, "the report to call the killed worker gone")
        with app.app_context():
            report = status.report()
            states = {w["pid"]: w["state"] for w in report["workers"]}
            assert states[first] == "gone" and states[second] == "alive"
            assert any(e["event"] == "lease_expired" and e["row_id"] == asset_id for e in report["events"])
            db.session.remove()

        family = _descendants(runner.pid) | {runner.pid}
        assert len(family) >= 3  # run.py, gunicorn's arbiter and its worker, the background worker
        runner.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        runner.send_signal(signal.SIGTERM)  # a second signal while stopping, as make forwards it
        runner.wait(30)
        _wait(lambda: not [p for p in family if _alive(p)], 15, "every process to be gone")
    finally:
        for pid in family | _descendants(runner.pid) | {runner.pid}:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        with app.app_context():
            from elearn.accounts.models import User
            from elearn.courses.models import Lesson

            lesson = db.session.get(Lesson, lesson_id)
            if lesson is not None:
                db.session.delete(lesson.chapter.course)
            db.session.delete(db.session.get(User, teacher_id))
            db.session.query(JobEvent).delete()
            db.session.query(WorkerHeartbeat).delete()
            db.session.commit()
