"""Read-only JSON API, version 1.

Every response is deterministic JSON (or CSV for observations), carries ``Last-Modified`` (the
latest imported release) and gets an ``ETag`` from ``ConditionalGetMiddleware``. Successful
responses are cached per URL and data version, like the pages. Observations are
read only through :func:`~skillnader.web.data.models.public_observations`: unpublished cells and
indicators never appear, and suppressed cells appear with ``"status": "suppressed"`` and no
numbers; the numbers of the others through :func:`~skillnader.web.data.models.public_numbers`
(counts rounded by the indicator's ``rounding_base``). Lists of observations are paged by id (keyset pagination), so a ``next`` link stays
valid while new data are imported.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from skillnader.analysis.tables import INEQUALITY_MEASURES
from skillnader.web.api.openapi import schema
from skillnader.web.data import queries
from skillnader.web.data.models import (
    PUBLIC_NUMBER_FIELDS,
    Area,
    AreaLevel,
    Domain,
    Indicator,
    public_numbers,
)
from skillnader.web.public.twins import cached_page, csv_response, json_response

MAX_LIMIT = 5000
DEFAULT_LIMIT = 1000

#: The columns of the observations API's CSV form (not the stored schema, see web/data/bulk.py).
OBSERVATION_CSV_COLUMNS = [
    "id",
    "indicator",
    "area",
    "area_name",
    "level",
    "vintage",
    "group",
    "period",
    "year",
    "value",
    "lower",
    "upper",
    "numerator",
    "denominator",
    "status",
    "suppression",
    "source_status",
    "provisional",
    "break_in_series",
    "release",
]

#: The columns of the inequality series (JSON and CSV), in order.
INEQUALITY_COLUMNS = [
    "indicator",
    "level",
    "vintage",
    "group",
    "period",
    "n_areas",
    *[f"{m}{suffix}" for m in INEQUALITY_MEASURES for suffix in ("", "_lower", "_upper")],
    "not_computed",
]


def _error(message: str, status: int = 400) -> HttpResponse:
    return json_response({"error": message}, status=status)


def _int_param(request: HttpRequest, name: str, default: int | None, lo: int, hi: int):
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as err:
        raise ValueError(f"'{name}' must be an integer, got {raw!r}") from err
    if not lo <= value <= hi:
        raise ValueError(f"'{name}' must be between {lo} and {hi}, got {value}")
    return value


def _indicator_json(ind: Indicator) -> dict[str, Any]:
    return {
        "id": ind.id,
        "domain": ind.domain_id,
        "name_sv": ind.name_sv,
        "name_en": ind.name_en,
        "measure": ind.measure,
        "polarity": ind.polarity,
        "unit": ind.unit,
        "multiplier": ind.multiplier,
        "decimals": ind.decimals,
        "definition_sv": ind.definition_sv,
        "definition_en": ind.definition_en,
        "numerator": ind.numerator,
        "denominator": ind.denominator,
        "source": ind.source,
        "source_url": ind.source_url,
        "external_ids": ind.external_ids,
        "catalogue_version": ind.catalogue_version,
        # the publication policy: what is suppressed, and how the published counts are rounded
        "publication_threshold": ind.publication_threshold,
        "suppress_zeros": ind.suppress_zeros,
        "rounding_base": ind.rounding_base,
    }


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Links to every collection and to the OpenAPI description."""
    base = reverse("api:index")
    return json_response(
        {
            "version": "1",
            "openapi": base + "openapi.json",
            "domains": base + "domains",
            "indicators": base + "indicators",
            "levels": base + "levels",
            "areas": base + "areas",
            "observations": base + "observations",
            "comparisons": base + "comparisons",
            "findings": base + "findings",
            "inequality": base + "inequality",
            "geojson": base + "geojson/{level}/{vintage}",
        }
    )


