"""Summary measures of inequality between areas and between population groups.

Three families live here:

* **Between areas**, one value per area: :func:`range_`, :func:`ratio_extremes`,
  :func:`ratio_p90_p10`, :func:`coefficient_of_variation`, :func:`gini`, :func:`theil` and
  :func:`mean_log_deviation` (the last two with a between/within decomposition over groups of
  areas, e.g. districts into innerstad / Söderort / Västerort).
* **Between two named groups** (women/men, born abroad/born in Sweden): :func:`absolute_gap` and
  :func:`relative_gap`, with MOVER confidence intervals built from each group's own interval.
* **Along a social gradient**: :func:`sii_rii`, the slope and relative index of inequality as
  computed by PHEindicatormethods' ``phe_sii``.

Convention for methods that cannot be applied
--------------------------------------------
These are whole-set summaries, so by the package's convention (:mod:`skillnader.stats`) every
function in this module **raises** :class:`skillnader.errors.MethodError` when the method
does not apply to the data (too few areas, a zero or negative value where a ratio or a logarithm
needs positive values, a zero mean, missing values). No function returns ``nan``, ``inf`` or a
placeholder number: a caller that wants to show "cannot be computed" catches ``MethodError`` and
shows its message, which says why.

Minimum numbers of areas (or groups):

=============================  ====  ==========================================================
measure                        min   why
=============================  ====  ==========================================================
``range_``, ``ratio_extremes``   2   a highest and a lowest value are needed
``coefficient_of_variation``     2   a standard deviation needs two values
``ratio_p90_p10``                5   with fewer areas the 10th and 90th percentiles are
                                     interpolations between the two most extreme areas and the
                                     ratio is a damped ratio of extremes that looks more robust
                                     than it is
``gini``, ``theil``, MLD         2   a distribution needs two units
``sii_rii``                      5   as ``phe_sii`` (5 to 100 quantiles)
=============================  ====  ==========================================================

Weights are populations (or any other non-negative size) of the areas. Districts differ in size,
so a population-weighted measure describes inequality between *people* classified by where they
live; the unweighted one describes inequality between *areas*. Both are legitimate; say which one
a table shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats as _sstats

from skillnader.errors import MethodError

__all__ = [
    "AreaSpread",
    "Gap",
    "SiiResult",
    "TheilResult",
    "absolute_gap",
    "coefficient_of_variation",
    "gini",
    "mean_log_deviation",
    "range_",
    "ratio_extremes",
    "ratio_p90_p10",
    "relative_gap",
    "sii_rii",
    "theil",
    "weighted_percentile",
]

MIN_AREAS_EXTREMES = 2
MIN_AREAS_PERCENTILE_RATIO = 5
MIN_AREAS_DISPERSION = 2
MIN_GROUPS_SII = 5
MAX_GROUPS_SII = 100


# --------------------------------------------------------------------------------------------
# result types


@dataclass(frozen=True)
class AreaSpread:
    """A between-area spread measure.

    ``value`` is the measure; ``high`` and ``low`` are the values it compares (the highest and
    lowest area, or the 90th and 10th percentile), ``high_index`` / ``low_index`` the positions of
    the areas concerned in the input when they are single areas (``None`` for interpolated
    percentiles), ``n`` the number of areas used and ``weighted`` whether weights were applied.
    """

    measure: str
    value: float
    n: int
    weighted: bool
    high: float | None = None
    low: float | None = None
    high_index: int | None = None
    low_index: int | None = None


@dataclass(frozen=True)
class Gap:
    """A gap between two groups with its confidence interval.

    ``value`` is ``v1 - v2`` (absolute gap) or ``v1 / v2`` (relative gap); ``lower`` and
    ``upper`` the MOVER limits. Arrays when the inputs were arrays.
    """

    measure: Literal["difference", "ratio"]
    value: np.ndarray | float
    lower: np.ndarray | float
    upper: np.ndarray | float
    method: str = "MOVER (Zou & Donner 2008)"


@dataclass(frozen=True)
class TheilResult:
    """A generalised-entropy index with its between/within-group decomposition.

    ``total = between + within`` (up to floating-point rounding). ``between`` and ``within`` are
    ``None`` when no grouping was given. ``group_labels``, ``group_index`` (the group's own index
    of inequality between its members), ``group_weight`` (its share of the weighting quantity:
    income share for Theil T, population share for MLD) are given per group.
    """

    measure: Literal["theil_t", "mean_log_deviation"]
    total: float
    between: float | None = None
    within: float | None = None
    group_labels: tuple | None = None
    group_index: tuple[float, ...] | None = None
    group_weight: tuple[float, ...] | None = None
    weighted: bool = False


@dataclass(frozen=True)
class SiiResult:
    """Slope and relative index of inequality.

    ``sii`` is the fitted value at the least deprived end (x = 1) minus the fitted value at the
    most deprived end (x = 0). ``rii`` is the ratio of the same two fitted values, least / most
    deprived, i.e. ``(intercept + sii) / intercept``. ``x`` are the group midpoints in the order
    of the input, ``order`` the positions of the input groups from most to least deprived.
    ``confidence`` and the ``*_lower`` / ``*_upper`` limits come from the simulation.
    ``deprived_worse`` is ``True`` when the fitted line says the deprived end is worse off
    (needs ``higher_is_better``; ``None`` without it).
    """

    sii: float
    rii: float
    intercept: float
    sii_lower: float
    sii_upper: float
    rii_lower: float | None
    rii_upper: float | None
    confidence: float
    repetitions: int
    x: np.ndarray
    order: np.ndarray
    deprived_worse: bool | None


# --------------------------------------------------------------------------------------------
# input checks


def _as_values(values, name: str = "values") -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise MethodError(f"{name} must be one-dimensional (one value per area), got {arr.ndim}-D")
    if np.isnan(arr).any():
        raise MethodError(
            f"{name} contains {int(np.isnan(arr).sum())} missing value(s); drop or impute the "
            "areas first, and report how many were dropped"
        )
    if not np.isfinite(arr).all():
        raise MethodError(f"{name} contains infinite values")
    return arr


def _as_weights(weights, n: int) -> np.ndarray | None:
    if weights is None:
        return None
    w = _as_values(weights, "weights")
    if w.shape[0] != n:
        raise MethodError(f"weights has {w.shape[0]} entries for {n} values")
    if (w < 0).any():
        raise MethodError("weights must be non-negative (populations)")
    if w.sum() <= 0:
        raise MethodError("weights sum to zero: there is no population to weight by")
    return w


def _need(n: int, minimum: int, measure: str) -> None:
    if n < minimum:
        raise MethodError(
            f"{measure} needs at least {minimum} areas; got {n}. "
            "Report the values themselves instead of a summary measure."
        )


def _need_positive(values: np.ndarray, measure: str) -> None:
    bad = np.flatnonzero(values <= 0)
    if bad.size:
        raise MethodError(
            f"{measure} needs strictly positive values; {bad.size} area(s) have zero or negative "
            f"values (first at position {int(bad[0])}: {values[bad[0]]!r}). A ratio or logarithm "
            "of a zero is not a measure of inequality; use an absolute measure (range, SII) instead."
        )


# --------------------------------------------------------------------------------------------
# between areas: simple spread measures


def range_(values: Sequence[float] | np.ndarray) -> AreaSpread:
    """Range between the highest and the lowest area: ``max - min``.

    The simplest absolute gap between areas; sensitive to the two extreme areas only, and to
    their small-number noise. Needs at least 2 areas.
    """
    v = _as_values(values)
    _need(v.size, MIN_AREAS_EXTREMES, "The range")
    hi, lo = int(np.argmax(v)), int(np.argmin(v))
    return AreaSpread(
        "range", float(v[hi] - v[lo]), v.size, False, float(v[hi]), float(v[lo]), hi, lo
    )


def ratio_extremes(values: Sequence[float] | np.ndarray) -> AreaSpread:
    """Ratio of the highest to the lowest area value: ``max / min``.

    A relative gap between the extreme areas. Needs at least 2 areas and all values positive
    (a zero lowest value makes the ratio infinite, which is not a measure).
    """
    v = _as_values(values)
    _need(v.size, MIN_AREAS_EXTREMES, "The ratio of extremes")
    _need_positive(v, "The ratio of extremes")
    hi, lo = int(np.argmax(v)), int(np.argmin(v))
    return AreaSpread(
        "ratio_extremes", float(v[hi] / v[lo]), v.size, False, float(v[hi]), float(v[lo]), hi, lo
    )


def weighted_percentile(values, q, weights=None) -> np.ndarray:
    """Percentile(s) ``q`` (0-100) of ``values``, optionally weighted.

    Each value stands at the midpoint of its cumulative weight share,
    ``(cumsum(w) - w/2) / sum(w)``, and percentiles are interpolated linearly between those
    points and clamped at the extremes. With equal weights this is Hazen's definition
    (Hyndman & Fan 1996, type 5; ``numpy.percentile(..., method="hazen")``); it is the same
    midpoint convention as the x-axis of :func:`sii_rii`.
    """
    v = _as_values(values)
    given = _as_weights(weights, v.size)
    w = np.ones_like(v) if given is None else given
    keep = w > 0
    v, w = v[keep], w[keep]
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    pos = (np.cumsum(w) - w / 2) / w.sum()
    return np.interp(np.asarray(q, dtype=float) / 100.0, pos, v)


def ratio_p90_p10(values, weights=None) -> AreaSpread:
    """Ratio of the 90th to the 10th percentile of the area values (S90/S10-style ratio).

    Less sensitive to single extreme areas than :func:`ratio_extremes`. With ``weights``
    (populations) the percentiles are those of the distribution of *people* over area values;
    see :func:`weighted_percentile` for the definition. Needs at least 5 areas and a positive
    10th percentile.

    Reference: OECD (2011), *Divided We Stand*, annex on inequality measures (P90/P10 ratio).
    """
    v = _as_values(values)
    _need(v.size, MIN_AREAS_PERCENTILE_RATIO, "The P90/P10 ratio")
    w = _as_weights(weights, v.size)
    p10, p90 = weighted_percentile(v, [10, 90], w)
    if p10 <= 0:
        raise MethodError(
            f"The P90/P10 ratio needs a positive 10th percentile; it is {p10!r}. "
            "Use an absolute measure (P90 - P10, range) instead."
        )
    return AreaSpread("ratio_p90_p10", float(p90 / p10), v.size, w is not None, p90, p10)


def coefficient_of_variation(values, weights=None) -> AreaSpread:
    """Coefficient of variation between areas: standard deviation / mean.

    Unweighted: the sample standard deviation (``ddof=1``) over the mean of the area values.
    Weighted: ``sqrt(sum w (x - m)^2 / sum w) / m`` with ``m`` the weighted mean (the population
    standard deviation of the person-level distribution of area values). Needs at least 2 areas
    and a positive mean.
    """
    v = _as_values(values)
    _need(v.size, MIN_AREAS_DISPERSION, "The coefficient of variation")
    w = _as_weights(weights, v.size)
    if w is None:
        mean, sd = v.mean(), v.std(ddof=1)
    else:
        mean = np.average(v, weights=w)
        sd = np.sqrt(np.average((v - mean) ** 2, weights=w))
    if mean <= 0:
        raise MethodError(
            f"The coefficient of variation needs a positive mean; the mean is {mean!r}"
        )
    return AreaSpread("coefficient_of_variation", float(sd / mean), v.size, w is not None)


# --------------------------------------------------------------------------------------------
# between areas: Gini and generalised entropy


def gini(values, weights=None) -> float:
    """Gini coefficient of the area values, optionally population-weighted.

    ``G = sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 m)`` with ``W = sum w`` and ``m`` the weighted
    mean. Unweighted (``weights=None``) this is the classic Gini in mean-absolute-difference form
    and equals PySAL's ``inequality.gini.Gini(values).g`` (Rey & Smith 2013, *Letters in
    Spatial and Resource Sciences* 6:55-70). Computed in O(n log n) from the sorted values.

    Needs at least 2 areas, non-negative values and a positive mean.
    """
    v = _as_values(values)
    _need(v.size, MIN_AREAS_DISPERSION, "The Gini coefficient")
    w = _as_weights(weights, v.size)
    if (v < 0).any():
        raise MethodError("The Gini coefficient needs non-negative values")
    if w is None:
        w = np.ones_like(v)
    order = np.argsort(v, kind="stable")
    x, ww = v[order], w[order]
    total_w = ww.sum()
    mean = np.dot(ww, x) / total_w
    if mean <= 0:
        raise MethodError("The Gini coefficient needs a positive mean")
    # sum_i sum_j w_i w_j |x_i - x_j| = 2 sum_i w_i x_i (W_below_i - W_above_i)
    cum = np.cumsum(ww)
    below = cum - ww
    above = total_w - cum
    mad_sum = 2.0 * np.dot(ww * x, below - above)
    return float(mad_sum / (2.0 * total_w**2 * mean))


def _entropy_inputs(values, weights, groups, measure):
    v = _as_values(values)
    _need(v.size, MIN_AREAS_DISPERSION, measure)
    _need_positive(v, measure)
    w = _as_weights(weights, v.size)
    weighted = w is not None
    if w is None:
        w = np.ones_like(v)
    if groups is not None:
        g = np.asarray(groups)
        if g.shape[0] != v.size:
            raise MethodError(f"groups has {g.shape[0]} entries for {v.size} values")
    else:
        g = None
    # areas without population carry no weight; dropping them keeps every group's total positive
    keep = w > 0
    if not keep.all():
        v, w = v[keep], w[keep]
        g = None if g is None else g[keep]
        _need(v.size, MIN_AREAS_DISPERSION, measure)
    return v, w, g, weighted


def _theil_t(v: np.ndarray, w: np.ndarray) -> float:
    # s = share of the total "income" (value x population), p = population share
    p = w / w.sum()
    s = w * v / np.dot(w, v)
    keep = w > 0
    return float(np.sum(s[keep] * np.log(s[keep] / p[keep])))


def _mld(v: np.ndarray, w: np.ndarray) -> float:
    p = w / w.sum()
    mean = np.dot(p, v)
    keep = w > 0
    return float(np.sum(p[keep] * np.log(mean / v[keep])))


def _decompose(v, w, g, measure_name, index_fn, weighted):
    """Total index and, with groups, its between/within parts (Shorrocks 1980)."""
    total = index_fn(v, w)
    if g is None:
        return TheilResult(measure_name, total, weighted=weighted)
    labels, inverse = np.unique(g, return_inverse=True)
    pop_share = np.bincount(inverse, weights=w) / w.sum()
    inc_share = np.bincount(inverse, weights=w * v) / np.dot(w, v)
    # each group's own index, vectorised over groups: m_g is the group's weighted mean
    w_g = np.bincount(inverse, weights=w)
    y_g = np.bincount(inverse, weights=w * v)
    m = (y_g / w_g)[inverse]
    if measure_name == "theil_t":
        group_index = np.bincount(inverse, weights=w * v * np.log(v / m)) / y_g
        between = float(np.sum(inc_share * np.log(inc_share / pop_share)))
        within = float(np.dot(inc_share, group_index))
        share = inc_share
    else:
        group_index = np.bincount(inverse, weights=w * np.log(m / v)) / w_g
        between = float(np.sum(pop_share * np.log(pop_share / inc_share)))
        within = float(np.dot(pop_share, group_index))
        share = pop_share
    return TheilResult(
        measure_name,
        total,
        between,
        within,
        tuple(labels.tolist()),
        tuple(float(x) for x in group_index),
        tuple(float(x) for x in share),
        weighted,
    )


def theil(values, weights=None, groups=None) -> TheilResult:
    """Theil's T index (GE(1)) of the area values, with a between/within decomposition.

    With values ``x_i`` (a per-person quantity such as mean income) and populations ``w_i``:
    ``T = sum_i s_i ln(s_i / p_i)``, ``p_i = w_i / W`` the population share and
    ``s_i = w_i x_i / sum w x`` the share of the total. With ``groups`` (one label per area):
    ``T_between = sum_g S_g ln(S_g / P_g)``, ``T_within = sum_g S_g T_g`` and
    ``T = T_between + T_within`` exactly (Theil 1967, *Economics and Information Theory*;
    Shorrocks 1980, *Econometrica* 48:613-625).

    Unweighted (``weights=None``, every area counts once) this equals PySAL's
    ``inequality.theil.Theil(values).T`` and ``TheilD(values, groups).bg``: for Mexico's 32 states
    in 1940, T = 0.20894344 and the between-region part (Hanson 1998 regions) 0.0345889.

    Needs at least 2 areas and strictly positive values (ln 0 is undefined).
    """
    v, w, g, weighted = _entropy_inputs(values, weights, groups, "The Theil index")
    return _decompose(v, w, g, "theil_t", _theil_t, weighted)


def mean_log_deviation(values, weights=None, groups=None) -> TheilResult:
    """Mean log deviation (Theil's L, GE(0)) of the area values, with decomposition.

    ``L = sum_i p_i ln(m / x_i)`` with population shares ``p_i`` and weighted mean ``m``. With
    ``groups``: ``L_between = sum_g P_g ln(P_g / S_g)`` (= ``sum_g P_g ln(m / m_g)``),
    ``L_within = sum_g P_g L_g``; the within part is weighted by population shares, which makes
    MLD the generalised-entropy index whose decomposition does not depend on the groups' means
    (Shorrocks 1980, *Econometrica* 48:613-625).

    Needs at least 2 areas and strictly positive values.
    """
    v, w, g, weighted = _entropy_inputs(values, weights, groups, "The mean log deviation")
    return _decompose(v, w, g, "mean_log_deviation", _mld, weighted)


# --------------------------------------------------------------------------------------------
# between two groups: MOVER


def _broadcast(*arrays):
    out = np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in arrays])
    for a in out:
        if np.isnan(a).any():
            raise MethodError("a gap needs both groups' values and limits; some are missing")
    return out


def _check_order(v, lo, hi, name):
    if ((lo > v) | (v > hi)).any():
        raise MethodError(
            f"group {name}: each value must lie within its own interval (lower <= value <= upper)"
        )


def _maybe_scalar(a: np.ndarray):
    return float(a) if a.ndim == 0 else a


def absolute_gap(v1, lo1, hi1, v2, lo2, hi2) -> Gap:
    """Difference ``v1 - v2`` between two groups, with a MOVER confidence interval.

    The Method Of Variance Estimates Recovery combines each group's own (possibly asymmetric)
    interval, e.g. Wilson intervals for proportions or Byar intervals for counts, into an
    interval for the difference of two **independent** estimates:

    ``L = d - sqrt((v1 - lo1)^2 + (hi2 - v2)^2)``,
    ``U = d + sqrt((hi1 - v1)^2 + (v2 - lo2)^2)``.

    With Wilson intervals this is Newcombe's (1998) method 10 for a difference of proportions.
    The confidence level is that of the inputs. The groups must be independent (women vs men,
    born abroad vs born in Sweden in the same area); a subgroup vs the total it is part of is
    *not* independent and needs another method.

    References: Newcombe RG (1998), *Statistics in Medicine* 17:873-890; Zou GY & Donner A (2008),
    *Statistics in Medicine* 27:1693-1702.
    """
    v1, lo1, hi1, v2, lo2, hi2 = _broadcast(v1, lo1, hi1, v2, lo2, hi2)
    _check_order(v1, lo1, hi1, "1")
    _check_order(v2, lo2, hi2, "2")
    d = v1 - v2
    lower = d - np.sqrt((v1 - lo1) ** 2 + (hi2 - v2) ** 2)
    upper = d + np.sqrt((hi1 - v1) ** 2 + (v2 - lo2) ** 2)
    return Gap("difference", _maybe_scalar(d), _maybe_scalar(lower), _maybe_scalar(upper))


def relative_gap(v1, lo1, hi1, v2, lo2, hi2) -> Gap:
    """Ratio ``v1 / v2`` between two groups, with a MOVER confidence interval.

    MOVER is applied to ``ln v1 - ln v2`` using the log-transformed limits of each group, and
    the result is exponentiated (Zou & Donner 2008, section 3, ratio via the log scale). When
    each input interval is symmetric on the log scale this reproduces the classical
    ``exp(ln r +/- z sqrt(se1^2 + se2^2))`` interval. Groups must be independent.

    All values and lower limits must be strictly positive: a ratio with a zero (or an interval
    reaching zero) has no finite upper limit, so the method does not apply.

    Reference: Zou GY & Donner A (2008), *Statistics in Medicine* 27:1693-1702.
    """
    v1, lo1, hi1, v2, lo2, hi2 = _broadcast(v1, lo1, hi1, v2, lo2, hi2)
    _check_order(v1, lo1, hi1, "1")
    _check_order(v2, lo2, hi2, "2")
    for name, arr in (("value 1", v1), ("lower 1", lo1), ("value 2", v2), ("lower 2", lo2)):
        if (arr <= 0).any():
            raise MethodError(
                f"A ratio interval needs strictly positive values and lower limits; {name} has "
                "zero or negative entries. Use absolute_gap instead."
            )
    g = absolute_gap(np.log(v1), np.log(lo1), np.log(hi1), np.log(v2), np.log(lo2), np.log(hi2))
    return Gap(
        "ratio",
        _maybe_scalar(np.exp(np.asarray(g.value))),
        _maybe_scalar(np.exp(np.asarray(g.lower))),
        _maybe_scalar(np.exp(np.asarray(g.upper))),
    )


# --------------------------------------------------------------------------------------------
# along a gradient: SII / RII


def _wls_line(x: np.ndarray, y: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least-squares intercept and slope of ``y`` on ``x`` with weights ``a``.

    ``y`` may be 2-D (repetitions x groups); returns arrays of intercepts and slopes.
    """
    sw = a.sum()
    xm = np.dot(a, x) / sw
    ym = (y @ a) / sw
    sxx = np.dot(a, (x - xm) ** 2)
    slope = ((y - ym[..., None]) @ (a * (x - xm))) / sxx
    return ym - slope * xm, slope


def sii_rii(
    values,
    population,
    lower=None,
    upper=None,
    se=None,
    *,
    rank_by=None,
    deprived_end: Literal["low", "high"] = "low",
    confidence: float = 0.95,
    reps: int = 100_000,
    seed: int | None = None,
    higher_is_better: bool | None = None,
    transform: Literal["none", "log", "logit"] = "none",
) -> SiiResult:
    """Slope index (SII) and relative index (RII) of inequality, as PHEindicatormethods ``phe_sii``.

    **Ordering.** Groups (e.g. deprivation deciles, income quintiles, education levels) are put
    on a social scale from the *most deprived* (x = 0) to the *least deprived* (x = 1). By default
    they are taken in the order given, first = most deprived (decile 1 = most deprived, as in
    ``phe_sii``). With ``rank_by`` (one score per group) they are sorted by it;
    ``deprived_end="low"`` means a low score is deprived (e.g. median income),
    ``deprived_end="high"`` a high score (e.g. a deprivation index). The result's ``order``
    lists input positions from most to least deprived, so the direction can always be checked.

    **x values.** Each group stands at the midpoint of its range in the cumulative population
    distribution: ``x_i = C_{i-1} + p_i / 2``, ``p_i`` its population share.

    **Fit.** Weighted least squares of the value on x with the population shares as weights,
    which is ``phe_sii``'s regression of ``sqrt(p) * y`` on ``sqrt(p)`` and ``x sqrt(p)``
    without intercept. ``SII = b`` (fitted value at x = 1 minus fitted value at x = 0);
    ``RII = (a + b) / a`` (fitted least deprived over fitted most deprived). Low & Low (2004).

    With ``transform="log"`` (rates) or ``"logit"`` (proportions) the line is fitted to the
    transformed values and its two ends are transformed back: ``SII = back(a + b) - back(a)``,
    ``RII = back(a + b) / back(a)`` (``phe_sii`` with ``transform = TRUE``).

    **Confidence interval** by simulation, as ``phe_sii``: ``reps`` times each group's value is
    drawn from a normal distribution with its standard error (on the log or logit scale when
    ``transform`` says so, then transformed back), the line is refitted, and the
    ``(1 - confidence)/2`` and ``(1 + confidence)/2`` percentiles of the simulated SII and RII
    are the limits. Standard errors are taken from ``se`` or else from 95 % limits as
    ``(upper - lower) / (2 * 1.959964)`` (on the transformed scale), whatever ``confidence``.

    ``higher_is_better`` only serves the interpretation field ``deprived_worse``.

    Raises :class:`MethodError` with fewer than 5 or more than 100 groups, non-positive
    populations, missing or negative standard errors, or a fitted value at the most deprived end
    of zero (RII undefined). RII limits are ``None`` when some simulated fits cross zero at
    x = 0 (the simulated ratio is then meaningless).

    References: Low A & Low A (2004), Measuring the gap: quantifying and comparing local health
    inequalities, *Journal of Public Health* 26:388-395; PHEindicatormethods ``phe_sii``
    (UK Health Security Agency).
    """
    y = _as_values(values)
    n = y.size
    if not MIN_GROUPS_SII <= n <= MAX_GROUPS_SII:
        raise MethodError(
            f"The SII needs between {MIN_GROUPS_SII} and {MAX_GROUPS_SII} groups (as phe_sii); "
            f"got {n}"
        )
    pop = _as_values(population, "population")
    if pop.size != n:
        raise MethodError(f"population has {pop.size} entries for {n} groups")
    if (pop <= 0).any():
        raise MethodError("The SII needs a positive population in every group")
    if not 0.5 < confidence < 1:
        raise MethodError(f"confidence must be between 0.5 and 1, got {confidence!r}")
    if reps < 1000:
        raise MethodError(f"reps must be at least 1000 for stable limits, got {reps}")

    fwd: Callable[[Any], Any]
    back: Callable[[Any], Any]
    if transform == "log":
        fwd, back = np.log, np.exp
    elif transform == "logit":

        def fwd(p):
            return np.log(p / (1 - p))

        def back(t):
            return 1 / (1 + np.exp(-t))
    elif transform == "none":

        def fwd(t):
            return t

        back = fwd
    else:
        raise MethodError(f"unknown transform {transform!r}; use 'none', 'log' or 'logit'")

    if se is not None:
        s = _as_values(se, "se")
    elif lower is not None and upper is not None:
        lo = _as_values(lower, "lower")
        hi = _as_values(upper, "upper")
        with np.errstate(divide="ignore", invalid="ignore"):
            s = (fwd(hi) - fwd(lo)) / (2 * _sstats.norm.ppf(0.975))
    else:
        raise MethodError("sii_rii needs either se or both lower and upper limits")
    if s.size != n:
        raise MethodError(f"standard errors: {s.size} entries for {n} groups")
    if not np.isfinite(s).all() or (s < 0).any():
        raise MethodError(
            "standard errors must be finite and non-negative (check that the limits are positive "
            "for a log transform and inside (0, 1) for a logit transform)"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = fwd(y)
    if not np.isfinite(centre).all():
        raise MethodError(f"values cannot be {transform}-transformed (zeros or out of range)")

    if rank_by is None:
        order = np.arange(n)
    else:
        r = _as_values(rank_by, "rank_by")
        if r.size != n:
            raise MethodError(f"rank_by has {r.size} entries for {n} groups")
        order = np.argsort(r if deprived_end == "low" else -r, kind="stable")

    yo, po, so, co = y[order], pop[order], s[order], centre[order]
    a = po / po.sum()
    xo = np.cumsum(a) - a / 2
    intercept: float
    slope: float
    if transform == "none":
        fit_int, fit_slope = _wls_line(xo, yo, a)
        intercept, slope = float(fit_int), float(fit_slope)
    else:
        # As phe_sii with transform = TRUE: the line is fitted on the log (logit) scale and its
        # ends are transformed back; SII and RII compare the two back-transformed ends.
        t_int, t_slope = _wls_line(xo, co, a)
        intercept = float(back(t_int))
        slope = float(back(t_int + t_slope)) - intercept
    if intercept == 0:
        raise MethodError("The fitted value at the most deprived end is zero; RII is undefined")
    rii = (intercept + slope) / intercept

    rng = np.random.default_rng(seed)
    draws = co + so * rng.standard_normal((reps, n))
    if transform == "none":
        a_sim, b_sim = _wls_line(xo, draws, a)
    else:
        ta, tb = _wls_line(xo, draws, a)
        a_sim = back(ta)
        b_sim = back(ta + tb) - a_sim
    alpha = (1 - confidence) / 2
    sii_lo, sii_hi = np.quantile(b_sim, [alpha, 1 - alpha])
    if (np.sign(a_sim) != np.sign(intercept)).any() or (a_sim == 0).any():
        rii_lo = rii_hi = None
    else:
        rii_lo, rii_hi = (
            float(q) for q in np.quantile((a_sim + b_sim) / a_sim, [alpha, 1 - alpha])
        )

    x = np.empty(n)
    x[order] = xo
    deprived_worse = None
    if higher_is_better is not None and slope != 0:
        deprived_worse = (slope > 0) == higher_is_better
    return SiiResult(
        sii=slope,
        rii=float(rii),
        intercept=intercept,
        sii_lower=float(sii_lo),
        sii_upper=float(sii_hi),
        rii_lower=rii_lo,
        rii_upper=rii_hi,
        confidence=confidence,
        repetitions=reps,
        x=x,
        order=order,
        deprived_worse=deprived_worse,
    )
