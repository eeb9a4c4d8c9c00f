"""Area boundaries from GeoJSON or GeoPackage, reprojected to WGS84 for maps.

Swedish boundary files come in SWEREF 99 TM (EPSG:3006), in a local SWEREF 99 zone such as
Stockholm's SWEREF 99 18 00 (EPSG:3011), in the older RT90 2.5 gon V (EPSG:3021) or already in
WGS84 lon/lat. :func:`read_areas` reads either container, finds the coordinate reference system
(CRS), repairs invalid geometries, optionally simplifies them for web maps and returns
:class:`AreaFeature` objects whose geometry is a GeoJSON dict in WGS84 lon/lat (RFC 7946 axis
order). :func:`to_feature_collection` turns them back into a GeoJSON FeatureCollection.

The CRS of a GeoJSON file is, in order: the ``crs=`` argument (use it to correct a wrong
declaration), the legacy ``crs`` member of the 2008 GeoJSON specification
(``{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}``), and otherwise WGS84
as RFC 7946 prescribes. A GeoPackage states its CRS per geometry column (``srs_id`` in
``gpkg_geometry_columns``, defined in ``gpkg_spatial_ref_sys``); the GeoPackage encoding is read
with the standard library after OGC 12-128r18 (GeoPackage Encoding Standard 1.3.1, clause 2.1.3,
"GeoPackageBinary" header followed by ISO WKB).

Coordinates that cannot be in the declared CRS raise :class:`CRSError`: numbers beyond ±180/±90
declared or assumed to be degrees (projected metres in a file without a ``crs`` member), or
projected coordinates that land more than a few degrees outside the CRS's area of use.
"""

from __future__ import annotations

import json
import math
import sqlite3
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely
from shapely.geometry import mapping as shapely_mapping
from shapely.geometry import shape as shapely_shape

from skillnader.errors import DuplicateKeyError, FormatError, MappingError

__all__ = [
    "AreaFeature",
    "CRSError",
    "GeometryError",
    "MAX_VERTICES",
    "VertexReduction",
    "declared_crs",
    "read_areas",
    "to_feature_collection",
]

WGS84 = pyproj.CRS.from_epsg(4326)
SWEREF99_TM = pyproj.CRS.from_epsg(3006)
# Degrees by which reprojected coordinates may leave the CRS's published area of use. RT90 2.5 gon V
# is defined for western Sweden but used for the whole country, so the margin is generous; lon/lat
# numbers mistaken for metres land thousands of kilometres away and are still caught.
_AREA_MARGIN_DEG = 5.0
_COORD_DECIMALS = 7  # about 1 cm at Swedish latitudes


class CRSError(FormatError):
    """The coordinate reference system is unknown, or the coordinates cannot be in it."""


class GeometryError(FormatError):
    """A feature has no geometry, an unreadable one, or one that is not an area."""


@dataclass(frozen=True)
class VertexReduction:
    """An oversized boundary simplified to fit :data:`MAX_VERTICES`: vertices before and after, and
    the tolerance in metres (in the projected CRS) that was needed."""

    before: int
    after: int
    tolerance_m: float


@dataclass
class AreaFeature:
    """One area: its code and name, its boundary in WGS84 lon/lat and its other attributes.

    ``geometry`` is a GeoJSON geometry dict (``Polygon`` or ``MultiPolygon``); ``properties`` holds
    every attribute of the source feature; ``parent_code`` is the code of the enclosing area when
    the source names it.
    """

    code: str
    name: str
    geometry: dict[str, Any]
    properties: dict[str, Any] = field(default_factory=dict)
    parent_code: str | None = None
    #: Set when the boundary had more than :data:`MAX_VERTICES` vertices and was simplified to fit.
    reduced: VertexReduction | None = None

    @property
    def shape(self) -> shapely.Geometry:
        """The geometry as a shapely object (lon/lat)."""
        return shapely_shape(self.geometry)


