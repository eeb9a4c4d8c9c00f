"""What an import derives from the numbers a source gives: a proportion's or rate's value from
its counts, and a 95 % interval where the source gave none.

Both work on whole columns of one indicator (:func:`derived_values`, :func:`interval_bounds`),
so the importer (record by record, :func:`add_intervals`; streamed batches column-wise) and the
bundle builder (:mod:`skillnader.bundle.build`) compute them with the same code. The methods
are those of :mod:`skillnader.stats.intervals`: Wilson for proportions, Byar (exact Poisson below
10) for counts and for the numerators of rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from skillnader.ingest.records import Record
from skillnader.ingest.validate import IndicatorLike, check

#: The interval each measure gets when the caller names no method.
DEFAULT_INTERVALS = {"proportion": "wilson", "count": "byar", "rate": "byar"}


def column(x: Any, n: int) -> np.ndarray:
    """``x`` (None, a number, a list with None for unknown, an array) as ``n`` floats, NaN for
    unknown."""
    if x is None:
        return np.full(n, np.nan)
    if isinstance(x, list | tuple):
        x = [np.nan if v is None else v for v in x]
    arr = np.asarray(x, dtype=float)
    return np.broadcast_to(arr, (n,)).copy() if arr.ndim == 0 else arr


def _size(*cols: Any) -> int:
    for c in cols:
        if c is not None and np.ndim(c):
            return len(c)
    return 1


def derived_values(
    ind: IndicatorLike, value: Any = None, numerator: Any = None, denominator: Any = None
) -> np.ndarray:
    """The values of cells of one indicator: as given, and for a proportion or rate without a
    value ``numerator / denominator × multiplier`` where both counts are known and the
    denominator is not 0 (NaN where no value is known)."""
    n = _size(value, numerator, denominator)
    v, x, d = column(value, n), column(numerator, n), column(denominator, n)
    out = v.copy()
    if ind.measure in ("proportion", "rate"):
        ok = np.isnan(v) & ~np.isnan(x) & ~np.isnan(d) & (d != 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[ok] = x[ok] / d[ok] * ind.multiplier
    return out


def interval_bounds(
    ind: IndicatorLike,
    value: Any = None,
    numerator: Any = None,
    denominator: Any = None,
    *,
    method: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """95 % intervals for cells of one indicator: ``(derived, lower, upper)``, where ``derived``
    marks the cells an interval is computed for (NaN bounds elsewhere), on the scale of the
    value.

    ``method`` is ``wilson`` (proportions with both counts, the denominator not 0), ``byar``
    (counts whose value is a whole number; rates with both counts, on the numerator; a
    proportion published with its count but not its denominator, the count's interval scaled
    to the value) or
    ``none``; by default the one of :data:`DEFAULT_INTERVALS` for the measure.
    """
    from skillnader.stats import intervals

    n = _size(value, numerator, denominator)
    v, x, d = column(value, n), column(numerator, n), column(denominator, n)
    method = method or DEFAULT_INTERVALS.get(ind.measure, "none")
    lower, upper = np.full(n, np.nan), np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    if ind.measure == "proportion" and method == "wilson":
        ok = ~np.isnan(x) & ~np.isnan(d) & (d != 0)
        if ok.any():
            lo, hi = intervals.wilson(x[ok], d[ok])
            lower[ok] = np.atleast_1d(lo) * ind.multiplier
            upper[ok] = np.atleast_1d(hi) * ind.multiplier
    elif ind.measure == "proportion" and method == "byar":
        # A share published with its count of persons but not its population (a percentage and
        # the number of recipients): the Byar interval of the count, scaled to the value — the
        # population taken as fixed, as for a rate. For a share of a few per cent it is the
        # Wilson interval's near twin; for larger shares it is wider (conservative).
        ok = np.isfinite(x) & (x > 0) & np.isfinite(v) & (v > 0)
        if ok.any():
            lo, hi = intervals.byar(x[ok])
            lower[ok] = v[ok] * np.atleast_1d(lo) / x[ok]
            upper[ok] = v[ok] * np.atleast_1d(hi) / x[ok]
    elif ind.measure == "count" and method == "byar":
        ok = np.isfinite(v) & (np.floor(v) == v)
        if ok.any():
            lo, hi = intervals.byar(v[ok])
            lower[ok], upper[ok] = np.atleast_1d(lo), np.atleast_1d(hi)
    elif ind.measure == "rate" and method == "byar":
        ok = ~np.isnan(x) & ~np.isnan(d) & (d != 0)
        if ok.any():
            lo, hi = intervals.byar(x[ok])
            lower[ok] = np.atleast_1d(lo) / d[ok] * ind.multiplier
            upper[ok] = np.atleast_1d(hi) / d[ok] * ind.multiplier
    return ok, lower, upper


def add_intervals(pairs: Sequence[tuple[Record, IndicatorLike]]) -> None:
    """Set :func:`interval_bounds` on the records whose source gave no interval (neither bound),
    vectorised over the records of each indicator."""
    by_ind: dict[str, tuple[IndicatorLike, list[Record]]] = {}
    for rec, ind in pairs:
        if rec.lower is not None or rec.upper is not None:
            continue
        by_ind.setdefault(ind.id, (ind, []))[1].append(rec)
    for ind, recs in by_ind.values():
        ok, lower, upper = interval_bounds(
            ind,
            value=[r.value for r in recs],
            numerator=[r.numerator for r in recs],
            denominator=[r.denominator for r in recs],
        )
        for i in np.flatnonzero(ok):
            recs[i].lower, recs[i].upper = float(lower[i]), float(upper[i])


def complete(rec: Record, ind: IndicatorLike, path: str) -> None:
    """:func:`~skillnader.ingest.validate.check` and :func:`add_intervals` for one record."""
    check(rec, ind, path)
    add_intervals([(rec, ind)])
