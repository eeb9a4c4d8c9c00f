"""Trends over time: weighted slope, the public-health trend marker, change between two periods.

The trend marker follows the Fingertips method: take the most recent five points, fit a straight
line by weighted least squares with weights ``1 / SE^2``, and call the trend significant when the
chi-squared statistic ``slope^2 / var(slope)`` (one degree of freedom) exceeds the threshold for
the confidence level (9.5495 for 99.8 %, 3.8415 for 95 %) *and* the slope keeps its sign when
any one of the points is left out (so that a single unusual year cannot make a trend).

Standard errors come from the caller (``se``), from published confidence limits
(``(upper - lower) / (2 z)``, exact for symmetric intervals and the usual approximation
otherwise), or from counts (binomial for proportions, Poisson for rates).

References
----------
* Public Health England (2018). *Technical guide: Trend methods — the recent trend marker* /
  Fingertips "Recent trends" (chi-squared test for trend, last five points, 99.8 % level).
* Armitage P, Berry G, Matthews JNS (2002). *Statistical Methods in Medical Research*, 4th ed.
  Blackwell, sections 11.3 (weighted regression) and 4.5 (comparison of two estimates).
* Altman DG, Bland JM (2003). Interaction revisited: the difference between two estimates.
  *BMJ* 326:219.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from scipy import special as _sc
from scipy import stats as _st

from skillnader.errors import InputError
from skillnader.stats.intervals import as_float_array, check_confidence, scalar_or_array, z_value

__all__ = [
    "DifferenceResult",
    "SlopeResult",
    "TrendResult",
    "difference_test",
    "se_from_counts",
    "se_from_limits",
    "trend_marker",
    "weighted_slope",
]


@dataclass(frozen=True)
class SlopeResult:
    """Weighted least-squares line through a series.

    ``slope`` is in value units per period unit; ``chi2`` is ``slope^2 / se^2`` (1 df),
    ``p_value`` its upper tail probability.
    """

    slope: float
    intercept: float
    se: float
    chi2: float
    p_value: float
    n: int


@dataclass(frozen=True)
class TrendResult:
    """Outcome of the trend marker.

    ``marker`` is ``"increasing" | "decreasing" | "no_significant_change" |
    "cannot_be_calculated"``; ``assessment`` maps it through the polarity to ``"improving" |
    "worsening"`` (``None`` otherwise, or with no judgement); ``reason`` explains the marker in
    words, e.g. which rule failed.
    """

    marker: str
    assessment: str | None
    slope: float
    chi2: float
    threshold: float
    n_points: int
    periods: tuple[float, ...]
    reason: str
    confidence: float


@dataclass(frozen=True)
class DifferenceResult:
    """Change ``v2 - v1`` between two independent estimates with its z-test.

    Fields are floats for scalar input, arrays otherwise. ``direction`` is ``"increase" |
    "decrease" | "no_significant_change" | "not_tested"``.
    """

    difference: Any
    se: Any
    z: Any
    p_value: Any
    lower: Any
    upper: Any
    significant: Any
    direction: Any
    confidence: float


def se_from_limits(lower: Any, upper: Any, confidence: float = 0.95) -> Any:
    """Standard error implied by a confidence interval: ``(upper - lower) / (2 z)``.

    Exact for symmetric (normal) intervals; for the asymmetric Wilson/Byar intervals it is the
    approximation used by the Fingertips trend marker.
    """
    lo = as_float_array(lower, "lower")
    up = as_float_array(upper, "upper")
    if np.any(up < lo):
        raise InputError("an upper limit is below its lower limit")
    return scalar_or_array((up - lo) / (2 * z_value(confidence)))


def se_from_counts(
    counts: Any,
    denominators: Any,
    statistic: Literal["proportion", "rate"] = "proportion",
    per: float = 1.0,
) -> Any:
    """Standard error of a proportion (binomial) or a crude rate (Poisson) from its counts.

    Proportion: ``per * sqrt(p (1 - p) / n)``; rate: ``per * sqrt(x) / population``. The result
    is on the same scale as the values (``per = 100`` for percentages, 100,000 for rates per
    100,000). A zero SE (proportion 0 or 1, no events) makes the trend marker impossible.
    """
    x = as_float_array(counts, "counts")
    n = as_float_array(denominators, "denominators")
    if np.any(x < 0) or np.any(n <= 0):
        raise InputError("counts must be >= 0 and denominators > 0")
    if statistic == "proportion":
        if np.any(x > n):
            raise InputError("a count exceeds its denominator")
        p = x / n
        return scalar_or_array(per * np.sqrt(p * (1 - p) / n))
    if statistic == "rate":
        return scalar_or_array(per * np.sqrt(x) / n)
    raise InputError("unknown statistic", value=statistic, expected="proportion | rate")


@lru_cache(maxsize=16)
def _chi2_threshold(confidence: float) -> float:
    return float(_st.chi2.ppf(confidence, 1))


def _fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """Weighted least squares on already validated arrays: (slope, intercept, sum w (x-xw)^2)."""
    sw = w.sum()
    xw = (w * x).sum() / sw
    yw = (w * y).sum() / sw
    dx = x - xw
    sxx = float((w * dx * dx).sum())
    slope = float((w * dx * (y - yw)).sum() / sxx) if sxx > 0 else float("nan")
    return slope, float(yw - slope * xw), sxx


def weighted_slope(periods: Any, values: Any, se: Any) -> SlopeResult:
    """Straight line through ``(periods, values)`` by least squares weighted by ``1 / se^2``.

    ``slope = sum w (x - xw)(y - yw) / sum w (x - xw)^2`` with weighted means ``xw``, ``yw``;
    ``var(slope) = 1 / sum w (x - xw)^2`` (the SEs are taken as known, so no residual scaling);
    ``chi2 = slope^2 / var(slope)`` on one degree of freedom. Needs at least two distinct periods
    and positive, finite SEs.

    Reference: Armitage, Berry & Matthews (2002), section 11.3.
    """
    x = as_float_array(periods, "periods").ravel()
    y = as_float_array(values, "values").ravel()
    s = as_float_array(se, "se").ravel()
    if not (x.size == y.size == s.size):
        raise InputError(
            "periods, values and standard errors have different lengths",
            value=(x.size, y.size, s.size),
        )
    if np.any(~np.isfinite(x)) or np.any(~np.isfinite(y)) or np.any(~np.isfinite(s)):
        raise InputError("periods, values and standard errors must be finite numbers")
    if np.any(s <= 0):
        raise InputError("standard errors must be positive", value=float(np.min(s)))
    slope, intercept, sxx = _fit(x, y, 1.0 / s**2)
    if x.size < 2 or sxx <= 0:
        raise InputError("a slope needs at least two distinct periods", value=x.tolist())
    chi2 = slope**2 * sxx
    return SlopeResult(
        slope=slope,
        intercept=intercept,
        se=float(np.sqrt(1.0 / sxx)),
        chi2=float(chi2),
        # chi2.sf(x, 1) without the distribution-object overhead (SciPy computes it so).
        p_value=float(_sc.chdtrc(1, chi2)),
        n=int(x.size),
    )


def trend_marker(
    periods: Any,
    values: Any,
    se: Any = None,
    *,
    lower: Any = None,
    upper: Any = None,
    interval_confidence: float = 0.95,
    counts: Any = None,
    denominators: Any = None,
    statistic: Literal["proportion", "rate"] = "proportion",
    per: float = 1.0,
    confidence: float = 0.998,
    polarity: str = "no_judgement",
    n_points: int = 5,
) -> TrendResult:
    """The recent-trend marker on the last ``n_points`` (5) points of a series.

    Give the standard errors in one of three ways: ``se``; ``lower``/``upper`` limits at
    ``interval_confidence``; or ``counts``/``denominators`` with ``statistic`` and ``per``
    (see :func:`se_from_counts`). Points with a missing value or SE are dropped before the last
    ``n_points`` are taken; fewer than ``n_points`` usable points, or a zero SE among them,
    gives ``"cannot_be_calculated"`` with the reason.

    The trend is ``"increasing"``/``"decreasing"`` when ``chi2`` exceeds the chi-squared
    quantile for ``confidence`` (9.5495 at 0.998) and every leave-one-out refit has a slope of
    the same sign; otherwise ``"no_significant_change"``. ``polarity``
    (``"higher_is_better" | "lower_is_better" | "no_judgement"``) maps the marker to
    ``assessment`` ``"improving"``/``"worsening"``.

    Reference: PHE (2018) recent trend marker; Armitage, Berry & Matthews (2002).
    """
    c = check_confidence(confidence)
    if polarity not in ("higher_is_better", "lower_is_better", "no_judgement"):
        raise InputError(
            "unknown polarity",
            value=polarity,
            expected="higher_is_better | lower_is_better | no_judgement",
        )
    x = as_float_array(periods, "periods").ravel()
    y = as_float_array(values, "values").ravel()
    given = sum(a is not None for a in (se, lower, counts))
    if given != 1:
        raise InputError(
            "give exactly one source of standard errors",
            expected="se=..., or lower=/upper=..., or counts=/denominators=...",
        )
    if se is not None:
        s = as_float_array(se, "se").ravel()
    elif lower is not None:
        if upper is None:
            raise InputError("upper limits missing", expected="both lower and upper")
        s = np.asarray(se_from_limits(lower, upper, interval_confidence), dtype=float).ravel()
    else:
        if denominators is None:
            raise InputError("denominators missing", expected="both counts and denominators")
        xc = as_float_array(counts, "counts").ravel()
        dn = as_float_array(denominators, "denominators").ravel()
        ok_c = ~np.isnan(xc) & ~np.isnan(dn) & (dn > 0)
        s = np.full(xc.shape, np.nan)
        s[ok_c] = np.asarray(se_from_counts(xc[ok_c], dn[ok_c], statistic, per)).ravel()
    if not (x.size == y.size == s.size):
        raise InputError(
            "periods, values and standard errors have different lengths",
            value=(x.size, y.size, s.size),
        )
    if x.size != np.unique(x).size:
        raise InputError("a period occurs twice in the series", value=x.tolist())
    order = np.argsort(x)
    x, y, s = x[order], y[order], s[order]
    usable = np.isfinite(x) & np.isfinite(y) & np.isfinite(s)
    x, y, s = x[usable], y[usable], s[usable]
    threshold = _chi2_threshold(c)

    def result(marker: str, slope: float, chi2: float, reason: str, used: np.ndarray):
        assessment = None
        if marker in ("increasing", "decreasing") and polarity != "no_judgement":
            good = (marker == "increasing") == (polarity == "higher_is_better")
            assessment = "improving" if good else "worsening"
        return TrendResult(
            marker=marker,
            assessment=assessment,
            slope=slope,
            chi2=chi2,
            threshold=threshold,
            n_points=int(used.size),
            periods=tuple(float(p) for p in used),
            reason=reason,
            confidence=c,
        )

    nan = float("nan")
    if x.size < n_points:
        return result(
            "cannot_be_calculated",
            nan,
            nan,
            f"{x.size} usable points; the trend marker needs {n_points}",
            x,
        )
    x, y, s = x[-n_points:], y[-n_points:], s[-n_points:]
    if np.any(s <= 0):
        return result(
            "cannot_be_calculated",
            nan,
            nan,
            "a standard error is zero (e.g. a proportion of 0 % or 100 %, or no events)",
            x,
        )
    w = 1.0 / s**2
    slope, _, sxx = _fit(x, y, w)
    chi2 = slope**2 * sxx
    if not chi2 > threshold:
        return result(
            "no_significant_change",
            slope,
            chi2,
            f"chi-squared {chi2:.4g} does not exceed {threshold:.4f}",
            x,
        )
    sign = np.sign(slope)
    for i in range(n_points):
        keep = np.arange(n_points) != i
        sub_slope = _fit(x[keep], y[keep], w[keep])[0]
        # A refit slope that is zero up to rounding (e.g. four equal values) keeps no sign.
        if not sub_slope * sign > 1e-9 * abs(slope):
            return result(
                "no_significant_change",
                slope,
                chi2,
                f"the slope does not keep its sign when period {x[i]:g} is left out",
                x,
            )
    marker = "increasing" if sign > 0 else "decreasing"
    return result(
        marker,
        slope,
        chi2,
        f"chi-squared {chi2:.4g} exceeds {threshold:.4f} and every leave-one-out slope "
        "has the same sign",
        x,
    )


def difference_test(
    v1: Any, se1: Any, v2: Any, se2: Any, confidence: float = 0.95
) -> DifferenceResult:
    """z-test of the change ``v2 - v1`` between two independent estimates.

    ``se = sqrt(se1^2 + se2^2)``, ``z = (v2 - v1) / se``, two-sided p-value, and the interval
    ``(v2 - v1) +/- z_c se``. Vectorised; a missing value or zero SE gives ``"not_tested"``.
    The estimates must be independent (different periods of a survey with fresh samples, or
    counts in disjoint periods); for overlapping samples the SE is too large.

    Reference: Altman & Bland (2003); Armitage, Berry & Matthews (2002), section 4.5.
    """
    c = check_confidence(confidence)
    a1, s1, a2, s2 = np.broadcast_arrays(
        as_float_array(v1, "v1"),
        as_float_array(se1, "se1"),
        as_float_array(v2, "v2"),
        as_float_array(se2, "se2"),
    )
    if np.any(s1 < 0) or np.any(s2 < 0):
        raise InputError("standard errors must not be negative")
    d = a2 - a1
    se = np.sqrt(s1**2 + s2**2)
    ok = np.isfinite(d) & np.isfinite(se) & (se > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(ok, d / np.where(ok, se, 1.0), np.nan)
    # norm.sf(|z|) = ndtr(−|z|), as SciPy computes it, without the distribution-object overhead.
    p = np.where(ok, 2 * _sc.ndtr(-np.abs(z)), np.nan)
    zc = z_value(c)
    sig = ok & (p < 1 - c)
    direction = np.where(
        ~ok,
        "not_tested",
        np.where(
            sig & (d > 0), "increase", np.where(sig & (d < 0), "decrease", "no_significant_change")
        ),
    )
    return DifferenceResult(
        difference=scalar_or_array(d),
        se=scalar_or_array(se),
        z=scalar_or_array(z),
        p_value=scalar_or_array(p),
        lower=scalar_or_array(np.where(ok, d - zc * se, np.nan)),
        upper=scalar_or_array(np.where(ok, d + zc * se, np.nan)),
        significant=bool(sig) if sig.ndim == 0 else sig,
        direction=str(direction) if direction.ndim == 0 else direction,
        confidence=c,
    )
