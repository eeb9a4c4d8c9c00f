"""Execute compiled indicator SQL on DuckDB and return observations.

:func:`compute` registers the records and the area lookup in an in-process DuckDB connection,
runs the single statement from :func:`~skillnader.engine.compile.compile_sql`, and turns its wide
result into long observations with confidence intervals (vectorised, from
:mod:`skillnader.stats.intervals`) and suppression applied: a suppressed cell has no value, no
interval, and neither numerator nor denominator.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from skillnader.engine import execute
from skillnader.engine.compile import (
    CELL_ID_COLLISION,
    RecordLayout,
    compile_sql,
    compile_stages,
    median_ranks,
    normalise_group_sets,
)
from skillnader.engine.hierarchy import AreaHierarchy
from skillnader.engine.spec import IndicatorSpec, SpecError, check_columns
from skillnader.errors import InputError, MethodError, UnknownAreaError
from skillnader.stats import disclosure, intervals

__all__ = ["OBSERVATION_SCHEMA", "compute", "observations_from_wide"]

OBSERVATION_SCHEMA = {
    "indicator": pl.Utf8,
    "measure": pl.Utf8,
    "vintage": pl.Utf8,
    "level": pl.Utf8,
    "area_code": pl.Utf8,
    "group": pl.Utf8,
    "period": None,  # the records' own period type
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "lower": pl.Float64,
    "upper": pl.Float64,
    "suppressed": pl.Boolean,
}
_KEY = ["vintage", "level", "area_code", "group_key", "period"]


def _register_records(connection: duckdb.DuckDBPyConnection, records) -> str:
    """Make ``records`` queryable as a view and return its name."""
    name = "records"
    if isinstance(records, pl.DataFrame):
        connection.register(name, records.to_arrow())
    elif isinstance(records, duckdb.DuckDBPyRelation):
        records.create_view(name, replace=True)
    elif isinstance(records, str | Path) and Path(records).suffix.lower() in (".parquet", ".csv"):
        path = Path(records)
        if not path.exists():
            raise InputError("file not found", path=str(path))
        reader = "read_parquet" if path.suffix.lower() == ".parquet" else "read_csv_auto"
        quoted = "'" + str(path).replace("'", "''") + "'"
        connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {reader}({quoted})"
        )
    elif isinstance(records, str):
        # An existing table or view in ``connection``; the name goes into SQL, so only plain
        # (optionally schema-qualified) identifiers are accepted.
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", records):
            raise InputError(
                "not a table name or a .parquet/.csv path",
                value=records,
                expected="a table name such as persons or main.persons",
            )
        try:
            connection.execute(f"DESCRIBE {records}").fetchall()
        except duckdb.Error as exc:
            raise InputError("no such table in the DuckDB connection", value=records) from exc
        return records
    else:
        try:
            connection.register(name, records)  # Arrow tables, pandas frames
        except Exception as exc:  # duckdb raises several unrelated types here
            raise InputError(
                "cannot read the records",
                value=type(records).__name__,
                expected="a polars/Arrow frame, a DuckDB relation or table, a Parquet or CSV path",
            ) from exc
    return name


#: DuckDB's working memory for a connection the engine opens itself (DuckDB's default is 80 %
#: of the machine's memory); beyond it, joins, windows and aggregations spill to a temporary
#: directory. ``SKILLNADER_ENGINE_MEMORY`` overrides it (a DuckDB size such as ``"8GB"``).
DEFAULT_MEMORY_LIMIT = "2GB"


def _limit_memory(connection: duckdb.DuckDBPyConnection) -> None:
    limit = os.environ.get("SKILLNADER_ENGINE_MEMORY", "").strip() or DEFAULT_MEMORY_LIMIT
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, flags=re.IGNORECASE):
        raise InputError(
            "not a memory size",
            location="SKILLNADER_ENGINE_MEMORY",
            value=limit,
            expected="e.g. 4GB",
        )
    connection.execute(f"SET memory_limit = '{limit}'")
    # Spilled data go to the system's temporary directory, not the working directory.
    spill = Path(tempfile.gettempdir()) / f"skillnader-engine-{os.getpid()}"
    connection.execute(f"SET temp_directory = '{str(spill).replace(chr(39), chr(39) * 2)}'")


def _fetch(connection: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    frame = pl.from_arrow(connection.sql(sql).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def _columns(connection: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    rows = connection.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return {row[0]: row[1] for row in rows}


def _check_layout(layout: RecordLayout, available: dict[str, str]) -> None:
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


def _check_areas(connection, relation: str, layout: RecordLayout, hierarchy) -> None:
    codes = _fetch(
        connection, f'SELECT DISTINCT CAST("{layout.area}" AS VARCHAR) AS code FROM {relation}'
    )
    check_area_codes(codes, layout, hierarchy)


def check_area_codes(codes: pl.DataFrame, layout: RecordLayout, hierarchy) -> None:
    """Raise :class:`UnknownAreaError` if a record's area code (the distinct ``code`` column,
    whatever engine read it) is missing or not in every vintage of the hierarchy."""
    if codes.get_column("code").null_count():
        raise UnknownAreaError(
            "records without an area code", location=f"column {layout.area}", value=None
        )
    for vintage in hierarchy.vintages:
        known = hierarchy.lookup.filter(pl.col("vintage") == vintage).select(
            pl.col("source_code").alias("code")
        )
        missing = codes.join(known, on="code", how="anti").sort("code")
        if missing.height:
            raise UnknownAreaError(
                f"{missing.height} area codes in the records are not in the hierarchy",
                location=f"column {layout.area}, vintage {vintage}",
                value=missing.get_column("code").head(5).to_list(),
                expected=f"codes of level {hierarchy.levels[0]}",
            )


def _byar(counts: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    # Counts repeat a lot across cells; the exact Poisson quantiles are costly, so each distinct
    # count is evaluated once.
    unique, inverse = np.unique(counts, return_inverse=True)
    lower, upper = intervals.byar(unique, confidence)
    return np.asarray(lower)[inverse], np.asarray(upper)[inverse]


def _intervals(spec: IndicatorSpec, wide: pl.DataFrame, confidence: float):
    """Value, numerator, denominator, lower and upper for one indicator as numpy arrays."""
    p = spec.id
    den = wide.get_column(f"{p}__den").cast(pl.Float64).to_numpy()
    if spec.measure in ("proportion", "count", "rate"):
        num = wide.get_column(f"{p}__num").cast(pl.Float64).to_numpy()
        num = np.nan_to_num(num)
        den = np.nan_to_num(den)
        if spec.measure == "proportion":
            if spec.weight is None:
                lower, upper = intervals.wilson(num, den, confidence)
            else:
                # Wilson on the weighted proportion with Kish's effective sample size: a
                # design-free approximation (Kish 1965, Survey Sampling, section 11.7).
                w2 = wide.get_column(f"{p}__w2").to_numpy()
                with np.errstate(divide="ignore", invalid="ignore"):
                    n_eff = np.where(w2 > 0, den * den / w2, 0.0)
                    share = np.where(den > 0, num / den, 0.0)
                lower, upper = intervals.wilson(share * n_eff, n_eff, confidence)
            with np.errstate(divide="ignore", invalid="ignore"):
                value = np.where(den > 0, num / den, np.nan)
        elif spec.measure == "count":
            lower, upper = _byar(num, confidence)
            value = num
        else:
            lower, upper = _byar(num, confidence)
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(den > 0, spec.per / den, np.nan)
            value, lower, upper = num * scale, lower * scale, upper * scale
        return value, num, den, np.asarray(lower), np.asarray(upper)
    if spec.measure == "mean":
        sx = wide.get_column(f"{p}__sx").to_numpy()
        sxx = wide.get_column(f"{p}__sxx").to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(den > 0, sx / den, np.nan)
            if spec.weight is None:
                n = den
                var = np.where(n > 1, (sxx - n * mean * mean) / (n - 1), np.nan)
            else:
                # Weighted variance with Kish's effective n (reliability weights).
                w2 = wide.get_column(f"{p}__w2").to_numpy()
                n = np.where(w2 > 0, den * den / w2, 0.0)
                var = (sxx / den - mean * mean) * n / (n - 1)
        sd = np.sqrt(np.clip(np.nan_to_num(var, nan=0.0), 0.0, None))
        estimate = intervals.mean_ci(mean=np.nan_to_num(mean), sd=sd, n=np.nan_to_num(n))
        lower = np.where(n >= 2, estimate.lower, np.nan)
        upper = np.where(n >= 2, estimate.upper, np.nan)
        return mean, sx, den, lower, upper
    median = wide.get_column(f"{p}__median").cast(pl.Float64).to_numpy()
    lower = wide.get_column(f"{p}__lower").cast(pl.Float64).to_numpy()
    upper = wide.get_column(f"{p}__upper").cast(pl.Float64).to_numpy()
    return median, np.full(median.shape, np.nan), den, lower, upper


def _counts(spec: IndicatorSpec, wide: pl.DataFrame) -> tuple[np.ndarray | None, np.ndarray]:
    """Unweighted person counts of a cell that disclosure control judges: (numerator,
    denominator).

    Proportions, rates and counts: persons in the numerator and in the population. Means and
    medians: no numerator, the persons with a value as the denominator.
    """
    suffix = "_n" if spec.weight is not None else ""
    den = wide.get_column(f"{spec.id}__den{suffix}").cast(pl.Float64).fill_null(0).to_numpy()
    if spec.measure in ("proportion", "count", "rate"):
        num = wide.get_column(f"{spec.id}__num{suffix}").cast(pl.Float64).fill_null(0).to_numpy()
        return num, den
    return None, den


def _split_groups(frame: pl.DataFrame, group_columns: Sequence[str]) -> pl.DataFrame:
    """One column per group dimension from the canonical key, ``"total"`` where not split."""
    parts = frame.get_column("group_key").str.split(";")
    columns = []
    for g in group_columns:
        value = (
            parts.list.eval(pl.element().filter(pl.element().str.starts_with(g + "=")))
            .list.first()
            .str.strip_prefix(g + "=")
            .fill_null(_TOTAL)
            .alias(f"dim__{g}")
        )
        columns.append(value)
    return frame.with_columns(columns)


_TOTAL = "total"


def _group_tuple(key: str) -> tuple:
    if not key:
        return ()
    return tuple(sorted(tuple(p.split("=", 1)) for p in key.split(";")))


def _protect_joint(
    spec: IndicatorSpec,
    wide: pl.DataFrame,
    count: np.ndarray | None,
    den: np.ndarray | None,
    hierarchy: AreaHierarchy,
    suppress_zeros: bool,
) -> np.ndarray:
    """Primary and secondary suppression of one indicator over its whole output at once:
    every vintage, level, group and period in ONE call of
    :func:`skillnader.stats.disclosure.protect_cells`.

    A cell that several vintages share (a RegSO, the city) is one cell with one decision; the
    additive relations are the parents of every vintage's hierarchy, the group margins (a total
    over every value of a group dimension) and their combinations. The numerator and the
    denominator are two counts of each cell (both are published); a cell is suppressed when
    either is. Cells absent from the output hold no one: they are known zeros.
    """
    base = wide.select(_KEY).with_row_index("row__")
    parts = []
    if count is not None:
        parts.append(base.with_columns(q=pl.lit("num"), n=pl.Series(count)))
    if den is not None:
        parts.append(base.with_columns(q=pl.lit("den"), n=pl.Series(den)))
    frame = pl.concat(parts)
    # A level is shared between vintages when its cells are equal in all of them.
    vintage_specific = set()
    for level, rows in frame.group_by("level"):
        varied = rows.group_by(["q", "area_code", "group_key", "period"]).agg(
            pl.col("n").n_unique().alias("k")
        )
        if varied.filter(pl.col("k") > 1).height:
            vintage_specific.add(level[0])

    def area_key(level, code, vintage):
        return (level, code, vintage) if level in vintage_specific else (level, code)

    keys: list[tuple] = []
    counts: list[float] = []
    index: dict[tuple, int] = {}
    cells_of_row: dict[int, list[int]] = {}
    for row, vintage, level, code, gkey, period, q, n in frame.select(
        "row__", *_KEY, "q", "n"
    ).iter_rows():
        key = (q, area_key(level, code, vintage), _group_tuple(gkey), period)
        i = index.get(key)
        if i is None:
            i = index[key] = len(keys)
            keys.append(key)
            counts.append(float(n))
        cells_of_row.setdefault(row, []).append(i)
    area_children: dict[tuple, list[list[tuple]]] = {}
    for vintage, lookup in hierarchy.lookup.group_by("vintage", maintain_order=True):
        v = vintage[0]
        for finer, coarser in zip(hierarchy.levels[:-1], hierarchy.levels[1:], strict=True):
            pairs = lookup.select(finer, coarser).unique().sort(finer)
            for parent, children in pairs.group_by(coarser, maintain_order=True):
                pkey = area_key(coarser, str(parent[0]), v)
                kids = [area_key(finer, str(c), v) for c in children.get_column(finer)]
                area_children.setdefault(pkey, []).append(kids)
    # absent cells (no one in them) are known zeros: add them where a relation needs them
    groups_by_q_period: dict[tuple, set] = {}
    areas_by_q_period: dict[tuple, set] = {}
    for q, area, group, period in keys:
        groups_by_q_period.setdefault((q, period), set()).add(group)
        areas_by_q_period.setdefault((q, period), set()).add(area)
    for (q, period), groups in groups_by_q_period.items():
        for area in areas_by_q_period[(q, period)]:
            for group in groups:
                key = (q, area, group, period)
                if key not in index:
                    index[key] = len(keys)
                    keys.append(key)
                    counts.append(0.0)
    relations = disclosure.cell_relations(keys, counts, area_children=area_children)
    policy = disclosure.Policy(threshold=spec.threshold, suppress_zeros=suppress_zeros)
    # A row hidden by the primary rule hides both its counts (a 0 of 3 hides the 0 too): they
    # are primary cells, each at most threshold - 1 (a part is never above its whole).
    row_primary = disclosure.primary_suppressed(
        policy, spec.measure, numerator=count, denominator=den
    )
    hidden = np.zeros(len(keys), dtype=bool)
    upper = np.full(len(keys), np.nan)
    for row in np.flatnonzero(row_primary):
        for i in cells_of_row.get(int(row), ()):
            hidden[i] = True
            if keys[i][0] == "num" and spec.measure in ("proportion", "count"):
                upper[i] = spec.threshold - 1
    sup, _kind = disclosure.protect_cells(
        counts,
        relations,
        policy,
        keys=keys,
        hidden=hidden,
        kinds=np.array([disclosure.PRIMARY if h else None for h in hidden], dtype=object),
        upper=upper,
        # a row is published with both its counts or not at all: the audit must see both
        # hidden, or a numerator hidden with its denominator could be recomputed
        linked=[cells for cells in cells_of_row.values() if len(cells) > 1],
    )
    out = np.zeros(wide.height, dtype=bool)
    for row, cells in cells_of_row.items():
        out[row] = bool(sup[cells].any())
    return out


def observations_from_wide(
    wide: pl.DataFrame,
    specs: Sequence[IndicatorSpec],
    *,
    confidence: float = 0.95,
    disclosure_control: str = "protected",
    suppress_zeros: bool = False,
    hierarchy: AreaHierarchy | None = None,
    group_columns: Sequence[str] = (),
) -> pl.DataFrame:
    """Turn the compiled query's wide result into long observations with intervals.

    Suppression is decided by :mod:`skillnader.stats.disclosure` on unweighted person counts:
    ``"protected"`` (the default) runs :func:`~skillnader.stats.disclosure.protect_cells` once
    per indicator over its whole output (every vintage, level, group and period, a cell shared
    by vintages being one cell; see :func:`_protect_joint`), which needs ``hierarchy``:
    primary suppression of small counts and denominators and secondary suppression so that no
    suppressed cell can be narrowed below the protection range by anything published.
    ``"primary"`` applies only the primary rule
    (:func:`~skillnader.stats.disclosure.primary_suppressed`) and ``"none"`` publishes
    everything: both are for internal use, never for publication. ``"full"`` is the former
    name of ``"protected"``. Suppressed cells lose value, interval, numerator and denominator.
    """
    if disclosure_control == "full":  # the former name of the protected mode
        disclosure_control = "protected"
    if disclosure_control not in ("protected", "primary", "none"):
        raise InputError(
            "unknown disclosure control",
            value=disclosure_control,
            expected="protected | primary | none",
        )
    frames = []
    key = wide.select(_KEY)
    for spec in specs:
        value, num, den, lower, upper = _intervals(spec, wide, confidence)
        count, count_den = _counts(spec, wide)
        policy = disclosure.Policy(threshold=spec.threshold, suppress_zeros=suppress_zeros)
        if disclosure_control == "none" or spec.threshold == 0:
            suppressed = np.zeros(wide.height, dtype=bool)
        elif disclosure_control == "primary":
            suppressed = disclosure.primary_suppressed(
                policy, spec.measure, numerator=count, denominator=count_den
            )
        else:
            if hierarchy is None:
                raise InputError("protected disclosure control needs the area hierarchy")
            suppressed = _protect_joint(spec, wide, count, count_den, hierarchy, suppress_zeros)
        frame = key.with_columns(
            pl.lit(spec.id).alias("indicator"),
            pl.lit(spec.measure).alias("measure"),
            pl.Series("value", value, dtype=pl.Float64).fill_nan(None),
            pl.Series("numerator", num, dtype=pl.Float64).fill_nan(None),
            pl.Series("denominator", den, dtype=pl.Float64).fill_nan(None),
            pl.Series("lower", lower, dtype=pl.Float64).fill_nan(None),
            pl.Series("upper", upper, dtype=pl.Float64).fill_nan(None),
            pl.Series("suppressed", suppressed, dtype=pl.Boolean),
        )
        hidden = pl.col("suppressed")
        frame = frame.with_columns(
            [
                pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("value", "numerator", "denominator", "lower", "upper")
            ]
        )
        frames.append(frame)
    result = pl.concat(frames).rename({"group_key": "group"})
    return result.select(list(OBSERVATION_SCHEMA))


def compute(
    records,
    specs: Sequence[IndicatorSpec],
    hierarchy: AreaHierarchy,
    *,
    layout: RecordLayout,
    group_sets: Sequence[Sequence[str]] = ((),),
    periods: Sequence[object] | None = None,
    vintages: Sequence[str] | None = None,
    confidence: float = 0.95,
    connection: duckdb.DuckDBPyConnection | None = None,
    check_areas: bool = True,
    disclosure_control: str = "protected",
    suppress_zeros: bool = False,
    dialect: str = "duckdb",
    watchdog: execute.Watchdog | None = None,
) -> pl.DataFrame:
    """Compute every indicator × area level × group combination × period in one DuckDB query.

    ``records``: a polars or Arrow frame, a DuckDB relation (pass its ``connection``), the name
    of a table in ``connection``, or a path to a Parquet or CSV file. ``hierarchy`` maps the
    records' finest area codes to every level and vintage (``vintages`` selects some).
    ``group_sets`` lists the group combinations, e.g. ``[("sex",), ("sex", "age_band")]``; the
    total over all groups is always included. Returns one row per indicator × vintage × level ×
    area × group × period with the columns of :data:`OBSERVATION_SCHEMA`.

    Intervals: Wilson for proportions, Byar (exact Poisson below 10) for counts and rates,
    Student's t for means (see :mod:`skillnader.stats.intervals`); order statistics for medians
    (Conover 1999, section 3.2; exact binomial ranks up to 20,000 values, normal approximation
    above). Suppression: see :func:`observations_from_wide` (``disclosure_control``,
    ``suppress_zeros``); by default the protected mode of :mod:`skillnader.stats.disclosure`.
    ``dialect="standard"`` runs the portable SQL: medians then come without an interval.
    ``watchdog`` limits each statement's time and time without CPU use
    (:class:`~skillnader.engine.execute.Watchdog`; by default from ``SKILLNADER_ENGINE_TIMEOUT``
    and ``SKILLNADER_ENGINE_STALL``): a statement over a limit is stopped with
    :class:`~skillnader.engine.execute.EngineTimeoutError` or
    :class:`~skillnader.engine.execute.EngineStalledError`. A connection the engine opens itself
    gives DuckDB at most :data:`DEFAULT_MEMORY_LIMIT` of working memory (``SKILLNADER_ENGINE_MEMORY``
    overrides it) and spills beyond it to the system's temporary directory; a statement that
    cannot fit fails with :class:`~skillnader.engine.execute.EngineMemoryError`.
    """
    if connection is None:
        connection = duckdb.connect()
        # A library call must not draw DuckDB's terminal progress bar.
        connection.execute("SET enable_progress_bar = false")
        _limit_memory(connection)
    if vintages is not None:
        hierarchy = hierarchy.select(vintages)
    relation = _register_records(connection, records)
    available = _columns(connection, relation)
    _check_layout(layout, available)
    check_columns(specs, available, age_column=layout.age)
    normalise_group_sets(group_sets, layout)
    if hierarchy.fractional and any(s.measure == "median" for s in specs):
        raise MethodError("medians cannot be split over areas by a weighted crosswalk")
    if check_areas:
        _check_areas(connection, relation, layout, hierarchy)
    lookup = hierarchy.lookup.rename(
        {level: f"level_{i}" for i, level in enumerate(hierarchy.levels)}
    )
    connection.register("area_lookup", lookup.to_arrow())
    if dialect == "duckdb" and any(s.measure == "median" for s in specs):
        n, r = median_ranks(confidence)
        connection.register("median_ranks", pl.DataFrame({"n": n, "r": r}).to_arrow())

    def statement(cell_ids: str) -> str:
        return compile_sql(
            specs,
            layout=layout,
            levels=hierarchy.levels,
            group_sets=group_sets,
            periods=periods,
            fractional=hierarchy.fractional,
            records=relation,
            lookup="area_lookup",
            confidence=confidence,
            dialect=dialect,
            cell_ids=cell_ids,
        )

    staged = dialect == "duckdb" and any(s.measure == "median" for s in specs)

    def run(cell_ids: str) -> pl.DataFrame:
        if not staged:
            return execute.fetch(connection, statement(cell_ids), watchdog=watchdog)
        # Medians: the records are read by simple statements into temporary tables first (a
        # single statement over an in-memory frame could stall DuckDB, see compile_stages).
        stages, final = compile_stages(
            specs,
            layout=layout,
            levels=hierarchy.levels,
            group_sets=group_sets,
            periods=periods,
            fractional=hierarchy.fractional,
            records=relation,
            lookup="area_lookup",
            confidence=confidence,
            cell_ids=cell_ids,
        )
        return execute.run_stages(connection, stages, final, watchdog=watchdog)

    try:
        try:
            wide = run("hash")
        except duckdb.Error as exc:
            if CELL_ID_COLLISION not in str(exc):
                raise
            # Two finest cells hashed to one number (about one chance in 10^10 for 10^5
            # cells): number them one by one instead.
            wide = run("join")
    except duckdb.OutOfMemoryException as exc:
        limit = connection.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
        raise execute.EngineMemoryError(
            f"DuckDB ran out of its working memory ({limit}): {exc}. "
            "Raise SKILLNADER_ENGINE_MEMORY (e.g. 8GB)"
        ) from exc
    except duckdb.Error as exc:
        raise SpecError(
            f"the records do not fit the specifications: {exc}",
            location="indicators",
            expected="columns of the types the expressions compare them with",
        ) from exc
    finally:
        connection.unregister("area_lookup")
        if dialect == "duckdb" and any(s.measure == "median" for s in specs):
            connection.unregister("median_ranks")
    return observations_from_wide(
        wide,
        specs,
        confidence=confidence,
        disclosure_control=disclosure_control,
        suppress_zeros=suppress_zeros,
        hierarchy=hierarchy,
        group_columns=[g for g in layout.groups if any(g in c for c in group_sets)],
    )
