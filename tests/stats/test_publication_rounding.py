"""The rounding of published counts (``disclosure.round_count`` and
``disclosure.published_numbers``): the one rule every published read applies."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skillnader.errors import InputError
from skillnader.stats.disclosure import published_numbers, round_count
from skillnader.stats.intervals import byar


@pytest.mark.parametrize(
    ("x", "base", "expected"),
    [
        (12, 5, 10),
        (13, 5, 15),
        (15, 5, 15),
        (5, 5, 5),
        (0, 5, 0),
        (15, 10, 20),  # halves away from zero
        (25, 10, 30),  # (banker's rounding would give 20)
        (14, 10, 10),
        (1, 2, 2),
        (3, 2, 4),
        (1234, 5, 1235),
        (7, 1, 7),
        (-15, 10, -20),
    ],
)
def test_round_count_to_the_nearest_multiple_halves_away_from_zero(x, base, expected):
    assert round_count(x, base) == expected


def test_round_count_keeps_missing_numbers_missing_and_works_on_arrays():
    out = round_count(np.array([np.nan, 12.0, 37.0, 147.0]), 5)
    assert math.isnan(out[0])
    assert out[1:].tolist() == [10.0, 35.0, 145.0]


@pytest.mark.parametrize("base", [0, -5, 2.5, True, "5", None])
def test_a_base_that_is_not_a_positive_whole_number_is_an_error(base):
    with pytest.raises(InputError, match="rounding_base"):
        round_count(10, base)
    with pytest.raises(InputError, match="rounding_base"):
        published_numbers("count", base, value=10)


def test_a_count_is_rounded_and_gets_the_interval_of_its_rounding_band():
    exact_lo, exact_hi = byar(62.0)
    out = published_numbers("count", 5, value=62, lower=exact_lo, upper=exact_hi, numerator=62)
    assert out["value"] == 60 and out["numerator"] == 60
    # from the lower limit of 57.5 to the upper limit of 62.5: every count rounding to 60
    assert out["lower"] == pytest.approx(byar(57.5)[0])
    assert out["upper"] == pytest.approx(byar(62.5)[1])
    assert out["lower"] < exact_lo and out["upper"] > exact_hi
    assert out["lower"] <= out["value"] <= out["upper"]


def test_every_count_that_rounds_to_the_same_value_is_published_alike():
    """The published interval depends on the rounded count only: it cannot give the exact
    count away (the exact counts' own intervals all differ)."""
    counts = np.arange(58.0, 63.0)  # 58 ... 62 all round to 60
    lo, hi = byar(counts)
    out = published_numbers("count", 5, value=counts, lower=lo, upper=hi)
    assert out["value"].tolist() == [60.0] * 5
    assert len(set(out["lower"].tolist())) == 1 and len(set(out["upper"].tolist())) == 1
    assert (out["lower"] <= lo).all() and (out["upper"] >= hi).all()
    assert len(set(lo.tolist())) == 5


def test_a_count_without_an_interval_gets_none():
    out = published_numbers("count", 5, value=np.array([62.0, 7.0]))
    assert out["value"].tolist() == [60.0, 5.0]
    assert np.isnan(out["lower"]).all() and np.isnan(out["upper"]).all()


def test_a_proportion_keeps_its_value_and_interval_and_rounds_its_counts():
    value, lower, upper = 62 / 1234 * 100, 3.9, 6.4
    out = published_numbers(
        "proportion", 5, value=value, lower=lower, upper=upper, numerator=62, denominator=1234
    )
    assert (out["value"], out["lower"], out["upper"]) == (value, lower, upper)
    assert (out["numerator"], out["denominator"]) == (60, 1235)


@pytest.mark.parametrize("measure", ["rate", "standardised_rate"])
def test_rates_round_their_numerator_and_denominator_only(measure):
    out = published_numbers(measure, 10, value=3.21, numerator=321, denominator=100_004)
    assert out["value"] == 3.21
    assert (out["numerator"], out["denominator"]) == (320, 100_000)


@pytest.mark.parametrize("measure", ["mean", "median", "index"])
def test_a_mean_keeps_its_sum_and_rounds_the_people_it_is_computed_from(measure):
    out = published_numbers(measure, 5, value=312.5, numerator=3_125_000.0, denominator=10_002)
    assert out["value"] == 312.5
    assert out["numerator"] == 3_125_000.0  # a sum of money, not a count
    assert out["denominator"] == 10_000


def test_base_one_publishes_the_numbers_as_they_are():
    out = published_numbers("count", 1, value=62, lower=47.5, upper=79.5, denominator=1234)
    assert (out["value"], out["lower"], out["upper"], out["denominator"]) == (62, 47.5, 79.5, 1234)
    assert math.isnan(out["numerator"])


def test_missing_numbers_stay_missing():
    out = published_numbers("proportion", 5, value=None, numerator=None, denominator=40)
    assert math.isnan(out["value"]) and math.isnan(out["numerator"])
    assert out["denominator"] == 40


def test_a_published_count_never_rounds_to_zero_when_the_threshold_is_at_least_the_base():
    """The catalogue requires threshold >= base: every non-zero count published is then at
    least the base, and rounds to at least the base."""
    for base in (2, 3, 5, 10):
        for threshold in range(base, base + 6):
            counts = np.arange(threshold, threshold + 50, dtype=float)
            assert (round_count(counts, base) >= base).all()
    # below the threshold the rule would publish a false zero: 2 of base 5 rounds to 0
    assert round_count(2, 5) == 0
