"""Officers' forms: an activity, its minutes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..accounts.forms import REQUIRED
from ..core.permissions import actor
from . import activities, makeup
from . import models as m
from .labels import KIND_LABELS


class ActivityForm(FlaskForm):
    kind = SelectField(_l("Type of activity"), choices=list(KIND_LABELS.items()))
    custom_kind = StringField(_l("Name of the type (for other activities)"), validators=[Length(max=64)])
    group = SelectField(_l("Party group (for a party group meeting)"), coerce=int, validators=[Optional()])
    topic = StringField(_l("Topic"), validators=[DataRequired(REQUIRED), Length(max=activities.TOPIC_LIMIT)])
    day = DateField(_l("Day"), validators=[DataRequired(REQUIRED)])
    starts = TimeField(_l("Starts at"), validators=[DataRequired(REQUIRED)])
    minutes = IntegerField(_l("Length in minutes"), default=90, validators=[DataRequired(REQUIRED), NumberRange(10, 600)])
    place = StringField(_l("Place"), validators=[Length(max=200)])
    online = BooleanField(_l("Also online"))
    agenda = TextAreaField(_l("Agenda"), validators=[Length(max=activities.AGENDA_LIMIT)], render_kw={"rows": 5})
    lesson = SelectField(_l("Recording to watch (optional)"), coerce=int, default=0, validators=[Optional()])

    def __init__(self, *args, branch: m.Branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [(0, _l("No party group"))] + [(g.id, g.name) for g in branch.groups]
        self.lesson.choices = [(0, _l("No recording"))] + makeup.lesson_choices(actor())


class MinutesForm(FlaskForm):
    body = TextAreaField(_l("Meeting minutes"), validators=[DataRequired(REQUIRED)], render_kw={"rows": 12})
