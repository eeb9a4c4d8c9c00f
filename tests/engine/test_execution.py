"""How the engine runs its statements: staged medians over in-memory frames, and the watchdog.

A single statement that read an in-memory (Arrow) frame several times and then ranked the
median's buckets stopped DuckDB with every worker idle at 20 million records. Medians now read
the records in simple statements into temporary tables first (``compile_stages``), and every
statement runs under a watchdog that stops it with a typed error when it runs too long or stops
using CPU. Synthetic data only.
"""

from __future__ import annotations

import re
import time

import duckdb
import numpy as np
import polars as pl
import pytest

from skillnader.engine import RecordLayout, compute, parse_specs, synthetic
from skillnader.engine.compile import compile_sql, compile_stages, median_ranks
from skillnader.engine.execute import (
    EngineMemoryError,
    EngineStalledError,
    EngineTimeoutError,
    Watchdog,
    fetch,
    run_stages,
)
from skillnader.errors import SkillnaderError

LAYOUT = RecordLayout(
    area="regso", period="year", groups=("sex", "age_band", "birth_region"), age="age"
)
GROUP_SETS = [("sex",), ("age_band",), ("sex", "age_band"), ("sex", "age_band", "birth_region")]
SPECS = parse_specs(
    {
        "indicators": [
            {"id": "employment", "measure": "proportion", "numerator": "employed", "min_age": 20},
            {"id": "mean_wage", "measure": "mean", "value": "wage_income", "min_age": 20},
            {
                "id": "median_wage",
                "measure": "median",
                "value": "wage_income",
                "population": "employed",
            },
            {"id": "median_age", "measure": "median", "value": "age", "threshold": 0},
        ]
    }
)


@pytest.fixture(scope="module")
def hierarchy():
    return synthetic.stockholm_hierarchy(["sdo_from_2023_07"])


@pytest.fixture(scope="module")
def mid_size():
    """250,000 synthetic residents × 4 years = 1 million records in memory."""
    return synthetic.generate(250_000, 4, seed=20)


def _single_statement(records: pl.DataFrame, hierarchy) -> pl.DataFrame:
    """The same computation as one statement (the form that could stall at 20 M records)."""
    con = duckdb.connect()
    con.register("records", records.to_arrow())
    lookup = hierarchy.lookup.rename({lv: f"level_{i}" for i, lv in enumerate(hierarchy.levels)})
    con.register("area_lookup", lookup.to_arrow())
    n, r = median_ranks(0.95)
    con.register("median_ranks", pl.DataFrame({"n": n, "r": r}).to_arrow())
    sql = compile_sql(SPECS, layout=LAYOUT, levels=hierarchy.levels, group_sets=GROUP_SETS)
    return pl.from_arrow(con.sql(sql).to_arrow_table())


def test_a_mid_size_in_memory_run_with_medians_completes(mid_size, hierarchy):
    started = time.monotonic()
    out = compute(
        mid_size,
        SPECS,
        hierarchy,
        layout=LAYOUT,
        group_sets=GROUP_SETS,
        disclosure_control="primary",
        # A stall or a run far beyond its normal time fails the test instead of hanging it.
        watchdog=Watchdog(timeout=600, stall=60),
    )
    assert time.monotonic() - started < 600
    medians = out.filter(pl.col("indicator") == "median_age", pl.col("level") == "kommun")
    # One city × 4 years × (1 + 2 + 7 + 14 + 56) group cells.
    assert medians.height == 4 * (1 + 2 + 7 + 14 + 56)
    city = medians.filter(pl.col("group") == "").sort("period")
    for row in city.iter_rows(named=True):
        ages = mid_size.filter(pl.col("year") == row["period"]).get_column("age").to_numpy()
        assert row["value"] == pytest.approx(float(np.median(ages)))
        assert row["lower"] <= row["value"] <= row["upper"]


