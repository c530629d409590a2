"""Forms for managing branches: the branch itself, its class links and party groups, members, party
details with the member's consent, and the 三会一课 requirements."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Form, FormField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..accounts.forms import REQUIRED
from . import models as m
from .labels import KIND_LABELS, PARTY_STATUS_LABELS, PERIOD_LABELS, ROLE_LABELS


class BranchForm(FlaskForm):
    name = StringField(_l("Name of the branch"), validators=[DataRequired(REQUIRED), Length(max=100)])
    description = StringField(_l("Short description"), validators=[Length(max=1000)])


class LinkForm(FlaskForm):
    class_group = SelectField(_l("Class"), coerce=int, validators=[DataRequired(REQUIRED)])


class GroupForm(FlaskForm):
    name = StringField(_l("Name of the party group"), validators=[DataRequired(REQUIRED), Length(max=64)])


class FindForm(FlaskForm):
    """The search on the members page (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name, mobile number or username"), validators=[Length(max=64)])


class AddForm(FlaskForm):
    """Add the person shown in the search: by id (people the officer may list) or by their exact login."""

    person = HiddenField()
    login = HiddenField()


class MemberForm(FlaskForm):
    officer_role = SelectField(_l("Role in the branch"))
    group = SelectField(_l("Party group"), coerce=int)

    def __init__(self, *args, branch: m.Branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.officer_role.choices = [("", _l("Member"))] + list(ROLE_LABELS.items())
        self.group.choices = [(0, _l("No party group"))] + [(g.id, g.name) for g in branch.groups]


class DetailsForm(FlaskForm):
    status = SelectField(_l("Party standing"), choices=list(PARTY_STATUS_LABELS.items()))
    joined_on = DateField(_l("Date of joining the Party"), validators=[Optional()])
    full_on = DateField(_l("Date of becoming a full member"), validators=[Optional()])
    consent = BooleanField(_l("The member has agreed, separately and in person, that the branch keeps these "
                              "party details."))


class _RequirementRow(Form):
    period = SelectField(_l("How often"), choices=list(PERIOD_LABELS.items()))
    times = IntegerField(_l("At least how many times (0: not required)"), default=1,
                         validators=[Optional(), NumberRange(0, 31)])


class RequirementsForm(FlaskForm):
    """One row per standard type of activity."""


for _kind in m.DEFAULT_REQUIREMENTS:
    setattr(RequirementsForm, _kind, FormField(_RequirementRow, label=KIND_LABELS[_kind]))
