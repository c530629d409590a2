"""Display preferences (text size, contrast) for every page: per user, else per browser."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from ..core.i18n import LOCALE_COOKIE, LOCALES, select_locale
from ..core.permissions import can_manage_users, can_view_operations
from .models import CONTRASTS, TEXT_SIZES

TEXT_SIZE_COOKIE = "elearn_text"
CONTRAST_COOKIE = "elearn_contrast"
COOKIE_AGE = 400 * 86400  # browsers cap cookie lifetime at about 400 days


def display_preferences() -> dict:
    user = current_user
    if user and user.is_authenticated:
        text_size, contrast = user.text_size, user.contrast
    else:
        text_size = request.cookies.get(TEXT_SIZE_COOKIE)
        contrast = request.cookies.get(CONTRAST_COOKIE)
    return {
        "text_size": text_size if text_size in TEXT_SIZES else "standard",
        "contrast": contrast if contrast in CONTRASTS else "standard",
        "locale": select_locale(),
    }


def remember_in_browser(response, *, text_size=None, contrast=None, locale=None):
    for name, value in ((TEXT_SIZE_COOKIE, text_size), (CONTRAST_COOKIE, contrast), (LOCALE_COOKIE, locale)):
        if value:
            response.set_cookie(name, value, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
    return response


def init_app(app) -> None:
    @app.context_processor
    def _inject():
        return {
            "prefs": display_preferences(),
            "locales": LOCALES,
            "can_manage_users": can_manage_users,
            "can_view_operations": can_view_operations,
        }
