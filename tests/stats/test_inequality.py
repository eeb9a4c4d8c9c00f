"""Tests for skillnader.stats.inequality against published values and independent computations."""

from __future__ import annotations

import numpy as np
import pytest

from skillnader.errors import MethodError
from skillnader.stats import inequality as iq
from skillnader.stats.intervals import wilson

# Mexico, per-capita GDP by state, 1940 (PySAL example data "mexico", 32 states) and the Hanson
# (1998) regional classification of the states; both as shipped with libpysal.
MEXICO_1940 = [
    10384, 22361, 9573, 3758, 2934, 8578, 8537, 6909, 17816, 12132, 4359, 2181, 4414, 5309,
    3408, 3327, 6936, 4836, 9073, 1892, 3569, 11016, 21965, 4372, 4840, 6399, 2459, 7508, 3605,
    5203, 7990, 3734,
]  # fmt: skip
HANSON98 = [
    2, 1, 2, 5, 5, 1, 1, 3, 4, 2, 3, 5, 3, 3, 4, 3, 3, 2, 1, 5, 3, 3, 5, 2, 2, 1, 5, 1, 3, 3,
    5, 2,
]  # fmt: skip


def _mexico_from_libpysal():
    libpysal = pytest.importorskip("libpysal")
    f = libpysal.io.open(libpysal.examples.get_path("mexico.csv"))
    return np.array(f.by_col["pcgdp1940"]), np.array(f.by_col["hanson98"])


def test_embedded_mexico_data_matches_libpysal_copy():
    y, r = _mexico_from_libpysal()
    np.testing.assert_array_equal(y, MEXICO_1940)
    np.testing.assert_array_equal(r, HANSON98)


# ------------------------------------------------------------------------------------ Gini


def test_gini_mexico_1940_published_value():
    # PySAL inequality test suite / docs: Gini of Mexico 1940 = 0.35372371
    assert iq.gini(MEXICO_1940) == pytest.approx(0.35372371, abs=5e-9)


def test_gini_unweighted_equals_pysal_on_random_inputs():
    gini_mod = pytest.importorskip("inequality.gini")
    rng = np.random.default_rng(7)
    for n in (2, 3, 17, 200):
        x = rng.lognormal(3, 1, n)
        assert iq.gini(x) == pytest.approx(gini_mod.Gini(x).g, rel=1e-12)


def test_gini_weighted_equals_gini_of_expanded_population():
    rng = np.random.default_rng(3)
    x = rng.gamma(2.0, 10.0, 25)
    w = rng.integers(1, 40, 25)
    assert iq.gini(x, w) == pytest.approx(iq.gini(np.repeat(x, w)), rel=1e-12)


def test_gini_hand_example_and_limits():
    # two areas, values 1 and 3: sum|xi-xj| over ordered pairs = 4, 2 n^2 mean = 2*4*2 = 16
    assert iq.gini([1, 3]) == pytest.approx(0.25)
    assert iq.gini([5, 5, 5]) == 0.0
    with pytest.raises(MethodError, match="at least 2"):
        iq.gini([4])
    with pytest.raises(MethodError, match="non-negative"):
        iq.gini([1, -2, 3])
    with pytest.raises(MethodError, match="positive mean"):
        iq.gini([0, 0, 0])


# ------------------------------------------------------------------------------------ Theil


def test_theil_mexico_1940_published_values():
    res = iq.theil(MEXICO_1940, groups=HANSON98)
    assert res.total == pytest.approx(0.20894344, abs=5e-9)
    assert res.between == pytest.approx(0.0345889, abs=5e-8)
    # PySAL's documented within-group part for 1940
    assert res.within == pytest.approx(0.17435454, abs=5e-9)
    assert res.between + res.within == pytest.approx(res.total, abs=1e-15)
    assert res.group_labels == (1, 2, 3, 4, 5)


