"""/api/v1: a branch's activities (members read them; officers add and change them), their minutes
(officers save a new version, the secretary approves), their attendance through the shared engine
(the roll for officers, a member's own record for the member) and compliance by quarter.

A rule the document cannot state (a custom type without its name, an activity over a year old, a
party group meeting without its group, a mark for an activity not held yet) is answered 409: the
request itself is well-formed (docs/api-testing.md)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask.views import MethodView
from flask_babel import lazy_gettext as _l

from ..api import SECURITY, error_responses
from ..attendance import roll as attendance_roll
from ..attendance.permissions import can_view_attendance
from ..classes.api_classes import conflicts
from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.permissions import actor, require
from ..core.timeutil import from_site_time, to_local
from ..courses.markdown import render_markdown
from . import activities, compliance, services
from . import models as m
from .api import _group, blp
from .permissions import can_approve_activity_minutes, can_run_activity, can_run_branch, can_see_branch, \
    can_view_activity
from .schemas import (ActivityCreateSchema, ActivityDetailSchema, ActivityPatchSchema, ActivityRollSchema,
                      ActivitySchema, ComplianceQuerySchema, ComplianceSchema, MarksSchema, MinutesSchema,
                      MinutesRevisionSchema)

_errors = error_responses(blp)
_CONFLICT = {409: "A custom type without its name, a party group meeting without its group, "
                  "a day over a year back or outside 2000-2100"}
#: Days an activity can be on: beyond them a start plus its length would not be a time at all.
_FIRST_DAY, _LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def dump_activity(activity: m.Activity) -> dict:
    out = {key: getattr(activity, key) for key in ("id", "branch_id", "kind", "custom_kind", "topic", "agenda",
                                                   "place", "online", "starts_at", "ends_at", "lesson_id")}
    out.update(kind_name=activities.activity_name(activity), cancelled=activities.event_of(activity).cancelled_at
               is not None, group={"id": activity.group.id, "name": activity.group.name} if activity.group else None)
    return out


def dump_revision(revision: m.MinutesRevision | None) -> dict | None:
    if revision is None:
        return None
    return {"number": revision.number, "body_md": revision.body_md, "body_html": str(render_markdown(revision.body_md)),
            "author_name": revision.author_name, "created_at": revision.created_at,
            "approved_at": revision.approved_at, "correction": activities.is_correction(revision)}


def _values(branch: m.Branch, activity: m.Activity | None, data: dict) -> dict:
    """The service's arguments: the fields sent, the rest as the activity has them."""
    current = {} if activity is None else {
        "kind": activity.kind, "custom_kind": activity.custom_kind, "group": activity.group,
        "topic": activity.topic, "agenda": activity.agenda, "place": activity.place, "online": activity.online,
        "minutes": int((activity.ends_at - activity.starts_at).total_seconds() // 60)}
    values = {**current, **{key: value for key, value in data.items() if key not in ("day", "starts", "group_id")}}
    if "group_id" in data:
        values["group"] = _group(branch, data["group_id"])
    values["starts_at"] = _start(data, activity) if "day" in data or "starts" in data else activity.starts_at
    values["ends_at"] = values["starts_at"] + timedelta(minutes=values.pop("minutes"))
    return values


def _start(data: dict, activity: m.Activity | None) -> datetime:
    """The start on the site's wall clock: the day and time sent, the rest as the activity has them."""
    local = to_local(activity.starts_at) if activity else None
    day, clock = data.get("day") or local.date(), data.get("starts") or local.time().replace(tzinfo=None)
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise ServiceError("day_out_of_range", _l("Please choose a day between 2000 and 2100."), status=409,
                           field="day")
    return from_site_time(day, clock)


@blp.route("/branches/<id:branch>/activities")
class BranchActivities(MethodView):
    @require(can_see_branch, branch=services.get_branch)
    @blp.response(200, ActivitySchema(many=True))
    @_errors(403, 404)
    @blp.doc(security=SECURITY)
    def get(self, branch):
        """The branch's activities, latest first: all of them for officers and admins, for a member those
        that are for them (a committee meeting is the committee's, a party group meeting its group's)."""
        return [dump_activity(a) for a in activities.listed_for(branch, actor())]

    @require(can_run_branch, branch=services.get_branch)
    @blp.arguments(ActivityCreateSchema)
    @blp.response(201, ActivityDetailSchema)
    @_errors(403, {404: "No such branch, or no such party group of the branch"}, _CONFLICT, 422)
    @blp.doc(security=SECURITY)
    def post(self, data, branch):
        """Add an activity (officers and admins); its attendance is taken through the shared engine."""
        with unit_of_work(locked=True), conflicts():
            values = _values(branch, None, data)
            activity = activities.create_activity(branch, actor=actor(), **values)
        return {**dump_activity(activity), "minutes": None, "approved_minutes": None}


@blp.route("/branch-activities/<id:activity>")
class ActivityItem(MethodView):
    @require(can_view_activity, activity=activities.get_activity)
    @blp.response(200, ActivityDetailSchema)
    @_errors(403, 404)
    @blp.doc(security=SECURITY)
    def get(self, activity):
        """One activity with its latest minutes and the latest approved version (the branch's members)."""
        return _detail(activity)

    @require(can_run_activity, activity=activities.get_activity)
    @blp.arguments(ActivityPatchSchema)
    @blp.response(200, ActivityDetailSchema)
    @_errors(403, {404: "No such activity, or no such party group of the branch"},
             {409: _CONFLICT[409] + ", or its attendance is closed"}, 422)
    @blp.doc(security=SECURITY)
    def patch(self, data, activity):
        """Change an activity (officers and admins): the fields sent, the rest as they are."""
        with unit_of_work(locked=True), conflicts():
            values = _values(activity.branch, activity, data)
            activities.update_activity(activity, lesson_id=activity.lesson_id, **values)
        return _detail(activity)


def _detail(activity: m.Activity) -> dict:
    return {**dump_activity(activity), "minutes": dump_revision(activities.current_minutes(activity)),
            "approved_minutes": dump_revision(activities.approved_minutes(activity))}


@blp.route("/branch-activities/<id:activity>/minutes")
class ActivityMinutes(MethodView):
    @require(can_run_activity, activity=activities.get_activity)
    @blp.arguments(MinutesSchema)
    @blp.response(201, MinutesRevisionSchema)
    @_errors(403, 404, 422)
    @blp.doc(security=SECURITY)
    def post(self, data, activity):
        """Save the minutes as a new version (officers and admins). After an approval it is a correction,
        shown as such; the approved version stays as it was. The same text sent twice is one version."""
        with unit_of_work(locked=True), conflicts():
            revision = activities.save_minutes(activity, data["body"], actor=actor())
        return dump_revision(revision)


@blp.route("/branch-activities/<id:activity>/minutes/approval")
class MinutesApproval(MethodView):
    @require(can_approve_activity_minutes, activity=activities.get_activity)
    @blp.response(200, MinutesRevisionSchema)
    @_errors({403: "Only the branch secretary (and admins) approve minutes"}, 404,
             {409: "There are no minutes yet"})
    @blp.doc(security=SECURITY)
    def post(self, activity):
        """Approve the latest version of the minutes, which locks it."""
        with unit_of_work(locked=True):
            revision = activities.approve_minutes(activity, actor=actor())
        return dump_revision(revision)


@blp.route("/branch-activities/<id:activity>/cancellation")
class ActivityCancellation(MethodView):
    @require(can_run_activity, activity=activities.get_activity)
    @blp.response(200, ActivitySchema)
    @_errors(403, 404, {409: "The activity has already begun: one that has begun cannot be called off"})
    @blp.doc(security=SECURITY)
    def post(self, activity):
        """Call off an activity still to come (officers and admins): nobody is expected at it, it counts for
        no requirement, and the reminder and the register leave it out. Calling it off twice changes nothing."""
        with unit_of_work(locked=True):
            activities.cancel_activity(activity)
        return dump_activity(activity)


@blp.route("/branch-activities/<id:activity>/attendance")
class ActivityAttendance(MethodView):
    @require(can_view_activity, activity=activities.get_activity)
    @blp.response(200, ActivityRollSchema)
    @_errors(403, 404)
    @blp.doc(security=SECURITY)
    def get(self, activity):
        """Everyone expected with their mark (officers and admins); a member gets only their own row
        (none when they are not expected at this activity)."""
        event, user = activities.event_of(activity), actor()
        only = None if can_view_attendance(user, event) else user.id
        return {"activity": activity.id, "rows": attendance_roll.rows(event, only=only)}

    @require(can_run_activity, activity=activities.get_activity)
    @blp.arguments(MarksSchema)
    @blp.response(200, ActivityRollSchema)
    @_errors(403, 404, {409: "The activity has not started (only excused can be marked before it), was "
                             "cancelled, or a person is not expected at it"}, 422)
    @blp.doc(security=SECURITY)
    def post(self, data, activity):
        """Apply marks in order, all or none (officers and admins), as the class roll does: each keeps its
        device time (the mark made last wins) and its ref (a mark sent twice counts once)."""
        with unit_of_work(locked=True):
            rows = attendance_roll.apply_marks(activities.event_of(activity), data["marks"], actor=actor())
        return {"activity": activity.id, "rows": rows}


@blp.route("/branches/<id:branch>/compliance")
class BranchCompliance(MethodView):
    @require(can_run_branch, branch=services.get_branch)
    @blp.arguments(ComplianceQuerySchema, location="query")
    @blp.response(200, ComplianceSchema)
    @_errors(403, 404, 422)
    @blp.doc(security=SECURITY)
    def get(self, query, branch):
        """三会一课 compliance in a quarter (officers and admins): each requirement met, due or missed, and
        who was absent and has not made it up."""
        day = None
        if "quarter" in query:
            year, number = query["quarter"].split("-Q")
            day = date(int(year), 3 * int(number) - 2, 1)
        report = compliance.quarter_report(branch, day)
        return {"branch_id": branch.id, "quarter": report.quarter.label, "met": report.met,
                "checks": [{"kind": c.kind, "period": c.period.label, "needed": c.needed, "held": c.held,
                            "state": c.state, "group": {"id": c.group.id, "name": c.group.name} if c.group else None}
                           for c in report.checks],
                "absent": [{"name": name, "activity": a.id} for name, a in report.absent]}
