"""Courses, their chapters and lessons, handouts and the managed list of categories.

Video and caption assets belong to ``elearn.video``; they point at ``lessons.id``.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale
from sqlalchemy import BigInteger, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import utcnow
from ..extensions import db

#: Who may see a course. "classes" means members (and staff) of the class groups linked to the
#: course, as the classes feature's visibility provider says (see permissions.can_view_course).
VISIBILITIES = ("public", "signed_in", "classes")
STATUSES = ("draft", "published")

course_teachers = Table(
    "course_teachers",
    db.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)

    @property
    def name(self) -> str:
        """The name in the language of the current request."""
        locale = get_locale()
        return self.name_en if locale is not None and locale.language == "en" else self.name_zh


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Folder name in course packages; set by import, or on first export.
    slug: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200))
    subtitle: Mapped[str] = mapped_column(String(200), default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"), index=True)
    #: Relative to MEDIA_DIR (covers/<random>.<ext>); never the uploader's file name.
    cover_path: Mapped[str | None] = mapped_column(String(255))
    description_md: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default="signed_in")
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]

    category: Mapped[Category] = relationship(lazy="joined")
    teachers: Mapped[list["User"]] = relationship(  # noqa: F821
        secondary=course_teachers, lazy="selectin", order_by="User.name"
    )
    chapters: Mapped[list["Chapter"]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="Chapter.position",
        passive_deletes=True,
    )

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def lessons(self) -> list["Lesson"]:
        return [lesson for chapter in self.chapters for lesson in chapter.lessons]

    def has_teacher(self, user) -> bool:
        return bool(user and user.is_authenticated) and any(t.id == user.id for t in self.teachers)


class Chapter(db.Model):
    __tablename__ = "chapters"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    course: Mapped[Course] = relationship(back_populates="chapters")
    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="chapter", cascade="all, delete-orphan", order_by="Lesson.position",
        passive_deletes=True,
    )


class Lesson(db.Model):
    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    description_md: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    chapter: Mapped[Chapter] = relationship(back_populates="lessons")
    handouts: Mapped[list["Handout"]] = relationship(
        back_populates="lesson", cascade="all, delete-orphan", order_by="Handout.id", passive_deletes=True,
    )

    @property
    def course(self) -> Course:
        return self.chapter.course

    @property
    def course_id(self) -> int:
        return self.chapter.course_id


class Handout(db.Model):
    __tablename__ = "handouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    original_filename: Mapped[str] = mapped_column(String(255))
    #: Relative to MEDIA_DIR, chosen by the server.
    stored_path: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lesson: Mapped[Lesson] = relationship(back_populates="handouts")
