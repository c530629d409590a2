"""Ask, then act: the page of its own that asks before something that cannot be undone.

A GET shows the question (templates/confirm.html, no pop-up dialogs); the form's POST runs the
action in one unit of work, says what was done, and goes back. A refusal (ServiceError) is
flashed on the question page again, with its status.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template
from flask_wtf import FlaskForm
from wtforms import HiddenField

from .db import unit_of_work


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token, plus where to go back to."""

    next = HiddenField()


def confirm_then_act(action: Callable[[], object], *, done: str, back: str | Callable[[], str], title: str,
                     question: str, confirm: str, cancel_url: str, cancel: str | None = None):
    """The question page, or (on its valid POST) ``action()`` committed, ``done`` flashed and a redirect to
    ``back`` (a URL, or a function giving it once the action has run)."""
    form = ActionForm()
    status = 200
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            action()
        if work.ok:
            flash(done, "success")
            return redirect(back() if callable(back) else back)
        status = work.status
    return render_template("confirm.html", form=form, title=title, question=question, confirm=confirm,
                           cancel_url=cancel_url, cancel=cancel), status
