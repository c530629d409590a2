"""Interval arithmetic: merged coverage never exceeds the duration and never counts a second twice."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from elearn.learning import intervals as iv

times = st.floats(min_value=-100, max_value=1000, allow_nan=False, allow_infinity=False)
pairs = st.lists(st.tuples(times, times).map(lambda p: (min(p), max(p))), max_size=40)
durations = st.floats(min_value=0.5, max_value=900, allow_nan=False)


def covered_grid(intervals, step=0.25):
    """The grid points (multiples of ``step``) inside any interval: a slow, obviously right reference."""
    points = set()
    for start, end in intervals:
        k = int(start // step)
        while k * step < end:
            if k * step >= start:
                points.add(k)
            k += 1
    return points


@given(pairs)
def test_merged_intervals_are_sorted_disjoint_and_cover_the_same(intervals):
    """merge() gives sorted, non-overlapping intervals covering exactly the input's points."""
    merged = iv.merge(intervals)
    assert all(a_end < b_start for (_, a_end), (b_start, _) in zip(merged, merged[1:]))
    assert all(start < end for start, end in merged)
    assert covered_grid(merged) == covered_grid(intervals)


@given(pairs)
def test_total_never_counts_a_second_twice(intervals):
    """total() is the same whether intervals are repeated, reordered or split; at most the span."""
    once = iv.total(intervals)
    assert abs(iv.total(intervals + intervals) - once) < 1e-6
    assert abs(iv.total(list(reversed(intervals))) - once) < 1e-6
    assert once <= sum(end - start for start, end in intervals) + 1e-6
    if intervals:
        span = max(e for _, e in intervals) - min(s for s, _ in intervals)
        assert once <= span + 1e-6


@given(pairs, durations)
def test_clamped_coverage_never_exceeds_the_duration(intervals, duration):
    """After clamping to [0, duration], coverage is between 0 and the duration, whatever was reported."""
    clamped = iv.clamp(intervals, duration)
    assert all(0 <= start < end <= duration for start, end in clamped)
    assert 0 <= iv.total(clamped) <= duration + 1e-9


@settings(max_examples=200)
@given(pairs, st.floats(min_value=0, max_value=500, allow_nan=False))
def test_a_budget_is_never_exceeded_and_only_cuts(intervals, budget):
    """within_budget() keeps at most ``budget`` seconds, only ever shortening what was reported."""
    merged = iv.merge(intervals)
    kept = iv.within_budget(merged, budget)
    assert sum(end - start for start, end in kept) <= budget + 1e-6
    assert covered_grid(kept) <= covered_grid(merged)
    if sum(end - start for start, end in merged) <= budget:
        assert kept == [(s, e) for s, e in merged if e > s]


def test_touching_intervals_join_and_gaps_stay():
    """[0,10] and [10,20] are one stretch; a gap between stretches is not counted."""
    assert iv.merge([(10, 20), (0, 10)]) == [(0, 20)]
    assert iv.merge([(0, 5), (6, 8)]) == [(0, 5), (6, 8)]
    assert iv.total([(0, 5), (6, 8), (1, 2)]) == 7
