"""The engine's second backend: the same specifications on Apache Spark.

A city's registers fit DuckDB in one process; national extracts, pooled regions and research
environments keep their records on a cluster and must compute there. This backend runs the same
:class:`~skillnader.engine.spec.IndicatorSpec` list, area hierarchy, vintages and group sets as
:func:`skillnader.engine.run.compute`, and its result goes through the same post-processing
(:func:`~skillnader.engine.run.observations_from_wide`: intervals, and the disclosure gate of
:mod:`skillnader.stats.disclosure`), so the two backends agree cell by cell.

How the work is expressed:

* sums, counts and sums of squares: the portable statement of
  :func:`~skillnader.engine.compile.compile_sql` (``dialect="standard"``: common table
  expressions, ``FILTER`` clauses, ``GROUPING SETS``), run by Spark SQL with double-quoted
  identifiers (``spark.sql.ansi.doubleQuotedIdentifiers``) and two spellings adapted
  (:func:`spark_sql`). Records are reduced to their finest cells first, then rolled up.
* medians and their distribution-free intervals (Conover 1999, section 3.2), exactly as the
  DuckDB backend picks them: per cell of every grouping set the population's values are gathered
  and sorted (``sort_array(collect_list(...))``) and the order statistics at ranks
  ``floor((n+1)/2)``, ``ceil((n+1)/2)``, ``r`` and ``n - r + 1`` are read off, ``r`` from the
  same exact binomial ranks (:func:`~skillnader.engine.compile.median_ranks`) up to
  :data:`~skillnader.engine.compile.EXACT_RANKS_UP_TO` values and the same normal approximation
  above. The values of one cell must fit in one executor's memory (8 bytes a value: the whole
  of Sweden in one year, 10.5 million values, is 84 MB).

Only the cells (areas × groups × periods, not the records) come back to the driver.
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Sequence
from dataclasses import replace
from statistics import NormalDist
from typing import Any

import polars as pl

from skillnader.engine.compile import (
    EXACT_RANKS_UP_TO,
    RecordLayout,
    _cell_key,
    _grouping_sets,
    _population,
    _q,
    compile_sql,
    median_ranks,
    normalise_group_sets,
)
from skillnader.engine.hierarchy import AreaHierarchy
from skillnader.engine.run import _KEY, check_area_codes, compute, observations_from_wide
from skillnader.engine.spec import IndicatorSpec, SpecError, check_columns
from skillnader.errors import InputError, MethodError

__all__ = ["compute_spark", "spark_session", "spark_sql"]

#: Spark's type names (``DataType.simpleString()``) as DuckDB names them, for
#: :func:`~skillnader.engine.spec.check_columns`.
_TYPES = {
    "boolean": "BOOLEAN",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "string": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}

#: Session settings the statements rely on.
SESSION_CONFIG = {
    # The statements quote identifiers with double quotes, as the SQL standard does.
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
    "spark.sql.session.timeZone": "UTC",
}
#: Settings of a session this module starts (fixed once the session runs).
_STARTUP_CONFIG = {"spark.ui.showConsoleProgress": "false"}


def spark_session(master: str | None = None, *, app_name: str = "skillnader", config=None):
    """A Spark session with the settings the engine needs.

    ``master`` is a Spark master URL (``spark://host:7077``, ``local[4]``, ``k8s://…``, ``yarn``);
    ``None`` keeps the master of an existing session or of ``spark-submit``.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is in the lock file
        raise MethodError(
            "the Spark backend needs PySpark: pip install -c requirements.lock -e '.[spark]'"
        ) from exc
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    for key, value in {**_STARTUP_CONFIG, **SESSION_CONFIG, **(config or {})}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    for key, value in SESSION_CONFIG.items():
        session.conf.set(key, value)
    return session


def spark_sql(statement: str) -> str:
    """The portable statement in Spark SQL's spelling.

    Spark has no length-less ``VARCHAR`` (its text type is ``STRING``); everything else in the
    portable statement (``FILTER``, ``GROUPING SETS``, ``GROUPING()``, ``CONCAT_WS``, ``||``,
    ``IS NOT DISTINCT FROM``, double-quoted identifiers with the session settings above) is
    standard SQL that Spark reads as it is.
    """
    return re.sub(r"\bAS VARCHAR\)", "AS STRING)", statement)


def _records_frame(session, records):
    """A Spark DataFrame of the records: a DataFrame, a Parquet path/URL (or several), a frame."""
    from pyspark.sql import DataFrame

    if isinstance(records, DataFrame):
        return records
    if isinstance(records, str) or (
        isinstance(records, Sequence) and records and all(isinstance(r, str) for r in records)
    ):
        paths = [records] if isinstance(records, str) else list(records)
        for p in paths:
            if not re.search(r"\.parquet/?$|/$|^[a-z0-9]+://", p) and not _is_dir(p):
                raise InputError(
                    "the Spark backend reads Parquet",
                    path=p,
                    expected="a .parquet file, a folder of Parquet files or an object-storage URL",
                )
        try:
            return session.read.parquet(*paths)
        except Exception as exc:  # Spark raises AnalysisException for a missing path
            raise InputError(f"cannot read the records: {exc}", path=", ".join(paths)) from exc
    if hasattr(records, "to_arrow"):
        records = records.to_arrow()
    try:
        return session.createDataFrame(records)
    except Exception as exc:
        raise InputError(
            "cannot read the records",
            value=type(records).__name__,
            expected="a Spark DataFrame, Parquet path(s) or a polars/Arrow frame",
        ) from exc


def _is_dir(path: str) -> bool:
    from pathlib import Path

    return Path(path).is_dir()


def _fetch(session, sql: str) -> pl.DataFrame:
    frame = session.sql(sql)
    table = frame.toArrow()
    out = pl.from_arrow(table)
    assert isinstance(out, pl.DataFrame)
    return out


def _median_sql(
    spec: IndicatorSpec,
    *,
    layout: RecordLayout,
    levels: Sequence[str],
    group_sets: Sequence[tuple[str, ...]],
    used_groups: Sequence[str],
    group_alias: dict[str, str],
    periods: Sequence[object] | None,
    confidence: float,
    records: str,
    lookup: str,
    ranks: str,
) -> str:
    """One median with its order-statistic interval per cell, as the DuckDB backend gives it."""
    from skillnader.engine.compile import _literal

    condition = _population(spec, layout, "r0")
    if periods is not None:
        listed = ", ".join(_literal(p) for p in periods)
        condition = f"r0.{_q(layout.period)} IN ({listed}) AND ({condition})"
    select = [
        f"CAST(r0.{_q(layout.area)} AS STRING) AS {_q('area__')}",
        f"r0.{_q(layout.period)} AS {_q('period__')}",
        *[
            f"COALESCE(CAST(r0.{_q(g)} AS STRING), '(missing)') AS {_q(group_alias[g])}"
            for g in used_groups
        ],
        f"CAST(r0.{_q(spec.value or '')} AS DOUBLE) AS x__",
    ]
    key = _cell_key(levels, used_groups, group_alias, "b")
    z = float(NormalDist().inv_cdf(0.5 + confidence / 2))
    n = "h.n__"
    rank = (
        f"NULLIF(COALESCE(mr.r, CASE WHEN {n} > {EXACT_RANKS_UP_TO} THEN CAST(FLOOR("
        f"{n} / 2.0 - {z!r} * SQRT({n}) / 2.0 + 0.5) AS BIGINT) END), 0)"
    )
    p = spec.id
    return (
        "WITH\n"
        f"raw AS (\n  SELECT {', '.join(select)}\n  FROM {records} AS r0\n  WHERE {condition}\n),\n"
        "hist AS (\n  SELECT\n    "
        + ",\n    ".join(key)
        + ",\n    COUNT(*) AS n__,\n    SORT_ARRAY(COLLECT_LIST(b.x__)) AS xs__"
        + f"\n  FROM raw AS b JOIN {lookup} AS l ON b.{_q('area__')} = l.source_code"
        + f"\n  GROUP BY {_grouping_sets(len(levels), group_sets, group_alias)}\n),\n"
        "ranked AS (\n  SELECT h.vintage, h.level, h.area_code, h.group_key, h.period, h.xs__,\n"
        f"    CAST(FLOOR(({n} + 1) / 2.0) AS BIGINT) AS k1__,\n"
        f"    CAST(CEIL(({n} + 1) / 2.0) AS BIGINT) AS k2__,\n"
        f"    {rank} AS k3__, {n} AS n__\n"
        f"  FROM hist AS h LEFT JOIN {ranks} AS mr ON mr.n = {n}\n)\n"
        "SELECT vintage, level, area_code, group_key, period,\n"
        f"  (ELEMENT_AT(xs__, CAST(k1__ AS INT)) + ELEMENT_AT(xs__, CAST(k2__ AS INT))) / 2"
        f" AS {_q(p + '__median')},\n"
        f"  CASE WHEN k3__ IS NULL THEN NULL ELSE ELEMENT_AT(xs__, CAST(k3__ AS INT)) END"
        f" AS {_q(p + '__lower')},\n"
        f"  CASE WHEN k3__ IS NULL THEN NULL ELSE ELEMENT_AT(xs__, CAST(n__ - k3__ + 1 AS INT)) END"
        f" AS {_q(p + '__upper')}\n"
        "FROM ranked"
    )


def _check_areas(session, relation: str, layout: RecordLayout, hierarchy: AreaHierarchy) -> None:
    codes = _fetch(
        session, f"SELECT DISTINCT CAST({_q(layout.area)} AS STRING) AS code FROM {relation}"
    )
    check_area_codes(codes, layout, hierarchy)


def compute_spark(
    records: Any,
    specs: Sequence[IndicatorSpec],
    hierarchy: AreaHierarchy,
    *,
    layout: RecordLayout,
    group_sets: Sequence[Sequence[str]] = ((),),
    periods: Sequence[object] | None = None,
    vintages: Sequence[str] | None = None,
    confidence: float = 0.95,
    session=None,
    master: str | None = None,
    check_areas: bool = True,
    disclosure_control: str | None = None,
    suppress_zeros: bool = False,
    timings: dict[str, float] | None = None,
) -> pl.DataFrame:
    """:func:`skillnader.engine.run.compute` on Apache Spark; the same arguments and result.

    ``records``: Parquet path(s) or URL(s) as Spark reads them (local paths, ``s3a://``,
    ``abfss://``, ``hdfs://`` …), a Spark DataFrame, or a polars/Arrow frame (sent to the
    cluster; for tests and small data). ``session`` is a Spark session; without it one is made
    for ``master`` (see :func:`spark_session`). ``disclosure_control`` is passed on to
    :func:`~skillnader.engine.run.observations_from_wide` unchanged, so the same gate decides;
    ``None`` takes :func:`~skillnader.engine.run.compute`'s default. ``timings``, if given, receives
    the seconds of each stage (``checks``, ``sums``, ``median:<id>``, ``protect``).
    """
    clock = time.perf_counter()
    stages: dict[str, float] = {} if timings is None else timings

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = stages.get(name, 0.0) + now - clock
        clock = now

    if disclosure_control is None:
        disclosure_control = inspect.signature(compute).parameters["disclosure_control"].default
    if not specs:
        raise SpecError("no indicators to compute", location="indicators")
    group_sets = normalise_group_sets(group_sets, layout)
    if vintages is not None:
        hierarchy = hierarchy.select(vintages)
    if hierarchy.fractional and any(s.measure == "median" for s in specs):
        raise MethodError("medians cannot be split over areas by a weighted crosswalk")
    session = session or spark_session(master)
    for key, value in SESSION_CONFIG.items():
        session.conf.set(key, value)
    frame = _records_frame(session, records)
    relation = "skillnader_records"
    frame.createOrReplaceTempView(relation)
    available = {f.name: _TYPES.get(f.dataType.simpleString(), "OTHER") for f in frame.schema}
    for f in frame.schema:
        if f.dataType.simpleString().startswith("decimal"):
            available[f.name] = "DECIMAL"
    for role, name in [("area", layout.area), ("period", layout.period)] + [
        ("group", g) for g in layout.groups
    ]:
        if name not in available:
            raise SpecError(
                f"the records have no {role} column {name!r}",
                location=f"layout.{role}",
                value=name,
                expected="one of " + ", ".join(sorted(available)),
            )
    check_columns(specs, available, age_column=layout.age)
    if check_areas:
        _check_areas(session, relation, layout, hierarchy)

    lookup = hierarchy.lookup.rename(
        {level: f"level_{i}" for i, level in enumerate(hierarchy.levels)}
    ).with_columns(pl.col("source_code").cast(pl.Utf8))
    session.createDataFrame(lookup.to_arrow()).createOrReplaceTempView("skillnader_area_lookup")
    medians = [s for s in specs if s.measure == "median"]
    if medians:
        n, r = median_ranks(confidence)
        session.createDataFrame(pl.DataFrame({"n": n, "r": r}).to_arrow()).createOrReplaceTempView(
            "skillnader_median_ranks"
        )

    # Sums and counts: the portable statement. A median's denominator (persons with a value) is
    # the count of a mean over the same population, whose other sums are dropped.
    summed = [replace(s, measure="mean") if s.measure == "median" else s for s in specs]
    statement = compile_sql(
        summed,
        layout=layout,
        levels=hierarchy.levels,
        group_sets=group_sets,
        periods=periods,
        fractional=hierarchy.fractional,
        records=relation,
        lookup="skillnader_area_lookup",
        dialect="standard",
        confidence=confidence,
    )
    lap("checks")
    try:
        wide = _fetch(session, spark_sql(statement))
        lap("sums")
        used_groups = [g for g in layout.groups if any(g in c for c in group_sets)]
        group_alias = {g: f"g_{i}" for i, g in enumerate(layout.groups)}
        for spec in medians:
            wide = wide.drop(f"{spec.id}__sx", f"{spec.id}__sxx")
            part = _fetch(
                session,
                _median_sql(
                    spec,
                    layout=layout,
                    levels=hierarchy.levels,
                    group_sets=group_sets,
                    used_groups=used_groups,
                    group_alias=group_alias,
                    periods=periods,
                    confidence=confidence,
                    records=relation,
                    lookup="skillnader_area_lookup",
                    ranks="skillnader_median_ranks",
                ),
            )
            part = part.with_columns(pl.col("period").cast(wide.schema["period"]))
            wide = wide.join(part, on=_KEY, how="left", nulls_equal=True)
            lap(f"median:{spec.id}")
    except (SpecError, InputError, MethodError):
        raise
    except Exception as exc:  # Spark's AnalysisException and its relatives
        raise SpecError(
            f"the records do not fit the specifications: {exc}",
            location="indicators",
            expected="columns of the types the expressions compare them with",
        ) from exc
    wide = wide.sort(_KEY, nulls_last=False)
    out = observations_from_wide(
        wide,
        specs,
        confidence=confidence,
        disclosure_control=disclosure_control,
        suppress_zeros=suppress_zeros,
        hierarchy=hierarchy,
        group_columns=used_groups,
    )
    lap("protect")
    return out
