"""/api/v1: JSON endpoints documented as OpenAPI 3 at /api/v1/openapi.json.

Authentication is a bearer token (``Authorization: Bearer ...``) or the browser session; a
session caller changing anything must send the CSRF token in ``X-CSRFToken`` (or, for
``navigator.sendBeacon``, which cannot set headers, as ``csrf_token`` in a small JSON, text or form body).
"""
from __future__ import annotations

from flask import g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy.exc import OperationalError
from wtforms import ValidationError

from ..accounts.services import touch_token, user_for_token
from ..core.db import unit_of_work
from ..core.errors import ServiceError, is_database_locked
from ..extensions import csrf, db
from . import auth, status
from .docs import SECURITY, UNSAFE, Api, Blueprint, error_responses  # noqa: F401  (re-exported for the features)

api = Api()


def register_api(app, blp) -> None:
    """A feature's ``init_app`` registers its flask-smorest Blueprint (url_prefix under /api/v1) here.

    Blueprints are module-level objects that every app built in one process (tests build several)
    registers again; their own setup (authentication first) is done the first time only.
    """
    if not isinstance(blp, Blueprint):
        raise TypeError(f"{blp.name}: API blueprints are elearn.api.Blueprint, which reads bodies with limits")
    if authenticate_api_request not in blp.before_request_funcs.get(None, []):
        blp.before_request(authenticate_api_request)
        blp.after_request(bare_empty_answers)
    csrf.exempt(blp)
    api.register_blueprint(blp)


def authenticate_api_request():
    """Resolve the caller for every /api/v1 request before the view runs."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise ServiceError("invalid_token", _token_message(), status=401)
        found = user_for_token(raw.strip())
        if found is None:
            raise ServiceError("invalid_token", _token_message(), status=401)
        if found.needs_touch:
            _touch(found.token_id)
        g.api_user = found.user
        g.api_token = raw.strip()
        g.api_token_id = found.token_id
        return
    if request.method in UNSAFE and current_user.is_authenticated:
        try:
            validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
                          or _body_csrf_token())
        except (ValidationError, CSRFError):
            raise ServiceError("csrf_failed", _l("This page has expired. Please reload it and try again."), status=400)


def bare_empty_answers(response):
    """``OPTIONS`` anywhere in the API is 204 with ``Allow`` and no body, and an answer without a body
    has no Content-Type: Flask's automatic OPTIONS answer (and a bare ``Response(status=204)``) would
    say text/html, which the API never sends."""
    if response.is_streamed or response.direct_passthrough:
        return response
    if request.method == "OPTIONS" and response.status_code < 300 and not response.get_data():
        response.status_code = 204
        if "Allow" not in response.headers and request.url_rule is not None:  # tus answers OPTIONS itself
            response.headers["Allow"] = ", ".join(sorted(request.url_rule.methods))
    if response.status_code == 204 or (request.method in ("OPTIONS", "HEAD") and not response.get_data()):
        response.headers.pop("Content-Type", None)
    return response


#: How long recording a token's last use may wait for SQLite's write lock before it is skipped.
TOUCH_WAIT_MS = 200


def _touch(token_id: int) -> None:
    """Record the token's use in a transaction of its own, holding SQLite's write lock from BEGIN: the
    lookup only read, and a write from a transaction that has read fails on a stale snapshot when
    another writer committed meanwhile. GET views never commit, so it is done here. A read must not
    depend on a write: when the database is busy the touch is skipped (the next request does it)."""
    try:
        with unit_of_work(locked=True, lock_wait_ms=TOUCH_WAIT_MS):
            touch_token(token_id)
    except OperationalError as err:
        if not is_database_locked(err):
            raise
        db.session.rollback()


#: Bodies small and plain enough to look for a CSRF token in (a beacon is a few hundred bytes).
_BODY_TOKEN_TYPES = {"application/json", "text/plain", "application/x-www-form-urlencoded"}


def _body_csrf_token():
    """``navigator.sendBeacon`` cannot set headers: a beacon carries ``csrf_token`` in its body."""
    if request.mimetype not in _BODY_TOKEN_TYPES or (request.content_length or 0) > 64 * 1024:
        return None
    if request.mimetype == "application/x-www-form-urlencoded":
        return request.form.get("csrf_token")
    body = request.get_json(force=True, silent=True)
    return body.get("csrf_token") if isinstance(body, dict) else None


def _token_message():
    return _l("Your sign-in has ended. Please sign in again.")


def init_app(app) -> None:
    """The API document and its sign-in endpoints; features add their blueprints with ``register_api``."""
    api.init_app(app, spec_kwargs={
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    })
    register_api(app, auth.blp)
    register_api(app, status.blp)
    # The OpenAPI blueprint itself is read-only and needs no CSRF.
    csrf.exempt("api-docs")
