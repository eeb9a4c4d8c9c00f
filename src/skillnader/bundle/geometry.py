"""Geometry preparation for the bundled areas: projection, dissolving and web simplification.

Boundaries are stored as WGS84 GeoJSON (RFC 7946) for the web maps. Dissolving and simplifying
happen in SWEREF 99 TM (EPSG:3006), Sweden's national projected system, so that tolerances are
metres. Simplification uses ``shapely.coverage_simplify`` where the input is a coverage (shared
borders stay shared, so a choropleth has neither slivers nor gaps) and falls back to per-polygon
Douglas-Peucker simplification with topology preservation where the input is not a clean
coverage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

_TO_3006 = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
_TO_4326 = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)

#: Coordinates are written with 6 decimals (about 0.1 m), ample for a map.
DECIMALS = 6


@dataclass
class Shape:
    """One prepared geometry: GeoJSON in WGS84, a label point and how it was made."""

    geojson: dict
    lon: float
    lat: float
    note: str


def _project(geom, transformer: Transformer):
    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def to_metric(geom):
    """WGS84 lon/lat geometry to SWEREF 99 TM metres."""
    return _project(geom, _TO_3006)


def to_wgs84(geom):
    """SWEREF 99 TM geometry to WGS84 lon/lat."""
    return _project(geom, _TO_4326)


def polygonal(geom):
    """Keep only the polygon parts (a GeometryCollection from a dissolve may hold lines)."""
    if geom is None:
        return None
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    flat = []
    for p in parts:
        flat.extend(shapely.get_parts(p) if p.geom_type == "MultiPolygon" else [p])
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else shapely.MultiPolygon(flat)


def read_features(path: Path) -> list[tuple[dict, object]]:
    """(properties, metric geometry) for every feature of a WGS84 GeoJSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for feat in data["features"]:
        geom = polygonal(shapely.from_geojson(json.dumps(feat["geometry"])))
        out.append((feat["properties"], to_metric(shapely.make_valid(geom))))
    return out


def simplify_coverage(geoms: list, tolerance: float) -> tuple[list, str]:
    """Simplify metric polygons together; returns the geometries and a note on the method."""
    arr = np.array(geoms, dtype=object)
    try:
        out = shapely.coverage_simplify(arr, tolerance)
        method = f"shapely.coverage_simplify, tolerance {tolerance:g} m in EPSG:3006"
        out = [g if shapely.is_valid(g) else shapely.make_valid(g) for g in out]
    except Exception:  # noqa: BLE001 - not a valid coverage; fall back per polygon
        out = list(shapely.simplify(arr, tolerance, preserve_topology=True))
        method = f"shapely.simplify (topology preserved), tolerance {tolerance:g} m in EPSG:3006"
    return [polygonal(g) for g in out], method


def to_shape(metric_geom, note: str) -> Shape:
    """Metric geometry to a :class:`Shape` in WGS84 with rounded coordinates."""
    wgs = to_wgs84(metric_geom)
    wgs = shapely.transform(wgs, lambda c: np.round(c, DECIMALS))
    wgs = polygonal(shapely.make_valid(wgs)) if not shapely.is_valid(wgs) else wgs
    point = to_wgs84(metric_geom.point_on_surface())
    return Shape(
        json.loads(shapely.to_geojson(wgs)),
        round(point.x, DECIMALS),
        round(point.y, DECIMALS),
        note,
    )


def dissolve(groups: dict[str, list]) -> dict[str, object]:
    """Union metric polygons per key (``shapely.unary_union``)."""
    return {key: polygonal(shapely.unary_union(parts)) for key, parts in groups.items()}
