"""Transcoding on the queue: leases, attempts, retries, the reaper, and a real worker killed mid-job."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import m3u8
import pytest
from sqlalchemy import update

from elearn.core import jobs
from elearn.core.timeutil import utcnow
from elearn.video import tasks
from elearn.video.models import MediaAsset
from elearn.core.storage import root as media_root
from tests.factories import make_asset, make_lesson, make_user
from tests.video.clips import clip


@pytest.fixture
def lesson(db):
    return make_lesson(db, make_user(db, roles=["teacher"]))


def test_a_queued_asset_becomes_ready_with_signed_renditions(app, db, lesson):
    """The worker's job turns a queued asset into HLS; the lesson API then hands out signed URLs."""
    asset = make_asset(db, lesson, "queued", size=1, source=clip("tiny"))
    assert tasks.run_transcode(asset.id) == "ready"
    db.session.expire_all()
    assert asset.status == "ready" and asset.progress == 100.0 and asset.attempt == 1
    assert asset.renditions["master"] == "master.m3u8"
    from elearn.video.services import lesson_media

    with app.test_request_context():
        video = lesson_media(lesson.id)["video"]
    assert video["id"] == asset.id and video["hls_url"].startswith("/media/")
    client = app.test_client()
    master = client.get(video["hls_url"])
    assert master.status_code == 200
    playlist = m3u8.loads(master.get_data(as_text=True))
    assert playlist.is_variant and playlist.playlists[0].stream_info.resolution
    base = video["hls_url"].rsplit("/", 1)[0]
    rung = client.get(f"{base}/{playlist.playlists[0].uri}")
    segment = m3u8.loads(rung.get_data(as_text=True)).segments[0].uri
    assert client.get(f"{base}/{playlist.playlists[0].uri.rsplit('/', 1)[0]}/{segment}").status_code == 200
    assert client.get(video["mp4_url"]).status_code == 200