@require_safe
def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3 description of this API."""
    return json_response(schema())


@require_safe
@cached_page
def domains(request: HttpRequest) -> HttpResponse:
    """The five domains with the ids of their published indicators."""
    inds: dict[str, list[str]] = {}
    for iid, dom in Indicator.objects.filter(published=True).values_list("id", "domain_id"):
        inds.setdefault(dom, []).append(iid)
    return json_response(
        {
            "results": [
                {
                    "id": d.id,
                    "name_sv": d.name_sv,
                    "name_en": d.name_en,
                    "order": d.order,
                    "indicators": sorted(inds.get(d.id, [])),
                }
                for d in Domain.objects.order_by("order", "id")
            ]
        }
    )


@require_safe
@cached_page
def domain(request: HttpRequest, domain_id: str) -> HttpResponse:
    """One domain with its published indicators."""
    d = Domain.objects.filter(pk=domain_id).first()
    if d is None:
        return _error(f"unknown domain {domain_id!r}", 404)
    inds = Indicator.objects.filter(domain=d, published=True).order_by("order", "id")
    return json_response(
        {
            "id": d.id,
            "name_sv": d.name_sv,
            "name_en": d.name_en,
            "order": d.order,
            "indicators": [_indicator_json(i) for i in inds],
        }
    )


@require_safe
@cached_page
def indicators(request: HttpRequest) -> HttpResponse:
    """Published indicators, optionally of one ``domain``."""
    qs = Indicator.objects.filter(published=True).order_by("domain__order", "order", "id")
    if request.GET.get("domain"):
        qs = qs.filter(domain_id=request.GET["domain"])
    return json_response({"results": [_indicator_json(i) for i in qs]})


@require_safe
@cached_page
def indicator(request: HttpRequest, indicator_id: str) -> HttpResponse:
    """One published indicator with the levels, vintages, years and groups that have data."""
    ind = Indicator.objects.filter(pk=indicator_id, published=True).first()
    if ind is None:
        return _error(f"unknown indicator {indicator_id!r}", 404)
    cov = queries.coverage(ind.id)
    return json_response(
        {
            **_indicator_json(ind),
            "coverage": [
                {"level": lv["level"], "vintages": lv["vintages"]} for lv in cov["levels"]
            ],
            "groups": cov["groups"],
        }
    )


@require_safe
@cached_page
def levels(request: HttpRequest) -> HttpResponse:
    """Area levels and their boundary vintages."""
    out = []
    for lv in AreaLevel.objects.prefetch_related("vintages").order_by("order", "id"):
        out.append(
            {
                "id": lv.id,
                "name_sv": lv.name_sv,
                "name_en": lv.name_en,
                "order": lv.order,
                "vintages": [
                    {
                        "code": v.code,
                        "name_sv": v.name_sv,
                        "name_en": v.name_en,
                        "valid_from": v.valid_from.isoformat() if v.valid_from else None,
                        "valid_to": v.valid_to.isoformat() if v.valid_to else None,
                        "note": v.note,
                    }
                    for v in sorted(lv.vintages.all(), key=lambda v: (str(v.valid_from), v.code))
                ],
            }
        )
    return json_response({"results": out})


def _area_json(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "level": a["level_id"],
        "vintage": a["vintage__code"],
        "code": a["code"],
        "name_sv": a["name"],
        "name_en": a["name_en"],
        "parent": a["parent__code"],
    }


_AREA_FIELDS = ("level_id", "vintage__code", "code", "name", "name_en", "parent__code")


@require_safe
@cached_page
def areas(request: HttpRequest) -> HttpResponse:
    """Areas (without geometry), filtered by ``level`` and ``vintage``."""
    qs = Area.objects.all()
    if request.GET.get("level"):
        qs = qs.filter(level_id=request.GET["level"])
    if request.GET.get("vintage"):
        qs = qs.filter(vintage__code=request.GET["vintage"])
    rows = qs.order_by("level__order", "vintage__code", "code").values(*_AREA_FIELDS)
    return json_response({"results": [_area_json(a) for a in rows]})


@require_safe
@cached_page
def area(request: HttpRequest, level: str, vintage: str, code: str) -> HttpResponse:
    """One area as a GeoJSON Feature (geometry in WGS84)."""
    a = (
        Area.objects.filter(level_id=level, vintage__code=vintage, code=code)
        .values(*_AREA_FIELDS, "geometry")
        .first()
    )
    if a is None:
        return _error(f"unknown area {level}/{vintage}/{code}", 404)
    return json_response(
        {"type": "Feature", "geometry": a["geometry"], "properties": _area_json(a)}
    )


@require_safe
@cached_page
def geojson(request: HttpRequest, level: str, vintage: str) -> HttpResponse:
    """All areas of a level and vintage as a GeoJSON FeatureCollection (WGS84)."""
    rows = queries.level_areas(level, vintage)
    if not rows:
        return _error(f"no areas for level {level!r} and vintage {vintage!r}", 404)
    return json_response(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": a["geometry"],
                    "properties": {
                        "level": level,
                        "vintage": vintage,
                        "code": a["code"],
                        "name_sv": a["name_sv"],
                        "name_en": a["name_en"],
                    },
                }
                for a in sorted(rows, key=lambda a: a["code"])
            ],
        }
    )


def _observation_row(r: dict[str, Any]) -> dict[str, Any]:
    suppressed = r["suppressed"]
    numbers = public_numbers(r)
    return {
        "id": r["id"],
        "indicator": r["indicator_id"],
        "area": r["area__code"],
        "area_name": r["area__name"],
        "level": r["area__level_id"],
        "vintage": r["area__vintage__code"],
        "group": r["group__key"],
        "period": r["period"],
        "year": r["year"],
        **numbers,
        "status": "suppressed" if suppressed else ("missing" if r["value"] is None else "ok"),
        # why: "primary" (small number) or "secondary" (hidden to protect another cell)
        "suppression": (r.get("suppression") or "primary") if suppressed else None,
        "source_status": r["status"],
        "provisional": r["provisional"],
        "break_in_series": r["break_in_series"],
        "release": r["release_id"],
    }


@require_safe
@cached_page
def observations(request: HttpRequest) -> HttpResponse:
    """Published observations, filtered and paged by id; ``format=csv`` for CSV."""
    try:
        limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        after = _int_param(request, "after", 0, 0, 2**62)
        year = _int_param(request, "year", None, 0, 9999)
    except ValueError as err:
        return _error(str(err))
    fmt = request.GET.get("format", "json")
    if fmt not in ("json", "csv"):
        return _error(f"'format' must be json or csv, got {fmt!r}")
    qs = queries.observations()
    filters = {
        "indicator": "indicator_id",
        "area": "area__code",
        "level": "area__level_id",
        "vintage": "area__vintage__code",
        "period": "period",
    }
    for param, field in filters.items():
        values = [v for v in request.GET.getlist(param) if v != ""]
        if values:
            qs = qs.filter(**{f"{field}__in": values})
    if "group" in request.GET:
        qs = qs.filter(group__key__in=request.GET.getlist("group"))
    if year is not None:
        qs = qs.filter(year=year)
    rows = list(
        qs.filter(id__gt=after)
        .order_by("id")
        .values(
            "id",
            "indicator_id",
            "area__code",
            "area__name",
            "area__level_id",
            "area__vintage__code",
            "group__key",
            "period",
            "year",
            *PUBLIC_NUMBER_FIELDS,
            "suppression",
            "status",
            "provisional",
            "break_in_series",
            "release_id",
        )[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_url = None
    if more:
        params = [
            (k, v) for k in sorted(request.GET) if k != "after" for v in request.GET.getlist(k)
        ]
        params.append(("after", str(rows[-1]["id"])))
        next_url = request.build_absolute_uri(reverse("api:observations") + "?" + urlencode(params))
    out = [_observation_row(r) for r in rows]
    if fmt == "csv":
        resp = csv_response(out, OBSERVATION_CSV_COLUMNS, "skillnader-observations")
        if next_url:
            resp["Link"] = f'<{next_url}>; rel="next"'
        return resp
    return json_response({"results": out, "next": next_url})


def _published_indicator(request: HttpRequest) -> Indicator | HttpResponse:
    iid = request.GET.get("indicator")
    if not iid:
        return _error("'indicator' is required")
    ind = Indicator.objects.filter(pk=iid, published=True).first()
    if ind is None:
        return _error(f"unknown indicator {iid!r}", 404)
    return ind


def _level_and_vintage(
    request: HttpRequest, ind: Indicator
) -> tuple[str, dict[str, Any]] | HttpResponse | None:
    """The ``level`` and ``vintage`` asked for, else the indicator page's defaults: the level id
    and the vintage's coverage (``vintage``, ``years``); ``None`` when the indicator has no data."""
    from skillnader.web.public.views import _default_selection

    cov = queries.coverage(ind.id)
    default = _default_selection(cov)
    if default is None:
        return None
    level = request.GET.get("level") or default["level"]
    lv = next((x for x in cov["levels"] if x["level"] == level), None)
    if lv is None:
        return _error(f"no data for level {level!r}", 404)
    vintage = (
        request.GET.get("vintage")
        or max(lv["vintages"], key=lambda v: (max(v["years"]), v["vintage"]))["vintage"]
    )
    vint = next((v for v in lv["vintages"] if v["vintage"] == vintage), None)
    if vint is None:
        return _error(f"no data for vintage {vintage!r}", 404)
    return level, vint


