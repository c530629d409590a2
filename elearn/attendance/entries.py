"""Who was expected at one event and where each stands: the rows of a sign-in sheet or a register,
for any kind of event (class sessions, branch activities)."""
from __future__ import annotations

from dataclasses import dataclass

from . import models as m
from . import services


@dataclass
class Entry:
    """One person at one event: their record (None: not marked)."""

    name: str
    user_id: int | None
    record: m.AttendanceRecord | None

    @property
    def status(self) -> str | None:
        return self.record.status if self.record is not None else None


def event_entries(event: m.AttendanceEvent) -> list[Entry]:
    """The event's roster (who was expected when it started) and its records, by name."""
    records = services.records(event)
    entries = [Entry(name, uid, records.pop(uid, None)) for uid, name in services.roster(event).items()]
    # Someone marked who has left since, or whose account was deleted, still shows.
    entries += [Entry(record.person_name, uid, record) for uid, record in records.items()]
    return sorted(entries, key=lambda entry: (entry.name, entry.user_id or 0))
