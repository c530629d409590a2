"""Turn a probed recording into adaptive HLS with one ffmpeg process for the whole ladder.

``transcode(src, out_dir, info)`` writes, into a temporary folder next to ``out_dir`` that is
renamed into place only when everything is complete:

    master.m3u8            every video rung, then the audio-only rendition (CODECS="mp4a.40.2")
    v360/index.m3u8 ...    H.264 High yuv420p + AAC-LC stereo 48 kHz, 6 s MPEG-TS segments
    audio/index.m3u8       AAC only, for the player's "sound only" mode and native players
    poster.jpg, thumb.jpg  a frame that is not black (video sources only)
    download.mp4           stream-copied from one rung (download.m4a for audio-only sources)

Decisions: a source without audio gets a silent AAC track, so every rendition (and a future
linear TV channel stitched from them) has the same tracks. An audio-only source gets only the
audio rendition, at 128 kb/s since it is the whole lesson, and no poster: the page shows its own
translatable "sound only" card instead of a picture with baked-in text. Loudness is measured in a
quick audio-only pass (ebur128), then applied by loudnorm, in linear mode where it can, in the ladder
pass. The default x264 preset is veryfast: about 1.5x realtime for the 720p ladder on two cores.

Every ffmpeg input that is the uploaded source carries ``probe.source_input_options()`` (recording
containers only, local files only), so a source swapped for a playlist after probing is still
refused; the inputs that read our own HLS output back (poster, download) do not, since they must
open the hls demuxer.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import time
import uuid
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import ffmpeg as ff

from . import colour
from .ffmpeg_process import DAMAGED_STREAM, FAILED, STALL_SECONDS, TranscodeError, run  # noqa: F401  (FAILED: callers)
from .probe import MediaInfo, die_with_parent, media_tool, source_input_options

SEGMENT_SECONDS = 6
KEYFRAME_SECONDS = 2
MAX_FPS = 30
LOUDNESS = dict(I=-16, TP=-1.5, LRA=11)
AUDIO_ONLY_KBPS = 64
AUDIO_SOURCE_KBPS = 128
BLACK_YAVG = 32  # mean luma (0-255) below which a frame counts as black
_STANDARD_FPS = (Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30))
@dataclass(frozen=True)
class Rung:
    name: str
    width: int
    height: int
    maxrate_kbps: int
    audio_kbps: int


@dataclass
class Rendition:
    name: str  # folder, also the playlist's relative URI "<name>/index.m3u8"
    bandwidth: int  # peak segment bit rate, bits/s
    average_bandwidth: int
    codecs: str
    width: int | None = None
    height: int | None = None
    segments: list[float] = field(default_factory=list)

    @property
    def playlist(self) -> str:
        return f"{self.name}/index.m3u8"


@dataclass
class TranscodeResult:
    out_dir: Path
    duration: float
    renditions: list[Rendition]  # video rungs, smallest first
    audio: Rendition
    master: str = "master.m3u8"
    poster: str | None = None
    thumbnail: str | None = None
    download: str | None = None
    silent_audio_added: bool = False

    def to_dict(self) -> dict:
        data = asdict(self)
        data["out_dir"] = str(self.out_dir)
        return data


def plan_ladder(info: MediaInfo, rungs=(360, 540, 720), allow_1080: bool = False) -> list[Rung]:
    """The video rungs for a source: by the shorter displayed side, never above the source."""
    if not info.has_video:
        return []
    width, height = info.width, info.height
    short = min(width, height)
    sizes = sorted({r for r in rungs if r < 1080 or allow_1080} | ({1080} if allow_1080 else set()))
    picked = [r for r in sizes if r <= short]
    if not picked:  # smaller than every rung: one rung at its own size
        return [_rung(_even(width, down=True), _even(height, down=True))]
    return [_rung(_even(width * r / short), _even(height * r / short)) for r in picked]


def _rung(width: int, height: int) -> Rung:
    # Bit rate grows a little slower than area: ~880k at 360p, ~1.6M at 540p, 2.5M at 720p.
    kbps = max(200, int(2500 * (width * height / (1280 * 720)) ** 0.75))
    return Rung(f"v{min(width, height)}", width, height, kbps, 96 if min(width, height) <= 360 else 128)


def _even(value: float, down: bool = False) -> int:
    return max(2, int(value // 2 * 2) if down else int(round(value / 2)) * 2)


def output_fps(info: MediaInfo) -> Fraction:
    """A constant output rate: the source's standard rate, halved above 30, rounded up for VFR video."""
    rate = info.fps or 25.0
    while rate > MAX_FPS + 1:
        rate /= 2
    if info.is_vfr and rate >= 20:  # phones drop frames in low light: round up to their nominal rate
        return min((r for r in _STANDARD_FPS if float(r) >= rate * 0.97), default=Fraction(MAX_FPS))
    nearest = min(_STANDARD_FPS, key=lambda r: abs(float(r) - rate))
    if abs(float(nearest) - rate) / rate < 0.05:
        return nearest
    return Fraction(rate).limit_denominator(1001)  # e.g. a 15 fps screen recording stays 15


