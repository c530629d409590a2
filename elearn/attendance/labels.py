"""The words for statuses, modes and sources, shared by every page and export that shows attendance."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from . import models as m

STATUS_LABELS = {
    m.PRESENT: _l("Present"), m.LATE: _l("Late"), m.LEFT_EARLY: _l("Left early"),
    m.EXCUSED: _l("Excused"), m.ABSENT: _l("Absent"), m.MADE_UP: _l("Made up"),
}
MODE_LABELS = {m.ON_SITE: _l("On site"), m.ONLINE: _l("Online"), m.HOME_VISIT: _l("Home visit")}
SOURCE_LABELS = {
    m.BY_TEACHER: _l("by the teacher"), m.BY_ASSISTANT: _l("by the class monitor"), m.BY_OFFICER: _l("by a branch officer"),
    m.BY_SELF: _l("self check-in"), m.BY_AUTO: _l("automatic"), m.BY_LEAVE: _l("leave request"),
}
#: One tap on the roll-call page moves a person on to the next of these (then back to the first).
TAP_CYCLE = (m.PRESENT, m.LATE, m.LEFT_EARLY, m.EXCUSED, m.ABSENT)


def next_status(status: str | None) -> str:
    if status not in TAP_CYCLE:
        return TAP_CYCLE[0]
    return TAP_CYCLE[(TAP_CYCLE.index(status) + 1) % len(TAP_CYCLE)]

LEAVE_LABELS = {
    m.PENDING: _l("Waiting for the teacher"), m.APPROVED: _l("Leave approved"),
    m.DECLINED: _l("Leave refused"), m.WITHDRAWN: _l("Taken back"),
}
