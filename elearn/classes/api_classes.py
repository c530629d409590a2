"""/api/v1: terms and classes (list, read; the office creates, changes and copies to the next term).

The same services and ``can_*`` rules as the office's pages. A rule the document cannot state (a
term that ends before it starts, a day outside the class's term) is answered 409, not 422: the
request itself is well-formed (docs/api-testing.md)."""
from __future__ import annotations

from contextlib import contextmanager

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..accounts.models import User
from ..api import SECURITY, error_responses
from ..core.db import unit_of_work
from ..core.errors import NotFound, ServiceError
from ..core.permissions import actor, is_signed_in, require
from ..courses.services import get_course, teacher_candidates
from ..extensions import db
from . import enrolment, schedule, services
from . import models as m
from .api import blp
from .permissions import can_manage_classes, can_view_class, staff_role
from .schemas import (ClassCreateSchema, ClassPatchSchema, ClassQuerySchema, ClassSchema, CopySchema,
                      TermCreateSchema, TermPatchSchema, TermSchema)

_errors = error_responses(blp)
_CONFLICT = {409: "A name already used, a term ending before it starts or lasting over a year, "
                  "someone in teacher_ids without the teacher role"}


@contextmanager
def conflicts():
    """A service's 422 (a rule about the values together, or about the data) becomes 409 here."""
    try:
        yield
    except ServiceError as refused:
        if refused.status == 422:
            refused.status = 409
        raise


# ---------------------------------------------------------------- terms

@blp.route("/terms")
class Terms(MethodView):
    @require(is_signed_in)
    @blp.response(200, TermSchema(many=True))
    @_errors()
    @blp.doc(security=SECURITY)
    def get(self):
        """Every term, newest first."""
        return services.terms()

    @require(can_manage_classes)
    @blp.arguments(TermCreateSchema)
    @blp.response(201, TermSchema)
    @_errors(403, _CONFLICT, 422)
    @blp.doc(security=SECURITY)
    def post(self, data):
        """Add a term (the office)."""
        with unit_of_work(), conflicts():
            return services.save_term(None, **data)


@blp.route("/terms/<id:term>")
class TermItem(MethodView):
    @require(is_signed_in)
    @blp.response(200, TermSchema)
    @_errors(404)
    @blp.doc(security=SECURITY)
    def get(self, term):
        """One term."""
        return services.get_term(term)

    @require(can_manage_classes)
    @blp.arguments(TermPatchSchema)
    @blp.response(200, TermSchema)
    @_errors(403, 404, _CONFLICT, 422)
    @blp.doc(security=SECURITY)
    def patch(self, data, term):
        """Change a term's name, dates or the attendance its certificate needs (the office)."""
        with unit_of_work(), conflicts():
            term = services.get_term(term)
            fields_ = {key: data.get(key, getattr(term, key)) for key in ("name", "starts_on", "ends_on", "required_rate")}
            return services.save_term(term, **fields_)


# ---------------------------------------------------------------- classes

def dump_class(group: m.ClassGroup) -> dict:
    people = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(group.staff_ids())))}
    def named(role):
        return [{"id": uid, "name": people[uid].name} for uid in sorted(group.staff_ids(role)) if uid in people]

    out = {key: getattr(group, key) for key in ("id", "term", "name", "course_id", *services.SETTINGS)}
    out.update(teachers=named(m.TEACHER), assistants=named(m.ASSISTANT),
               enrolled=enrolment.enrolled_count(group), my_role=_my_role(group))
    return out


def _my_role(group: m.ClassGroup) -> str | None:
    user = actor()
    role = staff_role(user, group)
    if role is None and is_signed_in(user):
        row = enrolment.enrolment_of(group, user.id)
        role = row.state if row is not None and row.state != m.LEFT else None
    return role


