"""Read-side queries shared by the public pages and the API.

Every observation read goes through :func:`skillnader.web.data.models.public_observations`
(via :func:`observations`), so unpublished cells and unpublished indicators never reach a page, a download
or the API, and its numbers through :func:`~skillnader.web.data.models.public_numbers` (rows) or
:func:`~skillnader.web.data.models.public_frame` (analysis frames), which round the published
counts by the indicator's ``rounding_base``. Results are plain dicts and lists
(JSON-serialisable) and are cached per data version: the version is a counter bumped in the
transaction of every change of data, so a new import, a withdrawal or an edit is visible at once
while repeated page views cost one cheap query.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
import unicodedata
from collections import OrderedDict
from functools import cmp_to_key
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils.translation import get_language

from skillnader.web.data.models import (
    DATA_VERSION_KEY,
    Area,
    AreaLevel,
    AreaLink,
    Group,
    Indicator,
    Observation,
    Release,
    current_data_version,
    public_frame,
    public_numbers,
    public_observations,
    version_memo,
)

logger = logging.getLogger(__name__)

CITY_LEVEL = "kommun"
CITY_CODE = "0180"
#: The kommuner of one län as an area level of their own (not a level in the database: the
#: ``kommun`` level filtered to the län, whose two digits start every kommun code): Stockholms
#: län's 26 kommuner, with the city among them and the country as the benchmark.
REGION_LEVEL = "lanskommun"
REGION_CODE = "01"
COUNTRY_CODE = "SE"
#: Benchmarks an indicator page or the API can compare with: key -> (level, code).
BENCHMARKS = {
    "city": (CITY_LEVEL, CITY_CODE),
    "region": ("lan", REGION_CODE),
    "country": ("country", COUNTRY_CODE),
}
CACHE_SECONDS = 600
#: How long a data version is trusted before it is checked again (an import shows up within it).
VERSION_SECONDS = 30

_CELL_FIELDS = (
    "area_id",
    "area__code",
    "area__name",
    "area__name_en",
    "area__level_id",
    "area__vintage__code",
    "group__key",
    "period",
    "year",
    "value",
    "lower",
    "upper",
    "numerator",
    "denominator",
    "suppressed",
    "suppression",
    "status",
    "provisional",
    "break_in_series",
    "note",
    "release__source_id",
    # how its numbers are published (models.public_numbers)
    "indicator__measure",
    "indicator__rounding_base",
)


def observations():
    """All observations a visitor may see (the one entry point for pages and the API)."""
    return public_observations(Observation.objects.all())


def lang() -> str:
    """``"en"`` or ``"sv"`` for the active language."""
    return "en" if (get_language() or "sv").startswith("en") else "sv"


def stored_level(level: str) -> str:
    """The level in the database that holds the areas of ``level`` (the region's kommuner are
    kommuner)."""
    return CITY_LEVEL if level == REGION_LEVEL else level


def within_level(qs, level: str, prefix: str = "area__"):
    """``qs`` filtered to the areas of ``level`` (``prefix`` leads to the area; ``""`` when
    ``qs`` is of areas): the region's kommuner are the kommuner whose code starts with the
    län's two digits."""
    qs = qs.filter(**{f"{prefix}level_id": stored_level(level)})
    if level == REGION_LEVEL:
        qs = qs.filter(**{f"{prefix}code__startswith": REGION_CODE})
    return qs


#: The last data version read from the database, used while the database cannot be reached so
#: that cached pages are still served (``None`` until the first read in this process).
_LAST_VERSION: str | None = None
_LAST_VERSION_KEY = DATA_VERSION_KEY + ":last"


class DatabaseUnavailable(Exception):
    """The database cannot be reached and no earlier data version is known."""


def data_version() -> str:
    """The version of the published data: ``"<epoch>-<counter>"`` from the ``DataVersion`` row,
    which every import, publication, withdrawal and edit bumps in its own transaction.

    Read from the database on every call (one primary-key lookup), so a change is visible to the
    next request of every worker. When the database cannot be reached, the last version seen (by
    this process, or by any process through the shared cache) is returned so that pages cached
    under it are still served; without one, :class:`DatabaseUnavailable` is raised.
    """
    global _LAST_VERSION
    from django.db import DatabaseError

    memo = version_memo if getattr(version_memo, "active", False) else None
    if memo is not None and getattr(memo, "value", None) is not None:
        return memo.value
    try:
        version = current_data_version()
    except DatabaseError as exc:
        version = _LAST_VERSION or cache.get(_LAST_VERSION_KEY)
        if version is None:
            raise DatabaseUnavailable(str(exc)) from exc
        logger.warning("database unavailable; serving cached pages of version %s", version)
        return version
    if version != _LAST_VERSION:
        _LAST_VERSION = version
        cache.set(_LAST_VERSION_KEY, version, None)
    if memo is not None:
        memo.value = version
    return version


