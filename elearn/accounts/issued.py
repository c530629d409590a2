"""Codes issued from a form, kept so that a reload never issues again.

An admin's page that issues codes (sign-in slips, a password reset) carries a one-use nonce. The
batch row that records what was issued holds that nonce under a unique constraint and is written
in the same unit of work as the codes: a second submission of the same form finds the row and is
sent to the same result page instead of issuing again (two at once: the second one's insert fails).

Codes are stored hashed, so the result page can show them again only from this row: the plain
codes are kept here encrypted (Fernet, a key derived from SECRET_KEY) for ``CODES_SHOWN_MINUTES``,
then cleared. After that the page says the codes were issued and offers to issue new ones.
"""
from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ForeignKey, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db
from .models import User

KINDS = ("slips", "reset", "new")
#: Batch rows (without their codes) are kept this long so that an old result page still explains itself.
KEEP_DAYS = 30


class IssuedBatch(db.Model):
    __tablename__ = "issued_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: Who got a code, in the order shown (not secret: it lets the admin issue again on purpose).
    user_ids: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    shown_until: Mapped[datetime]
    #: The plain codes, encrypted; cleared once ``shown_until`` has passed.
    secret: Mapped[str | None] = mapped_column(Text)

    @property
    def ids(self) -> list[int]:
        return [int(part) for part in self.user_ids.split(",") if part]


@dataclass
class Issued:
    user: User
    code: str


# ---------------------------------------------------------------- the form's nonce

def _nonces() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="elearn.issue-nonce")


def new_nonce(admin: User) -> str:
    """A fresh nonce for one rendering of a form, bound to the admin who sees it."""
    return _nonces().dumps([admin.id, secrets.token_urlsafe(16)])


def check_nonce(raw: str | None, admin: User) -> str | None:
    """The nonce's random part (what the batch row keeps: 22 characters) if this admin's form made it,
    else None (a form without one, or someone else's)."""
    try:
        admin_id, random_part = _nonces().loads(raw or "")
    except (BadSignature, ValueError, TypeError):
        return None
    return str(random_part)[:64] if admin_id == admin.id else None


def batch_for_nonce(nonce: str) -> IssuedBatch | None:
    return db.session.scalar(select(IssuedBatch).where(IssuedBatch.nonce == nonce))


# ---------------------------------------------------------------- keeping the codes for a while

def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"elearn issued codes v1").derive(current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def record(nonce: str, admin: User, kind: str, issued: list[Issued]) -> IssuedBatch:
    """Write the batch row (flushed, so a used nonce fails here, before the commit)."""
    minutes = current_app.config["CODES_SHOWN_MINUTES"]
    now = utcnow()
    plain = json.dumps([[item.user.id, item.code] for item in issued]).encode()
    batch = IssuedBatch(nonce=nonce, admin_id=admin.id, kind=kind, created_at=now,
                        user_ids=",".join(str(item.user.id) for item in issued),
                        shown_until=now + timedelta(minutes=minutes), secret=_fernet().encrypt(plain).decode())
    db.session.add(batch)
    db.session.flush()
    return batch


def shown_codes(batch: IssuedBatch) -> list[Issued] | None:
    """The batch's codes while they may still be shown, else None."""
    if batch.secret is None or utcnow() >= batch.shown_until:
        return None
    ttl = int((batch.shown_until - batch.created_at).total_seconds()) + 1
    try:
        pairs = json.loads(_fernet().decrypt(batch.secret.encode(), ttl=ttl))
    except InvalidToken:  # older than its time, or SECRET_KEY changed since
        return None
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([p[0] for p in pairs])))}
    return [Issued(users[user_id], code) for user_id, code in pairs if user_id in users]


def forget_old_codes() -> int:
    """Clear the codes whose time is up and drop rows past KEEP_DAYS; flushes, never commits."""
    now = utcnow()
    cleared = db.session.execute(update(IssuedBatch).where(IssuedBatch.secret.is_not(None),
                                                           IssuedBatch.shown_until <= now).values(secret=None))
    db.session.execute(delete(IssuedBatch).where(IssuedBatch.created_at < now - timedelta(days=KEEP_DAYS)))
    return cleared.rowcount
