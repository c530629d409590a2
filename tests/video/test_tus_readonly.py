"""tus on a read-only (immutable) upload folder: a plain 507, nothing half-written, and the lease let go
so the client can go on as soon as the disk is writable again. ``chattr +i`` stops root too."""
from __future__ import annotations

import shutil
import subprocess
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from elearn.uploads.models import Upload
from tests.factories import SRT, make_lesson
from tests.video.test_tus import create, part_file, patch, upload_path

pytestmark = pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr (e2fsprogs)")


@contextmanager
def immutable(path):
    subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture
def lesson(db, teacher):  # noqa: F811
    return make_lesson(db, teacher.user)


def test_creation_in_an_immutable_folder_is_507_and_leaves_no_upload(app, db, teacher, lesson):  # noqa: F811
    folder = part_file(app, "x").parent
    folder.mkdir(parents=True, exist_ok=True)
    before = db.session.scalar(select(func.count(Upload.id)))
    with immutable(folder):
        response = create(teacher, lesson.id, len(SRT))
    assert response.status_code == 507, response.get_data(as_text=True)[:300]
    assert response.get_json()["code"] == "storage_full"
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Upload.id))) == before


def test_a_piece_into_an_immutable_file_is_507_and_the_lease_is_released(app, db, teacher, lesson):  # noqa: F811
    created = create(teacher, lesson.id, len(SRT))
    assert created.status_code == 201
    path = upload_path(created.headers["Location"])
    with immutable(part_file(app, path)):
        response = patch(teacher, path, 0, SRT)
    assert response.status_code == 507, response.get_data(as_text=True)[:300]
    assert response.get_json()["code"] == "storage_full"
    db.session.expire_all()
    row = db.session.get(Upload, path.rsplit("/", 1)[-1])
    assert row.lock_token is None and row.offset == 0
    # Writable again: the same piece goes in at once, with no 30-second wait for a stale lease.
    again = patch(teacher, path, 0, SRT)
    assert again.status_code == 204, again.get_data(as_text=True)[:300]