class RequestDataVersionMiddleware:
    """Read the data version once per request (see ``version_memo``), not once per lookup."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        version_memo.active, version_memo.value = True, None
        try:
            return self.get_response(request)
        finally:
            version_memo.active, version_memo.value = False, None


def last_modified():
    """The time of the latest imported release (for ``Last-Modified`` headers), or ``None``
    (also when the database cannot be reached)."""
    from django.db import DatabaseError

    try:
        return Release.objects.aggregate(t=Max("imported_at"))["t"]
    except DatabaseError:
        return None


#: Values kept in this process as they are (see ``cached(local=True)``), newest last.
_LOCAL: OrderedDict[str, Any] = OrderedDict()
_LOCAL_SIZE = 32
_LOCAL_LOCK = threading.Lock()


def cached(name: str, *parts: Any, compute, local: bool = False):
    """Return ``compute()`` cached under ``name`` + ``parts`` for the current data version.

    ``local=True`` also keeps the value in this process (the last ``_LOCAL_SIZE`` of them, each
    as long as the shared cache holds it), so that large values such as area geometries are not
    unpickled from the shared cache on every call; such values are shared between requests and
    must be treated as read-only.
    """
    # Parts come from URLs: hash them so that any text makes a valid, bounded cache key.
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    key = f"skillnader:{name}:{data_version()}:{digest}"
    if local:
        with _LOCAL_LOCK:
            value = _LOCAL.get(key)
        # Valid only while the shared entry is: clearing or expiring the shared cache (an area
        # import, a test) drops it here too. ``has_key`` reads no value.
        if value is not None and cache.has_key(key):
            with _LOCAL_LOCK:
                if key in _LOCAL:
                    _LOCAL.move_to_end(key)
            return value
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    if local:
        with _LOCAL_LOCK:
            _LOCAL[key] = value
            while len(_LOCAL) > _LOCAL_SIZE:
                _LOCAL.popitem(last=False)
    return value


# ------------------------------------------------------------------------------------------
# cells


def _cell(row: dict[str, Any]) -> dict[str, Any]:
    status = "suppressed" if row["suppressed"] else ("missing" if row["value"] is None else "ok")
    numbers = public_numbers(row)
    return {
        "area_id": row["area_id"],
        "code": row["area__code"],
        "name_sv": row["area__name"],
        "name_en": row["area__name_en"] or row["area__name"],
        "level": row["area__level_id"],
        "vintage": row["area__vintage__code"],
        "group": row["group__key"],
        "period": row["period"],
        "year": row["year"],
        **numbers,
        "status": status,
        # "primary" (a small number) or "secondary" (hidden to protect another cell)
        "suppression": (row.get("suppression") or "primary") if row["suppressed"] else None,
        "source_status": row["status"],
        "provisional": row["provisional"],
        "break_in_series": row["break_in_series"],
        "note": row["note"],
        "source": row["release__source_id"],
    }


def _latest_period(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep one cell per (area, group, year): the latest period of the year."""
    best: dict[tuple, dict[str, Any]] = {}
    for c in cells:
        k = (c["area_id"], c["group"], c["year"])
        if k not in best or c["period"] > best[k]["period"]:
            best[k] = c
    return list(best.values())


def display_name(cell_or_area: dict[str, Any]) -> str:
    """The area's name in the active language."""
    return cell_or_area["name_en"] if lang() == "en" else cell_or_area["name_sv"]


# ------------------------------------------------------------------------------------------
# city and areas


def city_area() -> dict[str, Any] | None:
    """The city as a whole (Stockholm municipality, level ``kommun``, code ``0180``)."""

    return cached("city", compute=lambda: _latest_area(CITY_LEVEL, CITY_CODE)) or None


def _latest_area(level: str, code: str) -> dict[str, Any] | bool:
    """The area ``level``/``code`` in its latest vintage, or False (cached as "none")."""
    area = (
        Area.objects.filter(level_id=level, code=code)
        .select_related("vintage")
        .order_by("-vintage__valid_from")
        .first()
    )
    return _area_dict(area) if area else False


def benchmark_area(key: str) -> dict[str, Any] | None:
    """The area of a benchmark (``city``, ``region`` or ``country``, see :data:`BENCHMARKS`),
    in its latest vintage."""
    if key not in BENCHMARKS:
        return None
    if key == "city":
        return city_area()
    level, code = BENCHMARKS[key]
    return cached("benchmark-area", key, compute=lambda: _latest_area(level, code)) or None


