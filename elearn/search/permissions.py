"""Who may search: everyone, visitors too; what each person finds is filtered by what they may see
(``services.visible_filter`` in the index, ``visible_clause`` in the database before showing)."""
from __future__ import annotations


def can_search(user) -> bool:
    return True
