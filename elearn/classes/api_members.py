"""/api/v1: a class's sessions (list by dates; the office adds one-offs, moves and cancels) and its
members (join, leave, the office enrols by user id or mobile number, the list with the waiting list)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask.views import MethodView
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..accounts.services import find_user
from ..api import SECURITY, error_responses
from ..core.db import unit_of_work
from ..core.errors import NotFound, ServiceError
from ..core.permissions import actor, require
from ..core.timeutil import from_site_time
from ..courses.services import get_lesson
from ..extensions import db
from . import enrolment, schedule, services
from . import models as m
from .api import blp
from .api_classes import conflicts
from .permissions import can_join_class, can_leave_class, can_manage_classes, can_take_roll, can_view_class
from .schemas import (EnrolSchema, MemberSchema, MembersSchema, SessionCreateSchema, SessionMoveSchema,
                      SessionQuerySchema, SessionSchema)

_errors = error_responses(blp)
#: Days outside these are no day of any term; they would overflow as times.
_EARLIEST, _LATEST = date(1900, 1, 1), date(9000, 12, 31)


# ---------------------------------------------------------------- sessions

def _day_start(day: date) -> datetime:
    return from_site_time(min(max(day, _EARLIEST), _LATEST), time.min)


def _in_term(group: m.ClassGroup, day: date) -> None:
    if not group.term.starts_on <= day <= group.term.ends_on:
        raise ServiceError("outside_term", _l("Please choose a day of the class's term (%(start)s to %(end)s).",
                                              start=group.term.starts_on.isoformat(),
                                              end=group.term.ends_on.isoformat()), status=409, field="day")


@blp.route("/classes/<id:group>/sessions")
class ClassSessions(MethodView):
    @require(can_view_class, group=services.get_class)
    @blp.arguments(SessionQuerySchema, location="query")
    @blp.response(200, SessionSchema(many=True))
    @_errors(403, 404, 422)
    @blp.doc(security=SECURITY)
    def get(self, query, group):
        """The class's sessions (cancelled ones too), soonest first, between two days if given."""
        start = _day_start(query.get("start", _EARLIEST))
        end = _day_start(query.get("until", _LATEST)) + timedelta(days=1)
        return schedule.sessions_between(group, start, end)

    @require(can_manage_classes, group=services.get_class)
    @blp.arguments(SessionCreateSchema)
    @blp.response(201, SessionSchema)
    @_errors(403, {404: "No such class or lesson"},
             {409: "A day outside the class's term, the room taken at that time, or a lesson of another course"}, 422)
    @blp.doc(security=SECURITY)
    def post(self, data, group):
        """Add a one-off session (an extra lesson, an outing)."""
        with unit_of_work(locked=True), conflicts():
            _in_term(group, data["day"])
            if "lesson_id" in data:
                _check_lesson(group, data["lesson_id"])
            session = schedule.add_session(group, **data)
        return session


def _check_lesson(group: m.ClassGroup, lesson_id: int) -> None:
    if get_lesson(lesson_id).course_id != group.course_id:
        raise ServiceError("other_course", _l("Please choose a lesson of the class's course."), status=409,
                           field="lesson_id")


@blp.route("/class-sessions/<id:session>/move")
class SessionMove(MethodView):
    @require(can_manage_classes, session=schedule.get_session)
    @blp.arguments(SessionMoveSchema)
    @blp.response(200, SessionSchema)
    @_errors(403, 404, {409: "Cancelled or over, a day outside the class's term, or the room taken then"}, 422)
    @blp.doc(security=SECURITY)
    def post(self, data, session):
        """Move a session to another day or time (its first planned time is kept)."""
        with unit_of_work(locked=True), conflicts():
            _in_term(session.class_group, data["day"])
            schedule.move_session(session, **data)
        return session


@blp.route("/class-sessions/<id:session>/cancel")
class SessionCancel(MethodView):
    @require(can_manage_classes, session=schedule.get_session)
    @blp.response(200, SessionSchema)
    @_errors(403, 404)
    @blp.doc(security=SECURITY)
    def post(self, session):
        """Cancel a session; its check-in codes stop working. Cancelling it again changes nothing."""
        if session.status != m.CANCELLED:
            with unit_of_work(locked=True):
                schedule.cancel_session(session)
        return session


# ---------------------------------------------------------------- members

def dump_member(row: m.Enrolment) -> dict:
    return {"person": {"id": row.user_id, "name": row.user.name}, "state": row.state, "enrolled_at": row.enrolled_at,
            "waiting_since": row.waiting_since, "left_at": row.left_at}


@blp.route("/classes/<id:group>/members")
class ClassMembers(MethodView):
    @require(can_take_roll, group=services.get_class)
    @blp.response(200, MembersSchema)
    @_errors(403, 404)
    @blp.doc(security=SECURITY)
    def get(self, group):
        """The members and the waiting list (teachers, assistants and the office)."""
        return {"members": [dump_member(row) for row in enrolment.members(group)],
                "waiting": [dump_member(row) for row in enrolment.members(group, m.WAITING)]}

    @require(can_manage_classes, group=services.get_class)
    @blp.arguments(EnrolSchema)
    @blp.response(200, MemberSchema)
    @_errors(403, {404: "No such class, or nobody has this id or mobile number"}, 422)
    @blp.doc(security=SECURITY)
    def post(self, data, group):
        """Enrol a person (the office); to the waiting list when the class is full. Enrolling again changes nothing."""
        with unit_of_work(locked=True):
            person = _person(data)
            row = enrolment.enrol(group, person.id)
        return dump_member(row)


def _person(data: dict) -> User:
    person = db.session.get(User, data["user_id"]) if "user_id" in data else find_user(data["mobile"])
    if person is None:
        raise NotFound("person_not_found", _l("Nobody has this id or mobile number."))
    return person


@blp.route("/classes/<id:group>/members/<id:person>")
class ClassMember(MethodView):
    @require(can_manage_classes, group=services.get_class)
    @blp.response(204)
    @_errors(403, 404, {409: "The person is not in the class"})
    @blp.doc(security=SECURITY)
    def delete(self, group, person):
        """Take a person out of the class (their attendance stays); the first one waiting moves up."""
        with unit_of_work(locked=True):
            enrolment.leave(group, person)


@blp.route("/classes/<id:group>/join")
class ClassJoin(MethodView):
    @require(can_join_class, group=services.get_class)
    @blp.response(200, MemberSchema)
    @_errors({403: "The class takes members through the office only"}, 404)
    @blp.doc(security=SECURITY)
    def post(self, group):
        """Join a class that allows it: a place, or the waiting list when it is full (it moves up by itself)."""
        with unit_of_work(locked=True):
            row = enrolment.join(group, actor())
        return dump_member(row)


@blp.route("/classes/<id:group>/leave")
class ClassLeave(MethodView):
    @require(can_leave_class, group=services.get_class)
    @blp.response(204)
    @_errors({403: "Not in the class"}, 404)
    @blp.doc(security=SECURITY)
    def post(self, group):
        """Leave the class or its waiting list; the attendance so far is kept."""
        with unit_of_work(locked=True):
            enrolment.leave(group, actor().id)
