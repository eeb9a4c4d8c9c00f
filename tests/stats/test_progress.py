"""Open SDG progress measure toward a target, including targets that should decrease."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillnader.errors import InputError
from skillnader.stats.progress import progress_toward_target, progress_without_target


def test_increasing_target_on_track():
    r = progress_toward_target(10, 2015, 14, 2020, 20, 2030)
    observed = 1.4 ** (1 / 5) - 1
    required = 2 ** (1 / 15) - 1
    assert r.observed_growth == pytest.approx(observed)
    assert r.required_growth == pytest.approx(required)
    assert r.ratio == pytest.approx(observed / required)
    assert round(r.ratio, 5) == 1.47186
    assert (r.category, r.direction) == ("on_track", "increase")


@pytest.mark.parametrize(
    ("current", "category"),
    [
        (16.0, "on_track"),  # ratio 0.9665
        (17.0, "acceleration_needed"),  # ratio 0.7153
        (18.0, "limited_progress"),  # ratio 0.4618
        (20.0, "limited_progress"),  # no change at all: ratio 0
        (22.0, "deterioration"),  # moving away from a lower target
        (10.0, "target_achieved"),
        (8.0, "target_achieved"),
    ],
)
def test_decreasing_target_is_never_assessed_the_wrong_way(current, category):
    # overcrowding 20 % in 2015, target 10 % by 2030
    r = progress_toward_target(20, 2015, current, 2020, 10, 2030)
    assert r.direction == "decrease"
    assert r.category == category
    with_polarity = progress_toward_target(20, 2015, current, 2020, 10, 2030, "lower_is_better")
    assert with_polarity.category == category


def test_decreasing_ratio_values():
    r = progress_toward_target(20, 2015, 16, 2020, 10, 2030)
    assert r.ratio == pytest.approx((0.8 ** (1 / 5) - 1) / (0.5 ** (1 / 15) - 1))
    assert r.ratio > 0


def test_polarity_handles_a_base_value_that_already_met_the_target():
    # lower is better, base 5 is already below the target 10
    r = progress_toward_target(5, 2015, [7, 12], 2020, 10, 2030, polarity="lower_is_better")
    assert r.category.tolist() == ["target_achieved", "deterioration"]
    assert r.direction.tolist() == ["decrease", "decrease"]
    assert r.ratio[1] < 0


def test_target_equal_to_base_needs_polarity():
    r = progress_toward_target(10, 2015, 12, 2020, 10, 2030)
    assert r.category == "not_assessed" and "polarity" in r.reason
    r = progress_toward_target(10, 2015, [12, 9], 2020, 10, 2030, polarity="lower_is_better")
    assert r.category.tolist() == ["deterioration", "target_achieved"]


def test_zero_target_and_zero_current_value():
    # homelessness down to zero: the required growth is -100 %
    r = progress_toward_target(200, 2015, [0, 100], 2020, 0, 2030)
    assert r.category.tolist() == ["target_achieved", "limited_progress"]
    assert r.required_growth[1] == -1.0


def test_not_assessed_with_reasons():
    r = progress_toward_target(
        [0, 10, 10, np.nan], 2015, [5, 12, -1, 5], [2020, 2015, 2020, 2020], 20, 2030
    )
    assert r.category.tolist() == ["not_assessed"] * 4
    assert "base value" in r.reason[0]
    assert "current year" in r.reason[1]
    assert "negative" in r.reason[2]
    assert r.reason[3] == "a value or year is missing"
    with pytest.raises(InputError, match="polarity"):
        progress_toward_target(10, 2015, 12, 2020, 20, 2030, polarity="up")


def test_without_target_thresholds():
    r = progress_without_target(100, 2015, [110, 104, 101, 99], 2020, "higher_is_better")
    # CAGR 1.94 %, 0.79 %, 0.20 %, -0.20 %
    assert r.category.tolist() == [
        "on_track",
        "acceleration_needed",
        "limited_progress",
        "deterioration",
    ]
    r = progress_without_target(100, 2015, [90, 101], 2020, "lower_is_better")
    assert r.category.tolist() == ["on_track", "deterioration"]
    with pytest.raises(InputError):
        progress_without_target(100, 2015, 90, 2020, "no_judgement")


@settings(max_examples=150, deadline=None)
@given(
    base=st.floats(1, 1000),
    target_factor=st.floats(0.1, 10).filter(lambda f: abs(f - 1) > 1e-3),
    current_factor=st.floats(0.05, 20).filter(lambda f: abs(f - 1) > 1e-6),
)
def test_moving_toward_the_target_is_never_a_deterioration(base, target_factor, current_factor):
    r = progress_toward_target(base, 2015, base * current_factor, 2020, base * target_factor, 2030)
    wants_increase = target_factor > 1
    moved_up = current_factor > 1
    assert r.direction == ("increase" if wants_increase else "decrease")
    if r.category != "target_achieved":
        assert (r.ratio > 0) == (moved_up == wants_increase)
        assert (r.category == "deterioration") == (moved_up != wants_increase)
