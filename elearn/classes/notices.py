"""Announcements (通知) from a class's teachers to its members, and the ones the schedule writes by
itself when a session is moved or cancelled (in the same unit of work as the change). Plain
functions that flush and never commit; the rules pages and API ask are at the end.

The text is plain: it is kept as typed (cleaned by ``core.text``) and always shown escaped, with its
line breaks; no HTML a person writes reaches a page.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from ..accounts.models import User
from ..core.errors import Forbidden, NotFound, stored_message, translated
from ..core.permissions import is_signed_in
from ..core.text import clean_line, clean_text, required
from ..core.timeutil import localtime, utcnow
from ..extensions import db
from . import models as m
from .notices_models import CANCELLED, MESSAGE, MOVED, Notice, NoticeReceipt
from .permissions import can_teach_class

TITLE_MAX, BODY_MAX = 100, 2000
#: The values of a session change that are times, kept as ISO UTC and shown on the reader's clock.
TIME_KEYS = ("old", "new")
#: How many unread notices the home page shows at most (the rest are on 「我的通知」).
HOME_LIMIT = 3


def get_notice(notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("notice_not_found", _l("This announcement no longer exists."))
    return notice


def _checked(text: str, field: str, limit: int) -> str:
    return required(text, field, limit)


def _address(notice: Notice) -> int:
    """One receipt per member enrolled now; returns how many."""
    people = db.session.scalars(select(m.Enrolment.user_id).filter_by(class_id=notice.class_id, state=m.ENROLLED))
    receipts = [NoticeReceipt(notice_id=notice.id, user_id=uid) for uid in people]
    db.session.add_all(receipts)
    db.session.flush()
    return len(receipts)


def post_notice(group: m.ClassGroup, author, *, title, body, now: datetime | None = None) -> Notice:
    """A teacher's announcement to the class's members (the rule ``can_write_notice`` is the caller's)."""
    title = _checked(clean_line(title, "title"), "title", TITLE_MAX)
    body = _checked(clean_text(body, "body"), "body", BODY_MAX)
    notice = Notice(class_id=group.id, author_id=author.id, kind=MESSAGE, title=title, body=body,
                    created_at=now or utcnow())
    db.session.add(notice)
    db.session.flush()
    _address(notice)
    return notice


def _site_notice(session: m.ClassSession, kind: str, title, body, now: datetime | None) -> Notice:
    title_id, params = stored_message(title)
    body_id, body_params = stored_message(body)
    notice = Notice(class_id=session.class_id, kind=kind, title=title_id, body=body_id,
                    params={**(params or {}), **(body_params or {})}, session_id=session.id,
                    created_at=now or utcnow())
    db.session.add(notice)
    db.session.flush()
    _address(notice)
    return notice


def session_moved(session: m.ClassSession, old_starts_at: datetime, old_room: str,
                  now: datetime | None = None) -> Notice:
    """「书法一班：上课时间改了」 with the old and the new time (and the new room if it changed)."""
    name, old, new = session.class_group.name, old_starts_at.isoformat(), session.starts_at.isoformat()
    if session.room and session.room != old_room:
        body = _l("The session on %(old)s has moved to %(new)s, in room %(room)s.", old=old, new=new,
                  room=session.room)
    else:
        body = _l("The session on %(old)s has moved to %(new)s.", old=old, new=new)
    return _site_notice(session, MOVED, _l("%(name)s: a session has moved", name=name), body, now)


def session_cancelled(session: m.ClassSession, now: datetime | None = None) -> Notice:
    """「书法一班：停课一次」 with the time of the session that will not take place."""
    return _site_notice(session, CANCELLED, _l("%(name)s: a session is cancelled", name=session.class_group.name),
                        _l("The session on %(old)s is cancelled. There is no class then.",
                           old=session.starts_at.isoformat()), now)


def words(notice: Notice) -> tuple[str, str]:
    """(title, body) for the reader: a teacher's text as typed, the site's own in the reader's language."""
    if notice.kind == MESSAGE:
        return notice.title, notice.body
    params = dict(notice.params or {})
    for key in TIME_KEYS:
        if key in params:
            params[key] = localtime(datetime.fromisoformat(params[key]))
    return translated(notice.title, params), translated(notice.body, params)


# ---------------------------------------------------------------- reading

def receipts_of(user_id: int, *, unread: bool = False, limit: int | None = None) -> list[NoticeReceipt]:
    """The notices that went to the person, newest first (only the unread ones with ``unread``)."""
    query = (select(NoticeReceipt).join(Notice).where(NoticeReceipt.user_id == user_id)
             .order_by(Notice.created_at.desc(), Notice.id.desc()))
    if unread:
        query = query.where(NoticeReceipt.read_at.is_(None))
    return list(db.session.scalars(query.limit(limit)))


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(NoticeReceipt)
                             .where(NoticeReceipt.user_id == user_id, NoticeReceipt.read_at.is_(None)))


def receipt(notice: Notice, user_id: int) -> NoticeReceipt | None:
    return db.session.get(NoticeReceipt, (notice.id, user_id))


def mark_read(notice: Notice, user, now: datetime | None = None) -> NoticeReceipt:
    """「知道了」: the first time counts; pressing it again changes nothing."""
    row = receipt(notice, user.id)
    if row is None:
        raise Forbidden("not_addressed", _l("This announcement was not sent to you."))
    if row.read_at is None:
        row.read_at = now or utcnow()
        db.session.flush()
    return row


def class_notices(group: m.ClassGroup, limit: int = 100) -> list[Notice]:
    return list(db.session.scalars(select(Notice).filter_by(class_id=group.id)
                                   .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)))


def read_counts(notices) -> dict[int, tuple[int, int]]:
    """``{notice id: (read, sent to)}`` in one query."""
    ids = [notice.id for notice in notices]
    counts = {notice_id: (0, 0) for notice_id in ids}
    if ids:
        rows = db.session.execute(select(NoticeReceipt.notice_id, func.count(NoticeReceipt.read_at), func.count())
                                  .where(NoticeReceipt.notice_id.in_(ids)).group_by(NoticeReceipt.notice_id))
        counts.update({notice_id: (read, total) for notice_id, read, total in rows})
    return counts


def not_read_by(notices) -> dict[int, list[User]]:
    """``{notice id: the people who have not read it yet}``, by name, in one query."""
    ids = [notice.id for notice in notices]
    people = {notice_id: [] for notice_id in ids}
    if ids:
        rows = db.session.execute(select(NoticeReceipt.notice_id, User).join(User, NoticeReceipt.user_id == User.id)
                                  .where(NoticeReceipt.notice_id.in_(ids), NoticeReceipt.read_at.is_(None))
                                  .order_by(User.name, User.id))
        for notice_id, user in rows:
            people[notice_id].append(user)
    return people


# ---------------------------------------------------------------- who may

def can_write_notice(user, group: m.ClassGroup) -> bool:
    """The class's teachers (not its assistants) and admins write to its members and see who has read."""
    return can_teach_class(user, group)


def is_addressee(user, notice: Notice) -> bool:
    return is_signed_in(user) and db.session.scalar(select(exists().where(
        NoticeReceipt.notice_id == notice.id, NoticeReceipt.user_id == user.id))) or False


def can_mark_notice_read(user, notice: Notice) -> bool:
    return is_addressee(user, notice)


def can_view_notice_reads(user, notice: Notice) -> bool:
    return can_write_notice(user, notice.class_group)


def can_view_own_notices(user) -> bool:
    return is_signed_in(user)
