"""How the API documents itself: the Api object's settings, the shared security requirement, and
``error_responses`` for the JSON errors each operation answers. No imports from the rest of ``api``,
so every module of the package (and every feature's api.py) can use it."""
from __future__ import annotations

from functools import wraps

from apispec import BasePlugin
from flask import request
from flask_babel import lazy_gettext as _l
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from flask_smorest.spec.plugins import integerconverter2paramschema
from webargs import core as webargs_core
from webargs.flaskparser import FlaskParser, is_json_request

from ..core import json_input
from ..core.errors import ServiceError
from ..core.ids import IdConverter
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
        super()._init_spec(extra_plugins=[*(extra_plugins or ()), _SchemaExtras(self)], **kwargs)
        # ``<id:...>`` path parameters are documented with their range (1..2**31-1), as the Id field is.
        self.flask_plugin.register_converter(IdConverter, integerconverter2paramschema)


class _JsonParser(FlaskParser):
    """Request bodies through ``core.json_input``: over-long numbers, deep nesting and lone surrogates
    are refused (400 ``malformed_json``) before the schema sees them. An empty body stays "no body"."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return webargs_core.missing
        data = req.get_data(cache=True)
        if not data.strip():
            return webargs_core.missing
        return json_input.loads(data)


class Blueprint(_Blueprint):
    """The API's blueprints: flask-smorest's, reading bodies with the limits above (``register_api``
    refuses any other kind, so no endpoint reads a body without them)."""

    ARGUMENTS_PARSER = _JsonParser()

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        """As flask-smorest's, and a JSON body the document calls required is required: without this, a
        PATCH whose fields are all optional would take no body (or a form) as "change nothing", 200."""
        decorator = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json" or not required:
            return decorator

        def needs_body(func):
            parsed = decorator(func)

            @wraps(parsed)
            def wrapper(*args, **kw):
                if not is_json_request(request) or not request.get_data(cache=True).strip():
                    raise body_required()
                return parsed(*args, **kw)

            return wrapper

        return needs_body


def body_required() -> ServiceError:
    """422, as a body that fails its schema: the operation's document says a JSON body is required."""
    message = _l("Please send the details as JSON (Content-Type: application/json).")
    return ServiceError("body_required", message, status=422, errors={"json": {"_schema": [str(message)]}})


#: In a parameter's schema, ``{CONFIG_MAXIMUM: "MAX_UPLOAD_BYTES"}`` documents that setting of the app as
#: its ``maximum``: a limit each site chooses, stated in the document of that site.
CONFIG_MAXIMUM = "x-maximum-setting"


class _SchemaExtras(BasePlugin):
    """A marshmallow schema's ``OPENAPI_EXTRA`` joins its component: rules about several fields at once
    (``anyOf`` of required fields, say), which marshmallow's fields cannot state one by one. And
    parameters limited by a setting (``CONFIG_MAXIMUM``) get the app's value."""

    def __init__(self, api):
        super().__init__()
        self.api = api

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        schema_class = schema if isinstance(schema, type) else type(schema)
        return dict(getattr(schema_class, "OPENAPI_EXTRA", None) or {}) or None

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema") if isinstance(parameter, dict) else None
                if isinstance(schema, dict) and CONFIG_MAXIMUM in schema:
                    parameter["schema"] = {key: value for key, value in schema.items() if key != CONFIG_MAXIMUM}
                    parameter["schema"]["maximum"] = int(self.api._app.config[schema[CONFIG_MAXIMUM]])


#: Endpoints accept a bearer token, or the browser session (an empty requirement).
SECURITY = [{"bearerAuth": []}, {}]

_ERROR_DESCRIPTIONS = {
    400: "Refused: the message says why (also: malformed JSON; a session caller's missing CSRF token)",
    401: "Not signed in, or the bearer token sent is not (or no longer) valid",
    403: "Not allowed", 404: "No such object", 409: "Not possible in the current state", 413: "Too large",
    405: "Not available here", 410: "Gone: expired or removed", 412: "Unsupported protocol version",
    415: "Wrong kind of file", 422: "Invalid body or query: `errors` says which field and why",
    507: "The server has no room to store this right now",
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
