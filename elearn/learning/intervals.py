"""Pure arithmetic on watched intervals: [start, end] pairs of media seconds.

Kept free of Flask and the database so the property tests can hammer it.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

Interval = tuple[float, float]
#: Stored times are rounded to milliseconds.
PRECISION = 3


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering exactly what the input covers (touching ones joined)."""
    merged: list[list[float]] = []
    for start, end in sorted((float(s), float(e)) for s, e in intervals if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def total(intervals: Iterable[Interval]) -> float:
    """Seconds covered: the sum of lengths of the merged intervals (nothing counted twice)."""
    return sum(e - s for s, e in merge(intervals))


def clamp(intervals: Iterable[Interval], duration: float) -> list[Interval]:
    """Each interval cut to [0, duration], rounded to milliseconds; the empty ones dropped."""
    kept = []
    for start, end in intervals:
        start = min(round(max(start, 0.0), PRECISION), duration)
        end = min(round(max(end, 0.0), PRECISION), duration)
        if end > start:
            kept.append((start, end))
    return kept


def within_budget(intervals: Iterable[Interval], budget: float) -> list[Interval]:
    """The intervals in the order given, cut so that their lengths add up to at most ``budget``."""
    kept = []
    left = max(0.0, budget)
    for start, end in intervals:
        if left <= 0:
            break
        if end - start > left:  # cut, rounded down so the lengths never add up to more than the budget
            end = math.floor((start + left) * 10 ** PRECISION) / 10 ** PRECISION
        if end > start:
            kept.append((start, end))
            left -= end - start
    return kept
