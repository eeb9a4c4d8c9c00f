"""A small, realistic fixture database for the public site and the API.

Two area levels (the city and its district council areas) with two boundary vintages, square
polygons on a grid around central Stockholm, two published indicators with intervals, a
population-group breakdown, a suppressed cell, unpublished cells and an unpublished indicator.
The unpublished numbers and names are "secrets" that no response may contain.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from skillnader.domains import DOMAINS

SECRET_VALUES = ("987.654", "987,654", "876.543", "876,543", "4242.42", "4242,42")
SECRET_NAMES = ("SECRETIND", "Hemlig indikator")


def square(x: float, y: float, size: float = 0.02) -> dict:
    """A GeoJSON polygon: an axis-parallel square with its south-west corner at (x, y)."""
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def rectangle(x: float, y: float, w: float, h: float) -> dict:
    ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    """Create the fixture data and return a dict of the main objects."""
    return make_world()


def make_world() -> dict:
    """Create the fixture data (see the module docstring) and return the main objects."""
    from skillnader.web.data import models as m

    for d in DOMAINS:
        m.Domain.objects.create(id=d.id, name_sv=d.name_sv, name_en=d.name_en, order=d.order)
    kommun = m.AreaLevel.objects.create(
        id="kommun", name_sv="Kommun", name_en="Municipality", order=2
    )
    sdo = m.AreaLevel.objects.create(
        id="sdo", name_sv="Stadsdelsområde", name_en="District council area", order=4
    )
    v_k = m.Vintage.objects.create(level=kommun, code="1971", name_sv="Kommungräns 1971")
    v20 = m.Vintage.objects.create(
        level=sdo,
        code="2020",
        name_sv="Stadsdelsområden 2020",
        name_en="District areas 2020",
        valid_from=dt.date(2020, 7, 1),
        valid_to=dt.date(2023, 7, 1),
    )
    v23 = m.Vintage.objects.create(
        level=sdo,
        code="2023",
        name_sv="Stadsdelsområden 2023",
        name_en="District areas 2023",
        valid_from=dt.date(2023, 7, 1),
    )
    x0, y0 = 17.98, 59.30
    city = m.Area.objects.create(
        level=kommun,
        vintage=v_k,
        code="0180",
        name="Stockholm",
        name_en="Stockholm",
        geometry=rectangle(x0, y0, 0.04, 0.04),
    )
    # 2020 vintage: a 2 x 2 grid.
    a20 = {}
    for code, name, (i, j) in [
        ("01", "Östermalm", (0, 1)),
        ("02", "Norrmalm", (1, 1)),
        ("03", "Södermalm", (0, 0)),
        ("04", "Älvsjö", (1, 0)),
    ]:
        a20[code] = m.Area.objects.create(
            level=sdo,
            vintage=v20,
            code=code,
            name=name,
            parent=city,
            geometry=square(x0 + 0.02 * i, y0 + 0.02 * j),
        )
    # 2023 vintage: the two northern areas merged.
    a23 = {
        "11": m.Area.objects.create(
            level=sdo,
            vintage=v23,
            code="11",
            name="Norra innerstaden",
            name_en="Northern inner city",
            parent=city,
            geometry=rectangle(x0, y0 + 0.02, 0.04, 0.02),
        ),
        "12": m.Area.objects.create(
            level=sdo,
            vintage=v23,
            code="12",
            name="Södermalm",
            parent=city,
            geometry=square(x0, y0),
        ),
        "13": m.Area.objects.create(
            level=sdo,
            vintage=v23,
            code="13",
            name="Älvsjö",
            parent=city,
            geometry=square(x0 + 0.02, y0),
        ),
    }
    for old, new in [("01", "11"), ("02", "11"), ("03", "12"), ("04", "13")]:
        m.AreaLink.objects.create(source=a20[old], target=a23[new], basis="area", weight=1.0)

    sex = m.Dimension.objects.create(id="sex", name_sv="Kön", name_en="Sex", order=1)
    female = m.DimensionValue.objects.create(
        dimension=sex, code="female", name_sv="Kvinnor", name_en="Women", order=1
    )
    male = m.DimensionValue.objects.create(
        dimension=sex, code="male", name_sv="Män", name_en="Men", order=2
    )
    everyone = m.Group.objects.create(key="")
    g_f = m.Group.objects.create(key="sex=female")
    g_f.values.add(female)
    g_m = m.Group.objects.create(key="sex=male")
    g_m.values.add(male)

    work = m.Domain.objects.get(id="work")
    housing = m.Domain.objects.get(id="housing")
    health = m.Domain.objects.get(id="health")
    emp = m.Indicator.objects.create(
        id="employment",
        domain=work,
        name_sv="Förvärvsfrekvens",
        name_en="Employment rate",
        measure="proportion",
        polarity="higher_is_better",
        unit="%",
        multiplier=100,
        decimals=1,
        definition_sv="Andel förvärvsarbetande 20–64 år.",
        definition_en="Share of people aged 20–64 in gainful employment.",
        source="SCB",
        order=1,
    )
    crowd = m.Indicator.objects.create(
        id="overcrowding",
        domain=housing,
        name_sv="Trångboddhet",
        name_en="Overcrowding",
        measure="proportion",
        polarity="lower_is_better",
        unit="%",
        multiplier=100,
        decimals=1,
        order=1,
    )
    m.Indicator.objects.create(
        id="life_expectancy",
        domain=health,
        name_sv="Medellivslängd",
        name_en="Life expectancy",
        measure="mean",
        polarity="higher_is_better",
        unit="år",
        external_ids={"kolada": "N00925"},
        order=1,
    )
    secret = m.Indicator.objects.create(
        id="secretind",
        domain=work,
        name_sv="Hemlig indikator SECRETIND",
        measure="count",
        polarity="no_judgement",
        unit="st",
        published=False,
    )
    src = m.Source.objects.create(id="scb", name="Statistics Sweden")
    rel = m.Release.objects.create(source=src, content_hash="abc123", version="2024-01")

    def obs(ind, area, year, value=None, lower=None, upper=None, group=everyone, **kw):
        return m.Observation.objects.create(
            indicator=ind,
            area=area,
            group=group,
            period=str(year),
            year=year,
            value=value,
            lower=lower,
            upper=upper,
            release=rel,
            **kw,
        )

    # Employment: city 2021-2023, districts 2021-2022 (2020 vintage) and 2023 (2023 vintage).
    obs(emp, city, 2021, 80.1, 79.9, 80.3)
    obs(emp, city, 2022, 80.6, 80.4, 80.8)
    obs(emp, city, 2023, 81.2, 81.0, 81.4)
    obs(emp, city, 2023, 79.5, 79.2, 79.8, group=g_f)
    obs(emp, city, 2023, 82.9, 82.6, 83.2, group=g_m)
    obs(emp, city, 2024, 876.543, 876.0, 877.0, published=False)
    for y, vals in [(2021, (85.0, 84.1, 70.2, 79.0)), (2022, (85.5, 84.0, 71.0, 80.2))]:
        for code, v in zip(("01", "02", "03", "04"), vals, strict=True):
            obs(emp, a20[code], y, v, v - 1.0, v + 1.0)
    obs(emp, a23["11"], 2023, 86.0, 85.2, 86.8)
    obs(emp, a23["12"], 2023, 72.3, 71.0, 73.6)
    obs(emp, a23["13"], 2023, suppressed=True, status="..")
    obs(emp, a23["12"], 2023, 987.654, 987.0, 988.0, group=g_f, published=False)
    # Overcrowding: one year, 2023 vintage only.
    obs(crowd, city, 2023, 12.0, 11.5, 12.5)
    obs(crowd, a23["11"], 2023, 6.0, 5.0, 7.0)
    obs(crowd, a23["12"], 2023, 12.3, 11.0, 13.6)
    obs(crowd, a23["13"], 2023, 20.5, 18.9, 22.1)
    obs(secret, city, 2023, 4242.4242)
    return {
        "city": city,
        "a20": a20,
        "a23": a23,
        "employment": emp,
        "overcrowding": crowd,
        "release": rel,
    }