def benchmark_cells(indicator_id: str, key: str, group: str = "") -> list[dict[str, Any]]:
    """The benchmark's published cells of the indicator, one per year, oldest first."""
    if key == "city":
        return city_cells(group).get(indicator_id, [])
    area = benchmark_area(key)
    if not area:
        return []
    return area_cells(area["id"], group).get(indicator_id, [])


def benchmark_cell(
    indicator_id: str, key: str, year: int | None = None, group: str = ""
) -> dict[str, Any] | None:
    """The benchmark's cell for a year, or its latest cell with a value when ``year`` is None."""
    cells = benchmark_cells(indicator_id, key, group)
    if year is None:
        with_value = [c for c in cells if c["value"] is not None]
        return (with_value or cells or [None])[-1]
    return next((c for c in cells if c["year"] == year), None)


def benchmarks_with_data(indicator_id: str) -> list[str]:
    """The benchmarks (in the order city, region, country) with a published value of the
    indicator in any year."""
    return [
        key
        for key in BENCHMARKS
        if any(c["value"] is not None for c in benchmark_cells(indicator_id, key))
    ]


def default_benchmark(level: str, available: list[str]) -> str:
    """What a level's areas are compared with unless the visitor chooses: the city's parts
    with the city, kommuner (the region's or all) with the country; else the first with data."""
    wanted = "country" if level in (REGION_LEVEL, CITY_LEVEL, "lan") else "city"
    if wanted in available or not available:
        return wanted
    return available[0]


def _area_dict(a: Area) -> dict[str, Any]:
    return {
        "id": a.id,
        "code": a.code,
        "name_sv": a.name,
        "name_en": a.name_en or a.name,
        "level": a.level_id,
        "vintage": a.vintage.code,
    }


def level_areas(level: str, vintage: str) -> list[dict[str, Any]]:
    """All areas of one level and vintage with geometry and a label point."""

    def compute():
        from shapely.geometry import shape

        out = []
        qs = within_level(Area.objects.filter(vintage__code=vintage), level, prefix="").values(
            "id", "code", "name", "name_en", "geometry", "centroid_lon", "centroid_lat"
        )
        for a in qs.order_by("name", "code"):
            lon, lat = a["centroid_lon"], a["centroid_lat"]
            if a["geometry"] and (lon is None or lat is None):
                try:
                    p = shape(a["geometry"]).representative_point()
                    lon, lat = p.x, p.y
                except (ValueError, TypeError, AttributeError):
                    lon = lat = None
            out.append(
                {
                    "id": a["id"],
                    "code": a["code"],
                    "name_sv": a["name"],
                    "name_en": a["name_en"] or a["name"],
                    # the stored level: the one an area's own page is found under
                    "level": stored_level(level),
                    "vintage": vintage,
                    "geometry": a["geometry"],
                    "lon": lon,
                    "lat": lat,
                }
            )
        return out

    return cached("level-areas", level, vintage, compute=compute, local=True)


def simplified_geometries(level: str, vintage: str, pixels: int = 300) -> dict[str, Any]:
    """Area code -> geometry simplified for a map about ``pixels`` wide (Douglas-Peucker with a
    tolerance of one pixel of the level's extent, topology preserved), for small overview maps
    where full detail only adds bytes."""

    def compute():
        from shapely.geometry import mapping, shape

        shapes = {}
        for a in level_areas(level, vintage):
            if not a["geometry"]:
                continue
            try:
                shapes[a["code"]] = shape(a["geometry"])
            except (ValueError, TypeError, AttributeError):
                continue
        if not shapes:
            return {}
        bounds = [g.bounds for g in shapes.values()]
        width = max(b[2] for b in bounds) - min(b[0] for b in bounds)
        height = max(b[3] for b in bounds) - min(b[1] for b in bounds)
        tolerance = max(width, height) / pixels
        digits = coordinate_digits(tolerance)
        out = {}
        for code, geom in shapes.items():
            try:
                geom = geom.simplify(tolerance, preserve_topology=True)
                out[code] = _round_coords(mapping(geom), digits)
            except (ValueError, TypeError, AttributeError):
                continue
        return out

    return cached("simplified", level, vintage, pixels, compute=compute, local=True)


