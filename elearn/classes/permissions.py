"""Who may do what with classes (pages and API ask the same rules)."""
from __future__ import annotations

from sqlalchemy import exists, select

from ..core.permissions import is_admin, is_signed_in
from ..extensions import db
from . import models as m


def can_manage_classes(user, thing=None) -> bool:
    """Terms, classes, schedules and rosters: the office (``thing``: the class or session at hand)."""
    return is_admin(user)


def staff_role(user, group: m.ClassGroup) -> str | None:
    if not is_signed_in(user):
        return None
    for staff in group.staff:
        if staff.user_id == user.id:
            return staff.role
    return None


def can_teach_class(user, group: m.ClassGroup) -> bool:
    """Teachers of the class: announcements, leave decisions, the class's reports."""
    return is_admin(user) or staff_role(user, group) == m.TEACHER


def can_take_roll(user, group: m.ClassGroup) -> bool:
    """Teachers and assistants (班长) take roll and mark home visits."""
    return is_admin(user) or staff_role(user, group) is not None


def is_member(user, group: m.ClassGroup) -> bool:
    if not is_signed_in(user):
        return False
    return db.session.scalar(select(exists().where(
        m.Enrolment.class_id == group.id, m.Enrolment.user_id == user.id,
        m.Enrolment.state.in_((m.ENROLLED, m.WAITING))))) or False


def can_view_class(user, group: m.ClassGroup) -> bool:
    return can_take_roll(user, group) or is_member(user, group)


def can_join_class(user, group: m.ClassGroup) -> bool:
    return is_signed_in(user) and group.self_enrol


def can_leave_class(user, group: m.ClassGroup) -> bool:
    return is_member(user, group)


def can_take_session_roll(user, session: m.ClassSession) -> bool:
    """The roll-call page and the classroom's check-in screen of one session."""
    return can_take_roll(user, session.class_group)


def can_view_own_classes(user) -> bool:
    return is_signed_in(user)


def _request_group(request) -> m.ClassGroup | None:
    session = db.session.get(m.ClassSession, request.event.owner_id)
    return session.class_group if session else None


def can_ask_leave(user, session: m.ClassSession) -> bool:
    """Members ask for their own sessions, teachers file for a member; the engine then checks that the
    person is on the session's list and that it has not ended, and says why not."""
    return is_member(user, session.class_group) or can_teach_class(user, session.class_group)


def can_decide_leave(user, request) -> bool:
    """The class's teachers approve or refuse a leave request."""
    group = _request_group(request)
    return group is not None and can_teach_class(user, group)


def can_view_leave(user, request) -> bool:
    """The person it is for, and those who take the class's roll."""
    group = _request_group(request)
    return is_signed_in(user) and (request.user_id == user.id or (group is not None and can_take_roll(user, group)))


def can_withdraw_leave(user, request) -> bool:
    """Only the person it is for takes a request back (the engine refuses once it is decided)."""
    return is_signed_in(user) and request.user_id == user.id


def can_issue_certificates(user, group: m.ClassGroup) -> bool:
    """The class's teachers and the office see who qualifies and issue the 结业证书."""
    return can_teach_class(user, group)


def can_download_certificate(user, certificate: m.Certificate) -> bool:
    return is_signed_in(user) and (certificate.user_id == user.id or can_teach_class(user, certificate.class_group))


def can_revoke_certificate(user, certificate: m.Certificate) -> bool:
    """Only the office takes a certificate back."""
    return is_admin(user)


def can_view_reports(user) -> bool:
    """The attendance reports overview: the office (every class) and teachers (the classes they teach)."""
    return is_admin(user) or (is_signed_in(user) and (db.session.scalar(select(exists().where(
        m.ClassStaff.user_id == user.id, m.ClassStaff.role == m.TEACHER))) or False))


def can_view_term_reports(user, term: m.Term) -> bool:
    return can_view_reports(user)


def can_report_session(user, session: m.ClassSession) -> bool:
    """A session's attendance report: the class's teachers and the office."""
    return can_teach_class(user, session.class_group)
