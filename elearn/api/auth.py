"""Tokens and the caller's own profile."""
from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from flask.views import MethodView
from .docs import Blueprint
from flask_wtf.csrf import generate_csrf
from marshmallow import Schema, fields

from ..accounts import services, sessions, signin
from ..accounts.permissions import can_end_session
from ..accounts.views import client_ip
from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.permissions import actor, login_required, require
from .docs import error_responses
from .schemas import Id, TokenRequestSchema, TokenSchema, UserSchema, UtcDateTime

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


# ---------------------------------------------------------------- the caller's devices and password

class DeviceSessionSchema(Schema):
    id = Id(required=True)
    kind = fields.String(required=True, metadata={"enum": ["browser", "tv"], "description": "browser; tv for a paired TV set"})
    device = fields.Method("get_device", required=True, metadata={
        "type": "string", "description": "The device in plain words, in the caller's language"})
    ip = fields.String(required=True, metadata={"description": "Where it signed in from (empty when unknown)"})
    created_at = UtcDateTime(required=True, metadata={"description": "Signed in at"})
    last_seen_at = UtcDateTime(required=True, metadata={"description": "Last used (recorded at most once a minute)"})
    expires_at = UtcDateTime(required=True, metadata={"description": "Ends by itself at this time unless used again"})
    current = fields.Method("get_current", required=True, metadata={
        "type": "boolean", "description": "The browser session this request came with"})

    def get_device(self, row):
        return sessions.describe_device(row.user_agent)

    def get_current(self, row):
        return row.id == sessions.current_session_id()


@blp.route("/me/sessions")
class MySessions(MethodView):
    decorators = [login_required]

    @blp.response(200, DeviceSessionSchema(many=True))
    @_errors()
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self):
        """The devices the caller is signed in on (browser sessions; API tokens are not listed)."""
        return sessions.live_sessions(actor())


@blp.route("/me/sessions/<id:device>")
class MySession(MethodView):
    @require(can_end_session, device=sessions.get_session)
    @blp.response(204)
    @_errors(403, 404)
    @blp.doc(security=[{"bearerAuth": []}])
    @unit_of_work()
    def delete(self, device):
        """Sign one of the caller's devices out."""
        sessions.end_session(device)


class PasswordChangeSchema(Schema):
    current = fields.String(required=True, load_only=True, metadata={"minLength": 1})
    new = fields.String(required=True, load_only=True, metadata={"minLength": 1})
    confirm = fields.String(required=True, load_only=True, metadata={"minLength": 1})


@blp.route("/me/password")
class MyPassword(MethodView):
    decorators = [login_required]

    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    @_errors({400: "The two new passwords differ, or the new one is too weak"},
             {403: "The current password is not right"}, 422)
    @blp.doc(security=[{"bearerAuth": []}])
    @unit_of_work()
    def post(self, data):
        """Change the caller's own password. Every other device and API token is signed out; the token
        or browser session making this request stays."""
        try:
            services.change_password(actor(), data["current"], data["new"], data["confirm"],
                                     keep_session=None if g.get("api_user") else sessions.current_session_id(),
                                     keep_token=g.get("api_token_id"))
        except ServiceError as err:
            if err.code == "wrong_password":  # not knowing the account's password is a refusal, not a typo
                err.status = 403
            raise


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
