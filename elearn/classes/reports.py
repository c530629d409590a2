"""Attendance reports: per session, per member, per class and term, per month, with rates.

Rates are counted as everywhere (``attendance.tally``: 请假 neither helps nor hurts). Only records
count, never the roster of today: the engine makes a record only for someone expected when the
session started (``roster.session_roster``), so a person who enrolled after a session is never
counted for it, and one who left keeps what they attended. Cancelled sessions do not count.
Everything is read with a few grouped queries, never one per record.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from ..accounts.models import User
from ..attendance import models as am
from ..attendance import services as attendance
from ..attendance.entries import Entry, event_entries  # noqa: F401  (Entry: a session's row)
from ..attendance.tally import Tally, status_sums
from ..core.timeutil import to_local, utcnow
from ..extensions import db
from . import models as m
from .permissions import can_teach_class
from .schedule import EVENT_KIND


@dataclass
class MemberRow:
    user_id: int | None
    name: str
    tally: Tally


@dataclass
class ClassReport:
    group: m.ClassGroup
    members: list[MemberRow]
    total: Tally
    sessions_held: int


def _records_of_sessions():
    """Records joined to the class sessions they belong to (cancelled sessions left out)."""
    return (select().select_from(m.ClassSession)
            .join(am.AttendanceEvent, and_(am.AttendanceEvent.kind == EVENT_KIND,
                                           am.AttendanceEvent.owner_id == m.ClassSession.id))
            .join(am.AttendanceRecord, am.AttendanceRecord.event_id == am.AttendanceEvent.id)
            .where(m.ClassSession.status == m.SCHEDULED))


def _member_tallies(class_ids: list[int]) -> dict[int, dict[int | None, tuple[str, Tally]]]:
    """``class_id -> user_id -> (name, tally)``, from one aggregate over the records."""
    query = (_records_of_sessions()
             .add_columns(m.ClassSession.class_id, am.AttendanceRecord.user_id,
                          func.max(am.AttendanceRecord.person_name), *status_sums(am.AttendanceRecord.status))
             .where(m.ClassSession.class_id.in_(class_ids))
             .group_by(m.ClassSession.class_id, am.AttendanceRecord.user_id))
    found: dict[int, dict] = defaultdict(dict)
    # A deleted account keeps its records under user_id None: they make one row, by the kept name.
    for class_id, user_id, name, *counts in db.session.execute(query):
        found[class_id][user_id] = (name, Tally(dict(zip(am.STATUSES, counts))))
    return found


def _members_without_records(class_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Everyone enrolled now, so that a member not marked yet still has a row (rate "—")."""
    rows = db.session.execute(
        select(m.Enrolment.class_id, User.id, User.name).join(User, User.id == m.Enrolment.user_id)
        .where(m.Enrolment.class_id.in_(class_ids), m.Enrolment.state == m.ENROLLED))
    found: dict[int, list] = defaultdict(list)
    for class_id, user_id, name in rows:
        found[class_id].append((user_id, name))
    return found


def _sessions_held(class_ids: list[int], now: datetime) -> dict[int, int]:
    rows = db.session.execute(
        select(m.ClassSession.class_id, func.count()).where(
            m.ClassSession.class_id.in_(class_ids), m.ClassSession.status == m.SCHEDULED,
            m.ClassSession.starts_at <= now).group_by(m.ClassSession.class_id))
    return dict(rows.all())


def class_reports(groups: list[m.ClassGroup], now: datetime | None = None) -> list[ClassReport]:
    """One report per class: a row per member (by name) and the class's totals."""
    ids = [group.id for group in groups]
    tallies, enrolled, held = _member_tallies(ids), _members_without_records(ids), _sessions_held(ids, now or utcnow())
    reports = []
    for group in groups:
        rows = dict(tallies.get(group.id, {}))
        for user_id, name in enrolled.get(group.id, ()):
            # Members are shown by their name now; people who left, by the name their records keep.
            rows[user_id] = (name, rows[user_id][1] if user_id in rows else Tally())
        members = sorted((MemberRow(uid, name, tally) for uid, (name, tally) in rows.items()),
                         key=lambda row: (row.name, row.user_id or 0))
        total = Tally.total([row.tally for row in members])
        reports.append(ClassReport(group, members, total, held.get(group.id, 0)))
    return reports


def term_classes(term: m.Term, user=None) -> list[m.ClassGroup]:
    """The term's classes ``user`` may see the reports of: all for the office, else the ones they teach."""
    groups = list(term.classes)
    return groups if user is None else [group for group in groups if can_teach_class(user, group)]


# ---------------------------------------------------------------- one class: sessions, months, a member

@dataclass
class SessionRow:
    session: m.ClassSession
    tally: Tally


def session_rows(group: m.ClassGroup) -> list[SessionRow]:
    """Each session of the class that has started, with its records' tally."""
    query = (_records_of_sessions()
             .add_columns(m.ClassSession.id, am.AttendanceRecord.status, func.count())
             .where(m.ClassSession.class_id == group.id)
             .group_by(m.ClassSession.id, am.AttendanceRecord.status))
    tallies: dict[int, Tally] = defaultdict(Tally)
    for session_id, status, count in db.session.execute(query):
        tallies[session_id].add(status, count)
    now = utcnow()
    return [SessionRow(session, tallies[session.id]) for session in group.sessions
            if session.status == m.SCHEDULED and session.starts_at <= now]


def by_month(class_ids: list[int]) -> list[tuple[tuple[int, int], Tally]]:
    """The classes' records added up per calendar month of their sessions (site time), oldest first."""
    query = (_records_of_sessions()
             .add_columns(m.ClassSession.starts_at, *status_sums(am.AttendanceRecord.status))
             .where(m.ClassSession.class_id.in_(class_ids))
             .group_by(m.ClassSession.id, m.ClassSession.starts_at))
    months: dict[tuple[int, int], Tally] = {}
    for starts_at, *counts in db.session.execute(query):
        local = to_local(starts_at)
        months.setdefault((local.year, local.month), Tally()).merge(Tally(dict(zip(am.STATUSES, counts))))
    return sorted(months.items())


def session_entries(session: m.ClassSession) -> list[Entry]:
    """Who was expected at the session (the engine's roster) and where each stands, by name."""
    return event_entries(attendance.event_for(EVENT_KIND, session.id))


def member_sessions(group: m.ClassGroup, user_id: int) -> tuple[list[tuple[m.ClassSession, am.AttendanceRecord]], Tally]:
    """A member's records in a class, session by session, and their tally."""
    query = (_records_of_sessions().add_columns(m.ClassSession, am.AttendanceRecord)
             .where(m.ClassSession.class_id == group.id, am.AttendanceRecord.user_id == user_id)
             .order_by(m.ClassSession.starts_at))
    rows = [(session, record) for session, record in db.session.execute(query)]
    tally = Tally()
    for _session, record in rows:
        tally.add(record.status)
    return rows, tally
