"""Whole-set comparison and inequality tables equal the per-cell functions of skillnader.stats."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from skillnader.analysis import IndicatorInfo
from skillnader.analysis.tables import INEQUALITY_MEASURES, area_comparisons, area_inequality
from skillnader.errors import MethodError
from skillnader.stats import inequality as iq
from skillnader.stats.compare import compare_intervals

PER_CELL = {
    "range": lambda v: iq.range_(v).value,
    "ratio_extremes": lambda v: iq.ratio_extremes(v).value,
    "ratio_p90_p10": lambda v: iq.ratio_p90_p10(v).value,
    "coefficient_of_variation": lambda v: iq.coefficient_of_variation(v).value,
    "gini": lambda v: iq.gini(v),
    "theil_t": lambda v: iq.theil(v).total,
}


#: The columns of the observation frame the analysis reads.
COLUMNS = [
    "indicator",
    "level",
    "vintage",
    "area_code",
    "group",
    "period",
    "value",
    "lower",
    "upper",
]


def _random_set(seed: int) -> pl.DataFrame:
    """Indicators × two levels × groups × periods with 0 to 40 areas, ties, zeros, negatives,
    suppressed cells and cells without an interval."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(6):
        ind = f"i{k}"
        for level, vintage in (("sdo", "2023"), ("regso", "2020")):
            for group in ("", "sex=women"):
                for period in ("2021", "2022", "2023"):
                    n = int(rng.choice([0, 1, 2, 3, 4, 5, 6, 12, 40]))
                    kind = rng.choice(["positive", "ties", "with_zero", "with_negative"])
                    if kind == "ties":
                        values = rng.choice([10.0, 12.5, 20.0], size=n)
                    else:
                        values = rng.uniform(1, 100, size=n)
                    if kind == "with_zero" and n:
                        values[rng.integers(n)] = 0.0
                    if kind == "with_negative" and n:
                        values[rng.integers(n)] = -3.0
                    for j, v in enumerate(values):
                        half = float(rng.uniform(0.1, 20))
                        suppressed = rng.random() < 0.05
                        no_interval = rng.random() < 0.05
                        rows.append(
                            (
                                ind,
                                level,
                                vintage,
                                f"{level}{j:02d}",
                                group,
                                period,
                                None if suppressed else float(v),
                                None if suppressed or no_interval else float(v) - half,
                                None if suppressed or no_interval else float(v) + half,
                            )
                        )
                    # the city's own cell, once per indicator, group and period (sometimes none)
                    if level == "sdo" and rng.random() < 0.9:
                        city = float(rng.uniform(1, 100))
                        half = float(rng.uniform(0.1, 5)) if rng.random() < 0.8 else None
                        rows.append(
                            (
                                ind,
                                "kommun",
                                "1971",
                                "0180",
                                group,
                                period,
                                city,
                                None if half is None else city - half,
                                None if half is None else city + half,
                            )
                        )
    return pl.DataFrame(
        rows,
        schema=COLUMNS,
        orient="row",
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_inequality_table_equals_the_per_cell_functions(seed):
    df = _random_set(seed)
    table = area_inequality(df, benchmark="0180")
    areas = df.filter((pl.col("area_code") != "0180") & pl.col("value").is_not_null())
    keys = ["indicator", "level", "vintage", "group", "period"]
    expected = {k: part["value"].to_numpy() for k, part in areas.group_by(keys)}
    got = {tuple(r[k] for k in keys): r for r in table.iter_rows(named=True)}
    assert set(got) == set(expected)
    refused = computed = 0
    for key, values in expected.items():
        row = got[key]
        assert row["n_areas"] == values.size
        for name in INEQUALITY_MEASURES:
            try:
                want = PER_CELL[name](values)
            except MethodError:
                assert row[name] is None, (key, name)
                assert name in row["not_computed"], (key, name)
                refused += 1
                continue
            computed += 1
            assert row[name] == pytest.approx(want, rel=1e-12, abs=1e-12), (key, name)
            assert name not in (row["not_computed"] or ""), (key, name)
    # the random sets exercise both sides of every rule
    assert refused > 20 and computed > 100


def test_inequality_reasons_are_named():
    df = pl.DataFrame(
        {
            "indicator": ["a"] * 4,
            "level": ["sdo"] * 4,
            "vintage": ["2023"] * 4,
            "area_code": ["1", "2", "3", "0180"],
            "group": [""] * 4,
            "period": ["2023"] * 4,
            "value": [0.0, 5.0, 9.0, 4.0],
            "lower": [None] * 4,
            "upper": [None] * 4,
        }
    )
    row = area_inequality(df, benchmark="0180").row(0, named=True)
    assert row["n_areas"] == 3  # the city is not one of the areas
    assert row["range"] == 9.0 and row["gini"] == pytest.approx(iq.gini([0.0, 5.0, 9.0]))
    assert row["ratio_extremes"] is None and row["theil_t"] is None
    assert row["not_computed"] == (
        "ratio_extremes (non_positive_values); ratio_p90_p10 (too_few_areas); "
        "theil_t (non_positive_values)"
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_comparison_table_equals_compare_intervals(seed):
    df = _random_set(seed)
    polarities = ["higher_is_better", "lower_is_better", "no_judgement"]
    info = {
        f"i{k}": IndicatorInfo(
            f"i{k}", "", "", polarities[k % 3], measure="count" if k == 5 else "proportion"
        )
        for k in range(6)
    }
    table = area_comparisons(df, info, benchmark="0180")
    assert table.height == df.filter(pl.col("area_code") != "0180").height
    city = {
        (r["indicator"], r["group"], r["period"]): r
        for r in df.filter(pl.col("area_code") == "0180").iter_rows(named=True)
    }
    seen = set()
    for r in table.iter_rows(named=True):
        b = city.get((r["indicator"], r["group"], r["period"]))
        ind = info[r["indicator"]]
        if ind.measure == "count" or b is None or r["value"] is None:
            want = "not_compared"
        else:
            limits = {}
            if b["lower"] is not None:
                limits = {"benchmark_lower": b["lower"], "benchmark_upper": b["upper"]}
            want = str(
                compare_intervals(
                    r["value"],
                    math.nan if r["lower"] is None else r["lower"],
                    math.nan if r["upper"] is None else r["upper"],
                    b["value"],
                    ind.polarity,
                    **limits,
                )
            )
        assert r["comparison"] == want, r
        seen.add(want)
    assert {"better", "worse", "similar", "higher", "lower", "not_compared"} <= seen


def test_a_benchmark_with_two_cells_for_one_key_is_refused():
    df = _random_set(1)
    twice = pl.concat([df, df.filter(pl.col("area_code") == "0180").head(1)])
    with pytest.raises(MethodError, match="more than one cell"):
        area_comparisons(twice, {}, benchmark="0180")


def test_matrix_measures_equal_the_per_cell_functions():
    from skillnader.analysis.tables import _matrix_measures, _too_few

    rng = np.random.default_rng(5)
    for n in (2, 3, 5, 9, 40):
        m = np.sort(rng.uniform(-2, 30, size=(50, n)), axis=1)
        m[:10] = np.sort(rng.choice([1.0, 2.0, 4.0], size=(10, n)), axis=1)  # ties
        got = _matrix_measures(m)
        for row in range(m.shape[0]):
            for name in INEQUALITY_MEASURES:
                try:
                    want = PER_CELL[name](m[row])
                except MethodError:
                    # the rules on the number of areas are applied by the caller
                    assert _too_few(name, n) or np.isnan(got[name][row]), (n, row, name)
                    continue
                assert not _too_few(name, n), (n, name)
                assert got[name][row] == pytest.approx(want, rel=1e-12, abs=1e-12), (n, name)


def _series(half_width: float, n_areas: int = 30, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for period in ("2021", "2022"):
        values = rng.uniform(20, 60, size=n_areas)
        for j, v in enumerate(values):
            rows.append(
                ("a", "regso", "2020", f"R{j}", "", period, v, v - half_width, v + half_width)
            )
    return pl.DataFrame(
        rows,
        schema=COLUMNS,
        orient="row",
    )


def test_simulated_intervals_surround_the_measures_and_shrink_with_the_areas_uncertainty():
    wide = area_inequality(_series(8.0), benchmark="0180", sims=2000, seed=1)
    narrow = area_inequality(_series(0.5), benchmark="0180", sims=2000, seed=1)
    point = area_inequality(_series(8.0), benchmark="0180")
    for name in INEQUALITY_MEASURES:
        # the point estimates are those of the table without simulation
        assert wide[name].to_list() == point[name].to_list()
        for w, nr in zip(wide.iter_rows(named=True), narrow.iter_rows(named=True), strict=True):
            assert w[f"{name}_lower"] < w[f"{name}_upper"], name
            assert nr[f"{name}_upper"] - nr[f"{name}_lower"] < (
                w[f"{name}_upper"] - w[f"{name}_lower"]
            ), name
            # with small noise the interval surrounds the measure
            assert nr[f"{name}_lower"] <= nr[name] <= nr[f"{name}_upper"], name
    again = area_inequality(_series(8.0), benchmark="0180", sims=2000, seed=1)
    assert again.equals(wide)


def test_no_simulated_interval_without_every_area_interval_or_the_measure():
    df = _series(3.0).with_columns(
        pl.when(pl.col("area_code") == "R3").then(None).otherwise(pl.col("lower")).alias("lower")
    )
    table = area_inequality(df, benchmark="0180", sims=500)
    assert table["range"].null_count() == 0
    assert table["range_lower"].null_count() == table.height
    small = _series(3.0, n_areas=3)
    row = area_inequality(small, benchmark="0180", sims=500).row(0, named=True)
    assert row["ratio_p90_p10"] is None and row["ratio_p90_p10_lower"] is None
    assert row["range_lower"] is not None
