"""Bulk import of accounts: upload, preview (writes nothing), confirm (all or nothing), slips, CLI."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import openpyxl
import pytest
import segno
from sqlalchemy import func, select

from elearn.accounts import importing
from elearn.accounts.models import OneTimeCode, User
from elearn.core import spreadsheets
from elearn.core.timeutil import utcnow
from tests.clients import csrf_token, follow, issue_fields, signed_in

IMPORT = "/admin/users/import"
SLIPS = "/admin/users/slips"


# ---------------------------------------------------------------- helpers

def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def upload(client, data: bytes, filename: str = "people.xlsx", url: str = IMPORT):
    """Upload a file; the 303 to the job's page is followed once the job has checked the file."""
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data")
    if response.status_code != 303:
        return response
    client.jobs.run()
    return client.get(response.headers["Location"])


def confirm_url(response) -> str:
    """The address of the preview's confirm button."""
    match = re.search(r'<form method="post" action="(/admin/users/import/\d+/confirm)"', response.get_data(as_text=True))
    assert match, "the preview has no confirm form"
    return match.group(1)


def confirm(client, url: str):
    """Confirm an import; its job runs, and the answer is the job's page (the report and the slips)."""
    response = client.post(url, data={"csrf_token": csrf_token(client, IMPORT)})
    if response.status_code != 303:
        return response
    client.jobs.run()
    return client.get(response.headers["Location"])


def reissue(client, **data):
    """Post the re-issue form of the slips page with a fresh nonce; follows a success to the slips."""
    response = client.post(SLIPS, data={**issue_fields(client, SLIPS), **data})
    return follow(client, response) if response.status_code == 303 else response


def counts(db) -> tuple[int, int]:
    return (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(OneTimeCode.id))))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def slip_codes(response) -> dict[str, str]:
    """login -> code, as printed on the slips page."""
    page = response.get_data(as_text=True)
    logins = re.findall(r'class="slip-login">([^<]+)<', page)
    codes = re.findall(r'class="slip-code">([^<]+)<', page)
    return dict(zip(logins, codes))


@pytest.fixture
def admin(admin_client, job_runner):
    admin_client.set_cookie("elearn_lang", "en")
    admin_client.jobs = job_runner
    return admin_client


@pytest.fixture
def ctx(app, db):
    """A request context for calling the importer directly: its messages are translated per request."""
    with app.test_request_context():
        yield


# ---------------------------------------------------------------- reading files

def test_xlsx_with_chinese_headings_any_order_and_excel_numbers(admin, db):
    """A title line, Chinese headings in any order, extra columns, mobiles stored as numbers or typed with +86."""
    data = xlsx_bytes([
        ["2025 秋季班学员名单"],
        ["序号", "角色", "出生年份", "手机号", "姓名", "备注"],
        [1, "学员", 1955, 13800138001, "张三", ""],
        [2, "教师，学员", 1956.0, "+86 138 0013 8002", "李四", "班长"],
        [3, None, "1950年", "１３８００１３８００３", "王五", None],
        [None, None, None, None, None, None],
        [4, "管理员", None, 13800138004.0, "赵六", None],
    ])
    before = counts(db)
    response = upload(admin, data)
    assert response.status_code == 200
    page = text_of(response)
    assert "4 of the 4 people in the file are ready to import" in page
    for mobile in ("13800138001", "13800138002", "13800138003", "13800138004"):
        assert mobile in page
    assert "Import 4 accounts" in page
    assert counts(db) == before  # the preview wrote nothing


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(ctx, admin, db, encoding):
    """Excel's CSV flavours all read the same: UTF-8, UTF-8 with BOM, and GB18030 from Chinese Windows."""
    data = csv_bytes([["name", "mobile", "birth year", "roles"], ["欧阳秀英", "13900139001", "1952", "teacher"]],
                     encoding)
    rows = importing.parse_file("people.csv", data)
    assert [(r.name, r.mobile, r.birth_year, r.roles, r.ok) for r in rows] == [
        ("欧阳秀英", "13900139001", 1952, ["teacher"], True)]
    assert "欧阳秀英" in text_of(upload(admin, data, "people.csv"))


def test_english_and_chinese_heading_variants(ctx, db):
    """Headings are matched without case, spaces or notes in brackets; a semicolon CSV works too."""
    data = "Mobile Number;Full Name;Year of Birth\n13900139002;Wang Fang;1960\n".encode()
    assert importing.parse_file("x.csv", data)[0].name == "Wang Fang"
    data = xlsx_bytes([["姓名（必填）", "手机（必填）", "出生年份"], ["陈静", "139-0013-9003", 1961]])
    row = importing.parse_file("x.xlsx", data)[0]
    assert (row.name, row.mobile, row.birth_year, row.ok) == ("陈静", "13900139003", 1961, True)


