"""Feature-free plumbing (permissions, errors, i18n, UI preferences) and the site-wide pages."""
from flask import Blueprint

bp = Blueprint("core", __name__)

from . import views  # noqa: E402,F401
