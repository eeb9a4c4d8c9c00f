"""Domain cards stay short: hundreds of areas without boundaries are summarised, not listed,
and an indicator published only for whole municipalities draws no map of Sweden."""

from __future__ import annotations

import json
import re

import pytest
from tests.web.conftest import square, world  # noqa: F401  (fixture)


@pytest.fixture
def democracy(world):  # noqa: F811
    from skillnader.web.data import models as m

    rel = world["release"]
    city = world["city"]
    dem = m.Domain.objects.get(id="democracy")
    vd = m.AreaLevel.objects.create(id="valdistrikt", name_sv="Valdistrikt", order=7)
    v18 = m.Vintage.objects.create(level=vd, code="2018", name_sv="Valdistrikt 2018")
    turnout = m.Indicator.objects.create(
        id="turnout",
        domain=dem,
        name_sv="Valdeltagande",
        measure="proportion",
        polarity="higher_is_better",
        unit="percent",
        multiplier=100,
        decimals=1,
        order=1,
    )
    everyone = m.Group.objects.get(key="")
    for i in range(40):
        area = m.Area.objects.create(level=vd, vintage=v18, code=f"V{i:03d}", name=f"Distrikt {i}")
        value = 60.0 + i / 2
        m.Observation.objects.create(
            indicator=turnout,
            area=area,
            group=everyone,
            period="2018",
            year=2018,
            value=value,
            lower=value - 1,
            upper=value + 1,
            release=rel,
        )
    m.Observation.objects.create(
        indicator=turnout,
        area=city,
        group=everyone,
        period="2018",
        year=2018,
        value=80.0,
        lower=79.9,
        upper=80.1,
        release=rel,
    )
    # Another indicator published for municipalities only (the city and its neighbours).
    kommun = m.AreaLevel.objects.get(id="kommun")
    municipal = m.Indicator.objects.create(
        id="turnout_kommun",
        domain=dem,
        name_sv="Valdeltagande per kommun",
        measure="proportion",
        polarity="higher_is_better",
        unit="percent",
        multiplier=100,
        decimals=1,
        order=2,
    )
    for i, area in enumerate(
        [city]
        + [
            m.Area.objects.create(
                level=kommun,
                vintage=city.vintage,
                code=f"01{i:02d}",
                name=f"Kommun {i}",
                geometry=square(18.5 + i * 0.1, 59.0),
            )
            for i in range(5)
        ]
        # a kommun outside Stockholms län: in the data, never on the län's map
        + [
            m.Area.objects.create(
                level=kommun,
                vintage=city.vintage,
                code="1280",
                name="Malmö",
                geometry=square(13.0, 55.6),
            )
        ]
    ):
        m.Observation.objects.create(
            indicator=municipal,
            area=area,
            group=everyone,
            period="2022",
            year=2022,
            value=80.0 + i,
            lower=79.0 + i,
            upper=81.0 + i,
            release=rel,
        )
    return world


def test_many_areas_without_boundaries_are_summarised(client, democracy):
    body = client.get("/domain/democracy/").content.decode()
    card = re.search(
        r'<section class="card" aria-labelledby="ind-turnout">(.*?)</section>', body, re.S
    ).group(1)
    assert "<li>" not in card  # no list of 40 districts
    assert "40 områden (Valdistrikt) utan gränser att visa på karta" in card
    assert "lägst Distrikt 0 (60,0), högst Distrikt 39 (79,5)" in card
    assert (
        'href="/indicator/turnout/?level=valdistrikt&amp;vintage=2018&amp;year=2018#table"' in card
    )


def test_municipal_only_indicator_has_no_map_of_sweden(client, democracy):
    """An indicator published per kommun is drawn for Stockholms län's kommuner, never for the
    whole country (Malmö has a value but is not on the card's map)."""
    body = client.get("/domain/democracy/").content.decode()
    card = re.search(
        r'<section class="card" aria-labelledby="ind-turnout_kommun">(.*?)</section>', body, re.S
    ).group(1)
    assert "vega-chart" in card and "Malmö" not in card
    spec = re.search(r'<script id="map-turnout_kommun-spec"[^>]*>(.*?)</script>', card, re.S)
    drawn = set(re.findall(r'"code":\s*"(\d{4})"', spec.group(1)))
    assert drawn == {"0180", "0100", "0101", "0102", "0103", "0104"}
    data = json.loads(client.get("/domain/democracy.json").content)
    row = next(r for r in data["indicators"] if r["indicator"] == "turnout_kommun")
    assert row["level"] == "lanskommun" and row["areas"] == 6
