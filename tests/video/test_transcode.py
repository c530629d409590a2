"""The HLS ladder, built by the real ffmpeg from generated clips and checked with ffprobe and m3u8."""
from __future__ import annotations

import json
import re
import subprocess
from fractions import Fraction
from pathlib import Path

import m3u8
import pytest

from elearn.video.probe import MediaInfo, probe
from elearn.video.transcode import TranscodeError, output_fps, plan_ladder, transcode

from .clips import clip

PRESET = "ultrafast"  # tests only; production defaults to veryfast


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Transcode each clip at most once per module: made("landscape") -> (result, progress calls)."""
    root, cache = tmp_path_factory.mktemp("hls"), {}

    def make(name):
        if name not in cache:
            calls = []
            result = transcode(clip(name), root / name / "asset", probe(clip(name)), preset=PRESET,
                               on_progress=lambda percent, eta: calls.append((percent, eta)))
            cache[name] = (result, calls)
        return cache[name]

    return make


def ffprobe(path, *args) -> dict:
    done = subprocess.run(["ffprobe", "-v", "error", "-of", "json", *args, str(path)], capture_output=True,
                          check=True, timeout=60)
    return json.loads(done.stdout)


def streams(path) -> dict:
    found = ffprobe(path, "-show_entries", "stream=codec_type,codec_name,profile,pix_fmt,width,height,"
                                          "sample_rate,channels,field_order")["streams"]
    return {s["codec_type"]: s for s in found}


def keyframe_times(playlist) -> list[float]:
    packets = ffprobe(playlist, "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags")["packets"]
    return [round(float(p["pts_time"]), 3) for p in packets if "K" in p["flags"]]


def loudness(path) -> float:
    done = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a", "-af", "ebur128",
                           "-f", "null", "-"], capture_output=True, text=True, timeout=60)
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", done.stderr)[-1])


def test_landscape_master_playlist(made):
    """The master lists each rung with BANDWIDTH, AVERAGE-BANDWIDTH, RESOLUTION and CODECS, then audio only."""
    result, _ = made("landscape")
    master = m3u8.load(str(result.out_dir / "master.m3u8"))
    assert master.is_variant
    info = [(p.uri, p.stream_info.resolution, p.stream_info.codecs) for p in master.playlists]
    assert info == [("v360/index.m3u8", (640, 360), "avc1.64001e,mp4a.40.2"),
                    ("v540/index.m3u8", (960, 540), "avc1.64001f,mp4a.40.2"),
                    ("audio/index.m3u8", None, "mp4a.40.2")]
    for playlist in master.playlists:
        assert 0 < playlist.stream_info.average_bandwidth <= playlist.stream_info.bandwidth
    bandwidths = [p.stream_info.bandwidth for p in master.playlists]
    assert bandwidths[2] < 100_000 < bandwidths[0] < bandwidths[1]


def test_landscape_renditions(made):
    """Each rung is H.264 High yuv420p at its size with AAC stereo 48 kHz; audio only is AAC ~64 kb/s."""
    result, _ = made("landscape")
    for name, size in (("v360", (640, 360)), ("v540", (960, 540))):
        found = streams(result.out_dir / name / "seg_00000.ts")
        video, audio = found["video"], found["audio"]
        assert (video["codec_name"], video["profile"], video["pix_fmt"]) == ("h264", "High", "yuv420p")
        assert (video["width"], video["height"]) == size
        assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
    audio_only = streams(result.out_dir / "audio" / "seg_00000.ts")
    assert set(audio_only) == {"audio"} and audio_only["audio"]["sample_rate"] == "48000"
    assert 55_000 < result.audio.average_bandwidth < 80_000


def test_segments_and_keyframes(made):
    """6 s segments (shorter only at the end) and a keyframe every 2 s, at the same times in every rung."""
    result, _ = made("landscape")
    times = {}
    for name in ("v360", "v540", "audio"):
        playlist = m3u8.load(str(result.out_dir / name / "index.m3u8"))
        assert playlist.is_endlist and playlist.playlist_type == "vod" and playlist.target_duration == 6
        durations = [s.duration for s in playlist.segments]
        assert all(abs(d - 6) < 0.1 for d in durations[:-1]) and len(durations) == 3 and durations[-1] < 6
        if name != "audio":
            times[name] = keyframe_times(result.out_dir / name / "index.m3u8")
    assert times["v360"] == times["v540"]
    gaps = [b - a for a, b in zip(times["v360"], times["v360"][1:])]
    assert len(gaps) >= 5 and all(abs(gap - 2.0) < 0.01 for gap in gaps)


def test_download_poster_duration_progress(made):
    """A faststart MP4 copied from a rung, a poster and thumbnail, the duration, and progress to 100%."""
    result, calls = made("landscape")
    mp4 = result.out_dir / result.download
    head = mp4.read_bytes()[:200_000]
    assert result.download == "download.mp4" and head.index(b"moov") < head.index(b"mdat")
    found = streams(mp4)
    assert (found["video"]["width"], found["video"]["height"], found["video"]["profile"]) == (960, 540, "High")
    assert abs(float(ffprobe(mp4, "-show_entries", "format=duration")["format"]["duration"]) - 13) < 0.3
    assert abs(result.duration - 13) < 0.3
    assert (streams(result.out_dir / "poster.jpg")["video"]["width"], streams(result.out_dir / "thumb.jpg")
            ["video"]["width"]) == (960, 320)
    percents = [p for p, _ in calls]
    assert percents == sorted(percents) and percents[-1] == 100 and calls[-1][1] == 0
    assert not list(result.out_dir.parent.glob(".*"))  # no temporary folder left next to it


def test_portrait_is_turned_upright(made):
    """A phone video with rotation metadata comes out upright, sized from the rotated picture."""
    result, _ = made("portrait")
    assert [(r.width, r.height) for r in result.renditions] == [(360, 640)]
    video = streams(result.out_dir / "v360" / "seg_00000.ts")["video"]
    assert (video["width"], video["height"]) == (360, 640)
    assert (streams(result.out_dir / "poster.jpg")["video"]["height"]) == 640


@pytest.mark.parametrize("name, sizes", [("four_three", [(480, 360)]), ("tiny", [(160, 120)]),
                                         ("odd", [(640, 358)])])
def test_odd_shapes_keep_their_aspect(made, name, sizes):
    """4:3 keeps 4:3, a tiny source keeps its own size, odd dimensions become even."""
    result, _ = made(name)
    assert [(r.width, r.height) for r in result.renditions] == sizes
    video = streams(result.out_dir / result.renditions[0].playlist)["video"]
    assert (video["width"], video["height"]) == sizes[0] and video["pix_fmt"] == "yuv420p"


def test_variable_frame_rate_comes_out_constant(made):
    """Irregular phone frame timing becomes an even frame rate with keyframes still every 2 s."""
    result, _ = made("vfr")
    packets = ffprobe(result.out_dir / "v360" / "index.m3u8", "-select_streams", "v:0", "-show_entries",
                      "packet=dts_time")["packets"]
    steps = {round(float(b["dts_time"]) - float(a["dts_time"]), 3) for a, b in zip(packets, packets[1:])}
    assert steps <= {0.033, 0.034}
    times = keyframe_times(result.out_dir / "v360" / "index.m3u8")
    assert [round(b - a, 2) for a, b in zip(times, times[1:])] == [2.0]


def test_interlaced_is_deinterlaced(made):
    """Combed camcorder fields come out as progressive pictures (ffmpeg's idet agrees)."""
    result, _ = made("interlaced_640")
    done = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(result.out_dir / "v360" / "index.m3u8"),
                           "-vf", "idet", "-f", "null", "-"], capture_output=True, text=True, timeout=60)
    counts = dict(re.findall(r"(TFF|BFF|Progressive):\s*(\d+)", done.stderr.split("Multi frame detection")[-1]))
    assert int(counts["Progressive"]) > 10 * (int(counts["TFF"]) + int(counts["BFF"]))


