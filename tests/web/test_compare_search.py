"""Comparing areas side by side, and searching areas and indicators."""

from __future__ import annotations

import csv
import io
import json

import pytest


def test_compare_two_areas(client, world):
    body = client.get("/compare/?a=sdo/2023/11&a=sdo/2023/12").content.decode()
    assert "Norra innerstaden" in body and "Södermalm" in body
    assert "86,0" in body and "72,3" in body
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/compare.csv?a=sdo/2023/11&a=sdo/2023/12").content.decode("utf-8-sig")
            )
        )
    )
    assert [(r["indicator"], r["area"], r["value"], r["comparison"]) for r in rows] == [
        ("employment", "sdo/2023/11", "86.0", "better"),
        ("employment", "sdo/2023/12", "72.3", "worse"),
        ("employment", "kommun/1971/0180", "81.2", ""),  # the city's column
        ("overcrowding", "sdo/2023/11", "6.0", "better"),
        ("overcrowding", "sdo/2023/12", "12.3", "similar"),
        ("overcrowding", "kommun/1971/0180", "12.0", ""),
    ]


def test_compare_areas_of_different_vintages(client, world):
    data = json.loads(client.get("/compare.json?a=sdo/2020/04&a=sdo/2023/13").content)
    got = [(r["area"], r["indicator"], r["year"], r["value"], r["status"]) for r in data["rows"]]
    assert got == [
        ("sdo/2020/04", "employment", 2022, 80.2, "ok"),
        ("sdo/2023/13", "employment", 2023, None, "suppressed"),
        ("kommun/1971/0180", "employment", 2023, 81.2, "ok"),  # the city, latest year shown
        ("sdo/2020/04", "overcrowding", None, None, "missing"),
        ("sdo/2023/13", "overcrowding", 2023, 20.5, "ok"),
        ("kommun/1971/0180", "overcrowding", 2023, 12.0, "ok"),
    ]


def test_compare_form_without_areas(client, world):
    body = client.get("/compare/").content.decode()
    assert 'value="sdo/2023/11"' in body  # choices of the latest district vintage
    assert "Lägg till områden (Stadsdelsområde, Stadsdelsområden 2023)" in body


@pytest.mark.parametrize("ref", ["sdo/2023", "sdo/2023/99", "x/y/z"])
def test_compare_bad_reference_is_404(client, world, ref):
    assert client.get(f"/compare/?a={ref}").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("alvsjo", ["sdo/2020/04", "sdo/2023/13"]),
        ("ÄLVSJÖ", ["sdo/2020/04", "sdo/2023/13"]),
        ("norra INNER", ["sdo/2023/11"]),
        ("forvarvs", ["employment"]),
        ("TRÅNG", ["overcrowding"]),
        ("hemlig", []),  # unpublished indicators are not searchable
        ("zzz", []),
    ],
)
def test_search_is_case_and_diacritic_insensitive(client, world, query, expected):
    data = json.loads(client.get("/search.json", {"q": query}).content)
    assert [r["id"] for r in data["results"]] == expected


def test_search_page(client, world):
    body = client.get("/search/?q=soder").content.decode()
    assert "2 träffar för ”soder”" in body
    assert 'href="/area/sdo/2023/12/"' in body


def test_counts_are_never_compared_with_the_city(world):
    from skillnader.web.data.queries import compare_to_city

    city = {"value": 1000.0, "lower": 950.0, "upper": 1050.0, "status": "ok"}
    area = {"value": 100.0, "lower": 90.0, "upper": 110.0, "status": "ok"}
    assert compare_to_city(area, city, "lower_is_better", "proportion") == "better"
    assert compare_to_city(area, city, "lower_is_better", "count") == "not_compared"
    assert compare_to_city(area, city, "no_judgement") == "lower"
    assert compare_to_city({"value": None, "status": "suppressed"}, city, "no_judgement") == (
        "suppressed"
    )
    assert compare_to_city(None, city, "no_judgement") == "missing"
    assert compare_to_city({**area, "lower": None}, city, "no_judgement") == "not_compared"
    # Overlap with the city's interval is "similar" even when the city value is outside.
    near = {"value": 1100.0, "lower": 1040.0, "upper": 1160.0, "status": "ok"}
    assert compare_to_city(near, city, "higher_is_better") == "similar"
    assert compare_to_city(near, {**city, "lower": None, "upper": None}, "higher_is_better") == (
        "better"
    )
