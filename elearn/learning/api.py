"""/api/v1: progress heartbeats, playback URLs, player settings, the learning record, course figures.

``POST /lessons/{id}/progress`` also takes ``navigator.sendBeacon`` bodies: those cannot set
headers, so a session caller's beacon carries ``csrf_token`` in its JSON body (sent as text/plain,
which is why the body is parsed here rather than by ``@blp.arguments``).
"""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l

from ..api import SECURITY, Blueprint, error_responses
from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.permissions import actor, require
from ..courses import services as courses
from ..courses.permissions import allow, can_view_lesson
from . import services
from .permissions import (can_change_player_settings, can_record_progress, can_view_course_figures,
                          can_view_own_learning)
from .schemas import (CourseFiguresSchema, HeartbeatSchema, PingSchema, PlaybackQuerySchema, PlaybackSchema,
                      PreferencesSchema, ProgressSchema, RecordSchema)


# A bearer token's last-use touch takes the write lock in a transaction of its own (see
# api.authenticate_api_request), so a heartbeat needs no lock before the token is checked.
blp = Blueprint("api_learning", __name__, url_prefix="/api/v1",
                description="Progress, resume, player settings and learning records")

#: A heartbeat is a few hundred bytes; anything much larger is not one.
MAX_HEARTBEAT_BYTES = 64 * 1024


_errors = error_responses(blp)


def _json_body():
    """The JSON object sent, whatever Content-Type it came with (beacons send text/plain)."""
    if (request.content_length or 0) > MAX_HEARTBEAT_BYTES:
        raise ServiceError("too_large", _l("This report is too large."), status=413)
    body = request.get_json(force=True, silent=True)
    if body is None:
        raise ServiceError("malformed_json", _l("The request body is not valid JSON."), status=400)
    return body


@blp.route("/lessons/<id:lesson>/progress")
class LessonProgressItem(MethodView):
    @require(can_record_progress, lesson=courses.get_lesson)
    @blp.response(200, ProgressSchema)
    @_errors(401, 403, 404)
    @blp.doc(security=SECURITY)
    def get(self, lesson):
        """The caller's stored state in a lesson: position, coverage, completion."""
        return services.progress_dict(services.progress_for(actor(), lesson.id), services.ready_duration(lesson.id))

    @require(can_record_progress, lesson=services.lesson_for_progress)
    @blp.response(200, ProgressSchema)
    @_errors({400: "Refused: the message says why (not JSON, a reversed interval, a malformed beat id...)"},
             403, 404, {409: "The lesson has no video to watch yet"},
             {413: "Larger than a heartbeat can be, or too many intervals"})
    @blp.doc(security=SECURITY, requestBody={"required": True, "content": {"application/json": {
        "schema": HeartbeatSchema}}})
    def post(self, lesson):
        """Report what was played in a viewing (``viewing``: the id the playback answer gave). Intervals
        are cut to the video, merged, and cut to what the clocks allow: the viewing's (1.5x the time
        since it started, plus one slack, minus what it was credited) and the caller's over all
        devices; negative times count from 0. A report without a viewing of the caller's for this
        lesson is answered 200 but credits nothing and stores nothing (``reason`` says why), so an
        offline queue drops it rather than sending it again."""
        position, intervals, beat, viewing = services.read_heartbeat(_json_body())
        user_id, lesson_id = actor().id, lesson.id
        duration = services.ready_duration(lesson_id)
        # Everything above only read; the read-modify-write of the coverage runs under the write lock,
        # held as briefly as possible (other heartbeats wait for it).
        with unit_of_work(locked=True):
            state = services.record_heartbeat(user_id, lesson_id, position, intervals, beat, duration=duration,
                                              viewing=viewing)
        return state


@blp.route("/lessons/<id:lesson>/playback")
class LessonPlayback(MethodView):
    @allow(can_view_lesson, lesson=courses.get_lesson)
    @blp.arguments(PlaybackQuerySchema, location="query")
    @blp.response(200, PlaybackSchema)
    @_errors(401, 403, 404)
    @blp.doc(security=SECURITY)
    def get(self, args, lesson):
        """Fresh signed media URLs for the player (ask again after a 403 from /media), with the caller's
        progress and player settings. For a caller whose progress is kept, it also starts a viewing
        (``viewing``): the id every progress report of this playing carries, and the server time its
        credit is measured from. A player renewing its links sends ``viewing`` and keeps it."""
        user = actor()
        body = services.playback(lesson)
        duration = body["video"]["duration"] if body["video"] else None
        body["progress"] = services.progress_dict(services.progress_for(user, lesson.id), duration) \
            if user.is_authenticated else None
        body["preferences"] = services.preferences_dict(services.get_preferences(user))
        body["viewing"] = None
        if body["video"] is not None and can_record_progress(user, lesson):
            with unit_of_work():
                body["viewing"] = services.start_viewing(user, lesson, going_on=args.get("viewing")).public_id
        return body


@blp.route("/me/player-preferences")
class PlayerPreferences(MethodView):
    @require(can_change_player_settings)
    @blp.response(200, PreferencesSchema)
    @_errors(401)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self):
        """Speed, captions and next-lesson settings, the same on every device."""
        return services.preferences_dict(services.get_preferences(actor()))

    @require(can_change_player_settings)
    @blp.arguments(PreferencesSchema)
    @blp.response(200, PreferencesSchema)
    @_errors(400, 401, 422)
    @blp.doc(security=[{"bearerAuth": []}])
    def patch(self, data):
        """Change some player settings."""
        with unit_of_work():
            prefs = services.set_preferences(actor(), **data)
        return services.preferences_dict(prefs)


@blp.route("/me/learning")
class MyLearning(MethodView):
    @require(can_view_own_learning)
    @blp.response(200, RecordSchema)
    @_errors(401)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self):
        """「我的学习」: minutes per week and month over the last year, lessons completed, courses in
        progress and finished, and the lesson to continue."""
        user = actor()
        return dict(services.learning_record(user), continue_with=services.continue_target(user))


@blp.route("/courses/<id:course>/learning")
class CourseLearning(MethodView):
    @require(can_view_course_figures, course=courses.get_course)
    @blp.response(200, CourseFiguresSchema)
    @_errors(401, 403, 404)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, course):
        """How the course's learners are doing (its teachers and admins)."""
        return services.course_figures([course])[0]


@blp.route("/ping")
class Ping(MethodView):
    @blp.response(200, PingSchema)
    @_errors()
    @blp.doc(security=SECURITY)
    def get(self):
        """A bare answer (no data, no permission needed): the baseline of bench/heartbeat.py."""
        return {"ok": True}

    @blp.response(200, PingSchema)
    @_errors()
    @blp.doc(security=SECURITY)
    def post(self):
        """The same, through the API's sign-in and CSRF checks for a POST."""
        return {"ok": True}
