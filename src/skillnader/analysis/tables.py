"""Whole-set tables: every area compared with the benchmark, and the inequality between areas.

Both work on the long observation frame of :func:`skillnader.analysis.analyse` (``indicator``,
``level``, ``vintage``, ``area_code``, ``group``, ``period``, ``value``, ``lower``, ``upper``) in
one pass each (polars joins and group-bys, no per-cell Python), and give exactly the numbers of
the per-cell functions in :mod:`skillnader.stats.compare` and :mod:`skillnader.stats.inequality`
(the tests check them against each other on random data).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from statistics import NormalDist
from typing import Any

import numpy as np
import polars as pl

from skillnader.analysis.findings import IndicatorInfo
from skillnader.errors import MethodError
from skillnader.stats.inequality import (
    MIN_AREAS_DISPERSION,
    MIN_AREAS_EXTREMES,
    MIN_AREAS_PERCENTILE_RATIO,
)

__all__ = ["COMPARISONS", "INEQUALITY_MEASURES", "area_comparisons", "area_inequality"]

_KEY = ["indicator", "group", "period"]
_SIGN = {"higher_is_better": 1, "lower_is_better": -1}

#: The values of the ``direction`` and ``comparison`` columns of :func:`area_comparisons`.
COMPARISONS = pl.Enum(["better", "similar", "worse", "higher", "lower", "not_compared"])

#: The measures of :func:`area_inequality`, in column order.
INEQUALITY_MEASURES = (
    "range",
    "ratio_extremes",
    "ratio_p90_p10",
    "coefficient_of_variation",
    "gini",
    "theil_t",
)


def _frame(observations: Any) -> pl.DataFrame:
    df = observations if isinstance(observations, pl.DataFrame) else pl.DataFrame(observations)
    return df.with_columns(
        pl.col("value").cast(pl.Float64),
        pl.col("lower").cast(pl.Float64),
        pl.col("upper").cast(pl.Float64),
    )


def area_comparisons(
    observations: Any,
    indicators: Mapping[str, IndicatorInfo],
    *,
    benchmark: str,
    levels: Iterable[str] | None = None,
) -> pl.DataFrame:
    """Every area cell compared with the benchmark's cell of the same indicator, group and period.

    The overlapping-interval method of :func:`skillnader.stats.compare.compare_intervals`: an
    area is ``higher`` when its lower limit is above the benchmark's upper limit, ``lower`` in
    the mirror case, else ``similar`` (against the benchmark's value when it has no interval);
    the indicator's polarity turns that into ``better``/``worse`` (Public Health England 2017,
    *Assessing the statistical significance of an indicator value*). ``not_compared`` when the
    area or the benchmark has no value or the area no interval, and for counts (an area's count
    is smaller than the city's because the area is smaller).

    Returns the area rows with ``benchmark_value``, ``benchmark_lower``, ``benchmark_upper``,
    ``direction`` and ``comparison``. A benchmark with more than one cell for an indicator,
    group and period (two levels or vintages of it) is refused with :class:`MethodError`.
    """
    df = _frame(observations)
    areas = df.filter(pl.col("area_code") != benchmark)
    if levels is not None:
        areas = areas.filter(pl.col("level").is_in(list(levels)))
    bench = df.filter(pl.col("area_code") == benchmark).select(
        *_KEY,
        pl.col("value").alias("benchmark_value"),
        pl.col("lower").alias("benchmark_lower"),
        pl.col("upper").alias("benchmark_upper"),
    )
    twice = bench.group_by(_KEY).len().filter(pl.col("len") > 1)
    if twice.height:
        first = twice.row(0, named=True)
        raise MethodError(
            f"the benchmark {benchmark!r} has more than one cell for indicator "
            f"{first['indicator']!r}, group {first['group']!r}, period {first['period']!r} "
            f"({twice.height} such keys): compare with one level and vintage of it"
        )
    # Polarity as a number (1: higher is better, -1: lower is better, 0: no judgement), and
    # counts, which are never compared (2), on the benchmark's rows, so that the join brings it
    # to the area rows (an area row without a benchmark cell is not compared anyway).
    sign_of = {
        i: 2 if info.measure == "count" else _SIGN.get(info.polarity, 0)
        for i, info in indicators.items()
    }
    bench = bench.with_columns(
        pl.col("indicator").replace_strict(sign_of, default=0, return_dtype=pl.Int8).alias("sign__")
    )
    out = areas.join(bench, on=_KEY, how="left", nulls_equal=True)
    # Without its own interval the benchmark is compared by its value.
    has_limits = pl.col("benchmark_lower").is_not_null() & pl.col("benchmark_upper").is_not_null()
    b_lo = pl.when(has_limits).then(pl.col("benchmark_lower")).otherwise(pl.col("benchmark_value"))
    b_up = pl.when(has_limits).then(pl.col("benchmark_upper")).otherwise(pl.col("benchmark_value"))
    missing = (
        pl.col("value").is_null()
        | pl.col("lower").is_null()
        | pl.col("upper").is_null()
        | pl.col("benchmark_value").is_null()
        | pl.col("value").is_nan()
        | pl.col("lower").is_nan()
        | pl.col("upper").is_nan()
        | pl.col("benchmark_value").is_nan()
        | (pl.col("sign__") == 2)
    )
    direction = (
        pl.when(missing)
        .then(pl.lit("not_compared", dtype=COMPARISONS))
        .when(pl.col("lower") > b_up)
        .then(pl.lit("higher", dtype=COMPARISONS))
        .when(pl.col("upper") < b_lo)
        .then(pl.lit("lower", dtype=COMPARISONS))
        .otherwise(pl.lit("similar", dtype=COMPARISONS))
    )

    def enum(word: str) -> pl.Expr:
        return pl.lit(word, dtype=COMPARISONS)

    sign = pl.col("sign__")
    judged = (
        pl.when(pl.col("direction") == "higher")
        .then(
            pl.when(sign == 1)
            .then(enum("better"))
            .when(sign == -1)
            .then(enum("worse"))
            .otherwise(enum("higher"))
        )
        .when(pl.col("direction") == "lower")
        .then(
            pl.when(sign == 1)
            .then(enum("worse"))
            .when(sign == -1)
            .then(enum("better"))
            .otherwise(enum("lower"))
        )
        .otherwise(pl.col("direction"))
    )
    return (
        out.with_columns(direction.alias("direction"))
        .with_columns(judged.alias("comparison"))
        .drop("sign__")
    )


def _matrix_measures(m: np.ndarray) -> dict[str, np.ndarray]:
    """Every measure of each row of ``m`` (groups or draws × areas, each row in ascending order);
    NaN where a row breaks the measure's value rules (as in :mod:`skillnader.stats.inequality`;
    the rules on the number of areas are the caller's). Also ``min``, ``mean`` and ``p10``, on
    which those rules depend."""
    n = m.shape[1]
    lo, hi = m[:, 0], m[:, -1]
    mean = m.mean(axis=1)
    total = m.sum(axis=1)

    def hazen(q: float) -> np.ndarray:
        # Hyndman & Fan (1996) type 5, as skillnader.stats.inequality.weighted_percentile with
        # equal weights: the i-th smallest of n values stands at (i - 0.5) / n.
        h = min(max(n * q + 0.5, 1.0), float(n))
        j = int(np.floor(h))
        k = min(j + 1, n)
        return m[:, j - 1] + (h - j) * (m[:, k - 1] - m[:, j - 1])

    p10, p90 = hazen(0.1), hazen(0.9)
    ranks = 2.0 * np.arange(1, n + 1) - n - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = m.std(axis=1, ddof=1) if n > 1 else np.full(m.shape[0], np.nan)
        r = m / mean[:, None]
        theil = np.mean(r * np.log(np.where(r > 0, r, 1.0)), axis=1)
        return {
            "range": hi - lo,
            "ratio_extremes": np.where(lo > 0, hi / lo, np.nan),
            "ratio_p90_p10": np.where(p10 > 0, p90 / p10, np.nan),
            "coefficient_of_variation": np.where(mean > 0, sd / mean, np.nan),
            "gini": np.where((lo >= 0) & (mean > 0), (m @ ranks) / (n * total), np.nan),
            "theil_t": np.where(lo > 0, theil, np.nan),
            "min": lo,
            "mean": mean,
            "p10": p10,
        }


def _too_few(name: str, n: int) -> bool:
    need = MIN_AREAS_PERCENTILE_RATIO if name == "ratio_p90_p10" else MIN_AREAS_DISPERSION
    return n < max(need, MIN_AREAS_EXTREMES)


def _reasons(measures: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Per measure, the reason (or None) why each row gets no number."""
    lo, mean, p10 = measures["min"], measures["mean"], measures["p10"]
    rows = lo.shape[0]
    checks = {
        "range": [],
        "ratio_extremes": [(lo <= 0, "non_positive_values")],
        "ratio_p90_p10": [(p10 <= 0, "non_positive_values")],
        "coefficient_of_variation": [(mean <= 0, "non_positive_mean")],
        "gini": [(lo < 0, "negative_values"), (mean <= 0, "non_positive_mean")],
        "theil_t": [(lo <= 0, "non_positive_values")],
    }
    out = {}
    for name, rules in checks.items():
        why = np.full(rows, None, dtype=object)
        if _too_few(name, n):
            why[:] = "too_few_areas"
        else:
            for broken, reason in reversed(rules):
                why[broken] = reason
        out[name] = why
    return out


def _simulated_limits(
    table: pl.DataFrame, df: pl.DataFrame, keys: list[str], sims: int, seed: int, confidence: float
) -> pl.DataFrame:
    """Percentile intervals of every measure from ``sims`` draws of the areas' values."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    alpha = (1 - confidence) / 2 * 100
    rng = np.random.default_rng(seed)
    # Groups and their areas in a fixed order, so that a seed always gives the same draws.
    per_group = (
        df.sort([*keys, "area_code"])
        .group_by(keys, maintain_order=True)
        .agg(pl.col("value"), ((pl.col("upper") - pl.col("lower")) / (2 * z)).alias("se"))
    )
    limits: dict[str, list] = {
        f"{m}_{e}": [] for m in INEQUALITY_MEASURES for e in ("lower", "upper")
    }
    key_rows: list[tuple] = []
    for *key, values, se in per_group.iter_rows():
        key_rows.append(tuple(key))
        v = np.asarray(values, dtype=float)
        s = np.asarray([np.nan if x is None else x for x in se], dtype=float)
        ok = v.size >= MIN_AREAS_DISPERSION and np.isfinite(s).all() and (s >= 0).all()
        measures = {}
        if ok:
            draws = np.sort(v + s * rng.standard_normal((sims, v.size)), axis=1)
            measures = _matrix_measures(draws)
        for name in INEQUALITY_MEASURES:
            d = measures.get(name)
            # An interval only when (nearly) every draw allows the measure.
            if d is None or np.isnan(d).mean() > 1 - confidence:
                lo = hi = None
            else:
                lo, hi = (float(x) for x in np.nanpercentile(d, [alpha, 100 - alpha]))
            limits[f"{name}_lower"].append(lo)
            limits[f"{name}_upper"].append(hi)
    frame = pl.DataFrame(key_rows, schema={k: table.schema[k] for k in keys}, orient="row")
    frame = frame.with_columns([pl.Series(c, vals, dtype=pl.Float64) for c, vals in limits.items()])
    return table.join(frame, on=keys, how="left", nulls_equal=True)


def area_inequality(
    observations: Any,
    *,
    benchmark: str,
    levels: Iterable[str] | None = None,
    sims: int = 0,
    seed: int = 0,
    confidence: float = 0.95,
) -> pl.DataFrame:
    """Inequality between the areas of each indicator × level × vintage × group × period.

    Over the areas' values (the benchmark itself and suppressed cells left out), unweighted, as
    :mod:`skillnader.stats.inequality` defines them: ``range`` (max − min), ``ratio_extremes``
    (max / min), ``ratio_p90_p10`` (Hazen percentiles), ``coefficient_of_variation`` (sample
    standard deviation / mean), ``gini`` (mean-absolute-difference form) and ``theil_t``.
    A measure whose assumptions the values break is null, and ``not_computed`` says which and
    why (``too_few_areas``, ``non_positive_values``, ``negative_values``, ``non_positive_mean``)
    instead of a number: fewer than 2 areas (5 for the P90/P10 ratio), a zero or negative
    value in a ratio or logarithm, a negative value in the Gini coefficient.

    With ``sims`` > 0 every measure also gets a simulated ``confidence`` interval
    (``<measure>_lower``, ``<measure>_upper``): the areas' values are drawn ``sims`` times from
    normal distributions with the standard errors implied by their own intervals, and the
    measure's percentiles over the draws are the limits. No interval when an area lacks its own,
    or when more than ``1 - confidence`` of the draws break the measure's assumptions. Meant for
    one indicator's series (a page, a report); the whole-set table is computed without.
    """
    df = _frame(observations)
    keep = (
        (pl.col("area_code") != benchmark)
        & pl.col("value").is_not_null()
        & pl.col("value").is_not_nan()
    )
    if levels is not None:
        keep = keep & pl.col("level").is_in(list(levels))
    keys = ["indicator", "level", "vintage", "group", "period"]
    # One group-by gives each group's values (the rows to keep are chosen inside it, so the
    # frame is not copied); groups with the same number of areas are laid out as one matrix,
    # sorted row by row, and every measure is computed for all of them at once.
    grouped = (
        df.group_by(keys).agg(pl.col("value").filter(keep)).filter(pl.col("value").list.len() > 0)
    )
    sizes = grouped["value"].list.len()
    pieces = []
    for n in sorted(sizes.unique().to_list()):
        part = grouped.filter(sizes == n)
        m = np.sort(part["value"].list.to_array(n).to_numpy(), axis=1)
        measures = _matrix_measures(m)
        reasons = _reasons(measures, n)
        columns = {"n_areas": pl.Series("n_areas", np.full(part.height, n), dtype=pl.UInt32)}
        notes: list[list[str]] = [[] for _ in range(part.height)]
        for name in INEQUALITY_MEASURES:
            values = measures[name].astype(float)
            why = reasons[name]
            values[why != None] = np.nan  # noqa: E711 - elementwise over an object array
            columns[name] = pl.Series(name, values, dtype=pl.Float64).fill_nan(None)
            for i in np.flatnonzero(why != None):  # noqa: E711
                notes[i].append(f"{name} ({why[i]})")
        pieces.append(
            part.select(keys).with_columns(
                *columns.values(),
                pl.Series("not_computed", ["; ".join(x) for x in notes], dtype=pl.String),
            )
        )
    schema: dict[str, Any] = {k: df.schema[k] for k in keys} | {"n_areas": pl.UInt32}
    schema |= {name: pl.Float64 for name in INEQUALITY_MEASURES} | {"not_computed": pl.String}
    out = (pl.concat(pieces) if pieces else pl.DataFrame(schema=schema)).sort(keys)
    if sims > 0:
        out = _simulated_limits(out, df.filter(keep), keys, sims, seed, confidence)
        # a limit never stands without its measure
        out = out.with_columns(
            pl.when(pl.col(m).is_not_null()).then(pl.col(f"{m}_{e}")).alias(f"{m}_{e}")
            for m in INEQUALITY_MEASURES
            for e in ("lower", "upper")
        )
    return out
