"""Users, roles, sign-in, one-time codes, tokens and display preferences."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import admin_views, cli, devices, import_job_views, import_jobs, import_views, issued_views, tasks, ui, views  # noqa: E402,F401


def init_app(app) -> None:
    app.register_blueprint(bp)
    ui.init_app(app)
    cli.init_app(app)
    import_jobs.init_app(app)