def to_feature_collection(features: list[AreaFeature]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946, WGS84) of the areas.

    Each feature has ``id`` = the area code and properties ``code``, ``name`` and (if known)
    ``parent_code``, followed by the source attributes that do not clash with those.
    """
    out = []
    for f in features:
        props: dict[str, Any] = {"code": f.code, "name": f.name}
        if f.parent_code is not None:
            props["parent_code"] = f.parent_code
        for k, v in f.properties.items():
            props.setdefault(k, v)
        out.append({"type": "Feature", "id": f.code, "properties": props, "geometry": f.geometry})
    return {"type": "FeatureCollection", "features": out}


# --------------------------------------------------------------------------------------------
# CRS


def _crs_from_user(value: Any, *, path: str, where: str) -> pyproj.CRS:
    if isinstance(value, pyproj.CRS):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"EPSG:{value}"
    try:
        return pyproj.CRS.from_user_input(value)
    except (pyproj.exceptions.CRSError, TypeError):
        raise CRSError(
            "unknown coordinate reference system",
            path=path,
            location=where,
            value=value,
            expected="an EPSG code such as 3006, 'EPSG:3011' or 'urn:ogc:def:crs:EPSG::3006'",
        ) from None


def _legacy_crs(doc: dict[str, Any], path: str) -> pyproj.CRS | None:
    member = doc.get("crs")
    if member is None:
        return None
    if not isinstance(member, dict):
        raise CRSError(
            "the crs member is not an object",
            path=path,
            location="crs",
            value=member,
            expected='{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}',
        )
    props = member.get("properties") or {}
    kind = str(member.get("type", "")).lower()
    if kind == "name" and "name" in props:
        return _crs_from_user(str(props["name"]), path=path, where="crs.properties.name")
    if kind == "epsg" and "code" in props:
        # pre-2008 draft form {"type": "EPSG", "properties": {"code": 3006}}
        return _crs_from_user(int(props["code"]), path=path, where="crs.properties.code")
    raise CRSError(
        "unsupported crs member (linked CRS or unknown form)",
        path=path,
        location="crs",
        value=member,
        expected='a named CRS: {"type": "name", "properties": {"name": "EPSG:3006"}}',
    )


def declared_crs(path: str | Path) -> pyproj.CRS | None:
    """The CRS a GeoJSON file declares in its legacy ``crs`` member, or None (RFC 7946 WGS84).

    For a GeoPackage: the CRS of its first feature table's geometry column.
    """
    p = Path(path)
    if _is_geopackage(p):
        with _open_gpkg(p) as con:
            table = _gpkg_layer(con, p, None)
            _col, crs = _gpkg_geometry_column(con, p, table)
            return crs
    return _legacy_crs(_load_geojson(p), str(p))


def _is_lonlat(crs: pyproj.CRS) -> bool:
    return crs.is_geographic


@lru_cache(maxsize=32)
def _transformer(src_wkt: str, dst_wkt: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(
        pyproj.CRS.from_wkt(src_wkt), pyproj.CRS.from_wkt(dst_wkt), always_xy=True
    )


def _reproject(geom: shapely.Geometry, src: pyproj.CRS, dst: pyproj.CRS) -> shapely.Geometry:
    if src == dst:
        return geom
    t = _transformer(src.to_wkt(), dst.to_wkt())

    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = t.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def _check_coordinates(
    geoms: list[shapely.Geometry], crs: pyproj.CRS, *, path: str, declared: bool
) -> None:
    """Raise CRSError when the coordinates cannot be in ``crs``."""
    present = [g for g in geoms if g is not None and not g.is_empty]
    if not present:
        return
    minx, miny, maxx, maxy = shapely.total_bounds(present)
    how = "declared" if declared else "assumed (no crs member, RFC 7946)"
    if _is_lonlat(crs):
        if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
            guess = ""
            if 200_000 <= minx <= maxx <= 1_000_000 and 6_000_000 <= miny <= maxy <= 7_800_000:
                guess = " They look like SWEREF 99 TM (EPSG:3006) metres."
            elif 0 <= minx <= maxx <= 300_000 and 6_000_000 <= miny <= maxy <= 7_800_000:
                guess = " They look like a local SWEREF 99 zone such as EPSG:3011 (metres)."
            elif 1_100_000 <= minx <= maxx <= 2_000_000 and 6_000_000 <= miny <= maxy <= 7_800_000:
                guess = " They look like RT90 2.5 gon V (EPSG:3021) metres."
            raise CRSError(
                f"coordinates are projected but the CRS is {how} as WGS84 lon/lat.{guess}",
                path=path,
                value=f"x {minx:.0f}…{maxx:.0f}, y {miny:.0f}…{maxy:.0f}",
                expected="lon within ±180 and lat within ±90, or pass crs= "
                "(e.g. crs=3006) to name the projection",
            )
        return
    aou = crs.area_of_use
    if aou is None:
        return
    t = _transformer(crs.to_wkt(), WGS84.to_wkt())
    xs = np.array([minx, maxx, minx, maxx])
    ys = np.array([miny, miny, maxy, maxy])
    lon, lat = t.transform(xs, ys)
    w, s, e, n = aou.bounds
    m = _AREA_MARGIN_DEG
    finite = np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))
    inside = finite and (
        lon.min() >= w - m and lon.max() <= e + m and lat.min() >= s - m and lat.max() <= n + m
    )
    if not inside:
        hint = ""
        if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
            hint = " The numbers look like lon/lat degrees: pass crs=4326."
        raise CRSError(
            f"coordinates cannot be in {crs.name} ({_crs_label(crs)}); they fall outside the "
            f"area where it is defined.{hint}",
            path=path,
            value=f"x {minx:g}…{maxx:g}, y {miny:g}…{maxy:g}",
            expected=f"coordinates within {aou.name} (lon {w}…{e}, lat {s}…{n})",
        )


def _crs_label(crs: pyproj.CRS) -> str:
    epsg = crs.to_epsg()
    if epsg is not None:
        return f"EPSG:{epsg}"
    if crs.is_geographic and "CRS84" in crs.srs.upper():
        return "OGC:CRS84"
    return crs.name


def _metric_crs(bounds_lonlat: tuple[float, float, float, float]) -> pyproj.CRS:
    """A metric CRS for simplifying lon/lat data: SWEREF 99 TM in Sweden, else the UTM zone."""
    w, s, e, n = bounds_lonlat
    aou = SWEREF99_TM.area_of_use
    assert aou is not None
    if w >= aou.west - 1 and e <= aou.east + 1 and s >= aou.south - 1 and n <= aou.north + 1:
        return SWEREF99_TM
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    infos = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(w, s, e, n))
    return pyproj.CRS.from_epsg(int(infos[0].code)) if infos else pyproj.CRS.from_epsg(3857)


# --------------------------------------------------------------------------------------------
# geometry


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The areal part of a geometry; ``make_valid`` may add lines or points at pinched spots."""
    if geom is None or geom.is_empty:
        return None
    kind = geom.geom_type
    if kind in ("Polygon", "MultiPolygon"):
        return geom
    if kind == "GeometryCollection":
        parts: list[shapely.Geometry] = []
        for g in geom.geoms:
            p = _polygonal(g)
            if p is not None:
                parts.extend(p.geoms if p.geom_type == "MultiPolygon" else [p])
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    return None


