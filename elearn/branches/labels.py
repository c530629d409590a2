"""The words for activity types, officer roles and party standing, shared by pages and exports."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..attendance import models as am
from ..attendance.labels import LEAVE_LABELS as ENGINE_LEAVE_LABELS
from . import models as m

KIND_LABELS = {
    m.GENERAL_MEETING: _l("Branch general meeting"), m.COMMITTEE: _l("Branch committee meeting"),
    m.GROUP_MEETING: _l("Party group meeting"), m.LECTURE: _l("Party lecture"), m.THEME_DAY: _l("Theme party day"),
    m.CUSTOM: _l("Other activity"),
}
ROLE_LABELS = {
    m.SECRETARY: _l("Secretary"), m.DEPUTY: _l("Deputy secretary"), m.ORGANISATION: _l("Organisation officer"),
    m.PROPAGANDA: _l("Publicity officer"), m.DISCIPLINE: _l("Discipline officer"),
}
PARTY_STATUS_LABELS = {
    m.FULL: _l("Full member"), m.PROBATIONARY: _l("Probationary member"),
    m.TRANSFERRED_IN: _l("Transferred in"), m.TRANSFERRED_OUT: _l("Transferred out"),
}
#: Leave as a member reads it: the officers answer, not a teacher.
LEAVE_LABELS = {**ENGINE_LEAVE_LABELS, am.PENDING: _l("Waiting for the branch officers")}
PERIOD_LABELS = {m.QUARTER: _l("every quarter"), m.MONTH: _l("every month")}


def period_name(period) -> str:
    """「2026年第4季度」 / 「2026年11月」 for a compliance period (its ``label`` is "2026-Q4" / "2026-11")."""
    if "-Q" in period.label:
        return str(_l("Q%(quarter)d %(year)d", quarter=(period.starts.month - 1) // 3 + 1, year=period.starts.year))
    return str(_l("%(month)d/%(year)d", month=period.starts.month, year=period.starts.year))


def activity_name(activity: m.Activity) -> str:
    """The type as a person reads it (a custom type by its own name)."""
    return activity.custom_kind if activity.kind == m.CUSTOM else str(KIND_LABELS[activity.kind])