@require_safe
@cached_page
def comparisons(request: HttpRequest) -> HttpResponse:
    """Each area of a level/vintage/year compared with a benchmark (overlapping 95 % intervals).

    Without ``level``/``vintage``/``year`` the indicator page's default selection is used (the
    kommuner of Stockholms län, ``level=lanskommun``, for an indicator published per kommun
    only). ``benchmark`` is ``city``, ``region`` or ``country``; by default the city for its
    parts and the country for kommuner (the city where the country has no value).
    """
    ind = _published_indicator(request)
    if isinstance(ind, HttpResponse):
        return ind
    try:
        year = _int_param(request, "year", None, 0, 9999)
    except ValueError as err:
        return _error(str(err))
    found = _level_and_vintage(request, ind)
    if isinstance(found, HttpResponse):
        return found
    if found is None:
        return json_response({"indicator": ind.id, "selection": None, "city": None, "results": []})
    level, vint = found
    vintage = vint["vintage"]
    if year is None:
        year = max(vint["years"])
    group = request.GET.get("group", "")
    benchmark = request.GET.get("benchmark") or queries.default_benchmark(
        level, queries.benchmarks_with_data(ind.id)
    )
    if benchmark not in queries.BENCHMARKS:
        return _error(f"unknown benchmark {benchmark!r} (city, region or country)")
    cells = queries.level_cells(ind.id, level, vintage, year, group)
    city = queries.benchmark_cell(ind.id, benchmark, year, group)
    bench_area = queries.benchmark_area(benchmark)
    ranks = queries.rank_cells(cells, ind.polarity, ind.measure)
    return json_response(
        {
            "indicator": ind.id,
            "polarity": ind.polarity,
            "method": "overlapping 95% intervals (Fingertips convention)",
            "selection": {
                "level": level,
                "vintage": vintage,
                "year": year,
                "group": group,
                "benchmark": benchmark,
            },
            "benchmark": bench_area
            and {"key": benchmark, "level": bench_area["level"], "code": bench_area["code"]},
            # the benchmark's cell (the key predates the choice of benchmark)
            "city": (
                {
                    "value": city["value"],
                    "lower": city["lower"],
                    "upper": city["upper"],
                    "status": city["status"],
                }
                if city
                else None
            ),
            "results": [
                {
                    "area": c["code"],
                    "area_name": c["name_sv"],
                    "period": c["period"],
                    "value": c["value"],
                    "lower": c["lower"],
                    "upper": c["upper"],
                    "status": c["status"],
                    "comparison": queries.compare_to_city(c, city, ind.polarity, ind.measure),
                    "rank": ranks.get(c["code"]),
                    "highlight": level in (queries.REGION_LEVEL, queries.CITY_LEVEL)
                    and c["code"] == queries.CITY_CODE,
                }
                for c in cells
            ],
        }
    )