def _repair(geom: shapely.Geometry) -> shapely.Geometry | None:
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    poly = _polygonal(geom)
    if poly is not None and poly.geom_type == "MultiPolygon" and not poly.is_valid:
        # parts of a collection may overlap each other; union them into one valid area
        poly = _polygonal(shapely.make_valid(shapely.union_all(list(poly.geoms))))
    return poly


def _round(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda c: np.round(c, _COORD_DECIMALS))


def _as_dict(geom: shapely.Geometry) -> dict[str, Any]:
    # json round trip turns shapely's nested tuples into the lists GeoJSON consumers expect
    return json.loads(json.dumps(shapely_mapping(geom)))


# --------------------------------------------------------------------------------------------
# containers


@dataclass
class _RawFeature:
    index: int  # 1-based position in the file (GeoJSON) or fid (GeoPackage)
    properties: dict[str, Any]
    geometry: shapely.Geometry | None


def _load_geojson(p: Path) -> dict[str, Any]:
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise FormatError("file not found", path=str(p)) from None
    if not raw.strip():
        raise FormatError("the file is empty", path=str(p), expected="a GeoJSON document")
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FormatError(
            "GeoJSON must be UTF-8", path=str(p), location=f"byte {exc.start}"
        ) from None
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"not valid JSON: {exc.msg}",
            path=str(p),
            location=f"line {exc.lineno}, column {exc.colno}",
        ) from None
    except RecursionError:
        raise FormatError(
            "arrays or objects nested too deeply to be GeoJSON",
            path=str(p),
            expected="coordinates nested at most four levels (a MultiPolygon)",
        ) from None
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        raise FormatError(
            "not a GeoJSON FeatureCollection",
            path=str(p),
            location="type",
            value=doc.get("type") if isinstance(doc, dict) else type(doc).__name__,
            expected='"type": "FeatureCollection"',
        )
    return doc


