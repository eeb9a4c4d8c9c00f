"""Benchmark comparison, polarity, funnel limits and quintiles."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillnader.errors import InputError
from skillnader.stats.compare import (
    compare_control_limits,
    compare_intervals,
    control_limits,
    judge,
    quantiles,
    quintiles,
)
from skillnader.stats.intervals import wilson

# PHEindicatormethods tests/testthat/testdata_funnel_prop_outputs.csv: funnel limits (%) around
# a baseline of 80.642448 % (columns: population, lower 95 %, upper 95 %, lower 99.8 %,
# upper 99.8 %).
FUNNEL_BASELINE = 0.80642448
FUNNEL_ROWS = [
    (1, 3.204264, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (18, 62.390093, 98.894803, 51.864359, 100),
    (41, 68.548635, 92.73626, 61.574398, 99.710497),
    (50, 69.691035, 91.593861, 63.375595, 97.909301),
    (1008, 78.203374, 83.081521, 76.796814, 84.488082),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]


@pytest.mark.parametrize(("n", "lo95", "up95", "lo998", "up998"), FUNNEL_ROWS)
def test_proportion_control_limits_reproduce_published_funnel(n, lo95, up95, lo998, up998):
    lo, up = control_limits(FUNNEL_BASELINE, n, 0.95)
    assert 100 * lo == pytest.approx(lo95, abs=1.5e-6)
    assert 100 * up == pytest.approx(up95, abs=1.5e-6)
    lo, up = control_limits(FUNNEL_BASELINE, n, 0.998)
    assert 100 * lo == pytest.approx(lo998, abs=1.5e-6)
    assert 100 * up == pytest.approx(up998, abs=1.5e-6)


def test_wilson_control_limits_option():
    lo, up = control_limits(0.3, 40, 0.95, method="wilson")
    assert (lo, up) == wilson(12, 40)


def test_judgement_table():
    d = np.array(["higher", "lower", "similar", "not_compared"])
    assert judge(d, "higher_is_better").tolist() == ["better", "worse", "similar", "not_compared"]
    assert judge(d, "lower_is_better").tolist() == ["worse", "better", "similar", "not_compared"]
    assert judge(d, "no_judgement").tolist() == ["higher", "lower", "similar", "not_compared"]
    assert judge("higher", "lower_is_better") == "worse"
    with pytest.raises(InputError, match="polarity"):
        judge("higher", "high_is_good")
    with pytest.raises(InputError, match="direction"):
        judge("up", "no_judgement")


def test_overlapping_intervals_against_a_benchmark_value():
    # 65/100 against 50 %: the Wilson interval 55.3-73.6 % lies above, so higher
    lo, up = wilson(65, 100)
    assert compare_intervals(0.65, lo, up, 0.5, "higher_is_better") == "better"
    assert compare_intervals(0.65, lo, up, 0.6, "higher_is_better") == "similar"
    assert compare_intervals(0.65, lo, up, 0.8, "lower_is_better") == "better"
    assert compare_intervals(np.nan, np.nan, np.nan, 0.8) == "not_compared"


def test_overlapping_intervals_against_a_benchmark_with_limits():
    # overlapping intervals are "similar" even when the value lies outside the other interval
    out = compare_intervals(
        [0.30, 0.30],
        [0.25, 0.25],
        [0.35, 0.35],
        [0.40, 0.40],
        "no_judgement",
        benchmark_lower=[0.34, 0.36],
        benchmark_upper=[0.46, 0.44],
    )
    assert out.tolist() == ["similar", "lower"]


def test_control_limit_comparison_vectorised():
    # 895 deaths where 835.884 are expected: above the 95 % limit but within 99.8 %
    out95 = compare_control_limits(895, 835.884, 1.0, "lower_is_better", 0.95, kind="rate")
    out998 = compare_control_limits(895, 835.884, 1.0, "lower_is_better", 0.998, kind="rate")
    assert (out95, out998) == ("worse", "similar")
    res = compare_control_limits(
        [900, 750, 800, 5], [1000, 1000, 1000, 0], 0.80642448, "higher_is_better", 0.998
    )
    assert res.tolist() == ["better", "worse", "similar", "not_compared"]


def test_quintiles_best_is_one_and_ties_share_a_group():
    v = np.array([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, np.nan], dtype=float)
    q = quintiles(v, "higher_is_better")
    assert q[:10].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5] and np.isnan(q[10])
    assert quintiles(v, "lower_is_better")[:10].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert quintiles([5.0, 5.0, 1.0], "lower_is_better").tolist() == [2, 2, 1]
    assert quantiles([3.0, 1.0, 2.0, 4.0], 2, "no_judgement").tolist() == [2, 1, 1, 2]
    with pytest.raises(InputError):
        quantiles([1.0], 0)


values = st.floats(min_value=0.01, max_value=0.99)


@settings(max_examples=100, deadline=None)
@given(v=values, half=st.floats(0.001, 0.3), b=values)
def test_comparison_is_symmetric_under_swapping_polarity(v, half, b):
    good = compare_intervals(v, v - half, v + half, b, "higher_is_better")
    bad = compare_intervals(v, v - half, v + half, b, "lower_is_better")
    swap = {"better": "worse", "worse": "better", "similar": "similar"}
    assert swap[good] == bad
    neutral = compare_intervals(v, v - half, v + half, b, "no_judgement")
    assert {"better": "higher", "worse": "lower", "similar": "similar"}[good] == neutral


@settings(max_examples=100, deadline=None)
@given(x=st.integers(0, 500), n=st.integers(1, 500), b=values)
def test_control_limit_comparison_symmetric_under_swapping_polarity(x, n, b):
    x = min(x, n)
    good = compare_control_limits(x, n, b, "higher_is_better")
    bad = compare_control_limits(x, n, b, "lower_is_better")
    assert {"better": "worse", "worse": "better", "similar": "similar"}[good] == bad


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=40))
def test_quintiles_reverse_with_polarity_when_values_are_distinct(vals):
    v = np.unique(np.array(vals))  # sorted, distinct
    hi = quintiles(v, "higher_is_better")
    lo = quintiles(v, "lower_is_better")
    assert hi.tolist() == lo[::-1].tolist()
    assert hi.tolist() == quintiles(-v, "lower_is_better").tolist()
    assert hi.min() == 1 and hi.max() <= 5