def test_theil_unweighted_equals_pysal_on_random_inputs():
    theil_mod = pytest.importorskip("inequality.theil")
    rng = np.random.default_rng(11)
    x = rng.lognormal(2, 0.7, 60)
    g = rng.integers(0, 4, 60)
    res = iq.theil(x, groups=g)
    ref = theil_mod.TheilD(x, g)
    assert res.total == pytest.approx(float(ref.T), rel=1e-12)
    assert res.between == pytest.approx(float(np.squeeze(ref.bg)), rel=1e-10)


def test_theil_weighted_equals_expanded_population_and_decomposes():
    rng = np.random.default_rng(5)
    x = rng.lognormal(5, 0.5, 30)
    w = rng.integers(1, 50, 30)
    g = rng.integers(0, 3, 30)
    res = iq.theil(x, w, g)
    expanded = iq.theil(np.repeat(x, w), groups=np.repeat(g, w))
    assert res.weighted
    assert res.total == pytest.approx(expanded.total, rel=1e-12)
    assert res.between == pytest.approx(expanded.between, rel=1e-12)
    assert res.between + res.within == pytest.approx(res.total, rel=1e-12)
    # income shares sum to one
    assert sum(res.group_weight) == pytest.approx(1.0)


def test_theil_two_groups_hand_example():
    # two equal-sized areas with 1 and 3: s = (1/4, 3/4), p = (1/2, 1/2)
    expected = 0.25 * np.log(0.5) + 0.75 * np.log(1.5)
    assert iq.theil([1, 3]).total == pytest.approx(expected)
    # MLD: mean 2, L = (ln 2 + ln(2/3)) / 2
    assert iq.mean_log_deviation([1, 3]).total == pytest.approx(0.5 * np.log(4 / 3))


def test_mean_log_deviation_decomposition_and_weighting():
    rng = np.random.default_rng(9)
    x = rng.lognormal(1, 0.4, 40)
    w = rng.integers(1, 30, 40)
    g = rng.integers(0, 5, 40)
    res = iq.mean_log_deviation(x, w, g)
    assert res.between + res.within == pytest.approx(res.total, rel=1e-12)
    expanded = iq.mean_log_deviation(np.repeat(x, w), groups=np.repeat(g, w))
    assert res.total == pytest.approx(expanded.total, rel=1e-12)
    assert res.between == pytest.approx(expanded.between, rel=1e-12)
    # between = sum_g P_g ln(m / m_g)
    m = np.average(x, weights=w)
    direct = sum(
        w[g == k].sum() / w.sum() * np.log(m / np.average(x[g == k], weights=w[g == k]))
        for k in np.unique(g)
    )
    assert res.between == pytest.approx(direct, rel=1e-12)


def test_log_measures_refuse_zeros():
    with pytest.raises(MethodError, match="strictly positive"):
        iq.theil([0.0, 2.0, 3.0])
    with pytest.raises(MethodError, match="strictly positive"):
        iq.mean_log_deviation([1.0, -2.0, 3.0])
    with pytest.raises(MethodError, match="missing"):
        iq.theil([1.0, np.nan, 3.0])


# ------------------------------------------------------------------------------------ spreads


def test_range_and_ratio_of_extremes():
    r = iq.range_([4.0, 9.5, 2.5, 7.0])
    assert (r.value, r.high, r.low, r.high_index, r.low_index) == (7.0, 9.5, 2.5, 1, 2)
    q = iq.ratio_extremes([4.0, 9.5, 2.5, 7.0])
    assert q.value == pytest.approx(3.8)
    with pytest.raises(MethodError, match="at least 2"):
        iq.range_([3.0])
    with pytest.raises(MethodError, match="strictly positive"):
        iq.ratio_extremes([0.0, 3.0, 4.0])


def test_weighted_percentile_is_hazen_when_unweighted():
    rng = np.random.default_rng(2)
    x = rng.normal(10, 3, 23)
    q = [0, 5, 10, 37.5, 50, 90, 100]
    np.testing.assert_allclose(
        iq.weighted_percentile(x, q), np.percentile(x, q, method="hazen"), rtol=1e-12
    )


