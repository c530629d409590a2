"""The words: one name for the code, no doubled phrases, Chinese punctuation in Chinese text."""
from __future__ import annotations

import html
import re
from pathlib import Path

from babel.messages.pofile import read_po

from tests.clients import signed_in
from tests.factories import make_asset, make_lesson

ROOT = Path(__file__).resolve().parents[2] / "elearn" / "translations"
HAN = r"[\u3400-\u9fff]"


def chinese() -> dict[str, str]:
    with (ROOT / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    pairs = {}
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid, msgstr in zip(ids, strings):
            pairs[msgid] = msgstr
    return pairs


def offending(pattern: str) -> list[str]:
    return [f"{k!r} -> {v!r}" for k, v in chinese().items() if re.search(pattern, v)]


def test_one_word_for_the_code():
    """一次性码 everywhere: never 验证码 (what a text message brings) or 重置码."""
    assert offending("验证码|重置码") == []


def test_no_ascii_colon_or_corner_quotes_in_chinese():
    """A colon after Chinese is the full-width ：; quotes are “ ”, not 「 」 in one place and “ ” in another."""
    assert offending(HAN + r"\s*:") == []
    assert offending("[「」]") == []


def test_no_space_around_names_in_chinese():
    """「%(name)s的账号」, not 「%(name)s 的账号」: no space between a name and the Chinese around it."""
    assert offending(rf"{HAN} +%\((name|names|title)\)s|%\((name|names|title)\)s +{HAN}") == []


def test_no_prefix_before_a_complete_reason():
    """Reasons are whole sentences; nothing says 「无法使用：」 in front of one (「无法使用：……无法使用。」)."""
    assert [msgid for msgid in chinese() if "{error}" in msgid] == []
    assert offending("无法使用.*无法使用") == []


def test_a_failed_video_says_its_reason_once(app, db):
    """The teacher's media panel shows the stored reason as it is, without a prefix that repeats it."""
    teacher = signed_in(app, db, roles=["teacher"])
    lesson = make_lesson(db, teacher.user)
    make_asset(db, lesson, "failed", error="This file is not a video or audio recording and cannot be used.")
    db.session.commit()
    page = teacher.get(f"/teaching/lessons/{lesson.id}/edit").get_data(as_text=True)
    shown = html.unescape(re.sub(r'data-[\w-]+="[^"]*"', "", page))  # the words page scripts keep for later
    assert "这个文件不是视频或音频，无法使用。" in shown
    assert shown.count("无法使用") == 1, re.findall(r".{30}无法使用.{10}", shown)
