"""Pages for attendance reports: the overview across classes, a class, a session, a member; the
term's ``.xlsx``/``.csv``; a printable A4 sign-in sheet; and the private calendar feed (``.ics``)."""
from __future__ import annotations

import io
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from babel.dates import format_skeleton
from flask_babel import get_locale, gettext as _
from sqlalchemy import select

from ..core.db import unit_of_work
from ..core.ids import parse_id
from ..core.permissions import actor, require
from ..core.timeutil import local_day, utcnow
from ..core.utils import safe_filename
from ..extensions import db
from ..learning import charts
from . import bp, calendar, exports, reports, schedule
from . import models as m
from .permissions import (can_report_session, can_take_session_roll, can_teach_class, can_view_own_classes,
                          can_view_reports, can_view_term_reports)
from .services import get_class, get_term
from .views import _labels

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible(term: m.Term) -> list[m.ClassGroup]:
    return reports.term_classes(term, actor())


def _default_term() -> m.Term | None:
    """The latest term that has started (else the first one planned)."""
    today = local_day(utcnow())
    return (db.session.scalar(select(m.Term).where(m.Term.starts_on <= today).order_by(m.Term.starts_on.desc()).limit(1))
            or db.session.scalar(select(m.Term).order_by(m.Term.starts_on).limit(1)))


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def rate_chart(items: list[tuple[str, str, float | None]], slot: int = 80) -> tuple[dict, list[dict]]:
    """A bar per (label, long label, rate), 0-100 %: the learning record's chart geometry."""
    points = [{"minutes": (rate or 0) * 100, "label": label, "long_label": long_label, "value_text": _percent(rate),
               "title": f"{long_label}: {_percent(rate)}"} for label, long_label, rate in items]
    return charts.bar_chart(points, slot=slot, top=100), points


def _month_chart(groups: list[m.ClassGroup]):
    months = reports.by_month([group.id for group in groups])
    locale = get_locale() or "zh_CN"
    return rate_chart([(format_skeleton("MMM", date(year, month, 1), locale=locale),
                        format_skeleton("yMMMM", date(year, month, 1), locale=locale), tally.rate)
                       for (year, month), tally in months])


@bp.app_context_processor
def _report_rules() -> dict:
    return {"can_teach_class": can_teach_class}


@bp.app_template_filter("percent")
def percent_filter(rate) -> str:
    return _percent(rate)


# ---------------------------------------------------------------- reports

@bp.get("/classes/reports")
@require(can_view_reports)
def reports_overview():
    """Every class of a term the reader may see (the office: all), their rates and a chart."""
    terms = list(db.session.scalars(select(m.Term).order_by(m.Term.starts_on.desc())))
    chosen = parse_id(request.args.get("term"))
    term = next((t for t in terms if t.id == chosen), None) if chosen else _default_term()
    if chosen and term is None:
        abort(404)
    groups = _visible(term) if term else []
    class_reports = reports.class_reports(groups)
    chart, points = rate_chart([(r.group.name[:6], r.group.name, r.total.rate) for r in class_reports])
    month_chart, month_points = _month_chart(groups)
    return render_template("classes/report_overview.html", terms=terms, term=term, reports=class_reports,
                           chart=chart, points=points, month_chart=month_chart, month_points=month_points)


@bp.get("/classes/reports/terms/<id:term>.<any(xlsx, csv):kind>")
@require(can_view_term_reports, term=get_term)
def term_export(term, kind):
    return _export(reports.class_reports(_visible(term)), f"{term.name}-{_('attendance')}", kind)


def _export(class_reports: list[reports.ClassReport], name: str, kind: str):
    data, mimetype = ((exports.to_xlsx(class_reports), XLSX) if kind == "xlsx"
                      else (exports.to_csv(class_reports), "text/csv; charset=utf-8"))
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=safe_filename(f"{name}.{kind}", f"attendance.{kind}"), max_age=0)


@bp.get("/classes/<id:group>/report")
@require(can_teach_class, group=get_class)
def class_report(group):
    """One class: its members' rates, its sessions, and the months as a chart."""
    report = reports.class_reports([group])[0]
    rows = reports.session_rows(group)
    chart, points = _month_chart([group])
    return render_template("classes/report_class.html", group=group, report=report, sessions=rows, chart=chart,
                           points=points)


@bp.get("/classes/<id:group>/report.<any(xlsx, csv):kind>")
@require(can_teach_class, group=get_class)
def class_export(group, kind):
    return _export(reports.class_reports([group]), f"{group.name}-{_('attendance')}", kind)


@bp.get("/classes/<id:group>/report/members/<id:person>")
@require(can_teach_class, group=get_class)
def member_report(group, person):
    rows, tally = reports.member_sessions(group, person)
    member = db.session.scalar(select(m.Enrolment).filter_by(class_id=group.id, user_id=person))
    if member is None and not rows:
        abort(404)
    name = member.user.name if member else rows[0][1].person_name
    return render_template("classes/report_member.html", group=group, name=name, rows=rows, tally=tally,
                           **_labels())


@bp.get("/classes/sessions/<id:session>/report")
@require(can_report_session, session=schedule.get_session)
def session_report(session):
    entries = reports.session_entries(session)
    tally = reports.Tally()
    for entry in entries:
        if entry.record:
            tally.add(entry.record.status)
    return render_template("classes/report_session.html", session=session, group=session.class_group,
                           entries=entries, tally=tally, **_labels())


@bp.get("/classes/sessions/<id:session>/sign-in-sheet")
@require(can_take_session_roll, session=schedule.get_session)
def sign_in_sheet(session):
    """An A4 sheet to print for a classroom without devices: names and a blank column to sign."""
    return render_template("classes/report_sign_in.html", session=session, group=session.class_group,
                           entries=reports.session_entries(session))


# ---------------------------------------------------------------- the calendar feed

@bp.app_template_global()
def calendar_address() -> str | None:
    """The signed-in person's feed address, for their 「我的班级」 page (None: they have none)."""
    token = calendar.token_of(actor().id)
    return url_for("classes.calendar_feed", token=token, _external=True) if token else None


@bp.post("/classes/calendar")
@require(can_view_own_classes)
def calendar_renew():
    """Make the address, or a new one: the old one stops working (a phone lost, an address shared)."""
    with unit_of_work(flash_errors=True) as work:
        calendar.renew(actor().id)
    if work.ok:
        flash(_("Your calendar address is ready. Add it to your phone's calendar."), "success")
    return redirect(url_for("classes.my_classes") + "#calendar")


@bp.post("/classes/calendar/revoke")
@require(can_view_own_classes)
def calendar_revoke():
    with unit_of_work(flash_errors=True) as work:
        calendar.revoke(actor().id)
    if work.ok:
        flash(_("Your calendar address no longer works."), "success")
    return redirect(url_for("classes.my_classes") + "#calendar")


@bp.get("/calendar/<token>.ics")
def calendar_feed(token):
    """Public: a phone's calendar cannot sign in, so the signed address is the credential."""
    user_id = calendar.owner_of(token[:80])
    if user_id is None:
        abort(404)
    body = calendar.feed(user_id, request.host, product=_("Senior university classes"), cancelled_word=_("Cancelled"))
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, no-store",
                                                             "X-Robots-Tag": "noindex"})