def transcode(src, out_dir, info: MediaInfo, *, ffmpeg: str | None = None, ffprobe: str | None = None,
              on_progress=None, rungs=(360, 540, 720), allow_1080: bool = False, preset: str = "veryfast",
              crf: int = 23, download_max: int = 720, stall_seconds: float = STALL_SECONDS) -> TranscodeResult:
    """Build the HLS ladder, poster and download for ``src`` into ``out_dir`` (replaced atomically).

    ``on_progress(percent, eta_seconds)`` is called at most about once a second; if it raises
    (a lost lease, say), ffmpeg is killed, the temporary folder removed and the exception re-raised.
    Any failure removes the temporary folder and raises TranscodeError.
    """
    src, out_dir = Path(src).resolve(), Path(out_dir).resolve()
    tools = (media_tool("ffmpeg", ffmpeg), media_tool("ffprobe", ffprobe))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.{uuid.uuid4().hex[:12]}.tmp"
    tmp.mkdir()
    try:
        result = _build(src, tmp, info, tools, _Progress(on_progress, info.duration),
                        plan_ladder(info, rungs, allow_1080), preset, crf, download_max, stall_seconds)
        _move_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.out_dir = out_dir
    return result


def _build(src, tmp, info, tools, progress, ladder, preset, crf, download_max, stall) -> TranscodeResult:
    ffmpeg_bin, ffprobe_bin = tools
    loudness = None
    if info.has_audio:
        progress.phase(0, 5)
        loudness = _measure_loudness(src, info, ffmpeg_bin, progress, stall)
    progress.phase(5, 93)
    cmd = _ladder_command(src, tmp, info, ladder, loudness, preset, crf, ffmpeg_bin)
    tail = run(cmd, progress.media_time, stall)
    progress.phase(93, 100)
    renditions = [_describe(tmp, rung.name, ffprobe_bin, rung) for rung in ladder]
    audio = _describe(tmp, "audio", ffprobe_bin)
    # A cut-off file ends every stream early, and ffmpeg often still exits 0. The longest real
    # stream is compared, so a video track shorter than its audio (slides) is not called damaged.
    lengths = [sum(r.segments) for r in renditions + ([audio] if info.has_audio else [])]
    duration = round(max(lengths), 3)
    if duration < info.duration * 0.9 - 0.5:
        raise TranscodeError("damaged", DAMAGED_STREAM, "\n".join(tail))
    _write_master(tmp / "master.m3u8", renditions, audio)
    result = TranscodeResult(tmp, duration, renditions, audio, silent_audio_added=not info.has_audio)
    if ladder:
        result.poster, result.thumbnail = _make_poster(tmp, info, ladder[-1], ffmpeg_bin, stall)
    source = next((r for r in reversed(renditions) if min(r.width, r.height) <= download_max), None)
    result.download = _make_download(tmp, source or (renditions[0] if renditions else audio), ffmpeg_bin, stall)
    progress.media_time(info.duration)
    return result


