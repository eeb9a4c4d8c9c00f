"""Follow-up rules: is a target met, how does the trend look, how likely is the target by its year.

Everything here works on plain numbers (years, values and their confidence intervals) so that the
web app, the command line and the reports use one set of rules. Targets come in three kinds
(:mod:`skillnader.steering.model`): a *level* to reach in a year (the city's *årsmål*, "a level
to be reached during the current year"), a *direction* of change from a base year, and either of
them on a *gap* (between the highest and lowest area, between two groups or between two areas)
instead of on the indicator itself.

Status of a target (:func:`assess_level`, :func:`assess_direction`) uses the interval, not only
the point estimate:

* a level target "at least T": **met** when the whole interval is at or above T (``lower >= T``),
  **not met** when the whole interval is below T (``upper < T``), otherwise **not assessable**
  (the interval contains T: the data cannot tell whether the target was reached). "At most T"
  mirrors this (met ``upper <= T``, not met ``lower > T``);
* a direction target "shall decrease" from the base year: the change ``v_t - v_0`` gets a MOVER
  interval from the two years' intervals (independent estimates; Zou & Donner 2008, via
  :func:`skillnader.stats.inequality.absolute_gap`); **met** when the whole interval is below 0,
  **not met** when it is at or above 0, otherwise not assessable. "Shall increase" mirrors this;
* without an interval (a register count published without one) the point estimate decides and
  the result says ``exact=False`` so that pages can say so; no observation gives not assessable.

Trend judgement (:func:`trend_judgement`) follows the city's published scale (annual report,
"Kommunfullmäktiges mål"): *helt* = the development goes the right way with a strong trend,
*delvis* = the right way with a weak trend, *ej* = not the right way. The product reads "strong"
as a weighted least-squares slope in the wanted direction that differs from zero at the 95 %
level (chi-squared test on one degree of freedom, :func:`skillnader.stats.trend.weighted_slope`),
"weak" as a slope in the wanted direction that does not, and "not the right way" as a slope
against the wanted direction. This reading is the product's, not the city's: the city weighs
its indicators together with the boards' own analyses, which is why the written judgement is
always shown next to the computed one.

Probability of meeting a target by its year (:func:`probability_by_year`): the straight line
through the series (weighted by ``1 / SE^2``; ordinary least squares when intervals are missing
and there are at least three points) is extended to the target year; the probability is
``Phi((T - yhat) / se(yhat))`` for "at most T" (``1 - Phi`` for "at least T") with
``se(yhat)^2 = 1 / sum w + (T_year - xw)^2 / Sxx`` (Armitage, Berry & Matthews 2002, 11.3). It
carries the uncertainty of the line, not the sampling error of the future year's estimate, and
assumes the trend continues; it is a guide, not a forecast. For a direction target ("shall
decrease from the base year") the question is whether the line moves the wanted way between the
two years (:func:`probability_of_change`): ``Phi(-b d / (se(b) d))`` for a decrease over ``d``
years, the slope's own test read one-sided: the probability is above 97.5 % exactly when the
trend judgement is *helt*, so a weak trend (*delvis*) never comes with a near-certain one.

Gaps (:func:`range_gap`, :func:`group_gap`): the highest minus the lowest area value, or group
``a`` minus group ``b``, with the MOVER interval of the difference of the two estimates. For the
range the two areas are chosen *by* their estimates, so the interval understates the
uncertainty of "the true range"; pages say which areas were highest and lowest each year.

References: Zou GY & Donner A (2008), *Statistics in Medicine* 27:1693-1702; Armitage P, Berry G,
Matthews JNS (2002), *Statistical Methods in Medical Research*, 4th ed., section 11.3; City of
Stockholm, *Årsredovisning 2021*, "Kommunfullmäktiges mål" (scale helt/delvis/ej).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import stats as _st

from skillnader.errors import InputError
from skillnader.stats.inequality import absolute_gap
from skillnader.stats.intervals import byar, wilson, z_value
from skillnader.stats.trend import weighted_slope

__all__ = [
    "Estimate",
    "Status",
    "TrendJudgement",
    "Probability",
    "observation_interval",
    "assess_level",
    "assess_direction",
    "range_gap",
    "group_gap",
    "trend_judgement",
    "probability_by_year",
]

MET = "met"
NOT_MET = "not_met"
NOT_ASSESSABLE = "not_assessable"
STATUSES = (MET, NOT_MET, NOT_ASSESSABLE)

Direction = Literal["increase", "decrease"]


@dataclass(frozen=True)
class Estimate:
    """One year's value with its interval (``lower``/``upper`` None when it has none).

    ``label`` says what the value is, e.g. which areas a range gap runs between."""

    year: int
    value: float
    lower: float | None = None
    upper: float | None = None
    label: str = ""

    @property
    def has_interval(self) -> bool:
        return self.lower is not None and self.upper is not None

    def se(self, confidence: float = 0.95) -> float | None:
        """Standard error implied by the interval (symmetric approximation)."""
        if not self.has_interval:
            return None
        return (self.upper - self.lower) / (2 * z_value(confidence))


@dataclass(frozen=True)
class Status:
    """Outcome of a target check: ``status`` is met / not_met / not_assessable; ``reason`` is a
    short code (``no_observation``, ``interval_includes_target``, ``no_base_year``, …);
    ``exact`` is False when the point estimate decided because there was no interval."""

    status: str
    reason: str = ""
    exact: bool = True
    value: float | None = None
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class TrendJudgement:
    """Computed helt/delvis/ej (or ``not_assessable``) with the slope behind it."""

    judgement: str
    slope: float | None = None
    se: float | None = None
    p_value: float | None = None
    n: int = 0
    weighted: bool = True
    reason: str = ""


@dataclass(frozen=True)
class Probability:
    """Probability that the target is met in ``year`` if the fitted trend continues."""

    probability: float | None
    year: int
    predicted: float | None = None
    se: float | None = None
    n: int = 0
    weighted: bool = True
    reason: str = ""
    line: tuple[float, float] | None = field(default=None, repr=False)  # intercept, slope
    #: for a direction target: the line's change from the base year to ``year``, and its SE
    change: float | None = None
    change_se: float | None = None


def _check_direction(direction: str) -> str:
    if direction not in ("increase", "decrease"):
        raise InputError("unknown direction", value=direction, expected="increase | decrease")
    return direction


def observation_interval(
    value: float | None,
    lower: float | None = None,
    upper: float | None = None,
    numerator: float | None = None,
    denominator: float | None = None,
    multiplier: float = 1.0,
    measure: str = "proportion",
    confidence: float = 0.95,
) -> tuple[float | None, float | None, str]:
    """The interval to judge an observation by, and how it was obtained.

    Published limits are used as they are (``"published"``). Otherwise a proportion with its
    count and denominator gets a Wilson interval (``"wilson"``); a value with only its count
    (a share published as a percentage with the number of persons) gets the Byar interval of the
    count scaled to the value (``"byar"``), which treats the denominator as fixed. Without any of
    these the value has no interval (``"none"``).
    """
    if value is None:
        return None, None, "none"
    if lower is not None and upper is not None:
        return lower, upper, "published"
    if measure == "proportion" and numerator is not None and denominator:
        lo, hi = wilson(numerator, denominator, confidence)
        return float(lo) * multiplier, float(hi) * multiplier, "wilson"
    if numerator is not None and numerator > 0 and value > 0:
        lo, hi = byar(numerator, confidence)
        return value * float(lo) / numerator, value * float(hi) / numerator, "byar"
    return None, None, "none"


def assess_level(estimate: Estimate | None, target: float, direction: Direction) -> Status:
    """Status of "at least ``target``" (``direction="increase"``) or "at most ``target``"
    (``"decrease"``) for one year's estimate; see the module docstring for the edges."""
    _check_direction(direction)
    if estimate is None or estimate.value is None or not math.isfinite(estimate.value):
        return Status(NOT_ASSESSABLE, "no_observation")
    v, lo, hi = estimate.value, estimate.lower, estimate.upper
    if not estimate.has_interval:
        ok = v >= target if direction == "increase" else v <= target
        return Status(MET if ok else NOT_MET, "no_interval", exact=False, value=v)
    if direction == "increase":
        status = MET if lo >= target else NOT_MET if hi < target else NOT_ASSESSABLE
    else:
        status = MET if hi <= target else NOT_MET if lo > target else NOT_ASSESSABLE
    reason = "interval_includes_target" if status == NOT_ASSESSABLE else ""
    return Status(status, reason, value=v, lower=lo, upper=hi)


