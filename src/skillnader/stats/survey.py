"""Weighted proportions and means from survey microdata, with design-based intervals.

Two ways to get the variance, depending on what is known about the design:

* **Taylor linearisation** when strata and/or clusters (primary sampling units, PSUs) are given:
  the estimate is a ratio of weighted totals, its linearised values ``u_i = w_i (y_i - ybar) /
  sum(w)`` are summed per PSU and the variance is the with-replacement (ultimate cluster)
  estimator ``sum_h n_h / (n_h - 1) sum_j (u_hj - mean_h(u))^2``. This is what R's ``survey``
  package (``svydesign(ids=, strata=, weights=)``) and Stata's ``svy`` compute by default when no
  finite-population correction is given. Degrees of freedom: PSUs minus strata.
* **Kish's effective sample size** for a proportion without strata or clusters:
  ``n_eff = (sum w)^2 / sum w^2``, the design effect of unequal weighting; the interval is then
  Wilson's with ``n_eff`` trials.

Means always use linearisation; without clusters every respondent is its own PSU, and without
strata there is one stratum (R: ``svydesign(ids = ~1, weights = ~w)``).

Proportions use a Wilson interval with the effective sample size ``p (1 - p) / var(p)`` in both
cases, so that limits stay inside [0, 1] and unweighted data without a design give exactly the
plain Wilson interval. Means use Student's t with the design degrees of freedom, so that
unweighted data give exactly the plain t interval.

References
----------
* Kish L (1965). *Survey Sampling*. Wiley, section 11.7 (effective sample size, design effect
  of weighting).
* Wolter KM (2007). *Introduction to Variance Estimation*, 2nd ed. Springer, ch. 6 (Taylor
  series linearisation).
* Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 2-3.
* Korn EL, Graubard BI (1999). *Analysis of Health Surveys*. Wiley, section 5.2 (intervals for
  proportions with an effective sample size).
* StataCorp. *Stata Survey Data Reference Manual*, "Variance estimation".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as _st

from skillnader.errors import InputError
from skillnader.stats.intervals import as_float_array, check_confidence, wilson

__all__ = ["SurveyEstimate", "weighted_mean", "weighted_proportion"]


@dataclass(frozen=True)
class SurveyEstimate:
    """A weighted estimate with its design-based interval.

    ``n`` is the number of respondents used, ``n_effective`` the effective sample size (the
    sample size a simple random sample would need for the same variance), ``design_effect``
    ``n / n_effective`` and ``df`` the degrees of freedom used for the interval (``None`` for the
    Wilson interval of a proportion, which uses the normal quantile).
    """

    value: float
    lower: float
    upper: float
    se: float
    n: int
    n_effective: float
    design_effect: float
    df: float | None
    method: str
    confidence: float

    def __iter__(self):
        return iter((self.value, self.lower, self.upper))


def _prepare(
    y: Any, weights: Any, strata: Any, clusters: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    ya = as_float_array(y, "values").ravel()
    n = ya.size
    wa = np.ones(n) if weights is None else as_float_array(weights, "weights").ravel()
    if wa.size != n:
        raise InputError("weights and values have different lengths", value=(wa.size, n))
    st = None if strata is None else np.asarray(strata).ravel()
    cl = None if clusters is None else np.asarray(clusters).ravel()
    for arr, name in ((st, "strata"), (cl, "clusters")):
        if arr is not None and arr.size != n:
            raise InputError(f"{name} and values have different lengths", value=(arr.size, n))
    if np.any(np.isnan(wa)) or np.any(wa < 0):
        raise InputError("weights must be non-negative numbers")
    keep = ~np.isnan(ya) & (wa > 0)
    ya, wa = ya[keep], wa[keep]
    st = None if st is None else st[keep]
    cl = None if cl is None else cl[keep]
    if ya.size == 0:
        raise InputError("no observations with a value and a positive weight")
    return ya, wa, st, cl


def _linearised_variance(
    u: np.ndarray, strata: np.ndarray | None, clusters: np.ndarray | None
) -> tuple[float, float]:
    """With-replacement variance of a total of linearised values; returns (variance, df)."""
    n = u.size
    st = np.zeros(n, dtype=int) if strata is None else np.unique(strata, return_inverse=True)[1]
    if clusters is None:
        psu = np.arange(n)
    else:
        # A PSU label is only meaningful within its stratum: PSU = (stratum, cluster) pair.
        cl_idx = np.unique(clusters, return_inverse=True)[1].ravel()
        pairs = np.stack([st.ravel(), cl_idx], axis=1)
        psu = np.unique(pairs, axis=0, return_inverse=True)[1].ravel()
    psu_total = np.bincount(psu, weights=u)
    psu_stratum = np.zeros(psu_total.size, dtype=int)
    psu_stratum[psu] = st
    var = 0.0
    n_psu = 0
    n_strata = 0
    for h in np.unique(psu_stratum):
        t = psu_total[psu_stratum == h]
        n_h = t.size
        n_psu += n_h
        n_strata += 1
        if n_h < 2:
            # A stratum with one PSU carries no variance information (R survey: "lonely PSU");
            # it contributes zero, as with options(survey.lonely.psu = "certainty").
            continue
        var += n_h / (n_h - 1) * float(np.sum((t - t.mean()) ** 2))
    return var, float(n_psu - n_strata)


def weighted_proportion(
    y: Any,
    weights: Any = None,
    confidence: float = 0.95,
    *,
    strata: Any = None,
    clusters: Any = None,
) -> SurveyEstimate:
    """Weighted proportion of ``y`` (0/1 or booleans) with a design-based Wilson interval.

    Without strata or clusters the variance comes from Kish's effective sample size; with them,
    from Taylor linearisation (see the module docstring). Missing ``y`` and zero weights are
    dropped. Unweighted data without a design give the plain Wilson interval for ``x / n``.

    References: Kish (1965); Wolter (2007); Korn & Graubard (1999); Wilson (1927).
    """
    c = check_confidence(confidence)
    ya, wa, st, cl = _prepare(y, weights, strata, clusters)
    if not np.all((ya == 0) | (ya == 1)):
        raise InputError("a proportion needs 0/1 values", value=np.unique(ya)[:5].tolist())
    wsum = wa.sum()
    p = float(np.sum(wa * ya) / wsum)
    n = ya.size
    if st is None and cl is None:
        n_eff = float(wsum**2 / np.sum(wa**2))
        var = p * (1 - p) / n_eff
        method = "Wilson, Kish effective sample size"
    else:
        u = wa * (ya - p) / wsum
        var, _df = _linearised_variance(u, st, cl)
        n_eff = p * (1 - p) / var if var > 0 else float(n)
        method = "Wilson, effective sample size from Taylor linearisation"
    lower, upper = wilson(p * n_eff, n_eff, c)
    return SurveyEstimate(
        value=p,
        lower=float(lower),
        upper=float(upper),
        se=float(np.sqrt(var)),
        n=n,
        n_effective=n_eff,
        design_effect=n / n_eff,
        df=None,
        method=method,
        confidence=c,
    )


def weighted_mean(
    y: Any,
    weights: Any = None,
    confidence: float = 0.95,
    *,
    strata: Any = None,
    clusters: Any = None,
) -> SurveyEstimate:
    """Weighted mean of ``y`` with a linearised variance and a Student t interval.

    Each respondent is its own PSU when ``clusters`` is not given, and there is a single stratum
    when ``strata`` is not given; the variance is the with-replacement linearised variance and
    the degrees of freedom are PSUs minus strata. For unweighted data without a design this is
    exactly ``s^2 / n`` with ``n - 1`` degrees of freedom, the plain t interval.

    References: Wolter (2007), ch. 6; Lumley (2010), ch. 2; Stata ``svy: mean``.
    """
    c = check_confidence(confidence)
    ya, wa, st, cl = _prepare(y, weights, strata, clusters)
    wsum = wa.sum()
    m = float(np.sum(wa * ya) / wsum)
    n = ya.size
    u = wa * (ya - m) / wsum
    var, df = _linearised_variance(u, st, cl)
    se = float(np.sqrt(var))
    if df >= 1:
        t = float(_st.t.ppf(0.5 + c / 2, df))
        lower, upper = m - t * se, m + t * se
    else:
        lower = upper = float("nan")
    sd2 = float(np.sum(wa * (ya - m) ** 2) / wsum) * n / (n - 1) if n > 1 else float("nan")
    n_eff = sd2 / var if var > 0 else float(n)
    return SurveyEstimate(
        value=m,
        lower=lower,
        upper=upper,
        se=se,
        n=n,
        n_effective=n_eff,
        design_effect=n / n_eff if n_eff > 0 else float("nan"),
        df=df,
        method="Taylor linearisation, Student's t",
        confidence=c,
    )
