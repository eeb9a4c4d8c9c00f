"""Comparison of areas or groups with a benchmark, and quintile ranking.

A comparison first decides the *direction* (is the value significantly higher or lower than the
benchmark, or similar?) and then, through the indicator's *polarity*, the *judgement*:

=================  =========  =========  =========
polarity           higher     lower      similar
=================  =========  =========  =========
higher_is_better   better     worse      similar
lower_is_better    worse      better     similar
no_judgement       higher     lower      similar
=================  =========  =========  =========

Anything that cannot be compared (a missing value or limit, zero denominator) is
``"not_compared"``, never silently "similar".

Two methods decide the direction:

* **overlapping intervals** (:func:`compare_intervals`): the area's interval against the
  benchmark value, or against the benchmark's interval when it has one (as when comparing a
  district with another district);
* **control limits** (:func:`compare_control_limits`): funnel-plot limits around the benchmark
  for the area's denominator: Wilson score limits for proportions, Byar/exact Poisson limits
  around the expected count for rates and ratios. This is the preferred method when the
  benchmark is a large population (the city) whose own uncertainty is negligible. Note that
  ``compare_control_limits`` uses a strict inequality: a value exactly on a limit is similar.

References
----------
* Public Health England (2017). *Technical guide: Assessing the statistical significance of an
  indicator value* (Fingertips methods: comparison with a benchmark, 95 % and 99.8 % levels).
* Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. *Stat Med*
  24:1185-1202.
* Flowers J (2007). *Statistical process control methods in public health intelligence*. APHO
  Technical Briefing 2.
* Public Health England, PHEindicatormethods ``calculate_quantiles`` (quantile ranking with
  polarity).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from skillnader.errors import InputError
from skillnader.stats.intervals import (
    as_float_array,
    byar,
    check_confidence,
    scalar_or_array,
    wilson,
    z_value,
)

__all__ = [
    "POLARITIES",
    "compare_control_limits",
    "compare_intervals",
    "control_limits",
    "judge",
    "quantiles",
    "quintiles",
]

Polarity = Literal["higher_is_better", "lower_is_better", "no_judgement"]
POLARITIES: tuple[str, ...] = ("higher_is_better", "lower_is_better", "no_judgement")

_JUDGEMENT = {
    "higher_is_better": {"higher": "better", "lower": "worse"},
    "lower_is_better": {"higher": "worse", "lower": "better"},
    "no_judgement": {"higher": "higher", "lower": "lower"},
}


def _check_polarity(polarity: str) -> str:
    if polarity not in POLARITIES:
        raise InputError("unknown polarity", value=polarity, expected=" | ".join(POLARITIES))
    return polarity


def _out(labels: np.ndarray) -> Any:
    return str(labels) if labels.ndim == 0 else labels


def judge(direction: Any, polarity: Polarity) -> Any:
    """Turn directions (``"higher" | "lower" | "similar" | "not_compared"``) into judgements.

    See the table in the module docstring. Vectorised over arrays of strings.
    """
    _check_polarity(polarity)
    d = np.asarray(direction).astype("<U12")
    unknown = ~np.isin(d, ("higher", "lower", "similar", "not_compared"))
    if np.any(unknown):
        raise InputError(
            "unknown direction",
            value=str(d[unknown].ravel()[0]) if d.ndim else str(d),
            expected="higher | lower | similar | not_compared",
        )
    table = _JUDGEMENT[polarity]
    out = np.where(d == "higher", table["higher"], np.where(d == "lower", table["lower"], d))
    return _out(out)


def compare_intervals(
    value: Any,
    lower: Any,
    upper: Any,
    benchmark: Any,
    polarity: Polarity = "no_judgement",
    *,
    benchmark_lower: Any = None,
    benchmark_upper: Any = None,
) -> Any:
    """Compare values with a benchmark by (non-)overlap of confidence intervals.

    Without benchmark limits: ``"higher"`` when ``lower > benchmark``, ``"lower"`` when
    ``upper < benchmark``, else ``"similar"`` (the Fingertips comparison with England). With
    ``benchmark_lower``/``benchmark_upper``: higher when the area's lower limit is above the
    benchmark's upper limit, lower in the mirror case, else similar (the conservative
    overlapping-intervals test). The level of the comparison is the level of the limits given.
    The direction is then judged with ``polarity`` (see :func:`judge`).

    Reference: PHE (2017), *Assessing the statistical significance of an indicator value*.
    """
    _check_polarity(polarity)
    v = as_float_array(value, "value")
    lo = as_float_array(lower, "lower")
    up = as_float_array(upper, "upper")
    b = as_float_array(benchmark, "benchmark")
    if (benchmark_lower is None) != (benchmark_upper is None):
        raise InputError("give both benchmark_lower and benchmark_upper, or neither")
    if benchmark_lower is None:
        b_lo = b_up = b
    else:
        b_lo = as_float_array(benchmark_lower, "benchmark_lower")
        b_up = as_float_array(benchmark_upper, "benchmark_upper")
    v, lo, up, b, b_lo, b_up = np.broadcast_arrays(v, lo, up, b, b_lo, b_up)
    if np.any(lo > up):
        raise InputError("a lower limit is above its upper limit")
    missing = np.isnan(v) | np.isnan(lo) | np.isnan(up) | np.isnan(b_lo) | np.isnan(b_up)
    direction = np.where(lo > b_up, "higher", np.where(up < b_lo, "lower", "similar"))
    direction = np.where(missing, "not_compared", direction)
    return judge(direction, polarity)


def control_limits(
    benchmark: Any,
    denominator: Any,
    confidence: float = 0.998,
    kind: Literal["proportion", "rate"] = "proportion",
    method: Literal["normal", "wilson"] = "normal",
) -> tuple[Any, Any]:
    """Funnel-plot control limits around a benchmark for a given denominator.

    ``kind="proportion"``: ``benchmark`` is a proportion (0-1) and ``denominator`` the number of
    trials; the limits are proportions. With ``method="normal"`` (default) they are
    ``p0 +/- z sqrt(p0 (1 - p0) / n)`` truncated to [0, 1], the limits of the English
    public-health funnel plots for proportions (PHEindicatormethods ``calculate_funnel_limits``,
    whose published limits our tests reproduce); ``method="wilson"`` gives the Wilson score
    limits of ``p0 n`` successes out of ``n``, which stay inside [0, 1] without truncation and
    are better for very small denominators.

    ``kind="rate"``: ``benchmark`` is a rate per person (or a ratio of 1 for standardised
    ratios) and ``denominator`` the population (or the expected count); the limits are Byar
    limits (exact Poisson below 10) of the expected count ``benchmark * denominator``, returned
    as *counts* to compare with observed counts.

    Reference: Spiegelhalter (2005), sections 3-4; Flowers (2007); PHE (2017).
    """
    c = check_confidence(confidence)
    b = as_float_array(benchmark, "benchmark")
    n = as_float_array(denominator, "denominator")
    if kind == "proportion":
        if np.any((b < 0) | (b > 1)):
            raise InputError("a benchmark proportion must be between 0 and 1", value=benchmark)
        if method == "wilson":
            x_b, n_b = np.broadcast_arrays(b * n, n)
            return wilson(x_b, n_b, c)
        if method != "normal":
            raise InputError("unknown method", value=method, expected="normal | wilson")
        with np.errstate(divide="ignore", invalid="ignore"):
            half = z_value(c) * np.sqrt(b * (1 - b) / n)
        lower = np.clip(b - half, 0.0, 1.0)
        upper = np.clip(b + half, 0.0, 1.0)
        return scalar_or_array(lower), scalar_or_array(upper)
    if kind == "rate":
        if np.any(b < 0):
            raise InputError("a benchmark rate must not be negative", value=benchmark)
        return byar(b * n, c)
    raise InputError("unknown kind of control limits", value=kind, expected="proportion | rate")


def compare_control_limits(
    observed: Any,
    denominator: Any,
    benchmark: Any,
    polarity: Polarity = "no_judgement",
    confidence: float = 0.998,
    kind: Literal["proportion", "rate"] = "proportion",
    method: Literal["normal", "wilson"] = "normal",
) -> Any:
    """Compare observed counts with control limits around a benchmark (funnel-plot method).

    ``observed`` are counts (events), ``denominator`` trials (proportions) or populations /
    expected counts (rates, ratios), ``benchmark`` the benchmark proportion or rate per unit of
    denominator. Higher when the observed proportion (or count) is above the upper control
    limit, lower when below the lower one, else similar; then judged with ``polarity``.
    A zero or missing denominator gives ``"not_compared"``.

    Reference: Spiegelhalter (2005); PHE (2017).
    """
    _check_polarity(polarity)
    o = as_float_array(observed, "observed")
    n = as_float_array(denominator, "denominator")
    b = as_float_array(benchmark, "benchmark")
    o, n, b = np.broadcast_arrays(o, n, b)
    if np.any(o < 0) or np.any(n < 0):
        raise InputError("observed counts and denominators must not be negative")
    usable = (n > 0) & ~np.isnan(o) & ~np.isnan(b)
    safe_n = np.where(usable, n, 1.0)
    safe_b = np.where(usable, b, 0.0)
    safe_o = np.where(usable, o, 0.0)
    lo, up = control_limits(safe_b, safe_n, confidence, kind, method)
    lo, up = np.asarray(lo), np.asarray(up)
    stat = safe_o / safe_n if kind == "proportion" else safe_o
    direction = np.where(stat > up, "higher", np.where(stat < lo, "lower", "similar"))
    direction = np.where(usable, direction, "not_compared")
    return judge(direction, polarity)


def quantiles(values: Any, n_groups: int, polarity: Polarity = "higher_is_better") -> Any:
    """Rank values into ``n_groups`` groups of (nearly) equal size, 1 = best.

    ``higher_is_better``: the highest values are in group 1; ``lower_is_better``: the lowest;
    ``no_judgement``: group 1 holds the *lowest* values (a plain ordering, no judgement).
    Ties get the same group (the best rank of the tie decides); NaN values are excluded and get
    NaN. With ranks ``r = 1..n`` (best first) the group is ``floor(k (r - 1) / n) + 1``.

    Reference: PHEindicatormethods ``calculate_quantiles`` (same idea; ties handled by the
    minimum rank here).
    """
    _check_polarity(polarity)
    if int(n_groups) != n_groups or n_groups < 1:
        raise InputError("number of groups must be a positive integer", value=n_groups)
    v = as_float_array(values, "values")
    flat = v.ravel()
    out = np.full(flat.shape, np.nan)
    ok = ~np.isnan(flat)
    x = flat[ok]
    n = x.size
    if n:
        key = -x if polarity == "higher_is_better" else x
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        # minimum rank of each tie: position of the first equal value in sorted order
        starts = np.r_[True, ordered[1:] != ordered[:-1]]
        first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
        rank = np.empty(n)
        rank[order] = first + 1
        out[ok] = np.floor(n_groups * (rank - 1) / n) + 1
    res = out.reshape(v.shape)
    return float(res) if res.ndim == 0 else res


def quintiles(values: Any, polarity: Polarity = "higher_is_better") -> Any:
    """Quintile groups 1 (best) to 5 (worst); see :func:`quantiles`."""
    return quantiles(values, 5, polarity)