class _Progress:
    """Maps each phase's media time onto an overall percentage and a time-left estimate."""

    def __init__(self, callback, duration: float):
        self.callback, self.duration = callback, max(duration, 0.001)
        self.start, self.last_call, self.span = time.monotonic(), 0.0, (0.0, 100.0)

    def phase(self, low: float, high: float) -> None:
        self.span = (low, high)
        self.media_time(0.0)

    def media_time(self, seconds: float) -> None:
        low, high = self.span
        percent = round(low + (high - low) * min(max(seconds / self.duration, 0.0), 1.0), 1)
        now = time.monotonic()
        if self.callback is None or (now - self.last_call < 1.0 and percent < 100):
            return
        self.last_call = now
        elapsed = now - self.start
        eta = round(elapsed * (100 - percent) / percent) if percent >= 1 else None
        self.callback(percent, eta)


def _measure_loudness(src: Path, info: MediaInfo, ffmpeg_bin: str, progress, stall) -> dict | None:
    """EBU R128 figures of the audio alone, as loudnorm's ``measured_*`` options; None for silence.

    ebur128 makes the same measurement as loudnorm's own first pass (they agree to 0.1 LU) at a
    fifth of the cost, and this pass runs alone before the ladder, so it counts in full.
    """
    audio = ff.input(f"file:{src}", **source_input_options())[str(info.audio_index)]
    audio = audio.filter("aformat", channel_layouts="stereo").filter("ebur128", peak="true", framelog="verbose")
    cmd = ff.output(audio, "-", f="null").global_args(*_global_args("info")).compile(cmd=ffmpeg_bin)
    summary = "\n".join(run(cmd, progress.media_time, stall)).rpartition("Summary:")[2]
    measured = {}
    for option, pattern in _EBUR128.items():
        match = re.search(pattern, summary)
        try:
            measured[option] = float(match.group(1))
        except (AttributeError, ValueError):
            return None
    if not all(map(math.isfinite, measured.values())) or measured["measured_I"] <= -70:
        return None  # silence: nothing to normalise
    return dict(measured, linear="true")


# The first "Threshold" of ebur128's summary is the integrated loudness gate, which loudnorm wants.
_EBUR128 = {"measured_I": r"I:\s+(\S+) LUFS", "measured_thresh": r"Threshold:\s+(\S+) LUFS",
            "measured_LRA": r"LRA:\s+(\S+) LU", "measured_TP": r"Peak:\s+(\S+) dBFS"}


def _global_args(loglevel: str = "warning") -> list[str]:
    return ["-hide_banner", "-nostdin", "-nostats", "-loglevel", loglevel, "-progress", "pipe:1", "-y"]


def _ladder_command(src, tmp, info, ladder, loudness, preset, crf, ffmpeg_bin) -> list[str]:
    """One ffmpeg: decode once, fps before split, every rung and the audio-only rendition as outputs."""
    source = ff.input(f"file:{src}", **source_input_options())  # the upload: recording containers only
    audio = _audio_chain(source, info, loudness).filter_multi_output("asplit", len(ladder) + 1)
    outputs = []
    if ladder:
        fps = output_fps(info)
        video = source[str(info.video_index)]
        if info.interlaced:
            video = video.filter("bwdif", mode="send_frame", deint="interlaced")
        video = video.filter("fps", fps=str(fps))
        hdr = colour.is_hdr(info)
        if hdr:  # once, before the split, at the largest rung's size
            video = colour.to_sdr(video, info, ladder[-1].width, ladder[-1].height)
        split = video.filter_multi_output("split", len(ladder))
        for i, rung in enumerate(ladder):
            picture = split[i].filter("scale", rung.width, rung.height).filter("setsar", 1).filter("format", "yuv420p")
            outputs.append(ff.output(picture, audio[i], str(tmp / rung.name / "index.m3u8"),
                                     **_video_options(rung, fps, preset, crf), **(colour.SDR_TAGS if hdr else {}),
                                     **_audio_options(rung.audio_kbps),
                                     **_hls_options(tmp / rung.name)))
    kbps = AUDIO_ONLY_KBPS if ladder else AUDIO_SOURCE_KBPS
    outputs.append(ff.output(audio[len(ladder)], str(tmp / "audio" / "index.m3u8"), **_audio_options(kbps),
                             **_hls_options(tmp / "audio")))
    return ff.merge_outputs(*outputs).global_args(*_global_args()).compile(cmd=ffmpeg_bin)


