"""Period life expectancy from an abridged life table (Chiang II) with confidence limits.

The conventions are those of the English public-health life expectancy calculator, so that our
figures are comparable with Fingertips:

* 20 age bands by default: 0, 1-4, 5-9, ..., 85-89 and an open-ended 90+ band;
* the fraction of the interval lived by those who die in it, ``a_x``, is 0.1 for the first year
  of life and 0.5 for every other band;
* the probability of dying ``q_x = n M / (1 + n (1 - a) M)`` (set to 1 if that exceeds 1, and
  always 1 in the open band), person-years in the open band ``L = l / M``;
* variance by Chiang's method with the Silcocks et al. (2001) term for the open band;
* suppression (a flag, never a number): total population of 5,000 or less, or a 95 % interval
  wider than 20 years.

References
----------
* Chiang CL (1984). *The Life Table and its Applications*. Krieger, Malabar (FL).
* Silcocks PBS, Jenner DA, Reza R (2001). Life expectancy as a summary of mortality in a
  population: statistical considerations and suitability for use by health authorities.
  *J Epidemiol Community Health* 55:38-43.
* Public Health England / South East Public Health Observatory, *Life expectancy calculator*,
  and the R package PHEindicatormethods (``phe_life_expectancy``), whose test set ``df1``
  reproduces e0 = 80.16961 (79.88269-80.45653).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from skillnader.errors import InputError
from skillnader.stats.intervals import as_float_array, check_confidence, z_value

__all__ = ["DEFAULT_AGE_BANDS", "LifeExpectancy", "life_expectancy"]

#: Start ages of the default 20 bands: 0, 1-4, 5-9, ..., 85-89, 90+.
DEFAULT_AGE_BANDS: tuple[int, ...] = (0, 1) + tuple(range(5, 95, 5))

#: Populations at or below this total give no life expectancy (PHE convention).
MIN_POPULATION = 5000

#: Life expectancies whose 95 % interval is wider than this (years) are suppressed.
MAX_CI_WIDTH = 20.0


@dataclass(frozen=True)
class LifeExpectancy:
    """Life expectancy at the start of every age band, with limits.

    Arrays have the shape of the input without the last (band) axis, plus that axis:
    ``value[..., i]`` is the life expectancy at age ``age_bands[i]``. ``suppressed`` is a boolean
    array of the same shape; where it is True, ``value``, ``lower`` and ``upper`` are NaN and
    ``reason`` (one string per area, i.e. shape without the band axis) says why.
    """

    age_bands: tuple[float, ...]
    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    se: np.ndarray
    suppressed: np.ndarray
    reason: Any
    confidence: float
    method: str = "Chiang II, Silcocks et al. variance"

    def at(self, age: float = 0) -> tuple[Any, Any, Any]:
        """``(value, lower, upper)`` at the band starting at ``age`` (floats for one area)."""
        try:
            i = list(self.age_bands).index(age)
        except ValueError:
            raise InputError(
                "age is not the start of an age band", value=age, expected=str(self.age_bands)
            ) from None
        out = (self.value[..., i], self.lower[..., i], self.upper[..., i])
        return tuple(float(a) if np.ndim(a) == 0 else a for a in out)  # type: ignore[return-value]


def life_expectancy(
    deaths: Any,
    population: Any,
    age_bands: Any = DEFAULT_AGE_BANDS,
    confidence: float = 0.95,
    *,
    ax: Any = None,
    min_population: float = MIN_POPULATION,
    max_ci_width: float = MAX_CI_WIDTH,
    radix: float = 100_000,
) -> LifeExpectancy:
    """Abridged period life table by Chiang's method II with Silcocks et al. limits.

    ``deaths`` and ``population`` hold one value per age band on their last axis (several areas
    may be stacked on the leading axes); ``age_bands`` are the start ages, ascending, the last
    band being open-ended. ``ax`` overrides the fraction of the interval lived by those dying
    (default: 0.1 for a band [0, 1), 0.5 otherwise).

    Impossible input (negative deaths, a population of zero or less in a band, deaths above the
    population, missing values) raises :class:`InputError`. Areas that are valid but too small
    (total population <= ``min_population``) or too uncertain (95 % interval wider than
    ``max_ci_width`` years) are *suppressed*: NaN values with ``suppressed`` True and a reason.

    Reference: Chiang (1984); Silcocks et al. (2001); PHEindicatormethods
    ``phe_life_expectancy`` (see the module docstring).
    """
    c = check_confidence(confidence)
    d = as_float_array(deaths, "deaths")
    p = as_float_array(population, "population")
    ages = np.asarray(age_bands, dtype=float)
    if ages.ndim != 1 or ages.size < 2:
        raise InputError("age_bands must list at least two start ages", value=age_bands)
    if np.any(np.diff(ages) <= 0):
        raise InputError("age_bands must be strictly ascending", value=tuple(ages))
    if ages[0] != 0:
        raise InputError("the first age band must start at 0", value=ages[0])
    if d.shape != p.shape or d.ndim == 0 or d.shape[-1] != ages.size:
        raise InputError(
            "deaths and population must have one value per age band",
            value=(d.shape, p.shape),
            expected=f"last axis of length {ages.size}",
        )
    if np.any(np.isnan(d)) or np.any(np.isnan(p)):
        raise InputError("deaths or population missing in an age band")
    if np.any(d < 0):
        raise InputError("deaths must not be negative", value=float(d[d < 0].ravel()[0]))
    if np.any(p <= 0):
        raise InputError(
            "population must be positive in every age band", value=float(p[p <= 0].ravel()[0])
        )
    if np.any(d > p):
        raise InputError("more deaths than population in an age band")

    k = ages.size
    if ax is None:
        a = np.full(k, 0.5)
        if ages[1] == 1:
            a[0] = 0.1
    else:
        a = np.broadcast_to(as_float_array(ax, "ax"), (k,)).astype(float)
    n = np.append(np.diff(ages), np.nan)

    m = d / p
    with np.errstate(divide="ignore", invalid="ignore"):
        q = n[:-1] * m[..., :-1] / (1 + n[:-1] * m[..., :-1] * (1 - a[:-1]))
    q = np.minimum(q, 1.0)
    q = np.concatenate([q, np.ones(d.shape[:-1] + (1,))], axis=-1)
    pr = 1 - q
    lx = radix * np.concatenate(
        [np.ones(d.shape[:-1] + (1,)), np.cumprod(pr[..., :-1], axis=-1)], axis=-1
    )
    l_next = np.concatenate([lx[..., 1:], np.zeros(d.shape[:-1] + (1,))], axis=-1)
    dx = lx - l_next
    with np.errstate(divide="ignore", invalid="ignore"):
        big_l = np.concatenate(
            [n[:-1] * (l_next[..., :-1] + a[:-1] * dx[..., :-1]), lx[..., -1:] / m[..., -1:]],
            axis=-1,
        )
        tx = np.flip(np.cumsum(np.flip(big_l, -1), axis=-1), -1)
        ex = np.where(lx > 0, tx / lx, 0.0)
        # Chiang's variance of p_x, Silcocks' term for the open band (var of 1/M).
        sp = np.where(dx > 0, q**2 * (1 - q) / d, 0.0)
        sp_open = 4.0 / (d[..., -1:] * m[..., -1:] ** 2)
        e_next = np.concatenate([ex[..., 1:], np.zeros(d.shape[:-1] + (1,))], axis=-1)
        w = np.concatenate(
            [
                sp[..., :-1] * lx[..., :-1] ** 2 * ((1 - a[:-1]) * n[:-1] + e_next[..., :-1]) ** 2,
                (lx[..., -1:] / 2) ** 2 * sp_open,
            ],
            axis=-1,
        )
        st = np.flip(np.cumsum(np.flip(w, -1), axis=-1), -1)
        se = np.sqrt(st / lx**2)

    z = z_value(c)
    # an area without deaths in the open band has no finite variance; it gets no interval and
    # its reason below, not a warning
    with np.errstate(invalid="ignore"):
        lower = ex - z * se
        upper = ex + z * se

    area_shape = d.shape[:-1]
    reason = np.full(area_shape, "", dtype=object)
    small = p.sum(axis=-1) <= min_population
    reason = np.where(small, f"total population {int(min_population):,} or less", reason)
    no_open_deaths = d[..., -1] == 0
    reason = np.where(
        no_open_deaths & (reason == ""), "no deaths in the open-ended age band", reason
    )
    z95 = z_value(0.95)
    with np.errstate(invalid="ignore"):
        too_wide = ~(2 * z95 * se <= max_ci_width)
    suppressed = too_wide | small[..., None] | no_open_deaths[..., None]
    wide_any = np.any(too_wide & ~small[..., None] & ~no_open_deaths[..., None], axis=-1)
    reason = np.where(
        wide_any & (reason == ""),
        f"95% interval wider than {max_ci_width:g} years at some ages",
        reason,
    )
    value = np.where(suppressed, np.nan, ex)
    lower = np.where(suppressed, np.nan, lower)
    upper = np.where(suppressed, np.nan, upper)
    reason = np.where(reason == "", np.asarray(None, dtype=object), reason)
    reason_out: Any = reason.item() if reason.ndim == 0 else reason
    return LifeExpectancy(
        age_bands=tuple(float(x) for x in ages),
        value=value,
        lower=lower,
        upper=upper,
        se=se,
        suppressed=suppressed,
        reason=reason_out,
        confidence=c,
    )
