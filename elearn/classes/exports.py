"""A term's attendance as a spreadsheet: ``.xlsx`` with one sheet per class and a totals row, or
``.csv`` (UTF-8 with a byte-order mark, which Excel needs to read Chinese) with a class column.

Names come from people, so a cell that a spreadsheet would take for a formula (= + - @ at the
start, or a tab or return) is written as text: in the ``.csv`` with a leading apostrophe, the usual
defence; in the ``.xlsx`` as a cell typed text (openpyxl would otherwise store it as a formula).
"""
from __future__ import annotations

import csv
import io
import re

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ..attendance import models as am
from ..attendance.labels import STATUS_LABELS
from ..attendance.tally import Tally
from .reports import ClassReport

#: Column order: what was attended first, then what does not count, then the sums.
COLUMNS = (am.PRESENT, am.LATE, am.LEFT_EARLY, am.MADE_UP, am.EXCUSED, am.ABSENT)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_LIMIT = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def headers(counted: str | None = None) -> list[str]:
    """``counted`` names what the count is of (the branch register counts activities, not sessions)."""
    return [_("Name"), *(str(STATUS_LABELS[status]) for status in COLUMNS), counted or _("Sessions counted"),
            _("Attended"), _("Attendance rate")]


def figures(tally: Tally) -> list:
    rate = round(tally.rate, 4) if tally.rate is not None else None
    return [*(tally.counts.get(status, 0) for status in COLUMNS), tally.counted, tally.attended, rate]


def rows(report: ClassReport) -> list[list]:
    """The member rows, then the totals row (names as given: the writers make them safe)."""
    return [[row.name, *figures(row.tally)] for row in report.members] + [[_("Total"), *figures(report.total)]]


def neutralise(value):
    """A text a spreadsheet would run as a formula, made plain text for the ``.csv``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: no []:*?/\\, no apostrophe at either end, 31 characters at most,
    not empty, and different from the others (Excel compares them ignoring case)."""
    title = _SHEET_FORBIDDEN.sub("_", name).strip().strip("'")[:SHEET_NAME_LIMIT] or _("Class")
    base, number = title, 2
    while title.casefold() in taken or title.casefold() == "history":
        suffix = f" ({number})"
        title, number = base[:SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
    taken.add(title.casefold())
    return title


def to_xlsx(reports: list[ClassReport]) -> bytes:
    """Written row by row (openpyxl's write-only mode), so a big term does not sit in memory as cells."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    head = headers()
    for report in reports:
        sheet = book.create_sheet(sheet_title(report.group.name, taken))
        sheet.append(head)
        for row in rows(report):
            sheet.append([text_safe(sheet, value) for value in row[:-1]] + [rate_cell(sheet, row[-1])])
    if not reports:
        book.create_sheet(_("Class")).append(head)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def text_safe(sheet, value):
    """A cell for the write-only ``sheet``: a text that looks like a formula is typed text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def rate_cell(sheet, rate):
    cell = WriteOnlyCell(sheet, rate)
    cell.number_format = "0.0%"
    return cell


def to_csv(reports: list[ClassReport]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Class"), *headers()])
    for report in reports:
        for row in rows(report):
            rate = "" if row[-1] is None else f"{row[-1] * 100:.1f}%"
            writer.writerow([neutralise(value) for value in (report.group.name, *row[:-1], rate)])
    return out.getvalue().encode("utf-8-sig")
