"""The engine against a hand-written query, by hand, and its invariants (synthetic data only)."""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
import pytest
from scipy import stats as st

from skillnader.engine import AreaHierarchy, RecordLayout, compute, parse_specs
from skillnader.errors import UnknownAreaError
from skillnader.stats import intervals

from .conftest import GROUP_SETS, LAYOUT

HAND_SQL = """
WITH p AS (
  SELECT r.*, CAST(r.regso AS VARCHAR) AS regso_code, l.sdo
  FROM records AS r JOIN lookup AS l ON CAST(r.regso AS VARCHAR) = l.source_code
),
cells AS (
  SELECT 'regso' AS level, regso_code AS area_code, CAST(sex AS VARCHAR) AS sex,
         CAST(age_band AS VARCHAR) AS age_band, year, * EXCLUDE (regso_code, sdo, sex, age_band, year)
  FROM p
  UNION ALL
  SELECT 'sdo', sdo, CAST(sex AS VARCHAR), CAST(age_band AS VARCHAR), year,
         * EXCLUDE (regso_code, sdo, sex, age_band, year)
  FROM p
)
SELECT level, area_code, year,
       CASE WHEN by_group THEN 'sex=' || sex || ';age_band=' || age_band ELSE '' END AS "group",
       emp_num, emp_den, pop, sa, ooe, mean_w, sd_w, n_w, median_w, median_age
FROM (
  SELECT level, area_code, year, sex, age_band, GROUPING(sex) = 0 AS by_group,
         CAST(SUM(CASE WHEN age BETWEEN 20 AND 64 AND employed THEN 1 ELSE 0 END) AS BIGINT) AS emp_num,
         CAST(SUM(CASE WHEN age BETWEEN 20 AND 64 THEN 1 ELSE 0 END) AS BIGINT) AS emp_den,
         COUNT(*) AS pop,
         CAST(SUM(CASE WHEN social_assistance THEN 1 ELSE 0 END) AS BIGINT) AS sa,
         CAST(SUM(CASE WHEN birth_region = 'outside_europe' THEN 1 ELSE 0 END) AS BIGINT) AS ooe,
         AVG(CASE WHEN age >= 20 THEN wage_income END) AS mean_w,
         STDDEV_SAMP(CASE WHEN age >= 20 THEN wage_income END) AS sd_w,
         COUNT(CASE WHEN age >= 20 THEN wage_income END) AS n_w,
         MEDIAN(CASE WHEN age >= 20 AND employed THEN wage_income END) AS median_w,
         MEDIAN(age) AS median_age
  FROM cells
  GROUP BY GROUPING SETS ((level, area_code, year), (level, area_code, year, sex, age_band))
)
"""


@pytest.fixture(scope="module")
def hand(population, hierarchy):
    con = duckdb.connect()
    con.register("records", population.to_arrow())
    con.register("lookup", hierarchy.lookup.to_arrow())
    return pl.from_arrow(con.sql(HAND_SQL).to_arrow_table())


def _engine(observations, indicator):
    keep = pl.col("level").is_in(["regso", "sdo"]) & (
        (pl.col("group") == "") | pl.col("group").str.contains("sex=.*;age_band=")
    )
    return observations.filter(pl.col("indicator") == indicator, keep).rename({"period": "year"})


def _joined(observations, hand, indicator):
    engine = _engine(observations, indicator)
    joined = engine.join(hand, on=["level", "area_code", "year", "group"], how="full")
    # The same cells on both sides: no cell only in one of them.
    assert joined.filter(pl.col("indicator").is_null() | pl.col("emp_den").is_null()).height == 0
    assert engine.height == hand.height
    return joined


def test_hand_query_covers_both_levels_and_the_sex_by_age_breakdown(hand):
    assert set(hand["level"]) == {"regso", "sdo"}
    assert hand.filter(pl.col("level") == "sdo")["area_code"].n_unique() == 11
    assert hand.filter(pl.col("level") == "regso")["area_code"].n_unique() == 127
    assert hand.filter(pl.col("group") == "")["year"].n_unique() == 2
    assert hand["group"].n_unique() == 1 + 2 * 7


