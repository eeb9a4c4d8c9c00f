"""The compare page (the city as a column, any year, the chosen areas over time as a chart and
a table, a hint for choosing several), and trends that say why they cannot be calculated."""

from __future__ import annotations

import json
import re

from tests.web.conftest import world  # noqa: F401  (fixture)

URL = "/compare/?a=sdo/2023/11&a=sdo/2023/12"


def test_city_column_and_trend_chart(client, world):  # noqa: F811
    body = client.get(URL).content.decode()
    head = re.search(r"<thead><tr><th scope=\"col\">Indikator</th>(.*?)</tr></thead>", body, re.S)
    assert "Stockholm" in head.group(1)  # the city's own column
    assert '<script id="cmp-trend-spec" type="application/json">' in body
    spec = json.loads(
        re.search(
            r'<script id="cmp-trend-spec" type="application/json">(.*?)</script>', body, re.S
        ).group(1)
    )
    series = {d["series"] for d in spec["data"]["values"]}
    assert series == {"Stockholm", "Norra innerstaden", "Södermalm"}
    assert spec["width"] == "container"
    assert 'id="cmp-trend-table"' in body
    # Choosing several areas is explained next to the list.
    assert 'aria-describedby="cmp-hint"' in body and "Ctrl" in body
    data = json.loads(client.get(URL.replace("/compare/", "/compare.json")).content)
    city_rows = [r for r in data["rows"] if r["area_name"] == "Stockholm"]
    assert {r["indicator"] for r in city_rows} == {"employment", "overcrowding"}
    emp = next(r for r in city_rows if r["indicator"] == "employment")
    assert (emp["year"], emp["value"]) == (2023, 81.2)


def test_any_year(client, world):  # noqa: F811
    body = client.get(URL + "&year=2023&indicator=overcrowding").content.decode()
    assert "Varje indikator år 2023" in body
    assert '<option value="overcrowding" selected>' in body
    assert client.get(URL + "&indicator=nope").status_code == 404


def test_trend_that_cannot_be_calculated_says_why(client, world):  # noqa: F811
    from skillnader.web.data.models import Observation

    # Two years without intervals for the district: no trend test is possible.
    Observation.objects.filter(indicator_id="employment", area__code="02").update(
        lower=None, upper=None
    )
    body = client.get("/area/sdo/2020/02/").content.decode()
    assert "Trenden kan inte beräknas: indikatorn saknar intervall" in body


def test_ranking_without_intervals_is_not_called_one(client, world):  # noqa: F811
    from skillnader.web.data.models import Observation

    Observation.objects.filter(indicator_id="overcrowding").update(lower=None, upper=None)
    body = client.get("/indicator/overcrowding/").content.decode()
    assert '<h2 id="bars-h">Rangordning</h2>' in body
    assert "indikatorn saknar intervall" in body


def test_api_index_lists_every_collection(client, world):  # noqa: F811
    data = json.loads(client.get("/api/v1/").content)
    assert data["inequality"] == "/api/v1/inequality"
    assert data["geojson"] == "/api/v1/geojson/{level}/{vintage}"
