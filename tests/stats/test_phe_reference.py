"""Published PHEindicatormethods results reproduced from the package's own test inputs.

The CSVs in ``tests/fixtures/reference/PHEindicatormethods/`` are exports of the package's test
workbooks (see the SOURCES.md there). Every published DSR, ISR and SII/RII row whose inputs are
in those files is recomputed here with the project's methods.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from skillnader.stats.inequality import sii_rii
from skillnader.stats.standardise import (
    direct_standardised_rate,
    esp2013,
    indirectly_standardised_ratio,
)

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "PHEindicatormethods"


def _rows(name: str) -> list[dict]:
    with open(HERE / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _num(text: str) -> float:
    return float(text) if text not in ("", None) else math.nan


def _bands_by_area(name: str, *cols: str) -> dict[str, list[list[float]]]:
    out: dict[str, list[list[float]]] = defaultdict(lambda: [[] for _ in cols])
    for row in _rows(name):
        for i, c in enumerate(cols):
            # An empty count is a band without events (the package reads NA as 0 events).
            out[row["area"]][i].append(_num(row[c]) if row[c] != "" else 0.0)
    return dict(out)


DSR_INPUT = _bands_by_area("testdata_DSR_ISR__testdata_multiarea.csv", "count", "pop")
DSR_ROWS = [
    r
    for r in _rows("testdata_DSR_ISR__testresults_DSR.csv")
    if r["method"] == "Dobson" and r["area"] in DSR_INPUT
]


def test_the_headline_dsr_is_in_the_fixture():
    big = [r for r in DSR_ROWS if r["area"] == "testdata_big" and r["statistic"] == "dsr per 10000"]
    assert len(big) == 1
    assert round(float(big[0]["value"]), 4) == 1043.0248
    assert round(float(big[0]["lower95_0cl"]), 4) == 971.7709
    assert round(float(big[0]["upper95_0cl"]), 4) == 1117.8941


@pytest.mark.parametrize("row", DSR_ROWS, ids=lambda r: f"{r['area']}-{r['statistic']}")
def test_published_dsr_with_dobson_limits(row):
    count, pop = DSR_INPUT[row["area"]]
    per = 10_000 if row["statistic"].endswith("10000") else 100_000
    res95 = direct_standardised_rate(count, pop, esp2013, per=per, confidence=0.95)
    res998 = direct_standardised_rate(count, pop, esp2013, per=per, confidence=0.998)
    assert res95.events == float(row["total_count"])
    assert res95.population == float(row["total_pop"])
    if row["value"] == "":  # published as NA: fewer than 10 events
        assert res95.suppressed and math.isnan(res95.value)
        return
    assert not res95.suppressed
    assert res95.value == pytest.approx(float(row["value"]), rel=1e-9)
    assert res95.lower == pytest.approx(float(row["lower95_0cl"]), rel=1e-9)
    assert res95.upper == pytest.approx(float(row["upper95_0cl"]), rel=1e-9)
    assert res998.lower == pytest.approx(float(row["lower99_8cl"]), rel=1e-9)
    assert res998.upper == pytest.approx(float(row["upper99_8cl"]), rel=1e-9)


def test_published_dsr_with_the_esp1976_standard():
    rows = _rows("testdata_DSR_ISR__testdata_1976.csv")
    count = [float(r["count"]) for r in rows]
    pop = [float(r["pop"]) for r in rows]
    std = [float(r["esp1976"]) for r in rows]
    published = [
        r for r in _rows("testdata_DSR_ISR__testresults_DSR.csv") if r["area"] == "testdata_1976"
    ]
    assert len(published) == 2
    for row in published:
        per = 10_000 if row["statistic"].endswith("10000") else 100_000
        res = direct_standardised_rate(count, pop, std, per=per)
        assert res.value == pytest.approx(float(row["value"]), rel=1e-9)
        assert res.lower == pytest.approx(float(row["lower95_0cl"]), rel=1e-9)
        assert res.upper == pytest.approx(float(row["upper95_0cl"]), rel=1e-9)
        # The workbook's 99.8 % limits for this row lie outside the value by a factor of ten
        # (7,659-9,599 around 859): a slip in the spreadsheet, not a result to reproduce.


ISR_INPUT = _bands_by_area(
    "testdata_DSR_ISR__testdata_multiarea_isr.csv", "count", "pop", "refcount", "refpop"
)
ISR_ROWS = [r for r in _rows("testdata_DSR_ISR__testresults_ISR.csv") if r["area"] in ISR_INPUT]


def test_isr_fixture_has_rates_and_ratios():
    kinds = {r["statistic"] for r in ISR_ROWS}
    assert "indirectly standardised ratio x 100" in kinds
    assert "indirectly standardised rate per 100000" in kinds
    assert len(ISR_ROWS) == 12  # 3 areas x (rate per 100,000, per 1,000, ratio x 1, x 100)


@pytest.mark.parametrize("row", ISR_ROWS, ids=lambda r: f"{r['area']}-{r['statistic']}")
def test_published_isr(row):
    count, pop, refcount, refpop = ISR_INPUT[row["area"]]
    observed = sum(count)
    assert observed == float(row["observed"])
    stat = row["statistic"]
    ref_events, ref_pop = np.array(refcount), np.array(refpop)
    for conf, lo_key, hi_key in (
        (0.95, "lower95_0cl", "upper95_0cl"),
        (0.998, "lower99_8cl", "upper99_8cl"),
    ):
        if stat.startswith("indirectly standardised ratio"):
            per = float(stat.rsplit(" ", 1)[1])
            res = indirectly_standardised_ratio(
                count,
                population=pop,
                reference_events=ref_events,
                reference_population=ref_pop,
                per=per,
                confidence=conf,
            )
        else:
            # ISR as a rate: the ratio times the reference population's crude rate.
            per = float(stat.rsplit(" ", 1)[1])
            crude = ref_events.sum() / ref_pop.sum() * per
            assert crude == pytest.approx(float(row["ref_rate"]), rel=1e-12)
            res = indirectly_standardised_ratio(
                count,
                population=pop,
                reference_events=ref_events,
                reference_population=ref_pop,
                per=crude,
                confidence=conf,
            )
        assert res.value == pytest.approx(float(row["value"]), rel=1e-9)
        assert res.lower == pytest.approx(float(row[lo_key]), rel=1e-7)
        assert res.upper == pytest.approx(float(row[hi_key]), rel=1e-7)


# --------------------------------------------------------------------------------------------
# SII and RII

SII = _rows("testdata_SII__testdata_SII.csv")

# test description -> (transform, multiplier, confidence of the first limits)
SII_CASES = {
    "default (e.g. life expectancy) - default parameters": ("none", 1, 0.95),
    "default - testing 99% confidence": ("none", 1, 0.99),
    "default - testing 10,000 repetitions": ("none", 1, 0.95),
    "rate (e.g. infant mortality) - default parameters": ("none", 1, 0.95),
    "proportion (e.g. child obesity) - default parameters": ("none", 1, 0.95),
    "proportion - testing multiplier (x 100)": ("none", 100, 0.95),
    "proportion - testing multiplier (x -100)": ("none", -100, 0.95),
    "rate (e.g. infant mortality) - log transform with 98% CI": ("log", 1, 0.98),
    "rate (e.g. infant mortality) - log transform with negative multiplier": ("log", -1, 0.95),
    "proportion (e.g. child obesity) - logit transform with 98% cis": ("logit", 1, 0.98),
    "proportion (e.g. child obesity) - logit transform with negative multiplier": (
        "logit",
        -1,
        0.95,
    ),
}


def _sii_case(description: str, area: str):
    rows = [r for r in SII if r["TestDescription"] == description and r["Area"] == area]
    rows.sort(key=lambda r: int(r["Quantile"]))
    return rows


def test_the_headline_sii_is_in_the_fixture():
    rows = _sii_case("default (e.g. life expectancy) - default parameters", "area1")
    assert len(rows) == 10
    assert round(float(rows[0]["sii"]), 6) == 6.934616
    assert round(float(rows[0]["rii"]), 6) == 1.088818


@pytest.mark.parametrize("area", ["area1", "area2"])
@pytest.mark.parametrize("description", sorted(SII_CASES))
def test_published_sii_and_rii(description, area):
    transform, multiplier, confidence = SII_CASES[description]
    rows = _sii_case(description, area)
    assert len(rows) == 10
    values = np.array([float(r["Value"]) for r in rows])
    lower = np.array([float(r["LowerCL"]) for r in rows])
    upper = np.array([float(r["UpperCL"]) for r in rows])
    pop = np.array([float(r["Population"]) for r in rows])
    expected = rows[0]
    res = sii_rii(
        values, pop, lower, upper, transform=transform, confidence=confidence, seed=1, reps=100_000
    )
    # phe_sii's multiplier scales the SII; a negative one turns the line (and the RII) round.
    sii = res.sii * multiplier
    assert sii == pytest.approx(float(expected["sii"]), abs=1e-6)
    lo, hi = sorted((res.sii_lower * multiplier, res.sii_upper * multiplier))
    width = float(expected["sii_uppercl_1"]) - float(expected["sii_lowercl_1"])
    # Simulated limits: without a transform the package's and ours differ only by the random
    # draws (within 1 % of the interval's width). With a log/logit transform the values, the RII
    # and its limits agree as closely, but the package's SII limits come out up to 3 % of the
    # width further apart than ours; the tolerance says so rather than hide it.
    tol = (0.01 if transform == "none" else 0.035) * width
    assert lo == pytest.approx(float(expected["sii_lowercl_1"]), abs=tol)
    assert hi == pytest.approx(float(expected["sii_uppercl_1"]), abs=tol)
    if expected["rii_lowercl_1"] != "" and multiplier > 0:
        rwidth = float(expected["rii_uppercl_1"]) - float(expected["rii_lowercl_1"])
        assert res.rii_lower == pytest.approx(float(expected["rii_lowercl_1"]), abs=0.01 * rwidth)
        assert res.rii_upper == pytest.approx(float(expected["rii_uppercl_1"]), abs=0.01 * rwidth)
    if expected["rii"] != "":
        rii = res.rii if multiplier > 0 else 1 / res.rii
        assert rii == pytest.approx(float(expected["rii"]), abs=1e-6)


def test_published_sii_for_quintiles():
    for area in ("area1", "area2"):
        rows = _sii_case("default - testing quintiles", area)
        assert len(rows) == 5
        res = sii_rii(
            [float(r["Value"]) for r in rows],
            [float(r["Population"]) for r in rows],
            [float(r["LowerCL"]) for r in rows],
            [float(r["UpperCL"]) for r in rows],
            seed=1,
            reps=10_000,
        )
        assert res.sii == pytest.approx(float(rows[0]["sii"]), abs=1e-6)
        assert res.rii == pytest.approx(float(rows[0]["rii"]), abs=1e-6)
