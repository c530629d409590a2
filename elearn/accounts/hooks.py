"""What accounts tell the features above them, which never get imported here: blinker signals.

Sent inside the transaction that makes the change, so a receiver's work commits or rolls back with it.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the User about to be deleted. Receivers keep what records must keep (a branch register's
#: name and attendance) and drop the rest before the row goes. Nothing sends it yet: accounts have no
#: delete flow; the flow that adds one sends this first, in its unit of work.
account_deleting = _signals.signal("account-deleting")
