"""Party branches organised on teaching classes (党支部建在教学班上): branches, members with their party
details behind an access log, activities (三会一课, 主题党日) with minutes, attendance through the shared
engine (an event of kind ``branch_activity``) and compliance by quarter."""
from ..attendance.hooks import event_kinds
from . import models  # noqa: F401
from .roster import BRANCH_ACTIVITY, EVENT_KIND


def init_app(app) -> None:
    event_kinds.register(EVENT_KIND, BRANCH_ACTIVITY)
