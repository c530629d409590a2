"""Feature-free plumbing (permissions, errors, storage, jobs, transactions, i18n) and /healthz."""
from flask import Blueprint

bp = Blueprint("core", __name__)

from . import cli, errors, ids, json_input, models, security, timeutil, views  # noqa: E402,F401
from .utils import format_size  # noqa: E402


def init_app(app) -> None:
    ids.init_app(app)
    json_input.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    app.register_blueprint(bp)
    app.add_template_filter(format_size, "filesize")
    timeutil.init_app(app)
