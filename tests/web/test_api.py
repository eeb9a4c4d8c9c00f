"""The read-only API: every endpoint, filters, paging, CSV, headers and the OpenAPI schema."""

from __future__ import annotations

import csv
import io
import json

import pytest

from skillnader.web.api.openapi import schema as openapi_schema
from skillnader.web.data.models import Observation, public_observations


def get_json(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.content[:500])
    assert resp["Content-Type"] == "application/json"
    return json.loads(resp.content)


def test_index_links_resolve(client, world):
    data = get_json(client, "/api/v1/")
    for key in ("domains", "indicators", "levels", "areas", "observations", "openapi"):
        assert client.get(data[key]).status_code == 200


def test_domains_and_indicators(client, world):
    doms = get_json(client, "/api/v1/domains")["results"]
    assert [d["id"] for d in doms] == ["health", "education", "work", "housing", "democracy"]
    work = next(d for d in doms if d["id"] == "work")
    # The unpublished indicator of the domain is not listed.
    assert work["indicators"] == ["employment"]
    assert get_json(client, "/api/v1/domains/work")["indicators"][0]["id"] == "employment"
    get_json(client, "/api/v1/domains/nope", 404)
    inds = get_json(client, "/api/v1/indicators?domain=housing")["results"]
    assert [i["id"] for i in inds] == ["overcrowding"]
    emp = get_json(client, "/api/v1/indicators/employment")
    assert emp["polarity"] == "higher_is_better"
    assert emp["coverage"] == [
        {"level": "kommun", "vintages": [{"vintage": "1971", "years": [2021, 2022, 2023]}]},
        {
            "level": "sdo",
            "vintages": [
                {"vintage": "2020", "years": [2021, 2022]},
                {"vintage": "2023", "years": [2023]},
            ],
        },
    ]
    # The unpublished female cell must not create a group option on its own: only the city's
    # published female/male cells do.
    assert emp["groups"] == ["", "sex=female", "sex=male"]
    get_json(client, "/api/v1/indicators/secretind", 404)


