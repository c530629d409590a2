"""Terms and class groups: create, change, staff, copy to the next term. Plain functions that flush
and never commit. Schedules (and copying a class) are in ``schedule.py``, members in ``enrolment.py``."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import null, select

from ..core.errors import NotFound, ServiceError
from ..core.text import clean_line, required_line
from ..extensions import db
from . import models as m


def _name(value, field: str, limit: int) -> str:
    return required_line(value, field, limit)


# ---------------------------------------------------------------- terms

def get_term(term_id: int) -> m.Term:
    term = db.session.get(m.Term, term_id)
    if term is None:
        raise NotFound("term_not_found", _l("This term no longer exists."))
    return term


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ServiceError("ends_before_start", _l("A term cannot end before it starts."), status=422, field="ends_on")
    if (ends_on - starts_on).days > 366:
        raise ServiceError("too_long", _l("A term can last one year at most."), status=422, field="ends_on")


def save_term(term: m.Term | None, *, name, starts_on: date, ends_on: date, required_rate: float = 0.8) -> m.Term:
    name = _name(name, "name", 64)
    _check_dates(starts_on, ends_on)
    if not 0 <= required_rate <= 1:
        raise ServiceError("bad_rate", _l("The required attendance must be between 0 % and 100 %."), status=422,
                           field="required_rate")
    other = db.session.scalar(select(m.Term).filter_by(name=name))
    if other is not None and other is not term:
        raise ServiceError("duplicate", _l("There is already a term with this name."), status=409, field="name")
    if term is None:
        term = m.Term()
        db.session.add(term)
    term.name, term.starts_on, term.ends_on, term.required_rate = name, starts_on, ends_on, required_rate
    db.session.flush()
    return term


def terms() -> list[m.Term]:
    return list(db.session.scalars(select(m.Term).order_by(m.Term.starts_on.desc())))


# ---------------------------------------------------------------- class groups

def get_class(class_id: int) -> m.ClassGroup:
    group = db.session.get(m.ClassGroup, class_id)
    if group is None:
        raise NotFound("class_not_found", _l("This class no longer exists."))
    return group


SETTINGS = ("room", "capacity", "self_enrol", "opens_before_minutes", "closes_after_minutes", "late_after_minutes",
            "makeup_days", "absent_when_unmarked", "certificate_rate")


def save_class(group: m.ClassGroup | None, *, term: m.Term, name, course_id: int | None = None,
               teacher_ids=(), assistant_ids=(), **settings) -> m.ClassGroup:
    """Create or change a class; ``settings`` are the names in ``SETTINGS``."""
    name = _name(name, "name", 100)
    if not teacher_ids:
        raise ServiceError("teacher_required", _l("A class needs at least one teacher."), status=422,
                           field="teacher_ids")
    capacity = settings.get("capacity")
    if capacity is not None and not 1 <= capacity <= 10000:
        raise ServiceError("bad_capacity", _l("The number of places must be between 1 and 10000."), status=422,
                           field="capacity")
    for key in ("opens_before_minutes", "closes_after_minutes", "makeup_days"):
        if key in settings and not 0 <= settings[key] <= 24 * 60:
            raise ServiceError("bad_minutes", _l("Please give a number between 0 and 1440."), status=422, field=key)
    rate = settings.get("certificate_rate")
    if rate is not None and not 0 <= rate <= 1:
        raise ServiceError("bad_rate", _l("The required attendance must be between 0 % and 100 %."), status=422,
                           field="certificate_rate")
    other = db.session.scalar(select(m.ClassGroup).filter_by(term_id=term.id, name=name))
    if other is not None and other is not group:
        raise ServiceError("duplicate", _l("This term already has a class with this name."), status=409, field="name")
    if group is None:
        group = m.ClassGroup(term=term)
        db.session.add(group)
    group.term, group.name, group.course_id = term, name, course_id
    if "room" in settings:
        settings["room"] = clean_line(settings["room"], "room")[:100]
    for key, value in settings.items():
        if key not in SETTINGS:
            raise TypeError(key)
        # null(): a new row would take the column's default (10 minutes late) for a plain None ("never").
        setattr(group, key, null() if value is None else value)
    _set_staff(group, teacher_ids, assistant_ids)
    db.session.flush()
    return group


def _set_staff(group: m.ClassGroup, teacher_ids, assistant_ids) -> None:
    teachers = {int(uid) for uid in teacher_ids}
    assistants = {int(uid) for uid in assistant_ids} - teachers
    group.staff = [m.ClassStaff(user_id=uid, role=m.TEACHER) for uid in sorted(teachers)] + \
        [m.ClassStaff(user_id=uid, role=m.ASSISTANT) for uid in sorted(assistants)]


def classes_of_term(term: m.Term) -> list[m.ClassGroup]:
    return list(db.session.scalars(select(m.ClassGroup).filter_by(term_id=term.id).order_by(m.ClassGroup.name)))