@pytest.mark.parametrize("raw, roles", [
    ("", ["student"]),
    ("教师，学员", ["teacher", "student"]),
    ("管理员、教师", ["admin", "teacher"]),
    ("teacher; admin", ["teacher", "admin"]),
    ("Student Teacher", ["student", "teacher"]),
    ("老师/学生", ["teacher", "student"]),
])
def test_roles_in_chinese_or_english_with_any_separator(ctx, db, raw, roles):
    """Roles may be written in either language and separated by ，,、; or spaces; empty means student."""
    row = importing.parse_file("x.xlsx", xlsx_bytes([["姓名", "手机号", "角色"], ["甲", "13900139004", raw]]))[0]
    assert row.ok and sorted(row.roles) == sorted(roles)


def test_every_kind_of_bad_row_is_reported(ctx, admin, db, user_factory):
    """Each bad row gets its own plain reason; good rows stay ready."""
    user_factory(mobile="13700137000", name="老会员")
    data = xlsx_bytes([
        ["姓名", "手机号", "出生年份", "角色"],
        ["好人", "13900139010", 1950, "学员"],       # row 2: ready
        ["", "13900139011", 1950, ""],               # row 3: missing name
        ["坏号", "12345", 1950, ""],                  # row 4: bad mobile
        ["重复甲", "13900139012", 1950, ""],           # row 5: duplicate of row 6
        ["重复乙", "139 0013 9012", 1951, ""],          # row 6: duplicate of row 5
        ["已注册", "13700137000", 1950, ""],            # row 7: mobile already registered
        ["年份错", "13900139013", "明年", ""],           # row 8: bad birth year
        ["太老", "13900139014", 1850, ""],             # row 9: birth year out of range
        ["角色错", "13900139015", 1950, "校长"],         # row 10: unknown role
        ["没手机", "", 1950, ""],                      # row 11: missing mobile
    ])
    rows = {r.line: r for r in importing.parse_file("x.xlsx", data)}
    assert rows[2].ok
    assert rows[3].codes == {"missing_name"}
    assert rows[4].codes == {"invalid_mobile"}
    assert rows[5].codes == rows[6].codes == {"duplicate_in_file"}
    assert rows[7].codes == {"mobile_taken"}
    assert rows[8].codes == rows[9].codes == {"invalid_birth_year"}
    assert rows[10].codes == {"unknown_role"}
    assert rows[11].codes == {"missing_mobile"}

    page = text_of(upload(admin, data))
    assert "1 of the 10 people in the file are ready to import" in page
    for message in ("The name is missing.", "The mobile number must be 11 digits",
                    "The same mobile number is also on row 6", "The same mobile number is also on row 5",
                    "already belongs to the account of 老会员", "The birth year must be a year such as 1955",
                    "Unknown role “校长”", "The mobile number is missing."):
        assert message in page, message
    assert "Import 1 account" in page


# ---------------------------------------------------------------- file-level problems

@pytest.mark.parametrize("data, filename, status, message", [
    (b"", "people.csv", 400, "The file is empty."),
    (b"\n\n  \n", "people.csv", 400, "The file is empty."),
    ("姓名,手机号\n".encode(), "people.csv", 400, "nobody listed under them"),
    ("姓名,年龄\n张三,70\n".encode(), "people.csv", 400, "could not find the column headings"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "photo.xlsx", 415, "not a spreadsheet"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "photo.csv", 415, "not a spreadsheet"),
    (b"PK\x03\x04 this is not really a zip", "broken.xlsx", 415, "not a spreadsheet"),
    (b"%PDF-1.4 some text", "letter.pdf", 415, "not a spreadsheet"),
    (spreadsheets.OLE_MAGIC + b"\x00" * 100, "old.xls", 415, "old Excel file (.xls)"),
])
def test_files_that_cannot_be_imported_get_a_clear_message(admin, db, data, filename, status, message):
    """Empty, wrong columns, pictures, broken or old Excel files: a 4xx with a plain reason, nothing written."""
    before = counts(db)
    response = upload(admin, data, filename)
    assert response.status_code == status
    assert message in text_of(response)
    assert counts(db) == before


