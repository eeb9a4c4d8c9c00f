"""The vectorised between-area gap table against straightforward per-group computations.

The fast path of :func:`skillnader.analysis.analyse` finds the rows at the P10/P90 interpolation
positions for all groups at once; these tests compare it, on random sets with ties, missing
intervals, groups of many sizes and shuffled rows, with NumPy's own percentiles, a stable
argsort, and the per-group :func:`percentile_gap_delta` / :func:`area_gaps`.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from skillnader.analysis import IndicatorInfo, analyse
from skillnader.analysis.findings import (
    _delta_gaps,
    _rows_at_ranks,
    area_gaps,
    percentile_gap_delta,
)

Z = 1.959963984540054


@pytest.mark.parametrize("seed", range(6))
def test_rows_at_ranks_equal_a_stable_argsort_per_group(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 2, 3, 5, 8, 8, 8, 13, 40], size=60)
    groups = []
    for n in sizes:
        # Few distinct values, so ties are common; now and then a NaN or a signed zero.
        v = rng.integers(-3, 4, n).astype(float)
        v[rng.random(n) < 0.1] = np.nan
        v[rng.random(n) < 0.1] = -0.0
        groups.append(v)
    v = np.concatenate(groups)
    # Groups are listed one after another, rows of a group in input order but interleaved.
    perm = rng.permutation(v.size)
    values = np.empty(v.size)
    values[perm] = v
    rows = perm.astype(np.int64)
    ranks = [rng.integers(0, sizes) for _ in range(5)] + [sizes - 1, np.zeros_like(sizes)]
    got = _rows_at_ranks(values, rows, sizes.astype(np.int64), ranks)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    for g, (s, n) in enumerate(zip(start, sizes, strict=True)):
        members = rows[s : s + n]
        order = members[np.argsort(values[members], kind="stable")]
        for rank, res in zip(ranks, got, strict=True):
            assert res[g] == order[rank[g]]


def random_areas(seed, n_ind=4, years=("2019", "2020", "2021", "2022")):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_ind):
        for level, vintage, n_areas in (("regso", "2020", 37), ("sdo", "2007", 9), ("x", "1", 3)):
            for year in years:
                n = int(n_areas - rng.integers(0, 3))  # some areas suppressed
                v = np.round(rng.normal(50 + i, 8, n), 0)  # rounded: ties
                se = rng.uniform(0.2, 3.0, n)
                lo, hi = v - Z * se, v + Z * se
                missing = rng.random(n) < 0.1
                out.append(
                    pl.DataFrame(
                        {
                            "indicator": f"i{i}",
                            "level": level,
                            "vintage": vintage,
                            "area_code": [f"{level}{j:03d}" for j in range(n)],
                            "group": "",
                            "period": year,
                            "value": v,
                            "lower": np.where(missing, np.nan, lo),
                            "upper": np.where(missing, np.nan, hi),
                        }
                    )
                )
    df = pl.concat(out).with_columns(
        pl.when(pl.col("lower").is_nan()).then(None).otherwise(pl.col("lower")).alias("lower"),
        pl.when(pl.col("upper").is_nan()).then(None).otherwise(pl.col("upper")).alias("upper"),
    )
    return df.sample(fraction=1.0, shuffle=True, seed=seed)


@pytest.mark.parametrize("seed", range(4))
def test_gap_table_equals_numpy_percentiles_and_the_per_group_delta_method(seed):
    df = random_areas(seed)
    table = _delta_gaps(df)
    keys = ["indicator", "level", "vintage", "period"]
    assert table.height == df.select(keys).unique().height
    for key, part in df.group_by(keys):
        row = table.filter(
            pl.all_horizontal(pl.col(k) == v for k, v in zip(keys, key, strict=True))
        ).row(0, named=True)
        v = part["value"].to_numpy()
        se = ((part["upper"] - part["lower"]) / (2 * Z)).fill_null(0.0).to_numpy()
        p90, p10 = np.percentile(v, [90, 10])
        ref_gap, ref_se = percentile_gap_delta(v, se)
        assert row["n"] == v.size
        assert row["gap"] == pytest.approx(p90 - p10, rel=1e-12, abs=1e-12)
        assert row["gap"] == pytest.approx(ref_gap, rel=1e-12, abs=1e-12)
        assert row["se"] == pytest.approx(ref_se, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("seed", range(3))
def test_analyse_gap_series_equal_area_gaps_per_indicator(seed):
    df = random_areas(seed)
    city = (
        df.select("indicator", "period")
        .unique()
        .with_columns(
            level=pl.lit("kommun"),
            vintage=pl.lit("2020"),
            area_code=pl.lit("0180"),
            group=pl.lit(""),
            value=pl.lit(50.0),
            lower=pl.lit(49.0),
            upper=pl.lit(51.0),
        )
        .select(df.columns)
    )
    info = {
        f"i{i}": IndicatorInfo(f"i{i}", f"I {i}", f"I {i}", "higher_is_better") for i in range(4)
    }
    findings = analyse(pl.concat([df, city]), info, benchmark="0180")
    assert [f.indicator for f in findings] == sorted(info, key=df["indicator"].to_list().index)
    for f in findings:
        by_label = {g.label: g for g in f.gaps}
        assert sorted(by_label) == ["regso:2020", "sdo:2007", "x:1"]
        for label, got in by_label.items():
            level, vintage = label.split(":")
            part = df.filter(
                (pl.col("indicator") == f.indicator)
                & (pl.col("level") == level)
                & (pl.col("vintage") == vintage)
            )
            periods = sorted(part["period"].unique().to_list())
            vals, ses = [], []
            for p in periods:
                rows = part.filter(pl.col("period") == p)
                vals.append(rows["value"].to_numpy())
                ses.append(((rows["upper"] - rows["lower"]) / (2 * Z)).to_numpy())
            ref = area_gaps(periods, vals, ses, label=label)
            assert got.periods == ref.periods and got.n_areas == ref.n_areas
            assert got.direction == ref.direction
            np.testing.assert_allclose(got.values, ref.values, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(got.lower, ref.lower, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(got.upper, ref.upper, rtol=1e-12, atol=1e-12)
            for a, b in (
                (got.change, ref.change),
                (got.change_lower, ref.change_lower),
                (got.change_upper, ref.change_upper),
            ):
                assert (a is None and b is None) or a == pytest.approx(b, rel=1e-10, abs=1e-12)
