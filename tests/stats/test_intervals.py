"""Confidence intervals: published PHEindicatormethods values and independent cross-checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sst
from statsmodels.stats.proportion import proportion_confint

from skillnader.errors import InputError
from skillnader.stats.intervals import (
    Estimate,
    byar,
    exact_poisson,
    mean_ci,
    median_ci,
    proportion,
    rate,
    wilson,
    z_value,
)


def rounds_to(actual: float, published: str) -> bool:
    """True when ``actual`` rounded to the published number of decimals is the published value."""
    decimals = len(published.split(".")[1])
    return round(actual, decimals) == float(published)


# --- Wilson ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "conf", "lower", "upper"),
    [
        (65, 100, 0.95, "0.5525444", "0.7363575"),
        (65, 100, 0.998, "0.4954947", "0.7783541"),
        (1045, 5000, 0.95, "0.1979555", "0.2204913"),
    ],
)
def test_wilson_reproduces_published_values(x, n, conf, lower, upper):
    lo, up = wilson(x, n, conf)
    assert rounds_to(lo, lower) and rounds_to(up, upper), (lo, up)


def test_wilson_agrees_with_statsmodels_over_a_grid():
    x = np.array([0, 1, 3, 17, 50, 99, 100, 250, 4999, 5000])
    n = np.array([100, 100, 100, 100, 100, 100, 100, 1000, 5000, 5000])
    for conf in (0.9, 0.95, 0.998):
        lo, up = wilson(x, n, conf)
        ref_lo, ref_up = proportion_confint(x, n, alpha=1 - conf, method="wilson")
        np.testing.assert_allclose(lo, ref_lo, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(up, ref_up, rtol=1e-10, atol=1e-14)


def test_wilson_edges():
    assert wilson(0, 50)[0] == 0.0
    assert wilson(50, 50)[1] == 1.0
    lo, up = wilson(0, 0)
    assert np.isnan(lo) and np.isnan(up)
    with pytest.raises(InputError, match="numerator larger"):
        wilson(11, 10)
    with pytest.raises(InputError, match="negative"):
        wilson(-1, 10)
    with pytest.raises(InputError, match="between 0 and 1"):
        wilson(5, 10, confidence=95)


def test_scalars_give_floats_and_arrays_give_arrays():
    lo, up = wilson(65, 100)
    assert type(lo) is float and type(up) is float
    lo, up = wilson([65, 1045], [100, 5000])
    assert isinstance(lo, np.ndarray) and lo.shape == (2,)


def test_proportion_estimate_as_percentage():
    est = proportion(65, 100, per=100)
    assert isinstance(est, Estimate)
    value, lower, upper = est
    assert value == 65.0
    assert rounds_to(lower, "55.25444") and rounds_to(upper, "73.63575")
    assert est.method == "Wilson" and est.confidence == 0.95
    nan_est = proportion(0, 0)
    assert np.isnan(nan_est.value) and "undefined" in nan_est.note
    assert nan_est.as_dict()["value"] is None  # JSON has no NaN
    vec = proportion([1, 0], [4, 0]).as_dict()
    assert vec["value"] == [0.25, None] and vec["method"] == "Wilson"


# --- Byar and exact Poisson -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "conf", "lower", "upper"),
    [
        (65, 0.95, "50.16319", "82.84914"),
        (1045, 0.95, "982.5932", "1110.3312"),
        (65, 0.998, "42.8803", "94.0003"),
    ],
)
def test_byar_reproduces_published_values(x, conf, lower, upper):
    lo, up = byar(x, conf)
    assert rounds_to(lo, lower) and rounds_to(up, upper), (lo, up)


def test_exact_poisson_agrees_with_gamma_quantiles():
    x = np.array([1, 2, 5, 9, 10, 65, 400])
    for conf in (0.95, 0.998):
        a = 1 - conf
        lo, up = exact_poisson(x, conf)
        np.testing.assert_allclose(lo, sst.gamma.ppf(a / 2, x), rtol=1e-10)
        np.testing.assert_allclose(up, sst.gamma.ppf(1 - a / 2, x + 1), rtol=1e-10)
    assert exact_poisson(0)[0] == 0.0
    assert exact_poisson(0)[1] == pytest.approx(-np.log(0.025), rel=1e-10)


def test_byar_switches_to_exact_below_ten_events():
    lo9, up9 = byar(9)
    assert (lo9, up9) == exact_poisson(9)
    lo10, _ = byar(10)
    assert lo10 != exact_poisson(10)[0]
    z = z_value(0.95)
    assert lo10 == pytest.approx(10 * (1 - 1 / 90 - z / (3 * np.sqrt(10))) ** 3, rel=1e-12)
    with pytest.raises(InputError):
        byar(-1)


def test_rate_per_100000():
    value, lower, upper = rate(65, 250_000)
    assert value == pytest.approx(26.0)
    assert lower == pytest.approx(50.16319 / 2.5, rel=1e-6)
    assert upper == pytest.approx(82.84914 / 2.5, rel=1e-6)
    assert np.isnan(rate(3, 0).value)


# --- means and medians -----------------------------------------------------------------------


def test_mean_ci_from_values_and_from_summaries_agree_with_scipy():
    v = np.array([4.1, 5.3, 2.2, 8.0, 6.5, 4.4, 7.1, 5.0, 9.2, 1.3])
    est = mean_ci(v, 0.95)
    ref = sst.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=sst.sem(v))
    assert est.lower == pytest.approx(ref[0], rel=1e-12)
    assert est.upper == pytest.approx(ref[1], rel=1e-12)
    summ = mean_ci(mean=[v.mean(), 10.0], sd=[v.std(ddof=1), 2.0], n=[10, 1])
    assert summ.lower[0] == pytest.approx(ref[0], rel=1e-12)
    assert np.isnan(summ.lower[1]) and summ.note


def test_median_ci_order_statistics_match_conover_table():
    # Conover (1999) / Campbell & Gardner (1988) table: n = 20 at 95 % uses the 6th and 15th
    # order statistics; n = 10 uses the 2nd and 9th.
    est = median_ci(np.arange(1, 21) * 1.0)
    assert (est.value, est.lower, est.upper) == (10.5, 6.0, 15.0)
    est10 = median_ci(np.arange(1, 11) * 1.0)
    assert (est10.lower, est10.upper) == (2.0, 9.0)
    too_few = median_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    assert np.isnan(too_few.lower) and "too few" in too_few.note


def test_median_ci_coverage_is_at_least_the_level():
    for n in (6, 11, 30, 101):
        v = np.arange(n, dtype=float)
        est = median_ci(v, 0.95)
        r = int(est.lower) + 1
        coverage = 1 - 2 * sst.binom.cdf(r - 1, n, 0.5)
        assert coverage >= 0.95
        # and the next narrower interval would fall below the level
        assert 1 - 2 * sst.binom.cdf(r, n, 0.5) < 0.95


# --- properties -------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=20_000)


@settings(max_examples=150, deadline=None)
@given(n=st.integers(min_value=1, max_value=20_000), frac=st.floats(0, 1))
def test_wilson_contains_estimate_and_widens_with_level(n, frac):
    x = round(frac * n)
    lo95, up95 = wilson(x, n, 0.95)
    lo998, up998 = wilson(x, n, 0.998)
    p = x / n
    assert lo95 <= p + 1e-12 and p <= up95 + 1e-12
    assert lo998 <= lo95 + 1e-12 and up998 >= up95 - 1e-12
    assert lo998 >= 0.0 and up998 <= 1.0


@settings(max_examples=100, deadline=None)
@given(x=st.integers(min_value=1, max_value=50), n=st.integers(min_value=1, max_value=50))
def test_wilson_shrinks_as_n_grows_with_fixed_proportion(x, n):
    if x > n:
        x, n = n, x
    lo1, up1 = wilson(x, n)
    lo4, up4 = wilson(4 * x, 4 * n)
    assert up4 - lo4 < up1 - lo1


@settings(max_examples=150, deadline=None)
@given(x=counts)
def test_byar_contains_count_and_widens_with_level(x):
    lo95, up95 = byar(x, 0.95)
    lo998, up998 = byar(x, 0.998)
    assert lo95 <= x <= up95
    assert lo998 <= lo95 and up998 >= up95


def test_z_value_is_scipy_normal_quantile_to_the_bit():
    """``z_value`` evaluates ``scipy.special.ndtri`` (so that the Wilson interval does not
    import scipy.stats); it must be exactly ``scipy.stats.norm.ppf``."""
    from scipy import stats as st

    from skillnader.stats.intervals import _Z_USUAL, z_value

    levels = (0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.998, 0.999, 0.12345)
    assert set(_Z_USUAL) <= set(levels)
    for c in levels:
        assert z_value(c) == float(st.norm.ppf(0.5 + c / 2))


def test_wilson_at_a_usual_level_imports_no_scipy():
    import subprocess
    import sys

    code = (
        "import sys; from skillnader.stats.intervals import wilson; wilson(3, 10); "
        "print(any(m.startswith('scipy') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