def test_proportion_equals_hand_written_sql_cell_by_cell(observations, hand):
    j = _joined(observations, hand, "employment_rate")
    published = j.filter(~pl.col("suppressed"))
    assert published.height > 1000
    assert (published["numerator"] == published["emp_num"]).all()
    assert (published["denominator"] == published["emp_den"]).all()
    np.testing.assert_allclose(published["value"], published["emp_num"] / published["emp_den"])
    lower, upper = intervals.wilson(
        published["emp_num"].to_numpy(), published["emp_den"].to_numpy()
    )
    np.testing.assert_allclose(published["lower"], lower, rtol=1e-12)
    np.testing.assert_allclose(published["upper"], upper, rtol=1e-12)
    hidden = j.filter(pl.col("suppressed"))
    # The project's primary rule: counts 1-4 are hidden, true zeros are published.
    assert (hidden["emp_num"].is_between(1, 4) | hidden["emp_den"].is_between(1, 4)).all()
    assert (~published["emp_num"].is_between(1, 4) & ~published["emp_den"].is_between(1, 4)).all()


def test_rate_and_count_equal_hand_written_sql_cell_by_cell(observations, hand):
    rate = _joined(observations, hand, "social_assistance_per_1000").filter(~pl.col("suppressed"))
    assert rate.height > 400
    np.testing.assert_allclose(rate["value"], rate["sa"] / rate["pop"] * 1000, rtol=1e-12)
    assert (rate["numerator"] == rate["sa"]).all() and (rate["denominator"] == rate["pop"]).all()
    lower, upper = intervals.byar(rate["sa"].to_numpy())
    np.testing.assert_allclose(rate["lower"], lower / rate["pop"] * 1000, rtol=1e-12)
    np.testing.assert_allclose(rate["upper"], upper / rate["pop"] * 1000, rtol=1e-12)

    count = _joined(observations, hand, "born_outside_europe").filter(~pl.col("suppressed"))
    assert count.height > 1000
    assert (count["value"] == count["ooe"]).all()
    assert (count["denominator"] == count["pop"]).all()


def test_mean_equals_hand_written_sql_with_a_t_interval(observations, hand):
    j = _joined(observations, hand, "mean_wage_income").filter(~pl.col("suppressed"))
    assert j.height > 1000
    assert (j["denominator"] == j["n_w"]).all()
    np.testing.assert_allclose(j["value"], j["mean_w"], rtol=1e-9)
    half = st.t.ppf(0.975, j["n_w"] - 1) * j["sd_w"] / np.sqrt(j["n_w"])
    np.testing.assert_allclose(j["lower"], j["mean_w"] - half, rtol=1e-7)
    np.testing.assert_allclose(j["upper"], j["mean_w"] + half, rtol=1e-7)


def test_medians_equal_hand_written_sql(observations, hand):
    j = _joined(observations, hand, "median_wage_income").filter(~pl.col("suppressed"))
    assert j.height > 1000
    np.testing.assert_allclose(j["value"], j["median_w"], rtol=1e-12)
    # A second median with another population takes the FILTER path of the compiler.
    ages = _joined(observations, hand, "median_age").filter(~pl.col("suppressed"))
    assert ages.height > 1000
    np.testing.assert_allclose(ages["value"], ages["median_age"], rtol=1e-12)


def test_median_intervals_are_the_order_statistics_of_the_stats_library(population, observations):
    cells = observations.filter(
        pl.col("indicator") == "median_wage_income",
        ~pl.col("suppressed"),
        pl.col("level") == "regso",
        pl.col("group").is_in(["", "sex=men;age_band=45-64"]),
        pl.col("period") == 2022,
    ).sort("area_code", "group")
    assert cells.height > 200
    for cell in cells.head(12).iter_rows(named=True):
        rows = population.filter(
            pl.col("regso") == cell["area_code"],
            pl.col("year") == 2022,
            pl.col("age") >= 20,
            pl.col("employed"),
        )
        if cell["group"]:
            rows = rows.filter(pl.col("sex") == "men", pl.col("age_band") == "45-64")
        reference = intervals.median_ci(rows["wage_income"].to_numpy())
        assert cell["denominator"] == rows.height
        assert cell["value"] == pytest.approx(reference.value, rel=1e-12)
        assert cell["lower"] == reference.lower
        assert cell["upper"] == reference.upper


