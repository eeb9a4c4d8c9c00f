"""Age standardisation: the ESP 2013, DSRs with Dobson limits and ISRs with Byar limits."""

from __future__ import annotations

import numpy as np
import pytest

from skillnader.errors import InputError, MethodError
from skillnader.stats.intervals import byar
from skillnader.stats.standardise import (
    ESP2013_BANDS,
    direct_standardised_rate,
    dobson_limits,
    esp2013,
    expected_events,
    indirectly_standardised_ratio,
)

# A worked example: 19 bands (ESP 2013), 895 events in a population of 8,970 (the shape of the
# PHEindicatormethods test area; its band-level inputs live in a spreadsheet that is not
# reproduced here, so these band values are our own).
EVENTS = np.array([3, 1, 2, 4, 6, 8, 10, 14, 18, 24, 32, 40, 52, 66, 84, 102, 130, 150, 149])
POPULATION = np.array(
    [900, 540, 520, 500, 510, 600, 640, 620, 580, 560, 520, 480, 440, 400, 360, 320, 250, 140, 90]
)


def test_esp2013_is_the_eurostat_standard():
    assert esp2013.shape == (19,)
    assert esp2013.sum() == 100_000
    assert ESP2013_BANDS[0] == "0-4" and ESP2013_BANDS[-2] == "85-89" and ESP2013_BANDS[-1] == "90+"
    assert esp2013[0] == 5000 and esp2013[-1] == 1000 and esp2013.max() == 7000
    with pytest.raises(ValueError):
        esp2013[0] = 1  # the constant is read-only


def test_dobson_limits_reproduce_the_published_dsr_interval():
    # PHEindicatormethods' test area: 895 events, DSR 1043.0248 per 10,000 with limits
    # 971.7709-1117.8941. The Dobson lower limit fixes var(DSR); the upper limit must then follow
    # from Byar's limits for 895 events. Reproducing it to 8 significant digits checks the
    # Dobson construction and our Byar limits against the published triple.
    dsr, lower_pub, upper_pub = 1043.0248, 971.7709, 1117.8941
    o_lower, _ = byar(895)
    var = ((dsr - lower_pub) / (o_lower - 895)) ** 2 * 895
    lower, upper = dobson_limits(dsr, var, 895)
    assert lower == pytest.approx(lower_pub, abs=1e-9)
    assert round(upper, 4) == upper_pub


def test_dsr_matches_a_hand_computation():
    assert EVENTS.sum() == 895 and POPULATION.sum() == 8970
    res = direct_standardised_rate(EVENTS, POPULATION, per=10_000)
    w = esp2013
    dsr = sum(w[i] * EVENTS[i] / POPULATION[i] for i in range(19)) / w.sum() * 10_000
    var = sum(w[i] ** 2 * EVENTS[i] / POPULATION[i] ** 2 for i in range(19)) / w.sum() ** 2
    var *= 10_000**2
    lo_o, up_o = byar(895)
    assert res.value == pytest.approx(dsr, rel=1e-12)
    assert res.lower == pytest.approx(dsr + np.sqrt(var / 895) * (lo_o - 895), rel=1e-12)
    assert res.upper == pytest.approx(dsr + np.sqrt(var / 895) * (up_o - 895), rel=1e-12)
    assert res.events == 895 and res.population == 8970 and not res.suppressed
    # the multiplier alias and the default per 100,000
    assert direct_standardised_rate(EVENTS, POPULATION, multiplier=10_000).value == res.value
    assert direct_standardised_rate(EVENTS, POPULATION).value == pytest.approx(10 * res.value)


def test_dsr_with_equal_band_rates_equals_that_rate():
    # whatever the standard, a constant age-specific rate standardises to itself
    pop = np.full(19, 1000.0)
    ev = np.full(19, 20.0)
    assert direct_standardised_rate(ev, pop).value == pytest.approx(2000.0)


def test_dsr_accepts_any_standard_and_areas_on_leading_axis():
    std = np.array([1.0, 2.0, 1.0])
    ev = np.array([[10, 20, 30], [1, 2, 3]])
    pop = np.array([[1000, 1000, 1000], [100, 100, 100]])
    res = direct_standardised_rate(ev, pop, standard=std, per=1000)
    assert res.value[0] == pytest.approx((10 + 40 + 30) / 4)
    assert np.isnan(res.value[1]) and res.suppressed.tolist() == [False, True]
    assert "fewer than 10 events" in res.note


def test_dsr_below_ten_events_is_not_computed_or_raises_when_strict():
    ev = np.zeros(19)
    ev[-1] = 9
    pop = np.full(19, 500.0)
    res = direct_standardised_rate(ev, pop)
    assert res.suppressed is True and np.isnan(res.value) and np.isnan(res.lower)
    with pytest.raises(MethodError, match="at least 10 events"):
        direct_standardised_rate(ev, pop, strict=True)
    ev[-1] = 10
    assert not np.isnan(direct_standardised_rate(ev, pop).value)


def test_dsr_input_errors():
    with pytest.raises(InputError, match="numbers of bands"):
        direct_standardised_rate(np.ones(18), np.ones(18) * 10)
    with pytest.raises(InputError, match="negative"):
        direct_standardised_rate(-EVENTS, POPULATION)
    pop = POPULATION.copy()
    pop[3] = 0
    with pytest.raises(InputError, match="zero population"):
        direct_standardised_rate(EVENTS, pop)
    ev = EVENTS.copy()
    ev[3] = 0
    assert np.isfinite(direct_standardised_rate(ev, pop).value)


def test_isr_reference_values():
    est = indirectly_standardised_ratio(895, 835.884)
    assert est.value == pytest.approx(100 * 895 / 835.884, rel=1e-12)
    assert round(est.value, 4) == 107.0723
    lo_o, up_o = byar(895)
    assert est.lower == pytest.approx(100 * lo_o / 835.884, rel=1e-12)
    assert est.upper == pytest.approx(100 * up_o / 835.884, rel=1e-12)
    smr = indirectly_standardised_ratio(895, 835.884, per=1)
    assert smr.value == pytest.approx(est.value / 100)


def test_isr_from_bands_and_reference_rates():
    ref_events = np.array([100.0, 300.0, 900.0])
    ref_pop = np.array([100_000.0, 50_000.0, 20_000.0])
    pop = np.array([1000.0, 2000.0, 500.0])
    observed = np.array([2, 15, 30])
    expected = expected_events(pop, ref_events / ref_pop)
    assert expected == pytest.approx(1 + 12 + 22.5)
    a = indirectly_standardised_ratio(
        observed, population=pop, reference_rates=ref_events / ref_pop
    )
    b = indirectly_standardised_ratio(
        observed, population=pop, reference_events=ref_events, reference_population=ref_pop
    )
    assert a.value == pytest.approx(100 * 47 / 35.5) and b.value == pytest.approx(a.value)
    with pytest.raises(InputError, match="expected events"):
        indirectly_standardised_ratio(47)
