"""The synthetic population reproduces its real margins (and says that it is synthetic)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from skillnader.engine import synthetic
from skillnader.errors import InputError


@pytest.fixture(scope="module")
def margins():
    return synthetic.load_margins()


def test_bundled_margins_are_the_scb_values(margins):
    assert margins.height == 127 * 4
    row = margins.filter(pl.col("regso_code") == "0180R001", pl.col("year") == 2020).row(
        0, named=True
    )
    # Abrahamsberg 2020 in shared/data/stockholm/stockholm_regso_indicators_2020_2023_long.csv
    assert (row["regso_name"], row["mean_wage_income_tkr"]) == ("Abrahamsberg", 348.0)
    city = margins.filter(pl.col("year") == 2023).select(
        pl.col("population_total", "population_born_abroad").sum()
    )
    assert city.row(0) == (988943, 259382)


def test_every_row_is_labelled_synthetic(population):
    assert population["synthetic"].all()
    assert "never" in synthetic.generate.__doc__.lower() or "never" in synthetic.__doc__.lower()
    assert population.height == 80_000


def test_mean_wage_income_of_adults_matches_scb_exactly(population, margins):
    got = (
        population.filter(pl.col("age") >= 20)
        .group_by(pl.col("regso").cast(pl.Utf8).alias("regso_code"), "year")
        .agg(pl.col("wage_income").mean())
        .join(margins, on=["regso_code", "year"])
    )
    assert got.height == 127 * 2
    np.testing.assert_allclose(got["wage_income"], got["mean_wage_income_tkr"], rtol=1e-9)
    assert population.filter(pl.col("age") < 20)["wage_income"].null_count() == (
        population.filter(pl.col("age") < 20).height
    )


def test_area_sizes_and_born_abroad_shares_follow_the_margins(population, margins):
    m = margins.filter(pl.col("year") == 2023)
    p = population.filter(pl.col("year") == 2023)
    n = p.height
    counts = p.group_by(pl.col("regso").cast(pl.Utf8).alias("regso_code")).agg(
        pl.len(), pl.col("born_abroad").mean().alias("abroad")
    )
    j = counts.join(m, on="regso_code")
    share = j["population_total"] / m["population_total"].sum()
    expected = share * n
    # Multinomial counts within 4.5 standard deviations of their expectation.
    assert (np.abs(j["len"] - expected) <= 4.5 * np.sqrt(expected * (1 - share)) + 1).all()
    city_share = m["population_born_abroad"].sum() / m["population_total"].sum()
    assert p["born_abroad"].mean() == pytest.approx(city_share, abs=4 * np.sqrt(0.25 / n))
    # The born-abroad share of the 20 largest RegSO tracks SCB's share area by area.
    big = j.sort("population_total", descending=True).head(20)
    r = np.corrcoef(big["abroad"], big["population_born_abroad"] / big["population_total"])[0, 1]
    assert r > 0.9


def test_columns_are_consistent(population):
    bands = (
        population.select(pl.col("age").min().over("age_band").alias("lo"), "age_band")
        .unique()
        .sort("age_band")
    )
    expected = {"0-5": 0, "6-15": 6, "16-19": 16, "20-44": 20, "45-64": 45, "65-79": 65, "80+": 80}
    assert dict(zip(bands["age_band"].cast(pl.Utf8), bands["lo"], strict=True)) == expected
    assert (
        population.filter(pl.col("born_abroad") != (pl.col("birth_region") != "sweden")).height == 0
    )
    assert population.filter(pl.col("employed") & (pl.col("age") < 20)).height == 0
    assert (
        population.filter(pl.col("age") < 20)["education"].null_count()
        == population.filter(pl.col("age") < 20).height
    )


def test_same_seed_same_population_other_seed_other_population():
    a = synthetic.generate(2_000, [2023], seed=3)
    assert a.equals(synthetic.generate(2_000, [2023], seed=3))
    assert not a.equals(synthetic.generate(2_000, [2023], seed=4))


def test_years_and_areas_arguments():
    p = synthetic.generate(1_000, 3, seed=1, areas=["0180R001", "0180R002"])
    assert sorted(p["year"].unique()) == [2021, 2022, 2023]
    assert sorted(p["regso"].cast(pl.Utf8).unique()) == ["0180R001", "0180R002"]
    with pytest.raises(InputError, match="unknown RegSO"):
        synthetic.generate(10, 1, areas=["0180R200"])


def test_stockholm_hierarchy_has_the_sdo_divisions_of_each_vintage():
    h = synthetic.stockholm_hierarchy()
    counts = h.lookup.group_by("vintage").agg(pl.col("sdo").n_unique(), pl.col("regso").n_unique())
    got = {r["vintage"]: (r["regso"], r["sdo"]) for r in counts.iter_rows(named=True)}
    assert got == {
        "sdo_2007_2020": (127, 14),
        "sdo_from_2020_07": (127, 13),
        "sdo_from_2023_07": (127, 11),
    }
    assert h.levels == ("regso", "sdo", "kommun") and not h.fractional
