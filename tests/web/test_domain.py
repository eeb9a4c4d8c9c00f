"""Domain pages and their twins."""

from __future__ import annotations

import csv
import io
import json
import re


def test_domain_lists_indicators_with_city_value_map_and_gap(client, world):
    body = client.get("/domain/housing/").content.decode()
    assert "<h1>Boende och stadsmiljö</h1>" in body
    assert "Trångboddhet" in body and "12,0 %" in body
    # Gap between areas: 20.5 / 6.0 = 3.4 times.
    assert "Det högsta av 3 områden (Stadsdelsområde, 2023) är 3,4 gånger det lägsta." in body
    spec = json.loads(
        re.search(
            r'<script id="map-overcrowding-spec" type="application/json">(.*?)</script>',
            body,
            re.S,
        ).group(1)
    )
    assert spec["layer"][0]["mark"]["type"] == "geoshape"
    assert "chart/map.svg?level=sdo" in body


def test_domain_json_and_csv_twins(client, world):
    data = json.loads(client.get("/domain/housing.json").content)
    (row,) = data["indicators"]
    assert row["indicator"] == "overcrowding"
    assert (row["value"], row["lower"], row["upper"], row["year"]) == (12.0, 11.5, 12.5, 2023)
    assert (row["lowest"], row["highest"], row["areas"]) == (6.0, 20.5, 3)
    assert abs(row["ratio_highest_lowest"] - 20.5 / 6.0) < 1e-12
    rows = list(
        csv.DictReader(io.StringIO(client.get("/domain/housing.csv").content.decode("utf-8-sig")))
    )
    assert [(r["indicator"], r["value"], r["ratio_highest_lowest"]) for r in rows] == [
        ("overcrowding", "12.0", str(20.5 / 6.0))
    ]


def test_suppressed_area_is_left_out_of_the_gap(client, world):
    data = json.loads(client.get("/domain/work.json").content)
    (row,) = data["indicators"]  # the unpublished indicator is not listed
    # 2023 districts: 86.0 and 72.3; the suppressed Älvsjö is not counted (and not zero).
    assert (row["areas"], row["lowest"], row["highest"]) == (2, 72.3, 86.0)


def test_domain_without_data_says_where_to_get_it(client, world):
    body = client.get("/domain/health/").content.decode()
    assert "Inga data har publicerats för det här området av levnadsvillkor ännu." in body
    assert "paketet" not in body  # the bundle is an internal word
    # The indicator's own page is linked: it describes the indicator and its sources.
    assert '<a href="/indicator/life_expectancy/">Medellivslängd</a>' in body
    assert "kolada <code>N00925</code>" in body
    data = json.loads(client.get("/domain/health.json").content)
    assert data["indicators"] == []
    assert data["missing"] == [
        {
            "indicator": "life_expectancy",
            "name": "Medellivslängd",
            "external_ids": {"kolada": "N00925"},
        }
    ]


def test_unknown_domain_is_404(client, world):
    assert client.get("/domain/sport/").status_code == 404