def change(base: Estimate, current: Estimate) -> Estimate:
    """``current - base`` with the MOVER interval of a difference of independent estimates."""
    if not (base.has_interval and current.has_interval):
        return Estimate(current.year, current.value - base.value)
    g = absolute_gap(
        current.value, current.lower, current.upper, base.value, base.lower, base.upper
    )
    return Estimate(current.year, float(g.value), float(g.lower), float(g.upper))


def assess_direction(
    base: Estimate | None, current: Estimate | None, direction: Direction
) -> Status:
    """Status of "shall increase/decrease from the base year" (see the module docstring)."""
    _check_direction(direction)
    if base is None:
        return Status(NOT_ASSESSABLE, "no_base_year")
    if current is None or current.year <= base.year:
        return Status(NOT_ASSESSABLE, "no_later_observation")
    d = change(base, current)
    if not d.has_interval:
        ok = d.value > 0 if direction == "increase" else d.value < 0
        return Status(MET if ok else NOT_MET, "no_interval", exact=False, value=d.value)
    if direction == "decrease":
        status = MET if d.upper < 0 else NOT_MET if d.lower >= 0 else NOT_ASSESSABLE
    else:
        status = MET if d.lower > 0 else NOT_MET if d.upper <= 0 else NOT_ASSESSABLE
    reason = "interval_includes_no_change" if status == NOT_ASSESSABLE else ""
    return Status(status, reason, value=d.value, lower=d.lower, upper=d.upper)


