"""Area boundaries: real Stockholm GeoJSON files, reprojected variants and GeoPackages."""

from __future__ import annotations

import json
import sqlite3
import struct
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import mapping, shape
from tests.conftest import shared_file

from skillnader.readers.geo import (
    AreaFeature,
    declared_crs,
    parse_gpkg_geometry,
    read_areas,
    to_feature_collection,
)

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "geo"
REGSO = FIX / "regso_2025_stockholm_0180_fullres.geojson"
SDO14 = FIX / "stockholm_stadsdelsomraden14_DERIVED.geojson"
VALDISTRIKT_CUT = FIX / "valdistrikt_2022_stockholm_0180_01_09_cutout.geojson"
STADSDELAR = FIX / "stockholm_stadsdelar_simplified.geojson"
BASOMRADEN = "data/geo/stockholm_basomraden_2016_wgs84.geojson"
VALDISTRIKT_LAN = "data/elections/valdistrikt_2022_stockholms_lan.geojson"


def in_stockholm(lon: float, lat: float) -> bool:
    return 17.7 <= lon <= 18.3 and 59.2 <= lat <= 59.5


@lru_cache(maxsize=16)
def _transformer(src: int, dst: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def to_3006(geom: shapely.Geometry, src: int = 4326, dst: int = 3006) -> shapely.Geometry:
    t = _transformer(src, dst)
    return shapely.transform(geom, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))


def max_distance_m(a: AreaFeature, b: AreaFeature) -> float:
    return shapely.hausdorff_distance(to_3006(a.shape), to_3006(b.shape))


@pytest.fixture(scope="module")
def regso() -> list[AreaFeature]:
    return read_areas(REGSO, code_field="regsokod", name_field="regsonamn")


# ------------------------------------------------------------------------------------------
# real files


def test_regso_stockholm(regso):
    # the file has no crs member: RFC 7946 WGS84 lon/lat
    assert declared_crs(REGSO) is None
    assert len(regso) == 127
    codes = sorted(a.code for a in regso)
    assert codes[0] == "0180R001" and codes[-1] == "0180R127"
    by_code = {a.code: a for a in regso}
    assert by_code["0180R074"].name == "Reimersholme-Långholmen"
    assert by_code["0180R001"].name == "Abrahamsberg"
    assert by_code["0180R074"].properties["kommunkod"] == "0180"
    for a in regso:
        g = a.shape
        assert g.is_valid and g.geom_type in ("Polygon", "MultiPolygon")
        c = g.centroid
        assert in_stockholm(c.x, c.y), a.code
    assert sum(a.geometry["type"] == "MultiPolygon" for a in regso) == 2


def test_stadsdelsomraden_with_geometry_collections_and_parent():
    areas = read_areas(
        SDO14, code_field="sdo_2007_2020", name_field="sdo_2007_2020", parent_field="stadsomrade"
    )
    assert len(areas) == 14
    by_code = {a.code: a for a in areas}
    assert by_code["Bromma"].parent_code == "Västerort"
    assert by_code["Södermalm"].parent_code == "Inre staden"
    assert by_code["Skärholmen"].parent_code == "Söderort"
    # three features are GeometryCollections in the file; each becomes an areal geometry
    assert {a.geometry["type"] for a in areas} <= {"Polygon", "MultiPolygon"}
    raw = json.loads(SDO14.read_text(encoding="utf-8"))
    assert sum(f["geometry"]["type"] == "GeometryCollection" for f in raw["features"]) == 3
    for a in areas:
        assert a.shape.is_valid
        c = a.shape.centroid
        assert in_stockholm(c.x, c.y), a.code
    # Stockholm kommun is about 215 km² of land and water
    total_km2 = sum(to_3006(a.shape).area for a in areas) / 1e6
    assert 180 < total_km2 < 230


def test_stadsdelar_with_crs84_member():
    assert declared_crs(STADSDELAR).name == "WGS 84 (CRS84)"
    areas = read_areas(STADSDELAR, code_field="name", name_field="name")
    assert len(areas) == 117
    by_code = {a.code: a for a in areas}
    c = by_code["GAMLA STAN"].shape.centroid
    assert 18.06 < c.x < 18.08 and 59.32 < c.y < 59.33
    assert all(in_stockholm(a.shape.centroid.x, a.shape.centroid.y) for a in areas)


def test_basomraden_codes_stored_as_doubles():
    areas = read_areas(shared_file(BASOMRADEN), code_field="nyckelkod", name_field="namn")
    assert len(areas) == 419
    assert len({a.code for a in areas}) == 419
    # the shapefile stored the 7-digit Nyko key as a double: 1110250.0 becomes "1110250"
    assert (areas[0].code, areas[0].name) == ("1110250", "Elverket")
    assert areas[0].properties["kvinnor_0"] == 14


