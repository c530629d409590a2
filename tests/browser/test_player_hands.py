"""The lesson player on a phone, for unsteady hands (real Chromium, the real transcoded clip).

A tap on the picture plays and pauses, a double click on 播放 leaves it playing, the controls are
grouped (one row of three, a full-width seek bar, the rest behind 更多设置), the caption language
can be chosen, sound-only captions stay clear of the label, a portrait recording fills the width,
and 朗读 says so when the device has no voice for the page's language.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_player import PLAYING_MS, open_lesson, state, wait_for_time
from tests.factories import make_asset, make_caption, make_course, make_user, media_root
from tests.learning.media import attach_ready_video, webvtt
from tests.video.clips import CLIP_DIR, FFMPEG, H264_AAC, testsrc, tone

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
ENGLISH_VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:08.000\nHello, today we learn tai chi\n"
PORTRAIT = "360x640"


@pytest.fixture
def student(live_db):
    return make_user(live_db, roles=["student"], fast_hash=True, name="张学员", text_size="xlarge")


@pytest.fixture
def lesson(live_db):
    """The transcoded clip with two caption tracks, the English one first (as a teacher may upload them)."""
    teacher = make_user(live_db, roles=["teacher"], fast_hash=True, name="李老师")
    course = make_course(live_db, teachers=[teacher], status="published", visibility="signed_in", lessons=1)
    lesson = course.lessons[0]
    attach_ready_video(live_db, lesson, captions=False)
    make_caption(live_db, lesson, ENGLISH_VTT.encode(), filename="english.vtt", lang="en")
    make_caption(live_db, lesson, webvtt().encode(), filename="字幕.vtt", lang="zh")
    return lesson


def phone(new_page, live_server, user):
    page = new_page(**PHONE)
    sign_in(page, live_server, user)
    return page


def open_more(page):
    page.click("#more-toggle")
    assert page.get_attribute("#more-toggle", "aria-expanded") == "true"


def box(page, selector):
    return page.locator(selector).bounding_box()


def test_the_controls_are_grouped_on_a_phone_at_the_largest_text(new_page, live_server, lesson, student):
    """360 px, 特大: 播放/后退15秒/前进15秒 in one row, labels at most two lines, the seek bar as wide as
    the controls, speed and the rest only after 更多设置, and no keyboard hint on a touch screen."""
    page = phone(new_page, live_server, student)
    open_lesson(page, live_server, lesson)
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
    row = [box(page, f".main-row [data-action={a}]") for a in ("play", "back", "forward")]
    assert len({round(b["y"]) for b in row}) == 1, row
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.main-row .label')).lineHeight)")
    for action in ("play", "back", "forward"):
        label = box(page, f".main-row [data-action={action}] .label")
        assert label["height"] <= 2 * line + 1, (action, label)
    controls, seek = box(page, "#player-controls"), box(page, "#seek")
    assert seek["width"] >= 0.85 * controls["width"], (seek, controls)
    assert page.is_hidden("#speed") and page.is_hidden(".keys-hint")
    open_more(page)
    assert page.is_visible("#speed") and page.is_visible("#caption-lang")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.focus("body")
    page.keyboard.press("ArrowRight")  # someone with a keyboard after all: now the hint helps
    assert page.is_visible(".keys-hint")


def test_the_keyboard_hint_shows_with_a_mouse(page, live_server, lesson, student):
    """With a fine pointer that hovers (a computer), the hint is there from the start."""
    sign_in(page, live_server, student)
    open_lesson(page, live_server, lesson)
    assert page.is_visible(".keys-hint")


def test_a_tap_on_the_picture_plays_and_pauses(new_page, live_server, lesson, student):
    page = phone(new_page, live_server, student)
    open_lesson(page, live_server, lesson)
    page.tap("#lesson-video")
    wait_for_time(page, 1.0)
    assert not state(page)["paused"]
    page.wait_for_timeout(500)
    # On a caption, if one is showing: the tap goes through to the picture.
    target = box(page, "#captions-display") if page.is_visible("#captions-display") else box(page, "#lesson-video")
    page.touchscreen.tap(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)
    page.wait_for_function("() => document.getElementById('lesson-video').paused")
    stopped = state(page)["time"]
    page.wait_for_timeout(600)
    assert state(page)["time"] == pytest.approx(stopped, abs=0.05) and not page.console_errors


def test_a_double_click_on_play_leaves_it_playing(page, live_server, lesson, student):
    """Today's bug: the second click paused it again at 0:00."""
    sign_in(page, live_server, student)
    open_lesson(page, live_server, lesson)
    page.dblclick("[data-action=play]")
    wait_for_time(page, 1.5)
    assert not state(page)["paused"]
    assert page.inner_text("[data-action=play] .label") == "暂停"


