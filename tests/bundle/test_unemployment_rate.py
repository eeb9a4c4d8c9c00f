"""Registered unemployed as a rate per 1,000 inhabitants aged 16-64, derived at import from the
bundled counts and SCB's population (skillnader.web.data.derive), checked against the raw files;
comparisons and findings use the rate, the count stays context."""

from __future__ import annotations

import csv

import pytest

from skillnader.bundle.build import DATA_DIR
from skillnader.stats import intervals

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

UNEMPLOYED = DATA_DIR / "municipalities_panel/kommun_registered_unemployed_monthly_2018_2022.csv"
POP_LAN = DATA_DIR / "health_kommun_mortality/scb_population_stockholms_lan_2010_2019.xlsx"
POP_SE = DATA_DIR / "health_kommun_mortality/scb_population_sweden_2010_2019.xlsx"
RATE = "registered_unemployed_rate"


def _raw_population_16_64(path, code: str, year: int) -> float:
    """Population aged 16-64 (both sexes) on 31 December of ``year``, read from SCB's xlsx
    here with openpyxl (the region and age codes only on a block's first row)."""
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r[6] == "2010")
    col = list(header).index(str(year))
    total, region, age = 0.0, None, None
    for r in rows[rows.index(header) + 1 :]:
        region = r[0] if r[0] is not None else region
        age = r[2] if r[2] is not None else age
        if region == code and age is not None and str(age).isdigit() and 16 <= int(age) <= 64:
            total += float(r[col])
    return total


def _raw_count(period: str, municipality: str | None) -> float:
    """Registered unemployed of one kommun (by short name), or of every row (None)."""
    with open(UNEMPLOYED, encoding="utf-8") as f:
        return float(
            sum(
                int(r["unemployedTotal"])
                for r in csv.DictReader(f)
                if r["period"] == period
                and (municipality is None or r["municipality"] == municipality)
            )
        )


def _cell(indicator, code, period):
    from skillnader.web.data.models import Observation

    return Observation.objects.get(
        indicator_id=indicator, area__code=code, period=period, group__key=""
    )


@pytest.mark.parametrize(
    ("code", "name", "path", "pop_code"),
    [("0180", "Stockholm", POP_LAN, "0180"), ("SE", None, POP_SE, "00")],
)
def test_rate_reproduces_the_raw_files(bundle_db, code, name, path, pop_code):
    count = _raw_count("2018-09", name)
    pop = _raw_population_16_64(path, pop_code, 2017)  # 31 December of the year before
    o = _cell(RATE, code, "2018-09")
    assert (o.numerator, o.denominator) == (count, pop)
    assert o.value == pytest.approx(count / pop * 1000)
    expected = intervals.rate(count, pop, per=1000)
    assert (o.lower, o.upper) == (pytest.approx(expected.lower), pytest.approx(expected.upper))
    assert o.lower < o.value < o.upper
    # the count the rate is made of is the published count
    assert _cell("registered_unemployed", code, "2018-09").value == count
    # and the denominator is published too, as the population aged 16-64
    assert _cell_group("population", code, "2017", "age=16-64").value == pop


def _cell_group(indicator, code, period, group):
    from skillnader.web.data.models import Observation

    return Observation.objects.get(
        indicator_id=indicator, area__code=code, period=period, group__key=group
    )


def test_rate_where_the_population_is_known(bundle_db):
    from skillnader.web.data.models import Area, Observation

    rates = Observation.objects.filter(indicator_id=RATE)
    lan = set(
        Area.objects.filter(parent__level_id="lan", parent__code="01").values_list(
            "code", flat=True
        )
    )
    # the län's kommuner and Sweden, each month of 2018 (population of 31 December 2017); no
    # rate for 2022 (no population of 2021 in the bundle), none for other kommuner
    assert set(rates.values_list("area__code", flat=True)) == lan | {"SE"}
    assert set(rates.values_list("year", flat=True)) == {2018}
    assert rates.count() == (len(lan) + 1) * 12
    assert not rates.filter(suppressed=True).exists()
    assert not rates.filter(lower__isnull=True).exists()
    assert rates.get(area__code="0180", period="2018-12").release.source_id == (
        "skillnader-derived-rates"
    )


def test_comparisons_and_findings_use_the_rate(bundle_db, client):
    import json

    from skillnader.stats.compare import compare_intervals
    from skillnader.web.data.regional import regional_findings_json

    data = json.loads(client.get(f"/indicator/{RATE}.json").content)
    assert data["selection"]["level"] == "lanskommun"
    assert data["benchmark"]["area"]["code"] == "SE"
    se = data["benchmark"]["cell"]
    for r in data["areas"]:
        want = compare_intervals(
            r["value"],
            r["lower"],
            r["upper"],
            se["value"],
            "lower_is_better",
            benchmark_lower=se["lower"],
            benchmark_upper=se["upper"],
        )
        assert r["comparison"] == str(want), r["area"]
        assert r["rank"] is not None
    assert {r["comparison"] for r in data["areas"]} >= {"better", "worse"}
    html = client.get(f"/indicator/{RATE}/").content.decode()
    assert "per 1 000 invånare" in html and "per 1 000 inhabitants" not in html
    # the count is context: not ranked, not compared
    count = json.loads(client.get("/indicator/registered_unemployed.json").content)
    assert all(r["rank"] is None for r in count["areas"])
    assert {r["comparison"] for r in count["areas"]} <= {"not_compared", "missing", "suppressed"}
    # the regional finding names the gap between the län's kommuner with its interval
    found = next(f for f in regional_findings_json(RATE) if f["indicator"] == RATE)
    last = max(data["areas"], key=lambda r: r["value"] or 0)
    assert last["area_name"] in found["sentence_sv"]
    assert "(" in found["sentence_sv"] and "–" in found["sentence_sv"]


def test_derive_refuses_what_it_cannot_compute(tmp_path):
    from skillnader.errors import MappingError
    from skillnader.web.data.derive import parse_spec, rate_records

    mapping = tmp_path / "m.yaml"
    with pytest.raises(MappingError, match="different tables"):
        parse_spec(
            {
                "indicators": [RATE, "life_expectancy"],
                "population": {"file": "p.xlsx", "mapping": "p.yaml"},
            },
            mapping,
        )
    counts = [("kommun", "0180", None, {}, "2018-09", 29926.0)]
    banded = [("kommun", "0180", None, {"age": "15-19"}, "2017", 30000.0)]
    with pytest.raises(MappingError, match="16-64"):
        rate_records(counts, banded, RATE, mapping)
    # a month without the population of the year before gives no rate (never a guess)
    pop = [("kommun", "0180", None, {"age": "16-64"}, "2018", 640000.0)]
    assert rate_records(counts, pop, RATE, mapping) == []
