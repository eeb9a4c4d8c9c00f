"""The follow-up rules on hand-made cases, at the edges of the intervals."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from skillnader.errors import InputError
from skillnader.steering import rules
from skillnader.steering.model import TargetVersionView, evaluate
from skillnader.steering.rules import Estimate


def E(value, lower=None, upper=None, year=2017):
    return Estimate(year, value, lower, upper)


# --- level targets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        (5.0, 6.0, "met"),  # lower limit exactly on the target: the whole interval reaches it
        (5.01, 6.0, "met"),
        (4.99, 6.0, "not_assessable"),  # interval contains the target
        (4.0, 5.0, "not_assessable"),  # upper limit on the target: could be exactly reached
        (4.0, 4.99, "not_met"),
    ],
)
def test_level_at_least(lower, upper, expected):
    s = rules.assess_level(E((lower + upper) / 2, lower, upper), 5.0, "increase")
    assert s.status == expected
    assert s.exact


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        (4.0, 5.0, "met"),  # upper limit on an "at most" target
        (4.0, 5.01, "not_assessable"),
        (5.0, 6.0, "not_assessable"),  # lower limit on the target
        (5.01, 6.0, "not_met"),
    ],
)
def test_level_at_most(lower, upper, expected):
    assert rules.assess_level(E(lower, lower, upper), 5.0, "decrease").status == expected


def test_level_without_interval_or_observation():
    s = rules.assess_level(E(5.0), 5.0, "decrease")
    assert (s.status, s.exact, s.reason) == ("met", False, "no_interval")
    assert rules.assess_level(E(5.1), 5.0, "decrease").status == "not_met"
    assert rules.assess_level(None, 5.0, "decrease").status == "not_assessable"
    assert rules.assess_level(None, 5.0, "decrease").reason == "no_observation"
    with pytest.raises(InputError):
        rules.assess_level(E(1.0), 5.0, "down")


# --- direction targets (MOVER interval of the change) ----------------------------------------


def test_direction_change_interval_is_mover():
    base, cur = Estimate(2015, 10.0, 9.0, 11.5), Estimate(2017, 8.0, 7.2, 8.6)
    s = rules.assess_direction(base, cur, "decrease")
    # MOVER: L = d - sqrt((v1-l1)^2 + (u2-v2)^2), U = d + sqrt((u1-v1)^2 + (v2-l2)^2)
    assert s.value == pytest.approx(-2.0)
    assert s.lower == pytest.approx(-2.0 - math.sqrt(0.8**2 + 1.5**2))
    assert s.upper == pytest.approx(-2.0 + math.sqrt(0.6**2 + 1.0**2))
    assert s.status == "met"  # upper = -0.8338 < 0


def test_direction_edges():
    # change 0 with symmetric intervals: upper > 0 and lower < 0
    base, cur = Estimate(2015, 5.0, 4.0, 6.0), Estimate(2017, 5.0, 4.0, 6.0)
    assert rules.assess_direction(base, cur, "decrease").status == "not_assessable"
    # the change's lower limit exactly 0: no decrease is possible -> not met
    base = Estimate(2015, 5.0, 5.0, 5.0)
    cur = Estimate(2017, 5.0, 5.0, 5.0)
    s = rules.assess_direction(base, cur, "decrease")
    assert (s.lower, s.upper, s.status) == (0.0, 0.0, "not_met")
    # and "shall increase" with a change whose upper limit is 0: not met
    assert rules.assess_direction(base, cur, "increase").status == "not_met"
    # a clear increase
    up = rules.assess_direction(
        Estimate(2015, 5, 4.9, 5.1), Estimate(2017, 6, 5.9, 6.1), "increase"
    )
    assert up.status == "met"
    assert rules.assess_direction(None, cur, "decrease").reason == "no_base_year"
    assert rules.assess_direction(base, Estimate(2015, 4.0), "decrease").reason == (
        "no_later_observation"
    )


# --- gaps ------------------------------------------------------------------------------------


def test_range_gap_names_the_extremes():
    g = rules.range_gap(
        2017,
        [("A", E(8.0, 7.5, 8.5)), ("B", E(2.0, 1.5, 2.6)), ("C", E(0.5, 0.3, 0.8)), ("D", None)],
    )
    assert g.value == pytest.approx(7.5)
    assert g.label == "A – C"
    assert g.lower == pytest.approx(7.5 - math.sqrt(0.5**2 + 0.3**2))
    assert g.upper == pytest.approx(7.5 + math.sqrt(0.5**2 + 0.2**2))
    assert rules.range_gap(2017, [("A", E(1.0))]) is None


def test_group_gap():
    g = rules.group_gap(2018, E(90.0, 89.0, 91.0), E(88.0, 87.5, 88.5), "kvinnor – män")
    assert (g.value, g.label) == (2.0, "kvinnor – män")
    assert g.lower == pytest.approx(2.0 - math.sqrt(1.0 + 0.25))
    assert rules.group_gap(2018, None, E(1.0)) is None


# --- trend judgement -------------------------------------------------------------------------


def _series(values, half_width):
    return [Estimate(2015 + i, v, v - half_width, v + half_width) for i, v in enumerate(values)]


def test_trend_helt_delvis_ej():
    # strong fall with narrow intervals: significant slope the wanted way -> helt
    t = rules.trend_judgement(_series([10.0, 9.0, 8.0], 0.2), "decrease")
    assert t.judgement == "helt" and t.slope == pytest.approx(-1.0) and t.p_value < 0.05
    # the same fall with wide intervals: the right way, not significant -> delvis
    t = rules.trend_judgement(_series([10.0, 9.8, 9.6], 2.0), "decrease")
    assert t.judgement == "delvis" and t.p_value > 0.05
    # the wrong way -> ej, whether significant or not
    assert rules.trend_judgement(_series([10.0, 10.1, 10.2], 2.0), "decrease").judgement == "ej"
    assert rules.trend_judgement(_series([10.0, 10.1, 10.2], 2.0), "increase").judgement == "delvis"
    one = rules.trend_judgement(_series([10.0], 0.2), "decrease")
    assert (one.judgement, one.reason) == ("not_assessable", "too_few_points")


def test_trend_slope_matches_weighted_least_squares_by_hand():
    s = [
        Estimate(2015, 10.0, 9.0, 11.0),
        Estimate(2016, 9.0, 8.5, 9.5),
        Estimate(2017, 8.5, 7.5, 9.5),
    ]
    z = stats.norm.ppf(0.975)
    w = [1 / ((e.upper - e.lower) / (2 * z)) ** 2 for e in s]
    x = [e.year for e in s]
    y = [e.value for e in s]
    xw = sum(a * b for a, b in zip(w, x, strict=True)) / sum(w)
    yw = sum(a * b for a, b in zip(w, y, strict=True)) / sum(w)
    sxx = sum(a * (b - xw) ** 2 for a, b in zip(w, x, strict=True))
    slope = sum(a * (b - xw) * (c - yw) for a, b, c in zip(w, x, y, strict=True)) / sxx
    t = rules.trend_judgement(s, "decrease")
    assert t.slope == pytest.approx(slope)
    assert t.se == pytest.approx(math.sqrt(1 / sxx))


def test_trend_without_intervals_needs_three_points():
    pts = [Estimate(2015, 3.0), Estimate(2016, 2.0)]
    assert rules.trend_judgement(pts, "decrease").reason == "no_interval_and_too_few_points"
    pts.append(Estimate(2017, 1.2))
    t = rules.trend_judgement(pts, "decrease")
    assert not t.weighted and t.slope == pytest.approx(-0.9)


# --- probability by the target year ----------------------------------------------------------


def test_probability_by_hand():
    s = _series([10.0, 9.0, 8.0], 0.5)
    se = 0.5 / stats.norm.ppf(0.975)
    w = 1 / se**2
    # line through (2015,10), (2016,9), (2017,8): yhat(2018) = 7; var = 1/(3w) + (2018-2016)^2/(2w)
    var = 1 / (3 * w) + 4 / (2 * w)
    p = rules.probability_by_year(s, 2018, 7.5, "decrease")
    assert p.predicted == pytest.approx(7.0)
    assert p.se == pytest.approx(math.sqrt(var))
    assert p.probability == pytest.approx(stats.norm.cdf((7.5 - 7.0) / math.sqrt(var)))
    up = rules.probability_by_year(s, 2018, 7.5, "increase")
    assert up.probability == pytest.approx(1 - p.probability)
    none = rules.probability_by_year(s[:1], 2018, 7.5, "decrease")
    assert none.probability is None and none.reason == "too_few_points"


def test_probability_of_change_by_hand():
    # the line through (2015,10), (2016,9.6), (2017,9.5), (2018,9.0) with equal intervals
    s = _series([10.0, 9.6, 9.5, 9.0], 0.6)
    se = 0.6 / stats.norm.ppf(0.975)
    w = 1 / se**2
    x = [2015, 2016, 2017, 2018]
    xm = sum(x) / 4
    sxx = w * sum((xi - xm) ** 2 for xi in x)
    slope = sum((xi - xm) * yi for xi, yi in zip(x, [10.0, 9.6, 9.5, 9.0], strict=True)) / sum(
        (xi - xm) ** 2 for xi in x
    )
    p = rules.probability_of_change(s, 2015, 2018, "decrease")
    assert p.change == pytest.approx(slope * 3)
    assert p.change_se == pytest.approx(3 / math.sqrt(sxx))
    assert p.probability == pytest.approx(stats.norm.cdf(-slope * 3 / (3 / math.sqrt(sxx))))
    up = rules.probability_of_change(s, 2015, 2018, "increase")
    assert up.probability == pytest.approx(1 - p.probability)
    # the probability passes 97.5 % exactly when the trend judgement is "helt"
    for half in (0.2, 0.6, 1.5):
        series = _series([10.0, 9.6, 9.5, 9.0], half)
        prob = rules.probability_of_change(series, 2015, 2018, "decrease").probability
        judged = rules.trend_judgement(series, "decrease").judgement
        assert (prob > 0.975) == (judged == "helt"), (half, prob, judged)
    assert rules.probability_of_change(s[:1], 2015, 2018, "decrease").probability is None


# --- a whole target --------------------------------------------------------------------------


def test_evaluate_level_uses_the_target_year_only():
    series = _series([6.2, 5.7, 5.1], 0.2)  # 2015-2017
    r = evaluate(TargetVersionView("level", "decrease", 2017, value=5.5), series)
    assert r.status.status == "met" and r.used.year == 2017
    # a tertial report of 2016 judges the 2017 target with what was known then
    early = evaluate(TargetVersionView("level", "decrease", 2017, value=5.5), series, 2016)
    assert early.status.status == "not_assessable"
    assert early.status.reason == "target_year_not_published" and early.late
    # a direction target from 2015
    d = evaluate(TargetVersionView("direction", "decrease", 2018, base_year=2015), series)
    assert d.status.status == "met" and d.base.year == 2015 and d.used.year == 2017
    assert d.probability.probability > 0.99
    assert d.probability.change == pytest.approx(
        rules.probability_of_change(series, 2015, 2018, "decrease").change
    )
    # a weak fall: the change's interval includes none, so the probability stays moderate
    # (the base year's observed value is not taken as exactly known)
    weak = _series([4.26, 4.1, 4.0, 3.5], 0.55)
    wd = evaluate(TargetVersionView("direction", "decrease", 2018, base_year=2015), weak)
    assert wd.status.status == "not_assessable"
    assert 0.5 < wd.probability.probability < 0.975


def test_observation_interval_methods():
    lo, hi, how = rules.observation_interval(5.1, None, None, 1876, None, 100.0)
    assert how == "byar" and lo < 5.1 < hi
    lo2, hi2, how2 = rules.observation_interval(50.0, None, None, 50, 100, 100.0)
    assert how2 == "wilson" and lo2 == pytest.approx(40.383, abs=1e-3)
    assert rules.observation_interval(5.0, 4.0, 6.0) == (4.0, 6.0, "published")
    assert rules.observation_interval(5.0) == (None, None, "none")
