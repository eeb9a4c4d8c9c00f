"""An overview at a glance (the "tartan rug" of public-health profiles): every area of a level
against every indicator, each cell coloured and marked by its comparison with a benchmark —
the city, the region (Stockholms län) or the country — as better, similar or worse (or higher
and lower where the indicator has no direction), with the symbols of the maps.

The comparison is the site's single one (:func:`queries.compare_to_city`, overlapping 95 %
intervals, PHE 2017) against the benchmark's value for the same year as the area's value. An
area's value is its latest, continued across boundary vintages where the district's boundary is
unchanged (:mod:`.districts`).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from skillnader.web.data import districts, queries
from skillnader.web.data.models import Area, AreaLevel, Domain, Indicator, Vintage
from skillnader.web.data.queries import display_name, lang
from skillnader.web.public.twins import Page, cached_page, respond

#: Benchmarks on offer: key -> (level, code).
BENCHMARKS = {
    "city": (queries.CITY_LEVEL, queries.CITY_CODE),
    "region": ("lan", "01"),
    "country": ("country", "SE"),
}


def _benchmark_area(key: str) -> Area | None:
    level, code = BENCHMARKS[key]
    return (
        Area.objects.filter(level_id=level, code=code)
        .select_related("vintage")
        .order_by("-vintage__valid_from")
        .first()
    )


def _benchmark_names() -> dict[str, str]:
    return {
        "city": _("the city"),
        "region": _("the region (Stockholms län)"),
        "country": _("Sweden"),
    }


@cached_page
def overview(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    """Areas × indicators, each cell compared with the chosen benchmark."""
    level = request.GET.get("level") or "sdo"
    # the region's kommuner are compared with the country unless the visitor chooses
    region = level == queries.REGION_LEVEL
    benchmark = request.GET.get("benchmark") or ("country" if region else "city")
    if benchmark not in BENCHMARKS:
        raise Http404(_("Unknown benchmark."))
    domain_id = request.GET.get("domain") or ""
    domains = list(Domain.objects.all())
    if domain_id and domain_id not in {d.id for d in domains}:
        raise Http404(_("Unknown domain."))
    stored = queries.stored_level(level)
    if not AreaLevel.objects.filter(id=stored).exists():
        raise Http404(_("No data for this level."))
    vintages = list(Vintage.objects.filter(level_id=stored).order_by("-valid_from", "-code"))
    vintage = request.GET.get("vintage") or (vintages[0].code if vintages else "")
    if vintage not in {v.code for v in vintages}:
        raise Http404(_("No data for this vintage."))
    areas = list(
        queries.within_level(Area.objects.filter(vintage__code=vintage), level, prefix="")
        .select_related("vintage")
        .order_by("name")
    )
    if len(areas) > 200:
        raise Http404(_("Too many areas for an overview; choose a coarser level."))
    bench = _benchmark_area(benchmark)
    bench_cells = queries.area_cells(bench.id) if bench else {}
    cells = {a.id: districts.continued_cells(a) for a in areas}
    ind_ids = {i for per_area in cells.values() for i in per_area}
    inds = list(
        Indicator.objects.filter(published=True, id__in=ind_ids)
        .select_related("domain")
        .order_by("domain__order", "order", "id")
    )
    if domain_id:
        inds = [i for i in inds if i.domain_id == domain_id]
    grid, rows = [], []
    for ind in inds:
        line = []
        for a in areas:
            series = cells[a.id].get(ind.id, [])
            cell = next((c for c in reversed(series) if c["value"] is not None), None)
            cell = cell or (series[-1] if series else None)
            ref = None
            if cell is not None:
                ref = next(
                    (c for c in bench_cells.get(ind.id, []) if c["year"] == cell["year"]), None
                )
            comparison = (
                queries.compare_to_city(cell, ref, ind.polarity, ind.measure) if cell else "missing"
            )
            line.append({"area": a, "cell": cell, "benchmark": ref, "comparison": comparison})
            rows.append(
                {
                    "indicator": ind.id,
                    "indicator_name": ind.name,
                    "domain": ind.domain_id,
                    "area": a.code,
                    "area_name": a.name_en if lang() == "en" and a.name_en else a.name,
                    "year": cell["year"] if cell else None,
                    "vintage": cell["vintage"] if cell else None,
                    "value": cell["value"] if cell else None,
                    "lower": cell["lower"] if cell else None,
                    "upper": cell["upper"] if cell else None,
                    "status": cell["status"] if cell else "missing",
                    "benchmark": benchmark,
                    "benchmark_value": ref["value"] if ref else None,
                    "benchmark_lower": ref["lower"] if ref else None,
                    "benchmark_upper": ref["upper"] if ref else None,
                    "comparison": comparison,
                }
            )
        grid.append({"indicator": ind, "cells": line})
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["comparison"]] = counts.get(r["comparison"], 0) + 1
    names = _benchmark_names()
    context = {
        "grid": grid,
        "areas": areas,
        "benchmark": benchmark,
        "benchmark_name": names[benchmark],
        "benchmarks": names,
        "benchmark_area": bench,
        "domains": domains,
        "domain_id": domain_id,
        "level": level,
        "vintage": vintage,
        "levels": [
            *AreaLevel.objects.filter(id__in=["sdo", "stadsomrade", "regso", "stadsdel"]),
            {"id": queries.REGION_LEVEL, "name": _("Municipalities in Stockholms län")},
        ],
        "vintages": vintages,
        "counts": counts,
        "query": request.GET.urlencode(),
    }
    data = {
        "benchmark": {
            "key": benchmark,
            "area": bench and {"level": bench.level_id, "code": bench.code, "name": bench.name},
        },
        "level": level,
        "vintage": vintage,
        "domain": domain_id or None,
        "method": "overlapping 95% intervals against the benchmark's value of the same year "
        "(Public Health England 2017)",
        "areas": [{"code": a.code, "name": display_name(_area_dict(a))} for a in areas],
        "indicators": [{"id": i.id, "name": i.name, "domain": i.domain_id} for i in inds],
        "cells": rows,
    }
    page = Page(
        "public/overview.html",
        context,
        data,
        rows,
        list(rows[0].keys()) if rows else ["indicator", "area", "comparison"],
        f"skillnader-overview-{benchmark}",
    )
    return respond(request, page, fmt)


def _area_dict(a: Area) -> dict[str, Any]:
    return {"name_sv": a.name, "name_en": a.name_en or a.name}
