"""Who may do what with accounts' own things (the rules about managing people are in core.permissions)."""
from __future__ import annotations


def can_end_session(user, device) -> bool:
    """A person ends only their own devices (an admin ends someone's by resetting or disabling)."""
    return bool(user and user.is_authenticated and device.user_id == user.id)
