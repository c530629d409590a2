"""The office's forms: terms, classes, weekly rules, one-off sessions, members, copying a class."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..accounts.forms import REQUIRED, MultiCheckboxField
from . import models as m

WEEKDAYS = [(0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")), (3, _l("Thursday")), (4, _l("Friday")),
            (5, _l("Saturday")), (6, _l("Sunday"))]
SESSION_MODE_LABELS = {m.ON_SITE: _l("In the classroom"), m.ONLINE: _l("Online"), m.BOTH: _l("In the classroom and online")}


class TermForm(FlaskForm):
    name = StringField(_l("Name of the term"), validators=[DataRequired(REQUIRED), Length(max=64)])
    starts_on = DateField(_l("First day"), validators=[DataRequired(REQUIRED)])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(REQUIRED)])
    required_rate = IntegerField(_l("Attendance needed for the certificate (%)"), default=80,
                                 validators=[DataRequired(REQUIRED), NumberRange(0, 100)])


class ClassForm(FlaskForm):
    term = SelectField(_l("Term"), coerce=int, validators=[DataRequired(REQUIRED)])
    name = StringField(_l("Name of the class"), validators=[DataRequired(REQUIRED), Length(max=100)])
    course = SelectField(_l("Course"), coerce=int, validators=[Optional()])
    teachers = MultiCheckboxField(_l("Teachers"), coerce=int)
    assistants = StringField(_l("Class monitors (mobile numbers, separated by commas)"), validators=[Length(max=400)])
    room = StringField(_l("Room"), validators=[Length(max=100)])
    capacity = IntegerField(_l("Places (leave empty for no limit)"), validators=[Optional(), NumberRange(1, 10000)])
    self_enrol = BooleanField(_l("Students may join by themselves"))
    opens_before_minutes = IntegerField(_l("Check-in opens this many minutes before"), default=15,
                                        validators=[NumberRange(0, 240)])
    closes_after_minutes = IntegerField(_l("Check-in closes this many minutes after"), default=15,
                                        validators=[NumberRange(0, 240)])
    late_after_minutes = IntegerField(_l("Late after this many minutes (leave empty: never)"), default=10,
                                      validators=[Optional(), NumberRange(0, 240)])
    makeup_days = IntegerField(_l("Days after a session to make it up online"), default=7,
                               validators=[NumberRange(0, 60)])
    absent_when_unmarked = BooleanField(_l("Mark people absent who are still unmarked when check-in closes"),
                                        default=True)
    certificate_percent = IntegerField(_l("Attendance needed for the certificate (%) (leave empty: the term's)"),
                                       validators=[Optional(), NumberRange(0, 100)])


class WeeklyForm(FlaskForm):
    weekday = SelectField(_l("Day of the week"), coerce=int, choices=WEEKDAYS)
    starts = TimeField(_l("Starts at"), validators=[DataRequired(REQUIRED)])
    minutes = IntegerField(_l("Length in minutes"), default=90, validators=[DataRequired(REQUIRED), NumberRange(10, 600)])
    mode = SelectField(_l("Where it is held"), choices=list(SESSION_MODE_LABELS.items()))
    skip_dates = StringField(_l("Holidays without a session (dates like 2027-04-05, separated by commas)"),
                             validators=[Length(max=1000)])


class SessionForm(FlaskForm):
    day = DateField(_l("Day"), validators=[DataRequired(REQUIRED)])
    starts = TimeField(_l("Starts at"), validators=[DataRequired(REQUIRED)])
    minutes = IntegerField(_l("Length in minutes"), default=90, validators=[DataRequired(REQUIRED), NumberRange(10, 600)])
    mode = SelectField(_l("Where it is held"), choices=list(SESSION_MODE_LABELS.items()))
    topic = StringField(_l("Topic"), validators=[Length(max=200)])


class MemberForm(FlaskForm):
    login = StringField(_l("Mobile number or username of the person"), validators=[DataRequired(REQUIRED), Length(max=64)])


class CopyForm(FlaskForm):
    term = SelectField(_l("Copy to the term"), coerce=int, validators=[DataRequired(REQUIRED)])