def test_audio_only_source(made):
    """An audio recording gives only the audio rendition at 128 kb/s, an .m4a download and no poster."""
    result, _ = made("audio_only")
    master = m3u8.load(str(result.out_dir / "master.m3u8"))
    assert [(p.uri, p.stream_info.codecs) for p in master.playlists] == [("audio/index.m3u8", "mp4a.40.2")]
    assert result.renditions == [] and result.poster is None and result.thumbnail is None
    assert sorted(p.name for p in result.out_dir.iterdir()) == ["audio", "download.m4a", "master.m3u8"]
    audio = streams(result.out_dir / "download.m4a")["audio"]
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
    assert 110_000 < result.audio.average_bandwidth < 150_000


def test_video_without_audio_gets_silent_track(made):
    """Every rendition of a silent video still carries an AAC stereo track, and it is silent."""
    result, _ = made("no_audio")
    assert result.silent_audio_added
    audio = streams(result.out_dir / "v360" / "seg_00000.ts")["audio"]
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
    done = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(result.out_dir / "audio" / "index.m3u8"),
                           "-af", "volumedetect", "-f", "null", "-"], capture_output=True, text=True, timeout=60)
    assert re.search(r"max_volume: (-inf|-[1-9]\d\d?\.\d) dB", done.stderr)


def test_loudness_is_normalised(made):
    """A whisper-quiet and a very loud clip both play at about -16 LUFS, within 1.5 LU of each other."""
    levels = [loudness(made(name)[0].out_dir / "v180" / "index.m3u8") for name in ("quiet", "loud")]
    assert all(abs(level + 16) <= 2 for level in levels), levels
    assert abs(levels[0] - levels[1]) <= 1.5, levels
    assert abs(loudness(made("quiet")[0].out_dir / "audio" / "index.m3u8") + 16) <= 2


