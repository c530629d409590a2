"""Party branches on teaching classes (党支部建在教学班上): branches, their members and party groups,
activities (三会一课, 主题党日) with minutes, and the log of who looked at membership details.

Party membership is sensitive personal information (PIPL Art. 28-29): the details live on
``BranchMember`` only, are shown to the branch's officers and to admins, and every showing is
written to ``MembershipAccess`` first. An activity's attendance lives in the attendance engine
(an event of kind ``branch_activity``); a member who leaves is marked as left, never deleted, and
a deleted account keeps its name in the register (``person_name``) without contact details.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import utcnow
from ..extensions import db

# Officer roles, in the order a branch lists them.
SECRETARY, DEPUTY, ORGANISATION, PROPAGANDA, DISCIPLINE = (
    "secretary", "deputy_secretary", "organisation", "propaganda", "discipline")
OFFICER_ROLES = (SECRETARY, DEPUTY, ORGANISATION, PROPAGANDA, DISCIPLINE)

# Party standing.
FULL, PROBATIONARY, TRANSFERRED_IN, TRANSFERRED_OUT = "full", "probationary", "transferred_in", "transferred_out"
PARTY_STATUSES = (FULL, PROBATIONARY, TRANSFERRED_IN, TRANSFERRED_OUT)
#: An activity, and its attendance, may be recorded up to this long after it was held (the register is
#: kept as it happens, not rewritten years later).
OLDEST = timedelta(days=366)

# Activity types: 支部党员大会, 支部委员会, 党小组会, 党课, 主题党日, or one the branch names.
GENERAL_MEETING, COMMITTEE, GROUP_MEETING, LECTURE, THEME_DAY, CUSTOM = (
    "general_meeting", "committee", "group_meeting", "lecture", "theme_day", "custom")
ACTIVITY_KINDS = (GENERAL_MEETING, COMMITTEE, GROUP_MEETING, LECTURE, THEME_DAY, CUSTOM)


class Branch(db.Model):
    """A branch: it lasts across terms, linked term by term to class groups."""

    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list["BranchMember"]] = relationship(
        back_populates="branch", order_by="BranchMember.person_name", cascade="all, delete-orphan")
    groups: Mapped[list["PartyGroup"]] = relationship(
        back_populates="branch", order_by="PartyGroup.name", cascade="all, delete-orphan")
    class_links: Mapped[list["BranchClass"]] = relationship(back_populates="branch", cascade="all, delete-orphan")


class BranchClass(db.Model):
    """The branch is organised on this class group (which belongs to one term)."""

    __tablename__ = "branch_classes"
    __table_args__ = (UniqueConstraint("branch_id", "class_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_groups.id", ondelete="CASCADE"), index=True)

    branch: Mapped[Branch] = relationship(back_populates="class_links")


class PartyGroup(db.Model):
    """党小组: a part of the branch that meets on its own (党小组会)."""

    __tablename__ = "party_groups"
    __table_args__ = (UniqueConstraint("branch_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))

    branch: Mapped[Branch] = relationship(back_populates="groups")


class BranchMember(db.Model):
    """One person in one branch, with their officer role, party group and party details."""

    __tablename__ = "branch_members"
    __table_args__ = (UniqueConstraint("branch_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"), index=True)
    #: None once the account is deleted: the register keeps the name and attendance, not the contact.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    person_name: Mapped[str] = mapped_column(String(64))
    officer_role: Mapped[str | None] = mapped_column(String(24))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("party_groups.id", ondelete="SET NULL"))
    # Party details: entered only with the member's separate consent (consent_at, consent_by_id).
    party_status: Mapped[str | None] = mapped_column(String(20))
    joined_party_on: Mapped[date | None] = mapped_column(Date)
    full_member_on: Mapped[date | None] = mapped_column(Date)
    consent_at: Mapped[datetime | None]
    consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Left the branch: kept with its history, no longer expected at activities.
    left_at: Mapped[datetime | None]

    branch: Mapped[Branch] = relationship(back_populates="members")
    group: Mapped[PartyGroup | None] = relationship()


class MembershipAccess(db.Model):
    """Who was shown whose party details, when and where: written before the details are shown."""

    __tablename__ = "membership_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("branch_members.id", ondelete="SET NULL"), index=True)
    member_name: Mapped[str] = mapped_column(String(64))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id", ondelete="SET NULL"), index=True)
    viewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    viewer_name: Mapped[str] = mapped_column(String(64))
    #: Where: "page", "api", "export", "self" (the member looking at what is held about them).
    channel: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Activity(db.Model):
    """A branch activity; its attendance is the engine's event of kind ``branch_activity``."""

    __tablename__ = "branch_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: The name of a custom type (``kind`` "custom").
    custom_kind: Mapped[str | None] = mapped_column(String(64))
    #: The party group a 党小组会 is for.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("party_groups.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    online: Mapped[bool] = mapped_column(default=False)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: A lesson or recording to watch (members only); watching it after missing the activity is 补学.
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    branch: Mapped[Branch] = relationship()
    group: Mapped[PartyGroup | None] = relationship()
    minutes: Mapped[list["MinutesRevision"]] = relationship(
        back_populates="activity", order_by="MinutesRevision.number", cascade="all, delete-orphan")
    attachments: Mapped[list["ActivityAttachment"]] = relationship(
        back_populates="activity", order_by="ActivityAttachment.id", cascade="all, delete-orphan")


class MinutesRevision(db.Model):
    """One version of an activity's minutes (Markdown). Approved by the secretary, it is locked: a
    correction afterwards is a new revision, shown as such."""

    __tablename__ = "minutes_revisions"
    __table_args__ = (UniqueConstraint("activity_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("branch_activities.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    body_md: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    activity: Mapped[Activity] = relationship(back_populates="minutes")


class ActivityAttachment(db.Model):
    """A file that goes with an activity (the notice, slides, photos), checked as handouts are."""

    __tablename__ = "branch_activity_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("branch_activities.id", ondelete="CASCADE"), index=True)
    original_filename: Mapped[str] = mapped_column(String(255))
    #: Relative to MEDIA_DIR, chosen by the server (core.storage.activity_file).
    stored_path: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="attachments")


# How often each type must be held (三会一课 compliance); admins edit these.
QUARTER, MONTH = "quarter", "month"
PERIODS = (QUARTER, MONTH)
DEFAULT_REQUIREMENTS = {GENERAL_MEETING: QUARTER, COMMITTEE: MONTH, GROUP_MEETING: MONTH, LECTURE: QUARTER,
                        THEME_DAY: MONTH}


class ActivityRequirement(db.Model):
    """At least ``times`` activities of ``kind`` in every ``period`` (a calendar quarter or month)."""

    __tablename__ = "branch_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), unique=True)
    period: Mapped[str] = mapped_column(String(8))
    times: Mapped[int] = mapped_column(default=1)
