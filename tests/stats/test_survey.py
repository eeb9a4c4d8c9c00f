"""Survey estimates: plain intervals for unweighted data, Kish and linearised variances."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats as sst

from skillnader.errors import InputError
from skillnader.stats.intervals import mean_ci, wilson
from skillnader.stats.survey import weighted_mean, weighted_proportion

# A small worked example: 12 respondents in 2 strata, 5 PSUs.
Y = np.array([1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1])
V = np.array([3.0, 5.0, 2.0, 8.0, 6.0, 4.0, 7.0, 5.0, 9.0, 1.0, 6.5, 2.5])
W = np.array([1.0, 2.0, 1.0, 3.0, 1.0, 2.0, 1.0, 1.0, 2.0, 1.0, 1.5, 2.5])
STRATA = np.array(["a"] * 6 + ["b"] * 6)
PSU = np.array([1, 1, 2, 2, 2, 3, 1, 1, 2, 2, 3, 3])  # labels restart in each stratum


def hand_linearised(y, w, strata, psu):
    """Ultimate-cluster variance of a weighted mean, written out with dictionaries."""
    total_w = sum(w)
    est = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / total_w
    psu_totals: dict = defaultdict(float)
    for yi, wi, h, j in zip(y, w, strata, psu, strict=True):
        psu_totals[(h, j)] += wi * (yi - est) / total_w
    var = 0.0
    for h in set(strata):
        t = [v for (hh, _), v in psu_totals.items() if hh == h]
        mean_t = sum(t) / len(t)
        var += len(t) / (len(t) - 1) * sum((x - mean_t) ** 2 for x in t)
    return est, var, len(psu_totals) - len(set(strata))


def test_unweighted_proportion_is_the_plain_wilson_interval():
    res = weighted_proportion(Y)
    lo, up = wilson(Y.sum(), Y.size)
    assert res.value == pytest.approx(7 / 12)
    assert (res.lower, res.upper) == pytest.approx((lo, up), rel=1e-12)
    assert res.n_effective == 12 and res.design_effect == 1


def test_unweighted_mean_is_the_plain_t_interval():
    res = weighted_mean(V)
    plain = mean_ci(V)
    assert (res.value, res.lower, res.upper) == pytest.approx(tuple(plain), rel=1e-12)
    assert res.se == pytest.approx(V.std(ddof=1) / np.sqrt(V.size), rel=1e-12)
    assert res.df == 11


def test_weighted_proportion_uses_kish_effective_sample_size():
    res = weighted_proportion(Y, W)
    n_eff = W.sum() ** 2 / (W**2).sum()
    p = (W * Y).sum() / W.sum()
    lo, up = wilson(p * n_eff, n_eff)
    assert res.value == pytest.approx(p)
    assert res.n_effective == pytest.approx(n_eff)
    assert (res.lower, res.upper) == pytest.approx((lo, up), rel=1e-12)
    assert res.design_effect > 1  # unequal weights cost precision


def test_stratified_clustered_mean_matches_hand_computation():
    res = weighted_mean(V, W, strata=STRATA, clusters=PSU)
    est, var, df = hand_linearised(V, W, STRATA, PSU)
    assert df == 4
    assert res.value == pytest.approx(est, rel=1e-12)
    assert res.se == pytest.approx(np.sqrt(var), rel=1e-12)
    t = sst.t.ppf(0.975, df)
    assert res.lower == pytest.approx(est - t * np.sqrt(var), rel=1e-12)
    assert res.df == 4


def test_stratified_clustered_proportion_matches_hand_computation():
    res = weighted_proportion(Y, W, strata=STRATA, clusters=PSU)
    est, var, _ = hand_linearised(Y, W, STRATA, PSU)
    n_eff = est * (1 - est) / var
    lo, up = wilson(est * n_eff, n_eff)
    assert res.se == pytest.approx(np.sqrt(var), rel=1e-12)
    assert (res.lower, res.upper) == pytest.approx((lo, up), rel=1e-12)


def test_cluster_labels_are_nested_in_strata():
    # PSU 1 of stratum a and PSU 1 of stratum b are different PSUs
    relabelled = np.where(STRATA == "b", PSU + 10, PSU)
    a = weighted_mean(V, W, strata=STRATA, clusters=PSU)
    b = weighted_mean(V, W, strata=STRATA, clusters=relabelled)
    assert a.se == pytest.approx(b.se, rel=1e-12)


def test_scaling_the_weights_changes_nothing():
    a = weighted_mean(V, W, strata=STRATA, clusters=PSU)
    b = weighted_mean(V, 7.5 * W, strata=STRATA, clusters=PSU)
    assert (a.value, a.lower, a.upper) == pytest.approx((b.value, b.lower, b.upper), rel=1e-12)


def test_singleton_clusters_equal_no_clusters():
    a = weighted_mean(V, W)
    b = weighted_mean(V, W, clusters=np.arange(V.size))
    assert a.se == pytest.approx(b.se, rel=1e-12)


def test_missing_values_and_zero_weights_are_dropped():
    v = np.append(V, [np.nan, 100.0])
    w = np.append(W, [1.0, 0.0])
    assert weighted_mean(v, w).value == pytest.approx(weighted_mean(V, W).value)


def test_input_errors():
    with pytest.raises(InputError, match="0/1"):
        weighted_proportion(V)
    with pytest.raises(InputError, match="different lengths"):
        weighted_mean(V, W[:-1])
    with pytest.raises(InputError, match="non-negative"):
        weighted_mean(V, -W)


def test_a_stratum_with_one_psu_adds_no_variance():
    # stratum "c" has a single PSU: it shifts the estimate but carries no variance information
    v = np.append(V, [4.0, 6.0])
    w = np.append(W, [1.0, 1.0])
    strata = np.append(STRATA, ["c", "c"])
    psu = np.append(PSU, [1, 1])
    res = weighted_mean(v, w, strata=strata, clusters=psu)
    est = (w * v).sum() / w.sum()
    u = w * (v - est) / w.sum()
    var = 0.0
    for h in ("a", "b"):
        totals = np.array(
            [u[(strata == h) & (psu == j)].sum() for j in np.unique(psu[strata == h])]
        )
        var += len(totals) / (len(totals) - 1) * ((totals - totals.mean()) ** 2).sum()
    assert res.se == pytest.approx(np.sqrt(var), rel=1e-12)
    assert res.df == 7 - 3  # 7 PSUs in 3 strata


def test_clustered_mean_agrees_with_statsmodels_cluster_robust_wls():
    # With one stratum the ultimate-cluster variance of a weighted mean equals the
    # cluster-robust (sandwich) variance of an intercept-only WLS fit with the G / (G - 1)
    # small-sample factor, which statsmodels applies by default.
    clusters = np.unique(np.char.add(STRATA, PSU.astype(str)), return_inverse=True)[1]
    ref = sm.WLS(V, np.ones_like(V), weights=W).fit(
        cov_type="cluster", cov_kwds={"groups": clusters}
    )
    res = weighted_mean(V, W, clusters=clusters)
    assert res.value == pytest.approx(ref.params[0], rel=1e-12)
    assert res.se == pytest.approx(ref.bse[0], rel=1e-10)
    assert res.df == 5  # 6 PSUs, 1 stratum
