"""Caption files: find how the bytes are written, read SRT or WebVTT cues, write WebVTT.

Teachers bring subtitles from many tools: UTF-8 with or without a BOM, UTF-16 from Windows
Notepad, GB18030/GBK from older Chinese software. ``decode_caption_bytes`` tries, in order, a
BOM, valid UTF-8, then GB18030 checked for plausibility (charset-normalizer), and refuses what it
cannot read plausibly; the teacher sees ``preview`` and may pick another encoding. Broken times are
reported by line number in one ServiceError, so everything can be fixed in one go.

Hostile files: this module only decodes bytes it is given and opens nothing a
caption names. WebVTT ``STYLE`` and ``REGION`` blocks (where ``::cue`` CSS with ``url(...)`` would
live) and ``NOTE`` are dropped; cue settings after the end time are dropped; cue text keeps only
bare ``<i>``, ``<b>``, ``<u>``, all other markup (``<img>``, ``<c style=...>``, ``<ruby>``, voices,
``{\\an8}``) is removed, and what we write escapes ``<``, ``&`` and ``>`` (so no ``-->``) and has
no blank line inside a cue, even from an escaped ``&#10;``. The WebVTT reaches the page only through
``<track>``; the player draws the active cues as text nodes (``getCueAsHTML().textContent``), never as HTML.
"""
from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes
from flask_babel import lazy_gettext as _l

from ..core.errors import ServiceError

#: Encodings a teacher can choose when the detected one reads wrong.
ENCODINGS = [("utf-8", "UTF-8"), ("gb18030", "GB18030 / GBK"), ("big5", "Big5"), ("utf-16", "UTF-16")]

_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})$")
# A line that means to be a time line: starts with a digit and has an arrow (even a mistyped one).
_TIMING_LINE = re.compile(r"^\s*\d.*-->|^\s*\d[\d:.,\s]*-+>")
#: <i>, <b>, <u> as a cue file may write them: ``<b>``, ``</B>``, with WebVTT classes (``<b.loud>``) or
#: HTML attributes (``<b class="x">``). Kept as the bare tag; anything else in it goes.
_MARKUP_TAG = re.compile(r"(<\s*/?\s*[ibu](?:[\s.][^>]*)?>)", re.IGNORECASE)
_TAG_PARTS = re.compile(r"<\s*(/?)\s*([ibu])", re.IGNORECASE)
#: The tags a tidied cue holds (and the WebVTT we write keeps unescaped): bare and lower-case only.
_KEPT_TAG = re.compile(r"(</?[ibu]>)")
_OTHER_MARKUP = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_LINE_BREAKS = re.compile(r"[\r\n]")  # the only line terminators WebVTT knows
_MAX_LISTED = 20

UNREADABLE = _l("We could not tell how this caption file is written. Please save it as UTF-8 "
                "(or choose the encoding) and upload it again.")
UNKNOWN_ENCODING = _l("This encoding is not known. Please choose one from the list.")
WRONG_ENCODING = _l("This caption file cannot be read with the chosen encoding. Please choose another one.")
NOT_CAPTIONS = _l("This file is not a caption file. Please upload an SRT or WebVTT file.")
NO_CUES = _l("This caption file has no captions in it.")
BAD_TIME = _l("This time cannot be read; it should look like 00:01:02,500 --> 00:01:05,000.")
ENDS_EARLY = _l("This caption ends before it starts.")
NO_TIME = _l("This caption has no time line.")


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str  # as shown: line breaks kept, only <i>, <b> and <u> markup, entities decoded

    @property
    def plain(self) -> str:
        """The words alone, for search."""
        return " ".join(_KEPT_TAG.sub("", self.text).split())


@dataclass(frozen=True)
class Converted:
    vtt: str
    cues: list[Cue]
    encoding: str
    preview: list[str]


def convert(data: bytes, forced_encoding: str | None = None) -> Converted:
    """An uploaded SRT or WebVTT file as WebVTT, with its cues, encoding and the teacher's preview."""
    text, encoding = decode_caption_bytes(data, forced_encoding)
    cues = parse_captions(text)
    return Converted(to_webvtt(cues), cues, encoding, preview(text))


def decode_caption_bytes(data: bytes, forced_encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding) of a caption file; ServiceError when no encoding reads it plausibly."""
    if forced_encoding:
        return _decode_as(data, forced_encoding), forced_encoding
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _text(data.decode(encoding)), encoding
            except UnicodeDecodeError:
                raise ServiceError("caption_encoding", UNREADABLE, status=422) from None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # GB18030 decodes Big5 or Shift-JIS bytes too, as nonsense: ask charset-normalizer.
        if encoding == "utf-8" or from_bytes(data, cp_isolation=["gb18030"]).best() is not None:
            return _text(text), encoding
    raise ServiceError("caption_encoding", UNREADABLE, status=422)


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ServiceError("unknown_encoding", UNKNOWN_ENCODING, status=422) from None
    for bom, _ in _BOMS:
        if data.startswith(bom) and encoding.lower().replace("_", "-").startswith("utf"):
            data = data[len(bom):]
            break
    try:
        return _text(data.decode(encoding))
    except (UnicodeDecodeError, ServiceError):
        raise ServiceError("caption_encoding", WRONG_ENCODING, status=422) from None


def _text(text: str) -> str:
    """Normalise line ends and drop a BOM; NUL characters mean this was never text."""
    if "\x00" in text:
        raise ServiceError("caption_encoding", UNREADABLE, status=422)
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_captions(text: str) -> list[Cue]:
    """SRT or WebVTT, told apart by the WEBVTT header."""
    return parse_vtt(text) if text.lstrip("\ufeff").startswith("WEBVTT") else parse_srt(text)


def parse_srt(text: str) -> list[Cue]:
    return _parse(_blocks(_text(text).split("\n")), vtt=False)


def parse_vtt(text: str) -> list[Cue]:
    lines = _text(text).split("\n")
    if not lines[0].startswith("WEBVTT"):
        raise ServiceError("not_captions", NOT_CAPTIONS, status=422)
    header, *blocks = _blocks(lines)
    if _has_timing(header):  # no blank line after the header: the first cue is in it
        blocks.insert(0, header[1:])
    skipped = ("NOTE", "STYLE", "REGION")
    return _parse([b for b in blocks if not b[0][1].startswith(skipped) or _has_timing(b)], vtt=True)


def _blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Groups of (line number counted from 1, line) separated by blank lines."""
    blocks, current = [], []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            current.append((number, line.rstrip()))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _has_timing(block) -> bool:
    return any(_TIMING_LINE.search(line) for _, line in block)


