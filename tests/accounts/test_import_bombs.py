"""Hostile spreadsheets at the accounts import: each is refused with a plain 4xx, stores nothing,
and costs bounded memory (the checks read the zip's directory and stream its members). The upload
only stores the file; the background job that reads it is measured with it."""
from __future__ import annotations

import html
import io
import tracemalloc

import pytest
from sqlalchemy import func, select

from elearn.accounts.models import User
from elearn.core import spreadsheets
from tests import spreadsheet_files as files
from tests.clients import csrf_token

IMPORT = "/admin/users/import"
#: Far above what a refusal needs, far below what the bombs cost before they were checked
#: (2.5 GB for the shared strings, hundreds of MB for the wide rows).
MEMORY_BOUND = 48 * files.MB

TOO_BIG = "too large or damaged"
DAMAGED = "is damaged and could not be read"
ODD = "parts we do not read"


@pytest.fixture
def admin(admin_client, job_runner):
    admin_client.set_cookie("elearn_lang", "en")
    admin_client.jobs = job_runner
    return admin_client


def upload_measured(client, data: bytes, filename: str = "people.xlsx"):
    """The import job's page after ``data`` was uploaded and checked, and the peak memory that took."""
    token = csrf_token(client, IMPORT)
    tracemalloc.start()
    try:
        response = client.post(IMPORT, data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                               content_type="multipart/form-data")
        assert response.status_code == 303, "the upload answers at once; the file is read by the job"
        client.jobs.run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return client.get(response.headers["Location"]), peak


def users(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


BOMBS = {
    # 0.7 MB whose shared strings unpack to 200 MB: refused from the sizes the zip declares.
    "shared strings bomb": (files.shared_strings_bomb, 413, TOO_BIG),
    # 2000 rows of 1000 cells each beyond the headings, the dimension tag saying A1:B2: 30 MB unpacked.
    "millions of cells": (lambda: files.wide_sheet(2000, 1000), 413, TOO_BIG),
    # Within the member size limit but 100,000 cells in a row: openpyxl would parse every one of them.
    "a row of 100,000 cells": (lambda: files.wide_sheet(5, 100_000), 413, TOO_BIG),
    # The sheet says it unpacks to 2 KB and really unpacks to 30 MB: it fails its CRC.
    "member lying about its size": (lambda: files.lying_size(files.wide_sheet(2000, 1000),
                                                             "xl/worksheets/sheet1.xml", 2048), 400, DAMAGED),
    "5000 members": (lambda: files.many_members(5000), 413, TOO_BIG),
    "a zip inside": (files.nested_zip, 400, ODD),
    "an encrypted member": (lambda: files.flagged_encrypted(files.workbook(), "xl/worksheets/sheet1.xml"),
                            400, ODD),
    "entity expansion": (files.entity_bomb, 400, ODD),
    "password-locked workbook": (lambda: spreadsheets.OLE_MAGIC + b"\x00" * 600, 400, "protected with a password"),
    "a CSV line of a million commas": (lambda: ("姓名,手机号" + "," * 1_000_000 + "\n张三,13900139000\n").encode(),
                                       413, TOO_BIG),
}


@pytest.mark.parametrize("build, status, message", BOMBS.values(), ids=BOMBS.keys())
def test_hostile_spreadsheets_are_refused_in_bounded_memory(admin, db, build, status, message):
    """Each bomb gets its plain message and status, nobody is created, and the request's peak memory stays small."""
    data = build()
    assert len(data) < spreadsheets.DEFAULT_LIMITS.max_bytes
    before = users(db)
    filename = "people.csv" if data[:2] != b"PK" and not data.startswith(spreadsheets.OLE_MAGIC) else "people.xlsx"
    response, peak = upload_measured(admin, data, filename)
    assert response.status_code == status
    assert message in html.unescape(response.get_data(as_text=True))
    assert users(db) == before
    assert peak < MEMORY_BOUND, f"the refusal took {peak / files.MB:.0f} MB"


def test_the_refusal_is_in_chinese_by_default(admin_client, db, job_runner):
    """Chinese is the default language of the message."""
    admin_client.jobs = job_runner
    response, _peak = upload_measured(admin_client, files.shared_strings_bomb())
    assert response.status_code == 413
    assert "这个表格太大或已损坏" in response.get_data(as_text=True)


def test_a_workbook_with_shared_strings_and_cells_beyond_the_columns_still_imports(admin, db):
    """The checks refuse bombs, not ordinary files: shared strings and a few stray far-right cells are fine."""
    ordinary = files.with_shared_strings(files.SST_OPEN + b"</sst>")
    response, _peak = upload_measured(admin, ordinary)
    assert response.status_code == 200 and "13900139000" in response.get_data(as_text=True)
    response, _peak = upload_measured(admin, files.wide_sheet(3, 200))
    assert response.status_code == 200