def test_median_interval_is_empty_when_too_few_values():
    records = pl.DataFrame({"area": ["A"] * 5, "year": [2024] * 5, "x": [1.0, 2.0, 3.0, 4.0, 9.0]})
    hierarchy = AreaHierarchy.from_columns(
        pl.DataFrame({"area": ["A"], "kommun": ["K"]}), ("area", "kommun")
    )
    specs = parse_specs(
        {"indicators": [{"id": "m", "measure": "median", "value": "x", "threshold": 0}]}
    )
    out = compute(records, specs, hierarchy, layout=RecordLayout(area="area", period="year"))
    row = out.row(0, named=True)
    # Five values: the median is 3; even the minimum and maximum give only 93.75 % coverage.
    assert (row["value"], row["lower"], row["upper"]) == (3.0, None, None)
    six = records.vstack(records.head(1).with_columns(pl.lit(5.0).alias("x")))
    row = compute(six, specs, hierarchy, layout=RecordLayout(area="area", period="year")).row(
        0, named=True
    )
    assert (row["value"], row["lower"], row["upper"]) == (3.5, 1.0, 9.0)


def test_mean_interval_matches_the_stats_library_on_one_cell(population, observations):
    cell = observations.filter(
        pl.col("indicator") == "mean_wage_income",
        pl.col("area_code") == "0180R002",
        pl.col("group") == "sex=women;age_band=20-44",
        pl.col("period") == 2023,
    ).row(0, named=True)
    values = population.filter(
        pl.col("regso") == "0180R002",
        pl.col("sex") == "women",
        pl.col("age_band") == "20-44",
        pl.col("year") == 2023,
    )["wage_income"]
    reference = intervals.mean_ci(values.to_numpy())
    assert cell["denominator"] == values.len()
    assert cell["value"] == pytest.approx(reference.value, rel=1e-12)
    assert cell["lower"] == pytest.approx(reference.lower, rel=1e-9)
    assert cell["upper"] == pytest.approx(reference.upper, rel=1e-9)


@pytest.fixture(scope="module")
def unprotected(population, hierarchy):
    specs = parse_specs(
        {
            "indicators": [
                {
                    "id": "employment_rate",
                    "measure": "proportion",
                    "numerator": "employed",
                    "min_age": 20,
                    "max_age": 64,
                    "threshold": 0,
                },
                {
                    "id": "born_outside_europe",
                    "measure": "count",
                    "numerator": "birth_region = 'outside_europe'",
                    "threshold": 0,
                },
                {
                    "id": "mean_wage_income",
                    "measure": "mean",
                    "value": "wage_income",
                    "min_age": 20,
                    "threshold": 0,
                },
            ]
        }
    )
    return compute(population, specs, hierarchy, layout=LAYOUT, group_sets=GROUP_SETS)


def test_roll_up_is_consistent_at_every_level(unprotected):
    key = ["indicator", "group", "period"]
    levels = {
        level: unprotected.filter(pl.col("level") == level, pl.col("denominator") > 0)
        for level in ("regso", "sdo", "kommun")
    }
    for finer in ("regso", "sdo"):
        sums = (
            levels[finer].group_by(key).agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        )
        top = levels["kommun"].select(*key, "numerator", "denominator")
        joined = sums.join(top, on=key, how="full", suffix="_top")
        assert joined.height == top.height
        np.testing.assert_allclose(joined["numerator"], joined["numerator_top"], rtol=1e-12)
        np.testing.assert_allclose(joined["denominator"], joined["denominator_top"], rtol=1e-12)
    total = unprotected.filter(
        pl.col("indicator") == "born_outside_europe",
        pl.col("group") == "",
        pl.col("period") == 2023,
    )
    by_level = total.group_by("level").agg(pl.col("numerator").sum())
    assert by_level["numerator"].n_unique() == 1  # same city total from 127 RegSO, 11 SDO, 1 kommun