def coordinate_digits(tolerance: float) -> int:
    """Decimals kept in a simplified boundary's coordinates: enough that rounding moves a vertex
    by at most a quarter of the simplification tolerance (the error is half a unit of the last
    decimal), and never more than 5 (about 1 m in WGS84). Basområden on a 560-pixel map keep 4
    decimals (about 10 m, under half of one drawn pixel), Sweden's kommuner 3."""
    digits = 0
    while digits < 5 and 10.0**-digits > tolerance / 2:
        digits += 1
    return digits


def _round_coords(obj: Any, digits: int) -> Any:
    if isinstance(obj, dict):
        return {k: _round_coords(v, digits) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_round_coords(v, digits) for v in obj]
    if isinstance(obj, float):
        return round(obj, digits)
    return obj


def neighbours(level: str, vintage: str, code: str) -> list[dict[str, Any]]:
    """Areas of the same level and vintage whose geometries touch the area ``code``.

    Boundaries from different sources rarely share vertices exactly, so a tolerance of about a
    metre (1e-5 degrees) is allowed.
    """

    def compute():
        from shapely import STRtree
        from shapely.geometry import shape

        areas = [a for a in level_areas(level, vintage) if a["geometry"]]
        geoms = []
        for a in areas:
            try:
                geoms.append(shape(a["geometry"]))
            except (ValueError, TypeError, AttributeError):
                geoms.append(None)
        valid = [(a, g) for a, g in zip(areas, geoms, strict=True) if g is not None]
        tree = STRtree([g for _, g in valid])
        adj: dict[str, list[str]] = {}
        for a, g in valid:
            hits = tree.query(g.buffer(1e-5), predicate="intersects")
            adj[a["code"]] = sorted(valid[i][0]["code"] for i in hits if valid[i][0] is not a)
        return adj

    adj = cached("adjacency", level, vintage, compute=compute, local=True)
    by_code = {a["code"]: a for a in level_areas(level, vintage)}
    return [by_code[c] for c in adj.get(code, []) if c in by_code]


# ------------------------------------------------------------------------------------------
# coverage and cells per indicator


def coverage(indicator_id: str) -> dict[str, Any]:
    """Which levels, vintages, years and groups have public data for the indicator."""

    def compute():
        rows = (
            observations()
            .filter(indicator_id=indicator_id)
            .values_list("area__level_id", "area__level__order", "area__vintage__code", "year")
            .order_by()
            .distinct()
        )
        levels: dict[str, dict[str, Any]] = {}
        for level, order, vintage, year in rows:
            lv = levels.setdefault(level, {"level": level, "order": order, "vintages": {}})
            lv["vintages"].setdefault(vintage, set()).add(year)
        groups = sorted(
            observations()
            .filter(indicator_id=indicator_id)
            .values_list("group__key", flat=True)
            .order_by()
            .distinct()
        )
        if CITY_LEVEL in levels:
            # The region's kommuner: a level of their own, listed just before all kommuner.
            # (A year in which only the city itself has data is no comparison of kommuner.)
            region = (
                within_level(observations().filter(indicator_id=indicator_id), REGION_LEVEL)
                .values("area__vintage__code", "year")
                .order_by()
                .annotate(n=Count("area_id", distinct=True))
                .filter(n__gte=2)
                .values_list("area__vintage__code", "year")
            )
            vintages_in_region: dict[str, set[int]] = {}
            for vintage, year in region:
                vintages_in_region.setdefault(vintage, set()).add(year)
            if vintages_in_region:
                levels[REGION_LEVEL] = {
                    "level": REGION_LEVEL,
                    "order": levels[CITY_LEVEL]["order"],
                    "vintages": vintages_in_region,
                }
        out = []
        for lv in sorted(
            levels.values(),
            key=lambda x: (x["order"], x["level"] != REGION_LEVEL, x["level"]),
        ):
            vintages = [
                {"vintage": v, "years": sorted(ys)}
                for v, ys in sorted(lv["vintages"].items(), key=lambda kv: min(kv[1]))
            ]
            out.append({"level": lv["level"], "order": lv["order"], "vintages": vintages})
        return {"levels": out, "groups": groups}

    return cached("coverage", indicator_id, compute=compute)


def level_cells(
    indicator_id: str, level: str, vintage: str, year: int, group: str = ""
) -> list[dict[str, Any]]:
    """Cells of one indicator for every area of a level/vintage in one year and group."""

    def compute():
        rows = within_level(
            observations().filter(
                indicator_id=indicator_id,
                area__vintage__code=vintage,
                year=year,
                group__key=group,
            ),
            level,
        ).values(*_CELL_FIELDS)
        return sorted(_latest_period([_cell(r) for r in rows]), key=lambda c: c["code"])

    return cached("level-cells", indicator_id, level, vintage, year, group, compute=compute)