def test_poster_skips_black_opening(made):
    """A video that opens on black gets a poster from the first picture that is not black."""
    result, _ = made("dark_start")
    stats = ffprobe(f"movie={result.out_dir / 'poster.jpg'},signalstats", "-f", "lavfi", "-show_entries",
                    "frame_tags=lavfi.signalstats.YAVG")
    assert float(stats["frames"][0]["tags"]["lavfi.signalstats.YAVG"]) > 60


def test_corrupt_stream_fails_cleanly(tmp_path):
    """A recording cut off half-way fails with a plain reason and ffmpeg's detail, leaving nothing behind."""
    out = tmp_path / "media" / "asset"
    with pytest.raises(TranscodeError) as caught:
        transcode(clip("corrupt"), out, probe(clip("corrupt")), preset=PRESET)
    err = caught.value
    assert err.code == "damaged" and "damaged" in str(err.message) and err.detail.strip()
    assert list((tmp_path / "media").iterdir()) == []


def test_failed_progress_callback_stops_everything(tmp_path):
    """If the caller gives up (its callback raises), ffmpeg is stopped and nothing is left behind."""
    class LeaseLost(Exception):
        pass

    def give_up(percent, eta):
        if percent > 6:
            raise LeaseLost

    with pytest.raises(LeaseLost):
        transcode(clip("tiny"), tmp_path / "asset", probe(clip("tiny")), preset=PRESET, on_progress=give_up)
    assert list(tmp_path.iterdir()) == []


def test_new_output_replaces_old_folder(tmp_path):
    """A finished transcode replaces an older folder for the asset as a whole."""
    out = tmp_path / "asset"
    out.mkdir()
    (out / "stale.ts").write_text("old")
    result = transcode(clip("tiny"), out, probe(clip("tiny")), preset=PRESET)
    assert result.out_dir == out and (out / "master.m3u8").exists() and not (out / "stale.ts").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["asset"]


def test_missing_ffmpeg_is_reported(tmp_path):
    """A wrong ffmpeg path gives a TranscodeError, not a crash, and leaves nothing behind."""
    with pytest.raises(TranscodeError) as caught:
        transcode(clip("tiny"), tmp_path / "asset", probe(clip("tiny")), ffmpeg="/nonexistent/ffmpeg")
    assert caught.value.code == "tools_missing" and list(tmp_path.iterdir()) == []


def info(width, height, rotation=0, fps=30.0, is_vfr=False) -> MediaInfo:
    return MediaInfo(duration=60, format_name="mov", has_video=True, has_audio=True, width=width, height=height,
                     rotation=rotation, fps=fps, is_vfr=is_vfr, video_index=0, audio_index=1)


@pytest.mark.parametrize("source, kwargs, sizes", [
    ((1920, 1080), {}, [(640, 360), (960, 540), (1280, 720)]),
    ((1920, 1080), {"allow_1080": True}, [(640, 360), (960, 540), (1280, 720), (1920, 1080)]),
    ((1080, 1920), {}, [(360, 640), (540, 960), (720, 1280)]),
    ((1280, 720), {"rungs": (360, 720)}, [(640, 360), (1280, 720)]),
    ((854, 480), {}, [(640, 360)]),
    ((640, 480), {}, [(480, 360)]),
    ((300, 201), {}, [(300, 200)]),
    ((641, 359), {}, [(640, 358)]),
])
def test_plan_ladder(source, kwargs, sizes):
    """Rungs follow the shorter side, never exceed the source, keep the aspect and are even."""
    assert [(r.width, r.height) for r in plan_ladder(info(*source), **kwargs)] == sizes


def test_plan_ladder_bitrates_grow_with_size():
    """Larger rungs get more bits; an audio-only source has no video rungs."""
    rates = [r.maxrate_kbps for r in plan_ladder(info(1920, 1080))]
    assert rates == sorted(rates) and 600 < rates[0] < 1000 and 2000 < rates[-1] < 3000
    assert plan_ladder(MediaInfo(duration=5, format_name="mp3", has_audio=True)) == []


@pytest.mark.parametrize("fps, is_vfr, expected", [
    (59.94, False, Fraction(30000, 1001)), (50.0, False, Fraction(25)), (25.0, False, Fraction(25)),
    (27.3, True, Fraction(30000, 1001)), (15.0, False, Fraction(15)), (None, False, Fraction(25)),
])
def test_output_fps(fps, is_vfr, expected):
    """Output frame rates are constant, at most 30, and standard when the source is close to one."""
    assert output_fps(info(1280, 720, fps=fps, is_vfr=is_vfr)) == expected


def test_paths_are_not_protocols(tmp_path):
    """A source whose name looks like a protocol is still read as a plain file."""
    odd = tmp_path / "pipe:0"
    odd.write_bytes(Path(clip("tiny")).read_bytes())
    result = transcode(odd, tmp_path / "asset", probe(odd), preset=PRESET)
    assert (result.out_dir / "master.m3u8").exists()
