"""Confidence intervals for proportions, counts, rates, means and medians.

Conventions (the package's, see :mod:`skillnader.stats`), as they apply to per-cell functions:

* Functions are vectorised: arguments may be scalars or NumPy arrays (broadcast together).
  Scalar inputs give Python floats back, array inputs give arrays.
* ``confidence`` is a two-sided level strictly between 0 and 1 (0.95, 0.998, ...).
* Impossible inputs (negative counts, more events than trials, a confidence level of 95 instead
  of 0.95) raise :class:`~skillnader.errors.InputError`: they are mistakes the caller must fix.
* Inputs for which the statistic is *undefined* but not wrong (a proportion of 0 out of 0, the
  mean of one value) give ``NaN``. A NaN is never silent in the product: the calling layer
  shows it as "cannot be calculated", and the result objects carry the reason where there is one.

References
----------
* Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
  *JASA* 22:209-212. Newcombe RG (1998). Two-sided confidence intervals for the single
  proportion: comparison of seven methods. *Stat Med* 17:857-872.
* Breslow NE, Day NE (1987). *Statistical Methods in Cancer Research, vol. II*. IARC, p. 69
  (Byar's approximation to the exact Poisson interval).
* Ulm K (1990). A simple method to calculate the confidence interval of a standardized mortality
  ratio. *Am J Epidemiol* 131:373-375 (exact Poisson limits from chi-squared quantiles).
* Conover WJ (1999). *Practical Nonparametric Statistics*, 3rd ed., Wiley, section 3.2
  (confidence interval for a quantile from order statistics).
* Public Health England (2018). *Technical guide: confidence intervals* (APHO/PHE), and the
  R package PHEindicatormethods, whose conventions (exact Poisson below 10 events) we follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from skillnader.errors import InputError


class _LazyStats:
    """``scipy.stats``, imported on first use: it takes about half a second to import and the
    Wilson interval (used by the allocation report, for one) does not need it."""

    def __getattr__(self, name: str) -> Any:
        from scipy import stats

        return getattr(stats, name)


_st = _LazyStats()

__all__ = [
    "Estimate",
    "byar",
    "check_confidence",
    "exact_poisson",
    "mean_ci",
    "median_ci",
    "proportion",
    "rate",
    "wilson",
    "z_value",
]

#: Below this many events Byar's approximation is replaced by exact Poisson limits, as in the
#: English public-health methods (PHE technical guide; PHEindicatormethods).
BYAR_EXACT_BELOW = 10


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval.

    ``value``, ``lower`` and ``upper`` are floats for a single estimate or equally shaped arrays
    for a vector of estimates. ``note`` says why a value is NaN or was not computed, when it is.
    An :class:`Estimate` unpacks like a tuple: ``value, lower, upper = rate(...)``.
    """

    value: Any
    lower: Any
    upper: Any
    method: str
    confidence: float
    note: str | None = None

    def __iter__(self):
        return iter((self.value, self.lower, self.upper))

    def as_dict(self) -> dict[str, Any]:
        """Plain dictionary for JSON output: lists for arrays, ``None`` for NaN (JSON has none)."""

        def plain(v: Any) -> Any:
            if isinstance(v, np.ndarray):
                return [None if x != x else x for x in v.astype(float).ravel().tolist()]
            return None if v is None or v != v else float(v)

        return {
            "value": plain(self.value),
            "lower": plain(self.lower),
            "upper": plain(self.upper),
            "method": self.method,
            "confidence": self.confidence,
            "note": self.note,
        }


# --------------------------------------------------------------------------------------------
# helpers shared by the other modules