def group_areas(indicator_id: str, level: str, vintage: str, year: int) -> list[str]:
    """Codes of the areas of a level/vintage that have cells by population group in a year."""

    def compute():
        return sorted(
            set(
                within_level(
                    observations().filter(
                        indicator_id=indicator_id, area__vintage__code=vintage, year=year
                    ),
                    level,
                )
                .exclude(group__key="")
                .values_list("area__code", flat=True)
            )
        )

    return cached("group-areas", indicator_id, level, vintage, year, compute=compute)


def city_cells(group: str = "") -> dict[str, list[dict[str, Any]]]:
    """All public cells for the city in one group, per indicator, sorted by year."""

    def compute():
        city = city_area()
        if not city:
            return {}
        rows = (
            observations()
            .filter(area_id=city["id"], group__key=group)
            .values("indicator_id", *_CELL_FIELDS)
        )
        out: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            out.setdefault(r["indicator_id"], []).append(_cell(r))
        return {k: sorted(_latest_period(v), key=lambda c: c["year"]) for k, v in out.items()}

    return cached("city-cells", group, compute=compute)


def city_cell(indicator_id: str, year: int | None = None, group: str = "") -> dict | None:
    """The city's cell for a year, or its latest cell with a value when ``year`` is None."""
    cells = city_cells(group).get(indicator_id, [])
    if year is None:
        with_value = [c for c in cells if c["value"] is not None]
        return (with_value or cells or [None])[-1]
    for c in cells:
        if c["year"] == year:
            return c
    return None


def area_series(indicator_id: str, area_ids: list[int], group: str = "") -> list[dict[str, Any]]:
    """All years of the indicator for the given areas and group."""
    ids = sorted(set(area_ids))

    def compute():
        rows = (
            observations()
            .filter(indicator_id=indicator_id, area_id__in=ids, group__key=group)
            .values(*_CELL_FIELDS)
        )
        return sorted(
            _latest_period([_cell(r) for r in rows]), key=lambda c: (c["code"], c["year"])
        )

    return cached("series", indicator_id, ",".join(map(str, ids)), group, compute=compute)


def group_cells(indicator_id: str, area_id: int, year: int) -> list[dict[str, Any]]:
    """Cells for every population group (not everyone) of one area and year."""

    def compute():
        rows = (
            observations()
            .filter(indicator_id=indicator_id, area_id=area_id, year=year)
            .exclude(group__key="")
            .values(*_CELL_FIELDS)
        )
        return sorted(_latest_period([_cell(r) for r in rows]), key=lambda c: c["group"])

    return cached("group-cells", indicator_id, area_id, year, compute=compute)


def area_cells(area_id: int, group: str = "") -> dict[str, list[dict[str, Any]]]:
    """All public cells of one area in one group, per indicator, sorted by year."""

    def compute():
        rows = (
            observations()
            .filter(area_id=area_id, group__key=group)
            .values("indicator_id", *_CELL_FIELDS)
        )
        out: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            out.setdefault(r["indicator_id"], []).append(_cell(r))
        return {k: sorted(_latest_period(v), key=lambda c: c["year"]) for k, v in out.items()}

    return cached("area-cells", area_id, group, compute=compute)


def group_labels() -> dict[str, dict[str, Any]]:
    """Labels of every group key: ``{"key": {"sv": .., "en": .., "dimension_sv": .., ...}}``."""

    def compute():
        out = {}
        for g in Group.objects.prefetch_related("values__dimension"):
            vals = sorted(g.values.all(), key=lambda v: (v.dimension.order, v.order))
            parts = Group.parse_key(g.key)
            out[g.key] = {
                "sv": ", ".join(v.name_sv for v in vals) or (", ".join(parts.values()) or ""),
                "en": ", ".join(v.name_en or v.name_sv for v in vals)
                or (", ".join(parts.values()) or ""),
                "dimension_sv": " × ".join(v.dimension.name_sv for v in vals) or " × ".join(parts),
                "dimension_en": " × ".join(v.dimension.name_en or v.dimension.name_sv for v in vals)
                or " × ".join(parts),
            }
        return out

    return cached("group-labels", compute=compute)


def vintage_links(level: str, vintages: list[str]) -> list[dict[str, Any]]:
    """Crosswalk bases recorded between areas of the given vintages of a level."""
    if len(vintages) < 2:
        return []

    def compute():
        rows = (
            AreaLink.objects.filter(
                source__level_id=stored_level(level),
                target__level_id=stored_level(level),
                source__vintage__code__in=vintages,
                target__vintage__code__in=vintages,
            )
            .exclude(basis="contains")
            .values_list("source__vintage__code", "target__vintage__code", "basis")
            .order_by()
            .distinct()
        )
        return sorted(
            ({"from": s, "to": t, "basis": b} for s, t, b in set(rows) if s != t),
            key=lambda d: (d["from"], d["to"], d["basis"]),
        )

    return cached("vintage-links", level, ",".join(vintages), compute=compute)


