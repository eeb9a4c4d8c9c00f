"""The headline classification on series whose truth is known by construction."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from skillnader.analysis import IndicatorInfo, analyse
from skillnader.analysis.findings import area_gaps, level_trend
from skillnader.stats.intervals import wilson

INFO = {
    "emp": IndicatorInfo(
        "emp", "Andel förvärvsarbetande", "Employment rate", "higher_is_better", "percent", 1
    )
}
YEARS = ["2016", "2017", "2018", "2019", "2020", "2021"]


def rows(city_share, area_shares, *, n_city=400_000, n_area=20_000, vintage="2007", groups=None):
    """Observations with Wilson intervals from counts, as the importer stores them."""
    out = []

    def add(code, level, year, share, n, group=""):
        x = round(share * n)
        lo, hi = wilson(x, n)
        out.append(
            {
                "indicator": "emp",
                "level": level,
                "vintage": vintage,
                "area_code": code,
                "group": group,
                "period": year,
                "value": 100 * x / n,
                "lower": 100 * lo,
                "upper": 100 * hi,
            }
        )

    for t, year in enumerate(YEARS):
        add("0180", "kommun", year, city_share[t], n_city)
        for i, shares in enumerate(area_shares):
            add(f"A{i:02d}", "sdo", year, shares[t], n_area)
        for g, series in (groups or {}).items():
            add("0180", "kommun", year, series[t], n_city // 2, group=g)
    return pl.DataFrame(out)


def spread(center, width):
    return [center + width * (k - 5.5) / 5.5 for k in range(12)]


def test_city_improves_while_the_gap_between_areas_widens():
    city = [0.70, 0.71, 0.72, 0.73, 0.74, 0.75]
    areas = [[spread(0.72, 0.05 + 0.02 * t)[i] for t in range(6)] for i in range(12)]
    (f,) = analyse(rows(city, areas), INFO, benchmark="0180", benchmark_name="Stockholm")
    assert f.level.assessment == "improving"
    (gap,) = [g for g in f.gaps if g.kind == "areas"]
    assert gap.direction == "widening" and gap.change_lower > 0
    assert gap.label == "sdo:2007" and gap.n_areas == [12] * 6
    assert f.headline == "improves_while_gap_widens" and f.improves_while_gap_widens
    assert "förbättras" in f.sentence_sv and "medan skillnaden mellan stadsdelsområdena ökar" in (
        f.sentence_sv
    )
    assert "while the gap between district council areas is widening" in f.sentence_en
    # The numbers in the sentence are the evidence's numbers.
    assert "71,0 år 2017" in f.sentence_sv and "75,0 år 2021" in f.sentence_sv


def test_flat_series_and_stable_gap_give_no_clear_change():
    city = [0.72] * 6
    areas = [[spread(0.72, 0.08)[i]] * 6 for i in range(12)]
    (f,) = analyse(rows(city, areas), INFO, benchmark="0180")
    assert f.level.assessment == "no_clear_change"
    assert f.gaps[0].direction == "no_clear_change"
    assert f.headline == "no_clear_change"
    assert "ökar" not in f.sentence_sv and "minskar" not in f.sentence_sv


def test_lower_is_better_turns_a_rise_into_worsening():
    info = {
        "emp": IndicatorInfo(
            "emp", "Andel med bistånd", "Social assistance", "lower_is_better", "percent", 1
        )
    }
    city = [0.05, 0.055, 0.06, 0.065, 0.07, 0.075]
    areas = [[spread(0.06, 0.04 - 0.005 * t)[i] for t in range(6)] for i in range(12)]
    (f,) = analyse(rows(city, areas), info, benchmark="0180")
    assert f.level.assessment == "worsening"
    assert f.gaps[0].direction == "narrowing"
    assert f.headline == "worsens_while_gap_narrows"


def test_group_gap_between_women_and_men_widens():
    city = [0.72] * 6
    groups = {
        "sex=women": [0.70, 0.69, 0.68, 0.67, 0.66, 0.65],
        "sex=men": [0.74, 0.75, 0.76, 0.77, 0.78, 0.79],
    }
    (f,) = analyse(rows(city, [], groups=groups), INFO, benchmark="0180")
    (g,) = f.gaps
    assert g.kind == "groups" and g.label == "sex"
    # women − men is negative and growing in size: that is a widening gap.
    assert g.values[0] == pytest.approx(-4.0, abs=0.01) and g.values[-1] == pytest.approx(
        -14.0, abs=0.01
    )
    assert g.direction == "widening" and g.change > 0
    assert "kvinnor och män ökar" in f.sentence_sv


def test_too_few_areas_and_no_intervals_are_said_not_computed():
    few = area_gaps(
        ["2020", "2021"],
        [np.array([1.0, 2.0, 3.0])] * 2,
        [np.array([0.1, 0.1, 0.1])] * 2,
        label="sdo:2023",
    )
    assert few.direction == "not_assessed" and few.reason == "too_few_areas"
    lv = level_trend(
        ["2020", "2021", "2022"], [400.0, 410.0, 420.0], [None] * 3, [None] * 3, "higher_is_better"
    )
    assert lv.assessment == "not_assessed" and lv.reason == "no_interval"


def test_vintages_are_never_mixed_in_one_gap_series():
    city = [0.70, 0.71, 0.72, 0.73, 0.74, 0.75]
    areas = [[spread(0.72, 0.05)[i] for _ in range(6)] for i in range(12)]
    a = rows(city, areas, vintage="2007").filter(pl.col("period") <= "2019")
    b = rows(city, areas[:8], vintage="2020").filter(
        (pl.col("period") >= "2020") & (pl.col("level") == "sdo")
    )
    (f,) = analyse(pl.concat([a, b]), INFO, benchmark="0180")
    labels = sorted(g.label for g in f.gaps)
    assert labels == ["sdo:2007", "sdo:2020"]
    by = {g.label: g for g in f.gaps}
    assert by["sdo:2007"].periods == YEARS[:4] and by["sdo:2020"].periods == YEARS[4:]


def test_result_does_not_depend_on_row_order():
    city = [0.70, 0.71, 0.72, 0.73, 0.74, 0.75]
    areas = [[spread(0.72, 0.05 + 0.02 * t)[i] for t in range(6)] for i in range(12)]
    df = rows(city, areas)
    (f1,) = analyse(df, INFO, benchmark="0180", seed=3)
    (f2,) = analyse(df.sample(fraction=1.0, shuffle=True, seed=7), INFO, benchmark="0180", seed=3)
    assert f1.headline == f2.headline
    assert f1.gaps[0].values == pytest.approx(f2.gaps[0].values)
    assert f1.level.slope == pytest.approx(f2.level.slope)


def test_delta_method_gap_interval_agrees_with_simulation_when_areas_are_apart():
    from skillnader.analysis.findings import area_gaps

    rng = np.random.default_rng(1)
    vals = [np.sort(rng.uniform(10, 90, 40)) for _ in range(3)]
    ses = [np.full(40, 0.3) for _ in range(3)]
    d = area_gaps(["2020", "2021", "2022"], vals, ses, label="x", method="delta")
    s = area_gaps(
        ["2020", "2021", "2022"], vals, ses, label="x", method="simulation", sims=4000, seed=2
    )
    assert d.values == pytest.approx(s.values)
    for lo_d, hi_d, lo_s, hi_s in zip(d.lower, d.upper, s.lower, s.upper, strict=True):
        assert (hi_d - lo_d) == pytest.approx(hi_s - lo_s, rel=0.15)


def test_delta_method_weights_follow_numpy_percentiles():
    from skillnader.analysis.findings import percentile_gap_delta

    rng = np.random.default_rng(5)
    for n in (5, 6, 11, 127):
        v = rng.normal(50, 10, n)
        gap, se = percentile_gap_delta(v, np.zeros(n))
        p90, p10 = np.percentile(v, [90, 10])
        assert gap == pytest.approx(p90 - p10) and se == 0


def test_vectorised_gap_table_equals_the_per_group_function():
    from skillnader.analysis.findings import _delta_gaps, percentile_gap_delta

    rng = np.random.default_rng(9)
    frames = []
    for k, n in enumerate((5, 6, 7, 12, 40)):
        v = rng.normal(50, 10, n)
        se = rng.uniform(0.1, 2, n)
        frames.append(
            pl.DataFrame(
                {
                    "indicator": f"i{k}",
                    "level": "regso",
                    "vintage": "2020",
                    "period": "2021",
                    "value": v,
                    "lower": v - 1.959964 * se,
                    "upper": v + 1.959964 * se,
                }
            )
        )
    table = _delta_gaps(pl.concat(frames).sample(fraction=1.0, shuffle=True, seed=1))
    for k, f in enumerate(frames):
        row = table.filter(pl.col("indicator") == f"i{k}").row(0, named=True)
        se = (f["upper"] - f["lower"]).to_numpy() / (2 * 1.959964)
        gap, sd = percentile_gap_delta(f["value"].to_numpy(), se)
        assert row["gap"] == pytest.approx(gap) and row["se"] == pytest.approx(sd, rel=1e-6)


def test_sentence_cites_the_points_the_trend_rests_on():
    # A long rise followed by a clear fall over the last five points: the marker (last five
    # points) says worsening for a higher-is-better measure, and the sentence must quote the
    # first and last of those five points, not the start of the series.
    values = [0.60, 0.62, 0.64, 0.66, 0.68, 0.70, 0.72, 0.71, 0.70, 0.69, 0.68, 0.67]
    years = [str(2010 + i) for i in range(12)]
    out = []
    for y, share in zip(years, values, strict=True):
        n = 400_000
        lo, hi = wilson(round(share * n), n)
        out.append(
            {
                "indicator": "emp",
                "level": "kommun",
                "vintage": "x",
                "area_code": "0180",
                "group": "",
                "period": y,
                "value": 100 * round(share * n) / n,
                "lower": 100 * lo,
                "upper": 100 * hi,
            }
        )
    (f,) = analyse(pl.DataFrame(out), INFO, benchmark="0180")
    assert f.level.assessment == "worsening"
    assert f.level.window == years[-5:]
    assert "71,0 år 2017" in f.sentence_sv and "67,0 år 2021" in f.sentence_sv
    assert "2010" not in f.sentence_sv


def test_the_confidence_level_is_threaded_through_every_interval_and_test():
    from scipy import stats as st

    city = [0.70, 0.71, 0.72, 0.73, 0.74, 0.75]
    areas = [[spread(0.72, 0.05 + 0.02 * t)[i] for t in range(6)] for i in range(12)]
    groups = {
        "sex=women": [0.70, 0.69, 0.68, 0.67, 0.66, 0.65],
        "sex=men": [0.74, 0.75, 0.76, 0.77, 0.78, 0.79],
    }
    df = rows(city, areas, groups=groups)
    (f95,) = analyse(df, INFO, benchmark="0180")
    (f90,) = analyse(df, INFO, benchmark="0180", confidence=0.90)
    (f99,) = analyse(df, INFO, benchmark="0180", confidence=0.99)
    ratio = st.norm.ppf(0.95) / st.norm.ppf(0.975)
    for kind in ("areas", "groups"):
        (g95,) = [g for g in f95.gaps if g.kind == kind]
        (g90,) = [g for g in f90.gaps if g.kind == kind]
        (g99,) = [g for g in f99.gaps if g.kind == kind]
        # the same gaps, with intervals and change intervals of the asked-for width
        assert g90.values == pytest.approx(g95.values) and g90.change == pytest.approx(g95.change)
        for i in range(len(YEARS)):
            w95 = g95.upper[i] - g95.lower[i]
            w90 = g90.upper[i] - g90.lower[i]
            assert w90 < w95 < g99.upper[i] - g99.lower[i]
            if kind == "areas":  # a symmetric normal interval: exactly the quantiles' ratio
                assert w90 == pytest.approx(w95 * ratio, rel=1e-9)
        c95 = g95.change_upper - g95.change_lower
        c90 = g90.change_upper - g90.change_lower
        assert c90 == pytest.approx(c95 * ratio, rel=1e-6)
        assert "(90 %" in g90.method or "90 %" in g90.method
    # the level is said where it is shown, and recorded with the finding
    assert "90 % KI" in f90.sentence_sv and "90% CI" in f90.sentence_en
    assert "95 % KI" in f95.sentence_sv and f90.confidence == 0.90
    # the five-point trend marker keeps its own convention
    assert "99.8 %" in f90.level.method
    from skillnader.errors import InputError

    with pytest.raises(InputError, match="confidence"):
        analyse(df, INFO, benchmark="0180", confidence=95)