def check_confidence(confidence: float) -> float:
    """Validate a two-sided confidence level and return it as a float.

    Levels written as percentages (95, 99.8) are rejected rather than guessed, because 0.95 and
    95 differ by a factor that would silently change every interval.
    """
    try:
        c = float(confidence)
    except (TypeError, ValueError):
        raise InputError(
            "confidence level is not a number", value=confidence, expected="e.g. 0.95 or 0.998"
        ) from None
    if not 0.0 < c < 1.0:
        raise InputError(
            "confidence level must be strictly between 0 and 1",
            value=confidence,
            expected="e.g. 0.95 or 0.998",
        )
    return c


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile for ``confidence`` (1.959964 for 0.95)."""
    return _z(check_confidence(confidence))


#: ``scipy.special.ndtri(0.5 + c / 2)`` for the usual levels, to the bit (tested), so that an
#: interval at these levels imports no part of SciPy (scipy.special alone takes 0.1-0.2 s).
_Z_USUAL = {
    0.8: 1.2815515655446004,
    0.9: 1.6448536269514722,
    0.95: 1.959963984540054,
    0.99: 2.5758293035489004,
    0.998: 3.090232306167813,
    0.999: 3.2905267314919255,
}


@lru_cache(maxsize=32)
def _z(c: float) -> float:
    if c in _Z_USUAL:
        return _Z_USUAL[c]
    # ``scipy.special.ndtri`` is what ``scipy.stats.norm.ppf`` evaluates (the same value, to the
    # bit), without importing scipy.stats.
    from scipy.special import ndtri

    return float(ndtri(0.5 + c / 2.0))


def as_float_array(x: Any, name: str) -> np.ndarray:
    """Convert to a float array, rejecting strings and other non-numeric input clearly."""
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be numeric", value=x, expected="numbers") from None


def scalar_or_array(a: np.ndarray) -> Any:
    """Return a Python float for 0-d results, the array otherwise."""
    a = np.asarray(a)
    return float(a) if a.ndim == 0 else a


def _check_nonnegative(a: np.ndarray, name: str) -> None:
    bad = a < 0
    if np.any(bad):
        raise InputError(
            f"{name} must not be negative",
            value=a[bad].ravel()[0].item() if a.ndim else float(a),
            expected=f"{name} >= 0",
        )


# --------------------------------------------------------------------------------------------
# proportions


def wilson(x: Any, n: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Wilson score interval for the proportion ``x / n``.

    Returns ``(lower, upper)`` as proportions (0-1). ``x = 0`` gives a lower limit of exactly 0
    and ``x = n`` an upper limit of exactly 1. ``n = 0`` gives NaN (the proportion is
    undefined). ``x < 0``, ``n < 0`` or ``x > n`` raise :class:`InputError`.

    Reference: Wilson (1927); Newcombe (1998), method 3; PHE technical guide on confidence
    intervals (the form used by PHEindicatormethods' ``wilson_lower``/``wilson_upper``).
    """
    z = z_value(confidence)
    xa = as_float_array(x, "x")
    na = as_float_array(n, "n")
    _check_nonnegative(xa, "x")
    _check_nonnegative(na, "n")
    xa, na = np.broadcast_arrays(xa, na)
    if np.any(xa > na):
        raise InputError(
            "numerator larger than denominator",
            value=(xa[xa > na].ravel()[0].item(), na[xa > na].ravel()[0].item()),
            expected="x <= n",
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(na > 0, xa / na, np.nan)
        centre = 2 * xa + z * z
        half = z * np.sqrt(z * z + 4 * xa * (1 - p))
        denom = 2 * (na + z * z)
        lower = (centre - half) / denom
        upper = (centre + half) / denom
    # Exact boundaries: rounding in the square root must not leave 1e-17 above 0 or below 1.
    lower = np.where(xa == 0, 0.0, lower)
    upper = np.where((xa == na) & (na > 0), 1.0, upper)
    lower = np.where(na > 0, lower, np.nan)
    upper = np.where(na > 0, upper, np.nan)
    return scalar_or_array(lower), scalar_or_array(upper)


def proportion(x: Any, n: Any, confidence: float = 0.95, per: float = 1.0) -> Estimate:
    """Proportion ``x / n`` (times ``per``, e.g. 100 for a percentage) with a Wilson interval.

    Reference: as :func:`wilson`; PHEindicatormethods ``phe_proportion``.
    """
    lower, upper = wilson(x, n, confidence)
    xa = as_float_array(x, "x")
    na = as_float_array(n, "n")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(na > 0, xa / np.where(na > 0, na, 1.0), np.nan) * per
    note = "denominator 0: proportion undefined" if np.any(na == 0) else None
    return Estimate(
        scalar_or_array(value),
        scalar_or_array(np.asarray(lower) * per),
        scalar_or_array(np.asarray(upper) * per),
        "Wilson",
        check_confidence(confidence),
        note,
    )


# --------------------------------------------------------------------------------------------
# counts and rates


def exact_poisson(x: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Exact (Garwood) Poisson interval for an observed count ``x``.

    ``lower = chi2(alpha/2; 2x) / 2`` and ``upper = chi2(1 - alpha/2; 2x + 2) / 2``; the lower
    limit is 0 for ``x = 0``. Non-integer ``x`` (e.g. a weighted count) is accepted.

    Reference: Garwood F (1936), *Biometrika* 28:437-442; Ulm (1990).
    """
    c = check_confidence(confidence)
    alpha = 1.0 - c
    xa = as_float_array(x, "x")
    _check_nonnegative(xa, "count")
    with np.errstate(invalid="ignore"):
        lower = np.where(xa > 0, _st.chi2.ppf(alpha / 2, 2 * np.maximum(xa, 1e-300)) / 2, 0.0)
        upper = _st.chi2.ppf(1 - alpha / 2, 2 * xa + 2) / 2
    return scalar_or_array(lower), scalar_or_array(upper)


def byar(x: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Confidence interval for a Poisson count ``x`` by Byar's approximation.

    Below :data:`BYAR_EXACT_BELOW` (10) events the exact Poisson limits are used instead, as in
    the English public-health methods: Byar's formula is poor for very small counts.

    ``lower = x (1 - 1/(9x) - z/(3 sqrt x))^3``,
    ``upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3``.

    Reference: Breslow & Day (1987), p. 69; PHE technical guide on confidence intervals;
    PHEindicatormethods ``byars_lower``/``byars_upper``.
    """
    z = z_value(confidence)
    xa = as_float_array(x, "x")
    _check_nonnegative(xa, "count")
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = np.where(xa > 0, xa, 1.0)
        a = 1 - 1 / (9 * xs) - z / (3 * np.sqrt(xs))
        b = 1 - 1 / (9 * (xa + 1)) + z / (3 * np.sqrt(xa + 1))
        lower = xs * (a * a * a)
        upper = (xa + 1) * (b * b * b)
    small = xa < BYAR_EXACT_BELOW
    if np.any(small):
        # chi-squared quantiles are costly: evaluate them only where they are needed
        lower_e, upper_e = exact_poisson(xa[small], confidence)
        lower = np.array(lower, dtype=float, copy=True)
        upper = np.array(upper, dtype=float, copy=True)
        lower[small] = lower_e
        upper[small] = upper_e
    return scalar_or_array(lower), scalar_or_array(upper)


def rate(
    x: Any,
    population: Any,
    per: float = 100_000,
    confidence: float = 0.95,
) -> Estimate:
    """Crude rate ``x / population * per`` with Byar limits (exact Poisson below 10 events).

    ``population = 0`` gives NaN; negative inputs raise :class:`InputError`.

    Reference: PHE technical guide on confidence intervals; PHEindicatormethods ``phe_rate``.
    """
    xa = as_float_array(x, "x")
    pa = as_float_array(population, "population")
    _check_nonnegative(pa, "population")
    lower, upper = byar(xa, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(pa > 0, per / np.where(pa > 0, pa, 1.0), np.nan)
    note = "population 0: rate undefined" if np.any(pa == 0) else None
    return Estimate(
        scalar_or_array(xa * scale),
        scalar_or_array(np.asarray(lower) * scale),
        scalar_or_array(np.asarray(upper) * scale),
        "Byar" if np.all(xa >= BYAR_EXACT_BELOW) else "Byar (exact Poisson below 10 events)",
        check_confidence(confidence),
        note,
    )


# --------------------------------------------------------------------------------------------
# means and medians


def mean_ci(
    values: Any = None,
    confidence: float = 0.95,
    *,
    mean: Any = None,
    sd: Any = None,
    n: Any = None,
) -> Estimate:
    """Mean with a Student t interval: ``mean +/- t(n-1) * sd / sqrt(n)``.

    Give either ``values`` (one sample; NaNs are dropped) or the summaries ``mean``, ``sd`` and
    ``n`` (scalars or arrays, vectorised). With ``n < 2`` the interval is NaN.

    Reference: any statistics text, e.g. Altman DG et al. (2000), *Statistics with Confidence*,
    2nd ed., BMJ Books, ch. 4; PHEindicatormethods ``phe_mean``.
    """
    c = check_confidence(confidence)
    if values is not None:
        if mean is not None or sd is not None or n is not None:
            raise InputError("give either values or mean/sd/n, not both")
        v = as_float_array(values, "values").ravel()
        v = v[~np.isnan(v)]
        n_a = np.asarray(float(v.size))
        m_a = np.asarray(v.mean() if v.size else np.nan)
        s_a = np.asarray(v.std(ddof=1) if v.size > 1 else np.nan)
    else:
        if mean is None or sd is None or n is None:
            raise InputError("mean_ci needs values, or all of mean, sd and n")
        m_a = as_float_array(mean, "mean")
        s_a = as_float_array(sd, "sd")
        n_a = as_float_array(n, "n")
        _check_nonnegative(s_a, "sd")
        _check_nonnegative(n_a, "n")
    ok = n_a >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(ok, n_a - 1, np.nan)
        t = _st.t.ppf(0.5 + c / 2, df)
        half = t * s_a / np.sqrt(n_a)
    lower = np.where(ok, m_a - half, np.nan)
    upper = np.where(ok, m_a + half, np.nan)
    note = None if np.all(ok) else "fewer than 2 observations: no interval"
    return Estimate(
        scalar_or_array(np.where(n_a > 0, m_a, np.nan)),
        scalar_or_array(lower),
        scalar_or_array(upper),
        "Student's t",
        c,
        note,
    )


def median_ci(values: Any, confidence: float = 0.95) -> Estimate:
    """Median of a sample with a distribution-free interval from order statistics.

    The limits are the order statistics ``x(r)`` and ``x(s)``, ``s = n - r + 1``, with ``r`` the
    largest rank for which ``P(B <= r - 1) <= alpha / 2`` where ``B ~ Binomial(n, 1/2)``. The
    coverage ``1 - 2 P(B <= r - 1)`` is then at least ``confidence`` (conservative, because the
    binomial is discrete). When even the sample minimum and maximum cannot reach the level
    (small ``n``), the interval is NaN and ``note`` says why.

    Reference: Conover (1999), section 3.2, method for quantiles (here p = 0.5); Campbell MJ,
    Gardner MJ (1988), *BMJ* 296:1454-1456.
    """
    c = check_confidence(confidence)
    v = as_float_array(values, "values").ravel()
    v = np.sort(v[~np.isnan(v)])
    n = v.size
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan, "order statistics", c, "no values")
    med = float(np.median(v))
    alpha = 1.0 - c
    # r = the largest rank with P(B < r) <= alpha/2, i.e. P(B <= r - 1) <= alpha/2.
    r = int(_st.binom.ppf(alpha / 2, n, 0.5))
    if _st.binom.cdf(r, n, 0.5) > alpha / 2:
        r -= 1
    r += 1  # 1-based rank of the lower order statistic
    s = n - r + 1
    if r < 1 or s > n or r > s:
        return Estimate(
            med,
            np.nan,
            np.nan,
            "order statistics",
            c,
            f"{n} values are too few for a {c:.1%} interval for the median",
        )
    return Estimate(med, float(v[r - 1]), float(v[s - 1]), "order statistics", c)