def _geojson_features(p: Path, doc: dict[str, Any]) -> list[_RawFeature]:
    feats = doc.get("features") if doc["type"] == "FeatureCollection" else [doc]
    if not isinstance(feats, list):
        raise FormatError("features is not a list", path=str(p), location="features", value=feats)
    out = []
    for i, f in enumerate(feats, start=1):
        where = f"feature {i}"
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise FormatError(
                "not a Feature object",
                path=str(p),
                location=where,
                value=f,
                expected='{"type": "Feature", ...}',
            )
        g = f.get("geometry")
        geom = None
        if g is not None:
            try:
                geom = shapely_shape(g)
            except Exception as exc:  # shapely raises several types for malformed input
                raise GeometryError(
                    f"unreadable geometry: {exc}",
                    path=str(p),
                    location=where,
                    value=g,
                    expected="a GeoJSON Polygon or MultiPolygon",
                ) from None
        if geom is not None:
            _check_vertices(geom, p, where)
        props = f.get("properties") or {}
        if not isinstance(props, dict):
            raise FormatError(
                "properties is not an object", path=str(p), location=where, value=props
            )
        out.append(_RawFeature(i, dict(props), geom))
    return out


#: Vertices one area may have once imported. The most detailed real boundaries (DeSO,
#: property-level districts) have a few thousand; a map of areas with millions each cannot be drawn.
#: A boundary with more is simplified to fit (see :data:`FIT_TOLERANCES_M`), or refused.
MAX_VERTICES = 200_000
#: Vertices one area may have in the file at all: ten times the limit. More is refused before any
#: work on it (simplifying costs time in proportion), with the advice to simplify beforehand.
MAX_SOURCE_VERTICES = 10 * MAX_VERTICES
#: Tolerances in metres, tried in this order, for simplifying an area over :data:`MAX_VERTICES`:
#: topology-preserving Douglas-Peucker in a projected CRS (the file's own, or SWEREF 99 TM for
#: lon/lat), so no vertex moves further than the tolerance and the area stays a valid polygon
#: with its holes and parts. The smallest that fits is used; 10 m is the coarsest the city-wide
#: maps can take without a visible change (the bundled boundaries are simplified at 10 m too).
FIT_TOLERANCES_M = (1.0, 2.0, 5.0, 10.0)


