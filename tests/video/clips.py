"""Small media clips generated with the real ffmpeg, cached under tests/.clips/ (git-ignored).

``clip("mp4")`` returns the path of a ready clip, generating it on first use. A clip's file
name carries a hash of its recipe, so changing a recipe makes a fresh file and old ones are
simply never used again. Generation writes to a temporary name and renames it, under a file
lock, so parallel test processes and later sessions share the cache safely.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
from pathlib import Path

CLIP_DIR = Path(__file__).resolve().parents[1] / ".clips"
FFMPEG = os.environ.get("ELEARN_FFMPEG", "ffmpeg")


def testsrc(size="320x240", rate=25, seconds=2):
    return ["-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate}:d={seconds}"]


def tone(seconds=2, freq=440, dbfs=-18.0, rate=44100, channels=2):
    """A sine at an exact peak level (``sine`` has a fixed amplitude, ``aevalsrc`` does not)."""
    amp = 10 ** (dbfs / 20)
    expr = "|".join([f"{amp:.6f}*sin(2*PI*{freq}*t)"] * channels)
    return ["-f", "lavfi", "-i", f"aevalsrc=exprs={expr}:s={rate}:d={seconds}"]


def hdr(transfer, peak_nits):
    """A 3 s 640x360 HEVC Main 10 clip with sound, BT.2020 primaries and matrix, ``transfer`` (HLG or PQ)."""
    to_hdr = (f"zscale=tin=bt709:pin=bt709:min=bt709:t={transfer}:p=bt2020:m=bt2020nc:npl={peak_nits},"
              "format=yuv420p10le")
    return testsrc("640x360", 25, 3) + tone(3) + [
        "-vf", to_hdr, "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
        "-color_primaries", "bt2020", "-color_trc", transfer, "-colorspace", "bt2020nc", "-tag:v", "hvc1",
        "-c:a", "aac", "-b:a", "96k"]


H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
H264_AAC = H264 + ["-c:a", "aac", "-b:a", "96k"]
AV = testsrc() + tone()
STILL = ["-f", "lavfi", "-i", "testsrc2=s=320x240", "-frames:v", "1"]
TEXT = "text:This is a plain text file, not a recording.\n" * 20

# name -> (file extension, recipe): ffmpeg arguments before the output path, "text:<content>",
# or "derive:<clip>:truncate=<fraction>|rotate=<degrees>".
# Probing clips: 2 s (one 0.5 s), 320x240 or smaller.
RECIPES: dict[str, tuple[str, list]] = {
    "mp4": (".mp4", AV + H264_AAC),
    "m4v": (".m4v", AV + H264_AAC),
    "mov": (".mov", AV + H264_AAC),
    "mkv": (".mkv", AV + H264_AAC),
    "webm": (".webm", AV + ["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "300k", "-c:a", "libopus"]),
    "avi": (".avi", AV + ["-c:v", "mpeg4", "-c:a", "libmp3lame"]),
    "wmv": (".wmv", AV + ["-c:v", "wmv2", "-c:a", "wmav2"]),
    "flv": (".flv", AV + ["-c:v", "flv", "-c:a", "libmp3lame", "-ar", "44100"]),
    "3gp": (".3gp", testsrc("176x144", 15) + tone(rate=8000, channels=1) + ["-c:v", "h263", "-c:a", "aac",
                                                                            "-ar", "8000", "-ac", "1"]),
    "mts": (".mts", AV + H264_AAC[:6] + ["-c:a", "ac3", "-f", "mpegts"]),
    "m2ts": (".m2ts", AV + H264_AAC[:6] + ["-c:a", "ac3", "-f", "mpegts", "-mpegts_m2ts_mode", "1"]),
    "mpg": (".mpg", AV + ["-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpeg"]),
    "mp3": (".mp3", tone() + ["-c:a", "libmp3lame"]),
    "m4a": (".m4a", tone() + ["-c:a", "aac"]),
    "aac": (".aac", tone() + ["-c:a", "aac", "-f", "adts"]),
    "wav": (".wav", tone() + ["-c:a", "pcm_s16le"]),
    "ogg": (".ogg", tone() + ["-c:a", "libvorbis"]),
    "flac": (".flac", tone() + ["-c:a", "flac"]),
    "mp3_cover": (".mp3", tone() + ["-f", "lavfi", "-i", "color=c=red:s=64x64:d=1", "-map", "0:a", "-map", "1:v",
                                    "-frames:v", "1", "-c:a", "libmp3lame", "-c:v", "png",
                                    "-disposition:v:0", "attached_pic", "-id3v2_version", "3"]),
    "video_only": (".mp4", testsrc() + H264),
    "half_second": (".mp4", testsrc(seconds=0.5) + tone(seconds=0.5) + H264_AAC),
    "interlaced": (".mpg", testsrc("320x240", 25) + tone() + ["-c:v", "mpeg2video", "-flags", "+ilme+ildct",
                                                              "-top", "1", "-c:a", "mp2", "-f", "mpeg"]),
    "png_as_mp4": (".mp4", STILL + ["-c:v", "png", "-f", "image2", "-update", "1"]),
    "jpeg_as_mp4": (".mp4", STILL + ["-c:v", "mjpeg", "-f", "image2", "-update", "1"]),
    "srt_as_mkv": (".mkv", "text:1\n00:00:00,000 --> 00:00:02,000\n大家好\n\n2\n00:00:02,000 --> 00:00:04,000\nHello\n"),
    "text": (".txt", TEXT),
    "text_as_mp4": (".mp4", TEXT),
    "empty": (".mp4", "text:"),
    "truncated_mp4": (".mp4", "derive:mp4:truncate=0.3"),
    "portrait_rotated": (".mp4", "derive:video_only_640:rotate=90"),
    "video_only_640": (".mp4", testsrc("640x360", 30, 3) + H264),
    # Transcoding clips: 3-5 s and 640x360 or smaller, except the one that needs two full segments.
    # Long enough for two full 6 s segments; 960x540 gives two rungs to compare keyframes across.
    "landscape": (".mp4", testsrc("960x540", 30, 13) + tone(13, dbfs=-20) + H264_AAC),
    "rotated_source": (".mp4", testsrc("640x360", 30, 3) + tone(3) + H264_AAC),
    "portrait": (".mp4", "derive:rotated_source:rotate=90"),
    "four_three": (".mp4", testsrc("640x480", 25, 3) + tone(3) + H264_AAC),
    "vfr": (".mp4", ["-f", "lavfi", "-i", "testsrc2=s=640x360:r=60:d=3", *tone(3),
                     "-vf", "select='lt(mod(n\\,7)\\,3)+between(n\\,90\\,95)'", "-fps_mode", "vfr", *H264_AAC]),
    "no_audio": (".mp4", testsrc("640x360", 25, 3) + H264),
    "audio_only": (".m4a", tone(3, dbfs=-20, channels=1) + ["-c:a", "aac"]),
    "tiny": (".mp4", testsrc("160x120", 25, 3) + tone(3) + H264_AAC),
    # The lavfi device rounds sizes to even for yuv420p, so ask for 4:4:4 there; VP9 allows odd 4:2:0.
    "odd": (".webm", ["-f", "lavfi", "-i", "testsrc2=s=641x359:r=25:d=3,format=yuv444p", *tone(3),
                      "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-pix_fmt", "yuv420p",
                      "-c:a", "libopus"]),
    # Really interlaced: the two fields of each frame come from different moments (combing).
    "interlaced_640": (".mpg", testsrc("640x360", 50, 3) + tone(3) + [
        "-vf", "tinterlace=mode=interleave_top,setfield=tff", "-c:v", "mpeg2video", "-b:v", "3M",
        "-flags", "+ilme+ildct", "-top", "1", "-c:a", "mp2", "-f", "mpeg"]),
    "quiet": (".mp4", testsrc("320x180", 25, 4) + tone(4, dbfs=-35) + H264_AAC),
    "loud": (".mp4", testsrc("320x180", 25, 4) + tone(4, dbfs=-8) + H264_AAC),
    "dark_start": (".mp4", ["-f", "lavfi", "-i", "color=c=black:s=320x180:r=25:d=2", *testsrc("320x180", 25, 3),
                            *tone(5), "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]",
                            "-map", "2:a", *H264_AAC]),
    # Moov first, then only half the media data: ffprobe reads it, decoding fails half-way.
    "faststart_source": (".mp4", testsrc("640x360", 25, 4) + tone(4) + H264_AAC + ["-movflags",
                                                                                    "+faststart"]),
    "corrupt": (".mp4", "derive:faststart_source:truncate=0.5"),
    # HDR as phones record it: 10-bit HEVC tagged BT.2020 with HLG or PQ, made from the same picture as
    # "sdr_scene" (zscale encodes it as that transfer would). The PQ one puts white at 1000 nits, the
    # bright scene an iPhone records outdoors; HLG at its reference 100 nits.
    "sdr_scene": (".mp4", testsrc("640x360", 25, 3) + tone(3) + H264_AAC),
    "hdr_hlg": (".mp4", hdr("arib-std-b67", 100)),
    "hdr_pq": (".mp4", hdr("smpte2084", 1000)),
}


def clip(name: str) -> Path:
    """The path of the cached clip ``name`` (see RECIPES), generated if missing."""
    ext, recipe = RECIPES[name]
    digest = hashlib.sha1(json.dumps([ext, recipe]).encode()).hexdigest()[:10]
    path = CLIP_DIR / f"{name}-{digest}{ext}"
    if path.exists():
        return path
    CLIP_DIR.mkdir(parents=True, exist_ok=True)
    if isinstance(recipe, str) and recipe.startswith("derive:"):
        clip(recipe.split(":")[1])  # before taking the lock, which is not re-entrant
    with open(CLIP_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
            try:
                _make(recipe, tmp)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
    return path


def _make(recipe, out: Path) -> None:
    if isinstance(recipe, list):
        ffmpeg(*recipe, out)
    elif recipe.startswith("text:"):
        out.write_text(recipe[len("text:"):], encoding="utf-8")
    elif recipe.startswith("derive:"):
        base, op = recipe[len("derive:"):].split(":", 1)
        source = clip(base)
        key, value = op.split("=")
        if key == "truncate":
            data = source.read_bytes()
            out.write_bytes(data[: int(len(data) * float(value))])
        elif key == "rotate":
            # Debian's ffmpeg 5.1 ignores rotate= when encoding; it is honoured while stream-copying.
            ffmpeg("-i", source, "-c", "copy", "-metadata:s:v:0", f"rotate={value}", out)


def ffmpeg(*args) -> None:
    """Run ffmpeg quietly (the temporary output name keeps the extension, so the muxer is guessed)."""
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *map(str, args)], check=True,
                   stdin=subprocess.DEVNULL, timeout=120)
