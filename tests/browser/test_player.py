"""The lesson player in the real Chromium, on a real HLS lesson (an 8 s clip through the real transcoder).

Debian's Chromium decodes H.264 and AAC (``MediaSource.isTypeSupported('video/mp4; codecs="avc1.64001f"')``
is true), so these tests play for real: hls.js loads the master playlist and MPEG-TS segments,
frames are decoded (``getVideoPlaybackQuality().totalVideoFrames`` grows) and ``currentTime`` advances.
"""
from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.core.timeutil import utcnow
from elearn.extensions import db as _db
from elearn.learning.models import LearningPreference, LessonProgress, WatchInterval
from tests.browser.conftest import sign_in
from tests.factories import make_course, make_user
from tests.learning.media import CUES, attach_ready_video

pytestmark = pytest.mark.browser
PLAYING_MS = 20_000

STATE = """() => {
  const v = document.getElementById("lesson-video");
  const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : {};
  return {time: v.currentTime, paused: v.paused, frames: q.totalVideoFrames || 0, width: v.videoWidth,
          engine: document.getElementById("player").dataset.engine || null};
}"""


def person(db, roles, name):
    return make_user(db, roles=roles, fast_hash=True, name=name)


@pytest.fixture
def lessons(live_db):
    """A published course with two lessons, each with the real transcoded clip; the first has captions."""
    teacher = person(live_db, ["teacher"], "李老师")
    course = make_course(live_db, teachers=[teacher], status="published", visibility="signed_in", lessons=2,
                         title="太极拳入门")
    attach_ready_video(live_db, course.lessons[0])
    attach_ready_video(live_db, course.lessons[1], captions=False)
    return course.lessons


@pytest.fixture
def student(live_db):
    return person(live_db, ["student"], "张学员")


def state(page):
    return page.evaluate(STATE)


def wait_for_time(page, seconds, timeout=PLAYING_MS):
    page.wait_for_function("t => document.getElementById('lesson-video').currentTime >= t", arg=seconds,
                           timeout=timeout)


def stored_progress(user_id, lesson_id):
    _db.session.rollback()  # a fresh snapshot: the server has committed since
    return _db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user_id,
                                                           LessonProgress.lesson_id == lesson_id))


def open_lesson(page, live_server, lesson):
    page.goto(f"{live_server.url}/lessons/{lesson.id}")
    page.wait_for_selector("#player-controls:not([hidden])")


def pause_and_wait_for_report(page):
    with page.expect_response(lambda r: r.url.endswith("/progress") and r.request.method == "POST") as report:
        page.click("[data-action=play]")
    assert report.value.status == 200, report.value.text()
    return report.value.json()


def test_a_real_hls_lesson_plays_shows_captions_and_resumes(page, live_server, lessons, student):
    """Play through hls.js (frames decoded, time advancing), captions render and change size, the pause
    is stored, and after a reload the page offers to continue from where it stopped."""
    lesson = lessons[0]
    sign_in(page, live_server, student)
    open_lesson(page, live_server, lesson)
    assert state(page)["engine"] == "hls.js"
    page.click("[data-action=play]")
    wait_for_time(page, 1.0)
    page.wait_for_function("() => document.getElementById('captions-display').textContent.length > 0")
    assert page.inner_text("#captions-display") == CUES[0][2]
    before = page.evaluate("parseFloat(getComputedStyle(document.getElementById('captions-display')).fontSize)")
    page.click("#more-toggle")  # the caption sizes wait behind 更多设置
    page.click("[data-caption-size=xlarge]")
    after = page.evaluate("parseFloat(getComputedStyle(document.getElementById('captions-display')).fontSize)")
    assert after > before * 1.4
    wait_for_time(page, 4.2)
    assert page.inner_text("#captions-display") == CUES[1][2]
    playing = state(page)
    assert playing["frames"] > 20 and playing["width"] > 0 and not playing["paused"]
    body = pause_and_wait_for_report(page)
    paused_at = state(page)["time"]
    assert body["position"] == pytest.approx(paused_at, abs=0.3) and body["covered_seconds"] > 3.5
    progress = stored_progress(student.id, lesson.id)
    assert progress.position == pytest.approx(paused_at, abs=0.3) and progress.covered_seconds > 3.5
    assert _db.session.get(LearningPreference, student.id).caption_size == "xlarge"
    page.reload()
    offer = page.locator("#resume-offer")
    minutes, seconds = divmod(int(paused_at), 60)
    assert f"从 {minutes}:{seconds:02d} 继续播放" in offer.inner_text()
    assert page.get_attribute("#captions-display", "data-size") == "xlarge"
    page.click("#resume-offer [data-action=resume]")
    wait_for_time(page, paused_at + 0.5)
    assert offer.is_hidden() and not page.console_errors, page.console_errors