@require_safe
@cached_page
def inequality(request: HttpRequest) -> HttpResponse:
    """Inequality between the areas of a level/vintage, year by year, with simulated intervals.

    ``format=csv`` for CSV. Without ``level``/``vintage`` the indicator page's default is used.
    """
    ind = _published_indicator(request)
    if isinstance(ind, HttpResponse):
        return ind
    fmt = request.GET.get("format", "json")
    if fmt not in ("json", "csv"):
        return _error(f"'format' must be json or csv, got {fmt!r}")
    found = _level_and_vintage(request, ind)
    if isinstance(found, HttpResponse):
        return found
    group = request.GET.get("group", "")
    rows = (
        []
        if found is None
        else queries.inequality_series(ind.id, found[0], found[1]["vintage"], group)
    )
    if fmt == "csv":
        return csv_response(rows, INEQUALITY_COLUMNS, f"skillnader-inequality-{ind.id}")
    return json_response(
        {
            "indicator": ind.id,
            "method": "unweighted measures over the areas' published values; 95% intervals "
            "from 1,000 simulations of the areas' values within their own intervals",
            "selection": None
            if found is None
            else {"level": found[0], "vintage": found[1]["vintage"], "group": group},
            "results": rows,
        }
    )


@require_safe
@cached_page
def findings(request: HttpRequest) -> HttpResponse:
    """Headline findings per indicator: the city's level trend and the gap trends, with the
    evidence and a sentence in Swedish and English (:mod:`skillnader.analysis.findings`)."""
    iid = request.GET.get("indicator") or None
    if iid is not None and not Indicator.objects.filter(pk=iid, published=True).exists():
        return _error(f"unknown indicator {iid!r}", 404)
    scope = request.GET.get("scope") or "city"
    if scope == "region":
        # The kommuner of Stockholms län as an area level, Sweden as the benchmark.
        from skillnader.web.data.regional import regional_findings_json

        return json_response({"scope": scope, "results": regional_findings_json(iid)})
    if scope != "city":
        return _error(f"unknown scope {scope!r} (city or region)", 400)
    return json_response({"results": queries.findings(iid)})


__all__ = [
    "findings",
    "area",
    "areas",
    "comparisons",
    "domain",
    "domains",
    "geojson",
    "index",
    "indicator",
    "indicators",
    "levels",
    "observations",
    "openapi",
]
