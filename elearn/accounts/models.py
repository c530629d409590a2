from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.timeutil import utcnow
from ..extensions import db

ROLES = ("admin", "teacher", "student")
TEXT_SIZES = ("standard", "large", "xlarge")
CONTRASTS = ("standard", "high")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    mobile: Mapped[str | None] = mapped_column(String(11), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    birth_year: Mapped[int | None]
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_disabled: Mapped[bool] = mapped_column(default=False)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    text_size: Mapped[str] = mapped_column(String(12), default="standard")
    contrast: Mapped[str] = mapped_column(String(12), default="standard")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    #: The raw key of the device session this object was signed in or recognised with (not stored:
    #: accounts/sessions.py keeps only its hash). Flask-Login puts it in the session and the remember-me
    #: cookie, so ending that session's row on the server signs both out.
    session_key = None

    def get_id(self) -> str:
        if not self.session_key:
            raise RuntimeError("login_user() before sessions.start_session(): a sign-in needs a device session")
        return self.session_key

    # UserMixin compares get_id(); a person is the same person whichever device they use.
    def __eq__(self, other) -> bool:
        return isinstance(other, User) and other.id == self.id

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:
        return not self.is_disabled

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def set_roles(self, roles) -> None:
        wanted = set(roles)
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        have = self.roles
        for role in sorted(wanted - have):
            self.role_rows.append(UserRole(role=role))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def login_name(self) -> str:
        return self.mobile or self.username or ""

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<User {self.id} {self.login_name}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="role_rows")


class OneTimeCode(db.Model):
    """A code an admin hands to a user: to reset a forgotten password or for a first sign-in."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "reset" or "import"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="api")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """Every login attempt, so throttling holds across processes and machines.

    ``login`` is what the attempt counts against: ``<kind>:user:<id>`` for an account (so its username
    and its mobile number count together), ``<kind>:login:<what was typed, normalised>`` for a login
    that names nobody; ``kind`` is ``password`` or ``code`` (codes have a limit of their own).
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_login_ip_created", "login", "ip", "created_at"),
        Index("ix_login_attempts_ip_created", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @staticmethod
    def key(kind: str, user: User | None, login: str) -> str:
        return f"{kind}:user:{user.id}" if user is not None else f"{kind}:login:{login}"[:64]

    @staticmethod
    def account_keys(user: User) -> list[str]:
        return [LoginAttempt.key(kind, user, "") for kind in ("password", "code")]

SESSION_KINDS = ("browser", "tv")


class UserSession(db.Model):
    """A device a person is signed in on: a browser now, a TV set paired with a phone later.

    Only the key's hash is stored, so the table does not hand out sessions if it leaks. A row that is
    ended, expired or missing is a signed-out device.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_ended", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="browser")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    #: "Remember me": the row lasts REMEMBER_DAYS from sign-in; otherwise it ends after SESSION_IDLE_HOURS unused.
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