# ------------------------------------------------------------------------------------------
# comparison with the city


def compare_to_city(
    cell: dict[str, Any] | None, city: dict[str, Any] | None, polarity: str, measure: str = ""
) -> str:
    """Classify an area against the city: better, similar, worse (or higher/lower).

    The overlapping-interval method of :func:`skillnader.stats.compare.compare_intervals`
    (Public Health England 2017, *Assessing the statistical significance of an indicator
    value*): against the city's interval when it has one, else against the city value; the
    indicator's polarity turns the direction into a judgement. This is the single place the
    web app classifies. Cells without a value are ``suppressed`` or ``missing``; without an
    interval nothing is claimed (``not_compared``). Counts are never compared: an area's count
    is smaller than the city's total because the area is smaller, which says nothing about
    living conditions.
    """
    from skillnader.errors import InputError
    from skillnader.stats.compare import compare_intervals

    if not cell or cell.get("value") is None:
        return "suppressed" if cell and cell.get("status") == "suppressed" else "missing"
    if not city or city.get("value") is None or measure == "count":
        return "not_compared"
    lo, hi = cell.get("lower"), cell.get("upper")
    if lo is None or hi is None:
        return "not_compared"
    clo, chi = city.get("lower"), city.get("upper")
    bounds = (
        {"benchmark_lower": clo, "benchmark_upper": chi}
        if clo is not None and chi is not None
        else {}
    )
    try:
        return str(compare_intervals(cell["value"], lo, hi, city["value"], polarity, **bounds))
    except InputError:
        # Limits in the wrong order are a data error upstream; claim nothing.
        return "not_compared"


def trend(cells: list[dict[str, Any]], polarity: str) -> dict[str, Any] | None:
    """The recent-trend marker of a yearly series (:func:`skillnader.stats.trend.trend_marker`:
    PHE 2018, last five points, 99.8 %), or ``None`` when the series is too short."""
    from skillnader.errors import InputError
    from skillnader.stats.trend import trend_marker

    pts = [c for c in cells if c["value"] is not None and c["lower"] is not None]
    if len(pts) < 2:
        return None
    try:
        res = trend_marker(
            [c["year"] for c in pts],
            [c["value"] for c in pts],
            lower=[c["lower"] for c in pts],
            upper=[c["upper"] for c in pts],
            polarity=polarity,
        )
    except InputError:
        return None
    return {
        "marker": res.marker,
        "assessment": res.assessment,
        "points": res.n_points,
        "reason": res.reason,
    }


