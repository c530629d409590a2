"""ffprobe a finished upload and decide whether it is a recording we can use.

``probe(path)`` describes the file as a ``MediaInfo``; ``check_acceptable(info)`` refuses what is
not a real video or audio recording of at least one second. Both raise only ``ServiceError``,
whatever ffprobe does (fails, hangs, prints garbage), so an upload handler can show the message.
Neither needs Flask: binary paths default to the app's FFPROBE setting inside an app context and
to "ffprobe" outside one.

An upload is hostile until probed, and probing must open nothing it names. Several ffmpeg demuxers
are text files that point at other files: an HLS playlist (``#EXTM3U`` with ``../1/source.mp4`` or
``file:/anywhere``), a concat list, a DASH or IMF manifest, SDP/RTSP (the network), image2
sequences. Named ``lecture.mp4`` they would probe and transcode as another teacher's video. So
every ffprobe and ffmpeg that opens an uploaded source passes ``source_input_args()`` /
``source_input_options()`` before that input: ``-format_whitelist`` with the recording containers
only (``MEDIA_FORMATS``) and ``-protocol_whitelist file``. It is per input, not global, because the
transcoder reads its own HLS output back. The containers allowed open nothing else: the mov
demuxer follows external data references only with ``-enable_drefs 1`` (off by default), and
none of the others has such references. A refused file gets NOT_MEDIA; the format ffprobe saw goes
to ``MediaError.detail`` for admins.
"""
from __future__ import annotations

import ctypes
import json
import math
import re
import signal
import subprocess
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

from flask_babel import lazy_gettext as _l

from ..core.errors import ServiceError

PROBE_TIMEOUT = 60
MIN_DURATION = 1.0

# Demuxers that read one picture, or text drawn as a picture, never a recording.
_IMAGE_FORMATS = {"image2", "gif", "apng", "webp", "tty", "bin", "xbin", "adf", "idf", "ico", "svg"}
# Picture codecs: a "video" made of them is a still unless it has a duration and several frames.
_STILL_CODECS = {"mjpeg", "png", "bmp", "gif", "tiff", "webp", "jpeg2000", "jpegls", "apng", "pam", "ppm",
                 "pgm", "pbm", "targa", "qoi", "sgi", "xbm", "xwd", "svg", "ljpeg"}
_TEXT_CODECS = {"ansi", "bintext", "xbin", "idf"}
_INTERLACED = {"tt", "bb", "tb", "bt"}

#: The demuxers (names as ``ffmpeg -demuxers`` prints them, ffmpeg 5.1) a recording may come in:
#: mov/mp4/m4a/3gp, matroska/webm, MPEG-TS (.mts/.m2ts), AVI, ASF (.wmv), FLV, MPEG-PS (.mpg),
#: MP3, ADTS AAC, WAV, Ogg, AMR (phone voice recorders), FLAC.
MEDIA_FORMATS = ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "mpegts", "avi", "asf", "flv", "mpeg", "mp3", "aac",
                 "wav", "ogg", "amr", "flac")
#: Refusal codes that say the file itself is unusable: trying it again changes nothing.
REFUSALS = frozenset({"not_media", "empty_file", "media_damaged"})
_SOURCE_OPTIONS = {"format_whitelist": ",".join(MEDIA_FORMATS), "protocol_whitelist": "file"}
_REFUSED_FORMAT = re.compile(r"\[([\w,-]+) @ 0x[0-9a-f]+\] Format not on whitelist")

NOT_MEDIA = _l("This file is not a video or audio recording and cannot be used.")
TOO_SHORT = _l("This recording is shorter than one second and cannot be used.")
DAMAGED = _l("This recording is damaged or incomplete and cannot be used. Please upload the original file again.")
EMPTY = _l("This file is empty. Please choose the recording and upload it again.")
PROBE_TOO_SLOW = _l("We could not finish checking this file. It may be damaged; please upload the original file again.")
TOOLS_MISSING = _l("The server cannot process recordings right now. Please tell the administrator.")


class MediaError(ServiceError):
    """A refused or failed media file: ``message`` for the teacher, ``detail`` (the tool's words) for admins."""

    status = 422

    def __init__(self, code: str, message, detail: str = "", status: int | None = None):
        super().__init__(code, message, status=status)
        self.detail = detail


def source_input_options() -> dict:
    """ffmpeg-python input options for an uploaded source: only recording containers, only local files."""
    return dict(_SOURCE_OPTIONS)


def source_input_args() -> list[str]:
    """The same as command-line arguments, to put right before the source's name."""
    return [arg for key, value in _SOURCE_OPTIONS.items() for arg in ("-" + key, value)]