def test_weighted_percentile_by_hand():
    # populations 1, 1, 2: midpoints at 1/8, 3/8, 3/4 of the cumulative population
    v = [10.0, 20.0, 40.0]
    w = [1, 1, 2]
    assert iq.weighted_percentile(v, 50, w) == pytest.approx(20 + (0.5 - 0.375) / 0.375 * 20)
    assert iq.weighted_percentile(v, 10, w) == pytest.approx(10.0)  # clamped below 1/8
    assert iq.weighted_percentile(v, 90, w) == pytest.approx(40.0)  # clamped above 3/4


def test_ratio_p90_p10():
    v = np.arange(1.0, 11.0)  # 10 areas, Hazen: p10 = 1.5, p90 = 9.5
    r = iq.ratio_p90_p10(v)
    assert (r.high, r.low) == (pytest.approx(9.5), pytest.approx(1.5))
    assert r.value == pytest.approx(9.5 / 1.5)
    weighted = iq.ratio_p90_p10(v, weights=np.r_[100.0, np.ones(9)])
    # the lowest area holds most of the population, so the weighted p10 is that area's value
    assert weighted.low == pytest.approx(1.0) and weighted.weighted
    with pytest.raises(MethodError, match="at least 5"):
        iq.ratio_p90_p10([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(MethodError, match="positive 10th percentile"):
        iq.ratio_p90_p10([0.0, 0.0, 0.0, 1.0, 2.0, 3.0])


def test_coefficient_of_variation():
    v = [2.0, 4.0, 6.0]
    assert iq.coefficient_of_variation(v).value == pytest.approx(2.0 / 4.0)  # sd(ddof=1) = 2
    w = [1, 1, 2]
    m = (2 + 4 + 12) / 4
    sd = np.sqrt((1 * (2 - m) ** 2 + 1 * (4 - m) ** 2 + 2 * (6 - m) ** 2) / 4)
    assert iq.coefficient_of_variation(v, w).value == pytest.approx(sd / m)
    with pytest.raises(MethodError, match="positive mean"):
        iq.coefficient_of_variation([-1.0, 1.0])


# ------------------------------------------------------------------------------------ MOVER


def _wilson(x, n):
    lower, upper = wilson(x, n, 0.95)
    return np.asarray(x) / np.asarray(n), lower, upper


@pytest.mark.parametrize(
    ("a", "b", "lower", "upper"),
    [
        # Newcombe (1998), Stat Med 17:873-890, Table II, method 10 (Wilson-based MOVER)
        ((56, 70), (48, 80), 0.0524, 0.3339),
        ((9, 10), (3, 10), 0.1705, 0.8090),
    ],
)
def test_absolute_gap_reproduces_newcombe_method_10(a, b, lower, upper):
    g = iq.absolute_gap(*_wilson(*a), *_wilson(*b))
    assert g.value == pytest.approx(a[0] / a[1] - b[0] / b[1])
    assert round(g.lower, 4) == lower
    assert round(g.upper, 4) == upper


def test_absolute_gap_is_vectorised():
    p1 = _wilson(np.array([56, 9]), np.array([70, 10]))
    p2 = _wilson(np.array([48, 3]), np.array([80, 10]))
    g = iq.absolute_gap(*p1, *p2)
    np.testing.assert_allclose(np.round(g.lower, 4), [0.0524, 0.1705])


def test_relative_gap_equals_classical_log_interval_for_log_symmetric_inputs():
    z = 1.959963984540054
    r1, s1, r2, s2 = 120.0, 0.08, 80.0, 0.11
    g = iq.relative_gap(
        r1, r1 * np.exp(-z * s1), r1 * np.exp(z * s1), r2, r2 * np.exp(-z * s2), r2 * np.exp(z * s2)
    )
    half = z * np.hypot(s1, s2)
    assert g.value == pytest.approx(1.5)
    assert g.lower == pytest.approx(1.5 * np.exp(-half))
    assert g.upper == pytest.approx(1.5 * np.exp(half))


def test_relative_gap_refuses_zero_lower_limit():
    with pytest.raises(MethodError, match="strictly positive"):
        iq.relative_gap(0.1, 0.0, 0.3, 0.2, 0.1, 0.3)
    with pytest.raises(MethodError, match="within its own interval"):
        iq.absolute_gap(0.5, 0.6, 0.7, 0.2, 0.1, 0.3)


# ------------------------------------------------------------------------------------ SII / RII

# The example data of PHEindicatormethods' phe_sii documentation (R/SII_function.R, roxygen
# example): life expectancy by decile, decile 1 = most deprived, in two areas.
PHE_POP = [
    [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534],
    [21675, 20065, 19750, 24713, 20112, 19618, 22408, 19752, 18939, 19312],
]
PHE_VALUE = [
    [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3],
    [70.5, 71.6, 72.5, 73.5, 73.1, 76.2, 78.7, 80.6, 80.9, 80.0],
]
PHE_SE = [
    [1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57],
    [0.23, 0.26, 0.3, 0.16, 0.79, 0.78, 0.4, 0.28, 0.23, 0.35],
]


def _phe_regression(pop, value):
    """phe_sii's own formulation: lm(sqrt(a) * y ~ sqrt(a) + x * sqrt(a) - 1), solved by OLS."""
    sm = pytest.importorskip("statsmodels.api")
    a = np.asarray(pop, float) / np.sum(pop)
    x = np.cumsum(a) - a / 2
    design = np.column_stack([np.sqrt(a), x * np.sqrt(a)])
    fit = sm.OLS(np.sqrt(a) * np.asarray(value), design).fit()
    return fit.params  # intercept, slope


@pytest.mark.parametrize("area", [0, 1])
def test_sii_rii_matches_phe_regression_on_package_example(area):
    a, b = _phe_regression(PHE_POP[area], PHE_VALUE[area])
    res = iq.sii_rii(PHE_VALUE[area], PHE_POP[area], se=PHE_SE[area], reps=2000, seed=1)
    assert res.sii == pytest.approx(b, rel=1e-10)
    assert res.rii == pytest.approx((a + b) / a, rel=1e-10)
    assert res.intercept == pytest.approx(a, rel=1e-10)


def test_sii_rii_area1_values_to_six_significant_digits():
    # derived by hand (WLS with population-share weights) and cross-checked with statsmodels above
    res = iq.sii_rii(PHE_VALUE[0], PHE_POP[0], se=PHE_SE[0], reps=2000, seed=1)
    assert res.sii == pytest.approx(7.000235, abs=5e-7)
    assert res.rii == pytest.approx(1.089710, abs=5e-7)


def test_sii_exact_line_with_equal_populations():
    # y = 70 + 10 x exactly at the deciles' midpoints -> SII 10, RII 80/70
    x = (np.arange(10) + 0.5) / 10
    res = iq.sii_rii(70 + 10 * x, np.full(10, 500), se=np.full(10, 0.5), reps=1000, seed=0)
    assert res.sii == pytest.approx(10.0)
    assert res.rii == pytest.approx(80 / 70)
    np.testing.assert_allclose(res.x, x)


def test_sii_rank_by_orders_groups_and_direction_is_explicit():
    rng = np.random.default_rng(4)
    pop = rng.integers(1000, 5000, 8)
    value = np.linspace(60, 75, 8) + rng.normal(0, 0.5, 8)
    se = np.full(8, 0.4)
    base = iq.sii_rii(value, pop, se=se, reps=1000, seed=1)
    perm = rng.permutation(8)
    # a deprivation index: high = deprived, so the reversed position is the score
    score = (8 - np.arange(8))[perm]
    shuffled = iq.sii_rii(
        value[perm], pop[perm], se=se, rank_by=score, deprived_end="high", reps=1000, seed=1
    )
    assert shuffled.sii == pytest.approx(base.sii)
    assert shuffled.rii == pytest.approx(base.rii)
    np.testing.assert_array_equal(perm[shuffled.order], np.arange(8))
    # the same scores read as "low is deprived" reverse the scale and the sign of the SII
    flipped = iq.sii_rii(value[perm], pop[perm], se=se, rank_by=score, reps=1000, seed=1)
    assert flipped.sii < 0 < base.sii
    assert base.deprived_worse is None
    assert iq.sii_rii(value, pop, se=se, reps=1000, higher_is_better=True).deprived_worse


def test_sii_simulated_interval_matches_analytic_wls_variance():
    # For normal errors the simulated SII is exactly normal with variance sum c_i^2 se_i^2
    pop = np.asarray(PHE_POP[1], float)
    se = np.asarray(PHE_SE[1])
    res = iq.sii_rii(PHE_VALUE[1], pop, se=se, reps=100_000, seed=20261122)
    a = pop / pop.sum()
    x = np.cumsum(a) - a / 2
    xm = np.dot(a, x)
    c = a * (x - xm) / np.dot(a, (x - xm) ** 2)
    half = 1.959963984540054 * np.sqrt(np.sum(c**2 * se**2))
    assert res.sii_lower == pytest.approx(res.sii - half, abs=0.02 * half)
    assert res.sii_upper == pytest.approx(res.sii + half, abs=0.02 * half)
    assert res.rii_lower < res.rii < res.rii_upper


def test_sii_reproducible_with_seed_and_limits_from_confidence_limits():
    lo = np.asarray(PHE_VALUE[0]) - 1.959963984540054 * np.asarray(PHE_SE[0])
    hi = np.asarray(PHE_VALUE[0]) + 1.959963984540054 * np.asarray(PHE_SE[0])
    r1 = iq.sii_rii(PHE_VALUE[0], PHE_POP[0], lo, hi, reps=5000, seed=5)
    r2 = iq.sii_rii(PHE_VALUE[0], PHE_POP[0], se=PHE_SE[0], reps=5000, seed=5)
    assert r1.sii_lower == pytest.approx(r2.sii_lower, rel=1e-9)
    assert r1.rii_upper == pytest.approx(r2.rii_upper, rel=1e-9)


def test_sii_log_transform_simulation_is_centred_for_rates():
    rates = np.array([900.0, 820, 760, 700, 650])
    pop = np.full(5, 10_000)
    lo, hi = rates * np.exp(-0.1), rates * np.exp(0.1)
    res = iq.sii_rii(rates, pop, lo, hi, transform="log", reps=20_000, seed=3)
    assert res.sii_lower < res.sii < res.sii_upper
    with pytest.raises(MethodError, match="transformed"):
        iq.sii_rii(np.r_[0.0, rates[1:]], pop, lo, hi, transform="log", reps=1000)


def test_sii_refuses_unsuitable_inputs():
    with pytest.raises(MethodError, match="between 5 and 100"):
        iq.sii_rii([1, 2, 3, 4], [1, 1, 1, 1], se=[1, 1, 1, 1])
    with pytest.raises(MethodError, match="positive population"):
        iq.sii_rii([1, 2, 3, 4, 5], [1, 0, 1, 1, 1], se=[1] * 5)
    with pytest.raises(MethodError, match="se or both"):
        iq.sii_rii([1, 2, 3, 4, 5], [1] * 5)
    with pytest.raises(MethodError, match="non-negative"):
        iq.sii_rii([1, 2, 3, 4, 5], [1] * 5, se=[1, -1, 1, 1, 1])


def test_areas_without_population_are_dropped_from_entropy_measures():
    v, w, g = [1.0, 2.0, 3.0, 4.0], [1, 0, 2, 3], ["a", "b", "a", "b"]
    for fn in (iq.theil, iq.mean_log_deviation):
        res = fn(v, w, g)
        ref = fn([1.0, 3.0, 4.0], [1, 2, 3], ["a", "a", "b"])
        assert (res.total, res.between) == (pytest.approx(ref.total), pytest.approx(ref.between))
        assert res.group_index[1] == 0.0  # group b has one populated area left
