"""Age standardisation: directly standardised rates and indirectly standardised ratios.

Both methods take counts and populations by band (usually five-year age bands) along the *last*
axis of the arrays, so a table of areas x bands gives one result per area in one call.

References
----------
* Eurostat (2013). *Revision of the European Standard Population: report of Eurostat's task
  force*. Methodologies and Working Papers, Luxembourg (the ESP 2013 weights).
* Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991). Confidence intervals for weighted sums of
  Poisson parameters. *Stat Med* 10:457-462.
* Breslow NE, Day NE (1987). *Statistical Methods in Cancer Research, vol. II*. IARC
  (indirect standardisation, Byar's limits for the observed count).
* Public Health England (2018). *Technical guide: calculating directly standardised rates*
  and *...indirectly standardised ratios*; the R package PHEindicatormethods
  (``calculate_dsr``, ``calculate_ISRatio``), whose conventions (no DSR below 10 events,
  Byar's limits with exact Poisson below 10 events) we follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from skillnader.errors import InputError, MethodError
from skillnader.stats.intervals import (
    Estimate,
    as_float_array,
    byar,
    check_confidence,
    scalar_or_array,
)

__all__ = [
    "DSR_MIN_EVENTS",
    "ESP2013_BANDS",
    "DSRResult",
    "direct_standardised_rate",
    "esp2013",
    "expected_events",
    "indirectly_standardised_ratio",
]

#: European Standard Population 2013 (Eurostat 2013), 19 bands: 0-4, 5-9, ..., 85-89, 90+.
#: Sums to 100,000.
esp2013 = np.array(
    [
        5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
        7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
    ],
    dtype=float,
)  # fmt: skip
esp2013.setflags(write=False)

#: Labels of the :data:`esp2013` bands, in order.
ESP2013_BANDS: tuple[str, ...] = tuple(f"{a}-{a + 4}" for a in range(0, 90, 5)) + ("90+",)

#: The Dobson interval is unreliable with very few events; PHE does not publish a DSR below 10.
DSR_MIN_EVENTS = 10


@dataclass(frozen=True)
class DSRResult:
    """A directly standardised rate (or a vector of them).

    ``value``, ``lower``, ``upper``, ``events`` and ``population`` are floats for a single area
    and arrays for several. ``suppressed`` is True (elementwise) where the rate was not computed,
    and ``note`` says why.
    """

    value: Any
    lower: Any
    upper: Any
    events: Any
    population: Any
    suppressed: Any
    per: float
    confidence: float
    method: str = "Dobson et al. (1991), Byar limits for the total count"
    note: str | None = None

    def __iter__(self):
        return iter((self.value, self.lower, self.upper))


def _band_arrays(events: Any, population: Any, standard: Any) -> tuple[np.ndarray, ...]:
    e = as_float_array(events, "events")
    p = as_float_array(population, "population")
    w = as_float_array(standard, "standard population")
    if e.ndim == 0 or p.ndim == 0:
        raise InputError(
            "events and population must be given by band (at least one dimension)",
            value=(e.shape, p.shape),
        )
    if e.shape[-1] != w.shape[-1] or p.shape[-1] != w.shape[-1]:
        raise InputError(
            "events, population and standard population have different numbers of bands",
            value=(e.shape[-1], p.shape[-1], w.shape[-1]),
            expected=f"{w.shape[-1]} bands each (the standard population's)",
        )
    for arr, name in ((e, "events"), (p, "population"), (w, "standard population")):
        if np.any(np.isnan(arr)):
            raise InputError(f"{name} contains missing values", expected="a number in every band")
        if np.any(arr < 0):
            raise InputError(f"{name} must not be negative", value=float(arr[arr < 0].ravel()[0]))
    if np.any((p == 0) & (e > 0)):
        raise InputError(
            "events in a band with zero population", expected="population > 0 where events > 0"
        )
    return np.broadcast_arrays(e, p, w)


def direct_standardised_rate(
    events: Any,
    population: Any,
    standard: Any = esp2013,
    per: float | None = 100_000,
    confidence: float = 0.95,
    *,
    multiplier: float | None = None,
    min_events: int = DSR_MIN_EVENTS,
    strict: bool = False,
) -> DSRResult:
    """Directly standardised rate with the Dobson et al. (1991) confidence interval.

    ``DSR = per * sum_i(w_i x_i / n_i) / sum_i(w_i)`` for events ``x_i``, populations ``n_i``
    and standard population weights ``w_i`` by band (last axis). The interval is
    ``DSR + sqrt(var(DSR) / O) * (O_limit - O)`` with ``O`` the total events, ``O_limit`` its
    Byar limits (exact Poisson below 10) and
    ``var(DSR) = per^2 * sum_i(w_i^2 x_i / n_i^2) / sum_i(w_i)^2``.

    Any standard population is accepted (``standard``), as long as it has one weight per band;
    the default is the 19-band :data:`esp2013`. A band with zero population and zero events
    contributes nothing. ``multiplier`` is an alias of ``per`` (PHEindicatormethods' name).

    With fewer than ``min_events`` (10) events in total the rate is not computed: the result
    has NaN in ``value``/``lower``/``upper``, ``suppressed`` True and a ``note``; with
    ``strict=True`` a :class:`MethodError` is raised instead.

    Reference: Dobson et al. (1991); PHE technical guide to DSRs; PHEindicatormethods
    ``calculate_dsr``.
    """
    if multiplier is not None:
        per = multiplier
    if per is None or not per > 0:
        raise InputError("per (multiplier) must be a positive number", value=per)
    c = check_confidence(confidence)
    e, p, w = _band_arrays(events, population, standard)
    with np.errstate(divide="ignore", invalid="ignore"):
        crude = np.where(p > 0, e / np.where(p > 0, p, 1.0), 0.0)
        var_terms = np.where(p > 0, e / np.where(p > 0, p, 1.0) ** 2, 0.0)
    wsum = w.sum(axis=-1)
    dsr = (w * crude).sum(axis=-1) / wsum * per
    var = (w * w * var_terms).sum(axis=-1) / wsum**2 * per**2
    total = e.sum(axis=-1)
    lo_o, up_o = byar(total, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.sqrt(var / total)
        lower = dsr + k * (np.asarray(lo_o) - total)
        upper = dsr + k * (np.asarray(up_o) - total)
    few = total < min_events
    note = None
    if np.any(few):
        if strict:
            raise MethodError(
                f"a directly standardised rate needs at least {min_events} events; "
                f"found {int(np.min(total[few]) if np.ndim(total) else total)}"
            )
        note = f"not computed with fewer than {min_events} events"
    dsr = np.where(few, np.nan, dsr)
    lower = np.where(few, np.nan, lower)
    upper = np.where(few, np.nan, upper)
    return DSRResult(
        value=scalar_or_array(dsr),
        lower=scalar_or_array(lower),
        upper=scalar_or_array(upper),
        events=scalar_or_array(total),
        population=scalar_or_array(p.sum(axis=-1)),
        suppressed=bool(few) if np.ndim(few) == 0 else few,
        per=float(per),
        confidence=c,
        note=note,
    )


def dobson_limits(dsr: Any, var_dsr: Any, events: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Dobson limits for a weighted sum of Poisson counts from its value and variance.

    ``dsr + sqrt(var_dsr / events) * (O_limit - events)`` with ``O_limit`` the Byar limits of
    the total ``events``. Exposed for callers that aggregate DSRs themselves (e.g. from
    pre-computed variances) and for testing.

    Reference: Dobson et al. (1991), equation (3).
    """
    d = as_float_array(dsr, "dsr")
    v = as_float_array(var_dsr, "var_dsr")
    o = as_float_array(events, "events")
    lo, up = byar(o, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.sqrt(v / o)
    return scalar_or_array(d + k * (np.asarray(lo) - o)), scalar_or_array(
        d + k * (np.asarray(up) - o)
    )


def expected_events(population: Any, reference_rates: Any) -> Any:
    """Expected events ``sum_i n_i r_i`` from populations and reference rates by band.

    ``reference_rates`` are per person (events / population of the reference), not per 100,000.
    Reference: Breslow & Day (1987), ch. 2.
    """
    p = as_float_array(population, "population")
    r = as_float_array(reference_rates, "reference_rates")
    if p.shape[-1:] != r.shape[-1:]:
        raise InputError(
            "population and reference rates have different numbers of bands",
            value=(p.shape, r.shape),
        )
    if np.any(p < 0) or np.any(r < 0):
        raise InputError("population and reference rates must not be negative")
    return scalar_or_array((p * r).sum(axis=-1))


def indirectly_standardised_ratio(
    observed: Any,
    expected: Any = None,
    confidence: float = 0.95,
    per: float = 100.0,
    *,
    population: Any = None,
    reference_rates: Any = None,
    reference_events: Any = None,
    reference_population: Any = None,
) -> Estimate:
    """Indirectly standardised ratio ``per * O / E`` with Byar limits on ``O``.

    ``observed`` is the total observed events, or events by band (summed over the last axis).
    The expected events ``E`` are given directly (``expected``) or computed from the area's
    ``population`` by band and either ``reference_rates`` (per person) or
    ``reference_events`` / ``reference_population`` by band.

    ``per = 100`` gives the ratio on the usual "100 = same as the reference" scale; use
    ``per = 1`` for a plain ratio (a standardised mortality ratio, SMR). The limits are
    ``per * O_limit / E`` with Byar's limits for ``O`` (exact Poisson below 10 events).

    Reference: Breslow & Day (1987); PHE technical guide to ISRs; PHEindicatormethods
    ``calculate_ISRatio``.
    """
    c = check_confidence(confidence)
    o = as_float_array(observed, "observed")
    if population is not None and o.ndim > 0 and o.shape == np.shape(population):
        # Observed events by band, like the population: the ratio uses their total.
        o = o.sum(axis=-1)
    if expected is None:
        if population is None:
            raise InputError(
                "give expected events, or population by band with reference rates",
                expected="expected=..., or population=... and reference_rates=...",
            )
        if reference_rates is None:
            if reference_events is None or reference_population is None:
                raise InputError(
                    "reference rates missing",
                    expected="reference_rates, or reference_events and reference_population",
                )
            re_ = as_float_array(reference_events, "reference_events")
            rp = as_float_array(reference_population, "reference_population")
            if np.any(rp <= 0):
                raise InputError("reference population must be positive in every band")
            reference_rates = re_ / rp
        expected = expected_events(population, reference_rates)
    e = as_float_array(expected, "expected")
    if np.any(o < 0):
        raise InputError("observed events must not be negative", value=float(np.min(o)))
    if np.any(e < 0):
        raise InputError("expected events must not be negative", value=float(np.min(e)))
    lo, up = byar(o, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(e > 0, per / np.where(e > 0, e, 1.0), np.nan)
    note = "expected events 0: ratio undefined" if np.any(e == 0) else None
    return Estimate(
        scalar_or_array(o * scale),
        scalar_or_array(np.asarray(lo) * scale),
        scalar_or_array(np.asarray(up) * scale),
        "indirect standardisation, Byar limits (exact Poisson below 10 events)",
        c,
        note,
    )