def test_the_caption_language_can_be_chosen_and_is_kept(page, live_server, lesson, student):
    """Two tracks, English first: the Chinese page shows the Chinese ones; 字幕语言 switches to
    English, and the choice is kept after a reload."""
    sign_in(page, live_server, student)
    open_lesson(page, live_server, lesson)
    page.click("[data-action=play]")
    page.wait_for_function("() => document.getElementById('captions-display').textContent.length > 0",
                           timeout=PLAYING_MS)
    assert page.inner_text("#captions-display") == "大家好，今天学太极拳"
    open_more(page)
    page.select_option("#caption-lang", label=page.locator("#caption-lang option[lang=en]").inner_text())
    page.wait_for_function("() => document.getElementById('captions-display').textContent.startsWith('Hello')")
    page.reload()
    page.wait_for_selector("#player-controls:not([hidden])")
    assert page.eval_on_selector("#caption-lang", "s => s.selectedOptions[0].lang") == "en"
    page.click("[data-action=play]")
    page.wait_for_function("() => document.getElementById('captions-display').textContent.startsWith('Hello')",
                           timeout=PLAYING_MS)


def test_sound_only_captions_do_not_cover_the_label(new_page, live_server, lesson, student):
    page = phone(new_page, live_server, student)
    open_lesson(page, live_server, lesson)
    page.click("[data-action=play]")
    wait_for_time(page, 0.5)
    open_more(page)
    with page.expect_response(lambda r: r.url.endswith("/audio/index.m3u8")):
        page.click("[data-action=sound-only]")
    page.wait_for_function("() => !document.getElementById('captions-display').hidden", timeout=PLAYING_MS)
    label, captions = box(page, "#sound-only-card p"), box(page, "#captions-display")
    assert captions["y"] >= label["y"] + label["height"], (label, captions)
    stage = box(page, ".player-stage")
    assert captions["y"] + captions["height"] <= stage["y"] + stage["height"] + 1, (captions, stage)


def portrait_lesson(db, lesson):
    """A 360×640 recording (a phone held upright) through the real transcoder, cached like the others."""
    from elearn.video.probe import probe
    from elearn.video.transcode import transcode

    folder = CLIP_DIR / "portrait-lesson-v1"
    summary_file = folder / "summary.json"
    CLIP_DIR.mkdir(parents=True, exist_ok=True)
    with open(CLIP_DIR / ".portrait.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not summary_file.exists():
            source = CLIP_DIR / "portrait-source-v1.mp4"
            subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *testsrc(PORTRAIT, 25, 3),
                            *tone(3, 440, -20), *H264_AAC, str(source)], check=True)
            shutil.rmtree(folder, ignore_errors=True)
            summary = transcode(source, folder / "out", probe(source)).to_dict()
            summary.pop("out_dir", None)
            summary_file.with_suffix(".tmp").write_text(json.dumps(summary))
            os.replace(summary_file.with_suffix(".tmp"), summary_file)
    summary = json.loads(summary_file.read_text())
    asset = make_asset(db, lesson, "ready", filename="竖屏.mp4", size=1, duration=summary["duration"],
                       renditions=summary)
    shutil.copytree(folder / "out", media_root() / "hls" / asset.key)


def test_a_portrait_recording_fills_the_width_of_a_phone(new_page, live_server, live_db, student):
    """Not a 16:9 box with a picture 100 px wide in it: the video's own shape, at most most of the screen."""
    course = make_course(live_db, status="published", visibility="signed_in", lessons=1)
    portrait_lesson(live_db, course.lessons[0])
    page = phone(new_page, live_server, student)
    open_lesson(page, live_server, course.lessons[0])
    page.click("[data-action=play]")
    page.wait_for_function("() => document.getElementById('lesson-video').videoWidth > 0", timeout=PLAYING_MS)
    page.click("[data-action=play]")
    video = box(page, "#lesson-video")
    shown = page.evaluate("""() => { const v = document.getElementById("lesson-video");
      const scale = Math.min(v.clientWidth / v.videoWidth, v.clientHeight / v.videoHeight);
      return v.videoWidth * scale; }""")
    assert video["height"] <= 0.8 * 740 + 1 and video["height"] > 1.4 * video["width"] * 0.6, video
    assert shown >= 0.85 * box(page, ".player-stage")["width"], (shown, video)


def test_read_aloud_says_when_there_is_no_chinese_voice(page, live_server, live_db):
    """Headless Chromium has no voices: 朗读 must say so on the page instead of doing nothing."""
    page.goto(live_server.url + "/")
    assert page.evaluate("speechSynthesis.getVoices().length") == 0
    page.click(".read-aloud")
    status = page.locator(".read-aloud-status")
    status.wait_for(state="visible")
    assert "这台设备没有中文语音" in status.inner_text()
    assert status.get_attribute("aria-live") == "polite"
    assert page.get_attribute(".read-aloud", "aria-pressed") != "true"