def test_valdistrikt_cutout():
    areas = read_areas(VALDISTRIKT_CUT, code_field="Lkfv", name_field="Vdnamn")
    assert len(areas) == 65
    by_code = {a.code: a for a in areas}
    gamla_stan = by_code["01800101"]
    assert gamla_stan.name == "Domkyrko 1 Gamla stan inre"
    c = gamla_stan.shape.centroid
    assert 18.06 < c.x < 18.08 and 59.32 < c.y < 59.33  # Gamla stan


def test_valdistrikt_whole_county():
    areas = read_areas(shared_file(VALDISTRIKT_LAN), code_field="Lkfv", name_field="Vdnamn")
    assert len(areas) == 1378
    stockholm = [a for a in areas if a.code.startswith("0180")]
    assert len(stockholm) == 592
    for a in stockholm:
        c = a.shape.centroid
        assert in_stockholm(c.x, c.y), a.code


# ------------------------------------------------------------------------------------------
# CRS handling


def _reprojected_copy(tmp_path: Path, epsg: int, crs_member: object | None) -> Path:
    doc = json.loads(REGSO.read_text(encoding="utf-8"))
    for f in doc["features"]:
        f["geometry"] = mapping(to_3006(shape(f["geometry"]), 4326, epsg))
    if crs_member is not None:
        doc["crs"] = crs_member
    p = tmp_path / f"regso_{epsg}.geojson"
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


def _named(name: str) -> dict:
    return {"type": "name", "properties": {"name": name}}


@pytest.mark.parametrize(
    "epsg, member",
    [
        (3006, _named("urn:ogc:def:crs:EPSG::3006")),
        (3011, _named("EPSG:3011")),
        (3006, {"type": "EPSG", "properties": {"code": 3006}}),
    ],
)
def test_legacy_crs_member_is_honoured(tmp_path, regso, epsg, member):
    p = _reprojected_copy(tmp_path, epsg, member)
    assert declared_crs(p).to_epsg() == epsg
    areas = read_areas(p, code_field="regsokod", name_field="regsonamn")
    assert [a.code for a in areas] == [a.code for a in regso]
    assert max(max_distance_m(a, b) for a, b in zip(areas, regso, strict=True)) < 1.0


@pytest.mark.parametrize("crs", [3021, "EPSG:3021", pyproj.CRS.from_epsg(3021)])
def test_explicit_crs_argument_for_rt90(tmp_path, regso, crs):
    p = _reprojected_copy(tmp_path, 3021, None)
    areas = read_areas(p, code_field="regsokod", name_field="regsonamn", crs=crs)
    assert max(max_distance_m(a, b) for a, b in zip(areas, regso, strict=True)) < 1.0


def test_explicit_crs_argument_overrides_a_wrong_declaration(tmp_path, regso):
    p = _reprojected_copy(tmp_path, 3011, _named("EPSG:3006"))
    areas = read_areas(p, code_field="regsokod", name_field="regsonamn", crs="EPSG:3011")
    assert max(max_distance_m(a, b) for a, b in zip(areas, regso, strict=True)) < 1.0


def test_crs84_member(tmp_path, regso):
    doc = json.loads(REGSO.read_text(encoding="utf-8"))
    doc["crs"] = _named("urn:ogc:def:crs:OGC:1.3:CRS84")
    p = tmp_path / "crs84.geojson"
    p.write_text(json.dumps(doc), encoding="utf-8")
    areas = read_areas(p, code_field="regsokod", name_field="regsonamn")
    assert areas[0].geometry == regso[0].geometry


# ------------------------------------------------------------------------------------------
# GeoPackage written with sqlite3 in SWEREF 99 TM


def gpkg_blob(geom: shapely.Geometry, srs_id: int, *, little: bool = True, envelope: bool = True):
    order = "<" if little else ">"
    flags = (1 if little else 0) | ((1 if envelope else 0) << 1)
    head = b"GP" + bytes([0, flags]) + struct.pack(order + "i", srs_id)
    if envelope:
        minx, miny, maxx, maxy = geom.bounds
        head += struct.pack(order + "4d", minx, maxx, miny, maxy)
    return head + shapely.to_wkb(geom, byte_order=1 if little else 0)


