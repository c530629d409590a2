"""The one place permission checks go through.

Rules are plain ``can_*`` functions taking the acting user first (an anonymous user is
``None``-like: ``is_authenticated`` is False). Pages and API endpoints use the same rules via
``require``: an API caller gets a JSON 401/403, a browser is sent to the login page or shown
the 403 page.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from .errors import wants_json
from .registry import Registry


def actor():
    """The user acting on this request: a bearer-token user for the API, else the session user."""
    return getattr(g, "api_user", None) or current_user


def _deny(user):
    if not user.is_authenticated:
        if wants_json():
            abort(401)
        return redirect(url_for("accounts.login", next=request.full_path if request.args else request.path))
    abort(403)


def require(rule=None, *, anonymous: bool = False, **arg_loaders):
    """Decorator: the request needs a signed-in user for whom ``rule(user, *loaded)`` holds.

    ``arg_loaders`` map a view argument to a function turning it into the object the rule
    takes (for example ``course=load_course``); the loaded objects replace the arguments.
    With ``anonymous=True`` the rule itself decides about visitors who are not signed in
    (public courses are open to them); a refusal still answers 401 / sends them to sign in.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = actor()
            if not anonymous and not user.is_authenticated:
                return _deny(user)
            for name, loader in arg_loaders.items():
                kwargs[name] = loader(kwargs[name])
            if rule is not None and not rule(user, *(kwargs[n] for n in arg_loaders)):
                return _deny(user)
            return view(*args, **kwargs)

        wrapped.permission_rule = rule
        return wrapped

    return decorator


def allow(rule, **arg_loaders):
    """``require`` for pages and endpoints that visitors who are not signed in may also see."""
    return require(rule, anonymous=True, **arg_loaders)


login_required = require()


# ---------------------------------------------------------------- global rules

class _System:
    """The trusted command-line caller (``flask courses import``, demo data): not a person, so it
    has no id, no roles and is not signed in; it passes only the rules that name it."""

    id = None
    is_authenticated = False
    is_active = False
    is_anonymous = False

    def has_role(self, role) -> bool:
        return False

    def __repr__(self) -> str:
        return "SYSTEM"


#: The actor services are given by the command line and by the imports it runs. Web requests
#: always pass the real user (``actor()``, anonymous included), never this.
SYSTEM = _System()


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role("admin"))


def is_teacher(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role("teacher"))


def can_manage_users(user, person=None) -> bool:
    """Admins manage every account; ``person`` is the account at hand when a view loads one."""
    return is_admin(user)


def can_view_operations(user) -> bool:
    return is_admin(user)


#: Contact rules: functions ``(teacher, student) -> bool`` that features register (by name, in their
#: ``init_app``) to say "teaches this person" (class groups add theirs); who may see contact details.
contact_rules = Registry("who teaches whom, for contact details")


def teaches(teacher, student) -> bool:
    return is_teacher(teacher) and any(rule(teacher, student) for rule in contact_rules)


def can_view_contact(user, person) -> bool:
    """Mobile numbers and birth years: the person themself, admins, and the person's teachers."""
    if not (user and user.is_authenticated):
        return False
    return user.id == person.id or is_admin(user) or teaches(user, person)
