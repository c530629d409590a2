"""Caption files: encodings, SRT and WebVTT parsing, timing errors by line, WebVTT output."""
from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elearn.core.errors import ServiceError
from elearn.video.captions import (Cue, convert, decode_caption_bytes, parse_captions, parse_srt, parse_vtt,
                                   preview, to_webvtt)

SRT = ("1\n00:00:01,000 --> 00:00:03,500\n大家好，今天我们学习书法。\n\n"
       "2\n00:00:04,000 --> 00:00:06,000\n请拿起毛笔，\n注意坐姿。\n\n"
       "3\n00:01:02,500 --> 00:01:05,000\n<i>下课</i>\n")
EXPECTED = [Cue(1.0, 3.5, "大家好，今天我们学习书法。"), Cue(4.0, 6.0, "请拿起毛笔，\n注意坐姿。"),
            Cue(62.5, 65.0, "<i>下课</i>")]


def refused(fn, *args, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        fn(*args, **kwargs)
    assert caught.value.status == 422
    return caught.value


def test_utf8_srt():
    """A plain UTF-8 SRT is read as UTF-8 and its cues parsed."""
    text, encoding = decode_caption_bytes(SRT.encode("utf-8"))
    assert encoding == "utf-8" and parse_srt(text) == EXPECTED


def test_utf8_bom_and_windows_line_ends():
    """A BOM and CRLF line ends are removed before parsing."""
    text, encoding = decode_caption_bytes(codecs.BOM_UTF8 + SRT.replace("\n", "\r\n").encode("utf-8"))
    assert encoding == "utf-8-sig" and not text.startswith("\ufeff") and "\r" not in text
    assert parse_srt(text) == EXPECTED


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    """UTF-16 from Windows Notepad (little or big endian, with BOM) is recognised."""
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    text, encoding = decode_caption_bytes(bom + SRT.encode(codec))
    assert encoding == "utf-16" and parse_srt(text) == EXPECTED


def test_gb18030_chinese_srt():
    """A GBK/GB18030 file from older Chinese software is detected and reads correctly."""
    text, encoding = decode_caption_bytes(SRT.encode("gb18030"))
    assert encoding == "gb18030" and parse_srt(text) == EXPECTED
    assert preview(text, 2) == ["大家好，今天我们学习书法。", "请拿起毛笔，"]


def test_big5_is_not_mistaken_for_gb18030():
    """Big5 bytes also decode as GB18030 nonsense; they are refused, and read fine when Big5 is chosen."""
    data = "1\n00:00:01,000 --> 00:00:03,000\n大家好，今天我們學習書法，請拿起毛筆。\n".encode("big5")
    assert refused(decode_caption_bytes, data).code == "caption_encoding"
    text, encoding = decode_caption_bytes(data, forced_encoding="big5")
    assert encoding == "big5" and parse_srt(text)[0].text == "大家好，今天我們學習書法，請拿起毛筆。"


def test_chosen_encoding_that_does_not_fit():
    """A chosen encoding that cannot read the bytes, or does not exist, gets its own message."""
    assert refused(decode_caption_bytes, SRT.encode("gb18030"), forced_encoding="utf-8").code == "caption_encoding"
    assert refused(decode_caption_bytes, b"x", forced_encoding="no-such-thing").code == "unknown_encoding"


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n" + bytes(200),
                                  "captions".encode("utf-16-le") * 10])
def test_garbage_bytes_are_refused(data):
    """Binary files and text of no plausible encoding are refused with a plain message."""
    err = refused(decode_caption_bytes, data)
    assert err.code == "caption_encoding" and "UTF-8" in str(err.message)


def test_webvtt_input():
    """WebVTT: header, NOTE and STYLE blocks skipped, identifiers, optional hours, settings, entities, voices."""
    vtt = ("WEBVTT - lesson\nKind: captions\n\nNOTE made by hand\n\nSTYLE\n::cue { color: yellow }\n\n"
           "intro\n00:01.000 --> 00:02.500 align:start line:0\n<v 老师>Tom &amp; Jerry</v>\n\n"
           "01:00:02.000 --> 01:00:03.000\n第二条\n")
    cues = parse_vtt(vtt)
    assert cues == [Cue(1.0, 2.5, "Tom & Jerry"), Cue(3602.0, 3603.0, "第二条")]
    assert parse_captions(vtt) == cues
    assert parse_vtt("WEBVTT\n00:01.000 --> 00:02.000\n紧跟标题\n") == [Cue(1.0, 2.0, "紧跟标题")]


def test_broken_timings_are_reported_by_line():
    """Every unreadable time, and a cue with no time, is listed by line number in one message."""
    bad = ("1\n00:00:01,000 --> 00:00:03,000\n好\n\n"
           "2\n00:00:0x,000 --> 00:00:06,000\n坏\n\n"
           "3\n00:00:07,000 --> 00:61:08,000\n没有六十一分\n\n"
           "4\n没有时间\n")
    err = refused(parse_srt, bad)
    assert err.code == "caption_timing"
    assert [p["line"] for p in err.details["problems"]] == [6, 10, 13]
    assert "6, 10, 13" in str(err.message)


