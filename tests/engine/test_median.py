"""Medians and their order-statistic intervals, cell by cell against sorting each cell in numpy.

The compiled query never sorts a cell's values completely (it counts values per bucket and ranks
only the buckets holding the wanted order statistics), so it is checked here on data that
stresses that: many ties, missing group values and periods, cells from one value to more than
:data:`~skillnader.engine.compile.EXACT_RANKS_UP_TO` values (normal approximation of the rank),
two vintages and two medians with different populations. Synthetic random data only.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import polars as pl
import pytest

from skillnader.engine import AreaHierarchy, RecordLayout, compute, parse_specs
from skillnader.engine.compile import EXACT_RANKS_UP_TO, median_ranks

AREAS = [f"A{i}" for i in range(8)]
LAYOUT = RecordLayout(area="area", period="year", groups=("g", "h"))
GROUP_SETS = [("g",), ("g", "h")]


@pytest.fixture(scope="module")
def hierarchy():
    first = AreaHierarchy.from_columns(
        pl.DataFrame({"area": AREAS, "mid": [f"M{i % 3}" for i in range(8)], "top": ["T"] * 8}),
        ("area", "mid", "top"),
        vintage="v1",
    )
    second = AreaHierarchy.from_columns(
        pl.DataFrame({"area": AREAS, "mid": [f"N{i % 2}" for i in range(8)], "top": ["T"] * 8}),
        ("area", "mid", "top"),
        vintage="v2",
    )
    return first.combine(second)


@pytest.fixture(scope="module")
def records():
    rng = np.random.default_rng(11)
    n = 46_000
    # The last area is tiny: cells of one to a few values.
    area = np.where(rng.random(n) < 0.0004, "A7", rng.choice(AREAS[:7], size=n))
    year = rng.choice([2022, 2023], size=n)
    return pl.DataFrame(
        {
            "area": area,
            "year": pl.Series(year).set(pl.Series(rng.random(n) < 0.01), None),
            "g": pl.Series(rng.choice(["a", "b", "-"], size=n)).replace("-", None),
            "h": rng.choice(["x", "y", "z"], size=n),
            # Rounded to halves: many ties.
            "income": np.round(rng.lognormal(5.0, 0.6, size=n) * 2) / 2,
            "age": rng.integers(0, 100, size=n),
            "flag": rng.random(n) < 0.4,
        }
    )


@pytest.fixture(scope="module")
def medians(records, hierarchy):
    specs = parse_specs(
        {
            "indicators": [
                {"id": "m_income", "measure": "median", "value": "income", "threshold": 0},
                {
                    "id": "m_age",
                    "measure": "median",
                    "value": "age",
                    "population": "flag",
                    "threshold": 0,
                },
            ]
        }
    )
    return compute(
        records,
        specs,
        hierarchy,
        layout=LAYOUT,
        group_sets=GROUP_SETS,
        disclosure_control="none",
    )


_RANKS = median_ranks()[1]


def _reference(values: np.ndarray) -> tuple[float, float, float]:
    v = np.sort(values)
    n = v.size
    median = (v[(n + 1) // 2 - 1] + v[-(-(n + 1) // 2) - 1]) / 2
    if n <= EXACT_RANKS_UP_TO:
        r = int(_RANKS[n - 1])
    else:
        z = NormalDist().inv_cdf(0.975)
        r = math.floor(n / 2 - z * math.sqrt(n) / 2 + 0.5)
    if r == 0:
        return median, math.nan, math.nan
    return median, v[r - 1], v[n - r]


def _cells(records, hierarchy, value: str, population):
    frame = records.filter(population).join(
        hierarchy.lookup.select("vintage", pl.col("source_code").alias("area"), "mid", "top"),
        on="area",
    )
    for level in ("area", "mid", "top"):
        for combination in [(), *GROUP_SETS]:
            keys = ["vintage", level, "year", *combination]
            for key, cell in frame.group_by(keys):
                group = ";".join(
                    f"{g}={'(missing)' if k is None else k}"
                    for g, k in zip(combination, key[3:], strict=True)
                )
                yield (key[0], level, key[1], group, key[2]), cell.get_column(value).to_numpy()


@pytest.mark.parametrize(
    ("indicator", "value", "population", "largest"),
    [
        ("m_income", "income", pl.lit(True), EXACT_RANKS_UP_TO + 1),
        ("m_age", "age", pl.col("flag"), 5_000),
    ],
)
def test_every_median_cell_equals_sorting_the_cell(
    medians, records, hierarchy, indicator, value, population, largest
):
    engine = {
        (r["vintage"], r["level"], r["area_code"], r["group"], r["period"]): r
        for r in medians.filter(pl.col("indicator") == indicator).iter_rows(named=True)
    }
    sizes = []
    for key, values in _cells(records, hierarchy, value, population):
        row = engine[key]
        median, lower, upper = _reference(values.astype(float))
        sizes.append(values.size)
        assert row["denominator"] == values.size, key
        assert row["value"] == median, key
        if math.isnan(lower):
            assert row["lower"] is None and row["upper"] is None, key
        else:
            assert (row["lower"], row["upper"]) == (lower, upper), key
    # Every size class was exercised, and every engine cell with values was checked.
    assert min(sizes) <= 5 and max(sizes) >= largest
    assert len(sizes) == sum(1 for r in engine.values() if r["denominator"])


def test_cells_sharing_a_hash_number_fall_back_to_numbering_them(
    medians, records, hierarchy, monkeypatch
):
    from skillnader.engine import compile as compile_module

    # Four numbers for hundreds of finest cells: collisions are certain.
    monkeypatch.setattr(compile_module, "_CELL_HASH", "hash({}) % 4")
    specs = parse_specs(
        {"indicators": [{"id": "m_income", "measure": "median", "value": "income", "threshold": 0}]}
    )
    sql = compile_module.compile_sql(
        specs, layout=LAYOUT, levels=hierarchy.levels, group_sets=GROUP_SETS
    )
    assert "% 4" in sql and compile_module.CELL_ID_COLLISION in sql
    again = compute(
        records,
        specs,
        hierarchy,
        layout=LAYOUT,
        group_sets=GROUP_SETS,
        disclosure_control="none",
    )
    expected = medians.filter(pl.col("indicator") == "m_income")
    assert again.height == expected.height
    assert again.select("area_code", "group", "period", "value", "lower", "upper").equals(
        expected.select("area_code", "group", "period", "value", "lower", "upper")
    )


def test_the_collision_check_stops_the_statement(records, hierarchy, monkeypatch):
    import duckdb

    from skillnader.engine import compile as compile_module
    from skillnader.engine import execute as execute_module

    monkeypatch.setattr(compile_module, "_CELL_HASH", "hash({}) % 4")
    seen = []
    fetch = execute_module.fetch

    def spy(connection, sql, **kwargs):
        try:
            return fetch(connection, sql, **kwargs)
        except duckdb.Error as exc:
            seen.append(str(exc))
            raise

    monkeypatch.setattr(execute_module, "fetch", spy)
    specs = parse_specs(
        {"indicators": [{"id": "m_income", "measure": "median", "value": "income", "threshold": 0}]}
    )
    compute(records, specs, hierarchy, layout=LAYOUT, group_sets=GROUP_SETS)
    assert len(seen) == 1 and compile_module.CELL_ID_COLLISION in seen[0]
