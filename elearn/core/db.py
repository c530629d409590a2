"""Transactions that write after reading, safely on SQLite as on PostgreSQL."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..extensions import db


@event.listens_for(Engine, "set_connection_execution_options")
def _lock_up_front(conn, options):
    """``session.connection(execution_options={"begin_immediate": True})`` sets the options on a fresh
    connection just before its BEGIN; this marks it so that extensions.py emits BEGIN IMMEDIATE."""
    if options.get("begin_immediate") and not conn.in_transaction():
        conn.info["begin_immediate"] = True


def start_locked_transaction() -> None:
    """Begin a transaction that holds SQLite's write lock from the start.

    A deferred SQLite transaction that has read and then writes fails at once ("database is locked")
    when another writer committed in between: its snapshot is stale, and waiting cannot help. Code
    that reads, then writes what it read (a heartbeat's coverage, a login attempt, a token's last
    use), takes the lock at BEGIN instead. A transaction that has only read so far is ended first;
    it wrote nothing. PostgreSQL needs none of this (rows are locked with FOR UPDATE where needed).
    """
    if db.session.get_bind().dialect.name != "sqlite":
        return
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={"begin_immediate": True})
