"""Boundaries in as a vintage of a level, in WGS84, in one transaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape
from tests.data.conftest import snapshot

from skillnader import errors
from skillnader.web.data import models as m
from skillnader.web.data.areas import import_areas

GEO = Path(__file__).resolve().parents[1] / "fixtures" / "geo"
SDO14 = GEO / "stockholm_stadsdelsomraden14_DERIVED.geojson"


def test_district_council_areas_import_as_a_new_vintage(vocab):
    r = import_areas(
        SDO14, level="sdo", vintage="2007b", code_field="sdo_2007_2020", name_field="sdo_2007_2020"
    )
    assert (r.created, r.updated) == (14, 0)
    areas = m.Area.objects.filter(vintage__code="2007b")
    assert areas.count() == 14
    bromma = areas.get(code="Bromma")
    assert 17.7 < bromma.centroid_lon < 18.0 and 59.3 < bromma.centroid_lat < 59.4
    again = import_areas(
        SDO14, level="sdo", vintage="2007b", code_field="sdo_2007_2020", name_field="sdo_2007_2020"
    )
    assert (again.created, again.updated) == (0, 14)


def test_stockholm_grid_is_reprojected_to_wgs84(vocab, tmp_path):
    doc = json.loads(SDO14.read_text(encoding="utf-8"))
    to_3011 = Transformer.from_crs("EPSG:4326", "EPSG:3011", always_xy=True).transform
    for f in doc["features"]:
        f["geometry"] = mapping(
            shapely.transform(
                shape(f["geometry"]),
                lambda c: __import__("numpy").column_stack(to_3011(c[:, 0], c[:, 1])),
            )
        )
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3011"}}
    projected = tmp_path / "sdo_3011.geojson"
    projected.write_text(json.dumps(doc), encoding="utf-8")
    import_areas(
        projected,
        level="sdo",
        vintage="grid",
        code_field="sdo_2007_2020",
        name_field="sdo_2007_2020",
    )
    import_areas(
        SDO14, level="sdo", vintage="wgs", code_field="sdo_2007_2020", name_field="sdo_2007_2020"
    )
    for code in ("Bromma", "Skärholmen", "Östermalm"):
        a = shape(m.Area.objects.get(vintage__code="grid", code=code).geometry)
        b = shape(m.Area.objects.get(vintage__code="wgs", code=code).geometry)
        # Within about a metre (1e-5 degrees) after the round trip through the Stockholm grid.
        assert a.symmetric_difference(b).area < 1e-5 * b.length


def test_duplicate_codes_are_an_error_and_nothing_is_written(vocab):
    before = snapshot()
    with pytest.raises(errors.DuplicateKeyError, match="Järva"):
        import_areas(
            SDO14,
            level="sdo",
            vintage="2023b",
            code_field="sdo_from_2023_07",
            name_field="sdo_from_2023_07",
        )
    assert snapshot() == before


def test_unknown_level_is_an_error(vocab):
    before = snapshot()
    with pytest.raises(errors.MappingError, match="unknown area level"):
        import_areas(
            SDO14,
            level="socken",
            vintage="x",
            code_field="sdo_2007_2020",
            name_field="sdo_2007_2020",
        )
    assert snapshot() == before


def test_reimported_boundaries_replace_cached_maps(
    vocab, tmp_path, django_capture_on_commit_callbacks
):
    from skillnader.web.data import queries

    kwargs = dict(
        level="sdo", vintage="2007b", code_field="sdo_2007_2020", name_field="sdo_2007_2020"
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_areas(SDO14, **kwargs)
    before = {a["code"]: a["geometry"] for a in queries.level_areas("sdo", "2007b")}
    doc = json.loads(SDO14.read_text(encoding="utf-8"))
    for f in doc["features"]:
        if f["properties"]["sdo_2007_2020"] == "Bromma":
            f["geometry"] = mapping(shape(f["geometry"]).buffer(-0.001))
    moved = tmp_path / "sdo_moved.geojson"
    moved.write_text(json.dumps(doc), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        import_areas(moved, **kwargs)
    after = {a["code"]: a["geometry"] for a in queries.level_areas("sdo", "2007b")}
    assert after["Bromma"] != before["Bromma"]
    assert after["Skärholmen"] == before["Skärholmen"]
