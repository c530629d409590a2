"""Tokens and the caller's own profile."""
from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from flask.views import MethodView
from .docs import Blueprint
from flask_wtf.csrf import generate_csrf
from marshmallow import Schema, fields

from ..accounts import services, signin
from ..accounts.views import client_ip
from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.permissions import actor, login_required
from .docs import error_responses
from .schemas import TokenRequestSchema, TokenSchema, UserSchema

blp = Blueprint("api_auth", __name__, url_prefix="/api/v1", description="Sign-in tokens and the current user")
_errors = error_responses(blp)


@blp.route("/auth/token")
class Token(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @_errors({400: "No login or no password (or malformed JSON)"},
             {401: "Wrong credentials, or an invalid bearer token sent along"},
             {403: "This account has been disabled"}, 422,
             {429: "Too many wrong passwords for this account (locked: a one-time code still works), or many "
                   "failures from this address (slow_down: a few seconds); Retry-After and retry_after say how long"})
    def post(self, data):
        """Exchange a login and password for a bearer token."""
        # A refusal is committed too: the failure it recorded counts towards throttling.
        with unit_of_work(commit_on=(ServiceError,)):
            user = signin.authenticate(data["login"], data["password"], client_ip())
            token = services.issue_token(user)
        return {"token": token, "user": user}

    @blp.response(204)
    @_errors()
    @blp.doc(security=[{"bearerAuth": []}])
    def delete(self):
        """Revoke the bearer token sent with this request."""
        raw = getattr(g, "api_token", None)
        if not raw:
            raise ServiceError("token_required", _l("Send the token to revoke as Authorization: Bearer."), status=401)
        with unit_of_work():
            services.revoke_token(raw)


@blp.route("/me")
class Me(MethodView):
    decorators = [login_required]

    @blp.response(200, UserSchema)
    @_errors()
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self):
        """The signed-in user."""
        return actor()


# ---------------------------------------------------------------- a fresh CSRF token for long-open pages

class CsrfTokenSchema(Schema):
    csrf_token = fields.String(required=True, metadata={
        "description": "Send as X-CSRFToken (or csrf_token in a beacon body) with the session's changes"})


@blp.route("/auth/csrf")
class CsrfToken(MethodView):
    @blp.response(200, CsrfTokenSchema, headers={"Cache-Control": {
        "description": "no-store: a token belongs to one session", "schema": {"type": "string"}}})
    @blp.doc(security=[{}])
    def get(self):
        """A CSRF token for the caller's browser session.

        For a page open so long that its own token was refused (``csrf_failed``). Public: a token is
        worth nothing without the session cookie it belongs to."""
        return {"csrf_token": generate_csrf()}, 200, {"Cache-Control": "no-store"}
