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


def _densified(tmp_path: Path, code: str, spacing_m: float) -> tuple[Path, shapely.Geometry]:
    """The 14 stadsdelsområden with ``code``'s boundary given a vertex every ``spacing_m`` metres
    along its real edges (SWEREF 99 TM), written as lon/lat; and its original shape in metres."""
    import numpy as np

    doc = json.loads(SDO14.read_text(encoding="utf-8"))
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform
    to_deg = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True).transform
    original = None
    for f in doc["features"]:
        if f["properties"]["sdo_2007_2020"] != code:
            continue
        metres = shapely.transform(shape(f["geometry"]), lambda c: np.column_stack(to_m(*c.T)))
        original = metres
        dense = shapely.segmentize(metres, spacing_m)
        f["geometry"] = mapping(shapely.transform(dense, lambda c: np.column_stack(to_deg(*c.T))))
    assert original is not None
    path = tmp_path / "dense.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path, original


def test_an_oversized_real_boundary_is_simplified_to_fit_and_named(vocab, tmp_path):
    import numpy as np

    from skillnader.readers.geo import FIT_TOLERANCES_M, MAX_VERTICES

    path, original = _densified(tmp_path, "Farsta", 0.1)
    feats = json.loads(path.read_text())["features"]
    dense_n = next(
        shapely.get_num_coordinates(shape(f["geometry"]))
        for f in feats
        if f["properties"]["sdo_2007_2020"] == "Farsta"
    )
    assert dense_n > MAX_VERTICES
    r = import_areas(
        path, level="sdo", vintage="tät", code_field="sdo_2007_2020", name_field="sdo_2007_2020"
    )
    assert r.created == 14
    assert len(r.simplified) == 1
    code, before, after, tolerance = r.simplified[0]
    assert (code, before) == ("Farsta", dense_n)
    assert tolerance == FIT_TOLERANCES_M[0]
    stored = shape(m.Area.objects.get(vintage__code="tät", code="Farsta").geometry)
    assert stored.is_valid and stored.geom_type == "Polygon"
    assert shapely.get_num_coordinates(stored) == after <= MAX_VERTICES
    # Douglas-Peucker on points that lie on the real edges gives back about the real boundary.
    assert after <= 2 * shapely.get_num_coordinates(original)
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform
    metres = shapely.transform(stored, lambda c: np.column_stack(to_m(*c.T)))
    # No vertex further than the tolerance from the real boundary (plus the stored 7 decimals).
    assert shapely.hausdorff_distance(metres, original) <= tolerance + 0.05
    assert abs(metres.area - original.area) / original.area < 1e-4
    assert "Farsta: " + f"{before:,} → {after:,} vertices at 1 m" in str(r)
    # The other areas are stored as they are in the file.
    plain = import_areas(
        SDO14, level="sdo", vintage="gles", code_field="sdo_2007_2020", name_field="sdo_2007_2020"
    )
    assert plain.simplified == [] and "simplified" not in str(plain)
    for a in m.Area.objects.filter(vintage__code="tät").exclude(code="Farsta"):
        assert a.geometry == m.Area.objects.get(vintage__code="gles", code=a.code).geometry


def test_an_oversized_boundary_in_metres_is_simplified_in_its_own_crs(vocab, tmp_path):
    import numpy as np

    from skillnader.readers.geo import MAX_VERTICES, read_areas

    path, _original = _densified(tmp_path, "Farsta", 0.1)
    dense = next(
        shape(f["geometry"])
        for f in json.loads(path.read_text())["features"]
        if f["properties"]["sdo_2007_2020"] == "Farsta"
    )
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform
    metres = shapely.transform(dense, lambda c: np.column_stack(to_m(*c.T)))
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
        "features": [{"type": "Feature", "properties": {"k": "F"}, "geometry": mapping(metres)}],
    }
    p = tmp_path / "sweref.geojson"
    p.write_text(json.dumps(doc), encoding="utf-8")
    (f,) = read_areas(p, code_field="k", name_field="k")
    assert f.reduced is not None and f.reduced.before > MAX_VERTICES >= f.reduced.after
    assert f.shape.is_valid


def test_the_smallest_tolerance_that_fits_is_used(tmp_path):
    from tests.security.hostile_files import feature, geojson, many_vertex_polygon

    from skillnader.readers.geo import MAX_VERTICES, read_areas

    # A saw edge with teeth about 3 m deep: kept at 1 and 2 m, gone at 5 m.
    path = tmp_path / "sag.geojson"
    path.write_text(geojson([feature("0114", many_vertex_polygon(210_000, teeth=0.001))]))
    (f,) = read_areas(path, code_field="kod", name_field="namn")
    assert f.reduced is not None
    assert (f.reduced.before, f.reduced.tolerance_m) == (210_001, 5.0)
    assert f.reduced.after <= MAX_VERTICES and f.shape.is_valid
