"""The 三会一课 register of a branch as ``.xlsx``: one row per activity held in a period (a calendar year
or chosen days, in site time), and one row per member with their attendance rate over it.

What it holds: names and attendance, the activities' dates, types and topics. It holds no party
details (standing, the dates of joining): a register of who came needs none, so writing it adds
nothing to the membership access log; an export that did include them would go through
``services.party_details`` (channel "export") first. Counting is ``attendance.tally``'s, as in the class
reports; a name a spreadsheet would run as a formula is written as text (``classes.exports.text_safe``).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, time, timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import select

from ..attendance import models as am
from ..attendance.entries import Entry, event_entries
from ..attendance.labels import STATUS_LABELS
from ..attendance.tally import Tally, person_tallies
from ..classes import exports as sheets
from ..core.errors import ServiceError
from ..core.timeutil import from_site_time, to_local, utcnow
from ..extensions import db
from . import models as m
from .activities import activity_name
from .roster import EVENT_KIND

#: The register's groups of people, in its column order: in person (on time, late or leaving early),
#: 补学, 请假, 缺勤.
IN_PERSON = (am.PRESENT, am.LATE, am.LEFT_EARLY)
GROUPS = ((IN_PERSON, STATUS_LABELS[am.PRESENT]), *(((status,), STATUS_LABELS[status])
                                                     for status in (am.MADE_UP, am.EXCUSED, am.ABSENT)))
LONGEST = timedelta(days=3 * 366)
FIRST_YEAR, LAST_YEAR = 2000, 2100
NAME_SEPARATOR = "、"


@dataclass
class ActivityRow:
    activity: m.Activity
    #: Everyone expected (the roster when it started, and anyone marked who is not on it).
    entries: list[Entry]

    def names(self, statuses) -> list[str]:
        return [entry.name for entry in self.entries if entry.status in statuses]


def period(args) -> tuple[date, date]:
    """The days the register covers, from ``?year=`` or ``?start=&end=`` (ISO days, both included)."""
    try:
        if args.get("start") or args.get("end"):
            start, end = date.fromisoformat(args.get("start", "")), date.fromisoformat(args.get("end", ""))
        else:
            year = int(args.get("year") or to_local(utcnow()).year)
            start, end = date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        raise ServiceError("bad_period", _l("Please give a year, or a first and a last day."), status=400) from None
    if start.year < FIRST_YEAR or end.year > LAST_YEAR:
        raise ServiceError("bad_period", _l("Please choose a year between 2000 and 2100."), status=400)
    if end < start or end - start > LONGEST:
        raise ServiceError("bad_period", _l("The last day must come after the first, at most three years later."),
                           status=400)
    return start, end


def held_activities(branch: m.Branch, start: date, end: date,
                    now=None) -> list[tuple[m.Activity, am.AttendanceEvent]]:
    """The branch's activities that started between ``start`` and ``end`` (site days) and by ``now``,
    oldest first, with their attendance events (cancelled ones left out)."""
    since, until = from_site_time(start, time()), from_site_time(end + timedelta(days=1), time())
    rows = db.session.execute(
        select(m.Activity, am.AttendanceEvent)
        .join(am.AttendanceEvent,
              (am.AttendanceEvent.kind == EVENT_KIND) & (am.AttendanceEvent.owner_id == m.Activity.id))
        .where(m.Activity.branch_id == branch.id, m.Activity.starts_at >= since, m.Activity.starts_at < until,
               m.Activity.starts_at <= (now or utcnow()), am.AttendanceEvent.cancelled_at.is_(None))
        .order_by(m.Activity.starts_at, m.Activity.id))
    return [tuple(row) for row in rows]


def member_tallies(branch: m.Branch, rows: list[ActivityRow]) -> list[tuple[str, Tally]]:
    """A row per person marked, and per current member never marked (rate "—"), by name."""
    found = person_tallies((entry.user_id, entry.name, entry.status)
                           for row in rows for entry in row.entries if entry.record is not None)
    for member in branch.members:
        if member.left_at is None and member.user_id is not None and member.user_id not in found:
            found[member.user_id] = (member.person_name, Tally())
    return sorted(found.values(), key=lambda item: item[0])


def register_xlsx(branch: m.Branch, start: date, end: date, now=None) -> bytes:
    rows = [ActivityRow(activity, event_entries(event))
            for activity, event in held_activities(branch, start, end, now)]
    book = Workbook(write_only=True)
    _activity_sheet(book.create_sheet(_("Activities")), rows)
    _member_sheet(book.create_sheet(_("Party members")), member_tallies(branch, rows))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _activity_sheet(sheet, rows: list[ActivityRow]) -> None:
    counts = [str(label) for _statuses, label in GROUPS]
    sheet.append([_("Date"), _("Type"), _("Topic"), _("Expected"), *counts, _("Not marked"),
                  *(_("%(group)s: names", group=label) for label in counts), _("Not marked: names")])
    for row in rows:
        day = WriteOnlyCell(sheet, to_local(row.activity.starts_at).date())
        day.number_format = "yyyy-mm-dd"
        kind = activity_name(row.activity) + (f" ({row.activity.group.name})" if row.activity.group else "")
        groups = [row.names(statuses) for statuses, _label in GROUPS] + [row.names((None,))]
        figures = [len(names) for names in groups]
        names = [NAME_SEPARATOR.join(group) for group in groups]
        sheet.append([day, *(sheets.text_safe(sheet, value) for value in (kind, row.activity.topic)),
                      len(row.entries), *figures, *(sheets.text_safe(sheet, value) for value in names)])


def _member_sheet(sheet, people: list[tuple[str, Tally]]) -> None:
    sheet.append(sheets.headers(_("Activities counted")))
    for name, tally in people:
        figures = sheets.figures(tally)
        sheet.append([sheets.text_safe(sheet, name), *figures[:-1], sheets.rate_cell(sheet, figures[-1])])