def test_levels_areas_and_geojson(client, world):
    levels = get_json(client, "/api/v1/levels")["results"]
    sdo = next(lv for lv in levels if lv["id"] == "sdo")
    assert [v["code"] for v in sdo["vintages"]] == ["2020", "2023"]
    assert sdo["vintages"][0]["valid_to"] == "2023-07-01"
    areas = get_json(client, "/api/v1/areas?level=sdo&vintage=2023")["results"]
    assert [(a["code"], a["name_sv"], a["parent"]) for a in areas] == [
        ("11", "Norra innerstaden", "0180"),
        ("12", "Södermalm", "0180"),
        ("13", "Älvsjö", "0180"),
    ]
    feat = get_json(client, "/api/v1/areas/sdo/2023/12")
    assert feat["type"] == "Feature"
    assert feat["geometry"]["coordinates"][0][0] == [17.98, 59.30]
    get_json(client, "/api/v1/areas/sdo/2023/99", 404)
    fc = get_json(client, "/api/v1/geojson/sdo/2020")
    assert fc["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in fc["features"]] == ["01", "02", "03", "04"]
    get_json(client, "/api/v1/geojson/sdo/1900", 404)


def test_observations_match_public_rows(client, world):
    data = get_json(client, "/api/v1/observations?limit=5000")
    public = public_observations(Observation.objects.all())
    assert sorted(r["id"] for r in data["results"]) == sorted(public.values_list("id", flat=True))
    assert data["next"] is None
    by_id = {r["id"]: r for r in data["results"]}
    for o in public.select_related("area", "group"):
        row = by_id[o.id]
        assert (row["area"], row["group"], row["year"], row["value"], row["lower"]) == (
            o.area.code,
            o.group.key,
            o.year,
            o.value,
            o.lower,
        )
    suppressed = [r for r in data["results"] if r["status"] == "suppressed"]
    assert len(suppressed) == 1
    assert suppressed[0]["area"] == "13"
    assert all(suppressed[0][k] is None for k in ("value", "lower", "upper", "numerator"))


def test_observation_filters(client, world):
    rows = get_json(
        client, "/api/v1/observations?indicator=employment&level=sdo&vintage=2020&year=2022"
    )["results"]
    assert sorted((r["area"], r["value"]) for r in rows) == [
        ("01", 85.5),
        ("02", 84.0),
        ("03", 71.0),
        ("04", 80.2),
    ]
    rows = get_json(client, "/api/v1/observations?indicator=employment&group=sex=male")["results"]
    assert [(r["area"], r["value"]) for r in rows] == [("0180", 82.9)]
    rows = get_json(client, "/api/v1/observations?indicator=employment&area=0180&group=")["results"]
    assert [r["period"] for r in rows] == ["2021", "2022", "2023"]
    get_json(client, "/api/v1/observations?limit=0", 400)
    get_json(client, "/api/v1/observations?year=abc", 400)
    get_json(client, "/api/v1/observations?format=xml", 400)


def test_observation_paging_is_stable(client, world):
    seen, url, pages = [], "/api/v1/observations?indicator=employment&limit=4", 0
    while url:
        data = get_json(client, url)
        seen.extend(r["id"] for r in data["results"])
        url, pages = data["next"], pages + 1
        assert url is None or "after=" in url and "indicator=employment" in url
    expected = list(
        public_observations(Observation.objects.filter(indicator_id="employment"))
        .order_by("id")
        .values_list("id", flat=True)
    )
    assert seen == expected
    # 16 published cells: 5 for the city, 8 for 2020 districts, 3 for 2023 districts. The
    # look-ahead row means a full last page has no empty page after it.
    assert len(expected) == 16 and pages == 4


def test_observations_csv(client, world):
    resp = client.get("/api/v1/observations?indicator=overcrowding&format=csv")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert sorted((r["area"], r["value"], r["lower"]) for r in rows) == [
        ("0180", "12.0", "11.5"),
        ("11", "6.0", "5.0"),
        ("12", "12.3", "11.0"),
        ("13", "20.5", "18.9"),
    ]
    paged = client.get("/api/v1/observations?indicator=overcrowding&format=csv&limit=2")
    assert 'rel="next"' in paged["Link"]


def test_comparisons(client, world):
    data = get_json(client, "/api/v1/comparisons?indicator=overcrowding")
    assert data["selection"] == {
        "level": "sdo",
        "vintage": "2023",
        "year": 2023,
        "group": "",
        "benchmark": "city",
    }
    # Lower is better: 6.0 (5-7) beats the city 12.0 (11.5-12.5); 12.3 (11-13.6) overlaps;
    # 20.5 (18.9-22.1) is worse.
    assert [(r["area"], r["comparison"], r["rank"]) for r in data["results"]] == [
        ("11", "better", 1),
        ("12", "similar", 2),
        ("13", "worse", 3),
    ]
    emp = get_json(client, "/api/v1/comparisons?indicator=employment&vintage=2020&year=2021")
    assert [(r["area"], r["comparison"]) for r in emp["results"]] == [
        ("01", "better"),
        ("02", "better"),
        ("03", "worse"),
        ("04", "similar"),
    ]
    sup = get_json(client, "/api/v1/comparisons?indicator=employment")
    assert [(r["area"], r["comparison"], r["value"]) for r in sup["results"]][-1] == (
        "13",
        "suppressed",
        None,
    )
    get_json(client, "/api/v1/comparisons", 400)
    get_json(client, "/api/v1/comparisons?indicator=secretind", 404)
    get_json(client, "/api/v1/comparisons?indicator=employment&level=regso", 404)


def test_inequality(client, world):
    from skillnader.stats import inequality as iq

    data = get_json(client, "/api/v1/inequality?indicator=overcrowding")
    sel = data["selection"]
    assert sel["group"] == "" and sel["level"] == "sdo"
    cells = get_json(client, "/api/v1/comparisons?indicator=overcrowding")["results"]
    values = [c["value"] for c in cells if c["value"] is not None]
    (row,) = [r for r in data["results"] if r["period"] == cells[0]["period"]]
    assert row["n_areas"] == len(values)
    assert row["range"] == pytest.approx(iq.range_(values).value)
    assert row["coefficient_of_variation"] == pytest.approx(
        iq.coefficient_of_variation(values).value
    )
    assert row["range_lower"] < row["range_upper"]
    resp = client.get("/api/v1/inequality?indicator=overcrowding&format=csv")
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert [r["period"] for r in rows] == [r["period"] for r in data["results"]]
    assert float(rows[-1]["gini"]) == pytest.approx(data["results"][-1]["gini"])
    get_json(client, "/api/v1/inequality", 400)
    get_json(client, "/api/v1/inequality?indicator=overcrowding&format=xml", 400)
    get_json(client, "/api/v1/inequality?indicator=secretind", 404)
    get_json(client, "/api/v1/inequality?indicator=employment&level=regso", 404)
    # a group without cells is an empty series, not an error
    assert get_json(client, "/api/v1/inequality?indicator=overcrowding&group=x=y")["results"] == []


def test_conditional_get_and_determinism(client, world):
    first = client.get("/api/v1/observations?indicator=employment")
    second = client.get("/api/v1/observations?indicator=employment")
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert "Last-Modified" in first
    again = client.get(
        "/api/v1/observations?indicator=employment", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304


def test_api_is_read_only(client, world):
    assert client.post("/api/v1/observations").status_code == 405


def test_openapi_schema_is_valid(client, world):
    from openapi_spec_validator import validate

    served = get_json(client, "/api/v1/openapi.json")
    assert served == json.loads(json.dumps(openapi_schema()))
    validate(served)
    # Every API route is described.
    from django.urls import get_resolver

    api_routes = {
        "/api/v1/" + str(p.pattern).replace("<code:", "{").replace(">", "}")
        for api in get_resolver().url_patterns
        if str(api.pattern) == "api/v1/"
        for p in api.url_patterns
    }
    assert api_routes == set(served["paths"])


@pytest.fixture
def wsgi_app():
    """The real WSGI application, called in the test's own transaction.

    Like Django's test client, it must not let ``request_started``/``request_finished`` close
    the database connection around each request: on PostgreSQL that would end the test's
    transaction.
    """
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def test_schemathesis_finds_no_server_errors(world, wsgi_app):
    """Property-based calls of every operation (bounded) against the schema."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_dict(openapi_schema())
    schema.app = wsgi_app
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(
                checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
                headers={"Host": "testserver"},
            )

        try:
            check()
        except Exception as err:  # collect all operations' failures before failing
            failures.append(f"{operation.label}: {err}")
    assert operations == len(openapi_schema()["paths"])
    assert not failures, "\n".join(failures)


def test_findings(client, world):
    data = get_json(client, "/api/v1/findings")
    by_id = {f["indicator"]: f for f in data["results"]}
    assert set(by_id) == {"employment", "overcrowding"}  # never the unpublished indicator
    emp = by_id["employment"]
    # The unpublished 2024 city value is not part of the series.
    assert emp["level"]["periods"] == ["2021", "2022", "2023"]
    assert emp["level"]["values"] == [80.1, 80.6, 81.2]
    assert (emp["level"]["assessment"], emp["headline"]) == ("improving", "improves")
    assert emp["improves_while_gap_widens"] is False
    assert by_id["overcrowding"]["level"]["assessment"] == "not_assessed"
    only = get_json(client, "/api/v1/findings?indicator=overcrowding")["results"]
    assert [f["indicator"] for f in only] == ["overcrowding"]
    get_json(client, "/api/v1/findings?indicator=secretind", 404)