def test_continue_learning_lands_on_the_right_lesson(page, live_server, live_db, lessons, student):
    """The home page's 「继续学习」 opens the lesson last watched, offering its stored position."""
    from elearn.learning import services

    with live_server.app.test_request_context():
        viewing = services.start_viewing(student, lessons[1], now=utcnow() - timedelta(minutes=5)).public_id
        services.record_heartbeat(student, lessons[1], 5, [(0, 5)], now=utcnow(), viewing=viewing)
        live_db.session.commit()
    sign_in(page, live_server, student)
    page.goto(live_server.url + "/")
    with page.expect_navigation():
        page.click("#continue-button")
    assert page.url.endswith(f"/lessons/{lessons[1].id}")
    assert "从 0:05 继续播放" in page.inner_text("#resume-offer")


def test_an_expired_link_is_renewed_and_playback_goes_on(page, live_server, lessons, student):
    """A 403 on a segment (the signed URLs expired) fetches fresh URLs and continues at the same place."""
    refused = []

    def expire_once(route):
        if not refused:
            refused.append(route.request.url)
            route.fulfill(status=403, content_type="application/json",
                          body=json.dumps({"code": "media_url_expired", "status": 403}))
        else:
            route.continue_()

    sign_in(page, live_server, student)
    playbacks = []
    page.on("response", lambda r: playbacks.append(r) if "/playback" in r.url else None)
    open_lesson(page, live_server, lessons[0])
    page.route(re.compile(r".*/media/.*\.ts$"), expire_once)
    with page.expect_response(lambda r: "/playback" in r.url) as renewed:
        page.click("[data-action=play]")
    assert renewed.value.status == 200 and refused
    wait_for_time(page, 2.0)
    assert page.is_hidden("#player-message")
    viewings = {r.json()["viewing"] for r in playbacks if r.ok}
    assert len(viewings) == 1 and None not in viewings, viewings
    assert page.is_hidden("#player-message")


def test_a_lost_network_shows_a_message_and_retry_continues(page, live_server, live_db, lessons, student):
    """Segments that cannot be loaded give a plain message with 「重试」; pressing it continues at the same place."""
    from elearn.learning import services

    with live_server.app.test_request_context():
        viewing = services.start_viewing(student, lessons[0], now=utcnow() - timedelta(minutes=5)).public_id
        services.record_heartbeat(student, lessons[0], 5, [(0, 5)], now=utcnow(), viewing=viewing)
        live_db.session.commit()
    segments = re.compile(r".*/media/.*\.ts$")
    sign_in(page, live_server, student)
    open_lesson(page, live_server, lessons[0])
    page.route(segments, lambda route: route.abort("internetdisconnected"))
    page.click("#resume-offer [data-action=resume]")
    page.wait_for_selector("#player-message:not([hidden])", timeout=PLAYING_MS)
    assert "视频暂时加载不出来" in page.inner_text("#player-message") and state(page)["frames"] == 0
    page.unroute(segments)
    page.click("#player-message [data-action=retry]")
    wait_for_time(page, 5.5)
    assert page.is_hidden("#player-message") and state(page)["frames"] > 0


def test_offline_reports_wait_in_local_storage_and_go_when_back_online(page, live_server, lessons, student):
    """A report that cannot be sent is kept under the user's id and sent when the network returns."""
    lesson = lessons[0]
    sign_in(page, live_server, student)
    open_lesson(page, live_server, lesson)
    page.click("[data-action=play]")
    wait_for_time(page, 3.0)
    page.context.set_offline(True)
    page.click("[data-action=play]")  # pause: its report cannot go
    page.wait_for_function("() => document.getElementById('player-status').textContent.length > 0")
    waiting = page.evaluate(f"JSON.parse(localStorage.getItem('elearn.progress.{student.id}'))")
    assert waiting[str(lesson.id)][0]["intervals"], waiting
    assert stored_progress(student.id, lesson.id).covered_seconds < 2.9
    with page.expect_response(lambda r: r.url.endswith("/progress") and r.status == 200):
        page.context.set_offline(False)
    page.wait_for_function(f"() => localStorage.getItem('elearn.progress.{student.id}') === '{{}}'")
    assert stored_progress(student.id, lesson.id).covered_seconds >= 2.9


def test_reports_kept_for_another_user_are_not_sent_under_this_login(page, live_server, live_db, lessons, student):
    """Reports left in the browser by someone else stay theirs: this user's page never sends them."""
    other = person(live_db, ["student"], "王学员")
    sign_in(page, live_server, student)
    queue = {str(lessons[0].id): [{"beat": "left-by-other", "position": 7, "intervals": [[0, 7]]}]}
    page.evaluate("([key, value]) => localStorage.setItem(key, value)",
                  [f"elearn.progress.{other.id}", json.dumps(queue)])
    open_lesson(page, live_server, lessons[0])
    page.wait_for_timeout(500)
    assert page.evaluate(f"localStorage.getItem('elearn.progress.{other.id}')") == json.dumps(queue)
    _db.session.rollback()
    assert _db.session.scalars(select(WatchInterval)).all() == []