def _json_safe(obj: Any) -> Any:
    """Plain JSON values: NaN/inf to None, NumPy scalars to Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str | bytes):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def analysis_frame(indicator_id: str | None = None, year: int | None = None):
    """Published cells with a value, for the city and every level below it (up to ``year``), as
    the polars frame :func:`skillnader.analysis.findings.analyse` expects. The web pages and the
    reports both analyse this frame."""
    import polars as pl

    cols = ["indicator", "level", "vintage", "area_code", "group", "period"]
    schema = {c: pl.Utf8 for c in cols} | {
        "value": pl.Float64,
        "lower": pl.Float64,
        "upper": pl.Float64,
    }
    city = city_area()
    if not city:
        return pl.DataFrame(schema=schema)
    # No ordering: the model's default order follows indicator → domain and would join tables
    # the frame does not need (PostgreSQL then chose a plan that took minutes).
    qs = observations().filter(value__isnull=False).order_by()
    if indicator_id:
        qs = qs.filter(indicator_id=indicator_id)
    if year is not None:
        qs = qs.filter(year__lte=year)
    city_order = Area.objects.filter(id=city["id"]).values_list("level__order", flat=True).first()
    below = list(AreaLevel.objects.filter(order__gt=city_order).values_list("id", flat=True))
    rows = list(
        qs.filter(Q(area_id=city["id"]) | Q(area__level_id__in=below)).values_list(
            "indicator_id",
            "area__level_id",
            "area__vintage__code",
            "area__code",
            "group__key",
            "period",
            "value",
            "lower",
            "upper",
            "indicator__measure",
            "indicator__rounding_base",
        )
    )
    policy = {"indicator__measure": pl.Utf8, "indicator__rounding_base": pl.Int64}
    return public_frame(pl.DataFrame(rows, schema=schema | policy, orient="row"))


def findings(indicator_id: str | None = None) -> list[dict[str, Any]]:
    """Headline findings (level trend and gap trends) from :mod:`skillnader.analysis.findings`.

    Only published observations are analysed; between-area gaps use the levels below the city.
    """

    def compute():

        from skillnader.analysis.findings import IndicatorInfo, analyse

        city = city_area()
        if not city:
            return []
        inds = Indicator.objects.filter(published=True)
        if indicator_id:
            inds = inds.filter(id=indicator_id)
        frame = analysis_frame(indicator_id=indicator_id)
        if frame.is_empty():
            return []
        info = {
            i.id: IndicatorInfo(
                i.id, i.name_sv, i.name_en, i.polarity, i.unit, i.decimals, measure=i.measure
            )
            for i in inds
        }
        try:
            from skillnader.web.data.regional import area_names

            result = analyse(
                frame,
                info,
                benchmark=city["code"],
                benchmark_name=city["name_sv"],
                area_names=area_names(frame),
            )
        except Exception:
            # The findings are a summary on top of the published numbers: a failure in the
            # analysis must not take the numbers down with it. It is logged for the analysts.
            logger.exception("findings failed for indicator %s", indicator_id or "(all)")
            return []
        return [_json_safe(f.to_dict()) for f in result]

    return cached("findings", indicator_id or "", compute=compute)


def inequality_series(indicator_id: str, level: str, vintage: str, group: str) -> list[dict]:
    """The inequality between the areas of one level and vintage, year by year, with simulated
    95 % intervals (:func:`skillnader.analysis.tables.area_inequality`), oldest year first."""

    def compute():
        import polars as pl

        from skillnader.analysis.tables import area_inequality

        city = city_area()
        if level in (REGION_LEVEL, CITY_LEVEL):
            # Kommuner are compared among themselves (the region's, or the country's), with the
            # country as the benchmark: the frame of the regional analysis.
            from skillnader.web.data.regional import regional_frame

            lan = REGION_CODE if level == REGION_LEVEL else ""
            frame = regional_frame(indicator_id, lan=lan)
            benchmark = COUNTRY_CODE
        else:
            frame = analysis_frame(indicator_id=indicator_id)
            benchmark = city["code"] if city else ""
        if not city or frame.is_empty():
            return []
        frame = frame.filter(
            (pl.col("level") == stored_level(level))
            & (pl.col("vintage") == vintage)
            & (pl.col("group") == group)
        )
        if frame.is_empty():
            return []
        table = area_inequality(frame, benchmark=benchmark, sims=1000, seed=0)
        rows = table.sort("period").to_dicts()
        return [_json_safe(r) for r in rows]

    return cached("inequality", indicator_id, level, vintage, group, compute=compute)


def rank_cells(cells: list[dict[str, Any]], polarity: str, measure: str = "") -> dict[str, int]:
    """Rank of each area code among cells with a value, 1 = best (highest when no judgement).

    Raw counts and ordinal classes are never ranked (an area's count grows with its size; a class
    has no distances): the result is empty for them."""
    from skillnader.analysis.findings import NOT_COMPARED_MEASURES

    if measure in NOT_COMPARED_MEASURES:
        return {}
    ok = [c for c in cells if c["value"] is not None]

    def cmp(a, b):
        if a["value"] == b["value"]:
            return -1 if a["code"] < b["code"] else 1
        better = (
            a["value"] < b["value"] if polarity == "lower_is_better" else a["value"] > b["value"]
        )
        return -1 if better else 1

    ranked = sorted(ok, key=cmp_to_key(cmp))
    ranks: dict[str, int] = {}
    for i, c in enumerate(ranked):
        if i and c["value"] == ranked[i - 1]["value"]:
            ranks[c["code"]] = ranks[ranked[i - 1]["code"]]
        else:
            ranks[c["code"]] = i + 1
    return ranks


def spread(cells: list[dict[str, Any]], measure: str = "") -> dict[str, Any] | None:
    """Minimum, quartiles, maximum and the ratio of the highest to the lowest area value.

    The ratio is :func:`skillnader.stats.inequality.ratio_extremes`; it is left out (``None``)
    when the method does not apply (fewer than two areas or a non-positive value). For raw
    counts and ordinal classes only the distribution is given, as context: no ratio and no
    highest or lowest area.
    """
    from skillnader.analysis.findings import NOT_COMPARED_MEASURES
    from skillnader.errors import MethodError
    from skillnader.stats.inequality import ratio_extremes, weighted_percentile

    vals = [c["value"] for c in cells if c["value"] is not None]
    if not vals:
        return None
    q25, q75 = (float(x) for x in weighted_percentile(vals, [25, 75]))
    out = {"min": min(vals), "q25": q25, "q75": q75, "max": max(vals), "n": len(vals)}
    try:
        r = ratio_extremes(vals)
        out["ratio"] = r.value if math.isfinite(r.value) else None
    except MethodError:
        out["ratio"] = None
    hi = max((c for c in cells if c["value"] is not None), key=lambda c: (c["value"], c["code"]))
    lo = min((c for c in cells if c["value"] is not None), key=lambda c: (c["value"], c["code"]))
    out["highest"], out["lowest"] = hi["code"], lo["code"]
    if measure in NOT_COMPARED_MEASURES:
        out["ratio"] = out["highest"] = out["lowest"] = None
        out["context_only"] = True
    return out


# ------------------------------------------------------------------------------------------
# search


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form of ``text`` (``"Östermalm"`` -> ``"ostermalm"``)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


_WORD = re.compile(r"\w+")


def stems(text: str) -> str:
    """``text`` as folded Swedish stems (Snowball, Porter 2001): "arbetslöshet" and
    "arbetslösa" both give "arbetslos", so a search finds inflected forms."""
    import snowballstemmer

    stemmer = _STEMMER.get("sv")
    if stemmer is None:
        stemmer = _STEMMER["sv"] = snowballstemmer.stemmer("swedish")
    words = _WORD.findall((text or "").casefold())
    return " ".join(fold(w) for w in stemmer.stemWords(words))


_STEMMER: dict[str, Any] = {}


def search_index() -> list[dict[str, Any]]:
    """Searchable entries: published indicators and areas, with folded text and stems. A
    district whose boundary is unchanged across vintages is one entry (its newest vintage),
    with the other vintages as detail."""

    def compute():
        out = []
        for ind in Indicator.objects.filter(published=True).order_by("domain__order", "order"):
            out.append(
                {
                    "kind": "indicator",
                    "id": ind.id,
                    "name_sv": ind.name_sv,
                    "name_en": ind.name_en or ind.name_sv,
                    "text": fold(
                        " ".join(
                            [ind.id, ind.name_sv, ind.name_en, ind.definition_sv, ind.definition_en]
                        )
                    ),
                    "stems": stems(" ".join([ind.name_sv, ind.definition_sv])),
                }
            )
        from skillnader.web.data.districts import chains

        chain_of = chains()
        areas = list(
            Area.objects.values(
                "id", "code", "name", "name_en", "level_id", "vintage__code", "level__order"
            ).order_by("level__order", "name", "vintage__code")
        )
        vintage_of = {a["id"]: a["vintage__code"] for a in areas}
        for a in areas:
            chain = chain_of.get(a["id"])
            if chain and chain[-1] != a["id"]:
                continue  # the newest vintage of the chain stands for the district
            out.append(
                {
                    "kind": "area",
                    "id": f"{a['level_id']}/{a['vintage__code']}/{a['code']}",
                    "level": a["level_id"],
                    "vintage": a["vintage__code"],
                    "vintages": [vintage_of[i] for i in chain if i in vintage_of]
                    if chain
                    else [a["vintage__code"]],
                    "code": a["code"],
                    "name_sv": a["name"],
                    "name_en": a["name_en"] or a["name"],
                    "text": fold(" ".join([a["code"], a["name"], a["name_en"]])),
                    "stems": stems(a["name"]),
                }
            )
        return out

    return cached("search-index", compute=compute)


def search(query: str, limit: int = 100) -> list[dict[str, Any]]:
    """Entries whose text contains every word of ``query`` (folded); indicators first."""
    words = fold(query).split()
    if not words:
        return []
    stemmed = stems(query).split()
    hits = [
        e
        for e in search_index()
        if all(w in e["text"] for w in words)
        or (len(stemmed) == len(words) and all(_stem_found(s, e["stems"]) for s in stemmed))
    ]
    return hits[:limit]


def _stem_found(stem: str, entry_stems: str) -> bool:
    """``stem`` is in the entry's stems, or one of them is most of it: Snowball stems a
    definite form apart from its base ("förvärvsfrekvensen" to "forvarvsfrekvens",
    "förvärvsfrekvens" to "forvarvsfrekv"); a short common beginning ("arbet" of
    "arbetslos") is not enough."""
    if stem in entry_stems:
        return True
    return any(stem.startswith(w) and len(w) >= 0.75 * len(stem) for w in entry_stems.split())
