"""The Spark backend against the DuckDB backend, cell by cell, on a real two-worker cluster.

A standalone master and two workers (separate JVMs) are started on loopback for this module and
stopped after it. Data: a SYNTHETIC population (never published).
"""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from tests.engine.conftest import GROUP_SETS, HERE, LAYOUT
from tests.engine.spark_cluster import StandaloneCluster

from skillnader.engine import RecordLayout, SpecError, compute, load_specs, parse_specs, synthetic
from skillnader.engine.spark import compute_spark, spark_session

pytestmark = [pytest.mark.spark, pytest.mark.slow]

KEY = ["indicator", "vintage", "level", "area_code", "group", "period"]


@pytest.fixture(scope="module")
def cluster():
    # Two cores a worker: the tests' session takes one on each, a second application (the
    # command line) the others.
    with StandaloneCluster(workers=2, cores=2, memory="2g") as url:
        yield url


@pytest.fixture(scope="module")
def spark(cluster):
    session = spark_session(
        cluster,
        app_name="skillnader-tests",
        config={
            "spark.executor.memory": "512m",
            "spark.executor.cores": "1",
            "spark.cores.max": "2",
            "spark.sql.shuffle.partitions": "4",
            "spark.ui.enabled": "false",
            "spark.driver.memory": "1g",
        },
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def small():
    """3,000 synthetic residents a year, 2022 and 2023."""
    return synthetic.generate(3_000, [2022, 2023], seed=11)


@pytest.fixture(scope="module")
def all_vintages():
    return synthetic.stockholm_hierarchy()


def _same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.height == b.height and a.height > 0
    assert_frame_equal(a.sort(KEY), b.sort(KEY), check_exact=False, rel_tol=1e-12, abs_tol=1e-12)


def test_the_cluster_has_two_workers_with_an_executor_each(spark):
    # Executors report in as the first job runs; the driver counts as one more entry.
    assert (
        spark.range(0, 1000, numPartitions=4).selectExpr("id % 7 AS k").groupBy("k").count().count()
        == 7
    )
    status = spark.sparkContext._jsc.sc().getExecutorMemoryStatus()
    assert status.size() >= 3
    assert spark.sparkContext.master.startswith("spark://127.0.0.1:")


def test_backends_agree_cell_by_cell_on_every_indicator_level_vintage_group_and_period(
    spark, small, all_vintages
):
    specs = load_specs(HERE / "indicators.yaml")
    assert {s.measure for s in specs} >= {"proportion", "rate", "count", "mean", "median"}
    # The primary rule on this many tables; the protected mode's joint search is the same Python
    # code on both (observations_from_wide) and is compared on a smaller set below.
    kwargs = dict(layout=LAYOUT, group_sets=GROUP_SETS, disclosure_control="primary")
    duck = compute(small, specs, all_vintages, **kwargs)
    sp = compute_spark(small, specs, all_vintages, session=spark, **kwargs)
    _same(duck, sp)
    assert set(sp.get_column("vintage").unique()) == set(all_vintages.vintages)
    assert set(sp.get_column("level").unique()) == {"regso", "sdo", "kommun"}
    assert sp.get_column("suppressed").any() and not sp.get_column("suppressed").all()
    medians = sp.filter((pl.col("measure") == "median") & pl.col("lower").is_not_null())
    assert medians.height > 0


def test_parquet_input_and_a_period_filter_agree(spark, small, all_vintages, tmp_path):
    path = tmp_path / "persons.parquet"
    small.write_parquet(path)
    specs = load_specs(HERE / "indicators.yaml")[:3]
    layout = RecordLayout(area="regso", period="year", groups=("sex",), age="age")
    kwargs = dict(layout=layout, group_sets=[("sex",)], periods=[2023], vintages=["sdo_2007_2020"])
    # the default disclosure control: the protected mode
    duck = compute(str(path), specs, all_vintages, **kwargs)
    sp = compute_spark(str(path), specs, all_vintages, session=spark, **kwargs)
    _same(duck, sp)
    assert sp.get_column("period").unique().to_list() == [2023]


def test_a_specification_error_is_the_same_typed_error_on_both_backends(spark, small, all_vintages):
    specs = parse_specs(
        {"indicators": [{"id": "x", "measure": "proportion", "numerator": "no_such_column"}]}
    )
    errors = []
    for run in (compute, lambda *a, **k: compute_spark(*a, session=spark, **k)):
        with pytest.raises(SpecError) as caught:
            run(small, specs, all_vintages, layout=LAYOUT)
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert "no_such_column" in errors[0]


def test_unknown_area_codes_are_refused_on_both_backends(spark, small, all_vintages):
    from skillnader.errors import UnknownAreaError

    bad = small.head(50).with_columns(pl.lit("0180R999").alias("regso"))
    specs = load_specs(HERE / "indicators.yaml")[:1]
    messages = []
    for run in (compute, lambda *a, **k: compute_spark(*a, session=spark, **k)):
        with pytest.raises(UnknownAreaError) as caught:
            run(bad, specs, all_vintages, layout=LAYOUT)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_skillnader_compute_on_spark_equals_duckdb(cluster, spark, small, tmp_path):
    path = tmp_path / "persons.parquet"
    small.filter(pl.col("year") == 2023).write_parquet(path)
    spec = tmp_path / "indicators.yaml"
    spec.write_text(
        "indicators:\n"
        "  - {id: employment_rate, measure: proportion, numerator: employed, min_age: 20,"
        " max_age: 64}\n"
        "  - {id: median_age, measure: median, value: age}\n",
        encoding="utf-8",
    )
    outs = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"{engine}.parquet"
        args = [
            sys.executable,
            "-m",
            "skillnader.cli",
            "compute",
            str(spec),
            str(path),
            "--age",
            "age",
            "--group-set",
            "sex",
            "--vintage",
            "sdo_from_2023_07",
            "--engine",
            engine,
            "--out",
            str(out),
            "--json",
        ]
        if engine == "spark":
            args += ["--master", cluster, "--spark-conf", "spark.executor.memory=512m"]
            args += ["--spark-conf", "spark.sql.shuffle.partitions=4"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        assert summary["engine"] == engine and summary["observations"] > 0
        outs[engine] = pl.read_parquet(out)
    _same(outs["duckdb"], outs["spark"])
