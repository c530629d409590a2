"""Imports as background jobs: the upload stores the file and returns at once, the job checks 5,000
rows with visible progress, confirm imports them in a second job, and the result shows every row."""
from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn.accounts import import_jobs
from elearn.accounts.import_jobs import ImportJob
from elearn.accounts.models import OneTimeCode, User
from elearn.core import jobs, storage
from elearn.core.timeutil import utcnow
from tests.clients import csrf_token

IMPORT = "/admin/users/import"


@pytest.fixture
def admin(admin_client, job_runner):
    admin_client.set_cookie("elearn_lang", "en")
    admin_client.jobs = job_runner
    return admin_client


def post_file(client, data: bytes, filename: str = "people.csv"):
    return client.post(IMPORT, data={"csrf_token": csrf_token(client, IMPORT), "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def users(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def big_csv(count: int, bad_every: int = 1000) -> bytes:
    """``count`` people; every ``bad_every``-th has a mobile number that is too short."""
    lines = ["姓名,手机号,出生年份"]
    for i in range(1, count + 1):
        mobile = f"1391{i:07d}" if i % bad_every else f"139{i}"
        lines.append(f"学员{i},{mobile},1950")
    return "\n".join(lines).encode()


def watch_progress(monkeypatch, client, job_url: str) -> list[dict]:
    """What the progress endpoint answers each time the job reports progress (the job carries on after)."""
    seen = []
    renew = jobs.renew

    def renew_and_look(model, row_id, attempt):
        held = renew(model, row_id, attempt)
        seen.append(client.get(job_url + "/progress").get_json())
        return held

    monkeypatch.setattr(jobs, "renew", renew_and_look)
    return seen


def test_the_upload_request_stores_the_file_and_parses_nothing(admin, db):
    """5,000 rows: the request answers with a 303 to the job; the job row is queued, nobody exists yet."""
    before = users(db)
    response = post_file(admin, big_csv(5000))
    assert response.status_code == 303
    job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
    assert response.headers["Location"].endswith(f"/admin/users/import/{job.id}")
    assert (job.status, job.phase, job.rows_total, job.rows) == (jobs.QUEUED, import_jobs.CHECK, 0, None)
    assert storage.path(job.file_path).is_file() and job.file_path.startswith("imports/")
    assert admin.jobs.woken == [("import", job.id)]
    assert users(db) == before
    page = admin.get(response.headers["Location"])
    assert page.status_code == 200 and "Waiting for its turn" in text_of(page)
    assert "js/import-progress.js" in page.get_data(as_text=True)


def test_5000_rows_end_to_end_with_progress_and_per_row_errors(admin, db, monkeypatch):
    """Check (progress visible midway), preview, confirm, import (a job too), then the report and the slips."""
    before = users(db)
    job_url = post_file(admin, big_csv(5000)).headers["Location"]
    stored = storage.path(db.session.scalar(select(ImportJob.file_path).order_by(ImportJob.id.desc())))
    seen = watch_progress(monkeypatch, admin, job_url)
    assert admin.jobs.run() == ["checked"]
    midway = [answer for answer in seen if 0 < answer["done"] < answer["total"]]
    assert midway, seen
    assert all(a["total"] == 5000 and a["status"] == "processing" and not a["finished"] for a in midway)
    assert [a["done"] for a in seen] == sorted(a["done"] for a in seen)  # it only moves forward

    job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
    assert job.file_path is None and not stored.exists()  # read once; the checked rows are on the job's row
    preview = admin.get(job_url)
    page = text_of(preview)
    assert "4995 of the 5000 people in the file are ready to import" in page
    assert "Import 4995 accounts" in page
    assert page.count("The mobile number must be 11 digits starting with 1") == 5
    assert users(db) == before  # the check wrote no account

    confirm = admin.post(job_url + "/confirm", data={"csrf_token": csrf_token(admin, IMPORT)})
    assert confirm.status_code == 303 and users(db) == before  # the import runs in the job, not here
    assert admin.get(job_url).status_code == 200 and "The accounts are being created" in text_of(admin.get(job_url))
    assert admin.jobs.run() == ["imported"]
    assert users(db) == before + 4995
    assert db.session.scalar(select(func.count(OneTimeCode.id)).where(OneTimeCode.purpose == "import")) == 4995

    result = admin.get(job_url)
    assert result.status_code == 200 and result.headers["Cache-Control"] == "no-store"
    page = text_of(result)
    assert "4995 accounts have been created." in page and "Left out (5)" in page
    assert page.count("A new account was made.") == 4995
    assert len(re.findall(r'class="slip-code">\d{4} \d{4}<', page)) == 4995


def test_a_non_spreadsheet_fails_its_job_with_a_plain_message(admin, db):
    """A picture named .xlsx: the upload is accepted, the job refuses it (415), its file goes, nobody is made."""
    before = users(db)
    job_url = post_file(admin, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "photo.xlsx").headers["Location"]
    assert admin.jobs.run() == ["refused"]
    page = admin.get(job_url)
    assert page.status_code == 415 and "not a spreadsheet" in text_of(page)
    job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
    assert job.status == jobs.FAILED and job.file_path is None
    assert admin.post(job_url + "/confirm", data={"csrf_token": csrf_token(admin, IMPORT)}).status_code == 303
    assert admin.jobs.woken == [] and users(db) == before  # a failed job cannot be confirmed


def test_a_check_whose_worker_died_is_given_up_with_a_message(admin, db, app):
    """The reaper fails a job that used all its attempts, and its page says to upload again."""
    job_url = post_file(admin, "name,mobile\n甲,13900139001\n".encode()).headers["Location"]
    job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
    path = storage.path(job.file_path)
    job.status, job.attempts = jobs.PROCESSING, app.config["JOB_MAX_ATTEMPTS"]
    job.lease_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    jobs.reap(ImportJob, app.config["JOB_MAX_ATTEMPTS"], import_jobs._give_up, kind="import")
    page = admin.get(job_url)
    assert page.status_code == 500 and "Please upload it again" in text_of(page)
    assert not path.exists()


def test_an_import_whose_lease_was_taken_writes_nothing(admin, db):
    """A worker that lost its job (another claimed it) creates no account and leaves the row alone."""
    job_url = post_file(admin, "name,mobile\n甲,13900139011\n".encode()).headers["Location"]
    admin.jobs.run()
    admin.post(job_url + "/confirm", data={"csrf_token": csrf_token(admin, IMPORT)})
    job_id = admin.jobs.woken[0][1]
    before = users(db)
    stale = jobs.claim(ImportJob, job_id, "worker-a")
    db.session.execute(ImportJob.__table__.update().where(ImportJob.id == job_id).values(attempt=stale + 1))
    db.session.commit()
    job = db.session.get(ImportJob, job_id)
    with pytest.raises(import_jobs.LeaseLost):
        import_jobs._import(job, stale)
    db.session.expire_all()
    assert users(db) == before
    job = db.session.get(ImportJob, job_id)
    assert (job.attempt, job.outcome, job.batch_id) == (stale + 1, None, None)
