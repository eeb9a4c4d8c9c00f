"""Areas, vintages and links of the bundled data."""

from __future__ import annotations

import csv
import json

import pytest

from skillnader.bundle.build import DATA_DIR

pytestmark = pytest.mark.django_db


def _areas(level, vintage=None):
    from skillnader.web.data.models import Area

    qs = Area.objects.filter(level_id=level)
    if vintage:
        qs = qs.filter(vintage__code=vintage)
    return qs


@pytest.mark.parametrize(
    ("level", "vintage", "count"),
    [
        ("country", "SE", 1),
        ("lan", "1998", 21),
        ("kommun", "2003", 290),
        ("stadsomrade", "1997", 3),
        ("sdo", "2007", 14),
        ("sdo", "2020", 13),
        ("sdo", "2023", 11),
        ("stadsdel", "2021", 117),
        ("regso", "2020", 127),
        ("basomrade", "2016", 419),
        ("valdistrikt", "2018", 573),
        ("valdistrikt", "2022", 592),
    ],
)
def test_area_counts_per_level_and_vintage(bundle_db, level, vintage, count):
    assert _areas(level, vintage).count() == count
    assert _areas(level).count() == sum(
        {
            "sdo": [14, 13, 11],
            "valdistrikt": [573, 592],
        }.get(level, [count])
    )


def test_official_codes(bundle_db):
    assert _areas("kommun").get(code="0180").name == "Stockholm"
    assert _areas("lan").get(code="01").name == "Stockholms län"
    assert _areas("regso").get(code="0180R076").name == "Rinkeby"
    # 2018 valdistrikt code: län + kommun + four-digit district number
    assert _areas("valdistrikt", "2018").get(code="01804220").name == "Kista 20 Husby C"
    assert _areas("valdistrikt", "2022").filter(code__startswith="0180").count() == 592


def test_kommun_parents_are_their_lan(bundle_db):
    rows = list(csv.DictReader((DATA_DIR / "municipalities/sweden_municipalities_290.csv").open()))
    parents = dict(_areas("kommun").values_list("code", "parent__code"))
    assert parents == {r["municipality_code"]: r["county_code"] for r in rows}


def _link(src_level, src_vintage, src_code, tgt_vintage, tgt_code):
    from skillnader.web.data.models import AreaLink

    return AreaLink.objects.get(
        source__level_id=src_level,
        source__vintage__code=src_vintage,
        source__code=src_code,
        target__vintage__code=tgt_vintage,
        target__code=tgt_code,
    )


@pytest.mark.parametrize(
    ("old_vintage", "olds", "new_vintage", "new"),
    [
        ("2007", ["hagersten-liljeholmen", "alvsjo"], "2020", "hagersten-alvsjo"),
        ("2020", ["rinkeby-kista", "spanga-tensta"], "2023", "jarva"),
        ("2020", ["norrmalm", "ostermalm"], "2023", "norra-innerstaden"),
    ],
)
def test_reorganisations_are_links_between_vintages(bundle_db, old_vintage, olds, new_vintage, new):
    from skillnader.web.data.models import AreaLink

    for old in olds:
        link = _link("sdo", old_vintage, f"0180-sdo-{old}", new_vintage, f"0180-sdo-{new}")
        assert link.weight == 1.0
        assert link.basis == "contains"
    # the merged area receives exactly those areas, nothing else
    sources = set(
        AreaLink.objects.filter(
            target__vintage__code=new_vintage,
            target__code=f"0180-sdo-{new}",
            source__level_id="sdo",
        ).values_list("source__code", flat=True)
    )
    assert sources == {f"0180-sdo-{o}" for o in olds}


def test_unchanged_areas_link_by_identity(bundle_db):
    link = _link("sdo", "2007", "0180-sdo-bromma", "2020", "0180-sdo-bromma")
    assert (link.basis, link.weight) == ("identity", 1.0)
    assert _link("sdo", "2020", "0180-sdo-bromma", "2023", "0180-sdo-bromma").basis == "identity"


def test_sdo_polygons_follow_the_stadsdel_table(bundle_db):
    """Each SDO of each vintage is made of the stadsdelar the membership table gives it."""
    rows = list(
        csv.DictReader(
            (DATA_DIR / "stockholm_districts/stockholm_stadsdel_to_stadsdelsomrade.csv").open(
                encoding="utf-8"
            )
        )
    )
    jarva = _areas("sdo", "2023").get(code="0180-sdo-jarva")
    expected = sorted(r["stadsdel_kth"] for r in rows if r["sdo_from_2023_07"] == "Järva")
    assert jarva.attributes["stadsdelar"] == expected
    assert len(expected) == 11  # Rinkeby-Kista 5 + Spånga-Tensta 6
    assert jarva.parent.code == "0180-so-vasterort"
    assert jarva.geometry["type"] in ("Polygon", "MultiPolygon")


def test_stadsdel_links_to_one_sdo_per_vintage(bundle_db):
    from skillnader.web.data.models import AreaLink

    links = AreaLink.objects.filter(source__level_id="stadsdel", target__level_id="sdo")
    assert links.count() == 117 * 3
    akalla = {
        (v, c)
        for v, c in links.filter(source__code="0180-sd-akalla").values_list(
            "target__vintage__code", "target__code"
        )
    }
    assert akalla == {
        ("2007", "0180-sdo-rinkeby-kista"),
        ("2020", "0180-sdo-rinkeby-kista"),
        ("2023", "0180-sdo-jarva"),
    }


def test_regso_links_carry_the_area_share_of_the_lookup(bundle_db):
    from skillnader.web.data.models import AreaLink

    # Akalla: 96.1 % of its area lies in Rinkeby-Kista / Järva (DERIVED lookup)
    link = AreaLink.objects.get(
        source__code="0180R002", target__vintage__code="2023", target__level_id="sdo"
    )
    assert link.target.code == "0180-sdo-jarva"
    assert link.weight == pytest.approx(0.961)
    assert AreaLink.objects.filter(source__level_id="regso", target__level_id="sdo").count() == (
        127 * 3
    )


def test_basomrade_links_carry_area_share(bundle_db):
    from skillnader.web.data.models import AreaLink

    link = AreaLink.objects.get(source__level_id="basomrade", source__code="1010110")
    assert link.target.code == "0180-sd-gamla-stan"
    assert link.weight == pytest.approx(0.503)


def test_geometry_is_simplified_wgs84_and_recorded(bundle_db):
    from skillnader.web.data.models import Area

    with_geom = Area.objects.exclude(geometry=None)
    # everything but Sweden and the 2018 valdistrikt (no polygons published) has a polygon
    assert with_geom.count() == Area.objects.count() - 1 - 573
    assert not _areas("valdistrikt", "2018").exclude(geometry=None).exists()
    for a in _areas("regso").exclude(geometry=None)[:10]:
        assert 17.7 < a.centroid_lon < 18.3 and 59.2 < a.centroid_lat < 59.5
        assert "coverage_simplify" in a.attributes["geometry"]
        assert "5 m" in a.attributes["geometry"]
    assert _areas("regso").exclude(geometry=None).count() == 127
    import shapely

    invalid = [
        code
        for code, g in with_geom.values_list("code", "geometry")
        if not shapely.from_geojson(json.dumps(g)).is_valid
    ]
    assert invalid == []
    # the whole boundary set stays small enough for the web and the database
    size = sum(len(json.dumps(g)) for g in with_geom.values_list("geometry", flat=True))
    assert size < 3_000_000