def range_gap(year: int, estimates: Sequence[tuple[str, Estimate]]) -> Estimate | None:
    """Highest minus lowest of the areas' estimates for one year, with a MOVER interval.

    ``estimates`` are ``(area name, estimate)``; areas without a value are left out. Needs two
    areas; the label names the highest and the lowest.
    """
    usable = [(n, e) for n, e in estimates if e is not None and e.value is not None]
    if len(usable) < 2:
        return None
    hi_name, hi = max(usable, key=lambda t: t[1].value)
    lo_name, lo = min(usable, key=lambda t: t[1].value)
    label = f"{hi_name} – {lo_name}"
    if hi.has_interval and lo.has_interval:
        g = absolute_gap(hi.value, hi.lower, hi.upper, lo.value, lo.lower, lo.upper)
        return Estimate(year, float(g.value), float(g.lower), float(g.upper), label)
    return Estimate(year, hi.value - lo.value, None, None, label)


def group_gap(
    year: int, a: Estimate | None, b: Estimate | None, label: str = ""
) -> Estimate | None:
    """``a - b`` (two groups or two areas) with a MOVER interval (independent estimates)."""
    if a is None or b is None:
        return None
    if a.has_interval and b.has_interval:
        g = absolute_gap(a.value, a.lower, a.upper, b.value, b.lower, b.upper)
        return Estimate(year, float(g.value), float(g.lower), float(g.upper), label)
    return Estimate(year, a.value - b.value, None, None, label)


def _line(series: Sequence[Estimate], confidence: float):
    """(x, y, weights or None, intercept, slope, se_slope, p, xw, sum_w or residual var, Sxx)."""
    pts = sorted((e for e in series if e is not None and e.value is not None), key=lambda e: e.year)
    years = [e.year for e in pts]
    if len(set(years)) != len(years):
        raise InputError("a year occurs twice in the series", value=years)
    if len(pts) < 2:
        return None, "too_few_points", len(pts)
    x = np.array(years, dtype=float)
    y = np.array([e.value for e in pts], dtype=float)
    ses = [e.se(confidence) for e in pts]
    if all(s is not None and s > 0 for s in ses):
        s = np.array(ses, dtype=float)
        fit = weighted_slope(x, y, s)
        w = 1.0 / s**2
        xw = float((w * x).sum() / w.sum())
        sxx = float((w * (x - xw) ** 2).sum())
        return (
            dict(
                intercept=fit.intercept, slope=fit.slope, se=fit.se, p=fit.p_value,
                xw=xw, var_mean=1.0 / float(w.sum()), sxx=sxx, n=len(pts), weighted=True,
            ),
            "",
            len(pts),
        )  # fmt: skip
    if len(pts) < 3:
        return None, "no_interval_and_too_few_points", len(pts)
    r = _st.linregress(x, y)
    resid = y - (r.intercept + r.slope * x)
    s2 = float((resid**2).sum() / (len(pts) - 2))
    xw = float(x.mean())
    sxx = float(((x - xw) ** 2).sum())
    return (
        dict(
            intercept=float(r.intercept), slope=float(r.slope), se=float(r.stderr),
            p=float(r.pvalue), xw=xw, var_mean=s2 / len(pts), sxx=sxx / s2 if s2 > 0 else math.inf,
            n=len(pts), weighted=False,
        ),
        "",
        len(pts),
    )  # fmt: skip


