"""The admins' status report: workers alive or gone, expired leases and job events on the page and
in the API; /healthz stays green when no worker runs; a read-only media folder is retried later
and blamed on the disk, not the video."""
from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import update

from elearn.core import jobs
from elearn.core.models import WorkerHeartbeat
from elearn.core.storage import root as media_root
from elearn.core.timeutil import utcnow
from elearn.video import tasks
from elearn.video.models import MediaAsset
from tests.clients import bearer, sign_in
from tests.factories import make_asset, make_lesson, make_user
from tests.video.clips import clip


@pytest.fixture
def gone_worker_and_expired_job(db):
    """A worker last seen a minute ago, holding a job whose lease ran out: what kill -9 leaves."""
    db.session.add(WorkerHeartbeat(name="box:4242:x", host="box", pid=4242, seen_at=utcnow() - timedelta(minutes=1)))
    asset = make_asset(db, make_lesson(db, make_user(db, roles=["teacher"])), "queued", size=1, source=clip("tiny"))
    db.session.execute(update(MediaAsset).where(MediaAsset.id == asset.id).values(
        status="processing", attempt=1, attempts=1, lease_owner="box:4242:1", lease_expires_at=utcnow() - timedelta(seconds=5)))
    db.session.commit()
    return asset


def test_the_api_shows_a_gone_worker_and_an_expired_lease_then_the_re_run(app, db, gone_worker_and_expired_job):
    """Before the reaper: the worker is 'gone' and the job listed as expired; after it: a lease_expired event."""
    asset = gone_worker_and_expired_job
    headers = bearer(db, make_user(db, roles=["admin"]))
    client = app.test_client()
    body = client.get("/api/v1/admin/status", headers=headers).get_json()
    assert [w["state"] for w in body["workers"] if w["pid"] == 4242] == ["gone"]
    assert body["workers_alive"] == 0
    transcode = next(k for k in body["jobs"] if k["kind"] == "transcode")
    assert [j["id"] for j in transcode["expired"]] == [asset.id]
    with app.test_request_context():
        jobs.reap_all()
    body = client.get("/api/v1/admin/status", headers=headers).get_json()
    assert any(e["event"] == "lease_expired" and e["row_id"] == asset.id and e["worker"] == "box:4242:1"
               for e in body["events"])


def test_only_operations_staff_see_the_status(app, db):
    """A student is refused on the page and in the API."""
    student = make_user(db)
    assert app.test_client().get("/api/v1/admin/status", headers=bearer(db, student)).status_code == 403
    assert sign_in(app.test_client(), student).get("/admin/status").status_code == 403


def test_the_status_page_says_no_worker_runs(app, db, gone_worker_and_expired_job):
    """The admins' page says in plain words that no worker runs and that the last one stopped."""
    client = sign_in(app.test_client(), make_user(db, roles=["admin"], locale="en"))
    page = client.get("/admin/status")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "No background worker is running now." in text and "it has stopped" in text
    # Kinds and states in words, not the registry's names ("transcode", "processing").
    assert "Preparing videos for playing" in text and "Being worked on" in text and ">processing<" not in text


def test_healthz_stays_ok_with_a_note_when_workers_are_gone(app, db, gone_worker_and_expired_job):
    """A load balancer must not drop the web node because the worker is down."""
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json()["notes"]["workers"] == {"ok": True, "alive": 0, "gone": 1}


@pytest.fixture
def immutable_hls(app):
    """The media folder for renditions cannot be written (as root only chattr stops writes)."""
    folder = media_root() / "hls"
    folder.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr is not available here")
    yield folder
    subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_read_only_media_folder_is_retried_later_and_blamed_on_the_disk(app, db, immutable_hls):
    """Each attempt waits longer before the next, and the reason says the disk, not the video."""
    asset = make_asset(db, make_lesson(db, make_user(db, roles=["teacher"])), "queued", size=1, source=clip("tiny"))
    app.config["JOB_DISK_RETRY_SECONDS"] = 30
    assert tasks.run_transcode(asset.id) == "retrying"
    db.session.expire_all()
    assert asset.status == "queued" and asset.error_code == "media_disk"
    from elearn.extensions import queue

    # Woken again in 30 s (a wake-up with a time on it), not at once.
    wakeups = [t for t in queue.pending() + queue.scheduled() if tuple(t.args) == ("transcode", asset.id)]
    assert any(t.eta and t.eta > utcnow() + timedelta(seconds=20) for t in wakeups)
    assert tasks.run_transcode(asset.id) == "retrying"
    assert tasks.run_transcode(asset.id) == "failed"
    db.session.expire_all()
    assert asset.status == "failed" and asset.error_code == "media_disk"
    assert "cannot be written" in asset.error and "Read-only" not in asset.error
    with app.test_request_context():
        from elearn.core import status

        report = status.report()
    failure = next(k for k in report["jobs"] if k["kind"] == "transcode")["failures"][0]
    assert failure["id"] == asset.id and failure["code"] == "media_disk"
    assert [e["event"] for e in report["events"] if e["row_id"] == asset.id][:3] == ["failed", "retry_later", "retry_later"]
