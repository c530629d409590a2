"""结业证书: who met a class's attendance requirement, issuing the certificates in one step,
revoking one, and the public check by certificate number. Plain functions that flush and never
commit; the PDF is drawn by ``certificate_pdf.py``.

The attendance rate of a member is attended / expected over the class's sessions that have
started and were not cancelled, where "expected" follows the engine's roster: a session that
started before the person joined (or after they left) is not theirs, so a late enrolment is never
counted against them. Attended is the engine's ``ATTENDED`` (出勤, 迟到, 早退, 补学); 请假, 缺勤
and a session nobody marked count as missed (a member on leave can still 补学 by watching).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..attendance import models as am
from ..core.errors import NotFound, ServiceError
from ..core.text import clean_text, half_width, within
from ..core.timeutil import utcnow
from ..extensions import db
from . import models as m
from .schedule import EVENT_KIND

#: Letters and digits that cannot be mistaken for one another when read aloud or typed from paper
#: (no 0/O, 1/I/L); 16 of them carry 79 random bits, far beyond guessing at the checked rate.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
REASON_LIMIT = 500


@dataclass
class Standing:
    """One member's attendance over the class so far, and whether it meets the requirement."""
    enrolment: m.Enrolment
    attended: int
    expected: int
    required: float
    certificate: m.Certificate | None = None

    @property
    def rate(self) -> float | None:
        return self.attended / self.expected if self.expected else None

    @property
    def qualifies(self) -> bool:
        # Compared in whole sessions: 0.8 × 10 must let 8 of 10 pass despite floating point.
        return self.expected > 0 and self.attended * 1000 >= round(self.required * 1000) * self.expected


def required_rate(group: m.ClassGroup) -> float:
    """The class's own requirement, or its term's."""
    return group.certificate_rate if group.certificate_rate is not None else group.term.required_rate


def standings(group: m.ClassGroup, now: datetime | None = None) -> list[Standing]:
    """Every enrolled member's attendance, by name; two queries whatever the class's size."""
    now = now or utcnow()
    sessions = db.session.execute(
        select(m.ClassSession.starts_at, am.AttendanceEvent.id)
        .join(am.AttendanceEvent, (am.AttendanceEvent.kind == EVENT_KIND) & (am.AttendanceEvent.owner_id == m.ClassSession.id))
        .where(m.ClassSession.class_id == group.id, m.ClassSession.status == m.SCHEDULED,
               am.AttendanceEvent.cancelled_at.is_(None), m.ClassSession.starts_at <= now)).all()
    attended = set(db.session.execute(
        select(am.AttendanceRecord.event_id, am.AttendanceRecord.user_id)
        .where(am.AttendanceRecord.event_id.in_([event_id for _, event_id in sessions]),
               am.AttendanceRecord.status.in_(am.ATTENDED))).all())
    members = db.session.scalars(select(m.Enrolment).filter_by(class_id=group.id, state=m.ENROLLED)).all()
    issued = {c.user_id: c for c in db.session.scalars(select(m.Certificate).filter_by(class_id=group.id))}
    rate, rows = required_rate(group), []
    for member in members:
        mine = [event_id for starts_at, event_id in sessions
                if member.enrolled_at is not None and member.enrolled_at <= starts_at
                and (member.left_at is None or member.left_at > starts_at)]
        rows.append(Standing(member, sum((event_id, member.user_id) in attended for event_id in mine), len(mine),
                             rate, issued.get(member.user_id)))
    return sorted(rows, key=lambda row: row.enrolment.user.name)


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(m.Certificate.id).filter_by(code=code)) is None:
            return code


def issue_all(group: m.ClassGroup, *, actor, now: datetime | None = None) -> int:
    """Issue a certificate to every member who qualifies and has none yet; returns how many.

    A revoked certificate is not issued again by this: revoking was someone's decision."""
    now = now or utcnow()
    # Two presses at once (two teachers, a double click) must not both issue: on PostgreSQL the
    # class's row is the lock; SQLite's write lock is the caller's (unit_of_work(locked=True)).
    db.session.execute(select(m.ClassGroup.id).where(m.ClassGroup.id == group.id).with_for_update())
    issuer = current_app.config["CERTIFICATE_ISSUER"][:100]
    count = 0
    for row in standings(group, now):
        if not row.qualifies or row.certificate is not None:
            continue
        db.session.add(m.Certificate(
            class_id=group.id, user_id=row.enrolment.user_id, code=_new_code(), person_name=row.enrolment.user.name,
            class_name=group.name, term_name=group.term.name, starts_on=group.term.starts_on,
            ends_on=group.term.ends_on, attended=row.attended, expected=row.expected, issuer=issuer,
            issued_at=now, issued_by_id=getattr(actor, "id", None)))
        count += 1
    if not count:
        raise ServiceError("nobody_qualifies", _l(
            "Nobody new meets the attendance requirement yet, so no certificate was issued."), status=409)
    db.session.flush()
    return count


def get_certificate(certificate_id: int) -> m.Certificate:
    certificate = db.session.get(m.Certificate, certificate_id)
    if certificate is None:
        raise NotFound("certificate_not_found", _l("This certificate does not exist."))
    return certificate


def certificate_of(group: m.ClassGroup, user_id: int) -> m.Certificate | None:
    return db.session.scalar(select(m.Certificate).filter_by(class_id=group.id, user_id=user_id))


def revoke(certificate: m.Certificate, *, actor, reason, now: datetime | None = None) -> None:
    text = clean_text(reason, "reason") if reason else ""
    if not text:
        raise ServiceError("required", _l("Please say why the certificate is revoked."), status=422, field="reason")
    within(text, REASON_LIMIT, "reason")
    if certificate.revoked_at is not None:
        raise ServiceError("already_revoked", _l("This certificate has already been revoked."), status=409)
    certificate.revoked_at, certificate.revoked_by_id = now or utcnow(), getattr(actor, "id", None)
    certificate.revoke_reason = text
    db.session.flush()


# ---------------------------------------------------------------- the public check

def normalise_code(typed) -> str:
    """What a person typed from the paper: full-width letters, lower case, spaces and dashes allowed."""
    return "".join(ch for ch in half_width(typed or "").upper() if ch.isalnum())[:40]


def display_code(code: str) -> str:
    """ABCD-EFGH-JKMN-PQRS: groups of four are easier to read out and to type."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def find_by_code(typed) -> m.Certificate:
    code = normalise_code(typed)
    certificate = None
    if len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET):
        certificate = db.session.scalar(select(m.Certificate).filter_by(code=code))
    if certificate is None:
        raise NotFound("certificate_not_found", _l(
            "No certificate has this number. Please check the number printed on the certificate and try again."))
    return certificate


def mask_name(name: str) -> str:
    """王小明 → 王*明, 王明 → 王*, 欧阳小明 → 欧**明: enough to match a certificate in hand, not to
    learn who studied what."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
