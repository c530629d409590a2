"""An activity's attachments through the tus endpoint (kind ``activity``): officers add and delete them,
whoever sees the activity downloads them, and a wrong type, a file too large, a member who is not an
officer and a classmate outside the branch are all turned away."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from elearn.core.permissions import SYSTEM
from elearn.branches import models as m
from elearn.uploads.models import Upload
from tests.branches.pages_world import branches_for_pages
from tests.clients import csrf_token, sign_in
from tests.factories import make_user
from tests.video.test_tus import create, send_file

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class World:
    pass


@pytest.fixture
def world(db):
    w = World()
    w.teacher = make_user(db, roles=["teacher"], name="王书记")
    w.student = make_user(db, roles=["student"], name="张党员")
    w.classmate = make_user(db, roles=["student"], name="钱同学")
    branches_for_pages(db, w)
    return w


def client_of(app, person):
    client = sign_in(app.test_client(), person)
    client.csrf = csrf_token(client)
    return client


def upload(client, activity, data, filename="支部活动通知.pdf", **extra):
    return send_file(client, "", data, kind="activity", filename=filename, activity_id=activity.id, **extra)


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(m.ActivityAttachment))


def test_an_officer_attaches_a_pdf_members_download_it_and_the_officer_deletes_it(app, db, world):
    officer = client_of(app, world.teacher)
    before = count(db)
    path, _ = upload(officer, world.activity, PDF)
    result = officer.get(path).get_json()
    assert result["state"] == "complete" and result["attachment"]["filename"] == "支部活动通知.pdf"
    attachment = db.session.get(m.ActivityAttachment, result["attachment_id"])
    stored = Path(app.config["MEDIA_DIR"]) / attachment.stored_path
    assert stored.read_bytes() == PDF and attachment.stored_path.startswith(f"activities/{world.activity.id}/")
    assert "通知" not in attachment.stored_path and attachment.content_type == "application/pdf"

    page = client_of(app, world.student).get(f"/branches/activities/{world.activity.id}").get_data(as_text=True)
    assert "支部活动通知.pdf" in page and "/delete" not in page and "data-upload-panel" not in page
    download = client_of(app, world.student).get(f"/branches/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client_of(app, world.student).get(f"/branches/attachments/{attachment.id}/delete").status_code == 403

    url = f"/branches/attachments/{attachment.id}/delete"
    assert "支部活动通知.pdf" in officer.get(url).get_data(as_text=True)
    answer = officer.post(url, data={"csrf_token": csrf_token(officer, url)})
    assert answer.status_code == 302 and count(db) == before and not stored.exists()


def test_a_classmate_outside_the_branch_cannot_download(app, db, world):
    path, _ = upload(client_of(app, world.teacher), world.activity, PDF)
    attachment_id = client_of(app, world.teacher).get(path).get_json()["attachment_id"]
    assert client_of(app, world.classmate).get(f"/branches/attachments/{attachment_id}").status_code == 403
    assert client_of(app, world.classmate).get(f"/branches/activities/{world.activity.id}").status_code == 403
    anonymous = app.test_client().get(f"/branches/attachments/{attachment_id}")
    assert anonymous.status_code in (302, 401)


@pytest.mark.parametrize("person, filename, length, status, code", [
    ("teacher", "setup.exe", 100, 415, "handout_type"),
    ("teacher", "记录.pdf", 50 * 1024 * 1024 + 1, 413, "attachment_too_large"),
    ("student", "记录.pdf", 100, 403, "activity_forbidden"),
    ("classmate", "记录.pdf", 100, 403, "activity_forbidden"),
])
def test_wrong_files_and_people_are_refused_before_a_byte_is_stored(app, db, world, person, filename, length,
                                                                   status, code):
    client = client_of(app, getattr(world, person))
    answer = create(client, "", length, kind="activity", filename=filename, activity_id=world.activity.id)
    assert answer.status_code == status and answer.get_json()["code"] == code
    if code == "handout_type":
        assert "附件可以是" in answer.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0


def test_an_upload_must_name_an_activity_that_exists(app, db, world):
    client = client_of(app, world.teacher)
    assert create(client, "", 100, kind="activity", filename="a.pdf").status_code == 400
    assert create(client, "", 100, kind="activity", filename="a.pdf", activity_id=999999).status_code == 404


def test_a_renamed_file_is_refused_after_upload_and_leaves_nothing(app, db, world):
    officer = client_of(app, world.teacher)
    folder = Path(app.config["MEDIA_DIR"]) / "activities" / str(world.activity.id)
    before = set(folder.iterdir()) if folder.exists() else set()
    path, _ = upload(officer, world.activity, b"MZ not a pdf at all\n" * 5, filename="通知.pdf")
    result = officer.get(path).get_json()
    assert result["state"] == "refused" and result["attachment_id"] is None
    assert count(db) == 1 and (set(folder.iterdir()) if folder.exists() else set()) == before


def test_an_officer_who_steps_down_cannot_finish_an_upload_begun_before(app, db, world):
    from elearn.branches import services
    from tests.video.test_tus import patch, upload_path

    officer = client_of(app, world.teacher)
    created = create(officer, "", len(PDF), kind="activity", filename="通知.pdf", activity_id=world.activity.id)
    assert created.status_code == 201
    secretary = db.session.scalar(select(m.BranchMember).filter_by(user_id=world.teacher.id))
    services.update_member(secretary, officer_role=None, group=secretary.group, actor=SYSTEM)
    db.session.commit()
    answer = patch(officer, upload_path(created.headers["Location"]), 0, PDF)
    assert answer.status_code == 403