def test_sdo_numerators_are_sums_of_their_regso(unprotected, hierarchy):
    lookup = hierarchy.lookup.select(pl.col("regso").alias("area_code"), "sdo")
    regso = unprotected.filter(pl.col("level") == "regso", pl.col("denominator") > 0)
    regso = regso.join(lookup, on="area_code")
    sums = regso.group_by("indicator", "group", "period", "sdo").agg(
        pl.col("numerator").sum(), pl.col("denominator").sum()
    )
    sdo = unprotected.filter(pl.col("level") == "sdo", pl.col("denominator") > 0)
    sdo = sdo.rename({"area_code": "sdo"})
    joined = sdo.join(sums, on=["indicator", "group", "period", "sdo"], how="left", suffix="_sum")
    assert joined.height == sdo.height
    np.testing.assert_allclose(joined["numerator"], joined["numerator_sum"], rtol=1e-12)
    np.testing.assert_allclose(joined["denominator"], joined["denominator_sum"], rtol=1e-12)


def _small(column: str, threshold: int, zeros: bool) -> pl.Expr:
    return pl.col(column).is_between(0 if zeros else 1, threshold - 1e-9)


@pytest.mark.parametrize("zeros", [False, True])
def test_no_published_cell_has_a_small_count_or_denominator(
    population, specs, hierarchy, unprotected, zeros
):
    """Counts and denominators under the threshold are never published (zeros only by choice)."""
    observations = compute(
        population,
        specs,
        hierarchy,
        layout=LAYOUT,
        group_sets=GROUP_SETS,
        suppress_zeros=zeros,
        disclosure_control="primary",
    )
    key = ["level", "area_code", "group", "period"]
    raw = unprotected.select(
        *key,
        pl.col("indicator"),
        pl.col("numerator").alias("raw_num"),
        pl.col("denominator").alias("raw_den"),
    )
    checked = 0
    for indicator, threshold in (
        ("employment_rate", 5),
        ("born_outside_europe", 5),
        ("mean_wage_income", 5),
        ("employment_rate_weighted", 10),  # judged on unweighted persons
    ):
        source = "employment_rate" if indicator.endswith("weighted") else indicator
        j = observations.filter(pl.col("indicator") == indicator).join(
            raw.filter(pl.col("indicator") == source), on=key
        )
        published = j.filter(~pl.col("suppressed"))
        hidden = j.filter(pl.col("suppressed"))
        assert hidden.height > 0 and published.height > 0
        small_den = _small("raw_den", threshold, zeros)
        small_num = _small("raw_num", threshold, zeros)
        if indicator == "mean_wage_income":
            small_num = pl.lit(False)
        assert published.filter(small_den | small_num).height == 0
        assert hidden.filter(~(small_den | small_num)).height == 0
        checked += j.height
    assert checked > 10_000
    # Nothing of a suppressed cell is exposed.
    hidden_all = observations.filter(pl.col("suppressed"))
    for column in ("value", "numerator", "denominator", "lower", "upper"):
        assert hidden_all[column].null_count() == hidden_all.height


