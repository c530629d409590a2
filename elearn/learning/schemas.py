"""Schemas of the learning API: heartbeats, progress, playback, player settings, records, figures."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ..api.schemas import UtcDateTime
from . import services
from .models import CAPTION_SIZES, PLAYBACK_RATES


class HeartbeatSchema(Schema):
    position = fields.Float(metadata={"description": "Where the player is now, in seconds (for resuming)"})
    intervals = fields.List(
        fields.List(fields.Float(), validate=validate.Length(equal=2)),
        validate=validate.Length(max=services.MAX_INTERVALS),
        metadata={"description": "[start, end] seconds actually played since the last report, each start at most "
                                 "its end (a reversed pair is refused, 400); more than the maximum is 413"})
    beat = fields.String(metadata={"description": "Optional id of this report, so a retry is not counted twice",
                                   "pattern": services.BEAT_ID.pattern})  # the one rule, stated once
    viewing = fields.String(metadata={
        "description": "The viewing this was played in: the id from GET /lessons/{id}/playback. Without one of "
                       "the caller's for this lesson nothing is credited (200, with reason)",
        "pattern": services.VIEWING_ID.pattern})
    csrf_token = fields.String(metadata={"description": "Only for sendBeacon from a signed-in page (no header)"})


class ProgressSchema(Schema):
    position = fields.Float()
    coverage = fields.Float(metadata={"description": "Share of the lesson watched at least once, 0..1"})
    completed = fields.Boolean()
    completed_at = fields.String(allow_none=True)
    covered_seconds = fields.Float()
    covered = fields.List(fields.List(fields.Float()), metadata={"description": "Merged [start, end] watched"})
    watched_seconds = fields.Float(metadata={"description": "Every credited second, re-watching included"})
    duration = fields.Float(allow_none=True)
    resume_at = fields.Float(allow_none=True, metadata={"description": "Where to offer to continue, or null"})
    credited = fields.Float(metadata={"description": "Seconds credited by this report (POST only)"})
    clamped = fields.Boolean(metadata={"description": "The report was cut to the video or to the clock"})
    duplicate = fields.Boolean(metadata={"description": "This report's beat id was stored before"})
    reason = fields.String(validate=validate.OneOf(services.NO_CREDIT), metadata={
        "description": "Why nothing was credited (POST only): no_viewing (no viewing id sent), unknown_viewing "
                       "(not a viewing of the caller's for this lesson)"})


class PreferencesSchema(Schema):
    playback_rate = fields.Float(validate=validate.OneOf(PLAYBACK_RATES))
    captions_on = fields.Boolean()
    caption_size = fields.String(validate=validate.OneOf(CAPTION_SIZES))
    autoplay_next = fields.Boolean(metadata={"description": "Start the next lesson after a countdown"})


class PlaybackQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    viewing = fields.String(validate=validate.Length(max=64), metadata={
        "description": "The viewing this player already has (renewing its links): answered with the same one, "
                       "when it is the caller's viewing of this lesson; otherwise a new one starts"})


class PlaybackSchema(Schema):
    video = fields.Dict(allow_none=True, metadata={
        "description": "The ready video: id, kind, duration, signed hls_url, audio_url (sound only), mp4_url, "
                       "poster_url"})
    preparing = fields.Boolean(metadata={"description": "A video is still being prepared"})
    captions = fields.List(fields.Dict(), metadata={"description": "Ready captions with signed url, lang, label"})
    progress = fields.Nested(ProgressSchema, allow_none=True)
    preferences = fields.Nested(PreferencesSchema)
    viewing = fields.String(allow_none=True, metadata={
        "description": "A viewing started for this playing: send it with every progress report (null when "
                       "the caller's progress is not kept, or there is no video)"})


class PeriodSchema(Schema):
    start = fields.Date()
    minutes = fields.Float()


class CourseProgressSchema(Schema):
    course_id = fields.Function(lambda item: item["course"].id, metadata={"type": "integer"})
    title = fields.Function(lambda item: item["course"].title, metadata={"type": "string"})
    lessons = fields.Integer()
    completed = fields.Integer()
    percent = fields.Integer()
    finished = fields.Boolean()


class LessonDoneSchema(Schema):
    lesson_id = fields.Function(lambda item: item["lesson"].id, metadata={"type": "integer"})
    title = fields.Function(lambda item: item["lesson"].title, metadata={"type": "string"})
    course_title = fields.Function(lambda item: item["lesson"].course.title, metadata={"type": "string"})
    completed_at = UtcDateTime()


class ContinueSchema(Schema):
    lesson_id = fields.Function(lambda item: item["lesson"].id, metadata={"type": "integer"})
    title = fields.Function(lambda item: item["lesson"].title, metadata={"type": "string"})
    resume_at = fields.Float(allow_none=True)


class RecordSchema(Schema):
    weeks = fields.List(fields.Nested(PeriodSchema), metadata={"description": "Minutes per week, oldest first"})
    months = fields.List(fields.Nested(PeriodSchema), metadata={"description": "Minutes per month, oldest first"})
    minutes_last_year = fields.Float()
    lessons_completed = fields.Integer()
    recent_lessons = fields.List(fields.Nested(LessonDoneSchema))
    courses_in_progress = fields.List(fields.Nested(CourseProgressSchema))
    courses_finished = fields.List(fields.Nested(CourseProgressSchema))
    continue_with = fields.Nested(ContinueSchema, allow_none=True)


class PingSchema(Schema):
    ok = fields.Boolean()


class CourseFiguresSchema(Schema):
    course_id = fields.Function(lambda item: item["course"].id, metadata={"type": "integer"})
    title = fields.Function(lambda item: item["course"].title, metadata={"type": "string"})
    lessons = fields.Integer()
    learners = fields.Integer(metadata={"description": "People who have started the course"})
    lessons_completed = fields.Integer()
    learners_finished = fields.Integer()
    minutes = fields.Float(metadata={"description": "Minutes watched by everyone"})
