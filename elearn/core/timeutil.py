"""One notion of "now" for the whole app: naive UTC datetimes, as stored in the database."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
