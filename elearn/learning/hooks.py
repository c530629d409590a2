"""What the learning pages ask the features above them (classes, branches...) without importing them."""
from __future__ import annotations

from blinker import Namespace

from ..core.registry import Registry
from ..core.transaction import after_commit

_signals = Namespace()

#: ``(user) -> Markup | None``: a panel on the home page (下次上课, 通知, a branch's reminder...),
#: shown after 「继续学习」 in the order the features registered them.
home_panels = Registry("panels on the home page")
#: The same, shown first, above 「继续学习」: what a person should read before anything else (a class's 通知).
home_top_panels = Registry("panels at the top of the home page")

#: Sent once the heartbeat that made a viewing's unique coverage of its lesson reach
#: ``ATTENDANCE_ONLINE_COVERAGE`` has committed. Keyword arguments, ids only: ``user_id``,
#: ``lesson_id``, ``viewing_id``. Receivers run after the commit, when the session can emit no SQL:
#: they queue work (``core.jobs.enqueue``) rather than do it.
viewing_covered = _signals.signal("viewing-covered")


def panels_for(user, registry: Registry = home_panels) -> list:
    return [panel for panel in (provider(user) for provider in registry) if panel]


def announce_covered(user_id: int, lesson_id: int, viewing_id: int) -> None:
    """Tell ``viewing_covered``'s receivers once (and only if) the current transaction commits."""
    after_commit(lambda: viewing_covered.send(None, user_id=user_id, lesson_id=lesson_id, viewing_id=viewing_id))