def write_gpkg(path: Path, areas: list[AreaFeature], srs_id: int = 3006, **blob_kw) -> None:
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
          organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
          definition TEXT NOT NULL, description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL,
          identifier TEXT, description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE,
          min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
          geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT, m TINYINT);
        CREATE TABLE regso (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, regsokod TEXT,
          regsonamn TEXT);
        """
    )
    crs = pyproj.CRS.from_epsg(srs_id)
    con.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, '')",
        (crs.name, srs_id, srs_id, crs.to_wkt()),
    )
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
        "VALUES ('regso', 'features', 'regso', ?)",
        (srs_id,),
    )
    con.execute(
        "INSERT INTO gpkg_geometry_columns VALUES ('regso', 'geom', 'MULTIPOLYGON', ?, 0, 0)",
        (srs_id,),
    )
    for a in areas:
        g = to_3006(a.shape, 4326, srs_id)
        con.execute(
            "INSERT INTO regso (geom, regsokod, regsonamn) VALUES (?, ?, ?)",
            (gpkg_blob(g, srs_id, **blob_kw), a.code, a.name),
        )
    con.commit()
    con.close()


@pytest.mark.parametrize(
    "blob_kw", [{}, {"little": False}, {"envelope": False}], ids=["le-env", "be-env", "le-noenv"]
)
def test_geopackage_round_trip_within_one_metre(tmp_path, regso, blob_kw):
    p = tmp_path / "regso.gpkg"
    write_gpkg(p, regso, **blob_kw)
    assert declared_crs(p).to_epsg() == 3006
    areas = read_areas(p, code_field="regsokod", name_field="regsonamn")
    assert [(a.code, a.name) for a in areas] == [(a.code, a.name) for a in regso]
    assert areas[0].properties["fid"] == 1
    assert max(max_distance_m(a, b) for a, b in zip(areas, regso, strict=True)) < 1.0


def test_geopackage_in_stockholm_grid(tmp_path, regso):
    p = tmp_path / "regso3011.gpkg"
    write_gpkg(p, regso[:10], srs_id=3011)
    areas = read_areas(p, code_field="regsokod", name_field="regsonamn")
    assert max(max_distance_m(a, b) for a, b in zip(areas, regso[:10], strict=True)) < 1.0


def test_parse_gpkg_geometry_header_fields():
    square = shapely.box(674000, 6580000, 675000, 6581000)
    geom, srs = parse_gpkg_geometry(gpkg_blob(square, 3006, little=False))
    assert srs == 3006 and geom.equals(square)
    empty = (
        b"GP" + bytes([0, 0b1_0001]) + struct.pack("<i", 3006) + shapely.to_wkb(shapely.Polygon())
    )
    assert parse_gpkg_geometry(empty) == (None, 3006)


# ------------------------------------------------------------------------------------------
# repair, simplification, output


def test_self_intersecting_polygon_is_repaired(tmp_path):
    # a bow-tie in SWEREF 99 TM: two 100 m triangles meeting at a point
    bowtie = [
        [674000, 6580000],
        [674100, 6580100],
        [674100, 6580000],
        [674000, 6580100],
        [674000, 6580000],
    ]
    doc = {
        "type": "FeatureCollection",
        "crs": _named("EPSG:3006"),
        "features": [
            {
                "type": "Feature",
                "properties": {"kod": "X", "namn": "Fluga"},
                "geometry": {"type": "Polygon", "coordinates": [bowtie]},
            }
        ],
    }
    p = tmp_path / "bowtie.geojson"
    p.write_text(json.dumps(doc), encoding="utf-8")
    (a,) = read_areas(p, code_field="kod", name_field="namn")
    assert a.shape.is_valid
    assert a.geometry["type"] == "MultiPolygon"
    assert to_3006(a.shape).area == pytest.approx(5000, rel=1e-3)


def test_simplification_keeps_shared_borders(regso):
    simple = read_areas(REGSO, code_field="regsokod", name_field="regsonamn", simplify_tolerance=25)
    n_before = sum(shapely.get_num_coordinates(a.shape) for a in regso)
    n_after = sum(shapely.get_num_coordinates(a.shape) for a in simple)
    assert n_after < 0.6 * n_before
    for a, b in zip(regso, simple, strict=True):
        assert b.shape.is_valid
        # Visvalingam–Whyatt: the tolerance bounds the removed triangles' area (tolerance²), so a
        # vertex may move somewhat more than the tolerance itself
        assert max_distance_m(a, b) <= 2 * 25
    # coverage simplification leaves no overlaps between neighbours
    polys = [to_3006(b.shape) for b in simple]
    union_area = shapely.union_all(polys).area
    assert sum(p.area for p in polys) == pytest.approx(union_area, rel=1e-6)


def test_feature_collection_round_trip(tmp_path, regso):
    fc = to_feature_collection(regso)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 127
    f0 = fc["features"][0]
    assert f0["id"] == regso[0].code
    assert f0["properties"]["code"] == "0180R074"
    assert f0["properties"]["name"] == "Reimersholme-Långholmen"
    assert f0["properties"]["regsonamn"] == "Reimersholme-Långholmen"
    p = tmp_path / "fc.geojson"
    p.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    again = read_areas(p, code_field="code", name_field="name")
    assert [a.geometry for a in again] == [a.geometry for a in regso]
