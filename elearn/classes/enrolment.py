"""Members of a class: enrolled by the office, or joining by themselves where the class allows it,
with capacity and a waiting list that moves up by itself when a place frees. Leaving keeps the row
(and so the attendance history); the sessions before someone joined are never theirs."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..core.errors import Forbidden, ServiceError
from ..core.timeutil import utcnow
from ..extensions import db
from . import models as m


def enrolment_of(group: m.ClassGroup, user_id: int, *, lock: bool = False) -> m.Enrolment | None:
    query = select(m.Enrolment).filter_by(class_id=group.id, user_id=user_id)
    return db.session.scalar(query.with_for_update(of=m.Enrolment) if lock else query)


def enrolled_count(group: m.ClassGroup) -> int:
    return db.session.scalar(select(func.count()).select_from(m.Enrolment)
                             .filter_by(class_id=group.id, state=m.ENROLLED))


def is_full(group: m.ClassGroup) -> bool:
    return group.capacity is not None and enrolled_count(group) >= group.capacity


def _place(group: m.ClassGroup, user_id: int, *, waiting_allowed: bool, now: datetime) -> m.Enrolment:
    row = enrolment_of(group, user_id, lock=True)
    if row is not None and row.state in (m.ENROLLED, m.WAITING):
        return row
    full = is_full(group)  # counted before this row exists: a new row would count itself
    if row is None:
        row = m.Enrolment(class_id=group.id, user_id=user_id)
        db.session.add(row)
    row.left_at = None
    if full:
        if not waiting_allowed:
            raise ServiceError("class_full", _l("This class is full."), status=409)
        row.state, row.waiting_since, row.enrolled_at = m.WAITING, now, None
    else:
        row.state, row.enrolled_at, row.waiting_since = m.ENROLLED, now, None
    db.session.flush()
    return row


def enrol(group: m.ClassGroup, user_id: int, *, now: datetime | None = None, waiting_allowed: bool = True) -> m.Enrolment:
    """The office adds a person (to the waiting list when the class is full)."""
    return _place(group, user_id, waiting_allowed=waiting_allowed, now=now or utcnow())


def join(group: m.ClassGroup, user, *, now: datetime | None = None) -> m.Enrolment:
    """A student joins by themself: only where the class allows it."""
    if not group.self_enrol:
        raise Forbidden("no_self_enrol", _l("This class takes members through the office. Please ask the office."))
    return _place(group, user.id, waiting_allowed=True, now=now or utcnow())


def leave(group: m.ClassGroup, user_id: int, *, now: datetime | None = None) -> m.Enrolment | None:
    """Leave the class (or the waiting list); the first person waiting moves up. Returns who moved up."""
    now = now or utcnow()
    row = enrolment_of(group, user_id, lock=True)
    if row is None or row.state == m.LEFT:
        raise ServiceError("not_member", _l("This person is not in this class."), status=409)
    was_enrolled = row.state == m.ENROLLED
    row.state, row.left_at, row.waiting_since = m.LEFT, now, None
    db.session.flush()
    return promote(group, now) if was_enrolled else None


def promote(group: m.ClassGroup, now: datetime | None = None) -> m.Enrolment | None:
    """Move the longest-waiting person up if a place is free; they see it on their home page."""
    if is_full(group):
        return None
    row = db.session.scalar(select(m.Enrolment).filter_by(class_id=group.id, state=m.WAITING)
                            .order_by(m.Enrolment.waiting_since, m.Enrolment.id).limit(1).with_for_update(of=m.Enrolment))
    if row is None:
        return None
    row.state, row.enrolled_at, row.waiting_since, row.promoted_unseen = m.ENROLLED, now or utcnow(), None, True
    db.session.flush()
    return row


def members(group: m.ClassGroup, state: str = m.ENROLLED) -> list[m.Enrolment]:
    return list(db.session.scalars(select(m.Enrolment).filter_by(class_id=group.id, state=state)
                                   .order_by(m.Enrolment.waiting_since, m.Enrolment.id)))


def classes_of(user_id: int, state: str = m.ENROLLED) -> list[m.ClassGroup]:
    return list(db.session.scalars(select(m.ClassGroup).join(m.Enrolment, m.Enrolment.class_id == m.ClassGroup.id)
                                   .where(m.Enrolment.user_id == user_id, m.Enrolment.state == state)))


def next_sessions(user_id: int, now: datetime | None = None, limit: int = 3) -> list[m.ClassSession]:
    """The person's coming sessions (not cancelled, not over), soonest first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(m.ClassSession).join(m.Enrolment, m.Enrolment.class_id == m.ClassSession.class_id)
        .where(m.Enrolment.user_id == user_id, m.Enrolment.state == m.ENROLLED,
               m.ClassSession.status == m.SCHEDULED, m.ClassSession.ends_at > now)
        .order_by(m.ClassSession.starts_at).limit(limit)))


def moved_up_unseen(user_id: int) -> list[m.Enrolment]:
    return list(db.session.scalars(select(m.Enrolment).filter_by(user_id=user_id, promoted_unseen=True)))


def mark_moved_up_seen(group: m.ClassGroup, user_id: int) -> None:
    row = enrolment_of(group, user_id)
    if row is not None:
        row.promoted_unseen = False
