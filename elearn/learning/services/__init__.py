"""The work behind the player and the learning record, by concern:

- ``heartbeats``: what the player plays, heartbeats, progress, completion, resume;
- ``viewings``: the clock each playing starts, which bounds the credit of its reports;
- ``preferences``: the learner's player settings;
- ``record``: the home page, 「继续学习」, the learning record and the course figures.

Views and the API keep using ``from . import services`` and ``services.<name>``: the public
functions and settings are re-exported here.
"""
from __future__ import annotations

from .heartbeats import (  # noqa: F401
    BEAT_ID, HEARTBEAT_SECONDS, MAX_INTERVALS, RECENT_BEATS, RESUME_MARGIN_SECONDS,
    RESUME_MARGIN_SHARE, lesson_for_progress, local_day, neighbours, playback, progress_dict, progress_for,
    read_heartbeat, ready_duration, record_heartbeat, resume_point, site_zone, watched_between,
)
from .viewings import CLOCK_SLACK_SECONDS, NO_CREDIT, VIEWING_ID, start_viewing, viewings_of  # noqa: F401
from .preferences import get_preferences, preferences_dict, set_preferences  # noqa: F401
from .record import (  # noqa: F401
    continue_target, course_figures, course_page, course_progress, home, learning_record, minutes_by_period, my_courses,
    week_start,
)