def _audio_chain(source, info: MediaInfo, loudness: dict | None):
    if not info.has_audio:  # silent AAC so every rendition carries the same tracks
        return ff.input("anullsrc=channel_layout=stereo:sample_rate=48000", f="lavfi", t=f"{info.duration:.3f}")
    # Downmix first: the analysis pass measured the stereo mix too.
    audio = source[str(info.audio_index)].filter("aformat", channel_layouts="stereo")
    if loudness is not None:
        audio = audio.filter("loudnorm", **LOUDNESS, **loudness)
    # loudnorm works at 192 kHz; resample after it.
    return audio.filter("aresample", 48000).filter("aformat", sample_fmts="fltp", sample_rates=48000,
                                                    channel_layouts="stereo")


def _video_options(rung: Rung, fps: Fraction, preset: str, crf: int) -> dict:
    gop = max(1, round(KEYFRAME_SECONDS * float(fps)))
    # Keyframes by timestamp (same frames in every rung after the split), no scene-cut extras.
    # profile:v is only a ceiling; the 8x8 transform makes even the fastest presets really High.
    return {"c:v": "libx264", "preset": preset, "profile:v": "high", "x264-params": "8x8dct=1",
            "pix_fmt": "yuv420p", "crf": crf,
            "maxrate": f"{rung.maxrate_kbps}k", "bufsize": f"{rung.maxrate_kbps * 2}k", "g": gop,
            "keyint_min": gop, "sc_threshold": 0, "force_key_frames": f"expr:gte(t,n_forced*{KEYFRAME_SECONDS})"}


def _audio_options(kbps: int) -> dict:
    return {"c:a": "aac", "b:a": f"{kbps}k", "ac": 2, "ar": 48000}


def _hls_options(folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    return {"f": "hls", "hls_time": SEGMENT_SECONDS, "hls_playlist_type": "vod", "hls_list_size": 0,
            "hls_flags": "independent_segments", "hls_segment_type": "mpegts", "start_number": 0,
            "hls_segment_filename": str(folder / "seg_%05d.ts"), "map_metadata": -1, "map_chapters": -1,
            "max_muxing_queue_size": 4096}


def _segments(playlist: Path) -> list[tuple[str, float]]:
    """(uri, seconds) for each segment of a media playlist we wrote."""
    segments, duration = [], None
    for line in playlist.read_text().splitlines():
        if line.startswith("#EXTINF:"):
            duration = float(line[len("#EXTINF:"):].split(",")[0])
        elif line and not line.startswith("#") and duration is not None:
            segments.append((line, duration))
            duration = None
    return segments


def _describe(tmp: Path, name: str, ffprobe_bin: str, rung: Rung | None = None) -> Rendition:
    """Bandwidths measured from the segments on disk; CODECS from the encoded stream's level."""
    folder = tmp / name
    try:
        segments = _segments(folder / "index.m3u8")
    except (OSError, ValueError):
        segments = []
    if not segments:
        raise TranscodeError("damaged", DAMAGED_STREAM, f"{name}: no segments were written")
    rates = [(folder / uri).stat().st_size * 8 / max(seconds, 0.001) for uri, seconds in segments]
    full = [rate for rate, (_, seconds) in zip(rates, segments) if seconds >= 1] or rates
    total_bits = sum((folder / uri).stat().st_size * 8 for uri, _ in segments)
    durations = [seconds for _, seconds in segments]
    codecs = "mp4a.40.2"
    if rung is not None:
        codecs = f"{_avc_codec(folder / segments[0][0], ffprobe_bin)},mp4a.40.2"
    return Rendition(name, int(max(full)), int(total_bits / max(sum(durations), 0.001)), codecs,
                     rung.width if rung else None, rung.height if rung else None, durations)


def _avc_codec(segment: Path, ffprobe_bin: str) -> str:
    """RFC 6381 name of the H.264 stream, e.g. avc1.64001f for High (constraint flags 0) level 3.1."""
    cmd = [ffprobe_bin, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=profile,level",
           "-of", "json", f"file:{segment}"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=60, preexec_fn=die_with_parent)
        stream = json.loads(done.stdout)["streams"][0]
        level = int(stream["level"])
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, IndexError, TypeError) as err:
        raise TranscodeError("failed", FAILED, f"ffprobe {segment.name}: {err}") from None
    if stream.get("profile") != "High":
        raise TranscodeError("failed", FAILED, f"unexpected H.264 profile {stream.get('profile')}")
    return f"avc1.6400{level:02x}"