@dataclass(frozen=True)
class MediaInfo:
    """What ffprobe says about a file, reduced to what transcoding and acceptance need.

    ``width``/``height`` are as displayed: pixel aspect and rotation applied. ``coded_width`` and
    ``coded_height`` are the frame size as stored in the file. ``rotation`` is the counter-clockwise
    turn (0, 90, 180, 270) the decoder applies for display. Stream indexes are absolute, for
    ``-map 0:<index>``; only "real" streams count (no cover art, no still pictures).
    """

    duration: float
    format_name: str
    has_video: bool = False
    has_audio: bool = False
    width: int = 0
    height: int = 0
    coded_width: int = 0
    coded_height: int = 0
    rotation: int = 0
    fps: float | None = None
    is_vfr: bool = False
    interlaced: bool = False
    video_codec: str | None = None
    pix_fmt: str | None = None
    #: The source's colour (ffprobe's names): HLG is arib-std-b67, PQ smpte2084 (see colour.py).
    color_transfer: str | None = None
    color_primaries: str | None = None
    color_space: str | None = None
    color_range: str | None = None
    bit_depth: int = 0
    audio_codec: str | None = None
    audio_channels: int = 0
    sample_rate: int = 0
    video_index: int | None = None
    audio_index: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def media_tool(name: str, given: str | None = None) -> str:
    """The binary to run: the one passed, else the app's FFMPEG/FFPROBE setting, else the bare name."""
    if given:
        return given
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            return current_app.config.get(name.upper()) or name
    except ImportError:  # pragma: no cover - Flask is a dependency, but keep this module standalone
        pass
    return name


