"""Users, roles, sign-in, one-time codes, tokens and display preferences."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import admin_views, import_views, views  # noqa: E402,F401
