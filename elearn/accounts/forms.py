from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .models import ROLES

REQUIRED = _l("This field is required.")


def role_label(role: str):
    return {"admin": _l("Administrator"), "teacher": _l("Teacher"), "student": _l("Student")}[role]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    login = StringField(_l("Mobile number or username"), validators=[DataRequired(REQUIRED), Length(max=64)],
                        render_kw={"autocomplete": "username", "inputmode": "text"})
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device for 30 days"), default=True)
    next = HiddenField()


class CodeLoginForm(FlaskForm):
    login = StringField(_l("Mobile number or username"), validators=[DataRequired(REQUIRED), Length(max=64)],
                        render_kw={"autocomplete": "username"})
    code = StringField(_l("One-time code (8 digits, on your slip)"), validators=[DataRequired(REQUIRED), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class SetPasswordForm(FlaskForm):
    new = PasswordField(_l("New password (at least 6 characters)"), validators=[DataRequired(REQUIRED), Length(max=200)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(REQUIRED), Length(max=200)],
                            render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED), Length(max=200)],
                            render_kw={"autocomplete": "current-password"})


class ChangeMobileForm(FlaskForm):
    mobile = StringField(_l("New mobile number"), validators=[Optional(), Length(max=20)],
                         render_kw={"autocomplete": "tel", "inputmode": "tel"})
    password = PasswordField(_l("Your password, to confirm"), validators=[DataRequired(REQUIRED), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class RegisterForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=64)], render_kw={"autocomplete": "name"})
    mobile = StringField(_l("Mobile number"), validators=[DataRequired(REQUIRED), Length(max=20)],
                         render_kw={"autocomplete": "tel", "inputmode": "tel"})
    password = PasswordField(_l("Password (at least 6 characters)"), validators=[DataRequired(REQUIRED), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Password again"), validators=[DataRequired(REQUIRED), Length(max=200)],
                            render_kw={"autocomplete": "new-password"})


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=64)])
    mobile = StringField(_l("Mobile number"), validators=[Optional(), Length(max=20)], render_kw={"inputmode": "tel"})
    username = StringField(_l("Username (optional)"), validators=[Optional(), Length(max=32)])
    birth_year = StringField(_l("Birth year"), validators=[Optional(), Length(max=4)], render_kw={"inputmode": "numeric"})
    roles = MultiCheckboxField(_l("Roles"), choices=[(r, role_label(r)) for r in ROLES], default=["student"])
    # What an empty password means differs between a new account and an edit: the template says which.
    password = PasswordField(_l("Password (optional)"),
                             validators=[Optional(), Length(max=200)], render_kw={"autocomplete": "new-password"})


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired(_l("Please choose the spreadsheet file."))],
                     render_kw={"accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"})


class ConfirmForm(FlaskForm):
    """An empty form: a button that needs only the CSRF token."""


class IssueForm(FlaskForm):
    """A button that issues codes; its one-use ``nonce`` keeps a reload from issuing them again."""

    nonce = HiddenField()
