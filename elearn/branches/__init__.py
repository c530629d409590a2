"""Party branches organised on teaching classes (党支部建在教学班上): branches, members with their party
details behind an access log, activities (三会一课, 主题党日) with minutes, attendance through the shared
engine (an event of kind ``branch_activity``) and compliance by quarter."""
from flask import Blueprint

bp = Blueprint("branches", __name__)

from ..api import register_api  # noqa: E402
from ..accounts.hooks import account_deleting  # noqa: E402
from ..attendance.hooks import event_kinds  # noqa: E402
from ..courses.permissions import lesson_providers  # noqa: E402
from ..learning.hooks import home_panels  # noqa: E402
from . import admin_views, member_views, models, register_views, roll_views, services, views  # noqa: E402,F401
from . import home, makeup  # noqa: E402
from . import api, api_activities  # noqa: E402,F401
from .uploads import ACTIVITY  # noqa: E402
from ..uploads import targets  # noqa: E402
from .roster import BRANCH_ACTIVITY, EVENT_KIND  # noqa: E402


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_api(app, api.blp)
    event_kinds.register(EVENT_KIND, BRANCH_ACTIVITY)
    lesson_providers.register("branches", makeup.members_see_linked_lesson)
    home_panels.register("branches", home.reminder_panel)
    account_deleting.connect(_account_deleting)
    targets.register(ACTIVITY)


def _account_deleting(user):
    """The register keeps the person's name and attendance; the link to the account and the party details go."""
    services.forget_person(user.id)