def _check_vertices(geom: shapely.Geometry, p: Path, where: str) -> None:
    """Refuse coordinates that are not finite numbers and areas with far too many vertices."""
    n = int(shapely.get_num_coordinates(geom))
    if n > MAX_SOURCE_VERTICES:
        raise GeometryError(
            f"the area has {n:,} vertices, more than the {MAX_SOURCE_VERTICES:,} an area may have "
            f"in a file (areas with more than {MAX_VERTICES:,} are simplified to fit)",
            path=str(p),
            location=where,
            value=n,
            expected="boundaries simplified before the import (e.g. in QGIS or mapshaper)",
        )
    coords = shapely.get_coordinates(geom)
    bad = ~np.isfinite(coords).all(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise GeometryError(
            f"coordinate {i + 1} of the geometry is not a finite number",
            path=str(p),
            location=where,
            value=[float(c) for c in coords[i]],
            expected="longitude and latitude (or x and y) as finite numbers, not NaN or Infinity",
        )


def _is_geopackage(p: Path) -> bool:
    try:
        with open(p, "rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except FileNotFoundError:
        raise FormatError("file not found", path=str(p)) from None


class _open_gpkg:  # noqa: N801 - used as a context manager like open()
    def __init__(self, p: Path) -> None:
        self.p = p

    def __enter__(self) -> sqlite3.Connection:
        self.con = sqlite3.connect(f"file:{self.p}?mode=ro", uri=True)
        try:
            tables = {
                r[0] for r in self.con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except sqlite3.DatabaseError as exc:
            self.con.close()
            raise FormatError(f"not a readable SQLite file: {exc}", path=str(self.p)) from None
        missing = {"gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys"} - tables
        if missing:
            self.con.close()
            raise FormatError(
                "SQLite file is not a GeoPackage: tables missing",
                path=str(self.p),
                value=", ".join(sorted(missing)),
                expected="gpkg_contents, gpkg_geometry_columns and gpkg_spatial_ref_sys",
            )
        return self.con

    def __exit__(self, *exc: object) -> None:
        self.con.close()


def _gpkg_layer(con: sqlite3.Connection, p: Path, layer: str | None) -> str:
    layers = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name"
        )
    ]
    if layer is not None:
        if layer not in layers:
            raise MappingError(
                "layer not in the GeoPackage",
                path=str(p),
                location="gpkg_contents",
                value=layer,
                expected="one of " + ", ".join(repr(x) for x in layers),
            )
        return layer
    if not layers:
        raise FormatError(
            "the GeoPackage has no feature table", path=str(p), location="gpkg_contents"
        )
    if len(layers) > 1:
        raise MappingError(
            "the GeoPackage has several feature tables; name one with layer=",
            path=str(p),
            location="gpkg_contents",
            value=layers,
        )
    return layers[0]


def _gpkg_geometry_column(
    con: sqlite3.Connection, p: Path, table: str
) -> tuple[str, pyproj.CRS | None]:
    row = con.execute(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
    ).fetchone()
    if row is None:
        raise FormatError(
            "feature table has no entry in gpkg_geometry_columns",
            path=str(p),
            location="gpkg_geometry_columns",
            value=table,
        )
    column, srs_id = row
    if srs_id in (0, -1):
        return column, None  # "undefined geographic/cartesian SRS" in the standard
    srs = con.execute(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
        "WHERE srs_id = ?",
        (srs_id,),
    ).fetchone()
    if srs is None:
        raise CRSError(
            "srs_id of the geometry column is not defined in gpkg_spatial_ref_sys",
            path=str(p),
            location=f"gpkg_geometry_columns ({table}.{column})",
            value=srs_id,
        )
    org, org_id, definition = srs
    where = f"gpkg_spatial_ref_sys (srs_id {srs_id})"
    if org and str(org).upper() == "EPSG" and org_id is not None:
        return column, _crs_from_user(int(org_id), path=str(p), where=where)
    if definition and str(definition).strip().lower() != "undefined":
        return column, _crs_from_user(str(definition), path=str(p), where=where)
    raise CRSError(
        "the spatial reference system is undefined", path=str(p), location=where, value=srs
    )


# Envelope sizes in bytes by the 3-bit envelope indicator (GeoPackage 1.3.1, table 6).
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def parse_gpkg_geometry(blob: bytes) -> tuple[shapely.Geometry | None, int]:
    """Decode one GeoPackageBinary value into ``(geometry or None if empty, srs_id)``.

    Header (OGC 12-128r18 §2.1.3): magic ``GP``, version byte, flags byte (bit 0 byte order of the
    header, bits 1–3 envelope type, bit 4 empty geometry, bit 5 extended type), int32 srs_id,
    the envelope, then standard WKB. Raises ``ValueError`` for a malformed value.
    """
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("no GeoPackageBinary magic 'GP'")
    flags = blob[3]
    if flags & 0b0010_0000:
        raise ValueError("extended GeoPackage geometry types are not supported")
    order = "<" if flags & 1 else ">"
    env = (flags >> 1) & 0b111
    if env not in _ENVELOPE_BYTES:
        raise ValueError(f"invalid envelope indicator {env}")
    (srs_id,) = struct.unpack(order + "i", blob[4:8])
    start = 8 + _ENVELOPE_BYTES[env]
    if len(blob) < start:
        raise ValueError("truncated header")
    if flags & 0b1_0000:
        return None, srs_id
    geom = shapely.from_wkb(bytes(blob[start:]))
    if geom is None or geom.is_empty:
        return None, srs_id
    return geom, srs_id


def _gpkg_features(p: Path, layer: str | None) -> tuple[list[_RawFeature], pyproj.CRS | None]:
    with _open_gpkg(p) as con:
        table = _gpkg_layer(con, p, layer)
        column, crs = _gpkg_geometry_column(con, p, table)
        quoted = '"' + table.replace('"', '""') + '"'
        cur = con.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - name from gpkg_contents
        names = [d[0] for d in cur.description]
        if column not in names:
            raise FormatError(
                "geometry column named in gpkg_geometry_columns is not in the table",
                path=str(p),
                location=table,
                value=column,
                expected="one of " + ", ".join(names),
            )
        gi = names.index(column)
        pk = next((n for n in names if n.lower() == "fid"), None)
        out = []
        for n, row in enumerate(cur, start=1):
            fid = row[names.index(pk)] if pk else n
            blob = row[gi]
            geom = None
            if blob is not None:
                try:
                    geom, _srs = parse_gpkg_geometry(blob)
                except (ValueError, shapely.errors.GEOSException) as exc:
                    raise GeometryError(
                        f"unreadable geometry: {exc}",
                        path=str(p),
                        location=f"{table} fid {fid}, column {column!r}",
                        value=bytes(blob[:16]),
                        expected="GeoPackageBinary (magic 'GP' + header + WKB)",
                    ) from None
            if geom is not None:
                _check_vertices(geom, p, f"{table} fid {fid}")
            props = {k: v for k, v in zip(names, row, strict=True) if k != column}
            out.append(_RawFeature(int(fid), props, geom))
    return out, crs


# --------------------------------------------------------------------------------------------
# public reader


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v.is_integer():
            return str(int(v))  # codes stored as shapefile doubles (Stockholm's nyckelkod)
    return str(v).strip()


def read_areas(
    path: str | Path,
    *,
    code_field: str,
    name_field: str,
    crs: Any = None,
    parent_field: str | None = None,
    simplify_tolerance: float | None = None,
    layer: str | None = None,
) -> list[AreaFeature]:
    """Read area boundaries from a GeoJSON file or a GeoPackage, in WGS84 lon/lat.

    ``code_field`` and ``name_field`` name the attributes with the area's code and name;
    ``parent_field`` an optional attribute with the enclosing area's code. ``crs`` (EPSG code,
    ``"EPSG:3011"``, URN or :class:`pyproj.CRS`) overrides what the file says. Invalid
    geometries are repaired with ``shapely.make_valid`` (keeping the areal part);
    ``simplify_tolerance`` (metres) simplifies before reprojection (lon/lat input is first
    projected to SWEREF 99 TM, or the UTM zone outside Sweden) — over the whole set with
    ``shapely.coverage_simplify`` when the areas form a coverage, so shared borders stay shared,
    otherwise per feature. The coverage path uses Visvalingam–Whyatt (Visvalingam & Whyatt
    1993, *The Cartographic Journal* 30(1)), where the tolerance is the square root of the
    smallest triangle area kept, so vertices can move somewhat more than the tolerance; the
    per-feature path is topology-preserving Douglas–Peucker (Douglas & Peucker 1973,
    *Cartographica* 10(2)), where it bounds the distance. ``layer`` picks a GeoPackage feature table.

    An area with more than :data:`MAX_VERTICES` vertices (after ``simplify_tolerance``, if given) is
    simplified on its own, topology preserved, at the smallest of :data:`FIT_TOLERANCES_M` metres
    that brings it under the limit, and its feature's ``reduced`` says so (vertices before and
    after, the tolerance); one that does not fit even at the coarsest is refused
    (:class:`GeometryError`), and so is one with more than :data:`MAX_SOURCE_VERTICES` in the file.

    Raises :class:`CRSError` for coordinates that cannot be in the CRS, :class:`GeometryError`
    for features without an areal geometry, :class:`~skillnader.errors.MappingError` for a field
    that is not in the data, :class:`~skillnader.errors.DuplicateKeyError` for repeated codes.
    """
    p = Path(path)
    sp = str(p)
    if _is_geopackage(p):
        raw, file_crs = _gpkg_features(p, layer)
        declared = file_crs is not None
        unit = "fid"
    else:
        doc = _load_geojson(p)
        file_crs = _legacy_crs(doc, sp)
        declared = file_crs is not None
        raw = _geojson_features(p, doc)
        unit = "feature"
    if crs is not None:
        src = _crs_from_user(crs, path=sp, where="crs argument")
        declared = True
    else:
        src = file_crs or WGS84
    if not raw:
        raise FormatError("the file has no features", path=sp, expected="at least one area")
    available = sorted({k for f in raw for k in f.properties})
    for key, fname in (
        ("code_field", code_field),
        ("name_field", name_field),
        ("parent_field", parent_field),
    ):
        if fname is not None and fname not in available:
            raise MappingError(
                f"{key} is not an attribute of the features",
                path=sp,
                value=fname,
                expected="one of " + ", ".join(repr(a) for a in available),
            )
    _check_coordinates([f.geometry for f in raw], src, path=sp, declared=declared)

    geoms: list[shapely.Geometry] = []
    for f in raw:
        where = f"{unit} {f.index}"
        if f.geometry is None or f.geometry.is_empty:
            raise GeometryError(
                "feature has no geometry",
                path=sp,
                location=where,
                value=_text(f.properties.get(code_field)),
                expected="a Polygon or MultiPolygon",
            )
        g = _repair(f.geometry)
        if g is None:
            raise GeometryError(
                "geometry is not an area",
                path=sp,
                location=where,
                value=f.geometry.geom_type,
                expected="a Polygon or MultiPolygon",
            )
        geoms.append(g)

    if simplify_tolerance:
        work = src
        if src.is_geographic:
            bounds = tuple(shapely.total_bounds(geoms))
            work = _metric_crs(bounds)  # type: ignore[arg-type]
            geoms = [_reproject(g, src, work) for g in geoms]
        geoms = _simplify(geoms, float(simplify_tolerance))
        src = work
    reductions = [
        _fit_vertex_limit(
            g, src, path=sp, where=f"{unit} {f.index}", code=_text(f.properties.get(code_field))
        )
        for f, g in zip(raw, geoms, strict=True)
    ]

    codes: dict[str, int] = {}
    out: list[AreaFeature] = []
    for f, (g, reduced) in zip(raw, reductions, strict=True):
        where = f"{unit} {f.index}"
        code = _text(f.properties.get(code_field))
        if not code:
            raise MappingError(
                f"feature has no value in code_field {code_field!r}",
                path=sp,
                location=where,
                value=f.properties.get(code_field),
                expected="an area code",
            )
        if code in codes:
            raise DuplicateKeyError(
                f"area code appears twice ({unit}s {codes[code]} and {f.index})",
                path=sp,
                location=where,
                value=code,
                expected="one feature per area",
            )
        codes[code] = f.index
        wgs = _repair(_round(_reproject(g, src, WGS84)))
        if wgs is None:
            raise GeometryError(
                "geometry vanished when reprojected", path=sp, location=where, value=code
            )
        out.append(
            AreaFeature(
                code=code,
                name=_text(f.properties.get(name_field)) or "",
                geometry=_as_dict(wgs),
                properties=f.properties,
                parent_code=_text(f.properties.get(parent_field)) if parent_field else None,
                reduced=reduced,
            )
        )
    return out


def _simplify(geoms: list[shapely.Geometry], tolerance: float) -> list[shapely.Geometry]:
    """Simplify a set of areas, keeping shared borders shared when the set is a coverage.

    Real coverages are rarely perfect (a few slivers from an earlier reprojection), so the
    coverage algorithm is used when at most 5 % of the areas have edges that do not match a
    neighbour exactly; otherwise each area is simplified on its own.
    """
    arr = np.array(geoms, dtype=object)
    try:
        bad = shapely.coverage_invalid_edges(arr)
        n_bad = sum(1 for e in bad if e is not None and not e.is_empty)
        is_coverage = n_bad <= 0.05 * len(geoms)
    except shapely.errors.GEOSException:
        is_coverage = False
    if is_coverage:
        simplified = shapely.coverage_simplify(arr, tolerance)
    else:
        simplified = shapely.simplify(arr, tolerance, preserve_topology=True)
    out = []
    for before, after in zip(geoms, simplified, strict=True):
        fixed = _repair(after)
        # a tiny area can collapse; keep its unsimplified shape rather than lose the area
        out.append(fixed if fixed is not None and not fixed.is_empty else before)
    return out


def _fit_vertex_limit(
    geom: shapely.Geometry, crs: pyproj.CRS, *, path: str, where: str, code: str | None
) -> tuple[shapely.Geometry, VertexReduction | None]:
    """An area over :data:`MAX_VERTICES` simplified to fit, with what was done; others as they are.

    Simplified in metres: a lon/lat boundary is projected to SWEREF 99 TM (or its UTM zone) and
    back, one in a projected CRS is simplified in it. Raises :class:`GeometryError` when even the
    coarsest of :data:`FIT_TOLERANCES_M` leaves too many vertices or no valid area.
    """
    before = int(shapely.get_num_coordinates(geom))
    if before <= MAX_VERTICES:
        return geom, None
    work = crs
    metric = geom
    if crs.is_geographic:
        minx, miny, maxx, maxy = geom.bounds
        work = _metric_crs((minx, miny, maxx, maxy))
        metric = _reproject(geom, crs, work)

    def attempt(tolerance: float) -> tuple[shapely.Geometry | None, int]:
        simple = shapely.simplify(metric, tolerance, preserve_topology=True)
        n = int(shapely.get_num_coordinates(simple))
        if n > MAX_VERTICES:
            return None, n  # (validity is not worth checking on what does not fit)
        fixed = _repair(simple)
        if fixed is None or fixed.is_empty:
            return None, n
        n = int(shapely.get_num_coordinates(fixed))
        return (fixed if n <= MAX_VERTICES else None), n

    # The coarsest first: an area that cannot fit is refused after one try, not four.
    coarsest, after = attempt(FIT_TOLERANCES_M[-1])
    if coarsest is not None:
        for tolerance in FIT_TOLERANCES_M[:-1]:
            simple, n = attempt(tolerance)
            if simple is not None:
                return _reproject(simple, work, crs), VertexReduction(before, n, tolerance)
        return _reproject(coarsest, work, crs), VertexReduction(before, after, FIT_TOLERANCES_M[-1])
    raise GeometryError(
        f"the area has {before:,} vertices, more than the {MAX_VERTICES:,} an area may have, "
        f"and still {after:,} when simplified at {FIT_TOLERANCES_M[-1]:g} m",
        path=path,
        location=where,
        value=code,
        expected="boundaries simplified before the import (e.g. in QGIS or mapshaper)",
    )
