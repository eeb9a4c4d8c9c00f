"""Validation of a cell before it is written, and the primary disclosure rule.

:func:`check` refuses numbers that cannot be statistics (infinite, absurdly large, negative
counts, a numerator above its denominator) and derives a proportion's or rate's value from its
counts; :func:`primary_mask` decides which cells the indicator's primary rule hides, with the one
rule of every path (:func:`skillnader.stats.disclosure.primary_suppressed`).

The indicator is anything with the fields of :class:`IndicatorLike`: a catalogue entry
(:class:`skillnader.catalog.IndicatorSpec`) or the web's ``Indicator`` row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NoReturn, Protocol

import numpy as np

from skillnader.errors import InputError
from skillnader.ingest.records import Record


class IndicatorLike(Protocol):
    """What validation, derivation and the primary rule need to know of an indicator."""

    @property
    def id(self) -> str: ...

    #: ``count``, ``proportion``, ``rate``, ``mean``, ``median`` or ``index``
    @property
    def measure(self) -> str: ...

    #: 100 for percent, 1000 per 1000 …
    @property
    def multiplier(self) -> float: ...

    @property
    def publication_threshold(self) -> int: ...

    @property
    def suppress_zeros(self) -> bool: ...


#: The largest magnitude a statistic may have: far above any count of people or kronor a city
#: publishes, far below where a typo of many digits (or a 300-digit "count") ends up.
MAX_ABS = 1e15


def finite(x: float | None, rec: Record, what: str, path: str) -> float | None:
    """``x`` as a float; None for a missing number or NaN; an error for an infinite or
    implausibly large one."""
    if x is None:
        return None
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None if math.isnan(x) else _raise_inf(rec, what, path, x)
    if abs(x) > MAX_ABS:
        raise InputError(
            f"{what} is too large to be a statistic",
            path=path,
            location=rec.location,
            value=x,
            expected=f"a number of at most {MAX_ABS:.0e} in magnitude",
        )
    return float(x)


def _raise_inf(rec: Record, what: str, path: str, x: float) -> NoReturn:
    raise InputError(
        f"{what} is infinite", path=path, location=rec.location, value=x, expected="a finite number"
    )


def check(rec: Record, ind: IndicatorLike, path: str) -> None:
    """Check that a record's numbers are finite and consistent with the indicator's measure, and
    derive the value from numerator and denominator where the source gave counts."""
    rec.value = finite(rec.value, rec, "value", path)
    rec.numerator = finite(rec.numerator, rec, "numerator", path)
    rec.denominator = finite(rec.denominator, rec, "denominator", path)
    check_counts(
        ind, [rec.numerator], [rec.denominator], path=path, location=lambda _i: rec.location
    )
    if ind.measure == "proportion" and rec.numerator is not None and rec.denominator:
        if rec.value is None:
            rec.value = rec.numerator / rec.denominator * ind.multiplier
    elif ind.measure == "count" and rec.value is not None and rec.value < 0:
        raise InputError(
            "negative count",
            path=path,
            location=rec.location,
            value=rec.value,
            expected="a count of zero or more",
        )
    elif (
        ind.measure == "rate"
        and rec.numerator is not None
        and rec.denominator
        and rec.value is None
    ):
        rec.value = rec.numerator / rec.denominator * ind.multiplier


def check_counts(
    ind: IndicatorLike,
    numerator: Any,
    denominator: Any,
    *,
    path: str = "",
    location: Callable[[int], str] | None = None,
) -> None:
    """Refuse negative numerators or denominators, and a proportion's numerator above its
    denominator, in cells of one indicator (None or NaN is unknown and passes). The error names
    the first offending cell (``location(i)`` of its position). A plain loop: called for one
    record at a time by :func:`check`, where arrays would cost more than they save."""
    proportion = ind.measure == "proportion"
    for i, (x, d) in enumerate(zip(numerator, denominator, strict=True)):
        for what, v in (("numerator", x), ("denominator", d)):
            if v is not None and v < 0:
                raise InputError(
                    f"negative {what}",
                    path=path,
                    location=location(i) if location else f"cell {i + 1}",
                    value=v,
                    expected="a count of zero or more",
                )
        # d == d: not NaN
        if proportion and x is not None and d is not None and d == d and d and x > d:
            raise InputError(
                "numerator larger than denominator",
                path=path,
                location=location(i) if location else f"cell {i + 1}",
                value=(x, d),
                expected="numerator ≤ denominator",
            )


def check_values(
    value: Any,
    *,
    counts: Any = None,
    path: str = "",
    location: Callable[[int], str] | None = None,
) -> None:
    """The rules :func:`check` applies to a record's value, over a column of values (NaN is
    unknown and passes): no infinite value, none above :data:`MAX_ABS` in magnitude, no
    negative count (``counts`` marks the cells whose measure is a count). The error names the
    first offending cell of the first rule broken, in that order."""
    v = np.asarray(value, dtype=float)
    is_count = np.zeros(v.shape, dtype=bool) if counts is None else np.asarray(counts, dtype=bool)
    with np.errstate(invalid="ignore"):
        rules = (
            (np.isinf(v), "value is infinite", "a finite number"),
            (
                np.abs(v) > MAX_ABS,
                "value is too large to be a statistic",
                f"a number of at most {MAX_ABS:.0e} in magnitude",
            ),
            (is_count & (v < 0), "negative count", "a count of zero or more"),
        )
    for broken, message, expected in rules:
        bad = np.flatnonzero(broken)
        if bad.size:
            i = int(bad[0])
            raise InputError(
                message,
                path=path,
                location=location(i) if location else f"cell {i + 1}",
                value=float(v[i]),
                expected=expected,
            )


def primary_mask(
    ind: IndicatorLike, value: Any = None, numerator: Any = None, denominator: Any = None
) -> np.ndarray:
    """Which cells of one indicator its primary rule hides (an array of bools, one per cell):
    :func:`skillnader.stats.disclosure.primary_suppressed` under the indicator's policy
    (:func:`skillnader.stats.disclosure.policy_for`). ``None`` or NaN is an unknown number."""
    from skillnader.stats import disclosure

    return np.asarray(
        disclosure.primary_suppressed(
            disclosure.policy_for(ind),
            ind.measure,
            value=value,
            numerator=numerator,
            denominator=denominator,
        ),
        dtype=bool,
    )


def primary_suppressed(rec: Record, ind: IndicatorLike) -> bool:
    """Whether a cell falls under the indicator's primary suppression rule
    (:func:`primary_mask` of the one record)."""
    return bool(
        primary_mask(
            ind, value=[rec.value], numerator=[rec.numerator], denominator=[rec.denominator]
        )[0]
    )