def test_protected_disclosure_control_is_the_default_and_protects_every_relation(
    population, hierarchy
):
    """By default no suppressed cell is alone in an additive relation (area or sex)."""
    specs = parse_specs(
        {
            "indicators": [
                {"id": "social_assistance", "measure": "count", "numerator": "social_assistance"}
            ]
        }
    )
    small = population.filter(pl.col("year") == 2023).head(8_000)
    layout = RecordLayout(area="regso", period="year", groups=("sex",), age="age")
    full = compute(small, specs, hierarchy, layout=layout, group_sets=[("sex",)])
    primary = compute(
        small, specs, hierarchy, layout=layout, group_sets=[("sex",)], disclosure_control="primary"
    )
    assert full["suppressed"].sum() > primary["suppressed"].sum() > 0
    key = ["level", "area_code", "group"]
    both = full.join(primary, on=key, suffix="_p")
    assert both.filter(pl.col("suppressed_p") & ~pl.col("suppressed")).height == 0
    lookup = hierarchy.lookup.select(pl.col("regso").alias("area_code"), "sdo")
    regso = full.filter(pl.col("level") == "regso").join(lookup, on="area_code")
    per_sdo = regso.group_by("sdo", "group").agg(pl.col("suppressed").sum().alias("n"))
    sdo = full.filter(pl.col("level") == "sdo").rename({"area_code": "sdo"})
    relation = per_sdo.join(sdo, on=["sdo", "group"])
    relation = relation.with_columns((pl.col("n") + pl.col("suppressed").cast(pl.Int64)).alias("n"))
    assert relation.filter(pl.col("n") == 1).height == 0
    by_sex = full.group_by("level", "area_code").agg(pl.col("suppressed").sum().alias("n"))
    assert by_sex.filter(pl.col("n") == 1).height == 0


def _tiny():
    """24 persons in three areas; A1, A2 lie in P1 and A3 in P2, all in kommun K."""
    areas = ["A1"] * 8 + ["A2"] * 6 + ["A3"] * 10
    events = [1, 1] + [0] * 6 + [1] + [0] * 5 + [1, 1, 1] + [0] * 7
    records = pl.DataFrame(
        {
            "area": areas,
            "year": [2024] * 24,
            "sex": (["female", "male"] * 12),
            "event": [bool(e) for e in events],
        }
    )
    hierarchy = AreaHierarchy.from_parents(
        pl.DataFrame(
            {
                "level": ["basomrade", "basomrade", "basomrade", "stadsdel", "stadsdel"],
                "child_code": ["A1", "A2", "A3", "P1", "P2"],
                "parent_code": ["P1", "P1", "P2", "K", "K"],
            }
        ),
        ("basomrade", "stadsdel", "kommun"),
    )
    return records, hierarchy


def test_rate_per_1000_by_hand_on_a_tiny_population():
    records, hierarchy = _tiny()
    specs = parse_specs(
        {
            "indicators": [
                {"id": "events_per_1000", "measure": "rate", "per": 1000, "numerator": "event"}
            ]
        }
    )
    layout = RecordLayout(area="area", period="year", groups=("sex",))
    # the arithmetic of the rate, under the primary rule (the protected mode is tested apart)
    out = compute(records, specs, hierarchy, layout=layout, disclosure_control="primary")
    cells = {(r["level"], r["area_code"]): r for r in out.iter_rows(named=True)}
    assert len(cells) == 6
    # A1: 2 events among 8 persons; below the threshold of 5 events: suppressed.
    assert cells[("basomrade", "A1")]["suppressed"] is True
    assert cells[("basomrade", "A1")]["numerator"] is None
    # K: 6 events among 24 persons = 250 per 1,000; 6 < 10 so exact Poisson limits
    # (Garwood: 2.20189 and 13.05947 for 6 events at 95 %), divided by 24 and times 1,000.
    k = cells[("kommun", "K")]
    assert (k["numerator"], k["denominator"], k["value"]) == (6, 24, 250.0)
    assert k["lower"] == pytest.approx(2.20189 / 24 * 1000, rel=1e-5)
    assert k["upper"] == pytest.approx(13.05947 / 24 * 1000, rel=1e-5)
    # P1 = A1 + A2: 3 events among 14 persons, suppressed; P2 = A3: 3 of 10, suppressed.
    assert cells[("stadsdel", "P1")]["suppressed"] and cells[("stadsdel", "P2")]["suppressed"]

    low = parse_specs(
        {
            "indicators": [
                {
                    "id": "events_per_1000",
                    "measure": "rate",
                    "per": 1000,
                    "numerator": "event",
                    "threshold": 0,
                }
            ]
        }
    )
    out = compute(records, low, hierarchy, layout=layout, group_sets=[("sex",)])
    values = {(r["area_code"], r["group"]): r["value"] for r in out.iter_rows(named=True)}
    assert values[("A1", "")] == pytest.approx(250.0)
    assert values[("A2", "")] == pytest.approx(1000 / 6)
    assert values[("P1", "")] == pytest.approx(3000 / 14)
    assert values[("A3", "")] == pytest.approx(300.0)
    # Persons 0, 2, 4 … are women; events fall on persons 0, 1, 8, 14, 15 and 16.
    assert values[("K", "sex=female")] == pytest.approx(4 / 12 * 1000)
    assert values[("K", "sex=male")] == pytest.approx(2 / 12 * 1000)
    assert values[("A1", "sex=male")] == pytest.approx(1 / 4 * 1000)
    assert values[("A2", "sex=male")] == 0.0  # three men, no event; threshold 0 publishes it


