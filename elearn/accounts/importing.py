"""Bulk import of accounts from an .xlsx or .csv file, and the sign-in slips that follow.

Reading and checking a file writes nothing. A background job (``import_jobs``) keeps the checked
rows on its row between the preview and the confirm; ``create_accounts`` checks them again and
creates every one of them or none.
Plain functions: they flush, never commit, and never read ``request``.
"""
from __future__ import annotations

import re
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import select

from ..core import spreadsheets
from ..core.errors import ServiceError, stored_message, translated
from ..core.text import half_width, printable
from ..core.timeutil import utcnow
from ..extensions import db
from . import services
from .models import User

#: Up to 5000 people, with room above the headings for a title line or two ("2024 秋季班学员名单").
LIMITS = spreadsheets.Limits(max_rows=5000, headroom=10, max_columns=50)
MAX_BYTES = LIMITS.max_bytes
MAX_ROWS = LIMITS.max_rows
HEADER_SCAN_ROWS = LIMITS.headroom

#: Accepted headings, compared after ``_heading_key`` (lower case, no spaces, notes in brackets dropped).
HEADINGS = {
    "name": {"姓名", "名字", "学员姓名", "name", "fullname"},
    "mobile": {"手机号", "手机", "手机号码", "移动电话", "联系电话", "mobile", "mobilenumber", "mobilephone",
               "phone", "phonenumber", "cellphone"},
    "birth_year": {"出生年份", "出生年", "出生年份年", "birthyear", "yearofbirth"},
    "roles": {"角色", "身份", "role", "roles"},
}
REQUIRED = ("name", "mobile")

ROLE_WORDS = {
    "学员": "student", "学生": "student", "student": "student", "students": "student",
    "教师": "teacher", "老师": "teacher", "teacher": "teacher", "teachers": "teacher",
    "管理员": "admin", "admin": "admin", "administrator": "admin",
}
ROLE_SPLIT = re.compile(r"[，,、;；/\s]+")


@dataclass
class Row:
    """One person from the file, cleaned, with what stops them being imported (if anything)."""

    line: int
    name: str
    mobile: str
    birth_year: int | str | None
    roles: list[str]
    errors: list[tuple[str, object]] = field(default_factory=list)
    #: The account that already has this mobile number, if any.
    taken_by: User | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def codes(self) -> set[str]:
        return {code for code, _message in self.errors}

    def add(self, code: str, message) -> None:
        self.errors.append((code, message))


# ---------------------------------------------------------------- reading a file into cells

def read_table(filename: str, data: bytes) -> list[list]:
    """The first sheet that has our headings, as rows of cell values. Raises ServiceError."""
    first = None
    with closing(spreadsheets.read_sheets(filename, data, LIMITS)) as sheets:
        for rows in sheets:
            if _find_header(rows) is not None:
                return rows
            first = rows if first is None else first
    return first or []


def _blank(row) -> bool:
    return spreadsheets.is_blank(row)


# ---------------------------------------------------------------- headings

def _heading_key(value) -> str:
    text = half_width(_text(value)).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)  # notes such as 手机号（必填）
    return re.sub(r"[\s_\-*:.]+", "", text)


def _columns(row) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(row):
        key = _heading_key(value)
        for column, names in HEADINGS.items():
            if key in names:
                if column in found:
                    raise ServiceError("duplicate_column", _l(
                        "The column “%(heading)s” appears twice. Please keep only one.", heading=_text(value)))
                found[column] = index
    return found


def _find_header(rows) -> tuple[int, dict[str, int]] | None:
    seen = 0
    for index, row in enumerate(rows):
        if _blank(row):
            continue
        columns = _columns(row)
        if all(c in columns for c in REQUIRED):
            return index, columns
        seen += 1
        if seen >= HEADER_SCAN_ROWS:
            break
    return None


def _wrong_columns(rows) -> ServiceError:
    first = next((row for row in rows if not _blank(row)), [])
    found = "、".join(_text(v) for v in first if _text(v))[:200]
    return ServiceError("wrong_columns", _l(
        "We could not find the column headings. The first row must name the columns 姓名, 手机号, 出生年份 and "
        "角色 (or name, mobile, birth year and roles); name and mobile are required. The first row of this "
        "file says: %(found)s", found=found or "—"))


# ---------------------------------------------------------------- cleaning one row

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets keep numbers such as a mobile number as floats
    return str(value).strip()


