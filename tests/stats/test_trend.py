"""Weighted slope, the recent-trend marker and the two-period difference test."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sst

from skillnader.errors import InputError
from skillnader.stats.trend import (
    difference_test,
    se_from_counts,
    se_from_limits,
    trend_marker,
    weighted_slope,
)

YEARS = np.arange(2016, 2021)


def test_weighted_slope_matches_statsmodels_wls_with_known_variances():
    x = np.array([2014, 2015, 2016, 2017, 2018, 2019, 2020], dtype=float)
    y = np.array([12.1, 12.9, 13.2, 14.8, 14.1, 15.6, 16.2])
    se = np.array([0.4, 0.5, 0.3, 0.6, 0.4, 0.5, 0.45])
    fit = weighted_slope(x, y, se)
    ref = sm.WLS(y, sm.add_constant(x), weights=1 / se**2).fit(cov_type="fixed scale")
    assert fit.slope == pytest.approx(ref.params[1], rel=1e-10)
    assert fit.intercept == pytest.approx(ref.params[0], rel=1e-8)
    assert fit.se == pytest.approx(ref.bse[1], rel=1e-10)
    assert fit.chi2 == pytest.approx((ref.params[1] / ref.bse[1]) ** 2, rel=1e-10)
    assert fit.p_value == pytest.approx(sst.chi2.sf(fit.chi2, 1))


def test_thresholds_are_the_chi_squared_quantiles():
    r998 = trend_marker(YEARS, [1, 2, 3, 4, 5], [1, 1, 1, 1, 1])
    r95 = trend_marker(YEARS, [1, 2, 3, 4, 5], [1, 1, 1, 1, 1], confidence=0.95)
    assert round(r998.threshold, 4) == 9.5495
    assert round(r95.threshold, 4) == 3.8415


def test_significant_increase_and_polarity():
    r = trend_marker(YEARS, [10, 11, 12, 13, 14], [0.2] * 5, polarity="lower_is_better")
    assert (r.marker, r.assessment) == ("increasing", "worsening")
    assert r.slope == pytest.approx(1.0) and r.chi2 == pytest.approx(250.0)
    r = trend_marker(YEARS, [14, 13, 12, 11, 10], [0.2] * 5, polarity="lower_is_better")
    assert (r.marker, r.assessment) == ("decreasing", "improving")
    r = trend_marker(YEARS, [14, 13, 12, 11, 10], [0.2] * 5)
    assert (r.marker, r.assessment) == ("decreasing", None)


def test_chi2_between_the_two_thresholds():
    # slope 0.3 a year, SE 0.4 at each of 5 points: chi2 = 0.3^2 * 10 / 0.4^2 = 5.625
    y = [10.0, 10.3, 10.6, 10.9, 11.2]
    se = [0.4] * 5
    r95 = trend_marker(YEARS, y, se, confidence=0.95)
    r998 = trend_marker(YEARS, y, se)
    assert r95.chi2 == pytest.approx(5.625)
    assert (r95.marker, r998.marker) == ("increasing", "no_significant_change")
    assert "does not exceed 9.5495" in r998.reason


def test_leave_one_out_rule_blocks_a_single_jump():
    r = trend_marker(YEARS, [10, 10, 10, 10, 14], [0.2] * 5)
    assert r.chi2 > 9.5495
    assert r.marker == "no_significant_change"
    assert "2020" in r.reason


def test_only_the_last_five_points_count_and_missing_points_are_skipped():
    years = np.arange(2010, 2021)
    vals = np.array([50, 40, 30, 20, 10, np.nan, 10, 11, 12, 13, 14], dtype=float)
    r = trend_marker(years, vals, np.full(11, 0.2))
    assert r.periods == (2016.0, 2017.0, 2018.0, 2019.0, 2020.0)
    assert r.marker == "increasing"


def test_cannot_be_calculated():
    r = trend_marker(YEARS[:4], [1, 2, 3, 4], [1, 1, 1, 1])
    assert r.marker == "cannot_be_calculated" and "needs 5" in r.reason
    r = trend_marker(YEARS, [0, 1, 2, 3, 4], counts=[0, 1, 2, 3, 4], denominators=[100] * 5)
    assert r.marker == "cannot_be_calculated" and "zero" in r.reason
    with pytest.raises(InputError, match="exactly one source"):
        trend_marker(YEARS, [1, 2, 3, 4, 5])
    with pytest.raises(InputError, match="twice"):
        trend_marker([1, 1, 2, 3, 4], [1, 2, 3, 4, 5], [1] * 5)


def test_standard_errors_from_limits_and_counts():
    lo, up = 10 - 1.959964 * 0.5, 10 + 1.959964 * 0.5
    assert se_from_limits(lo, up) == pytest.approx(0.5, rel=1e-6)
    assert se_from_counts(25, 100, per=100) == pytest.approx(100 * np.sqrt(0.25 * 0.75 / 100))
    assert se_from_counts(400, 1e6, "rate", per=1e5) == pytest.approx(2.0)
    via_limits = trend_marker(
        YEARS,
        [10, 11, 12, 13, 14],
        lower=np.arange(10, 15) - 0.392,
        upper=np.arange(10, 15) + 0.392,
    )
    assert via_limits.chi2 == pytest.approx(250.0, rel=1e-4)


@settings(max_examples=80, deadline=None)
@given(
    ys=st.lists(st.floats(-100, 100), min_size=5, max_size=5),
    ses=st.lists(st.floats(0.1, 10), min_size=5, max_size=5),
    c=st.floats(-1000, 1000),
)
def test_marker_is_invariant_to_adding_a_constant(ys, ses, c):
    a = trend_marker(YEARS, ys, ses)
    b = trend_marker(YEARS, np.array(ys) + c, ses)
    assert a.slope == pytest.approx(b.slope, rel=1e-6, abs=1e-6)
    if abs(a.chi2 - a.threshold) > 1e-6 * max(1, a.chi2):
        assert a.marker == b.marker


@settings(max_examples=50, deadline=None)
@given(ys=st.lists(st.floats(-100, 100), min_size=5, max_size=5))
def test_polarity_swap_swaps_assessment(ys):
    a = trend_marker(YEARS, ys, [1] * 5, polarity="higher_is_better")
    b = trend_marker(YEARS, ys, [1] * 5, polarity="lower_is_better")
    swap = {"improving": "worsening", "worsening": "improving", None: None}
    assert swap[a.assessment] == b.assessment


def test_difference_test():
    r = difference_test(10.0, 1.0, 14.0, 1.0)
    assert r.difference == 4.0 and r.se == pytest.approx(np.sqrt(2))
    assert r.p_value == pytest.approx(2 * sst.norm.sf(4 / np.sqrt(2)))
    assert r.direction == "increase" and r.significant is True
    assert r.lower == pytest.approx(4 - 1.959964 * np.sqrt(2), rel=1e-6)
    v = difference_test([10, 10, 10], [1, 0, 1], [11, 12, np.nan], [1, 0, 1])
    assert v.direction.tolist() == ["no_significant_change", "not_tested", "not_tested"]
    assert difference_test(5, 0.1, 4, 0.1, confidence=0.998).direction == "decrease"
