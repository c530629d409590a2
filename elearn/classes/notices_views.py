"""Pages of announcements (通知): the panel at the top of a member's home page, 「我的通知」 (read and
unread), 「知道了」 (a plain form: it works without JavaScript), and a class's teachers' page to
write one and see, for each, how many have read it and who has not."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from ..core.db import unit_of_work
from ..core.permissions import actor, require
from . import bp, notices
from .notices import can_mark_notice_read, can_view_own_notices, can_write_notice, get_notice
from .services import get_class


class NoticeForm(FlaskForm):
    # Lengths are the service's (it also cleans and refuses); here they only size the fields.
    title = StringField(_l("Title"), validators=[Length(max=notices.TITLE_MAX)])
    body = TextAreaField(_l("What you want to tell the members"), validators=[Length(max=notices.BODY_MAX)],
                         render_kw={"rows": 6})


@bp.app_context_processor
def _notice_rules() -> dict:
    return {"can_write_notice": can_write_notice, "notice_words": notices.words}


def home_panel(user):
    """The unread announcements, first on the home page, each with 朗读 and 「知道了」."""
    if not user.is_authenticated:
        return None
    unread = notices.receipts_of(user.id, unread=True, limit=notices.HOME_LIMIT)
    if not unread:
        return None
    return Markup(render_template("classes/_notices_panel.html", receipts=unread,
                                  more=notices.unread_count(user.id) - len(unread)))


@bp.get("/notices")
@require(can_view_own_notices)
def my_notices():
    """「我的通知」: every announcement sent to me, newest first, unread ones marked."""
    return render_template("classes/notices.html", receipts=notices.receipts_of(actor().id))


@bp.post("/notices/<id:notice>/read")
@require(can_mark_notice_read, notice=get_notice)
def notice_read(notice):
    with unit_of_work(flash_errors=True):
        notices.mark_read(notice, actor())
    # Back where the button was: the list, or the home page (a fixed choice, never a URL from the form).
    if request.form.get("back") == "list":
        return redirect(url_for("classes.my_notices") + f"#notice-{notice.id}")
    return redirect(url_for("index"))


@bp.route("/classes/<id:group>/notices", methods=["GET", "POST"])
@require(can_write_notice, group=get_class)
def class_notices(group):
    """The teachers' page: write an announcement; for each sent, how many of how many have read it."""
    form, status = NoticeForm(), 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            with unit_of_work(flash_errors=True) as work:
                notices.post_notice(group, actor(), title=form.title.data, body=form.body.data)
            if work.ok:
                flash(_("The announcement was sent to the members."), "success")
                return redirect(url_for("classes.class_notices", group=group.id))
            status = work.status
    sent = notices.class_notices(group)
    return render_template("classes/class_notices.html", group=group, form=form, sent=sent,
                           counts=notices.read_counts(sent), not_read_by=notices.not_read_by(sent)), status