def _compact(value) -> str:
    """Digits and ASCII from full-width input (１３８…), without the spaces people type."""
    return half_width(_text(value))


def _birth_year(value):
    if isinstance(value, (datetime, date)):
        return value.year  # a whole birth date was typed into the column
    text = _compact(value)
    return text[:-1].strip() if text.endswith("年") else text


def _roles(raw, row: Row) -> list[str]:
    words = [w for w in ROLE_SPLIT.split(_compact(raw).lower()) if w]
    unknown = [w for w in words if w not in ROLE_WORDS]
    if unknown:
        row.add("unknown_role", _l(
            "Unknown role “%(role)s”: use 学员, 教师 or 管理员 (student, teacher, admin).",
            role="、".join(unknown)))
        return []
    return services.clean_roles(dict.fromkeys(ROLE_WORDS[w] for w in words))


def clean_row(line: int, name, mobile, birth_year, roles) -> Row:
    row = Row(line=line, name="", mobile=_compact(mobile), birth_year=None, roles=[])
    try:
        row.name = services.clean_name(_text(name))
    except ServiceError as err:
        row.name = printable(_text(name))[:64]
        row.add(err.code, _l("The name is missing.") if err.code == "missing_name" else err.message)
    if not row.mobile:
        row.add("missing_mobile", _l("The mobile number is missing."))
    else:
        try:
            row.mobile = services.normalise_mobile(row.mobile)
        except ServiceError as err:
            row.add(err.code, err.message)
    year = _birth_year(birth_year)
    try:
        row.birth_year = services.clean_birth_year(year)
    except ServiceError as err:
        row.birth_year = year
        row.add(err.code, err.message)
    row.roles = _roles(roles, row)
    return row


def check_rows(rows: list[Row], match_existing: bool = False) -> list[Row]:
    """Add the errors that need the whole file or the database: duplicates and numbers in use.

    With ``match_existing`` (a class roster) a number in use is no error: the row is that person.
    """
    by_mobile: dict[str, list[Row]] = {}
    for row in rows:
        if "invalid_mobile" not in row.codes and row.mobile:
            by_mobile.setdefault(row.mobile, []).append(row)
    for mobile, same in by_mobile.items():
        if len(same) > 1:
            for row in same:
                others = ", ".join(str(o.line) for o in same if o is not row)
                row.add("duplicate_in_file", _l(
                    "The same mobile number is also on row %(rows)s of this file.", rows=others))
    mobiles = list(by_mobile)
    for start in range(0, len(mobiles), 500):  # keep each IN (...) list short
        chunk = mobiles[start:start + 500]
        for user in db.session.scalars(select(User).where(User.mobile.in_(chunk))):
            for row in by_mobile[user.mobile]:
                row.taken_by = user
                if match_existing:
                    continue
                row.add("mobile_taken", _l(
                    "This mobile number already belongs to the account of %(name)s.", name=user.name))
    return rows


#: Rows cleaned between two progress reports of a background check.
PROGRESS_EVERY = 250


def parse_file(filename: str, data: bytes, *, match_existing: bool = False, on_progress=None) -> list[Row]:
    """Every person in the file with their status; writes nothing. File-level problems raise ServiceError.

    ``on_progress(done, total)`` hears how many rows are cleaned so far (a background job shows it).
    """
    table = read_table(filename, data)
    if not table:
        raise ServiceError("empty_file", _l("The file is empty."))
    header = _find_header(table)
    if header is None:
        raise _wrong_columns(table)
    index, columns = header

    def cell(values, column):
        at = columns.get(column)
        return values[at] if at is not None and at < len(values) else None

    listed = [(number, values) for number, values in enumerate(table[index + 1:], start=index + 2)
              if not _blank(values)]
    if not listed:
        raise ServiceError("no_rows", _l("The file has the column headings but nobody listed under them."))
    if len(listed) > MAX_ROWS:
        raise spreadsheets.too_many_rows(LIMITS)
    rows = []
    for number, values in listed:
        rows.append(clean_row(number, cell(values, "name"), cell(values, "mobile"), cell(values, "birth_year"),
                              cell(values, "roles")))
        if on_progress and len(rows) % PROGRESS_EVERY == 0:
            on_progress(len(rows), len(listed))
    return check_rows(rows, match_existing)


# ---------------------------------------------------------------- preview -> confirm

