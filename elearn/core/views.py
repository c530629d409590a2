from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts import services as account_services
from ..extensions import csrf
from . import bp, health
from .db import unit_of_work
from .ui import remember_in_browser
from .utils import safe_next


@bp.get("/")
def index():
    """「继续学习」 first, then the courses being taken with their progress, then the catalogue."""
    from ..core.permissions import actor
    from ..learning.services import home

    return render_template("core/index.html", **home(actor()))


@bp.post("/preferences")
def preferences():
    """Text size, contrast and language: saved on the account if signed in, and in the browser."""
    text_size = request.form.get("text_size") or None
    contrast = request.form.get("contrast") or None
    locale = request.form.get("locale") or None
    user = current_user if current_user.is_authenticated else None
    with unit_of_work():  # a refusal (unknown choice) is answered by the app's error page
        account_services.set_preferences(user, text_size=text_size, contrast=contrast, locale=locale)
    response = redirect(safe_next(request.form.get("next")) or url_for("core.index"))
    return remember_in_browser(response, text_size=text_size, contrast=contrast, locale=locale)


@bp.get("/healthz")
@csrf.exempt
def healthz():
    body, healthy = health.report()
    return jsonify(body), 200 if healthy else 503
