from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..accounts.forms import REQUIRED, MultiCheckboxField
from .services import DESCRIPTION_MAX, TITLE_MAX


def visibility_choices():
    return [
        ("public", _l("Everyone, also without signing in")),
        ("signed_in", _l("Everyone who has signed in")),
        ("classes", _l("Only members of the classes linked to this course")),
    ]


class CourseForm(FlaskForm):
    title = StringField(_l("Course title"), validators=[DataRequired(REQUIRED), Length(max=TITLE_MAX)])
    subtitle = StringField(_l("Subtitle (optional)"), validators=[Optional(), Length(max=TITLE_MAX)])
    category = SelectField(_l("Category"), coerce=int, validators=[DataRequired(REQUIRED)])
    description_md = TextAreaField(_l("Description"), validators=[Optional(), Length(max=DESCRIPTION_MAX)],
                                   render_kw={"rows": 10})
    visibility = RadioField(_l("Who may see the course"), default="signed_in")
    cover = FileField(_l("Cover picture (optional; JPEG, PNG or WebP, at most 5 MB)"),
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_cover = BooleanField(_l("Remove the current cover picture"))
    teachers = MultiCheckboxField(_l("Teachers of this course"), coerce=int)

    def __init__(self, *args, categories=(), teachers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [(c.id, c.name) for c in categories]
        self.visibility.choices = visibility_choices()
        if teachers is None:
            del self.teachers
        else:
            self.teachers.choices = [(t.id, t.name) for t in teachers]


class TitleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=TITLE_MAX)])


class LessonForm(FlaskForm):
    title = StringField(_l("Lesson title"), validators=[DataRequired(REQUIRED), Length(max=TITLE_MAX)])
    description_md = TextAreaField(_l("What the lesson is about"),
                                   validators=[Optional(), Length(max=DESCRIPTION_MAX)], render_kw={"rows": 8})
    chapter = SelectField(_l("Chapter"), coerce=int)

    def __init__(self, *args, chapters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.chapter.choices = [(c.id, c.title) for c in chapters]
