"""三会一课 compliance by calendar quarter, on the site's clock (Asia/Shanghai by default).

For each requirement (``ActivityRequirement``: a type, "quarter" or "month", how many times) a
branch is met, due (the period has not ended and it has not been held yet) or missed (the period
ended without it). 党小组会 is required of every party group of the branch, and not at all of a
branch without groups. Only activities held (started, not cancelled) count. Also: the members who
were absent and have not made it up.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..attendance import models as am
from ..core.errors import ServiceError
from ..core.timeutil import from_site_time, local_day, utcnow
from ..extensions import db
from . import models as m
from .roster import EVENT_KIND

MET, DUE, MISSED = "met", "due", "missed"


@dataclass
class Period:
    label: str        # "2026-Q4" or "2026-11"
    starts: date
    ends: date        # the first day after it


@dataclass
class Check:
    kind: str
    period: Period
    needed: int
    held: int
    state: str
    group: m.PartyGroup | None = None


@dataclass
class QuarterReport:
    branch: m.Branch
    quarter: Period
    checks: list[Check] = field(default_factory=list)
    absent: list[tuple[str, m.Activity]] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return all(check.state == MET for check in self.checks)

    @property
    def missed(self) -> list[Check]:
        return [check for check in self.checks if check.state == MISSED]


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def quarter_of(day: date) -> Period:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period(f"{first.year}-Q{(first.month - 1) // 3 + 1}", first,
                  _month_after(_month_after(_month_after(first))))


def months_of(quarter: Period) -> list[Period]:
    months, day = [], quarter.starts
    while day < quarter.ends:
        months.append(Period(f"{day.year}-{day.month:02d}", day, _month_after(day)))
        day = _month_after(day)
    return months


def requirements() -> list[m.ActivityRequirement]:
    return list(db.session.scalars(select(m.ActivityRequirement).order_by(m.ActivityRequirement.id)))


def save_requirements(rows: dict[str, tuple[str, int]]) -> None:
    """Set the requirement of each standard type: ``(period, times)``; 0 times means not required."""
    existing = {rule.kind: rule for rule in requirements()}
    for kind, (period, times) in rows.items():
        if kind not in m.DEFAULT_REQUIREMENTS or period not in m.PERIODS or not 0 <= times <= 31:
            raise ServiceError("bad_requirement", _l("Please choose how often, and a number from 0 to 31."),
                               status=422, field=kind)
        rule = existing.get(kind)
        if times == 0:
            if rule is not None:
                db.session.delete(rule)
            continue
        rule = rule or m.ActivityRequirement(kind=kind)
        rule.period, rule.times = period, times
        db.session.add(rule)
    db.session.flush()


def _held(branch: m.Branch, quarter: Period, now: datetime) -> list[m.Activity]:
    start, end = from_site_time(quarter.starts, time()), from_site_time(quarter.ends, time())
    cancelled = select(am.AttendanceEvent.owner_id).where(
        am.AttendanceEvent.kind == EVENT_KIND, am.AttendanceEvent.cancelled_at.is_not(None))
    return list(db.session.scalars(select(m.Activity).where(
        m.Activity.branch_id == branch.id, m.Activity.starts_at >= start, m.Activity.starts_at < end,
        m.Activity.starts_at <= now, m.Activity.id.not_in(cancelled)).order_by(m.Activity.starts_at)))


def _state(held: int, needed: int, period: Period, today: date) -> str:
    if held >= needed:
        return MET
    return DUE if today < period.ends else MISSED


def quarter_report(branch: m.Branch, day: date | None = None, now: datetime | None = None) -> QuarterReport:
    """Compliance of ``branch`` in the quarter that contains ``day`` (default: today, site time)."""
    now = now or utcnow()
    today = local_day(now)
    quarter = quarter_of(day or today)
    activities = _held(branch, quarter, now)
    report = QuarterReport(branch=branch, quarter=quarter)
    for rule in requirements():
        periods = [quarter] if rule.period == m.QUARTER else months_of(quarter)
        groups = branch.groups if rule.kind == m.GROUP_MEETING else [None]
        for group in groups:
            for period in periods:
                if period.starts > today:
                    continue  # a month still ahead is neither due nor missed yet
                held = sum(1 for a in activities if a.kind == rule.kind
                           and (group is None or a.group_id == group.id)
                           and period.starts <= local_day(a.starts_at) < period.ends)
                report.checks.append(Check(rule.kind, period, rule.times, held, _state(held, rule.times, period, today),
                                           group))
    report.absent = _absent(activities)
    return report


def _absent(activities: list[m.Activity]) -> list[tuple[str, m.Activity]]:
    """Absent and not made up (a 补学 replaces the 缺勤 on the same record)."""
    if not activities:
        return []
    by_id = {a.id: a for a in activities}
    rows = db.session.execute(
        select(am.AttendanceRecord.person_name, am.AttendanceEvent.owner_id)
        .join(am.AttendanceEvent, am.AttendanceEvent.id == am.AttendanceRecord.event_id)
        .where(am.AttendanceEvent.kind == EVENT_KIND, am.AttendanceEvent.owner_id.in_(list(by_id)),
               am.AttendanceRecord.status == am.ABSENT)
        .order_by(am.AttendanceEvent.starts_at, am.AttendanceRecord.person_name))
    return [(name, by_id[owner]) for name, owner in rows]
