"""Geometry of the bar charts on 「我的学习」, drawn as SVG by the server (no chart library in the page).

Units are SVG user units; the stylesheet sizes the whole picture in rem, so one unit is one pixel
at the standard text size and everything (bars and labels alike) grows with the user's text size.

Each chart is two pictures side by side: the minutes axis, which stays in view, and the bars, which
scroll sideways inside their own box on a narrow screen and open at the right end, on the current
week or month (the stylesheet's right-to-left box does that without a script). Labels are counted
from the newest bar, so the current one is always labelled.
"""
from __future__ import annotations

import math

AXIS_WIDTH = 52
#: Room at each end of the bars so that the first and the last label are not cut off.
PAD_LEFT, PAD_RIGHT = 40, 48
TOP, BOTTOM = 40, 44
PLOT_HEIGHT = 240
LABEL_SIZE = 20


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at least ``value`` (at least 10)."""
    if value <= 10:
        return 10
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def whole_minutes(minutes: float) -> int:
    """Minutes as people count them: whole ones, half a minute and more rounded up."""
    return int(math.floor(minutes + 0.5))


def bar_chart(points: list[dict], *, slot: int, label_every: int = 1, top: float | None = None) -> dict:
    """``points``: dicts with ``minutes`` (the value) and ``label``. Returns the axis and the bars' sizes,
    bars, ticks, labels. ``top``: a fixed top of the axis (100 for rates in %), else the values' nice ceiling."""
    top = top or nice_ceiling(max((p["minutes"] for p in points), default=0))
    width = PAD_LEFT + slot * len(points) + PAD_RIGHT
    height = TOP + PLOT_HEIGHT + BOTTOM
    bar_width = max(4, round(slot * 0.7))
    bars, labels = [], []
    for index, point in enumerate(points):
        bar_height = round(PLOT_HEIGHT * point["minutes"] / top, 1)
        x = PAD_LEFT + index * slot + (slot - bar_width) / 2
        bars.append({"x": x, "y": TOP + PLOT_HEIGHT - bar_height, "width": bar_width, "height": bar_height,
                     "point": point})
        if (len(points) - 1 - index) % label_every == 0:
            labels.append({"x": PAD_LEFT + index * slot + slot / 2, "y": TOP + PLOT_HEIGHT + LABEL_SIZE + 8,
                           "text": point["label"]})
    # top is 10, 20, 50... so its half is a whole number too.
    ticks = [{"y": TOP + PLOT_HEIGHT - PLOT_HEIGHT * share, "value": whole_minutes(top * share)}
             for share in (0, 0.5, 1)]
    return {"axis_width": AXIS_WIDTH, "width": width, "height": height, "top": TOP,
            "baseline": TOP + PLOT_HEIGHT, "bars": bars, "labels": labels, "ticks": ticks}
