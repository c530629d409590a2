"""/api/v1: JSON endpoints documented as OpenAPI 3 at /api/v1/openapi.json.

Authentication is a bearer token (``Authorization: Bearer ...``) or the browser session; a
session caller changing anything must send the CSRF token in ``X-CSRFToken`` (or, for
``navigator.sendBeacon``, which cannot set headers, as ``csrf_token`` in a small JSON, text or form body).
"""
from __future__ import annotations

from apispec import BasePlugin
from flask import g, request
from flask_smorest import Api as _Api
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from ..core.errors import ServiceError
from ..extensions import csrf
from .schemas import ApiErrorSchema

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class Api(_Api):
    #: Every error body is ours (``core.errors``), and no catch-all ``default`` response: each
    #: operation lists the statuses it really answers, so a client (and schemathesis) can rely on them.
    ERROR_SCHEMA = ApiErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        """Keep the app's own handlers: one error format (stable code, translated message) everywhere."""

    def _init_spec(self, *, extra_plugins=None, **kwargs):
        super()._init_spec(extra_plugins=[*(extra_plugins or ()), _SchemaExtras()], **kwargs)


class _SchemaExtras(BasePlugin):
    """A marshmallow schema's ``OPENAPI_EXTRA`` joins its component: rules about several fields at once
    (``anyOf`` of required fields, say), which marshmallow's fields cannot state one by one."""

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        schema_class = schema if isinstance(schema, type) else type(schema)
        return dict(getattr(schema_class, "OPENAPI_EXTRA", None) or {}) or None


api = Api()
blueprints = []


#: Endpoints accept a bearer token, or the browser session (an empty requirement).
SECURITY = [{"bearerAuth": []}, {}]

_ERROR_DESCRIPTIONS = {
    400: "Refused: the message says why (also: malformed JSON; a session caller's missing CSRF token)",
    401: "Not signed in, or the bearer token sent is not (or no longer) valid",
    403: "Not allowed", 404: "No such object", 409: "Not possible in the current state", 413: "Too large",
    415: "Wrong kind of file", 422: "Invalid body or query: `errors` says which field and why",
}


def error_responses(blp):
    """``errors = error_responses(blp)``; then ``@errors(403, 404)`` documents those JSON error answers.

    A status may come with its own description, ``@errors(404, {409: "The chapter is in another course"})``,
    for a rule OpenAPI cannot state. Every operation also answers 401 (a bad bearer token is refused
    before any view runs), and every unsafe one 400 (a session caller without the CSRF token), so
    those two are always documented.
    """

    def errors(*statuses):
        described = {}
        for status in statuses:
            described.update(status if isinstance(status, dict) else {status: _ERROR_DESCRIPTIONS[status]})

        def decorator(func):
            always = {401: _ERROR_DESCRIPTIONS[401]}
            if func.__name__.upper() in UNSAFE:
                always[400] = _ERROR_DESCRIPTIONS[400]
            for status, description in {**always, **described}.items():
                func = blp.alt_response(status, schema=ApiErrorSchema, description=description)(func)
            return func

        return decorator

    return errors


def register(blp):
    """Feature packages call this with their flask-smorest Blueprint (url_prefix under /api/v1)."""
    blp.before_request(authenticate_api_request)
    blueprints.append(blp)
    return blp


def authenticate_api_request():
    """Resolve the caller for every /api/v1 request before the view runs."""
    from ..accounts.services import user_for_token
    from flask_login import current_user

    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise ServiceError("invalid_token", _token_message(), status=401)
        user = user_for_token(raw.strip())
        if user is None:
            raise ServiceError("invalid_token", _token_message(), status=401)
        g.api_user = user
        g.api_token = raw.strip()
        return
    if request.method in UNSAFE and current_user.is_authenticated:
        try:
            validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
                          or _body_csrf_token())
        except (ValidationError, CSRFError):
            from flask_babel import lazy_gettext as _l

            raise ServiceError("csrf_failed", _l("This page has expired. Please reload it and try again."), status=400)


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
    from flask_babel import lazy_gettext as _l

    return _l("Your sign-in has ended. Please sign in again.")


def init_app(app) -> None:
    from . import auth  # noqa: F401  (registers its blueprint)
    from ..courses import api as courses_api  # noqa: F401
    from ..video import api as video_api  # noqa: F401  (tus uploads; also loads the video models)
    from ..learning import api as learning_api  # noqa: F401  (progress heartbeats, learning record)

    api.init_app(app, spec_kwargs={
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    })
    for blp in blueprints:
        csrf.exempt(blp)
        api.register_blueprint(blp)
    # The OpenAPI blueprint itself is read-only and needs no CSRF.
    csrf.exempt("api-docs")