def test_leaving_the_page_saves_the_position_by_beacon(page, live_server, lessons, student):
    """Closing or leaving the lesson sends the last position with sendBeacon (CSRF token in the body)."""
    lesson = lessons[0]
    sign_in(page, live_server, student)
    open_lesson(page, live_server, lesson)
    page.click("[data-action=play]")
    wait_for_time(page, 3.0)
    left_at = state(page)["time"]
    page.goto(live_server.url + "/courses")
    deadline = time.monotonic() + 5
    progress = stored_progress(student.id, lesson.id)
    while (progress is None or progress.position < left_at - 0.2) and time.monotonic() < deadline:
        time.sleep(0.2)
        progress = stored_progress(student.id, lesson.id)
    assert progress.position == pytest.approx(left_at, abs=0.6) and progress.covered_seconds >= left_at - 0.6


def test_sound_only_plays_the_audio_rendition_from_the_same_place(page, live_server, lessons, student):
    """「只听声音」 switches to the audio-only playlist and carries on from the same second."""
    sign_in(page, live_server, student)
    open_lesson(page, live_server, lessons[0])
    page.click("[data-action=play]")
    wait_for_time(page, 2.0)
    page.evaluate("""() => { const v = document.getElementById("lesson-video");
      v.addEventListener("playing", () => { window.playingAgainAt = v.currentTime; }, {once: true}); }""")
    page.click("#more-toggle")
    with page.expect_response(lambda r: r.url.endswith("/audio/index.m3u8")):
        page.click("[data-action=sound-only]")
    assert page.get_attribute("[data-action=sound-only]", "aria-pressed") == "true"
    assert page.is_visible("#sound-only-card")
    page.wait_for_function("() => window.playingAgainAt !== undefined", timeout=PLAYING_MS)
    assert page.evaluate("window.playingAgainAt") >= 1.8
    wait_for_time(page, 3.5)


def test_keys_play_seek_and_turn_captions_off(page, live_server, lessons, student):
    """Space plays, → jumps 15 s (to the end here), C turns the captions off; at the end nothing
    starts by itself unless the learner chose it (no countdown by default)."""
    sign_in(page, live_server, student)
    open_lesson(page, live_server, lessons[0])
    page.focus("body")
    page.keyboard.press(" ")
    wait_for_time(page, 1.0)
    page.keyboard.press("c")
    assert page.get_attribute("[data-action=captions]", "aria-pressed") == "false"
    assert page.is_hidden("#captions-display")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#lesson-end:not([hidden])", timeout=PLAYING_MS)
    assert state(page)["time"] > 7 and page.is_hidden("#countdown")
    assert page.evaluate("document.activeElement.id") == "next-lesson"


def test_the_end_offers_the_next_lesson_and_autoplay_only_when_chosen(page, live_server, live_db, lessons, student):
    """At the end a big 「下一课」; with the preference on, the next lesson starts after a countdown."""
    live_db.session.add(LearningPreference(user_id=student.id, autoplay_next=True, playback_rate=1.0,
                                           captions_on=True, caption_size="medium"))
    live_db.session.commit()
    sign_in(page, live_server, student)
    open_lesson(page, live_server, lessons[0])
    page.evaluate("() => { document.getElementById('lesson-video').currentTime = 6; }")
    page.click("[data-action=play]")
    page.wait_for_selector("#lesson-end:not([hidden])", timeout=PLAYING_MS)
    assert "下一课" in page.inner_text("#next-lesson")
    assert "秒后自动播放下一课" in page.inner_text("#countdown")
    page.wait_for_url(re.compile(rf".*/lessons/{lessons[1].id}\?autoplay=1$"), timeout=15_000)
    wait_for_time(page, 1.0)


def test_a_report_refused_for_an_expired_csrf_token_goes_again_with_a_fresh_one(page, live_server, lessons, student):
    """Signed out and in again in another tab, the lesson page's CSRF token is refused (400 csrf_failed):
    the player fetches a fresh token and sends the same report again, which is stored; nothing is dropped."""
    lesson = lessons[0]
    sign_in(page, live_server, student)
    open_lesson(page, live_server, lesson)
    page.click("[data-action=play]")
    wait_for_time(page, 2.5)
    pause_and_wait_for_report(page)  # paused while the other tab signs in: the 8 s clip must not end meanwhile
    other = page.context.new_page()  # same browser, same cookies: a new session replaces the old one
    other.goto(live_server.url + "/")
    with other.expect_navigation():
        other.get_by_role("button", name="退出登录", exact=True).click()
    sign_in(other, live_server, student)
    page.click("[data-action=play]")
    wait_for_time(page, state(page)["time"] + 1.0)
    answers = []
    page.on("response", lambda r: r.url.endswith("/progress") and answers.append(r.status))
    with page.expect_response(lambda r: r.url.endswith("/auth/csrf")) as fresh:
        with page.expect_response(lambda r: r.url.endswith("/progress") and r.status == 200):
            page.click("[data-action=play]")  # pause: its report goes with the page's old token first
    assert fresh.value.status == 200 and answers[0] == 400, answers
    page.wait_for_function(f"() => localStorage.getItem('elearn.progress.{student.id}') === '{{}}'")
    assert stored_progress(student.id, lesson.id).covered_seconds >= 2.4
