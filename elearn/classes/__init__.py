"""Classes: terms, class groups (教学班), schedules, sessions, enrolment and the waiting list, roll
call and QR check-in pages. Each session's attendance is taken by the attendance engine (an event of
kind ``class_session``)."""
from flask import Blueprint

bp = Blueprint("classes", __name__)

from ..attendance.hooks import event_kinds  # noqa: E402
from ..core.permissions import contact_rules  # noqa: E402
from ..courses.permissions import visibility_providers  # noqa: E402
from ..learning.hooks import home_panels, home_top_panels  # noqa: E402
from ..api import register_api  # noqa: E402
from . import (admin_views, api, calendar, certificate_views, leave_api, leave_views, models,  # noqa: E402,F401
               report_views, views)
from . import notices_api, notices_models, notices_views  # noqa: E402,F401
from . import api_classes, api_members  # noqa: E402,F401
from . import roster_import  # noqa: E402,F401
from .roster import CLASS_SESSION, members_see_course, teaches_member  # noqa: E402
from .schedule import EVENT_KIND  # noqa: E402


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_api(app, api.blp)
    register_api(app, leave_api.blp)
    register_api(app, notices_api.blp)
    event_kinds.register(EVENT_KIND, CLASS_SESSION)
    visibility_providers.register("classes", members_see_course)
    contact_rules.register("classes", teaches_member)
    home_panels.register("classes", views.home_panel)
    home_top_panels.register("class_notices", notices_views.home_panel)
    roster_import.init_app(app)
