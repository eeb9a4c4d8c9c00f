"""Life expectancy (Chiang II, Silcocks variance) against PHEindicatormethods' test set df1."""

from __future__ import annotations

import numpy as np
import pytest

from skillnader.errors import InputError
from skillnader.stats.lifeexpectancy import DEFAULT_AGE_BANDS, life_expectancy

# PHEindicatormethods, tests/testthat/testLifeExpectancy.R, data frame df1 (start ages 0, 1, 5,
# ..., 90; populations and deaths by band).
POPS = np.array(
    [7060, 35059, 46974, 48489, 43219, 38561, 46009, 57208, 61435, 55601, 50209, 56416, 46411,
     39820, 37978, 37039, 33288, 23306, 11936, 11936]
)  # fmt: skip
DEATHS = np.array(
    [17, 9, 4, 8, 20, 15, 24, 33, 50, 71, 100, 163, 263, 304, 536, 872, 1390, 1605, 1936, 1937]
)  # fmt: skip

# The same test's expected values (answer1) for life expectancy at every band.
PUBLISHED_VALUE = [
    80.16960813, 79.36245674, 75.44193645, 70.47299936, 65.52909542, 60.67510088, 55.78835987,
    50.92752727, 46.06740425, 41.24505636, 36.49322717, 31.83343842, 27.26027992, 22.9719144,
    18.76856852, 14.95858336, 11.51684445, 8.618849241, 6.163942934, 6.16210635,
]  # fmt: skip


def test_e0_reproduces_the_published_value_and_interval():
    res = life_expectancy(DEATHS, POPS)
    value, lower, upper = res.at(0)
    # docs/domain.md §6 (PHEindicatormethods df1): e0 = 80.16961 (79.88269-80.45653)
    assert round(value, 5) == 80.16961
    assert round(lower, 5) == 79.88269
    assert round(upper, 5) == 80.45653
    assert value == pytest.approx(80.16960813, abs=5e-9)
    assert res.reason is None and not res.suppressed.any()


def test_every_band_reproduces_the_published_life_table():
    res = life_expectancy(DEATHS, POPS)
    np.testing.assert_allclose(res.value, PUBLISHED_VALUE, rtol=0, atol=5e-8)
    # The published limits were produced with z = 1.96 rather than 1.959964; with that factor
    # the standard errors reproduce them to the published 10 significant digits.
    se = res.se
    assert res.value[0] - 1.96 * se[0] == pytest.approx(79.88268548, abs=5e-8)
    assert res.value[-1] + 1.96 * se[-1] == pytest.approx(6.436529314, abs=5e-8)
    assert res.value[3] - 1.96 * se[3] == pytest.approx(70.20675732, abs=5e-8)


def test_band_order_and_area_stacking():
    stacked = life_expectancy(np.stack([DEATHS, DEATHS // 2]), np.stack([POPS, POPS // 2]))
    assert stacked.value.shape == (2, 20)
    assert stacked.value[0, 0] == pytest.approx(80.16960813, abs=5e-9)
    # halving everything keeps the rates (roughly) and widens the interval
    assert stacked.se[1, 0] > stacked.se[0, 0]
    assert tuple(int(a) for a in stacked.age_bands) == DEFAULT_AGE_BANDS


def test_wider_confidence_level_gives_wider_interval():
    r95 = life_expectancy(DEATHS, POPS, confidence=0.95)
    r998 = life_expectancy(DEATHS, POPS, confidence=0.998)
    assert r998.lower[0] < r95.lower[0] < r95.value[0] < r95.upper[0] < r998.upper[0]


def test_small_population_is_suppressed_with_a_reason():
    # PHEindicatormethods' df_low_pops: total population 2,783
    pops = [128, 152, 120, 176, 194, 180, 145, 149, 107, 185, 165, 109, 100, 122, 133, 189, 123,
            121, 147, 138]  # fmt: skip
    deaths = [58, 93, 78, 94, 59, 71, 80, 73, 69, 72, 91, 69, 78, 71, 54, 91, 82, 53, 50, 84]
    res = life_expectancy(deaths, pops)
    assert res.suppressed.all() and np.isnan(res.value).all()
    assert res.reason == "total population 5,000 or less"


def test_interval_wider_than_twenty_years_is_suppressed():
    deaths = DEATHS.copy()
    pops = POPS.copy()
    deaths[-1], pops[-1] = 1, 20  # one death in the open band: huge variance there
    res = life_expectancy(deaths, pops)
    assert res.suppressed[-1] and np.isnan(res.value[-1])
    assert "wider than 20 years" in res.reason
    # the ages whose 95 % interval stays within 20 years keep their value: here 0-75
    assert res.suppressed.tolist() == [False] * 17 + [True] * 3
    assert np.isfinite(res.value[:17]).all()
    assert (2 * 1.959964 * res.se[:17] <= 20).all() and (2 * 1.959964 * res.se[17:] > 20).all()


def test_impossible_input_raises():
    with pytest.raises(InputError, match="negative"):
        life_expectancy(np.where(np.arange(20) == 3, -5, DEATHS), POPS)
    with pytest.raises(InputError, match="positive"):
        life_expectancy(DEATHS, np.where(np.arange(20) == 5, 0, POPS))
    with pytest.raises(InputError, match="more deaths"):
        life_expectancy(DEATHS, np.where(np.arange(20) == 18, 119, POPS))
    with pytest.raises(InputError, match="one value per age band"):
        life_expectancy(DEATHS[:19], POPS[:19])
    with pytest.raises(InputError, match="ascending"):
        life_expectancy(DEATHS, POPS, age_bands=DEFAULT_AGE_BANDS[::-1])