def _parse(blocks, vtt: bool) -> list[Cue]:
    cues, problems = [], []
    for block in blocks:
        timings = [i for i, (_, line) in enumerate(block) if _TIMING_LINE.search(line)]
        if not timings:
            problems.append((block[0][0], NO_TIME))
            continue
        # A missing blank line between cues: each time line starts a new cue.
        for i, start in enumerate(timings):
            stop = timings[i + 1] if i + 1 < len(timings) else len(block)
            body = [line for _, line in block[start + 1:stop]]
            if i + 1 < len(timings) and body and body[-1].strip().isdigit():
                body.pop()  # the next cue's number
            cue = _cue(*block[start], body, vtt, problems)
            if cue is not None:
                cues.append(cue)
    if problems:
        _raise_problems(problems, bool(cues) or any(p[1] is not NO_TIME for p in problems))
    if not cues:
        raise ServiceError("no_captions", NO_CUES, status=422)
    return cues


def _cue(number: int, line: str, body: list[str], vtt: bool, problems: list) -> Cue | None:
    left, right = re.split(r"-+>", line, maxsplit=1)
    start, end = _seconds(left), _seconds((right.split() or [""])[0])  # VTT settings may follow the end
    if start is None or end is None:
        problems.append((number, BAD_TIME))
        return None
    if end < start:
        problems.append((number, ENDS_EARLY))
        return None
    text = _tidy("\n".join(body).strip(), unescape=vtt)
    return Cue(start, end, text) if text else None


def _seconds(value: str) -> float | None:
    match = _TIME.match(value.strip())
    if not match:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    return round(int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(fraction.ljust(3, "0")) / 1000, 3)


def _raise_problems(problems: list, timing: bool) -> None:
    if not timing:  # nothing anywhere looked like a caption time
        raise ServiceError("not_captions", NOT_CAPTIONS, status=422)
    problems.sort(key=lambda p: p[0])
    listed = ", ".join(str(number) for number, _ in problems[:_MAX_LISTED])
    if len(problems) > _MAX_LISTED:
        listed += ", …"
    raise ServiceError("caption_timing", _l("Some caption times are wrong. Please check these lines: %(lines)s. "
                                            "Correct them and upload the file again.", lines=listed), status=422,
                       problems=[{"line": number, "message": message} for number, message in problems[:100]])


def _tidy(text: str, unescape: bool) -> str:
    """Keep <i>, <b>, <u>; drop other markup (<font>, VTT voices, {\\an8}); decode VTT entities.

    A decoded ``&#10;`` or ``&#13;`` is a line break, and a blank line would end the cue in the WebVTT
    we write, leaving the rest as a block of its own: blank lines and CRs go.
    """
    parts, still_open = [], []
    for part in _MARKUP_TAG.split(text):
        if _MARKUP_TAG.fullmatch(part):
            parts.append(_balanced_tag(part, still_open))
        else:
            part = _OTHER_MARKUP.sub("", part)
            parts.append(html.unescape(part) if unescape else part)
    parts += [f"</{name}>" for name in reversed(still_open)]
    lines = (line.strip() for line in _LINE_BREAKS.split("".join(parts)))
    return "\n".join(line for line in lines if line)


def _balanced_tag(tag: str, still_open: list[str]) -> str:
    """The bare form of a kept tag, so that every closing tag closes one that was opened: a ``</b>`` with
    no ``<b>`` before it is dropped, one that skips an inner open tag closes that too."""
    closing, name = _TAG_PARTS.match(tag).groups()
    name = name.lower()
    if not closing:
        still_open.append(name)
        return f"<{name}>"
    if name not in still_open:
        return ""
    closed = []
    while still_open:
        inner = still_open.pop()
        closed.append(f"</{inner}>")
        if inner == name:
            break
    return "".join(closed)


def to_webvtt(cues: list[Cue]) -> str:
    """A WebVTT document; text is escaped so that "<", "&" and "-->" cannot break it."""
    out = ["WEBVTT", ""]
    for cue in cues:
        text = "".join(p if _KEPT_TAG.fullmatch(p) else html.escape(p, quote=False)
                       for p in _KEPT_TAG.split(cue.text))
        out += [f"{_stamp(cue.start)} --> {_stamp(cue.end)}", text, ""]
    return "\n".join(out)


def _stamp(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def preview(text: str, n: int = 5) -> list[str]:
    """The first ``n`` lines of caption words (no numbers, times, headers or markup), to check the encoding."""
    shown = []
    for line in _text(text).split("\n"):
        line = line.strip()
        if not line or line.isdigit() or _TIMING_LINE.search(line) or line.startswith(("WEBVTT", "NOTE")):
            continue
        shown.append(Cue(0, 0, _tidy(line, unescape=False)).plain)
        if len(shown) == n:
            break
    return shown