def test_wrong_columns_in_a_workbook_name_what_was_found(admin, db):
    """The message says which headings are needed and quotes the file's first row."""
    response = upload(admin, xlsx_bytes([["学号", "班级"], ["001", "书法班"]]))
    assert response.status_code == 400
    page = text_of(response)
    assert "姓名" in page and "手机号" in page and "学号、班级" in page


def test_a_second_name_column_is_refused(ctx, db):
    """Two columns meaning the same thing are ambiguous: the file is refused, not guessed at."""
    with pytest.raises(importing.ServiceError) as err:
        importing.parse_file("x.csv", "姓名,name,手机号\n甲,乙,13900139020\n".encode())
    assert err.value.code == "duplicate_column"


def test_too_large_or_too_many_rows(admin, db):
    """Over 5 MB, or over 5000 people, is refused with advice to split the file."""
    big = b"name,mobile\n" + b"x" * (importing.MAX_BYTES + 10)
    response = upload(admin, big, "big.csv")
    assert response.status_code == 413 and "larger than 5 MB" in text_of(response)
    lines = ["name,mobile"] + [f"p{i},139{i:08d}" for i in range(importing.MAX_ROWS + 1)]
    response = upload(admin, "\n".join(lines).encode(), "many.csv")
    assert response.status_code == 413 and "more than 5000 rows" in text_of(response)


