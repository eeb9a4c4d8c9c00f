"""Area profiles: spine chart, ranks, trends, neighbours, print styles."""

from __future__ import annotations

import json
import re


def test_profile_json_against_the_city(client, world):
    data = json.loads(client.get("/area/sdo/2023/12.json").content)
    assert data["area"] == {
        "level": "sdo",
        "vintage": "2023",
        "code": "12",
        "name": "Södermalm",
        "parent": "0180",
    }
    rows = {r["indicator"]: r for r in data["indicators"]}
    assert (rows["employment"]["value"], rows["employment"]["comparison"]) == (72.3, "worse")
    assert (rows["employment"]["rank"], rows["employment"]["areas_ranked"]) == (2, 2)
    assert (rows["overcrowding"]["comparison"], rows["overcrowding"]["rank"]) == ("similar", 2)
    assert [n["code"] for n in data["neighbours"]] == ["11", "13"]


def test_suppressed_area_profile(client, world):
    data = json.loads(client.get("/area/sdo/2023/13.json").content)
    emp = next(r for r in data["indicators"] if r["indicator"] == "employment")
    assert emp["status"] == "suppressed" and emp["value"] is None and emp["rank"] is None
    body = client.get("/area/sdo/2023/13/").content.decode()
    assert "Prickad" in body


def test_profile_page_has_spine_chart_and_trends(client, world):
    body = client.get("/area/sdo/2020/01/").content.decode()
    assert "<h1>Östermalm</h1>" in body
    spec = json.loads(
        re.search(
            r'<script id="spine-spec" type="application/json">(.*?)</script>', body, re.S
        ).group(1)
    )
    (row,) = spec["data"]["values"]
    # Östermalm 2022: 85.5 against the city's 80.6; the farthest area is Södermalm 71.0,
    # so the scale's half-width is 9.6 and Östermalm sits at 0.5 + 4.9 / 19.2.
    assert abs(row["x"] - (0.5 + 4.9 / 19.2)) < 1e-9
    assert row["comparison"] == "better"
    assert "Angränsande områden" in body
    assert re.search(r'href="/area/sdo/2020/02/">Norrmalm</a>', body)
    assert re.search(r'href="/area/sdo/2020/03/">Södermalm</a>', body)
    # Trends: 2021 and 2022 for the area with the city alongside.
    assert "85,0" in body and "80,1" in body


def test_print_stylesheet(client, world):
    css = b"".join(client.get("/static/public/site.css").streaming_content).decode()
    assert "@media print" in css


def test_unknown_area_is_404(client, world):
    assert client.get("/area/sdo/2023/99/").status_code == 404
    assert client.get("/area/sdo/1900/11/").status_code == 404


def test_area_trend_marker_needs_five_points(client, world):
    data = json.loads(client.get("/area/sdo/2020/01.json").content)
    (emp,) = data["indicators"]
    # Two yearly points: the recent-trend marker (last five points) cannot be calculated.
    assert emp["trend"] == "cannot_be_calculated" and emp["trend_assessment"] is None
