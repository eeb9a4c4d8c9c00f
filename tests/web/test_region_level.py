"""Stockholms län's kommuner as an area level of their own, and the choice of benchmark, on the
real bundled data: a kommun indicator opens on the län's 26 kommuner (not on all 290), with
Stockholm highlighted and Sweden as the benchmark; all of Sweden stays one choice away; the
benchmark (city, region, country) can be chosen and every comparison follows it."""

from __future__ import annotations

import csv
import io
import json

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

REGION = "lanskommun"


@pytest.fixture(autouse=True)
def _bundle(bundle_db):
    return bundle_db


def _get_json(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.content[:400])
    return json.loads(resp.content)


def _kommuner(indicator: str, year: int, prefix: str = "", group: str = "") -> set[str]:
    """Codes of the kommuner with a published value of the indicator in ``year``."""
    from skillnader.web.data.models import public_observations

    return set(
        public_observations()
        .filter(
            indicator_id=indicator,
            area__level_id="kommun",
            area__code__startswith=prefix,
            year=year,
            group__key=group,
            value__isnull=False,
        )
        .values_list("area__code", flat=True)
    )


def _cell(indicator: str, level: str, code: str, year: int) -> dict:
    from skillnader.web.data.models import public_observations

    return (
        public_observations()
        .filter(
            indicator_id=indicator, area__level_id=level, area__code=code, year=year, group__key=""
        )
        .order_by("-period")
        .values("value", "lower", "upper")
        .first()
    )


def _expected(area: dict, bench: dict, polarity: str) -> str:
    """The comparison computed here from the stored cells with the project's method."""
    from skillnader.stats.compare import compare_intervals

    if area["value"] is None:
        return "suppressed"
    if area["lower"] is None or bench["value"] is None:
        return "not_compared"
    return str(
        compare_intervals(
            area["value"],
            area["lower"],
            area["upper"],
            bench["value"],
            polarity,
            benchmark_lower=bench["lower"],
            benchmark_upper=bench["upper"],
        )
    )


@pytest.mark.parametrize("indicator", ["life_expectancy_scb", "upper_secondary_eligibility"])
def test_kommun_indicator_opens_on_the_lans_kommuner(client, indicator):
    data = _get_json(client, f"/indicator/{indicator}.json")
    sel = data["selection"]
    assert sel["level"] == REGION and sel["area_level"] == "kommun"
    codes = {r["area"] for r in data["areas"]}
    # exactly the län's 26 kommuner — not the country's 290
    from skillnader.web.data.models import Area

    lan = set(
        Area.objects.filter(parent__level_id="lan", parent__code="01").values_list(
            "code", flat=True
        )
    )
    assert codes == lan and len(lan) == 26
    with_value = {r["area"] for r in data["areas"] if r["value"] is not None}
    assert with_value == _kommuner(indicator, sel["year"], "01", sel["group"]) - {""}
    assert len(with_value) >= 20
    # Stockholm is highlighted, and only Stockholm
    assert data["highlighted"] == ["0180"]
    assert [r["area"] for r in data["areas"] if r["highlight"]] == ["0180"]
    # the level is offered by name, before all of Sweden, which stays one choice away
    levels = [o["id"] for o in data["options"]["levels"]]
    assert levels.index(REGION) < levels.index("kommun")
    everywhere = _get_json(client, f"/indicator/{indicator}.json?level=kommun")
    assert len(everywhere["areas"]) == 290
    with_value = {r["area"] for r in everywhere["areas"] if r["value"] is not None}
    assert with_value == _kommuner(indicator, everywhere["selection"]["year"], "", sel["group"])
    assert len(with_value) > 250


def test_life_expectancy_benchmark_is_sweden_and_comparisons_use_it(client):
    from skillnader.web.data.models import Indicator

    ind = Indicator.objects.get(pk="life_expectancy")
    data = _get_json(client, "/indicator/life_expectancy.json")
    year = data["selection"]["year"]
    assert data["selection"]["benchmark"] == "country"
    se = _cell("life_expectancy", "country", "SE", year)
    assert data["benchmark"]["area"] == {"level": "country", "code": "SE"}
    assert data["benchmark"]["cell"]["value"] == pytest.approx(se["value"])
    for row in data["areas"]:
        assert row["comparison"] == _expected(row, se, ind.polarity), row["area"]
    # with these data some kommuner differ from Sweden and some do not
    kinds = {r["comparison"] for r in data["areas"]}
    assert "similar" in kinds and kinds & {"better", "worse"}


def test_benchmark_choice_changes_the_comparisons(client):
    from skillnader.web.data.models import Indicator

    ind = Indicator.objects.get(pk="life_expectancy")
    country = _get_json(client, "/indicator/life_expectancy.json")
    city = _get_json(client, "/indicator/life_expectancy.json?benchmark=city")
    year = city["selection"]["year"]
    sthlm = _cell("life_expectancy", "kommun", "0180", year)
    assert city["benchmark"]["key"] == "city"
    assert city["benchmark"]["cell"]["value"] == pytest.approx(sthlm["value"])
    for row in city["areas"]:
        assert row["comparison"] == _expected(row, sthlm, ind.polarity), row["area"]
    assert [r["comparison"] for r in city["areas"]] != [r["comparison"] for r in country["areas"]]
    # the options name only benchmarks with data: no value for the län in this indicator
    assert [o["id"] for o in city["options"]["benchmarks"]] == ["city", "country"]
    assert client.get("/indicator/life_expectancy/?benchmark=moon").status_code == 404