def test_a_stale_worker_cannot_overwrite_a_newer_attempt(app, db, lesson):
    asset = make_asset(db, lesson, "queued", size=1, source=clip("tiny"))
    first = jobs.claim(MediaAsset, asset.id, "worker-a")
    assert first == 1
    assert jobs.claim(MediaAsset, asset.id, "worker-b") is None  # the lease is held
    db.session.execute(update(MediaAsset).where(MediaAsset.id == asset.id)
                       .values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    second = jobs.claim(MediaAsset, asset.id, "worker-b")
    assert second == 2
    assert jobs.guarded_update(MediaAsset, asset.id, first, progress=55.0) is False
    assert jobs.guarded_update(MediaAsset, asset.id, second, progress=20.0) is True
    db.session.expire_all()
    assert asset.progress == 20.0 and asset.lease_owner == "worker-b"


def test_broken_recordings_are_retried_three_times_then_failed_plainly(app, db, lesson):
    """A source that fails half-way is tried up to JOB_MAX_ATTEMPTS times, then failed with a reason."""
    asset = make_asset(db, lesson, "queued", size=1, source=clip("corrupt"))
    outcomes = [tasks.run_transcode(asset.id) for _ in range(3)]
    assert outcomes == ["retrying", "retrying", "failed"]
    db.session.expire_all()
    assert asset.status == "failed" and asset.attempts == 3
    assert asset.error and asset.error_detail  # plain reason for the teacher, ffmpeg detail for admins
    assert not list((media_root() / "hls").glob(f".{asset.key}.*")) and not (media_root() / "hls" / asset.key).exists()


def test_retry_gives_a_failed_asset_fresh_attempts(app, db, lesson):
    from elearn.video.services import retry_asset

    asset = make_asset(db, lesson, "queued", size=1, source=clip("tiny"))
    asset.status, asset.attempts, asset.error_code = "failed", 3, "transcode_failed"
    db.session.commit()
    retry_asset(asset)
    db.session.commit()
    assert asset.status == "queued" and asset.attempts == 0
    assert tasks.run_transcode(asset.id) == "ready"


def test_a_file_that_is_no_recording_is_not_retried(app, db, lesson):
    from elearn.core.errors import ServiceError
    from elearn.video.services import retry_asset

    asset = make_asset(db, lesson, "queued", size=1, source=clip("tiny"))
    asset.status, asset.error_code = "failed", "not_media"
    db.session.commit()
    with pytest.raises(ServiceError):
        retry_asset(asset)


def test_reaper_requeues_expired_leases_and_gives_up_after_the_cap(app, db, lesson):
    alive, dead, exhausted = (make_asset(db, lesson, "queued", size=1, source=clip("tiny")) for _ in range(3))
    past, future = utcnow() - timedelta(seconds=5), utcnow() + timedelta(minutes=5)
    for asset, expires, attempts in ((alive, future, 1), (dead, past, 1), (exhausted, past, 3)):
        db.session.execute(update(MediaAsset).where(MediaAsset.id == asset.id).values(
            status="processing", attempt=attempts, attempts=attempts, lease_owner="gone", lease_expires_at=expires))
    db.session.commit()
    ids = jobs.reap(MediaAsset, 3, tasks._give_up)
    assert ids == [dead.id]
    db.session.expire_all()
    assert (alive.status, dead.status, exhausted.status) == ("processing", "queued", "failed")
    assert exhausted.error
    assert jobs.reap(MediaAsset, 3, tasks._give_up) == []  # idempotent


# ---------------------------------------------------------------- a real worker, killed

def _committed_asset(app, lesson_id=None):
    """Rows the worker process can see: committed for real, removed again by the caller."""
    from elearn.extensions import db

    with app.app_context():
        teacher = make_user(db, roles=["teacher"])
        lesson = make_lesson(db, teacher)
        asset = make_asset(db, lesson, "queued", size=1, source=clip("landscape"))
        return asset.id, asset.key, lesson.id, teacher.id


def _worker(app, lease_seconds: int) -> subprocess.Popen:
    env = dict(os.environ, ELEARN_CONFIG="test", ELEARN_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               ELEARN_QUEUE_URL=app.config["QUEUE_URL"], ELEARN_MEDIA_DIR=app.config["MEDIA_DIR"],
               ELEARN_SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"],
               ELEARN_JOB_LEASE_SECONDS=str(lease_seconds))
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "elearn", "worker", "--workers", "1"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def _status(app, asset_id):
    from elearn.extensions import db

    with app.app_context():
        row = db.session.get(MediaAsset, asset_id)
        result = (row.status, row.progress, row.attempt)
        db.session.remove()
        return result


def _ffmpeg_pids(key: str) -> list[int]:
    # The full path names this test session's media folder, not another run's on the same machine.
    out = subprocess.run(["pgrep", "-f", str(media_root_path() / "sources" / key / "source.mp4")],
                         capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def media_root_path() -> Path:
    from elearn.extensions import queue

    return Path(queue.flask_app.config["MEDIA_DIR"]).resolve()


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.db  # the worker process needs committed rows
def test_a_killed_worker_s_job_finishes_after_a_restart(app):
    """kill -9 a real worker mid-transcode: ffmpeg dies with it, and a restarted worker finishes the job."""
    from elearn.extensions import db

    asset_id, key, lesson_id, teacher_id = _committed_asset(app)
    workers = []
    try:
        with app.app_context():
            tasks.enqueue(asset_id)
        workers.append(_worker(app, lease_seconds=3))
        _wait(lambda: _status(app, asset_id)[0] == "processing" and _ffmpeg_pids(key), 60, "transcoding to start")
        os.killpg(workers[0].pid, signal.SIGKILL)
        workers[0].wait(10)
        _wait(lambda: not _ffmpeg_pids(key), 10, "ffmpeg to die with its worker")
        assert _status(app, asset_id)[0] == "processing"  # nobody has noticed yet: the lease still runs
        time.sleep(3.5)  # let the lease run out
        workers.append(_worker(app, lease_seconds=3))
        _wait(lambda: _status(app, asset_id)[0] == "ready", 120, "the restarted worker to finish")
        status, progress, attempt = _status(app, asset_id)
        assert attempt == 2 and progress == 100.0
        hls = Path(app.config["MEDIA_DIR"]) / "hls"
        assert (hls / key / "master.m3u8").exists()
        assert not list(hls.glob(f".{key}.*"))  # the killed attempt's half-written folder is gone
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)
        with app.app_context():
            from elearn.accounts.models import User
            from elearn.courses.models import Lesson

            lesson = db.session.get(Lesson, lesson_id)
            if lesson is not None:
                db.session.delete(lesson.chapter.course)
            db.session.delete(db.session.get(User, teacher_id))
            db.session.commit()


@pytest.mark.db  # the worker process needs committed rows
def test_a_stopping_worker_hands_its_job_back(app):
    """SIGTERM (what run.py sends on Ctrl-C): the job goes back to the queue uncounted, never half-done."""
    from elearn.extensions import db

    asset_id, key, lesson_id, teacher_id = _committed_asset(app)
    worker = None
    try:
        with app.app_context():
            tasks.enqueue(asset_id)
        worker = _worker(app, lease_seconds=30)
        _wait(lambda: _status(app, asset_id)[0] == "processing" and _ffmpeg_pids(key), 60, "transcoding")
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)  # as run.py does
        worker.wait(10)
        assert time.monotonic() - started < 5
        assert b"handed back 1 unfinished job" in worker.stdout.read()
        status, progress, attempt = _status(app, asset_id)
        assert status == "queued"
        with app.app_context():
            row = db.session.get(MediaAsset, asset_id)
            assert row.attempts == 0 and row.lease_owner is None
        _wait(lambda: not _ffmpeg_pids(key), 10, "ffmpeg to stop")
        assert not (Path(app.config["MEDIA_DIR"]) / "hls" / key).exists()
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        with app.app_context():
            from elearn.accounts.models import User
            from elearn.courses.models import Lesson

            lesson = db.session.get(Lesson, lesson_id)
            if lesson is not None:
                db.session.delete(lesson.chapter.course)
            db.session.delete(db.session.get(User, teacher_id))
            db.session.commit()