def trend_judgement(
    series: Sequence[Estimate], direction: Direction, confidence: float = 0.95
) -> TrendJudgement:
    """Computed helt / delvis / ej (module docstring) from the series' fitted slope.

    ``not_assessable`` with a reason for fewer than two points (three without intervals).
    """
    _check_direction(direction)
    fit, reason, n = _line(series, confidence)
    if fit is None:
        return TrendJudgement("not_assessable", n=n, reason=reason)
    slope, p = fit["slope"], fit["p"]
    right = slope > 0 if direction == "increase" else slope < 0
    if slope == 0 or not right:
        judgement = "ej"
    elif p < 1 - confidence:
        judgement = "helt"
    else:
        judgement = "delvis"
    return TrendJudgement(
        judgement, slope=slope, se=fit["se"], p_value=p, n=n, weighted=fit["weighted"]
    )


def _line_value(fit: dict, year: int) -> tuple[float, float]:
    """The fitted line's value in ``year`` and its standard error
    (``se(yhat)^2 = 1 / sum w + (year - xw)^2 / Sxx``)."""
    pred = fit["intercept"] + fit["slope"] * year
    var = fit["var_mean"] + (year - fit["xw"]) ** 2 / fit["sxx"] if fit["sxx"] else math.inf
    return pred, math.sqrt(var) if math.isfinite(var) else math.inf


def probability_by_year(
    series: Sequence[Estimate],
    year: int,
    threshold: float,
    direction: Direction,
    confidence: float = 0.95,
) -> Probability:
    """Probability that the trend line is beyond ``threshold`` in ``year``: "at least" for
    ``increase``, "at most" for ``decrease`` (module docstring)."""
    _check_direction(direction)
    fit, reason, n = _line(series, confidence)
    if fit is None:
        return Probability(None, year, n=n, reason=reason)
    pred, se = _line_value(fit, year)
    if se == 0:
        ok = pred >= threshold if direction == "increase" else pred <= threshold
        p = 1.0 if ok else 0.0
    else:
        zscore = (threshold - pred) / se
        p = float(_st.norm.sf(zscore)) if direction == "increase" else float(_st.norm.cdf(zscore))
    return Probability(
        p, year, predicted=pred, se=se, n=n, weighted=fit["weighted"],
        line=(fit["intercept"], fit["slope"]),
    )  # fmt: skip


def probability_of_change(
    series: Sequence[Estimate],
    base_year: int,
    year: int,
    direction: Direction,
    confidence: float = 0.95,
) -> Probability:
    """Probability that the trend line has moved the wanted way between ``base_year`` and
    ``year`` (a direction target, "shall decrease from 2015 to 2018"): the line's change
    ``b (year - base_year)`` has the SE ``se(b) |year - base_year|`` with ``se(b)^2 = 1 / Sxx``,
    so the probability is ``Phi(-change / se)`` for ``decrease`` (``Phi(change / se)`` for
    ``increase``). The base year's value is read off the same line as the target year's, so
    its sampling error is not counted twice, nor ignored as it would be by comparing the line
    with the base year's observed value as if that were known exactly."""
    _check_direction(direction)
    fit, reason, n = _line(series, confidence)
    if fit is None:
        return Probability(None, year, n=n, reason=reason)
    pred, se = _line_value(fit, year)
    span = year - base_year
    change = fit["slope"] * span
    change_se = abs(span) / math.sqrt(fit["sxx"]) if fit["sxx"] else math.inf
    if span == 0 or change_se == 0:
        ok = change > 0 if direction == "increase" else change < 0
        p = 1.0 if ok else 0.0
    else:
        zscore = change / change_se
        p = float(_st.norm.cdf(zscore)) if direction == "increase" else float(_st.norm.sf(zscore))
    return Probability(
        p, year, predicted=pred, se=se, n=n, weighted=fit["weighted"],
        line=(fit["intercept"], fit["slope"]), change=change, change_se=change_se,
    )  # fmt: skip