def test_a_weighted_crosswalk_splits_records_between_vintages():
    records = pl.DataFrame(
        {"area": ["X1"] * 4 + ["X2"] * 8, "year": [2024] * 12, "flag": [True, False] * 6}
    )
    old = AreaHierarchy.from_columns(
        pl.DataFrame({"area": ["X1", "X2"], "kommun": ["K", "K"]}),
        ("area", "kommun"),
        vintage="old",
    )
    new = AreaHierarchy.from_columns(
        pl.DataFrame({"area": ["T1", "T2"], "kommun": ["K", "K"]}),
        ("area", "kommun"),
        vintage="new",
    )
    crosswalk = pl.DataFrame(
        {
            "from_code": ["X1", "X2", "X2"],
            "to_code": ["T1", "T1", "T2"],
            "weight": [1.0, 0.25, 0.75],
        }
    )
    both = old.combine(new.crosswalked(crosswalk, vintage="new"))
    assert both.fractional and both.vintages == ["new", "old"]
    specs = parse_specs(
        {
            "indicators": [
                {"id": "flagged", "measure": "proportion", "numerator": "flag", "threshold": 0}
            ]
        }
    )
    out = compute(records, specs, both, layout=RecordLayout(area="area", period="year"))
    got = {
        (r["vintage"], r["area_code"]): (r["numerator"], r["denominator"])
        for r in out.iter_rows(named=True)
    }
    assert got == {
        ("old", "X1"): (2.0, 4.0),
        ("old", "X2"): (4.0, 8.0),
        ("old", "K"): (6.0, 12.0),
        ("new", "T1"): (3.0, 6.0),
        ("new", "T2"): (3.0, 6.0),
        ("new", "K"): (6.0, 12.0),
    }


def test_parquet_csv_and_duckdb_table_inputs_give_the_same_result(tmp_path, population, hierarchy):
    specs = parse_specs(
        {
            "indicators": [
                {
                    "id": "employment_rate",
                    "measure": "proportion",
                    "numerator": "employed",
                    "min_age": 20,
                    "max_age": 64,
                }
            ]
        }
    )
    small = population.filter(pl.col("year") == 2023).head(5000)
    layout = RecordLayout(area="regso", period="year", groups=("sex",), age="age")
    expected = compute(small, specs, hierarchy, layout=layout, group_sets=[("sex",)])
    plain = small.with_columns(pl.col(pl.Enum).cast(pl.Utf8))
    plain.write_parquet(tmp_path / "r.parquet")
    plain.write_csv(tmp_path / "r.csv")
    con = duckdb.connect()
    con.register("tmp", plain.to_arrow())
    con.execute("CREATE TABLE persons AS SELECT * FROM tmp")
    for source, connection in (
        (tmp_path / "r.parquet", None),
        (str(tmp_path / "r.csv"), None),
        ("persons", con),
    ):
        got = compute(
            source, specs, hierarchy, layout=layout, group_sets=[("sex",)], connection=connection
        )
        assert got.drop("period").equals(expected.drop("period"))


