"""Courses, chapters, lessons, handouts, the catalogue and course packages."""
from flask import Blueprint

bp = Blueprint("courses", __name__)

from ..api import register_api  # noqa: E402
from ..uploads import targets  # noqa: E402
from . import api, cli, models, uploads, views  # noqa: E402,F401


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_api(app, api.blp)
    cli.init_app(app)
    targets.register(uploads.HANDOUT)