def row_data(row: Row) -> list:
    """A checked row as JSON for the import job's row: its problems as stored messages (translated when shown)."""
    errors = [[code, *stored_message(message)] for code, message in row.errors]
    return [row.line, row.name, row.mobile, row.birth_year, row.roles, errors,
            row.taken_by.id if row.taken_by is not None else None]


def rows_from_data(rows: list[list]) -> list[Row]:
    """Rows kept by ``row_data``, with the accounts their numbers belong to (loaded 500 at a time)."""
    ids = sorted({data[6] for data in rows if data[6]})
    users = {}
    for start in range(0, len(ids), 500):
        users.update((u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(ids[start:start + 500]))))
    result = []
    for line, name, mobile, birth_year, roles, errors, taken_by in rows:
        result.append(Row(line=line, name=name, mobile=mobile, birth_year=birth_year, roles=list(roles),
                          errors=[(code, StoredText(msgid, params)) for code, msgid, params in errors],
                          taken_by=users.get(taken_by)))
    return result


def recheck(rows: list[Row], match_existing: bool = False) -> list[Row]:
    """The ready rows of a preview, checked again at confirm: numbers may have been taken since."""
    fresh = [clean_row(r.line, r.name, r.mobile, r.birth_year, ",".join(r.roles)) for r in rows]
    return check_rows(fresh, match_existing)


class StoredText:
    """A message kept in the database, in the reader's language whenever it is shown."""

    def __init__(self, msgid: str, params: dict | None):
        self.msgid, self.params = msgid, params

    def __str__(self) -> str:
        return translated(self.msgid, self.params) or ""

    def __html__(self) -> str:
        return str(escape(str(self)))


class ImportChanged(ServiceError):
    """Something changed between preview and confirm; nothing was created. Carries the rows."""

    status = 409

    def __init__(self, rows: list[Row]):
        super().__init__("import_changed", _l(
            "Something changed since the preview, so nothing was imported. Check the rows below."))
        self.rows = rows

    @property
    def already_imported(self) -> bool:
        """Every row's number now belongs to a not-yet-used account of the same name: a second click."""
        return all(r.codes == {"mobile_taken"} and r.taken_by is not None and r.taken_by.name == r.name
                   and is_pending(r.taken_by) for r in self.rows)


@dataclass
class Slip:
    user: User
    code: str


def create_accounts(rows: list[Row], by: User | None) -> list[Slip]:
    """Create an account and a one-time code for every row, or raise and create none."""
    if not rows:
        raise ServiceError("nothing_to_import", _l("There is nobody ready to import."))
    if not all(r.ok for r in rows):
        raise ImportChanged(rows)
    # One timestamp for the whole batch: the re-issue page groups people by it.
    batch_time = utcnow()
    slips = []
    for row in rows:
        user = services.create_user(name=row.name, mobile=row.mobile, birth_year=row.birth_year, roles=row.roles,
                                    created_at=batch_time)
        slips.append(Slip(user, services.issue_code(user, "import", by=by)))
    return slips


# ---------------------------------------------------------------- lost slips

def is_pending(user: User) -> bool:
    """Has not signed in yet: still waiting for the code on a slip."""
    return user.must_change_password and user.last_login_at is None and not user.is_disabled


def pending_accounts(limit: int = 2000) -> list[User]:
    return list(db.session.scalars(
        select(User)
        .where(User.must_change_password.is_(True), User.last_login_at.is_(None), User.is_disabled.is_(False))
        .order_by(User.created_at.desc(), User.id)
        .limit(limit)
    ))


def reissue_codes(*, user_ids=(), batch: datetime | None = None, by: User | None = None) -> list[Slip]:
    """New codes (earlier ones stop working) for people who have not signed in yet."""
    stmt = select(User).where(User.must_change_password.is_(True), User.last_login_at.is_(None),
                              User.is_disabled.is_(False)).order_by(User.id)
    if batch is not None:
        stmt = stmt.where(User.created_at == batch)
    elif user_ids:
        stmt = stmt.where(User.id.in_(list(user_ids)))
    else:
        raise ServiceError("nobody_chosen", _l("Please tick at least one person."))
    users = list(db.session.scalars(stmt))
    if not users:
        raise ServiceError("nobody_pending", _l(
            "None of these people is still waiting to sign in for the first time. "
            "To help someone who has signed in before, reset their password on their account page."), status=409)
    return [Slip(user, services.issue_code(user, "import", by=by)) for user in users]