def _visible_classes(user, term_id: int | None) -> list[m.ClassGroup]:
    """Admins: every class; anyone else: the classes they are in, wait for, teach or assist."""
    query = select(m.ClassGroup).order_by(m.ClassGroup.term_id.desc(), m.ClassGroup.name)
    if term_id is not None:
        query = query.where(m.ClassGroup.term_id == services.get_term(term_id).id)
    if not can_manage_classes(user):
        joined = select(m.Enrolment.class_id).where(m.Enrolment.user_id == user.id,
                                                    m.Enrolment.state.in_((m.ENROLLED, m.WAITING)))
        staffed = select(m.ClassStaff.class_id).where(m.ClassStaff.user_id == user.id)
        query = query.where(or_(m.ClassGroup.id.in_(joined), m.ClassGroup.id.in_(staffed)))
    return list(db.session.scalars(query))


def _check_staff(data: dict) -> None:
    """The pages offer only teachers to choose from; the API names people by id, so it asks (about
    the ids sent: a teacher kept from before is not asked again)."""
    if "teacher_ids" in data and not set(data["teacher_ids"]) <= {user.id for user in teacher_candidates()}:
        raise ServiceError("not_a_teacher", _l("Please choose teachers from the list of teachers."), status=409,
                           field="teacher_ids")
    wanted = set(data.get("assistant_ids", ()))
    if set(db.session.scalars(select(User.id).where(User.id.in_(wanted)))) != wanted:
        raise NotFound("person_not_found", _l("This person does not exist."), field="assistant_ids")


def _save(group: m.ClassGroup | None, data: dict) -> m.ClassGroup:
    current = {} if group is None else {
        "term_id": group.term_id, "name": group.name, "course_id": group.course_id,
        "teacher_ids": sorted(group.staff_ids(m.TEACHER)), "assistant_ids": sorted(group.staff_ids(m.ASSISTANT)),
        **{key: getattr(group, key) for key in services.SETTINGS}}
    values = {**current, **data}
    _check_staff(data)
    if data.get("course_id") is not None:
        get_course(data["course_id"])
    term = services.get_term(values.pop("term_id"))
    return services.save_class(group, term=term, **values)


@blp.route("/classes")
class Classes(MethodView):
    @require(is_signed_in)
    @blp.arguments(ClassQuerySchema, location="query")
    @blp.response(200, ClassSchema(many=True))
    @_errors({404: "No such term"}, 422)
    @blp.doc(security=SECURITY)
    def get(self, query):
        """The caller's classes (as a member, on the waiting list, teaching or assisting); admins: all."""
        return [dump_class(group) for group in _visible_classes(actor(), query.get("term"))]

    @require(can_manage_classes)
    @blp.arguments(ClassCreateSchema)
    @blp.response(201, ClassSchema)
    @_errors(403, {404: "No such term, course or assistant"}, _CONFLICT, 422)
    @blp.doc(security=SECURITY)
    def post(self, data):
        """Add a class to a term (the office)."""
        with unit_of_work(locked=True), conflicts():
            group = _save(None, data)
        return dump_class(group)


@blp.route("/classes/<id:group>")
class ClassItem(MethodView):
    @require(can_view_class, group=services.get_class)
    @blp.response(200, ClassSchema)
    @_errors(403, 404)
    @blp.doc(security=SECURITY)
    def get(self, group):
        """One class (its members, teachers and assistants, and the office)."""
        return dump_class(group)

    @require(can_manage_classes, group=services.get_class)
    @blp.arguments(ClassPatchSchema)
    @blp.response(200, ClassSchema)
    @_errors(403, {404: "No such class, term, course or assistant"}, _CONFLICT, 422)
    @blp.doc(security=SECURITY)
    def patch(self, data, group):
        """Change a class: the fields sent, the rest as they are (the office)."""
        with unit_of_work(locked=True), conflicts():
            _save(group, data)
        return dump_class(group)


@blp.route("/classes/<id:group>/copy")
class ClassCopy(MethodView):
    @require(can_manage_classes, group=services.get_class)
    @blp.arguments(CopySchema)
    @blp.response(201, ClassSchema)
    @_errors(403, {404: "No such class or term"},
             {409: "The term already has a class of this name, or a room is taken at a weekly time"}, 422)
    @blp.doc(security=SECURITY)
    def post(self, data, group):
        """The same class in another term in one step: settings, staff, weekly schedule (members join anew)."""
        with unit_of_work(locked=True), conflicts():
            copy = schedule.copy_to_term(group, services.get_term(data["term_id"]))
        return dump_class(copy)
