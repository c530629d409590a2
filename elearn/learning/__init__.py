"""Learning: the home page, the player, progress and resume, completion, the learning record."""
from flask import Blueprint

bp = Blueprint("learning", __name__)

from ..api import register_api  # noqa: E402
from ..courses import hooks as courses_hooks  # noqa: E402
from . import api, models, views  # noqa: E402,F401


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_api(app, api.blp)
    # The site's home page: other features link to it as ``url_for("index")``, whoever provides it.
    app.add_url_rule("/", endpoint="index", view_func=views.index)
    courses_hooks.course_page_learning.register("learning", views.course_page_learning)
