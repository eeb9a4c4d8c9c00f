"""The indicator page: selection in the URL, map/table, charts, twins and notes."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest


def html(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.content[:800])
    return resp.content.decode()


def table_rows(body: str, table_id: str) -> list[list[str]]:
    """Cells (tags stripped, whitespace collapsed) of the table with ``id=table_id``."""
    m = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', body, re.S)
    assert m, table_id
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


def test_default_view_is_latest_district_vintage(client, world):
    body = html(client, "/indicator/employment/")
    assert re.search(r'<option value="sdo" selected>', body)
    assert re.search(r'<option value="2023" selected>', body)
    rows = table_rows(body, "table")
    assert rows[1:] == [
        ["Norra innerstaden", "86,0", "85,2–86,8", "+ Bättre än staden", "1"],
        ["Södermalm", "72,3", "71,0–73,6", "− Sämre än staden", "2"],
        ["Älvsjö", "Prickad", "", "× Prickad", ""],
    ]
    # The city value with its interval.
    assert "81,2 %" in body and "81,0–81,4" in body


def test_url_parameters_are_reflected(client, world):
    url = "/indicator/employment/?level=sdo&vintage=2020&year=2021&colour=value"
    body = html(client, url)
    for name, value in [("vintage", "2020"), ("year", "2021"), ("colour", "value")]:
        assert re.search(rf'<option value="{value}" selected>', body), name
    # Only the years of the chosen vintage are offered.
    year_select = re.search(r'<select id="sel-year".*?</select>', body, re.S).group(0)
    assert re.findall(r'value="(\d+)"', year_select) == ["2021", "2022"]
    # Downloads and chart fallbacks keep the selection.
    assert "/indicator/employment.csv?level=sdo&amp;vintage=2020&amp;year=2021" in body
    assert "chart/map.svg?level=sdo&amp;vintage=2020&amp;year=2021&amp;colour=value" in body
    rows = table_rows(body, "table")
    assert [r[:2] for r in rows[1:]] == [
        ["Norrmalm", "84,1"],
        ["Södermalm", "70,2"],
        ["Älvsjö", "79,0"],
        ["Östermalm", "85,0"],
    ]


@pytest.mark.parametrize(
    "query",
    [
        "level=regso",
        "level=sdo&vintage=2007",
        "year=2024",  # only an unpublished cell has this year
        "year=20x",
        "group=sex=other",
        "colour=rainbow",
        "format=xml",
    ],
)
def test_selection_without_data_is_404(client, world, query):
    assert client.get(f"/indicator/employment/?{query}").status_code == 404


def test_unknown_and_unpublished_indicators_are_404(client, world):
    assert client.get("/indicator/nope/").status_code == 404
    assert client.get("/indicator/secretind/").status_code == 404
    assert client.get("/indicator/secretind.json").status_code == 404


def test_vintage_change_is_explained(client, world):
    body = html(client, "/indicator/employment/")
    assert "Ändrad indelning i serien" in body
    assert "Stadsdelsområden 2020: 2021–2022" in body
    assert "Stadsdelsområden 2023: 2023–2023" in body
    assert "2020 → 2023 (ytvikt)" in body
    # Overcrowding has a single vintage: no note.
    assert "Ändrad indelning" not in html(client, "/indicator/overcrowding/")


def test_trend_and_group_breakdown(client, world):
    body = html(client, "/indicator/employment/?trend=12")
    trend = table_rows(body, "trend-table")
    assert trend[1:] == [
        ["Stockholm", "2021", "80,1", "79,9–80,3"],
        ["Stockholm", "2022", "80,6", "80,4–80,8"],
        ["Stockholm", "2023", "81,2", "81,0–81,4"],
        ["Södermalm", "2023", "72,3", "71,0–73,6"],
    ]
    assert '<option value="12" selected>' in body
    groups = table_rows(body, "groups-table")
    assert groups[1:] == [
        ["Kön", "Kvinnor", "79,5", "79,2–79,8"],
        ["Kön", "Män", "82,9", "82,6–83,2"],
    ]


def test_charts_are_embedded_with_text_alternatives(client, world):
    body = html(client, "/indicator/employment/")
    for kind in ("map", "bars", "trend", "groups"):
        m = re.search(
            rf'<script id="{kind}-spec" type="application/json">(.*?)</script>', body, re.S
        )
        spec = json.loads(m.group(1))
        assert spec["$schema"].endswith("vega-lite/v5.json")
        assert spec["description"]
        assert f"chart/{kind}.svg" in body  # the no-JavaScript fallback
    assert 'src="/static/vendor/vega-embed.min.js"' in body
    assert "cdn" not in body.lower() and "https://vega.github.io" not in body.replace(
        '"$schema":"https://vega.github.io/schema/vega-lite/v5.json"', ""
    ).replace('"$schema": "https://vega.github.io/schema/vega-lite/v5.json"', "")


@pytest.mark.parametrize("kind", ["map", "bars", "trend", "groups"])
def test_svg_fallbacks_render(client, world, kind):
    resp = client.get(f"/indicator/employment/chart/{kind}.svg?level=sdo&vintage=2023")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "image/svg+xml"
    assert resp.content.startswith(b"<svg")
    if kind == "bars":
        text = resp.content.decode()
        assert "Norra innerstaden" in text and "Älvsjö (Prickad)" in text


def test_svg_fallback_unknown_kind(client, world):
    assert client.get("/indicator/employment/chart/pie.svg").status_code == 404


def test_json_twin_matches_db(client, world):
    data = json.loads(client.get("/indicator/employment.json?vintage=2023").content)
    assert data["selection"] == {
        "level": "sdo",
        "area_level": "sdo",
        "vintage": "2023",
        "year": 2023,
        "group": "",
        "colour": "",
        "breakdown": "",
        # the city's parts are compared with the city unless the visitor chooses
        "benchmark": "city",
    }
    assert data["city"]["value"] == 81.2 and data["city"]["lower"] == 81.0
    got = {r["area"]: (r["value"], r["lower"], r["upper"], r["status"]) for r in data["areas"]}
    assert got == {
        "11": (86.0, 85.2, 86.8, "ok"),
        "12": (72.3, 71.0, 73.6, "ok"),
        "13": (None, None, None, "suppressed"),
    }
    assert data["options"]["years"] == [2023]
    assert [o["id"] for o in data["options"]["vintages"]] == ["2020", "2023"]
    assert data["bridge"]["links"] == [
        {"from": "2020", "to": "2023", "basis": "area", "label": "ytvikt"}
    ]
    same = client.get("/indicator/employment/?format=json&vintage=2023").content
    assert json.loads(same) == data


def test_csv_twin(client, world):
    resp = client.get("/indicator/overcrowding.csv")
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert [(r["area"], r["value"], r["comparison"], r["rank"]) for r in rows] == [
        ("11", "6.0", "better", "1"),
        ("12", "12.3", "similar", "2"),
        ("13", "20.5", "worse", "3"),
    ]
    assert resp["Content-Disposition"] == 'attachment; filename="skillnader-overcrowding.csv"'


def test_no_n_plus_one(client, world, django_assert_max_num_queries):
    # A cold page (empty caches) costs a bounded number of queries whatever the area count.
    with django_assert_max_num_queries(40):
        client.get("/indicator/employment/")
    # A warm page only checks the data version.
    with django_assert_max_num_queries(3):
        client.get("/indicator/employment/")


def test_summary_finding_on_the_page(client, world):
    body = html(client, "/indicator/employment/")
    assert "Förvärvsfrekvens i Stockholm förbättras (80,1 år 2021, 81,2 år 2023)." in body
    data = json.loads(client.get("/indicator/employment.json").content)
    assert data["finding"]["level"]["assessment"] == "improving"


def test_group_breakdown_of_a_chosen_area(client, world):
    from skillnader.web.data import models as m

    for key, v in (("sex=female", 84.5), ("sex=male", 87.4)):
        m.Observation.objects.create(
            indicator=world["employment"],
            area=world["a23"]["11"],
            group=m.Group.objects.get(key=key),
            period="2023",
            year=2023,
            value=v,
            lower=v - 1.0,
            upper=v + 1.0,
            release=world["release"],
        )
    body = html(client, "/indicator/employment/")
    select = re.search(r'<select id="sel-breakdown" name="breakdown">(.*?)</select>', body, re.S)
    # Only areas with published group cells are offered (Södermalm's female cell is unpublished).
    assert re.findall(r'<option value="([^"]*)"', select.group(1)) == ["", "11"]
    assert table_rows(body, "groups-table")[1][2] == "79,5"  # the whole city by default

    body = html(client, "/indicator/employment/?breakdown=11")
    assert '<option value="11" selected>' in body
    assert "Norra innerstaden per befolkningsgrupp, 2023" in body
    assert table_rows(body, "groups-table")[1:] == [
        ["Kön", "Kvinnor", "84,5", "83,5–85,5"],
        ["Kön", "Män", "87,4", "86,4–88,4"],
    ]
    data = json.loads(client.get("/indicator/employment.json?breakdown=11").content)
    assert data["groups_area"] == {"code": "11", "name": "Norra innerstaden"}
    assert [(g["group"], g["value"]) for g in data["groups"]] == [
        ("sex=female", 84.5),
        ("sex=male", 87.4),
    ]
    svg = client.get("/indicator/employment/chart/groups.svg?breakdown=11")
    assert svg.status_code == 200 and b"Norra innerstaden" in svg.content
    client.cookies["django_language"] = "en"
    assert "Northern inner city by population group, 2023" in html(
        client, "/indicator/employment/?breakdown=11"
    )
    for bad in ("12", "99", "x" * 300):
        html(client, f"/indicator/employment/?breakdown={bad}", status=404)


def test_inequality_between_areas_year_by_year(client, world):
    from skillnader.stats import inequality as iq

    data = json.loads(client.get("/indicator/overcrowding.json").content)
    sel = data["selection"]
    (row,) = [r for r in data["inequality"] if r["period"] == str(sel["year"])]
    values = [r["value"] for r in data["areas"] if r["value"] is not None]
    assert row["n_areas"] == len(values) == 3
    assert row["range"] == pytest.approx(iq.range_(values).value)
    assert row["gini"] == pytest.approx(iq.gini(values))
    assert row["theil_t"] == pytest.approx(iq.theil(values).total)
    # three areas are too few for the P90/P10 ratio: not a number, and said so
    assert row["ratio_p90_p10"] is None and "ratio_p90_p10 (too_few_areas)" in row["not_computed"]
    # every number comes with its simulated interval
    assert row["gini_lower"] < row["gini_upper"]
    body = html(client, "/indicator/overcrowding/")
    assert "Skillnader mellan områden (Stadsdelsområde) över tid" in body
    assert 'id="inequality-table"' in body and "Gini-koefficient" in body
    assert "ej beräknat" in body
    assert 'class="table-scroll" role="region"' in body and 'tabindex="0"' in body
