"""Errors a person can cause, answered in plain language, and the app-wide error pages."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext, lazy_gettext as _l
from werkzeug.exceptions import HTTPException


class ServiceError(Exception):
    """A refusal the user can act on: a stable machine ``code``, a translatable ``message``.

    Services raise it; views turn it into a flashed message or a JSON error with ``status``.
    """

    status = 400

    def __init__(self, code: str, message, status: int | None = None, **details):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.details = details
        if status is not None:
            self.status = status

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": str(self.message)}
        body.update(self.details)
        return body


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


_HTTP_MESSAGES = {
    400: ("bad_request", _l("The request could not be understood. Please check what you entered and try again.")),
    401: ("login_required", _l("Please sign in first.")),
    403: ("forbidden", _l("You do not have permission to do this.")),
    404: ("not_found", _l("We could not find this page. It may have been moved or removed.")),
    405: ("method_not_allowed", _l("This action is not available here.")),
    409: ("conflict", _l("Someone changed this at the same time. Please reload and try again.")),
    413: ("too_large", _l("The file is too large.")),
    415: ("unsupported_media_type", _l("This kind of content is not accepted here.")),
    422: ("invalid", _l("Some of what you entered is not valid.")),
    429: ("too_many_requests", _l("Too many attempts. Please wait a while and try again.")),
    500: ("server_error", _l("Something went wrong on our side. Your work was not lost; please try again in a moment.")),
    503: ("unavailable", _l("The service is busy or under maintenance. Please try again in a moment.")),
}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def http_error_body(status: int) -> dict:
    code, message = _HTTP_MESSAGES.get(status, _HTTP_MESSAGES[500 if status >= 500 else 400])
    return {"code": code, "message": str(message), "status": status}


def error_response(status: int, body: dict | None = None):
    body = body or http_error_body(status)
    body.setdefault("status", status)
    if wants_json():
        return jsonify(body), status
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    return render_template(template, status=status, message=body["message"]), status


def init_app(app) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(err: ServiceError):
        return error_response(err.status, err.to_dict())

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        status = err.code or 500
        body = http_error_body(status)
        # flask-smorest attaches validation messages; keep them for API callers.
        data = getattr(err, "data", None)
        if isinstance(data, dict) and data.get("messages"):
            messages = data["messages"]
            if "Invalid JSON body." in str(messages):
                body["code"] = "malformed_json"
                body["message"] = gettext("The request body is not valid JSON.")
            else:
                body["code"] = "invalid"
                body["message"] = gettext("Some of what you entered is not valid.")
                body["errors"] = messages
        response = error_response(status, body)
        if getattr(err, "valid_methods", None):
            response[0].headers["Allow"] = ", ".join(err.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500)
