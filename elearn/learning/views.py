"""Pages: the home page, the lesson page with the player, 「我的学习」 and its player settings form."""
from __future__ import annotations

from babel.dates import format_skeleton
from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _

from ..core.db import unit_of_work
from ..core.permissions import actor, allow, require
from ..courses.permissions import can_edit_lesson, can_view_course, can_view_lesson
from ..courses.services import get_lesson, teaching_courses
from . import bp, charts, hooks, services
from .forms import CAPTION_SIZE_LABELS, PlayerSettingsForm, speed_label
from .models import CAPTION_SIZES, PLAYBACK_RATES
from .permissions import (can_change_player_settings, can_record_progress, can_view_own_learning,
                          can_view_teaching_figures)


@bp.app_template_filter("clock")
def clock(seconds) -> str:
    """12:34, or 1:02:03 from an hour on: how a player shows a time."""
    seconds = max(0, int(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _skeleton(day, pattern: str) -> str:
    return format_skeleton(pattern, day, locale=get_locale() or "zh_CN")


# ---------------------------------------------------------------- the home page

def index():
    """「继续学习」 first, then the courses being taken with their progress, the panels features above
    this one add (hooks.home_panels), then the catalogue. The app's ``index`` endpoint (see init_app)."""
    user = actor()
    return render_template("learning/home.html", panels=hooks.panels_for(user),
                           top_panels=hooks.panels_for(user, hooks.home_top_panels), **services.home(user))


# ---------------------------------------------------------------- the course page (courses.hooks)

def course_page_learning(user, course) -> dict:
    """What the course page shows of learning: each lesson's length in words, the ✓ of the lessons
    completed, the course's completion and the lesson its primary button opens."""
    data = services.course_page(user, course)
    data["lengths"] = {lesson_id: lesson_length(seconds) for lesson_id, seconds in data.pop("durations").items()}
    data["stylesheet"] = url_for("static", filename="css/learning.css")
    return data


def lesson_length(seconds: float) -> str:
    """「约 12 分钟」, or 「45 秒」 under a minute: how long a lesson is, in plain words."""
    if seconds < 59.5:
        return _("%(n)d seconds", n=max(1, round(seconds)))
    return _("About %(n)d minutes", n=round(seconds / 60))


# ---------------------------------------------------------------- the lesson page

@bp.get("/lessons/<id:lesson>")
@allow(can_view_lesson, lesson=get_lesson)
def lesson_page(lesson):
    """The learner's lesson page: the player, handouts beside it, the description, the way on."""
    user = actor()
    play = services.playback(lesson)
    video = play["video"]
    progress = services.progress_for(user, lesson.id)
    found_at = _start_at(request.args.get("t"), video)  # a search's moment: not "where you stopped"
    resume_at = found_at or services.resume_point(progress, video["duration"] if video else None)
    # A lesson opened on its own (a branch's recording) leads nowhere else in its course.
    course_shown = can_view_course(user, lesson.course)
    previous, next_lesson = services.neighbours(lesson) if course_shown else (None, None)
    player_prefs = services.get_preferences(user)
    return render_template(
        "learning/lesson.html", lesson=lesson, course=lesson.course, play=play, video=video, progress=progress,
        resume_at=resume_at, found_at=found_at, previous=previous, next_lesson=next_lesson, player_prefs=player_prefs,
        course_shown=course_shown,
        can_edit=can_edit_lesson(user, lesson), can_record=can_record_progress(user, lesson),
        player_config=_player_config(lesson, play, player_prefs, resume_at, next_lesson, user),
        rates=[(rate, speed_label(rate)) for rate in PLAYBACK_RATES],
        caption_sizes=[(size, CAPTION_SIZE_LABELS[size]) for size in CAPTION_SIZES],
    )


def _start_at(value: str | None, video) -> float | None:
    """``?t=<seconds>``: a search result's moment; ignored when not a second inside the video."""
    if not video or not value or not value.isdigit() or len(value) > 6:
        return None
    seconds = int(value)
    return float(seconds) if 0 < seconds < (video.get("duration") or 0) else None


def _player_config(lesson, play, prefs, resume_at, next_lesson, user) -> dict:
    """What player.js needs, as JSON in a data attribute (no inline script under the CSP)."""
    signed_in = can_record_progress(user, lesson)
    return {
        "lessonId": lesson.id,
        "userId": user.id if signed_in else None,
        "progressUrl": url_for("api_learning.LessonProgressItem", lesson=lesson.id) if signed_in else None,
        "playbackUrl": url_for("api_learning.LessonPlayback", lesson=lesson.id),
        "csrfUrl": url_for("api_auth.CsrfToken"),
        "prefsUrl": url_for("api_learning.PlayerPreferences") if signed_in else None,
        "video": play["video"], "captions": play["captions"],
        "preferences": services.preferences_dict(prefs), "resumeAt": resume_at,
        "autoplay": request.args.get("autoplay") == "1" and prefs.autoplay_next,
        "nextUrl": url_for("learning.lesson_page", lesson=next_lesson.id, autoplay=1) if next_lesson else None,
        "heartbeatSeconds": services.HEARTBEAT_SECONDS,
        "text": _player_texts(),
    }


def _player_texts() -> dict:
    return {
        "play": _("Play"), "pause": _("Pause"), "fullscreen": _("Full screen"), "exitFullscreen": _("Exit full screen"),
        "auto": _("Automatic"), "offline": _("The network seems to be disconnected. When it is back, press “Retry”."),
        "network": _("The video cannot be loaded right now. Please check the network, then press “Retry”."),
        "missing": _("Part of this video cannot be found. Press “Retry”; if it still does not play, please tell "
                     "the teacher."),
        "broken": _("This video cannot be played right now. Please press “Retry”."),
        "countdown": _("The next lesson starts in {n} seconds."),
        "savedHere": _("No network: your progress is kept on this device and sent when the network is back."),
        "seekText": _("{current} of {total}"),
    }


# ---------------------------------------------------------------- 「我的学习」

@bp.get("/learning")
@require(can_view_own_learning)
def record():
    user = actor()
    data = services.learning_record(user)
    weeks = [dict(week, label=_skeleton(week["start"], "MMMd"),
                  title=_("Week of %(date)s: %(minutes)s minutes", date=_skeleton(week["start"], "yMMMd"),
                          minutes=_number(week["minutes"])))
             for week in data["weeks"]]
    months = [dict(month, label=_skeleton(month["start"], "MMM"), long_label=_skeleton(month["start"], "yMMM"),
                   title=_("%(month)s: %(minutes)s minutes", month=_skeleton(month["start"], "yMMM"),
                           minutes=_number(month["minutes"])))
              for month in data["months"]]
    figures = services.course_figures(teaching_courses(user)) if can_view_teaching_figures(user) else None
    prefs = services.get_preferences(user)
    form = PlayerSettingsForm(obj=prefs)
    return render_template("learning/record.html", record=data, weeks=weeks, months=months,
                           week_chart=charts.bar_chart(weeks, slot=24, label_every=4),
                           month_chart=charts.bar_chart(months, slot=80), figures=figures, form=form,
                           continue_with=services.continue_target(user))


def _number(minutes: float) -> str:
    return str(charts.whole_minutes(minutes))


@bp.post("/learning/settings")
@require(can_change_player_settings)
def settings():
    form = PlayerSettingsForm()
    if not form.validate_on_submit():
        flash(_("Please choose the settings from the lists and try again."), "error")
        return redirect(url_for("learning.record", _anchor="settings"))
    with unit_of_work(flash_errors=True) as work:
        services.set_preferences(actor(), playback_rate=form.playback_rate.data, caption_size=form.caption_size.data,
                                 captions_on=form.captions_on.data, autoplay_next=form.autoplay_next.data)
    if work.ok:
        flash(_("Your player settings have been saved."), "success")
    return redirect(url_for("learning.record", _anchor="settings"))
