"""Probing uploads with the real ffprobe on generated clips."""
from __future__ import annotations

import pytest

from elearn.core.errors import ServiceError
from elearn.video.probe import check_acceptable, probe

from .clips import clip

ACCEPTED = ["mp4", "m4v", "mov", "mkv", "webm", "avi", "wmv", "flv", "3gp", "mts", "m2ts", "mpg",
            "mp3", "m4a", "aac", "wav", "ogg", "flac"]
AUDIO_ONLY = {"mp3", "m4a", "aac", "wav", "ogg", "flac"}


def refusal(name: str, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        check_acceptable(probe(clip(name), **kwargs))
    return caught.value


@pytest.mark.parametrize("name", ACCEPTED)
def test_common_formats_are_accepted(name):
    """Every format teachers are promised is read, has the right kind of stream and is accepted."""
    info = probe(clip(name))
    check_acceptable(info)
    assert 1.9 < info.duration < 2.2
    assert info.has_audio and info.audio_channels >= 1 and info.sample_rate >= 8000
    assert info.has_video is (name not in AUDIO_ONLY)
    if info.has_video:
        assert info.width > 0 and info.height > 0 and info.fps and not info.interlaced


def test_mp4_details():
    """An H.264/AAC MP4 is described with codecs, size, frame rate and stream indexes."""
    info = probe(clip("mp4"))
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.width, info.height, info.coded_width, info.coded_height) == (320, 240, 320, 240)
    assert info.fps == 25.0 and not info.is_vfr and info.rotation == 0
    assert (info.video_index, info.audio_index, info.audio_channels, info.sample_rate) == (0, 1, 2, 44100)
    assert info.to_dict()["format_name"].startswith("mov,mp4")


def test_cover_art_is_not_video():
    """An MP3 with an embedded cover picture counts as audio only."""
    info = probe(clip("mp3_cover"))
    check_acceptable(info)
    assert info.has_audio and not info.has_video and info.video_index is None


def test_video_without_audio_is_accepted():
    """A silent video is a recording too."""
    info = probe(clip("video_only"))
    check_acceptable(info)
    assert info.has_video and not info.has_audio and info.audio_index is None


def test_rotation_metadata_gives_displayed_size():
    """A phone video stored landscape with rotate=90 is reported as the portrait picture people see."""
    info = probe(clip("portrait"))
    assert info.rotation == 90  # the tag the clip carries (see clips.py, "portrait")
    assert (info.width, info.height) == (360, 640)
    assert (info.coded_width, info.coded_height) == (640, 360)


def test_interlaced_and_variable_frame_rate_are_flagged():
    """Interlaced camcorder footage and variable-frame-rate phone video are recognised."""
    assert probe(clip("interlaced")).interlaced
    vfr = probe(clip("vfr"))
    assert vfr.is_vfr and 20 < vfr.fps < 40


@pytest.mark.parametrize("name", ["png_as_mp4", "jpeg_as_mp4", "srt_as_mkv", "text", "text_as_mp4"])
def test_things_that_are_not_recordings_are_refused(name):
    """Still pictures, subtitles and text are refused whatever their extension."""
    err = refusal(name)
    assert (err.code, err.status) == ("not_media", 422)
    assert str(err.message) == "This file is not a video or audio recording and cannot be used."


def test_too_short_is_refused():
    """A half-second clip is refused with its own plain reason."""
    err = refusal("half_second")
    assert err.code == "not_media" and "shorter than one second" in str(err.message)


def test_empty_file_is_refused():
    """A 0-byte file gets a message saying it is empty."""
    err = refusal("empty")
    assert (err.code, err.status) == ("empty_file", 422) and "empty" in str(err.message)


def test_truncated_file_is_reported_as_damaged():
    """The first 30% of an MP4 is reported as damaged or incomplete, not as a foreign file."""
    err = refusal("truncated_mp4")
    assert (err.code, err.status) == ("media_damaged", 422)
    assert "damaged or incomplete" in str(err.message)


def test_missing_file_is_a_service_error(tmp_path):
    """A path that does not exist is refused, not a crash."""
    with pytest.raises(ServiceError):
        probe(tmp_path / "gone.mp4")


def test_messages_are_in_chinese_by_default(app):
    """Inside the app the refusal reads in Chinese, as the teacher sees it."""
    err = refusal("text")
    with app.test_request_context():
        assert "这个文件不是视频或音频，无法使用" in str(err.message)
        assert "损坏" in str(refusal("truncated_mp4").message)


def test_missing_ffprobe_is_a_service_error(app, monkeypatch):
    """A wrong FFPROBE setting gives a 503 ServiceError, and the app setting is the one used."""
    monkeypatch.setitem(app.config, "FFPROBE", "/nonexistent/ffprobe")
    with app.test_request_context(), pytest.raises(ServiceError) as caught:
        probe(clip("mp4"))
    assert caught.value.status == 503
    assert probe(clip("mp4")).has_video  # outside the app: plain "ffprobe" from PATH


def fake_ffprobe(tmp_path, body: str) -> str:
    script = tmp_path / "ffprobe"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


def test_hanging_ffprobe_times_out(tmp_path):
    """An ffprobe that never answers is stopped and reported as a ServiceError."""
    with pytest.raises(ServiceError) as caught:
        probe(clip("mp4"), ffprobe=fake_ffprobe(tmp_path, "exec sleep 30"), timeout=1)
    assert caught.value.code == "media_unreadable"


@pytest.mark.parametrize("output", ["echo 'not json at all'", "echo '[1, 2]'",
                                    "echo '{\"streams\": [{\"codec_type\": \"video\", \"width\": \"x\"}]}'"])
def test_garbage_output_is_a_service_error(tmp_path, output):
    """Whatever nonsense ffprobe prints, the caller only ever sees a ServiceError."""
    with pytest.raises(ServiceError):
        check_acceptable(probe(clip("mp4"), ffprobe=fake_ffprobe(tmp_path, output)))