def test_unknown_area_codes_are_reported_not_dropped(population, hierarchy, specs):
    records = population.head(100).with_columns(
        pl.when(pl.col("person_id") == 3)
        .then(pl.lit("0180R999"))
        .otherwise(pl.col("regso").cast(pl.Utf8))
        .alias("regso")
    )
    with pytest.raises(UnknownAreaError, match="1 area codes") as info:
        compute(records, specs[:1], hierarchy, layout=LAYOUT)
    assert info.value.value == ["0180R999"]


def test_standard_dialect_gives_the_same_numbers(population, specs, hierarchy):
    """The portable SQL (PERCENTILE_CONT, no list functions) runs too and agrees."""
    from skillnader.engine import compile_sql
    from skillnader.engine.run import observations_from_wide

    small = population.filter(pl.col("year") == 2023)
    layout = RecordLayout(area="regso", period="year", groups=("sex",), age="age")
    sql = compile_sql(
        specs, layout=layout, levels=hierarchy.levels, group_sets=[("sex",)], dialect="standard"
    )
    assert "LIST" not in sql and "PERCENTILE_CONT(0.5) WITHIN GROUP" in sql
    con = duckdb.connect()
    con.register("records", small.to_arrow())
    con.register(
        "area_lookup",
        hierarchy.lookup.rename(
            {"regso": "level_0", "sdo": "level_1", "kommun": "level_2"}
        ).to_arrow(),
    )
    portable = observations_from_wide(
        pl.from_arrow(con.sql(sql).to_arrow_table()), specs, disclosure_control="primary"
    )
    native = compute(
        small, specs, hierarchy, layout=layout, group_sets=[("sex",)], disclosure_control="primary"
    )
    key = ["indicator", "level", "area_code", "group", "period"]
    joined = native.join(portable, on=key, suffix="_p")
    assert joined.height == native.height == portable.height
    for column in ("value", "numerator", "denominator"):
        a, b = joined[column].to_numpy(), joined[column + "_p"].to_numpy()
        np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-12)
    medians = joined.filter(pl.col("measure") == "median", ~pl.col("suppressed"))
    assert medians.height > 100 and medians["lower_p"].null_count() == medians.height
    via_compute = compute(
        small,
        specs,
        hierarchy,
        layout=layout,
        group_sets=[("sex",)],
        dialect="standard",
        disclosure_control="primary",
    )
    assert via_compute.sort(key).equals(portable.sort(key))


def test_request_errors_are_typed(population, specs, hierarchy):
    from skillnader.engine import SpecError
    from skillnader.errors import MethodError

    small = population.head(1000)
    with pytest.raises(SpecError, match="group column not declared") as info:
        compute(small, specs, hierarchy, layout=LAYOUT, group_sets=[("education",)])
    assert info.value.value == "education"
    with pytest.raises(SpecError, match="no area column 'deso'"):
        compute(small, specs, hierarchy, layout=RecordLayout(area="deso", period="year"))
    crosswalk = pl.DataFrame(
        {
            "from_code": ["0180R001", "0180R001"],
            "to_code": ["0180R001", "0180R002"],
            "weight": [0.5, 0.5],
        }
    )
    split = hierarchy.crosswalked(crosswalk, vintage="sdo_from_2023_07")
    medians = [s for s in specs if s.measure == "median"]
    with pytest.raises(MethodError, match="medians cannot be split"):
        compute(small, medians, split, layout=LAYOUT)


def test_a_table_name_must_be_a_plain_identifier(specs, hierarchy):
    from skillnader.errors import InputError

    with pytest.raises(InputError, match="not a table name"):
        compute("persons; DROP TABLE x", specs, hierarchy, layout=LAYOUT)
    with pytest.raises(InputError, match="no such table"):
        compute("persons", specs, hierarchy, layout=LAYOUT, connection=duckdb.connect())
