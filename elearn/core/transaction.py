"""Work that must wait for the transaction's outcome: file moves, queued jobs, signal side effects.

``after_commit(action)`` runs ``action`` once the session's outermost transaction has committed;
``after_rollback(action)`` runs it if that transaction ends any other way (rolled back, or the
session closed without a commit). Actions registered on one transaction never leak into the next.
An action that fails is logged: the commit stands, and a leftover file is swept up later.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

_ON_COMMIT = "elearn.on_commit"
_ON_ROLLBACK = "elearn.on_rollback"


def after_commit(action) -> None:
    db.session.info.setdefault(_ON_COMMIT, []).append(action)


def after_rollback(action) -> None:
    db.session.info.setdefault(_ON_ROLLBACK, []).append(action)


def _run(actions, what: str) -> None:
    for action in actions:
        try:
            action()
        except Exception:  # noqa: BLE001 - the outcome stands; report and go on with the others
            current_app.logger.exception("%s action failed", what)


@event.listens_for(Session, "after_commit")
def _committed(session):
    if session.in_nested_transaction():  # a savepoint released: the real outcome is still ahead
        return
    session.info.pop(_ON_ROLLBACK, None)
    _run(session.info.pop(_ON_COMMIT, []), "after-commit")


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    # The outermost transaction ended without the commit above having taken its actions: it was
    # rolled back (explicitly, after a failed flush, or by closing the session).
    if transaction.parent is not None or transaction.nested:
        return
    session.info.pop(_ON_COMMIT, None)
    _run(reversed(session.info.pop(_ON_ROLLBACK, [])), "after-rollback")