def test_end_before_start_is_reported():
    """A cue that ends before it starts is reported at its time line."""
    err = refused(parse_srt, "1\n00:00:05,000 --> 00:00:04,000\n倒了\n")
    assert err.details["problems"][0]["line"] == 2
    assert "ends before it starts" in str(err.details["problems"][0]["message"])


def test_overlapping_cues_are_fine():
    """Cues that overlap (two speakers) are kept as they are."""
    cues = parse_srt("1\n00:00:01,000 --> 00:00:05,000\n甲\n\n2\n00:00:02,000 --> 00:00:04,000\n乙\n")
    assert [(c.start, c.end) for c in cues] == [(1.0, 5.0), (2.0, 4.0)]


def test_common_slips_are_forgiven():
    """A missing blank line between cues, a one-dash arrow and a dot before milliseconds are read as meant."""
    cues = parse_srt("1\n00:00:01,000 --> 00:00:02,000\n一\n2\n00:00:02.000 -> 00:00:03,5\n二\n")
    assert cues == [Cue(1.0, 2.0, "一"), Cue(2.0, 3.5, "二")]


def test_not_captions_and_empty():
    """Plain text is not a caption file; a WebVTT header alone has no captions."""
    assert refused(parse_captions, "这只是一段文字。\n没有时间。\n").code == "not_captions"
    assert refused(parse_captions, "WEBVTT\n\n").code == "no_captions"
    assert refused(parse_vtt, SRT).code == "not_captions"


def test_to_webvtt_escapes_and_keeps_simple_markup():
    """Output is valid WebVTT: <i>/<b>/<u> kept, other markup dropped, < & --> escaped."""
    cues = parse_srt("1\n00:00:01,000 --> 01:02:03,004\n<font color=red>红</font> <b>a<b</b> & b --> c\n"
                     "{\\an8}上方\n")
    assert to_webvtt(cues) == ("WEBVTT\n\n00:00:01.000 --> 01:02:03.004\n"
                               "红 <b>a&lt;b</b> &amp; b --&gt; c\n上方\n")
    assert cues[0].plain == "红 a<b & b --> c 上方"


def test_convert_in_one_call():
    """convert() gives the WebVTT, the cues, the encoding found and the preview lines together."""
    result = convert(SRT.encode("gb18030"))
    assert result.encoding == "gb18030" and result.cues == EXPECTED and result.preview[0] == "大家好，今天我们学习书法。"
    assert result.vtt.startswith("WEBVTT\n\n00:00:01.000 --> 00:00:03.500\n大家好")
    assert parse_vtt(result.vtt) == EXPECTED


def test_messages_in_chinese(app):
    """The teacher reads the timing problem in Chinese."""
    err = refused(parse_srt, "1\n00:00:05,000 --> 00:00:04,000\n倒了\n")
    with app.test_request_context():
        assert "请检查" in str(err.message) and "2" in str(err.message)
        assert "结束时间早于开始时间" in str(err.details["problems"][0]["message"])


text_line = st.text(st.sampled_from("abcxyz学习书法 &<>-.!'\"0123456789"), min_size=1, max_size=20).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000_000), st.integers(0, 100_000),
                          st.lists(text_line.filter(bool), min_size=1, max_size=3)), min_size=1, max_size=6))
def test_webvtt_round_trip(raw):
    """Whatever the words and times, writing WebVTT and reading it back gives the same cues."""
    cues = [Cue(start / 1000, (start + length) / 1000, "\n".join(lines)) for start, length, lines in raw]
    cues = [c for c in cues if not any(line.isdigit() for line in c.text.split("\n"))]
    if cues:
        assert parse_vtt(to_webvtt(cues)) == cues


@pytest.mark.parametrize("entity", ["&#10;", "&#x0A;", "&#13;", "&NewLine;"])
def test_entities_cannot_break_the_webvtt_we_write(entity):
    """A WebVTT cue's escaped line breaks become at most one line break, not a blank line that would
    end the cue and let the rest (a fake time line, a STYLE block with url()) stand as a block of its own."""
    attack = (f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n一{entity}{entity}00:00:05.000 --&gt; 00:09:00.000"
              f"{entity}{entity}STYLE{entity}::cue {{ background: url(http://example.com/x) }}\n")
    cues = parse_vtt(attack)
    assert len(cues) == 1 and "\n\n" not in cues[0].text and "\r" not in cues[0].text
    written = to_webvtt(cues)
    assert parse_vtt(written) == cues
    assert written.count("\n\n") == 1 and "-->" not in written.split("\n", 3)[3]


def test_style_region_and_markup_open_nothing():
    """STYLE and REGION blocks are dropped, and markup that would fetch something (<img>, <c> with
    url(), ruby) leaves only its words: the WebVTT we write names no file and no address."""
    cues = parse_vtt("WEBVTT\n\nSTYLE\n::cue { background-image: url(http://example.com/a.png) }\n\n"
                     "REGION\nid:r1 width:40%\n\n00:00:01.000 --> 00:00:02.000 region:r1\n"
                     '<img src="http://example.com/b.png">图<c.x style="url(x)">文</c> <ruby>书<rt>shu</rt></ruby>\n')
    written = to_webvtt(cues)
    assert cues[0].text == "图文 书shu"
    assert "url(" not in written and "example.com" not in written and "STYLE" not in written