def test_region_benchmark_for_districts(client):
    """Where the län has a value, a district page can compare with the region."""
    data = _get_json(client, "/indicator/born_abroad_share.json?benchmark=region")
    assert data["selection"]["level"] == "sdo"
    assert "region" in [o["id"] for o in data["options"]["benchmarks"]]
    year = data["selection"]["year"]
    lan = _cell("born_abroad_share", "lan", "01", year)
    assert data["benchmark"]["area"] == {"level": "lan", "code": "01"}
    assert data["benchmark"]["cell"]["value"] == pytest.approx(lan["value"])
    for row in data["areas"]:
        assert row["comparison"] == _expected(row, lan, "no_judgement"), row["area"]


def test_page_highlights_stockholm_and_shows_sweden_as_the_benchmark_row(client):
    html = client.get("/indicator/life_expectancy/").content.decode()
    assert '<option value="lanskommun" selected>Kommuner i Stockholms län</option>' in html
    assert '<option value="country" selected>Riket</option>' in html  # benchmark control
    row = html[html.index('<tr class="highlight">') :]
    row = row[: row.index("</tr>")]
    assert "Stockholm" in row and "(markerad)" in row and "/area/kommun/2003/0180/" in row
    assert html.count('<tr class="highlight">') == 1
    foot = html[html.index("<tfoot>") : html.index("</tfoot>")]
    assert "Sverige" in foot and "(jämförelse)" in foot
    assert "Jämfört med riket" in html
    english = client.get("/indicator/life_expectancy/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200


def test_csv_twin_and_bars_chart_mark_the_city(client):
    resp = client.get("/indicator/upper_secondary_eligibility.csv")
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert {r["level"] for r in rows} == {REGION}
    marked = [r["area"] for r in rows if r["highlight"] in ("True", "true", "1")]
    assert marked == ["0180"]
    from django.test import RequestFactory

    from skillnader.web.data.models import Indicator
    from skillnader.web.public import views

    ind = Indicator.objects.get(pk="life_expectancy")
    state = views._indicator_state(RequestFactory().get("/indicator/life_expectancy/"), ind)
    bars = views._indicator_specs(ind, state)["bars"]
    flagged = [d["label"] for d in bars["data"]["values"] if d.get("highlight")]
    assert flagged == ["Stockholm"]
    assert bars["layer"][0]["encoding"]["strokeWidth"]["condition"]["value"] > 1


def test_api_comparisons_default_and_benchmark(client):
    data = _get_json(client, "/api/v1/comparisons?indicator=life_expectancy")
    assert data["selection"]["level"] == REGION
    assert data["selection"]["benchmark"] == "country"
    assert {r["area"] for r in data["results"]} == _kommuner(
        "life_expectancy", data["selection"]["year"], "01"
    )
    assert [r["area"] for r in data["results"] if r["highlight"]] == ["0180"]
    city = _get_json(client, "/api/v1/comparisons?indicator=life_expectancy&benchmark=city")
    assert city["benchmark"]["code"] == "0180"
    assert client.get("/api/v1/comparisons?indicator=life_expectancy&benchmark=x").status_code == (
        400
    )


def test_inequality_between_the_lans_kommuner(client):
    data = _get_json(client, "/indicator/life_expectancy.json")
    ineq = data["inequality"]
    assert ineq, "differences between the län's kommuner are measured"
    year = data["selection"]["year"]
    last = next(r for r in ineq if r["period"] == str(year))
    assert last["n_areas"] == len(
        [r for r in data["areas"] if r["value"] is not None and r["area"] != "SE"]
    )


def test_domain_page_draws_the_lans_kommuner(client):
    html = client.get("/domain/health/").content.decode()
    assert "Kommuner i Stockholms län" in html
    data = _get_json(client, "/domain/health.json")
    row = next(r for r in data["indicators"] if r["indicator"] == "life_expectancy")
    assert row["level"] == REGION
    assert 20 <= row["areas"] <= 26


def test_overview_of_the_lans_kommuner(client):
    """The overview (areas × indicators) offers the län's kommuner, compared with Sweden."""
    data = _get_json(client, "/overview.json?level=lanskommun")
    assert data["benchmark"]["key"] == "country"
    assert data["benchmark"]["area"]["code"] == "SE"
    assert len(data["areas"]) == 26
    cells = [c for c in data["cells"] if c["indicator"] == "life_expectancy"]
    assert cells, "life expectancy is in the overview"
    for c in cells:
        bench = _cell("life_expectancy", "country", "SE", c["year"])
        assert c["benchmark_value"] == pytest.approx(bench["value"])
    html = client.get("/overview/?level=lanskommun").content.decode()
    assert '<option value="lanskommun" selected>Kommuner i Stockholms län</option>' in html
