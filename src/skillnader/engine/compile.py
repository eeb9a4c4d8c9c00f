"""Indicator specifications → one SQL statement.

With ``dialect="standard"`` the statement is portable SQL (common table expressions, ``FILTER``
clauses, ``GROUPING SETS`` and ``GROUPING()`` from SQL:2003, ``PERCENTILE_CONT … WITHIN GROUP``
for medians, ``CONCAT_WS`` for the group key) so that it can run on another engine later; the
default ``"duckdb"`` differs only for medians, whose interval needs order statistics at ranks that
depend on each cell's size (it uses window functions, ``MATERIALIZED`` common table expressions,
``QUANTILE_DISC`` over a ``USING SAMPLE`` and ``LIST_VALUE``). It reads two relations, the
person-level ``records`` and the flat ``area_lookup`` of
:class:`~skillnader.engine.hierarchy.AreaHierarchy` (plus ``median_ranks`` for medians).

Sums, counts and sums of squares are decomposable, so they are aggregated in two steps: first
every record is reduced to its cell of finest area × period × all group columns (one scan of the
records), then those few thousand cells are joined to the hierarchy and rolled up to every
requested level × group combination with ``GROUPING SETS``. Medians are not decomposable; with
``"duckdb"`` their records are counted per finest cell and value bucket, those cumulative counts
are rolled up the same way to find in which bucket each wanted order statistic of a cell lies,
and only those buckets' records are ranked (see :func:`_median_ctes`); with ``"standard"`` they
are computed from the records with the same grouping sets. Either way they are joined on the
cell key.

The output has one row per vintage × level × area × group × period and, per indicator, the
columns ``<id>__num``, ``<id>__den`` (and the unweighted ``__num_n``/``__den_n``, ``__w2`` of
weighted indicators, ``__sx``/``__sxx`` of means, ``__median``/``__lower``/``__upper`` of
medians) and the key columns ``vintage, level, area_code, group_key, period``. Suppression is
not decided here: :mod:`skillnader.engine.run` hands the unweighted counts to
:mod:`skillnader.stats.disclosure`, the one place that decides what may be published.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from skillnader.engine.spec import IndicatorSpec, SpecError

__all__ = [
    "CELL_ID_COLLISION",
    "EXACT_RANKS_UP_TO",
    "RecordLayout",
    "compile_sql",
    "compile_stages",
    "median_ranks",
    "normalise_group_sets",
    "output_columns",
]

EXACT_RANKS_UP_TO = 20_000

#: The message with which a median statement stops when two finest cells share a hash number.
CELL_ID_COLLISION = "two finest cells share a hash number"
# How a finest cell's key columns become its number in the median stage (see _median_ctes).
_CELL_HASH = "hash({})"
# Buckets of consecutive value ranks used to find a median's order statistics (see
# _median_ctes).
MEDIAN_BUCKETS = 64

_AREA = "area__"
_PERIOD = "period__"


@dataclass(frozen=True)
class RecordLayout:
    """Which record columns hold the finest area code, the period, the age and the groups."""

    area: str
    period: str
    groups: tuple[str, ...] = ()
    age: str | None = None


def median_ranks(confidence: float = 0.95, up_to: int = EXACT_RANKS_UP_TO):
    """Exact lower ranks of the order-statistic interval for the median, for n = 1 … ``up_to``.

    Returns ``(n, r)`` as numpy arrays: ``r`` is the largest rank with
    ``P(B <= r - 1) <= alpha / 2``, ``B ~ Binomial(n, 1/2)``; the upper limit is the order
    statistic ``n - r + 1``. Where no such rank exists (n too small), ``r`` is 0 and the interval
    is left empty. Reference: Conover (1999), *Practical Nonparametric Statistics*, 3rd ed.,
    section 3.2; the same rule as :func:`skillnader.stats.intervals.median_ci`.
    """
    import numpy as np
    from scipy import stats

    alpha = 1.0 - confidence
    n = np.arange(1, up_to + 1)
    k = stats.binom.ppf(alpha / 2, n, 0.5)
    k = np.where(stats.binom.cdf(k, n, 0.5) > alpha / 2, k - 1, k)
    r = (k + 1).astype(np.int64)
    valid = (r >= 1) & (r <= n - r + 1)
    return n.astype(np.int64), np.where(valid, r, 0)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def normalise_group_sets(
    group_sets: Sequence[Sequence[str]], layout: RecordLayout
) -> tuple[tuple[str, ...], ...]:
    """Validate the requested group combinations; always include the total ``()`` first.

    Columns inside a combination are put in the order of ``layout.groups`` so that the group key
    is canonical (``sex=female;age_band=16-24`` whatever order the user wrote).
    """
    order = {name: i for i, name in enumerate(layout.groups)}
    result: list[tuple[str, ...]] = [()]
    for combination in group_sets:
        if isinstance(combination, str):
            combination = (combination,)
        for name in combination:
            if name not in order:
                raise SpecError(
                    "group column not declared in the record layout",
                    location="group_sets",
                    value=name,
                    expected=", ".join(layout.groups) or "no groups declared",
                )
        if len(set(combination)) != len(combination):
            raise SpecError("a group column is repeated", location="group_sets", value=combination)
        canonical = tuple(sorted(combination, key=order.__getitem__))
        if canonical not in result:
            result.append(canonical)
    return tuple(result)


def _population(spec: IndicatorSpec, layout: RecordLayout, alias: str | None = None) -> str:
    prefix = "" if alias is None else alias + "."
    parts = []
    if spec.population is not None:
        parts.append(spec.population.sql if alias is None else spec.population.qualified(alias))
    if spec.min_age is not None:
        parts.append(f"({prefix}{_q(layout.age or '')} >= {spec.min_age})")
    if spec.max_age is not None:
        parts.append(f"({prefix}{_q(layout.age or '')} <= {spec.max_age})")
    if spec.measure in ("mean", "median"):
        parts.append(f"({prefix}{_q(spec.value or '')} IS NOT NULL)")
    return " AND ".join(parts) if parts else "TRUE"


def output_columns(spec: IndicatorSpec) -> dict[str, str]:
    """Per-indicator columns of the rolled-up result and how each is rolled up.

    ``"linear"`` columns are multiplied by the crosswalk weight, ``"square"`` ones by its square.
    """
    columns = {"num": "linear", "den": "linear"}
    if spec.weight is not None:
        columns.update({"num_n": "linear", "den_n": "linear", "w2": "square"})
    if spec.measure in ("mean", "median"):
        del columns["num"]
        columns.update({"sx": "linear", "sxx": "square"})
    if spec.measure == "median":
        del columns["sx"], columns["sxx"]
    return columns


def _base_aggregates(
    spec: IndicatorSpec, layout: RecordLayout, dialect: str = "standard"
) -> list[str]:
    """The aggregates of ``spec`` over the records, each ``<expression> AS <alias>``.

    The standard dialect writes conditional aggregates with ``FILTER (WHERE ...)``; DuckDB's
    evaluates ``COUNT_IF(condition)`` and ``SUM(CASE WHEN condition THEN x END)`` faster (about
    a tenth less CPU time in the scan of 10 million records) with the same
    result (a sum over no record is NULL in both).
    """

    def count(condition: str) -> str:
        if dialect == "duckdb":
            return f"COUNT_IF({condition})"
        return f"COUNT(*) FILTER (WHERE {condition})"

    def total(x: str, condition: str) -> str:
        if dialect == "duckdb":
            if condition == "TRUE":
                return f"SUM({x})"
            return f"SUM(CASE WHEN {condition} THEN {x} END)"
        return f"SUM({x}) FILTER (WHERE {condition})"

    population = _population(spec, layout)
    weight = None if spec.weight is None else f"CAST({_q(spec.weight)} AS DOUBLE)"
    p = spec.id
    out = []
    if spec.measure in ("proportion", "count", "rate"):
        numerator = spec.numerator.sql  # type: ignore[union-attr]
        if population != "TRUE":
            numerator = f"{population} AND {numerator}"
        if weight is None:
            out.append(f"{count(population)} AS {_q(p + '__den')}")
            out.append(f"{count(numerator)} AS {_q(p + '__num')}")
        else:
            out.append(f"{total(weight, population)} AS {_q(p + '__den')}")
            out.append(f"{total(weight, numerator)} AS {_q(p + '__num')}")
            out.append(f"{count(population)} AS {_q(p + '__den_n')}")
            out.append(f"{count(numerator)} AS {_q(p + '__num_n')}")
            out.append(f"{total(f'{weight} * {weight}', population)} AS {_q(p + '__w2')}")
        return out
    value = f"CAST({_q(spec.value or '')} AS DOUBLE)"
    if weight is None:
        out.append(f"{count(population)} AS {_q(p + '__den')}")
        if spec.measure == "mean":
            out.append(f"{total(value, population)} AS {_q(p + '__sx')}")
            out.append(f"{total(f'{value} * {value}', population)} AS {_q(p + '__sxx')}")
    else:
        out.append(f"{total(weight, population)} AS {_q(p + '__den')}")
        out.append(f"{count(population)} AS {_q(p + '__den_n')}")
        out.append(f"{total(f'{weight} * {weight}', population)} AS {_q(p + '__w2')}")
        out.append(f"{total(f'{weight} * {value}', population)} AS {_q(p + '__sx')}")
        out.append(f"{total(f'{weight} * {value} * {value}', population)} AS {_q(p + '__sxx')}")
    return out


def _grouping_sets(levels: int, group_sets, group_alias, source: str = "b") -> str:
    sets = []
    for level in range(levels):
        for combination in group_sets:
            columns = ["l.vintage", f"l.{_q(f'level_{level}')}", f"{source}.{_PERIOD}"]
            columns += [f"{source}.{_q(group_alias[name])}" for name in combination]
            sets.append("(" + ", ".join(columns) + ")")
    return "GROUPING SETS (\n    " + ",\n    ".join(sets) + "\n  )"


def _cell_key(
    levels: Sequence[str], groups: Sequence[str], group_alias, source: str, raw: bool = False
) -> list[str]:
    level_case = " ".join(
        f"WHEN GROUPING(l.{_q(f'level_{i}')}) = 0 THEN {_literal(name)}"
        for i, name in enumerate(levels)
    )
    area_case = " ".join(
        f"WHEN GROUPING(l.{_q(f'level_{i}')}) = 0 THEN l.{_q(f'level_{i}')}"
        for i in range(len(levels))
    )
    if groups:

        def text(g: str) -> str:
            column = f"{source}.{_q(group_alias[g])}"
            return f"COALESCE(CAST({column} AS VARCHAR), '(missing)')" if raw else column

        parts = ", ".join(
            f"CASE WHEN GROUPING({source}.{_q(group_alias[g])}) = 0 "
            f"THEN {_literal(g + '=')} || {text(g)} END"
            for g in groups
        )
        group_key = f"CONCAT_WS(';', {parts})"
    else:
        group_key = "''"
    return [
        "l.vintage AS vintage",
        f"CASE {level_case} END AS level",
        f"CASE {area_case} END AS area_code",
        f"{group_key} AS group_key",
        f"{source}.{_PERIOD} AS period",
    ]


def _bucket_case(x: str, low: int, high: int) -> str:
    """Nested CASE giving the number of bounds ``q1 … q{B-1}`` that ``x`` reaches (binary search)."""
    if low == high:
        return str(low)
    middle = (low + high + 1) // 2
    above = _bucket_case(x, middle, high)
    below = _bucket_case(x, low, middle - 1)
    return f"CASE WHEN {x} >= q{middle} THEN {above} ELSE {below} END"


def _median_ctes(
    name: str,
    spec: IndicatorSpec,
    *,
    levels: Sequence[str],
    group_sets: Sequence[tuple[str, ...]],
    used_groups: Sequence[str],
    group_alias: dict[str, str],
    keys: Sequence[tuple[str, str]],
    records: str,
    condition: str,
    cells: str,
    lookup: str,
    ranks: str,
    confidence: float,
    cell_ids: str = "hash",
) -> list[str]:
    """Common table expressions for one median with its order-statistic interval.

    ``keys`` pairs the records' finest key columns (area, period, groups) with their aliases in
    ``cells``, the records' finest cells (finest area × period × group columns) from the first
    stage; ``condition`` selects the median's population from ``records`` (alias ``r0``). The last
    expression, ``name``, has the cell key (``vintage, level, area_code, group_key, period``)
    and ``<id>__median``, ``<id>__lower``, ``<id>__upper``.

    Sorting every cell's values would sort every record once per grouping set. Instead:

    1. ``B`` = :data:`MEDIAN_BUCKETS` value buckets are cut at ``B - 1`` quantiles of a 1 %
       sample of the population (any increasing cut would do: the bounds only steer the work,
       never the result; equal values always share a bucket);
    2. per finest cell the records are counted
       cumulatively by bucket, ``s_j`` = records in buckets ``0 … j``; these counts add up, so
       they are rolled up to every cell with ``GROUPING SETS`` as the other sums are;
    3. each cell's ``n`` (``s_{B-1}``), the ranks wanted (the two middle ones, ``r`` and
       ``n - r + 1``, ``r`` as in :func:`median_ranks`) and, from the cumulative counts, the
       bucket holding each rank and the rank inside that bucket follow;
    4. only the records of those (cell, bucket) pairs are numbered by value, and the wanted
       order statistics are read off.

    The values picked are exactly those of sorting each cell's values completely.

    Each record finds its finest cell through ``cell_ids``: ``"hash"`` (the default) numbers the
    cells by a 64-bit hash of their key columns, computed on the records as they are scanned, and
    the statement stops with :data:`CELL_ID_COLLISION` in the rare case that two cells share a
    hash (the caller then runs it again with ``"join"``, which numbers the cells one by one and
    joins the records to them on their key columns).
    """
    p = name
    buckets = MEDIAN_BUCKETS
    aliases = [alias for _, alias in keys]
    area = _q(_AREA)
    level_cols = [_q(f"level_{i}") for i in range(len(levels))]
    group_cols = [_q(group_alias[g]) for g in used_groups]
    flags = level_cols + group_cols  # the arguments of GROUPING(...), most significant first
    bit = {column: 1 << (len(flags) - 1 - i) for i, column in enumerate(flags)}
    value = f"CAST(r0.{_q(spec.value or '')} AS DOUBLE)"
    z = float(NormalDist().inv_cdf(0.5 + confidence / 2))
    cum = [f"s{j}__" for j in range(buckets)]

    def same(a: str, b: str, columns: Sequence[str]) -> str:
        return " AND ".join(f"{a}.{c} IS NOT DISTINCT FROM {b}.{c}" for c in columns)

    fractions = ", ".join(repr(j / buckets) for j in range(1, buckets))
    on_keys = f"r0.{keys[0][0]} = i.{area} AND " + " AND ".join(
        f"r0.{k} IS NOT DISTINCT FROM i.{a}" for k, a in keys[1:]
    )
    ctes = [
        # Bucket bounds: quantiles of a 1 % sample, sorted so that the bucket of a value (binary
        # search over them) never decreases as the value increases. (An empty sample gives no
        # bounds: every value is then in bucket 0, still exact.)
        f"{p}_bounds AS (\n  SELECT "
        + ", ".join(f"q[{j}] AS q{j}" for j in range(1, buckets))
        + f"\n  FROM (\n    SELECT LIST_SORT(QUANTILE_DISC(x__, [{fractions}])) AS q"
        f"\n    FROM (SELECT {value} AS x__ FROM {records} AS r0 WHERE {condition})"
        "\n    USING SAMPLE bernoulli(1 PERCENT) REPEATABLE (2026)\n  )\n)",
    ]
    if cell_ids == "hash":
        ctes += [
            # Finest cells of the records (from the first stage) numbered by a hash of their key,
            # so that the records of the median's population carry one integer instead of their
            # key columns, computed as they are read (no join).
            f"{p}_ids0 AS MATERIALIZED (\n  SELECT {', '.join(aliases)}, "
            f"{_CELL_HASH.format(', '.join(aliases))} AS fid__\n  FROM {cells}\n)",
            # Two cells with one number would mix their records: stop instead.
            f"{p}_ids AS MATERIALIZED (\n  SELECT i.* FROM {p}_ids0 AS i CROSS JOIN (\n"
            f"    SELECT CASE WHEN COUNT(DISTINCT fid__) <> COUNT(*) THEN "
            f"error('{CELL_ID_COLLISION}') END AS ok__ FROM {p}_ids0\n  ) AS k"
            "\n  WHERE k.ok__ IS NULL\n)",
            f"{p}_x AS MATERIALIZED (\n  SELECT v.fid__, v.x__, "
            f"{_bucket_case('v.x__', 0, buckets - 1)} AS b__\n  FROM (\n"
            f"    SELECT {_CELL_HASH.format(', '.join(f'r0.{k}' for k, _ in keys))} AS fid__, "
            f"{value} AS x__\n"
            f"    FROM {records} AS r0\n    WHERE {condition}\n"
            f"  ) AS v CROSS JOIN {p}_bounds AS qb\n)",
        ]
    elif cell_ids == "join":
        ctes += [
            # Finest cells numbered one by one; the records join them on their key columns.
            f"{p}_ids AS MATERIALIZED (\n  SELECT {', '.join(aliases)}, "
            "ROW_NUMBER() OVER () AS fid__"
            f"\n  FROM {cells}\n)",
            f"{p}_x AS MATERIALIZED (\n  SELECT v.fid__, v.x__, "
            f"{_bucket_case('v.x__', 0, buckets - 1)} AS b__\n  FROM (\n"
            f"    SELECT i.fid__, {value} AS x__\n"
            f"    FROM {records} AS r0 JOIN {p}_ids AS i ON {on_keys}\n    WHERE {condition}\n"
            f"  ) AS v CROSS JOIN {p}_bounds AS qb\n)",
        ]
    else:
        raise ValueError(f"cell_ids must be 'hash' or 'join', not {cell_ids!r}")
    ctes += [
        f"{p}_fine AS (\n  SELECT fid__,\n    "
        + ",\n    ".join(
            f"SUM(CASE WHEN b__ <= {j} THEN c__ ELSE 0 END) AS {c}" for j, c in enumerate(cum)
        )
        + f"\n  FROM (SELECT fid__, b__, COUNT(*) AS c__ FROM {p}_x GROUP BY fid__, b__)"
        "\n  GROUP BY fid__\n)",
        f"{p}_cells AS MATERIALIZED (\n  SELECT i.*, l.vintage, "
        f"{', '.join(f'l.{c}' for c in level_cols)}, {', '.join(f'f.{c}' for c in cum)}\n"
        f"  FROM {p}_fine AS f JOIN {p}_ids AS i ON f.fid__ = i.fid__\n"
        f"  JOIN {lookup} AS l ON CAST(i.{area} AS VARCHAR) = l.source_code\n)",
    ]
    # The rolled-up cumulative counts of every cell, its key (as in ``rolled``), its raw key
    # columns and which columns it is grouped on (``gid__``), and a cell number.
    key = _cell_key(levels, used_groups, group_alias, "l", raw=True)
    grouping = ", ".join(f"l.{c}" for c in flags)
    ctes.append(
        f"{p}_hist AS (\n  SELECT\n    "
        + ",\n    ".join(
            [
                *key,
                *[f"l.{c} AS {c}" for c in level_cols + group_cols],
                f"l.{_q(_PERIOD)} AS {_q(_PERIOD)}",
                f"GROUPING({grouping}) AS gid__",
                *[f"CAST(SUM(l.{c}) AS BIGINT) AS {c}" for c in cum],
            ]
        )
        + f"\n  FROM {p}_cells AS l"
        + f"\n  GROUP BY {_grouping_sets(len(levels), group_sets, group_alias, 'l')}\n)"
    )
    n = cum[-1]
    rank = (
        f"NULLIF(COALESCE(mr.r, CASE WHEN {n} > {EXACT_RANKS_UP_TO} THEN CAST(FLOOR("
        f"{n} / 2.0 - {z!r} * SQRT({n}) / 2.0 + 0.5) AS BIGINT) END), 0)"
    )
    ctes.append(
        f"{p}_ranks AS (\n  SELECT h.*, ROW_NUMBER() OVER () AS cid__,\n"
        f"    CAST(FLOOR(({n} + 1) / 2.0) AS BIGINT) AS k1__,\n"
        f"    CAST(CEIL(({n} + 1) / 2.0) AS BIGINT) AS k2__,\n"
        f"    {rank} AS k3__,\n"
        f"    LIST_VALUE(0, {', '.join(cum[:-1])}) AS before__\n"
        f"  FROM {p}_hist AS h LEFT JOIN {ranks} AS mr ON mr.n = h.{n}\n)"
    )
    wanted = {1: "k1__", 2: "k2__", 3: "k3__", 4: f"{n} - k3__ + 1"}

    def bucket_of(k: str) -> str:
        return " + ".join(f"CAST({c} < {k} AS INTEGER)" for c in cum[:-1])

    ctes.append(
        f"{p}_loc AS MATERIALIZED (\n  SELECT *,\n    "
        + ",\n    ".join(f"{k} - before__[b{i}__ + 1] AS q{i}__" for i, k in wanted.items())
        + "\n  FROM (\n    SELECT *,\n      "
        + ",\n      ".join(f"{bucket_of(k)} AS b{i}__" for i, k in wanted.items())
        + f"\n    FROM {p}_ranks\n  )\n)"
    )
    # (cell, bucket) pairs to read, with the rank wanted inside the bucket for each role.
    ctes.append(
        f"{p}_target AS (\n  SELECT cid__, b__, "
        + ", ".join(f"MAX(q{i}__) AS q{i}__" for i in wanted)
        + "\n  FROM (\n"
        + "\n    UNION ALL\n".join(
            f"    SELECT cid__, b{i}__ AS b__, "
            + ", ".join(f"{f'q{i}__' if j == i else 'NULL'} AS q{j}__" for j in wanted)
            + f" FROM {p}_loc WHERE b{i}__ IS NOT NULL"
            for i in wanted
        )
        + "\n  )\n  GROUP BY cid__, b__\n)"
    )
    branches = []
    for level in range(len(levels)):
        for combination in group_sets:
            columns = [_q(group_alias[g]) for g in combination]
            gid = sum(bit[c] for c in flags if c not in (level_cols[level], *columns))
            match = same("h", "c", ["vintage", level_cols[level], _q(_PERIOD), *columns])
            branches.append(
                f"  SELECT h.cid__, c.fid__\n"
                f"  FROM {p}_loc AS h JOIN {p}_cells AS c ON h.gid__ = {gid} AND {match}"
            )
    ctes.append(f"{p}_member AS (\n" + "\n  UNION ALL\n".join(branches) + "\n)")
    ctes.append(
        f"{p}_expand AS MATERIALIZED (\n  SELECT t.*, m.fid__\n"
        f"  FROM {p}_target AS t JOIN {p}_member AS m ON t.cid__ = m.cid__\n)"
    )
    match = "x.fid__ = e.fid__ AND x.b__ = e.b__"
    qs = ", ".join(f"e.q{i}__" for i in wanted)
    ctes.append(
        f"{p}_pick AS (\n  SELECT * FROM (\n    SELECT e.cid__, {qs}, x.x__,\n"
        "      ROW_NUMBER() OVER (PARTITION BY e.cid__, e.b__ ORDER BY x.x__) AS rn__\n"
        f"    FROM {p}_x AS x JOIN {p}_expand AS e ON {match}\n  )\n"
        f"  WHERE rn__ IN ({', '.join(f'q{i}__' for i in wanted)})\n)"
    )
    ctes.append(
        f"{p}_values AS (\n  SELECT cid__,\n    "
        + ",\n    ".join(f"MAX(CASE WHEN rn__ = q{i}__ THEN x__ END) AS v{i}__" for i in wanted)
        + f"\n  FROM {p}_pick\n  GROUP BY cid__\n)"
    )
    ctes.append(
        f"{p} AS (\n  SELECT h.vintage, h.level, h.area_code, h.group_key, h.period,\n"
        f"    (v.v1__ + v.v2__) / 2 AS {_q(spec.id + '__median')},\n"
        f"    v.v3__ AS {_q(spec.id + '__lower')},\n    v.v4__ AS {_q(spec.id + '__upper')}\n"
        f"  FROM {p}_loc AS h JOIN {p}_values AS v ON h.cid__ = v.cid__\n)"
    )
    return ctes


def _compile_parts(
    specs: Sequence[IndicatorSpec],
    *,
    layout: RecordLayout,
    levels: Sequence[str],
    group_sets: Sequence[Sequence[str]],
    periods: Sequence[object] | None,
    fractional: bool,
    records: str,
    lookup: str,
    dialect: str,
    confidence: float,
    cell_ids: str,
    ranks: str,
) -> tuple[list[str], str]:
    """The common table expressions and the final SELECT of :func:`compile_sql`."""
    if dialect not in ("duckdb", "standard"):
        raise SpecError("unknown SQL dialect", location="dialect", value=dialect)
    if not specs:
        raise SpecError("no indicators to compute", location="indicators")
    group_sets = normalise_group_sets(group_sets, layout)
    used_groups = [g for g in layout.groups if any(g in combo for combo in group_sets)]
    group_alias = {g: f"g_{i}" for i, g in enumerate(layout.groups)}

    where = ""
    if periods is not None:
        if not periods:
            raise SpecError("empty list of periods", location="periods")
        where = f"\n  WHERE {_q(layout.period)} IN ({', '.join(_literal(p) for p in periods)})"

    # Stage 1: one scan of the records down to finest area × period × all group columns. The
    # records' own columns are grouped on (cheap for dictionary-encoded columns); the text forms
    # are made on the few resulting cells.
    key_aliases = [_AREA, _PERIOD, *[group_alias[g] for g in used_groups]]
    raw_keys = [_q(layout.area), _q(layout.period), *[_q(g) for g in used_groups]]
    aggregates = [agg for spec in specs for agg in _base_aggregates(spec, layout, dialect)]
    aggregate_aliases = [agg.rsplit(" AS ", 1)[1] for agg in aggregates]
    cells_select = ",\n    ".join(
        [f"{k} AS {_q(a)}" for k, a in zip(raw_keys, key_aliases, strict=True)] + aggregates
    )
    # The median stage numbers these cells too: computed once.
    materialized = (
        "MATERIALIZED " if dialect == "duckdb" and any(s.measure == "median" for s in specs) else ""
    )
    cells = (
        f"cells AS {materialized}(\n  SELECT\n    {cells_select}\n  FROM {records}{where}\n"
        f"  GROUP BY {', '.join(raw_keys)}\n)"
    )
    base_select = ",\n    ".join(
        [f"CAST({_q(_AREA)} AS VARCHAR) AS {_q(_AREA)}", _q(_PERIOD)]
        + [
            f"COALESCE(CAST({_q(group_alias[g])} AS VARCHAR), '(missing)') AS {_q(group_alias[g])}"
            for g in used_groups
        ]
        + aggregate_aliases
    )
    base = f"base AS (\n  SELECT\n    {base_select}\n  FROM cells\n)"

    # Stage 2: roll the cells up along the hierarchy and over the group combinations.
    rolled_columns = _cell_key(levels, used_groups, group_alias, "b")
    for spec in specs:
        for suffix, kind in output_columns(spec).items():
            column = f"b.{_q(spec.id + '__' + suffix)}"
            if not fractional:
                expr = f"SUM({column})"
                if suffix in ("num", "den", "num_n", "den_n") and spec.weight is None:
                    expr = f"CAST({expr} AS BIGINT)"
            elif kind == "square":
                expr = f"SUM({column} * l.weight * l.weight)"
            else:
                expr = f"SUM({column} * l.weight)"
            rolled_columns.append(f"{expr} AS {_q(spec.id + '__' + suffix)}")
    rolled = (
        "rolled AS (\n  SELECT\n    "
        + ",\n    ".join(rolled_columns)
        + f"\n  FROM base AS b JOIN {lookup} AS l ON b.{_AREA} = l.source_code"
        + f"\n  GROUP BY {_grouping_sets(len(levels), group_sets, group_alias)}\n)"
    )

    ctes = [cells, base, rolled]
    medians = [s for s in specs if s.measure == "median"]
    final = ["r.*"]
    final_from = "rolled AS r"
    period_where = where.replace(_q(layout.period), f"r0.{_q(layout.period)}")
    period_condition = period_where.replace("\n  WHERE ", "")
    if medians and dialect == "standard":
        raw_keys = [f"r0.{k}" for k in raw_keys]
        raw_select = ",\n    ".join(
            [f"{k} AS {_q(a)}" for k, a in zip(raw_keys, key_aliases, strict=True)]
            + [
                f"CAST(r0.{_q(s.value or '')} AS DOUBLE) AS {_q(s.id + '__x')}, "
                f"({_population(s, layout, 'r0')}) AS {_q(s.id + '__in')}"
                for s in medians
            ]
        )
        # Only records in some median's population are read into the quantile states.
        wanted = " OR ".join(f"({_population(s, layout, 'r0')})" for s in medians)
        raw_where = f"{period_where} AND ({wanted})" if period_where else f"\n  WHERE {wanted}"
        # When every median has the same population the WHERE clause above already selects
        # it, and the (slower) FILTER clause is left out.
        shared = len({_population(s, layout) for s in medians}) == 1

        def only(s: IndicatorSpec) -> str:
            return "" if shared else f" FILTER (WHERE b.{_q(s.id + '__in')})"

        ctes.append(f"raw AS (\n  SELECT\n    {raw_select}\n  FROM {records} AS r0{raw_where}\n)")
        join = f"\n  FROM raw AS b JOIN {lookup} AS l ON CAST(b.{_AREA} AS VARCHAR) = l.source_code"
        grouping = f"\n  GROUP BY {_grouping_sets(len(levels), group_sets, group_alias)}\n)"
        key = _cell_key(levels, used_groups, group_alias, "b", raw=True)
        columns = key + [
            f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY b.{_q(s.id + '__x')}){only(s)}"
            f" AS {_q(s.id + '__median')}, NULL AS {_q(s.id + '__lower')}, "
            f"NULL AS {_q(s.id + '__upper')}"
            for s in medians
        ]
        ctes.append("medians AS (\n  SELECT\n    " + ",\n    ".join(columns) + join + grouping)
        final_from += (
            " LEFT JOIN medians AS m ON r.vintage = m.vintage AND r.level = m.level "
            "AND r.area_code = m.area_code AND r.group_key = m.group_key "
            "AND r.period IS NOT DISTINCT FROM m.period"
        )
        final += [
            f"m.{_q(s.id + '__' + part)}" for s in medians for part in ("median", "lower", "upper")
        ]
    elif medians:
        for i, spec in enumerate(medians):
            population = _population(spec, layout, "r0")
            ctes += _median_ctes(
                f"med{i}",
                spec,
                levels=levels,
                group_sets=group_sets,
                used_groups=used_groups,
                group_alias=group_alias,
                keys=[(k, _q(a)) for k, a in zip(raw_keys, key_aliases, strict=True)],
                records=records,
                cells="cells",
                condition=f"{period_condition} AND ({population})" if period_where else population,
                lookup=lookup,
                ranks=ranks,
                confidence=confidence,
                cell_ids=cell_ids,
            )
            m = f"m{i}"
            final_from += (
                f" LEFT JOIN med{i} AS {m} ON r.vintage = {m}.vintage AND r.level = {m}.level "
                f"AND r.area_code = {m}.area_code AND r.group_key = {m}.group_key "
                f"AND r.period IS NOT DISTINCT FROM {m}.period"
            )
            final += [f"{m}.{_q(spec.id + '__' + part)}" for part in ("median", "lower", "upper")]

    select = (
        "SELECT\n  "
        + ",\n  ".join(final)
        + f"\nFROM {final_from}\nORDER BY vintage, level, area_code, group_key, period"
    )
    return ctes, select


def compile_sql(
    specs: Sequence[IndicatorSpec],
    *,
    layout: RecordLayout,
    levels: Sequence[str],
    group_sets: Sequence[Sequence[str]] = ((),),
    periods: Sequence[object] | None = None,
    fractional: bool = False,
    records: str = "records",
    lookup: str = "area_lookup",
    dialect: str = "duckdb",
    confidence: float = 0.95,
    cell_ids: str = "hash",
    ranks: str = "median_ranks",
) -> str:
    """Compile ``specs`` into one SQL statement over ``records`` and ``lookup``.

    ``levels`` are the hierarchy's level names (finest first); the lookup must have the columns
    ``vintage, source_code, weight, level_0 … level_k``. ``group_sets`` lists the group
    combinations (the total is always added). ``periods`` restricts the periods (``None`` = all).
    ``fractional`` says whether crosswalk weights other than 1 occur; without them counts stay
    exact integers.

    ``dialect="standard"`` writes medians with ``PERCENTILE_CONT`` and no interval. With
    ``"duckdb"`` (the default) each cell's median and the order statistics of its
    distribution-free interval (Conover 1999, section 3.2; as
    :func:`skillnader.stats.intervals.median_ci`) are picked exactly, without sorting each
    cell's values (see :func:`_median_ctes`); the lower
    rank ``r`` for cells of up to :data:`EXACT_RANKS_UP_TO` values comes from the relation
    ``ranks`` (``n, r``, exact binomial ranks for ``confidence``, see :func:`median_ranks`),
    above that from the normal approximation ``floor(n/2 - z sqrt(n)/2 + 1/2)``.
    """
    ctes, select = _compile_parts(
        specs,
        layout=layout,
        levels=levels,
        group_sets=group_sets,
        periods=periods,
        fractional=fractional,
        records=records,
        lookup=lookup,
        dialect=dialect,
        confidence=confidence,
        cell_ids=cell_ids,
        ranks=ranks,
    )
    return "WITH\n" + ",\n".join(ctes) + "\n" + select


_CTE = re.compile(r"(?s)\A(\w+) AS (?:MATERIALIZED )?\(\n(.*)\n\)\Z")


def compile_stages(
    specs: Sequence[IndicatorSpec],
    *,
    layout: RecordLayout,
    levels: Sequence[str],
    group_sets: Sequence[Sequence[str]] = ((),),
    periods: Sequence[object] | None = None,
    fractional: bool = False,
    records: str = "records",
    lookup: str = "area_lookup",
    confidence: float = 0.95,
    cell_ids: str = "hash",
    ranks: str = "median_ranks",
) -> tuple[list[tuple[str, str]], str]:
    """The statement of :func:`compile_sql` (DuckDB dialect) split so that ``records`` is read
    only by simple statements.

    Returns ``(stages, final)``: ``stages`` is a list of ``(name, select)`` pairs, to be run in
    order, each into a temporary table called ``name``; ``final`` is the remaining statement,
    which reads those tables (under the names of the common table expressions they replace)
    and never ``records``. The stages are the first scan of the records down to the finest cells
    (``cells``) and, per median, its bucket bounds (``med<i>_bounds``), for ``cell_ids="join"``
    the numbered cells (``med<i>_ids``), and its values with their cell and bucket
    (``med<i>_x``). The numbers are those of :func:`compile_sql`.

    Why: a single statement that scans an in-memory (Arrow) frame several times and then runs
    the median's window and join stages can stop with every DuckDB worker idle (seen with DuckDB
    2.0 at 20 million records); statements that read the frame once each do not.
    """
    ctes, select = _compile_parts(
        specs,
        layout=layout,
        levels=levels,
        group_sets=group_sets,
        periods=periods,
        fractional=fractional,
        records=records,
        lookup=lookup,
        dialect="duckdb",
        confidence=confidence,
        cell_ids=cell_ids,
        ranks=ranks,
    )
    stage_names = {"cells"}
    for i in range(sum(s.measure == "median" for s in specs)):
        stage_names |= {f"med{i}_bounds", f"med{i}_x"}
        if cell_ids == "join":
            stage_names.add(f"med{i}_ids")
    stages: list[tuple[str, str]] = []
    rest: list[str] = []
    for cte in ctes:
        match = _CTE.match(cte)
        if match is None:  # pragma: no cover - every expression is written in this form
            raise ValueError(f"unexpected common table expression: {cte[:60]!r}")
        if match.group(1) in stage_names:
            stages.append((match.group(1), match.group(2)))
        else:
            rest.append(cte)
    return stages, "WITH\n" + ",\n".join(rest) + "\n" + select
