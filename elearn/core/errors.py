"""Errors a person can cause, answered in plain language, and the app-wide error pages."""
from __future__ import annotations

from flask import current_app, has_request_context, jsonify, make_response, render_template, request, url_for
from flask_babel import force_locale, gettext, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound as RouteNotFound
from werkzeug.routing import RequestRedirect

from ..extensions import db


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


def stored_message(message) -> tuple[str, dict | None]:
    """A translatable message as (English msgid, the values it names), to keep in the database and
    translate again for each reader (``translated``)."""
    args, values = getattr(message, "_args", None), getattr(message, "_kwargs", None)
    if args and isinstance(args[0], str):  # a lazy_gettext string: its msgid and values
        params = {key: value if isinstance(value, (int, float)) else str(value) for key, value in (values or {}).items()}
        return args[0], params or None
    with force_locale("en"):
        return str(message), None


def translated(msgid: str | None, params: dict | None = None) -> str | None:
    """A stored message in the reader's language (CLI and tasks: the site's language)."""
    if not msgid:
        return None
    if has_request_context():
        return gettext(msgid, **(params or {}))
    with force_locale(current_app.config["DEFAULT_LOCALE"]):
        return gettext(msgid, **(params or {}))


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
    try:
        text = str(message)
    except Exception:  # translating needs the locale, which may need the database
        text = message._args[0]
    return {"code": code, "message": text, "status": status}


def with_retry_after(response, error: ServiceError | dict | None):
    """Say in ``Retry-After`` the seconds a refusal asks to wait (its ``retry_after``), if it names any:
    a client (or a person's browser) must not be left to guess from a 429 or 503."""
    details = error.details if isinstance(error, ServiceError) else (error or {})
    if details.get("retry_after"):
        response.headers["Retry-After"] = str(int(details["retry_after"]))
    return response


def error_response(status: int, body: dict | None = None):
    body = body or http_error_body(status)
    body.setdefault("status", status)
    if wants_json():
        return with_retry_after(make_response(jsonify(body), status), body)
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    try:
        return with_retry_after(make_response(render_template(template, status=status, message=body["message"]), status), body)
    except Exception:
        # The page itself failed (the database is down, say): the visitor still gets an answer.
        current_app.logger.exception("Error page %s could not be rendered; sending the static one", status)
        _forget_failed_transaction()
        return static_error_page(status)


def _forget_failed_transaction() -> None:
    try:
        db.session.rollback()
    except Exception:
        pass


_STATIC_TEXTS = {
    403: ("没有权限", "您没有权限做这件事。", "Not allowed", "You do not have permission to do this."),
    404: ("找不到这个页面", "找不到这个页面，它可能已被移动或删除。", "Page not found",
          "We could not find this page. It may have been moved or removed."),
    400: ("抱歉", "这个请求无法完成。请返回首页再试一次。", "Sorry",
          "This request could not be completed. Please go back to the home page and try again."),
    500: ("出错了", "系统暂时出了问题，您的内容没有丢失。请稍后再试。", "Something went wrong",
          "Something went wrong on our side. Your work was not lost; please try again in a moment."),
}

# Needs nothing but the Python standard library: no template, no database, no translations.
_STATIC_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{zh_title} · {en_title}</title>
<link rel="icon" href="{root}/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{root}/static/css/app.css">
</head>
<body>
<main id="main" class="static-error">
<h1>{zh_title}</h1>
<p class="lead">{zh_text}</p>
<p><a class="button" href="{root}/">返回首页</a></p>
<div lang="en">
<h2>{en_title}</h2>
<p class="lead">{en_text}</p>
<p><a class="button" href="{root}/">Back to the home page</a></p>
</div>
<p class="hint">HTTP {status}</p>
</main>
</body>
</html>
"""


def static_error_page(status: int):
    """A bilingual page for ``status`` built without templates, for when rendering fails."""
    zh_title, zh_text, en_title, en_text = _STATIC_TEXTS.get(status) or _STATIC_TEXTS[500 if status >= 500 else 400]
    html = _STATIC_PAGE.format(zh_title=zh_title, en_title=en_title, zh_text=zh_text, en_text=en_text,
                               status=status, root=escape(request.script_root))
    response = make_response(html, status)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


#: Seconds a client is asked to wait when the database was locked (Retry-After).
BUSY_RETRY_AFTER = 5


def is_database_locked(err: BaseException) -> bool:
    """SQLite's "database is locked" (or "busy"): another connection held the write lock too long."""
    return isinstance(err, OperationalError) and any(
        phrase in str(err.orig).lower() for phrase in ("database is locked", "database is busy"))


def _reload_target() -> str:
    """Where a stale page's button goes: the page the form was on (the Referer, else the form's own
    address) when it is ours and opens with a GET, else the home page."""
    adapter = current_app.url_map.bind(request.host, script_name=request.script_root or None)
    referrer = request.referrer or ""
    own = request.host_url.rstrip("/") + (request.script_root or "")
    candidates = [referrer[len(own):] if referrer.startswith(own + "/") else None, request.path]
    for path in candidates:
        if not path or not path.startswith("/") or path.startswith("//"):
            continue
        try:
            adapter.match(path.split("?", 1)[0], method="GET")
        except RequestRedirect:
            pass  # a slash added: still a page
        except (RouteNotFound, MethodNotAllowed):
            continue
        return (request.script_root or "") + path
    return url_for("index")


def stale_page(err: CSRFError):
    """A form whose CSRF token is missing or no longer matches the session (signed out in another tab,
    the session ended, open for days): nothing was filled in wrongly, the page is just old."""
    message = gettext("This page has expired. Please open it again.")
    if wants_json():
        return make_response(jsonify({"code": "csrf_failed", "message": message, "status": 400}), 400)
    return make_response(render_template("errors/stale.html", message=message, reload_url=_reload_target()), 400)


def init_app(app) -> None:
    app.register_error_handler(CSRFError, stale_page)

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
            response.headers["Allow"] = ", ".join(err.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    def _database_error(err: OperationalError):
        if not is_database_locked(err):
            return _unexpected(err)
        # Another writer held SQLite's lock past the busy timeout: nothing was written, and the same
        # request will very likely work in a moment. Not a 500, which says something is broken.
        app.logger.warning("Database locked on %s %s; answered 503", request.method, request.path)
        _forget_failed_transaction()
        response = error_response(503, {"code": "database_busy", "message": gettext(
            "Many people are saving at this moment. Nothing was changed; please try again in a few seconds."),
            "retry_after": BUSY_RETRY_AFTER})
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        _forget_failed_transaction()  # nothing half-written, and the error page can still query
        return error_response(500)