def test_staged_statements_give_the_single_statements_numbers(mid_size, hierarchy):
    small = mid_size.filter(pl.col("year") == pl.col("year").min()).head(60_000)
    single = _single_statement(small, hierarchy)
    con = duckdb.connect()
    con.register("records", small.to_arrow())
    lookup = hierarchy.lookup.rename({lv: f"level_{i}" for i, lv in enumerate(hierarchy.levels)})
    con.register("area_lookup", lookup.to_arrow())
    n, r = median_ranks(0.95)
    con.register("median_ranks", pl.DataFrame({"n": n, "r": r}).to_arrow())
    for cell_ids in ("hash", "join"):
        stages, final = compile_stages(
            SPECS, layout=LAYOUT, levels=hierarchy.levels, group_sets=GROUP_SETS, cell_ids=cell_ids
        )
        names = [name for name, _ in stages]
        assert names[0] == "cells" and "med1_x" in names
        # The final statement never reads the records: only the stages do.
        assert re.search(r"\brecords\b", final) is None
        assert all(re.search(r"\brecords\b", sql) for name, sql in stages if name.endswith("_x"))
        staged = run_stages(con, stages, final)
        assert staged.columns == single.columns and staged.height == single.height
        for column in single.columns:
            a, b = staged.get_column(column), single.get_column(column)
            if a.dtype.is_float() and not column.endswith(("__median", "__lower", "__upper")):
                # Sums of doubles may be added in another order.
                assert np.allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12, equal_nan=True), column
            else:
                assert a.equals(b), (cell_ids, column)
        # The temporary tables are gone afterwards.
        left = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
        assert left == []


def test_a_statement_that_stops_using_cpu_fails_with_a_typed_error():
    con = duckdb.connect()
    # A statement that waits without using CPU, as DuckDB does when it stalls (the interrupt
    # takes effect when the function returns).
    con.create_function("nap", lambda x: time.sleep(x) or x, [float], float)
    started = time.monotonic()
    with pytest.raises(EngineStalledError, match="used no CPU for 1 s") as info:
        fetch(con, "SELECT nap(4.0) AS x", watchdog=Watchdog(stall=1, timeout=60), stage="test")
    assert time.monotonic() - started < 20
    assert isinstance(info.value, SkillnaderError) and info.value.stage == "test"
    # The connection is usable afterwards.
    assert con.execute("SELECT 42").fetchall() == [(42,)]


def test_a_statement_over_its_time_limit_fails_with_a_typed_error():
    con = duckdb.connect()
    started = time.monotonic()
    with pytest.raises(EngineTimeoutError, match="longer than 1 s") as info:
        fetch(
            con,
            "SELECT SUM(HASH(i)) FROM range(1000000000000) AS t(i)",
            watchdog=Watchdog(timeout=1, stall=None),
        )
    assert not isinstance(info.value, EngineStalledError)
    assert time.monotonic() - started < 20


def test_the_watchdog_reads_its_limits_from_the_environment(monkeypatch):
    monkeypatch.setenv("SKILLNADER_ENGINE_TIMEOUT", "12")
    monkeypatch.setenv("SKILLNADER_ENGINE_STALL", "0")
    watchdog = Watchdog.from_environment()
    assert watchdog.timeout == 12 and watchdog.stall is None


def test_a_small_memory_limit_spills_and_gives_the_same_observations(
    mid_size, hierarchy, monkeypatch
):
    """DuckDB's working memory is bounded (``SKILLNADER_ENGINE_MEMORY``); beyond the bound
    joins, windows and aggregations spill to disk and the observations are the same."""
    records = mid_size.filter(pl.col("year") == pl.col("year").min())
    key = ["indicator", "vintage", "level", "area_code", "group", "period"]

    def run(limit: str) -> pl.DataFrame:
        monkeypatch.setenv("SKILLNADER_ENGINE_MEMORY", limit)
        out = compute(
            records,
            SPECS,
            hierarchy,
            layout=LAYOUT,
            group_sets=GROUP_SETS,
            disclosure_control="primary",
        )
        return out.sort(key)

    roomy, tight = run("8GB"), run("500MB")
    assert tight.height == roomy.height > 0
    for column in tight.columns:
        a, b = tight.get_column(column), roomy.get_column(column)
        if a.dtype.is_float() and column in ("value", "numerator", "lower", "upper"):
            assert np.allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12, equal_nan=True), column
        else:
            assert a.equals(b), column


def test_the_memory_limit_must_be_a_size(mid_size, hierarchy, monkeypatch):
    from skillnader.errors import InputError

    monkeypatch.setenv("SKILLNADER_ENGINE_MEMORY", "2GB; SET threads = 64")
    records = synthetic.generate(200, 1, seed=3)
    with pytest.raises(InputError, match="not a memory size"):
        compute(records, SPECS[:1], hierarchy, layout=LAYOUT)
    # A limit too small to work in fails with a clear error, not as a specification error.
    monkeypatch.setenv("SKILLNADER_ENGINE_MEMORY", "200MB")
    with pytest.raises(EngineMemoryError, match="SKILLNADER_ENGINE_MEMORY"):
        records = mid_size.filter(pl.col("year") == pl.col("year").min())
        compute(records, SPECS, hierarchy, layout=LAYOUT, group_sets=GROUP_SETS)
