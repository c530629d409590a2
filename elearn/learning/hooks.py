"""What the learning pages ask the features above them (classes, branches...) without importing them."""
from __future__ import annotations

from ..core.registry import Registry

#: ``(user) -> Markup | None``: a panel on the home page (下次上课, 通知, a branch's reminder...),
#: shown after 「继续学习」 in the order the features registered them.
home_panels = Registry("panels on the home page")
#: The same, shown first, above 「继续学习」: what a person should read before anything else (a class's 通知).
home_top_panels = Registry("panels at the top of the home page")


def panels_for(user, registry: Registry = home_panels) -> list:
    return [panel for panel in (provider(user) for provider in registry) if panel]
