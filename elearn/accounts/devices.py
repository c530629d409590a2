"""「已登录的设备」 on /account: the person's signed-in devices, and ending one or all the others."""
from __future__ import annotations

from babel.dates import format_datetime
from flask import flash, redirect, url_for
from flask_babel import get_locale, gettext as _, ngettext
from flask_login import current_user

from ..core.db import unit_of_work
from ..core.permissions import login_required, require
from ..core.timeutil import to_local
from . import bp, sessions
from .models import UserSession
from .permissions import can_end_session


def shown_time(moment) -> str:
    """A stored time as the person reads it: the site's time zone, the page's language."""
    return format_datetime(to_local(moment), "short", locale=str(get_locale() or "zh_CN"))


def device_list() -> dict:
    """The template's view of the devices: this one first, then the others by last use."""
    this_id = sessions.current_session_id()
    rows = sorted(sessions.live_sessions(current_user), key=lambda row: row.id != this_id)
    devices = [{
        "id": row.id, "name": sessions.describe_device(row.user_agent), "ip": row.ip or _("unknown"),
        "since": shown_time(row.created_at), "seen": shown_time(row.last_seen_at), "this": row.id == this_id,
    } for row in rows]
    return {"devices": devices}


# CSRF: checked for every POST by CSRFProtect (extensions.py); the buttons carry the page's token.

@bp.post("/account/devices/<id:device>/end")
@require(can_end_session, device=sessions.get_session)
def end_device(device: UserSession):
    """Sign one device out (this one signs out with the usual button)."""
    with unit_of_work(flash_errors=True) as work:
        sessions.end_session(device)
    if work.ok:
        flash(_("That device has been signed out."), "success")
    return redirect(url_for("accounts.account") + "#devices")


@bp.post("/account/devices/end-others")
@login_required
def end_other_devices():
    """Sign out every device but this one."""
    with unit_of_work(flash_errors=True) as work:
        ended = sessions.end_other_sessions(current_user, sessions.current_session_id())
    if work.ok:
        flash(ngettext("%(num)d other device has been signed out.", "%(num)d other devices have been signed out.",
                       ended) if ended else _("No other device was signed in."), "success")
    return redirect(url_for("accounts.account") + "#devices")
