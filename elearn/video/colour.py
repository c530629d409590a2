"""HDR recordings made ordinary: phones record 10-bit HLG (iPhones by default) or PQ, which an
ordinary screen or set-top box shows washed out or too dark when it is passed on as 8-bit H.264.

``is_hdr(info)`` tells such a source by its transfer function. ``to_sdr(stream, info, width, height)``
adds, once before the ladder's split, the filters that tone-map it to SDR BT.709: the first zscale
also scales down to the largest rung, since tone-mapping a 4K frame costs about twice what it costs
at 720p. The mobius curve keeps the range SDR can show as it was and only bends the highlights above
it, so faces and slides keep their brightness. ``SDR_TAGS`` are the output options that say BT.709
in the stream, so players do not guess.
"""
from __future__ import annotations

#: Transfer functions (ffprobe's names, which zscale also accepts) of HDR video.
HDR_TRANSFERS = ("arib-std-b67", "smpte2084")  # HLG, PQ
_PRIMARIES = {"bt2020", "bt709", "smpte432", "smpte431"}
_MATRICES = {"bt2020nc", "bt2020c", "bt709"}
#: Nominal peak of SDR white, in nits: linear 1.0 is this bright, so what is brighter gets tone-mapped.
SDR_PEAK_NITS = 100

#: libx264 output options tagging the stream BT.709 (primaries, transfer, matrix) in limited range.
SDR_TAGS = {"color_primaries": "bt709", "color_trc": "bt709", "colorspace": "bt709", "color_range": "tv"}


def is_hdr(info) -> bool:
    return bool(info.has_video and info.color_transfer in HDR_TRANSFERS)


def to_sdr(stream, info, width: int, height: int):
    """``stream`` (ffmpeg-python) tone-mapped from HLG/PQ to SDR BT.709, 8-bit 4:2:0, at width x height.

    The source's own tags are given to the first zscale (with BT.2020 where they are missing or
    odd): decoders do not always carry them on every frame, and zscale refuses to guess.
    """
    primaries = info.color_primaries if info.color_primaries in _PRIMARIES else "bt2020"
    matrix = info.color_space if info.color_space in _MATRICES else "bt2020nc"
    linear = stream.filter("zscale", w=width, h=height, filter="spline36", tin=info.color_transfer, pin=primaries,
                           min=matrix, rin="full" if info.color_range == "pc" else "limited",
                           t="linear", npl=SDR_PEAK_NITS)
    mapped = (linear.filter("format", "gbrpf32le").filter("zscale", p="bt709")
              .filter("tonemap", tonemap="mobius", desat=0))
    return mapped.filter("zscale", t="bt709", m="bt709", r="limited").filter("format", "yuv420p")
