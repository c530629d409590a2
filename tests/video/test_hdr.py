"""HDR phone recordings (HLG, PQ) come out as SDR BT.709: tagged so, and looking like the scene filmed,
not washed out or grey as the same 10-bit picture squeezed into 8 bits without tone mapping."""
from __future__ import annotations

import subprocess

import pytest

from elearn.video import colour
from elearn.video.probe import probe
from elearn.video.transcode import transcode

from .clips import clip
from .test_transcode import PRESET, ffprobe


def picture_stats(path, prefilter="null") -> dict:
    """Mean luma (YAVG, 0-255) and saturation (SATAVG) over every frame, as signalstats measures them."""
    done = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:v:0", "-vf",
                           f"{prefilter},signalstats,metadata=print:file=-", "-f", "null", "-"],
                          capture_output=True, text=True, timeout=120, check=True)
    values = {"YAVG": [], "SATAVG": []}
    for line in done.stdout.splitlines():
        name, _, value = line.partition("=")
        key = name.rpartition(".")[2]
        if key in values:
            values[key].append(float(value))
    return {key: sum(found) / len(found) for key, found in values.items()}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root, cache = tmp_path_factory.mktemp("hdr"), {}

    def make(name):
        if name not in cache:
            cache[name] = transcode(clip(name), root / name, probe(clip(name)), preset=PRESET)
        return cache[name]

    return make


@pytest.mark.parametrize("name, transfer", [("hdr_hlg", "arib-std-b67"), ("hdr_pq", "smpte2084")])
def test_probe_carries_the_colour_fields(name, transfer):
    """The probe result says what the source's colour is: the transfer, primaries, matrix and 10 bits."""
    info = probe(clip(name))
    assert (info.color_transfer, info.color_primaries, info.color_space) == (transfer, "bt2020", "bt2020nc")
    assert info.bit_depth == 10 and info.pix_fmt == "yuv420p10le"
    assert colour.is_hdr(info)
    assert info.to_dict()["color_transfer"] == transfer
    sdr = probe(clip("sdr_scene"))
    assert sdr.bit_depth == 8 and not colour.is_hdr(sdr)


@pytest.mark.parametrize("name", ["hdr_hlg", "hdr_pq"])
def test_hdr_comes_out_tagged_bt709(made, name):
    """Every rung is 8-bit H.264 tagged BT.709 (primaries, transfer, matrix), the download too."""
    result = made(name)
    for rendition in result.renditions:
        stream = ffprobe(result.out_dir / rendition.playlist, "-select_streams", "v:0", "-show_entries",
                         "stream=pix_fmt,color_primaries,color_transfer,color_space")["streams"][0]
        assert stream == {"pix_fmt": "yuv420p", "color_primaries": "bt709", "color_transfer": "bt709",
                          "color_space": "bt709"}
    download = ffprobe(result.out_dir / result.download, "-select_streams", "v:0",
                       "-show_entries", "stream=color_transfer")["streams"][0]
    assert download["color_transfer"] == "bt709"


@pytest.mark.parametrize("name", ["hdr_hlg", "hdr_pq"])
def test_hdr_picture_looks_like_the_scene(made, name):
    """Tone-mapped, the picture's brightness is in the ordinary SDR range and nearer the scene than the
    same clip squeezed to 8 bits without tone mapping (what came out before); colours are not washed out."""
    result = made(name)
    largest = result.out_dir / result.renditions[-1].playlist
    mapped = picture_stats(largest)
    untouched = picture_stats(clip(name), f"scale={result.renditions[-1].width}:{result.renditions[-1].height},"
                                          "format=yuv420p")
    scene = picture_stats(clip("sdr_scene"))
    assert 80 <= mapped["YAVG"] <= 170
    assert abs(mapped["YAVG"] - scene["YAVG"]) < abs(untouched["YAVG"] - scene["YAVG"])
    assert abs(mapped["YAVG"] - scene["YAVG"]) < 15
    assert mapped["SATAVG"] > 2 * untouched["SATAVG"]


def test_sdr_source_is_not_tone_mapped(made):
    """An ordinary recording keeps its picture: the same brightness as the source, no tone mapping."""
    result = made("sdr_scene")
    stats = picture_stats(result.out_dir / result.renditions[-1].playlist)
    assert abs(stats["YAVG"] - picture_stats(clip("sdr_scene"))["YAVG"]) < 3
