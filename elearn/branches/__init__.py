"""Party branches organised on teaching classes (党支部建在教学班上): branches, members with their party
details behind an access log, activities (三会一课, 主题党日) with minutes, attendance through the shared
engine (an event of kind ``branch_activity``) and compliance by quarter."""
from flask import Blueprint

bp = Blueprint("branches", __name__)

from ..attendance.hooks import event_kinds  # noqa: E402
from . import models, register_views, views  # noqa: E402,F401
from .uploads import ACTIVITY  # noqa: E402
from ..uploads import targets  # noqa: E402
from .roster import BRANCH_ACTIVITY, EVENT_KIND  # noqa: E402


def init_app(app) -> None:
    app.register_blueprint(bp)
    event_kinds.register(EVENT_KIND, BRANCH_ACTIVITY)
    targets.register(ACTIVITY)