def die_with_parent() -> None:
    """preexec_fn: the kernel kills the child if the thread that started it dies (Linux only)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the child simply outlives a killed parent
        pass


def probe(path, ffprobe: str | None = None, timeout: float = PROBE_TIMEOUT) -> MediaInfo:
    """Describe the media file at ``path``; raise ServiceError if it cannot be read at all."""
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise MediaError("empty_file", EMPTY, "the file has 0 bytes")
    except OSError as err:
        raise MediaError("not_media", NOT_MEDIA, str(err)) from None
    data = _run_ffprobe(path, media_tool("ffprobe", ffprobe), timeout)
    try:
        return _media_info(data)
    except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError) as err:
        raise MediaError("not_media", NOT_MEDIA, f"ffprobe's answer made no sense: {err!r}") from None


def check_acceptable(info: MediaInfo) -> None:
    """Refuse anything without a real audio or video stream, or shorter than one second."""
    if not (info.has_video or info.has_audio):
        raise MediaError("not_media", NOT_MEDIA, f"no audio or video stream in the '{info.format_name}' format")
    if not info.duration or info.duration < MIN_DURATION:
        raise MediaError("not_media", TOO_SHORT, f"{info.duration:g} s long")


def _run_ffprobe(path: Path, ffprobe: str, timeout: float) -> dict:
    # "file:" keeps a name like "pipe:x" or "http:..." from being read as a protocol.
    cmd = [ffprobe, "-hide_banner", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
           *source_input_args(), "file:" + str(path.resolve())]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                              preexec_fn=die_with_parent)
    except subprocess.TimeoutExpired:
        raise MediaError("media_unreadable", PROBE_TOO_SLOW, f"ffprobe ran over {timeout:g} s") from None
    except OSError as err:
        raise MediaError("media_tools_missing", TOOLS_MISSING, str(err), status=503) from None
    try:
        data = json.loads(done.stdout.decode("utf-8", errors="replace"))
    except ValueError:
        data = None
    if done.returncode != 0 or not isinstance(data, dict) or not data.get("streams"):
        stderr = done.stderr.decode("utf-8", errors="replace")
        if refused := _REFUSED_FORMAT.search(stderr):
            raise MediaError("not_media", NOT_MEDIA, f"ffprobe read it as the '{refused.group(1)}' format, "
                             "which is no recording (it may name other files): refused")
        detail = f"ffprobe (exit {done.returncode}): {stderr.strip()[-1000:] or 'no streams'}"
        if _looks_like_media(path):
            raise MediaError("media_damaged", DAMAGED, detail)
        raise MediaError("not_media", NOT_MEDIA, detail)
    return data


def _looks_like_media(path: Path) -> bool:
    """Does the file start like a media container? Then ffprobe failing means damaged, not foreign."""
    try:
        with path.open("rb") as fh:
            head = fh.read(200)
    except OSError:
        return False
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        return True
    magics = (b"\x1a\x45\xdf\xa3", b"RIFF", b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", b"FLV", b"OggS", b"ID3",
              b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3", b"fLaC", b"#!AMR", b".RMF")
    if head.startswith(magics):
        return True
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:  # MPEG-TS
        return True
    if len(head) > 196 and head[4] == 0x47 and head[196] == 0x47:  # M2TS (AVCHD .mts)
        return True
    return len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0  # MP3 / ADTS frame sync


def _media_info(data: dict) -> MediaInfo:
    fmt = data.get("format") or {}
    format_name = str(fmt.get("format_name") or "")
    streams = [s for s in data.get("streams") or [] if isinstance(s, dict)]
    video = next((s for s in streams if _is_real_video(s, format_name)), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio" and _int(s.get("channels"))), None)
    durations = [_float(fmt.get("duration"))] + [_float(s.get("duration")) for s in (video, audio) if s]
    duration = next((d for d in durations if d), 0.0)
    values = dict(duration=round(duration, 3), format_name=format_name)
    if audio:
        values.update(has_audio=True, audio_codec=audio.get("codec_name"), audio_index=_int(audio.get("index")),
                      audio_channels=_int(audio.get("channels")), sample_rate=_int(audio.get("sample_rate")))
    if video:
        values.update(_video_values(video))
    return MediaInfo(**values)


def _is_real_video(stream: dict, format_name: str) -> bool:
    if stream.get("codec_type") != "video" or (stream.get("disposition") or {}).get("attached_pic"):
        return False
    if set(format_name.split(",")) & _IMAGE_FORMATS or format_name.endswith("_pipe"):
        return False
    codec = stream.get("codec_name")
    if codec in _TEXT_CODECS or not _int(stream.get("width")) or not _int(stream.get("height")):
        return False
    frames = _int(stream.get("nb_frames"))
    if frames == 1:
        return False
    return codec not in _STILL_CODECS or (frames > 1 or bool(_float(stream.get("duration"))))


def _video_values(stream: dict) -> dict:
    stored_w, stored_h = _int(stream.get("width")), _int(stream.get("height"))
    sar = _rate(stream.get("sample_aspect_ratio"), sep=":") or 1.0
    shown_w = int(round(stored_w * sar)) if sar > 0 else stored_w
    rotation = _rotation(stream)
    width, height = (stored_h, shown_w) if rotation in (90, 270) else (shown_w, stored_h)
    avg, real = _rate(stream.get("avg_frame_rate")), _rate(stream.get("r_frame_rate"))
    fps = avg or real
    return dict(has_video=True, video_codec=stream.get("codec_name"), pix_fmt=stream.get("pix_fmt"),
                video_index=_int(stream.get("index")), width=width, height=height, coded_width=stored_w,
                coded_height=stored_h, rotation=rotation, fps=round(fps, 3) if fps else None,
                is_vfr=bool(avg and real and abs(avg - real) / real > 0.02),
                interlaced=stream.get("field_order") in _INTERLACED, **_colour_values(stream))


def _colour_values(stream: dict) -> dict:
    """The colour fields, None where ffprobe says nothing; the bit depth from the pixel format if unsaid."""
    named = {key: str(stream[key]) for key in ("color_transfer", "color_primaries", "color_space", "color_range")
             if stream.get(key) and stream.get(key) != "unknown"}
    depth = _int(stream.get("bits_per_raw_sample"))
    if not depth and stream.get("pix_fmt"):
        found = re.search(r"p(9|10|12|14|16)(le|be)$", str(stream["pix_fmt"]))
        depth = int(found.group(1)) if found else 8
    return dict(named, bit_depth=depth)


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list") or []:
        if isinstance(side, dict) and side.get("rotation") is not None:
            return int(round(_number(side.get("rotation")) / 90.0)) * 90 % 360
    tag = (stream.get("tags") or {}).get("rotate")
    if tag is not None:  # the old tag counts clockwise
        return -int(round(_number(tag) / 90.0)) * 90 % 360
    return 0


def _rate(value, sep: str = "/") -> float | None:
    """"30000/1001" -> 29.97; "0/0", "N/A" and nonsense -> None."""
    try:
        num, _, den = str(value).partition(sep)
        rate = float(Fraction(int(num), int(den or 1)))
    except (ValueError, ZeroDivisionError):
        return None
    return rate if rate > 0 and math.isfinite(rate) else None


def _number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _float(value) -> float:
    """A positive finite number, or 0.0 for "N/A", negatives and nonsense."""
    return max(_number(value), 0.0)


def _int(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0
