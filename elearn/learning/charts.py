"""Geometry of the bar charts on 「我的学习」, drawn as SVG by the server (no chart library in the page).

Units are SVG user units; the stylesheet sizes the whole picture in rem, so one unit is one pixel
at the standard text size and everything (bars and labels alike) grows with the user's text size.
"""
from __future__ import annotations

import math

LEFT, RIGHT, TOP, BOTTOM = 72, 16, 40, 44
PLOT_HEIGHT = 240
LABEL_SIZE = 20


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at least ``value`` (at least 10)."""
    if value <= 10:
        return 10
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def bar_chart(points: list[dict], *, slot: int, label_every: int = 1) -> dict:
    """``points``: dicts with ``minutes`` and ``label``. Returns the SVG size, bars, y ticks and x labels."""
    top = nice_ceiling(max((p["minutes"] for p in points), default=0))
    width = LEFT + slot * len(points) + RIGHT
    height = TOP + PLOT_HEIGHT + BOTTOM
    bar_width = max(4, round(slot * 0.7))
    bars, labels = [], []
    for index, point in enumerate(points):
        bar_height = round(PLOT_HEIGHT * point["minutes"] / top, 1)
        x = LEFT + index * slot + (slot - bar_width) / 2
        bars.append({"x": x, "y": TOP + PLOT_HEIGHT - bar_height, "width": bar_width, "height": bar_height,
                     "point": point})
        if index % label_every == 0:
            labels.append({"x": LEFT + index * slot + slot / 2, "y": TOP + PLOT_HEIGHT + LABEL_SIZE + 8,
                           "text": point["label"]})
    ticks = [{"y": TOP + PLOT_HEIGHT - PLOT_HEIGHT * share, "value": round(top * share)} for share in (0, 0.5, 1)]
    return {"width": width, "height": height, "left": LEFT, "right": width - RIGHT, "top": TOP,
            "baseline": TOP + PLOT_HEIGHT, "bars": bars, "labels": labels, "ticks": ticks}