def _write_master(path: Path, renditions: list[Rendition], audio: Rendition) -> None:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for r in [*renditions, audio]:
        size = f",RESOLUTION={r.width}x{r.height}" if r.width else ""
        lines.append(f'#EXT-X-STREAM-INF:BANDWIDTH={r.bandwidth},AVERAGE-BANDWIDTH={r.average_bandwidth}'
                     f'{size},CODECS="{r.codecs}"')
        lines.append(r.playlist)
    path.write_text("\n".join(lines) + "\n")


def _make_poster(tmp: Path, info: MediaInfo, rung: Rung, ffmpeg_bin: str, stall) -> tuple[str | None, str | None]:
    """The first frame after 10% of the recording that is not black; the frame there if all are dark.

    Read from the largest rung rather than the source: already upright, deinterlaced and sized,
    with a keyframe every 2 s, so seeking decodes little even when the source is 4K HEVC.
    """
    for only_bright in (True, False):
        frames = ff.input(f"file:{tmp / rung.name / 'index.m3u8'}", f="hls", ss=f"{info.duration * 0.1:.3f}",
                          t=60)["v:0"].filter("fps", 2)
        if only_bright:
            frames = frames.filter("signalstats").filter("metadata", mode="select", function="greater",
                                                         key="lavfi.signalstats.YAVG", value=BLACK_YAVG)
        pictures = frames.filter_multi_output("split", 2)
        thumb = pictures[1].filter("scale", 320, 320, force_original_aspect_ratio="decrease")
        cmd = ff.merge_outputs(
            ff.output(pictures[0], str(tmp / "poster.jpg"), vframes=1, **{"q:v": 3}),
            ff.output(thumb, str(tmp / "thumb.jpg"), vframes=1, **{"q:v": 4}),
        ).global_args(*_global_args()).compile(cmd=ffmpeg_bin)
        run(cmd, None, stall)
        if (tmp / "poster.jpg").exists() and (tmp / "thumb.jpg").exists():
            return "poster.jpg", "thumb.jpg"
    return None, None


def _make_download(tmp: Path, rendition: Rendition, ffmpeg_bin: str, stall) -> str:
    """Stream-copy one rendition's segments into a faststart MP4: no second encode."""
    name = "download.mp4" if rendition.width else "download.m4a"
    cmd = (ff.input(f"file:{tmp / rendition.playlist}", f="hls")
           .output(str(tmp / name), c="copy", f="mp4", movflags="+faststart", **{"bsf:a": "aac_adtstoasc"})
           .global_args(*_global_args()).compile(cmd=ffmpeg_bin))
    run(cmd, None, stall)
    return name


def _move_into_place(tmp: Path, out_dir: Path) -> None:
    """Rename the finished folder to ``out_dir``; an older one is swapped out, then removed."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.{uuid.uuid4().hex[:12]}.old")
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
