"""Comparisons that respect what a number is: counts and ordinal classes are context, monthly
series are compared month with month, a gap that changes sign is said to have changed
direction, and an unassessed finding gives its true reason."""

from __future__ import annotations

import polars as pl
import pytest

from skillnader.analysis import IndicatorInfo, analyse
from skillnader.analysis.findings import level_trend, same_season, sub_annual
from skillnader.stats.intervals import byar, wilson


def _rows(indicator, periods, city, areas, *, group_series=None, n=20_000):
    out = []

    def add(code, level, period, value, group=""):
        x = round(value * n)
        lo, hi = wilson(x, n)
        out.append(
            dict(indicator=indicator, level=level, vintage="2020", area_code=code, group=group,
                 period=period, value=100 * x / n, lower=100 * lo, upper=100 * hi)
        )  # fmt: skip

    for t, p in enumerate(periods):
        add("0180", "kommun", p, city[t])
        for i, series in enumerate(areas):
            add(f"R{i:02d}", "regso", p, series[t])
        for g, series in (group_series or {}).items():
            add("0180", "kommun", p, series[t], group=g)
    return pl.DataFrame(out)


def test_counts_are_context_not_compared():
    periods = ["2019", "2020", "2021", "2022"]
    rows = []
    for t, p in enumerate(periods):
        for code, level, n in [("0180", "kommun", 900_000 + 10_000 * t)] + [
            (f"R{i:02d}", "regso", 2_000 + 400 * i * t) for i in range(8)
        ]:
            lo, hi = byar(n)
            rows.append(dict(indicator="pop", level=level, vintage="2020", area_code=code,
                             group="", period=p, value=float(n), lower=lo, upper=hi))  # fmt: skip
    info = {"pop": IndicatorInfo("pop", "Folkmängd", "Population", "higher_is_better", "persons",
                                 0, measure="count")}  # fmt: skip
    (f,) = analyse(pl.DataFrame(rows), info, benchmark="0180")
    assert f.gaps == [] and f.level.assessment == "not_assessed"
    assert f.level.reason == "raw_count" and f.headline == "not_assessed"
    assert "antal" in f.sentence_sv and "count" in f.sentence_en
    # the same numbers as a share would be assessed
    info_share = {"pop": IndicatorInfo("pop", "Andel", "Share", "higher_is_better", "percent", 1,
                                       measure="proportion")}  # fmt: skip
    (g,) = analyse(pl.DataFrame(rows), info_share, benchmark="0180")
    assert g.gaps and g.level.reason != "raw_count"


def test_ordinal_classes_are_context_not_compared():
    periods = ["2020", "2021", "2022"]
    df = _rows("typ", periods, [0.03] * 3, [[0.01 * (i % 5 + 1)] * 3 for i in range(10)])
    info = {"typ": IndicatorInfo("typ", "Områdestyp", "Area type", "lower_is_better", "", 0,
                                 measure="index")}  # fmt: skip
    (f,) = analyse(df, info, benchmark="0180")
    assert f.gaps == [] and f.level.reason == "ordinal_class"
    assert "klass" in f.sentence_sv


def test_sub_annual_periods():
    assert sub_annual("2022M08") == "M08" and sub_annual("2022-08") == "M08"
    assert sub_annual("2022Q3") == "Q3" and sub_annual("2022") == ""
    assert sub_annual("2015-2019") == ""
    periods = ["2018M08", "2018M12", "2022M08", "2022M12"]
    assert [periods[i] for i in same_season(periods)] == ["2018M12", "2022M12"]


def test_monthly_series_compares_the_same_month_only():
    # Registered unemployment in a city: every August high, every December low, and the same
    # level in both years. August 2018 -> December 2022 looks like an improvement; it is not.
    periods = ["2018M08", "2018M09", "2018M10", "2018M11", "2018M12",
               "2022M08", "2022M09", "2022M10", "2022M11", "2022M12"]  # fmt: skip
    season = [0.060, 0.055, 0.050, 0.047, 0.045]
    vals = [100 * v for v in season + season]
    n = 400_000
    lo = [100 * wilson(round(v / 100 * n), n)[0] for v in vals]
    hi = [100 * wilson(round(v / 100 * n), n)[1] for v in vals]
    lv = level_trend(periods, vals, lo, hi, "lower_is_better")
    assert lv.assessment == "no_clear_change"
    assert "M12" in lv.method
    assert lv.periods == ["2018M12", "2022M12"]
    # Comparing the last five months of 2022 alone would have said "improving".
    last5 = level_trend(periods[5:], vals[5:], lo[5:], hi[5:], "lower_is_better")
    assert last5.periods == ["2022M12"] and last5.assessment == "not_assessed"


def test_a_gap_that_changes_sign_is_reported_as_a_change_of_direction():
    periods = ["2016", "2017", "2018", "2019", "2020", "2021"]
    groups = {
        "sex=women": [0.60, 0.62, 0.64, 0.66, 0.68, 0.70],
        "sex=men": [0.70, 0.68, 0.66, 0.64, 0.62, 0.60],
    }
    df = _rows("emp", periods, [0.65] * 6, [], group_series=groups, n=200_000)
    info = {"emp": IndicatorInfo("emp", "Andel", "Share", "higher_is_better", "percent", 1,
                                 measure="proportion")}  # fmt: skip
    (f,) = analyse(df, info, benchmark="0180")
    (g,) = f.gaps
    assert g.values[0] == pytest.approx(-10.0, abs=0.01)
    assert g.values[-1] == pytest.approx(10.0, abs=0.01)
    # the mean gap is about zero: a "no change" by the mean would hide a reversal of 20 points
    assert g.direction == "reversed" and g.reason == "sign_changed"
    assert g.change == pytest.approx(20.0, abs=0.01) and g.change_lower > 0
    assert "bytt riktning" in f.sentence_sv and "changed direction" in f.sentence_en


def test_unassessed_finding_gives_the_true_reason():
    periods = ["2020", "2021", "2022"]
    df = pl.DataFrame(
        [dict(indicator="x", level="kommun", vintage="2020", area_code="0180", group="",
              period=p, value=v, lower=None, upper=None)
         for p, v in zip(periods, [1.0, 2.0, 3.0], strict=True)]
    ).with_columns(pl.col("lower").cast(pl.Float64), pl.col("upper").cast(pl.Float64))  # fmt: skip
    info = {"x": IndicatorInfo("x", "X", "X", "higher_is_better", "", 1, measure="mean")}
    (f,) = analyse(df, info, benchmark="0180")
    assert f.level.reason == "no_interval"
    assert "osäkerhetsintervall" in f.sentence_sv and "uncertainty intervals" in f.sentence_en