def test_no_file_chosen(admin, db):
    """Sending the form without a file says to choose one."""
    response = admin.post(IMPORT, data={"csrf_token": csrf_token(admin, IMPORT)}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Please choose the spreadsheet file." in text_of(response)


def test_example_spreadsheet_round_trips(ctx, admin, db):
    """The downloadable example has headings the importer accepts and keeps mobiles as text."""
    response = admin.get("/admin/users/import/example.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.active
    assert sheet.column_dimensions["B"].number_format == "@"
    sheet.append(["孙七", "13900139030", 1949, "学员"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert [r.ok for r in importing.parse_file("example.xlsx", buffer.getvalue())] == [True]


# ---------------------------------------------------------------- confirm and slips

def test_confirm_creates_accounts_with_codes_and_printable_slips(admin, db, client):
    """Confirm creates the ready rows only, each with a one-time code on a slip with a working QR link."""
    data = xlsx_bytes([["姓名", "手机号", "出生年份", "角色"],
                       ["张三", 13800138101, 1955, "学员"], ["李四", "13800138102", 1956, "教师，学员"],
                       ["", "13800138103", 1950, ""]])
    response = confirm(admin, confirm_url(upload(admin, data)))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text_of(response)
    assert "2 accounts have been created." in page
    assert "data-print" in page and "http://localhost/login/code" in page

    zhang = db.session.scalar(select(User).where(User.mobile == "13800138101"))
    li = db.session.scalar(select(User).where(User.mobile == "13800138102"))
    assert db.session.scalar(select(User).where(User.mobile == "13800138103")) is None
    assert (zhang.name, zhang.birth_year, zhang.roles, zhang.must_change_password) == ("张三", 1955, {"student"}, True)
    assert li.roles == {"teacher", "student"}
    assert zhang.password_hash is None

    codes = slip_codes(response)
    assert set(codes) == {"13800138101", "13800138102"}
    assert all(re.fullmatch(r"\d{4} \d{4}", c) for c in codes.values())
    # The QR code on the slip is exactly the sign-in link with the login and code filled in.
    link = f"http://localhost/login/code?login=13800138101&code={codes['13800138101'].replace(' ', '')}"
    assert html.escape(segno.make(link, error="m").svg_data_uri(scale=4, border=2)) in response.get_data(as_text=True)

    # The person signs in with the slip: the link fills the form, and then they choose a password.
    signed = client.post("/login/code", data={"login": "13800138101", "code": codes["13800138101"],
                                              "csrf_token": csrf_token(client, link.replace("http://localhost", ""))})
    assert signed.status_code == 302 and signed.headers["Location"].endswith("/account/set-password")


def test_the_slips_page_prints_cleanly(admin, db):
    """Slips bring their own print stylesheet; no inline styles or scripts (strict CSP)."""
    data = csv_bytes([["姓名", "手机号"], ["甲", "13800138111"]])
    page = confirm(admin, confirm_url(upload(admin, data, "p.csv"))).get_data(as_text=True)
    assert "/static/css/import.css" in page
    assert "style=" not in page and "<script>" not in page
    css = admin.get("/static/css/import.css").get_data(as_text=True)
    assert "@media print" in css and "@page" in css


def test_double_confirm_creates_nobody_twice(admin, db, client):
    """Pressing confirm twice: the second answer says it was started already, queues nothing and writes nothing."""
    data = csv_bytes([["姓名", "手机号"], ["甲", "13800138121"], ["乙", "13800138122"]])
    url = confirm_url(upload(admin, data, "p.csv"))
    first = confirm(admin, url)
    assert first.status_code == 200
    after_first = counts(db)
    second = confirm(admin, url)
    assert second.status_code == 200 and admin.jobs.woken == []
    assert "started already. Nothing is imported twice" in text_of(second)
    assert set(slip_codes(second)) == {"13800138121", "13800138122"}  # the same slips, shown again
    assert counts(db) == after_first
    # The codes from the first answer still work.
    response = client.post("/login/code", data={"login": "13800138121", "code": slip_codes(first)["13800138121"],
                                                "csrf_token": csrf_token(client, "/login/code")})
    assert response.status_code == 302


def test_confirm_is_all_or_nothing_when_something_changed(admin, db, user_factory):
    """If a number was registered after the preview, confirm creates nobody and shows the rows again."""
    data = csv_bytes([["姓名", "手机号"], ["甲", "13800138131"], ["乙", "13800138132"]])
    payload = confirm_url(upload(admin, data, "p.csv"))
    user_factory(mobile="13800138132", name="别人")
    before = counts(db)
    response = confirm(admin, payload)
    assert response.status_code == 409
    page = text_of(response)
    assert "nothing was imported" in page and "already belongs to the account of 别人" in page
    assert counts(db) == before
    # The fresh preview offers the row that is still fine.
    assert "Import 1 account" in page
    assert "1 account has been created." in text_of(confirm(admin, confirm_url(response)))
    assert db.session.scalar(select(User).where(User.mobile == "13800138131")) is not None


def test_a_number_taken_during_the_import_leaves_nobody_created(ctx, db, user_factory):
    """If a number is taken between the check and the insert, the import raises and rolls back whole."""
    rows = importing.check_rows([importing.clean_row(2, "甲", "13800138135", None, ""),
                                 importing.clean_row(3, "乙", "13800138136", None, "")])
    assert all(r.ok for r in rows)
    user_factory(mobile="13800138136")
    before = counts(db)
    with pytest.raises(importing.ServiceError):
        importing.create_accounts(rows, by=None)
    db.session.rollback()
    assert counts(db) == before
    assert db.session.scalar(select(User).where(User.mobile == "13800138135")) is None


def test_another_admins_import_is_not_shown_or_confirmed(ctx, admin, db, app):
    """Only the admin who uploaded the file sees its rows and can confirm them."""
    url = confirm_url(upload(admin, csv_bytes([["姓名", "手机号"], ["甲", "13800138141"]]), "p.csv"))
    other = signed_in(app, db, roles=["admin"])
    before = counts(db)
    assert other.get(url.rsplit("/", 1)[0]).status_code == 404
    assert other.post(url, data={"csrf_token": csrf_token(other, IMPORT)}).status_code == 404
    assert counts(db) == before


def test_confirm_needs_the_csrf_token(admin, db):
    """A confirm posted from elsewhere (no CSRF token) is refused."""
    url = confirm_url(upload(admin, csv_bytes([["姓名", "手机号"], ["甲", "13800138151"]]), "p.csv"))
    before = counts(db)
    assert admin.post(url, data={}).status_code == 400
    assert admin.jobs.woken == []
    assert counts(db) == before


# ---------------------------------------------------------------- lost slips

def test_reissue_codes_for_people_who_have_not_signed_in(admin, db, client, user_factory):
    """New slips for a whole import; the old codes stop working, the new ones work."""
    data = csv_bytes([["姓名", "手机号"], ["甲", "13800138161"], ["乙", "13800138162"]])
    old = slip_codes(confirm(admin, confirm_url(upload(admin, data, "p.csv"))))
    active = user_factory(name="老用户")  # has a password: not waiting for a slip

    listing = admin.get(SLIPS)
    page = text_of(listing)
    assert "甲 (13800138161)" in page and "乙 (13800138162)" in page and "老用户" not in page
    batch = re.search(r'name="batch" value="([^"]+)"', listing.get_data(as_text=True)).group(1)

    response = reissue(admin, batch=batch)
    assert response.status_code == 200
    new = slip_codes(response)
    assert set(new) == {"13800138161", "13800138162"}
    assert active.mobile not in new

    refused = client.post("/login/code", data={"login": "13800138161", "code": old["13800138161"],
                                               "csrf_token": csrf_token(client, "/login/code")})
    assert refused.status_code == 401
    accepted = client.post("/login/code", data={"login": "13800138161", "code": new["13800138161"],
                                                "csrf_token": csrf_token(client, "/login/code")})
    assert accepted.status_code == 302


def test_reissue_for_ticked_people_skips_anyone_who_signed_in(admin, db, user_factory):
    """Ticked people get new slips; someone who has signed in is never re-issued a code here."""
    data = csv_bytes([["姓名", "手机号"], ["甲", "13800138171"], ["乙", "13800138172"]])
    confirm(admin, confirm_url(upload(admin, data, "p.csv")))
    first = db.session.scalar(select(User).where(User.mobile == "13800138171"))
    second = db.session.scalar(select(User).where(User.mobile == "13800138172"))
    second.last_login_at = utcnow()
    db.session.commit()
    response = reissue(admin, user=[str(first.id), str(second.id)])
    assert set(slip_codes(response)) == {"13800138171"}
    nobody = reissue(admin, action="ticked")
    assert nobody.status_code == 400 and "Please tick at least one person." in text_of(nobody)
    only_active = reissue(admin, user=str(second.id))
    assert only_active.status_code == 409


def test_the_same_numbers_imported_again_are_refused_row_by_row(admin, db):
    """The same file uploaded again after its import: every row says the number is registered already."""
    data = csv_bytes([["姓名", "手机号"], ["甲", "13800138181"]])
    confirm(admin, confirm_url(upload(admin, data, "p.csv")))
    again = text_of(upload(admin, data, "p.csv"))
    assert "already belongs to the account of 甲" in again and "Nobody in this file can be imported yet" in again


def test_expired_import_code_is_explained(admin, db, client):
    """A slip code used after its expiry gets a clear message, not a sign-in."""
    data = csv_bytes([["姓名", "手机号"], ["甲", "13800138191"]])
    codes = slip_codes(confirm(admin, confirm_url(upload(admin, data, "p.csv"))))
    for row in db.session.scalars(select(OneTimeCode)):
        row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.set_cookie("elearn_lang", "en")
    response = client.post("/login/code", data={"login": "13800138191", "code": codes["13800138191"],
                                                "csrf_token": csrf_token(client, "/login/code")})
    assert response.status_code == 401 and "This code has expired" in text_of(response)


# ---------------------------------------------------------------- permissions

@pytest.mark.parametrize("path", [IMPORT, "/admin/users/import/example.xlsx", SLIPS])
def test_import_pages_are_for_admins_only(app, db, client, teacher_client, student_client, path):
    """Teachers and students get 403; someone signed out is sent to the login page."""
    assert teacher_client.get(path).status_code == 403
    assert student_client.get(path).status_code == 403
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_teacher_cannot_confirm_an_import(admin, teacher_client, db):
    """A non-admin's confirm of an admin's import is refused and writes nothing."""
    url = confirm_url(upload(admin, csv_bytes([["姓名", "手机号"], ["甲", "13800138201"]]), "p.csv"))
    before = counts(db)
    response = teacher_client.post(url, data={"csrf_token": csrf_token(teacher_client)})
    assert response.status_code == 403
    assert counts(db) == before


# ---------------------------------------------------------------- command line

def test_cli_dry_run_then_commit(app, db, tmp_path):
    """`flask users import FILE` reports and writes nothing; with --commit it creates and prints codes."""
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes([["姓名", "手机号", "角色"], ["甲", "13800138211", "教师"], ["", "13800138212", ""]],
                               "gb18030"))
    runner = app.test_cli_runner()
    before = counts(db)
    dry = runner.invoke(args=["users", "import", str(path)])
    assert dry.exit_code == 0, dry.output
    assert "1 ready, 1 with problems" in dry.output and "Dry run" in dry.output
    assert counts(db) == before

    done = runner.invoke(args=["users", "import", str(path), "--commit"])
    assert done.exit_code == 0, done.output
    line = next(ln for ln in done.output.splitlines() if ln.startswith("13800138211\t"))
    code = line.split("\t")[1]
    assert re.fullmatch(r"\d{4} \d{4}", code)
    user = db.session.scalar(select(User).where(User.mobile == "13800138211"))
    assert user.roles == {"teacher"} and user.must_change_password
    assert db.session.scalar(select(User).where(User.mobile == "13800138212")) is None


def test_cli_refuses_a_file_it_cannot_read(app, db, tmp_path):
    """A non-spreadsheet given to the CLI is a clear error with a non-zero exit."""
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = app.test_cli_runner().invoke(args=["users", "import", str(path)])
    assert result.exit_code != 0
    assert "xlsx" in result.output
