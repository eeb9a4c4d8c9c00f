"""Progress toward a target: the Open SDG progress measure.

For an indicator with a numeric target the measure compares the compound annual growth rate
(CAGR) actually observed since the base year with the CAGR that would reach the target on time:

* ``observed = (x_t / x_0) ** (1 / (t - t_0)) - 1``
* ``required = (target / x_0) ** (1 / (T - t_0)) - 1``
* ``ratio = observed / required``

and classifies the ratio: ``>= 0.95`` on track (substantial progress), ``0.6 - 0.95``
acceleration needed (moderate progress), ``0 - 0.6`` limited progress, ``< 0`` deterioration
(moving away from the target). A value that already meets or passes the target is
``"target_achieved"``.

The desired direction ``d`` (+1 for an increase, -1 for a decrease) comes from the indicator's
polarity, or, when no polarity is given, from the target compared with the base value; the ratio
is ``d * observed / |required|``. A target *below* the base value (overcrowding, long-term social
assistance) is therefore assessed as a decrease and never "the wrong way": a fall gives a positive
ratio, a rise a negative one.

Without a target the Open SDG method compares the observed CAGR with fixed thresholds
(1.5 % and 0.5 % a year; :func:`progress_without_target`).

References
----------
* Open SDG (2022). *Progress status — methodology* (open-sdg.readthedocs.io), implementing the
  method of Statistics Canada (2021), *Sustainable Development Goals Data Hub: progress
  assessment methodology*.
* Eurostat (2023). *Sustainable development in the European Union — Monitoring report*, Annex:
  methodology for assessing progress towards quantitative targets (same CAGR ratio, thresholds
  0.95 / 0.6 / 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from skillnader.errors import InputError
from skillnader.stats.intervals import as_float_array, scalar_or_array

__all__ = [
    "ProgressResult",
    "progress_toward_target",
    "progress_without_target",
]

ON_TRACK = 0.95
ACCELERATION = 0.6
NO_TARGET_ON_TRACK = 0.015
NO_TARGET_ACCELERATION = 0.005


@dataclass(frozen=True)
class ProgressResult:
    """Progress of one or several indicators toward their targets.

    ``category`` is ``"target_achieved" | "on_track" | "acceleration_needed" |
    "limited_progress" | "deterioration" | "not_assessed"``; ``direction`` is ``"increase"`` or
    ``"decrease"`` (what the target asks for); ``reason`` explains ``"not_assessed"``.
    Fields are scalars for scalar input, arrays otherwise.
    """

    category: Any
    ratio: Any
    observed_growth: Any
    required_growth: Any
    direction: Any
    reason: Any


def _cagr(start: np.ndarray, end: np.ndarray, years: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.power(end / start, 1.0 / years) - 1.0


def _out(a: np.ndarray) -> Any:
    if a.dtype.kind in "OU":
        return a.item() if a.ndim == 0 else a
    return scalar_or_array(a)


def _direction_sign(polarity: str | None, base: np.ndarray, target: np.ndarray) -> np.ndarray:
    """+1 where an increase is wanted, -1 for a decrease, NaN where it cannot be known."""
    if polarity is None or polarity == "no_judgement":
        return np.where(target > base, 1.0, np.where(target < base, -1.0, np.nan))
    if polarity == "higher_is_better":
        return np.ones(base.shape)
    if polarity == "lower_is_better":
        return -np.ones(base.shape)
    raise InputError(
        "unknown polarity",
        value=polarity,
        expected="higher_is_better | lower_is_better | no_judgement",
    )


def progress_toward_target(
    base_value: Any,
    base_year: Any,
    current_value: Any,
    current_year: Any,
    target_value: Any,
    target_year: Any,
    polarity: str | None = None,
) -> ProgressResult:
    """Open SDG progress measure toward a numeric target (vectorised).

    ``ratio = d * observed CAGR / |required CAGR|`` where ``d`` is +1 when an increase is
    desired and -1 when a decrease is. The desired direction comes from ``polarity``
    (``"higher_is_better"`` / ``"lower_is_better"``) when given; without it (or with
    ``"no_judgement"``) from the target compared with the base value. Giving the polarity is
    safer: it also handles a base value that already met the target (e.g. a "lower is better"
    indicator whose target is above the base) without reversing the assessment.

    ``"target_achieved"`` when the current value is at or beyond the target in the desired
    direction. ``"not_assessed"`` (with a reason) when the CAGR is undefined (a base value of 0
    or less, a negative current value or target, a current or target year not after the base
    year, missing values) or when the direction cannot be known (target equal to the base value
    and no polarity). A target equal to the base value that the indicator has slipped away from
    is a ``"deterioration"`` (the required growth is 0, so there is no ratio).

    Reference: Open SDG progress methodology; Statistics Canada (2021); Eurostat (2023).
    """
    x0 = as_float_array(base_value, "base_value")
    t0 = as_float_array(base_year, "base_year")
    xt = as_float_array(current_value, "current_value")
    t = as_float_array(current_year, "current_year")
    tv = as_float_array(target_value, "target_value")
    ty = as_float_array(target_year, "target_year")
    x0, t0, xt, t, tv, ty = np.broadcast_arrays(x0, t0, xt, t, tv, ty)
    d = _direction_sign(polarity, x0, tv)
    direction = np.where(d > 0, "increase", np.where(d < 0, "decrease", "unknown"))

    observed = _cagr(x0, xt, t - t0)
    required = _cagr(x0, tv, ty - t0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = d * observed / np.abs(required)

    category = np.where(
        ratio >= ON_TRACK,
        "on_track",
        np.where(
            ratio >= ACCELERATION,
            "acceleration_needed",
            np.where(ratio >= 0, "limited_progress", "deterioration"),
        ),
    ).astype("<U19")
    reason = np.full(x0.shape, None, dtype=object)
    bad = np.zeros(x0.shape, dtype=bool)
    checks = [
        (np.isnan(x0) | np.isnan(xt) | np.isnan(tv) | np.isnan(t0) | np.isnan(t) | np.isnan(ty),
         "a value or year is missing"),
        (np.isnan(d), "the target equals the base value: give the polarity"),
        (x0 <= 0, "the base value is zero or negative: growth rates are undefined"),
        ((xt < 0) | (tv < 0), "negative values: growth rates are undefined"),
        (t <= t0, "the current year is not after the base year"),
        (ty <= t0, "the target year is not after the base year"),
    ]  # fmt: skip
    for cond, text in checks:
        reason = np.where(cond & ~bad, text, reason)
        bad |= cond
    achieved = ~np.isnan(d) & np.where(d > 0, xt >= tv, xt <= tv)
    achieved &= ~np.isnan(xt) & ~np.isnan(tv)
    category = np.where(bad, "not_assessed", category)
    category = np.where(achieved, "target_achieved", category)
    slipped = (required == 0) & ~achieved & ~bad
    category = np.where(slipped, "deterioration", category)
    ratio = np.where(bad | (required == 0), np.nan, ratio)
    return ProgressResult(
        category=_out(category),
        ratio=_out(ratio),
        observed_growth=_out(np.where(bad, np.nan, observed)),
        required_growth=_out(np.where(bad, np.nan, required)),
        direction=_out(direction),
        reason=_out(np.where(achieved, np.asarray(None, dtype=object), reason)),
    )


def progress_without_target(
    base_value: Any,
    base_year: Any,
    current_value: Any,
    current_year: Any,
    polarity: str,
) -> ProgressResult:
    """Open SDG progress measure for an indicator without a numeric target.

    The observed CAGR, multiplied by ``d`` (+1 when higher is better, -1 when lower is better),
    is classified with Open SDG's fixed thresholds: ``>= 1.5 %`` on track, ``0.5 - 1.5 %``
    acceleration needed, ``0 - 0.5 %`` limited progress, ``< 0`` deterioration. (Open SDG's
    scaling of the thresholds near a natural limit, such as 100 %, is not applied.)

    Reference: Open SDG progress methodology, indicators without quantitative targets.
    """
    if polarity not in ("higher_is_better", "lower_is_better"):
        raise InputError(
            "progress without a target needs a polarity",
            value=polarity,
            expected="higher_is_better | lower_is_better",
        )
    x0 = as_float_array(base_value, "base_value")
    t0 = as_float_array(base_year, "base_year")
    xt = as_float_array(current_value, "current_value")
    t = as_float_array(current_year, "current_year")
    x0, t0, xt, t = np.broadcast_arrays(x0, t0, xt, t)
    g = _cagr(x0, xt, t - t0)
    signed = g if polarity == "higher_is_better" else -g
    bad = np.isnan(x0) | np.isnan(xt) | (x0 <= 0) | (xt < 0) | ~(t > t0)
    category = np.where(
        signed >= NO_TARGET_ON_TRACK,
        "on_track",
        np.where(
            signed >= NO_TARGET_ACCELERATION,
            "acceleration_needed",
            np.where(signed >= 0, "limited_progress", "deterioration"),
        ),
    ).astype("<U19")
    category = np.where(bad, "not_assessed", category)
    reason = np.where(
        bad,
        "growth rate undefined (missing value, base value <= 0, or no time elapsed)",
        np.asarray(None, dtype=object),
    )
    direction = np.full(x0.shape, "increase" if polarity == "higher_is_better" else "decrease")
    return ProgressResult(
        category=_out(category),
        ratio=_out(np.full(x0.shape, np.nan)),
        observed_growth=_out(np.where(bad, np.nan, g)),
        required_growth=_out(np.full(x0.shape, np.nan)),
        direction=_out(direction),
        reason=_out(reason.astype(object)),
    )
