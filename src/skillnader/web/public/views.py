"""Public pages: start, domain, indicator, area profile, compare and search.

Views are thin: they pick the selection from the URL, read through :mod:`.queries` (which only
sees published observations) and hand a :class:`~.twins.Page` to :func:`~.twins.respond`, which
renders HTML or the JSON/CSV twin.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from skillnader.charts import vegalite
from skillnader.units import unit_label
from skillnader.web.data import districts, queries
from skillnader.web.data.models import Area, AreaLevel, AreaLink, Domain, Indicator, Vintage
from skillnader.web.data.queries import display_name, lang
from skillnader.web.public import charts, similar
from skillnader.web.public.twins import Page, cached_page, respond

CHART_KINDS = ("map", "bars", "trend", "groups")
#: The level shown first: the district council areas, the level the city steers by.
DEFAULT_LEVEL = "sdo"


# ------------------------------------------------------------------------------------------
# helpers


def _level_names() -> dict[str, str]:
    names = {lv.id: lv.name for lv in AreaLevel.objects.all()}
    names[queries.REGION_LEVEL] = _("Municipalities in Stockholms län")
    if queries.CITY_LEVEL in names:
        names[queries.CITY_LEVEL] = _("Municipalities in all of Sweden")
    return names


def _vintage_names(level: str) -> dict[str, str]:
    level = queries.stored_level(level)
    return {v.code: v.name for v in Vintage.objects.filter(level_id=level)}


def _indicator_dict(ind: Indicator) -> dict[str, Any]:
    return {
        "id": ind.id,
        "name": ind.name,
        "domain": ind.domain_id,
        "measure": ind.measure,
        "polarity": ind.polarity,
        "unit": ind.unit,
        "multiplier": ind.multiplier,
        "decimals": ind.decimals,
        "definition": ind.definition,
        "numerator": ind.numerator,
        "denominator": ind.denominator,
        "source": ind.source,
        "source_url": ind.source_url,
        "external_ids": ind.external_ids,
    }


@functools.lru_cache(maxsize=1)
def _catalog_terms() -> dict[str, tuple[str, str]]:
    """Swedish numerator and denominator of the catalogued indicators (the model holds English)."""
    from skillnader.catalog import load_catalog

    try:
        return {s.id: (s.numerator_sv, s.denominator_sv) for s in load_catalog()}
    except Exception:  # a broken catalogue file must not take the public pages down
        return {}


def indicator_terms(ind: Indicator) -> dict[str, str]:
    """The indicator's numerator and denominator in the page's language. A Swedish page never
    shows the English wording: without a Swedish one the line is left out."""
    if lang() == "en":
        return {"numerator": ind.numerator, "denominator": ind.denominator}
    sv = _catalog_terms().get(ind.id, ("", ""))
    return {"numerator": sv[0], "denominator": sv[1]}


def _cell_out(cell: dict[str, Any] | None) -> dict[str, Any] | None:
    """A cell as published: numbers only when not suppressed (they are None then anyway)."""
    if cell is None:
        return None
    return {
        "area": cell["code"],
        "area_name": display_name(cell),
        "level": cell["level"],
        "vintage": cell["vintage"],
        "group": cell["group"],
        "period": cell["period"],
        "year": cell["year"],
        "value": cell["value"],
        "lower": cell["lower"],
        "upper": cell["upper"],
        "status": cell["status"],
        "provisional": cell["provisional"],
        "break_in_series": cell["break_in_series"],
    }


#: Areas listed by name on a domain card when there is no map; more get a summary instead.
SHORT_LIST = 15


def _below_city(cov: dict[str, Any], level: str) -> bool:
    """Whether ``level`` divides the city (it is finer than the city's own level)."""
    order = {lv["level"]: lv["order"] for lv in cov["levels"]}
    city_order = order.get(queries.CITY_LEVEL)
    if city_order is None:
        city_order = next(
            (lv.order for lv in AreaLevel.objects.filter(id=queries.CITY_LEVEL)), None
        )
    return city_order is not None and order.get(level, -1) > city_order


def _extremes(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    ok = sorted((r for r in rows if r["value"] is not None), key=lambda r: (r["value"], r["name"]))
    if not ok:
        return None
    return {"n": len(ok), "lowest": ok[0], "highest": ok[-1], "all": len(rows)}


def _default_selection(cov: dict[str, Any]) -> dict[str, Any] | None:
    """The coarsest sub-city level with data, its latest vintage and year, everyone. An
    indicator with no data below the city opens on the kommuner of Stockholms län (never on a
    map of all Sweden when the län's kommuner have data)."""
    if not cov["levels"]:
        return None
    city_order = next(
        (lv["order"] for lv in cov["levels"] if lv["level"] == queries.CITY_LEVEL), None
    )
    below = [lv for lv in cov["levels"] if city_order is not None and lv["order"] > city_order]
    preferred = [lv for lv in below if lv["level"] == DEFAULT_LEVEL]
    region = [lv for lv in cov["levels"] if lv["level"] == queries.REGION_LEVEL]
    lv = (preferred or below or region or cov["levels"])[0]
    vintage = max(lv["vintages"], key=lambda v: (max(v["years"]), v["vintage"]))
    return {
        "level": lv["level"],
        "area_level": queries.stored_level(lv["level"]),
        "vintage": vintage["vintage"],
        "year": max(vintage["years"]),
        # everyone, or (for an indicator published by sex only) the first group
        "group": "" if "" in cov["groups"] or not cov["groups"] else cov["groups"][0],
        "benchmark": "",
    }


def _selection(request: HttpRequest, cov: dict[str, Any]) -> dict[str, Any] | None:
    """The level/vintage/year/group chosen in the URL, falling back to what has data."""
    default = _default_selection(cov)
    if default is None:
        return None
    by_level = {lv["level"]: lv for lv in cov["levels"]}
    level = request.GET.get("level") or default["level"]
    if level not in by_level:
        raise Http404(_("No data for this level."))
    vintages = {v["vintage"]: v for v in by_level[level]["vintages"]}
    latest = max(vintages.values(), key=lambda v: (max(v["years"]), v["vintage"]))["vintage"]
    vintage = request.GET.get("vintage") or latest
    if vintage not in vintages:
        # The visitor changed the level in the form and kept the old level's boundaries: the
        # boundaries follow the level (its latest with data), as the page says.
        if not Vintage.objects.filter(code=vintage).exclude(level_id=level).exists():
            raise Http404(_("No data for this vintage."))
        vintage = latest
    years = vintages[vintage]["years"]
    year_param = request.GET.get("year")
    if year_param:
        try:
            year = int(year_param)
        except ValueError as err:
            raise Http404(_("Invalid year.")) from err
        if year not in years:
            other = {y for v in vintages.values() for y in v["years"]}
            if year not in other:
                raise Http404(_("No data for this year."))
            # The year has data with other boundaries (the visitor changed the boundaries in the
            # form and kept the year): show these boundaries' latest year, as the page says.
            year = max(years)
    else:
        year = max(years)
    group = request.GET.get("group", default["group"])
    if group and group not in cov["groups"]:
        raise Http404(_("No data for this group."))
    colour = request.GET.get("colour") or ""
    if colour not in ("", "value", "compare"):
        raise Http404(_("Unknown colouring."))
    benchmark = request.GET.get("benchmark") or ""
    if benchmark and benchmark not in queries.BENCHMARKS:
        raise Http404(_("Unknown benchmark."))
    return {
        "level": level,
        # the level the areas are stored under (their own pages are found there)
        "area_level": queries.stored_level(level),
        "benchmark": benchmark,
        "vintage": vintage,
        "year": year,
        "group": group,
        "colour": colour,
        # the area whose population groups are shown (empty: the whole city)
        "breakdown": request.GET.get("breakdown", ""),
    }


_SELECTION_KEYS = ("level", "vintage", "year", "group", "colour", "breakdown", "benchmark")


def _query(sel: dict[str, Any], **extra) -> str:
    params = {k: sel[k] for k in _SELECTION_KEYS if sel.get(k)}
    params.update({k: v for k, v in extra.items() if v})
    items = []
    for k, v in params.items():
        if isinstance(v, list | tuple):
            items.extend((k, x) for x in v)
        else:
            items.append((k, v))
    return urlencode(items)


def _bridge_note(ind: Indicator, level: str, cov: dict[str, Any]) -> dict[str, Any] | None:
    """What the URL's level looks like across boundary changes, and how (if) it is bridged."""
    lv = next((x for x in cov["levels"] if x["level"] == level), None)
    if not lv or len(lv["vintages"]) < 2:
        return None
    names = _vintage_names(level)
    spans = [
        {
            "vintage": v["vintage"],
            "name": names.get(v["vintage"], v["vintage"]),
            "first": min(v["years"]),
            "last": max(v["years"]),
        }
        for v in lv["vintages"]
    ]
    bases = {k: str(label) for k, label in AreaLink.BASES}
    links = [
        {**link, "label": bases.get(link["basis"], link["basis"])}
        for link in queries.vintage_links(level, [v["vintage"] for v in lv["vintages"]])
    ]
    return {"spans": spans, "links": links}


# ------------------------------------------------------------------------------------------
# start


def _latest_rows(indicators) -> list[dict[str, Any]]:
    rows = []
    for ind in indicators:
        cell = queries.city_cell(ind.id)
        rows.append(
            {
                "domain": ind.domain_id,
                "indicator": ind.id,
                "name": ind.name,
                "unit": ind.unit,
                "year": cell["year"] if cell else None,
                "value": cell["value"] if cell else None,
                "lower": cell["lower"] if cell else None,
                "upper": cell["upper"] if cell else None,
                "status": cell["status"] if cell else "missing",
            }
        )
    return rows


def _indicators_with_data() -> set[str]:
    def compute():
        return sorted(
            set(queries.observations().values_list("indicator_id", flat=True).order_by().distinct())
        )

    return set(queries.cached("indicators-with-data", compute=compute))


@cached_page
def start(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    """The five domains, their indicators with the latest city value, and what is missing."""
    domains = list(Domain.objects.all())
    indicators = list(
        Indicator.objects.filter(published=True)
        .select_related("domain")
        .order_by("domain__order", "order", "id")
    )
    with_data = _indicators_with_data()
    rows = _latest_rows(indicators)
    row_by_id = {r["indicator"]: r for r in rows}
    sections = []
    for d in domains:
        inds = [i for i in indicators if i.domain_id == d.id]
        sections.append(
            {
                "domain": d,
                "indicators": [
                    {"indicator": i, "row": row_by_id[i.id]} for i in inds if i.id in with_data
                ],
                "missing": [i for i in inds if i.id not in with_data],
            }
        )
    data = {
        "domains": [
            {
                "id": s["domain"].id,
                "name": s["domain"].name,
                "indicators": [x["row"] for x in s["indicators"]],
                "missing": [
                    {"indicator": i.id, "name": i.name, "external_ids": i.external_ids}
                    for i in s["missing"]
                ],
            }
            for s in sections
        ]
    }
    page = Page(
        "public/start.html",
        {"sections": sections, "city": queries.city_area()},
        data,
        [r for r in rows if r["indicator"] in with_data],
        ["domain", "indicator", "name", "unit", "year", "value", "lower", "upper", "status"],
        "skillnader-indicators",
    )
    return respond(request, page, fmt)


# ------------------------------------------------------------------------------------------
# domain


def _benchmark_key(ind: Indicator, sel: dict[str, Any]) -> str:
    """The benchmark of the selection: the visitor's choice, else the level's default (see
    :func:`queries.default_benchmark`)."""
    return sel.get("benchmark") or queries.default_benchmark(
        sel["level"], queries.benchmarks_with_data(ind.id)
    )


def _highlighted(sel: dict[str, Any]) -> str:
    """The area code shown highlighted among the level's areas: the city among kommuner."""
    return queries.CITY_CODE if sel["level"] in (queries.REGION_LEVEL, queries.CITY_LEVEL) else ""


def _map_rows(ind: Indicator, sel: dict[str, Any]) -> tuple[list[dict], dict | None]:
    """All areas of the selected level/vintage with their cell and comparison with the
    benchmark (the city for its parts, the country for kommuner, or the visitor's choice)."""
    cells = queries.level_cells(ind.id, sel["level"], sel["vintage"], sel["year"], sel["group"])
    city = queries.benchmark_cell(ind.id, _benchmark_key(ind, sel), sel["year"], sel["group"])
    by_code = {c["code"]: c for c in cells}
    ranks = queries.rank_cells(cells, ind.polarity, ind.measure)
    highlight = _highlighted(sel)
    rows = []
    for a in queries.level_areas(sel["level"], sel["vintage"]):
        c = by_code.get(a["code"])
        rows.append(
            {
                "code": a["code"],
                "name": display_name(a),
                "geometry": a["geometry"],
                "lon": a["lon"],
                "lat": a["lat"],
                "period": c["period"] if c else None,
                "value": c["value"] if c else None,
                "lower": c["lower"] if c else None,
                "upper": c["upper"] if c else None,
                "status": c["status"] if c else "missing",
                "comparison": queries.compare_to_city(c, city, ind.polarity, ind.measure),
                "rank": ranks.get(a["code"]),
                "provisional": c["provisional"] if c else False,
                "highlight": a["code"] == highlight,
            }
        )
    return rows, city


def _map_spec(ind: Indicator, sel: dict, rows: list[dict], city: dict | None, small=False):
    # Comparison colours only say something when areas have intervals to compare.
    comparable = {"better", "similar", "worse", "higher", "lower"}
    colour = sel.get("colour") or (
        "compare" if any(r["comparison"] in comparable for r in rows) else "value"
    )
    level_name = _level_names().get(sel["level"], sel["level"])
    title = f"{ind.name}, {level_name} {sel['year']}"
    benchmark = _benchmark_key(ind, sel)
    rows = [
        {**r, "href": reverse("public:area", args=[sel["area_level"], sel["vintage"], r["code"]])}
        for r in rows
    ]
    return vegalite.choropleth(
        rows,
        mode=colour,
        title="" if small else title,
        description=_("Map of %(indicator)s by %(level)s, %(year)s")
        % {"indicator": ind.name, "level": level_name, "year": sel["year"]},
        unit=unit_label(ind.unit, lang()),
        decimals=ind.decimals,
        decimal_sep=charts.decimal_sep(),
        labels=charts.labels(benchmark),
        legend_title=_compared_with(benchmark)
        if colour == "compare"
        else unit_label(ind.unit, lang()),
        width=260 if small else 560,
        height=220 if small else 460,
    ), colour


def _compared_with(benchmark: str) -> str:
    if benchmark == "city":
        return _("Compared with the city")
    return _("Compared with %(benchmark)s") % {
        "benchmark": charts.benchmark_names().get(benchmark, benchmark)
    }


@cached_page
def domain(request: HttpRequest, domain_id: str, fmt: str | None = None) -> HttpResponse:
    """A domain's indicators, each with a small map, the city value and the gap between areas."""
    dom = get_object_or_404(Domain, pk=domain_id)
    indicators = list(Indicator.objects.filter(domain=dom, published=True).order_by("order", "id"))
    with_data = _indicators_with_data()
    items, rows, missing = [], [], []
    for ind in indicators:
        if ind.id not in with_data:
            missing.append(ind)
            continue
        cov = queries.coverage(ind.id)
        sel = _default_selection(cov)
        city = queries.city_cell(ind.id)
        # Only areas inside the city make a map of the city: an indicator published for the
        # country's municipalities only would otherwise draw all of Sweden here.
        inside = _below_city(cov, sel["level"]) or sel["level"] == queries.REGION_LEVEL
        map_rows, city_same_year = _map_rows(ind, sel) if inside else ([], None)
        cells = [r for r in map_rows if r["value"] is not None]
        spread = queries.spread(cells, ind.measure) if cells else None
        spec = None
        if any(r["geometry"] for r in map_rows):
            simple = queries.simplified_geometries(sel["level"], sel["vintage"], 300)
            small_rows = [{**r, "geometry": simple.get(r["code"], r["geometry"])} for r in map_rows]
            spec, _colour = _map_spec(ind, sel, small_rows, city_same_year, small=True)
        row = {
            "indicator": ind.id,
            "name": ind.name,
            "unit": ind.unit,
            "year": city["year"] if city else None,
            "value": city["value"] if city else None,
            "lower": city["lower"] if city else None,
            "upper": city["upper"] if city else None,
            "status": city["status"] if city else "missing",
            "level": sel["level"],
            "vintage": sel["vintage"],
            "level_year": sel["year"],
            "areas": spread["n"] if spread else 0,
            "lowest": spread["min"] if spread else None,
            "highest": spread["max"] if spread else None,
            "ratio_highest_lowest": spread["ratio"] if spread else None,
        }
        rows.append(row)
        items.append(
            {
                "indicator": ind,
                "row": row,
                "spec": charts.for_web(spec) if spec else None,
                "spec_id": f"map-{ind.id}",
                # Without boundaries a short list of the areas, or (for hundreds of areas) the
                # lowest and highest with a link to the indicator's table.
                "list": map_rows if spec is None and len(map_rows) <= SHORT_LIST else None,
                "extremes": _extremes(map_rows)
                if spec is None and len(map_rows) > SHORT_LIST
                else None,
                "city_only": not inside,
                "query": _query(sel),
                "level_name": _level_names().get(sel["level"], sel["level"]),
            }
        )
    data = {
        "domain": {"id": dom.id, "name": dom.name},
        "indicators": rows,
        "missing": [
            {"indicator": i.id, "name": i.name, "external_ids": i.external_ids} for i in missing
        ],
    }
    page = Page(
        "public/domain.html",
        {"domain": dom, "items": items, "missing": missing},
        data,
        rows,
        list(rows[0].keys()) if rows else ["indicator"],
        f"skillnader-{dom.id}",
    )
    return respond(request, page, fmt)


# ------------------------------------------------------------------------------------------
# indicator


def _trend_series(ind: Indicator, sel: dict, rows: list[dict], city: dict | None, request):
    """The benchmark plus the chosen areas (``?trend=code``; default: the highlighted area —
    the city among kommuner — and the highest and lowest)."""
    codes = [c for c in request.GET.getlist("trend") if c]
    areas = {a["code"]: a for a in queries.level_areas(sel["level"], sel["vintage"])}
    if not codes:
        ok = [r for r in rows if r["value"] is not None]
        highlight = _highlighted(sel)
        if highlight in areas:
            codes.append(highlight)
        if ok:
            hi = max(ok, key=lambda r: (r["value"], r["code"]))
            lo = min(ok, key=lambda r: (r["value"], r["code"]))
            codes += [c for c in (hi["code"], lo["code"]) if c not in codes]
    codes = [c for c in codes if c in areas][:5]
    series = []
    key = _benchmark_key(ind, sel)
    bench_area = queries.benchmark_area(key)
    if bench_area:
        for c in queries.benchmark_cells(ind.id, key, sel["group"]):
            series.append({"series": display_name(bench_area), **_trend_point(c)})
    codes = [c for c in codes if not bench_area or c != bench_area["code"]]
    cells = queries.area_series(ind.id, [areas[c]["id"] for c in codes], sel["group"])
    for c in cells:
        series.append({"series": display_name(c), **_trend_point(c)})
    return series, codes


def _trend_point(c: dict) -> dict:
    return {
        "code": c["code"],
        "year": c["year"],
        "period": c["period"],
        "value": c["value"],
        "lower": c["lower"],
        "upper": c["upper"],
        "status": c["status"],
        "break_in_series": c["break_in_series"],
    }


def _group_rows(ind: Indicator, sel: dict) -> tuple[list[dict], dict | None, dict | None]:
    """The population groups of the chosen area (``?breakdown=code`` of an area of the selected
    level) or of the whole city: rows, the everyone cell and the area."""
    code = sel.get("breakdown") or ""
    if code:
        if code not in queries.group_areas(ind.id, sel["level"], sel["vintage"], sel["year"]):
            raise Http404(_("No breakdown by population group for this area and year."))
        area = next(
            a for a in queries.level_areas(sel["level"], sel["vintage"]) if a["code"] == code
        )
        total = next(
            (
                c
                for c in queries.level_cells(ind.id, sel["level"], sel["vintage"], sel["year"], "")
                if c["code"] == code
            ),
            None,
        )
    else:
        area = queries.city_area()
        if not area:
            return [], None, None
        total = queries.city_cell(ind.id, sel["year"], "")
    labels = queries.group_labels()
    key = "en" if lang() == "en" else "sv"
    out = []
    for c in queries.group_cells(ind.id, area["id"], sel["year"]):
        lab = labels.get(c["group"], {})
        out.append(
            {
                "group": c["group"],
                "dimension": lab.get(f"dimension_{key}", c["group"]),
                "label": lab.get(key, c["group"]),
                "value": c["value"],
                "lower": c["lower"],
                "upper": c["upper"],
                "status": c["status"],
            }
        )
    out.sort(key=lambda r: (r["dimension"], r["group"]))
    return out, total, area


def _indicator_state(request: HttpRequest, ind: Indicator) -> dict[str, Any]:
    cov = queries.coverage(ind.id)
    sel = _selection(request, cov)
    state: dict[str, Any] = {"coverage": cov, "selection": sel}
    if sel is None:
        return state
    rows, city = _map_rows(ind, sel)
    state["rows"], state["city"] = rows, city
    state["trend"], state["trend_codes"] = _trend_series(ind, sel, rows, city, request)
    state["groups"], state["total"], state["group_area"] = _group_rows(ind, sel)
    return state


#: Boundaries on an indicator's map are simplified to a tolerance of the level's extent divided
#: by this: the map is 560 CSS pixels wide, drawn at twice that on high-density screens.
MAP_PIXELS = 1120


def _indicator_specs(ind: Indicator, state: dict[str, Any]) -> dict[str, dict]:
    sel, rows, city = state["selection"], state["rows"], state["city"]
    benchmark = _benchmark_key(ind, sel)
    lab = charts.labels(benchmark)
    level_name = _level_names().get(sel["level"], sel["level"])
    specs = {}
    if any(r["geometry"] for r in rows):
        # The 560-pixel map gets boundaries simplified to one device pixel of a high-density
        # screen: the same drawing with 33-61 % fewer bytes of boundaries than stored (bundled
        # kommuner, RegSO, basområden, valdistrikt).
        simple = queries.simplified_geometries(sel["level"], sel["vintage"], MAP_PIXELS)
        drawn = [{**r, "geometry": simple.get(r["code"], r["geometry"])} for r in rows]
        specs["map"], state["colour"] = _map_spec(ind, sel, drawn, city)
        _drop_unused_map_properties(specs["map"], state["colour"])
    city_area = queries.benchmark_area(benchmark)
    highlighted = [r["name"] for r in rows if r.get("highlight")]
    ranked = _bars_rows(rows)
    description = _bars_description(benchmark, _has_intervals(rows), highlighted)
    if len(ranked) < len(rows):
        description += " " + _(
            "With %(total)s areas, the chart shows the %(n)s highest and the %(n)s lowest; "
            "every area is in the table."
        ) % {"total": len(rows), "n": BARS_AT_EACH_END}
    specs["bars"] = vegalite.ranked_bars(
        ranked,
        city_value=city["value"] if city else None,
        city_label=display_name(city_area) if city_area else _("City"),
        title=_("%(indicator)s by %(level)s, %(year)s")
        % {"indicator": ind.name, "level": level_name, "year": sel["year"]},
        description=description,
        highlight=highlighted,
        unit=unit_label(ind.unit, lang()),
        decimals=ind.decimals,
        polarity=ind.polarity,
        labels=lab,
        lang=lang(),
    )
    breaks = sorted({p["year"] for p in state["trend"] if p["break_in_series"]})
    specs["trend"] = vegalite.trend(
        state["trend"],
        title=_("Trend: %(indicator)s") % {"indicator": ind.name},
        description=(
            _("Values over time with 95% interval bands.")
            if _has_intervals(state["trend"])
            else _("Values over time (the indicator has no intervals).")
        ),
        unit=unit_label(ind.unit, lang()),
        decimals=ind.decimals,
        labels=lab,
        breaks=breaks,
        series_order=[display_name(city_area)] if city_area else [],
        lang=lang(),
    )
    if state["groups"]:
        total = state["total"]
        specs["groups"] = vegalite.group_breakdown(
            [{**g, "group": g["label"]} for g in state["groups"]],
            total_value=total["value"] if total else None,
            total_label=_("Everyone"),
            title=_("%(indicator)s by population group, %(area)s, %(year)s")
            % {
                "indicator": ind.name,
                "area": display_name(state["group_area"]),
                "year": sel["year"],
            },
            description=_("Values by group with 95% intervals; dashed line: everyone."),
            unit=unit_label(ind.unit, lang()),
            decimals=ind.decimals,
            labels=lab,
            lang=lang(),
        )
    return specs


#: Above this many areas the indicator's table is searchable and shown a page at a time, and the
#: ranking chart draws the highest and lowest areas only (valdistrikt: 573 areas).
MANY_AREAS = 40
#: Areas drawn at either end of the ranking when there are more than ``MANY_AREAS``.
BARS_AT_EACH_END = 10
#: Rows per page of a long table.
TABLE_PAGE_SIZE = 25
#: Above this many parts (the city's RegSO) an area page's small multiples show the
#: ``PARTS_AT_EACH_END`` highest and lowest parts of each indicator.
MANY_PARTS = 15
PARTS_AT_EACH_END = 5


def _bars_rows(
    rows: list[dict], many: int = MANY_AREAS, at_each_end: int = BARS_AT_EACH_END
) -> list[dict]:
    """The rows a ranking chart draws: all of them, or for more than ``many`` areas the
    ``at_each_end`` highest and lowest values (highest first) and any highlighted area."""
    if len(rows) <= many:
        return rows
    valued = sorted(
        (r for r in rows if r["value"] is not None), key=lambda r: (-r["value"], r["name"])
    )
    keep = set(range(at_each_end)) | set(range(len(valued) - at_each_end, len(valued)))
    return [r for i, r in enumerate(valued) if i in keep or r.get("highlight")]


_SWEDISH_LETTERS = str.maketrans({"å": "{0", "ä": "{1", "ö": "{2", "é": "e", "ü": "y"})


def natural_key(name: str) -> tuple:
    """Sort key for area names: numbers by value (Distrikt 2 before Distrikt 10), letters
    case-insensitively with å, ä and ö after z."""
    parts = re.split(r"(\d+)", name.casefold().translate(_SWEDISH_LETTERS))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


#: The properties of a map's areas that the drawn map reads (colour, tooltip, link, the text
#: read out by screen readers, and the code that names the area). The value, status and
#: comparison are in the table and the JSON twin; the map does not carry them a second time.
_MAP_PROPERTIES = ("code", "name", "display", "class", "href")


def _drop_unused_map_properties(spec: dict, colour: str) -> None:
    layer = spec["layer"][0]
    features = layer["data"]["values"]
    keep = _MAP_PROPERTIES + (("comparison_label",) if colour == "compare" else ())
    # Each area's link is its level's and vintage's address plus its code: the map computes it
    # from the code rather than carrying the address in every area.
    first = features[0]["properties"] if features else {}
    suffix = f"{first.get('code')}/"
    prefix = first["href"][: -len(suffix)] if first.get("href", "").endswith(suffix) else ""
    computed = bool(prefix) and all(
        f["properties"].get("href") == f"{prefix}{f['properties']['code']}/" for f in features
    )
    if computed:
        keep = tuple(k for k in keep if k != "href")
        layer.setdefault("transform", []).append(
            {
                "calculate": f"{json.dumps(prefix)} + datum.properties.code + '/'",
                "as": "properties.href",
            }
        )
    for feature in features:
        props = feature["properties"]
        feature["properties"] = {k: props[k] for k in keep if k in props}


def _bars_description(benchmark: str, intervals: bool, highlighted: list[str]) -> str:
    if benchmark == "city":
        text = (
            _("Areas ranked by value with 95% intervals; dashed line: the city.")
            if intervals
            else _("Areas ranked by value (the indicator has no intervals); dashed line: the city.")
        )
    else:
        name = charts.benchmark_names().get(benchmark, benchmark)
        text = (
            _("Areas ranked by value with 95%% intervals; dashed line: %(benchmark)s.")
            if intervals
            else _(
                "Areas ranked by value (the indicator has no intervals); dashed line: "
                "%(benchmark)s."
            )
        ) % {"benchmark": name}
    if highlighted:
        text += " " + _("%(area)s is marked with a thick outline.") % {
            "area": ", ".join(highlighted)
        }
    return text


def _has_intervals(rows: list[dict]) -> bool:
    return any(r.get("lower") is not None for r in rows)


def _inequality_measures(decimals: int) -> list[tuple[str, str, int]]:
    """(column, label, decimals) of the inequality measures shown on the indicator page."""
    return [
        ("range", _("Range (highest − lowest)"), decimals),
        ("ratio_extremes", _("Highest / lowest"), 2),
        ("ratio_p90_p10", _("P90 / P10"), 2),
        ("coefficient_of_variation", _("Coefficient of variation"), 3),
        ("gini", _("Gini coefficient"), 3),
        ("theil_t", _("Theil index"), 3),
    ]


def _inequality_rows(series: list[dict], decimals: int) -> list[dict]:
    measures = _inequality_measures(decimals)
    return [
        {
            "period": r["period"],
            "n": r["n_areas"],
            "cells": [
                {
                    "value": r[col],
                    "lower": r.get(f"{col}_lower"),
                    "upper": r.get(f"{col}_upper"),
                    "decimals": dec,
                }
                for col, _label, dec in measures
            ],
        }
        for r in series
    ]


@cached_page
def indicator(request: HttpRequest, indicator_id: str, fmt: str | None = None) -> HttpResponse:
    """One indicator: map, ranked bars, trend, groups, definition and downloads."""
    ind = get_object_or_404(
        Indicator.objects.select_related("domain"), pk=indicator_id, published=True
    )
    state = _indicator_state(request, ind)
    sel = state["selection"]
    level_names = _level_names()
    data: dict[str, Any] = {"indicator": _indicator_dict(ind), "selection": sel}
    if sel is not None:
        data["selection"] = {**sel, "benchmark": _benchmark_key(ind, sel)}
    context: dict[str, Any] = {
        "indicator": ind,
        "selection": sel,
        "level_names": level_names,
        "terms": indicator_terms(ind),
    }
    table: list[dict[str, Any]] = []
    if sel is not None:
        specs = _indicator_specs(ind, state)
        city = state["city"]
        table = [
            {
                "area": r["code"],
                "area_name": r["name"],
                "level": sel["level"],
                "vintage": sel["vintage"],
                "year": sel["year"],
                "period": r["period"],
                "group": sel["group"],
                "value": r["value"],
                "lower": r["lower"],
                "upper": r["upper"],
                "status": r["status"],
                "comparison": r["comparison"],
                "rank": r["rank"],
                "highlight": r["highlight"],
            }
            for r in state["rows"]
        ]
        benchmark = _benchmark_key(ind, sel)
        bench_area = queries.benchmark_area(benchmark)
        bench_names = charts.benchmark_names()
        cov = state["coverage"]
        lv = next(x for x in cov["levels"] if x["level"] == sel["level"])
        vint = next(v for v in lv["vintages"] if v["vintage"] == sel["vintage"])
        group_labels = queries.group_labels()
        gkey = "en" if lang() == "en" else "sv"
        options = {
            "levels": [
                {"id": x["level"], "name": level_names.get(x["level"], x["level"])}
                for x in cov["levels"]
            ],
            "vintages": [
                {
                    "id": v["vintage"],
                    "name": _vintage_names(sel["level"]).get(v["vintage"], v["vintage"]),
                }
                for v in lv["vintages"]
            ],
            "years": vint["years"],
            "groups": [
                {"id": g, "name": group_labels.get(g, {}).get(gkey) or g or _("Everyone")}
                for g in cov["groups"]
            ],
            "benchmarks": [
                {"id": b, "name": bench_names[b]} for b in queries.benchmarks_with_data(ind.id)
            ],
        }
        bridge = _bridge_note(ind, sel["level"], cov)
        finding = next(iter(queries.findings(ind.id)), None)
        level_areas = queries.level_areas(sel["level"], sel["vintage"])
        inequality = queries.inequality_series(ind.id, sel["level"], sel["vintage"], sel["group"])
        with_groups = set(queries.group_areas(ind.id, sel["level"], sel["vintage"], sel["year"]))
        suppressed = [r for r in state["rows"] if r["status"] == "suppressed"]
        data.update(
            {
                "benchmark": {
                    "key": benchmark,
                    "name": bench_names.get(benchmark, benchmark),
                    "area": bench_area
                    and {"level": bench_area["level"], "code": bench_area["code"]},
                    "cell": _cell_out(city),
                },
                "highlighted": [r["area"] for r in table if r["highlight"]],
                # the benchmark's cell, under its former name
                "city": _cell_out(city),
                "areas": table,
                "trend": state["trend"],
                "groups": state["groups"],
                "groups_area": state["group_area"]
                and {
                    "code": state["group_area"]["code"],
                    "name": display_name(state["group_area"]),
                },
                "options": options,
                "bridge": bridge,
                "finding": finding,
                "inequality": inequality,
            }
        )
        q = _query(sel, trend=request.GET.getlist("trend"))
        context.update(
            {
                "city": city,
                "city_area": queries.city_area(),
                "benchmark": benchmark,
                "benchmark_area": bench_area,
                "benchmark_name": bench_names.get(benchmark, benchmark),
                "compared_with": _compared_with(benchmark),
                "rows": [
                    {**r, "comparison_text": charts.labels(benchmark).get(r["comparison"], "")}
                    for r in sorted(state["rows"], key=lambda r: natural_key(r["name"]))
                ],
                "page_size": TABLE_PAGE_SIZE if len(state["rows"]) > MANY_AREAS else 0,
                # the benchmark as the table's last row, unless it is one of the areas
                # kommuner are compared with the country; without its value, with the city
                "benchmark_fallback": not sel.get("benchmark")
                and sel["level"] in (queries.REGION_LEVEL, queries.CITY_LEVEL)
                and benchmark != "country",
                "show_benchmark_row": bool(bench_area)
                and bench_area["code"] not in {r["code"] for r in state["rows"]},
                "trend": state["trend"],
                "trend_codes": state["trend_codes"],
                "groups": state["groups"],
                "group_area": state["group_area"],
                "group_area_options": [a for a in level_areas if a["code"] in with_groups],
                "specs": {k: charts.for_web(v) for k, v in specs.items()},
                "colour": state.get("colour"),
                "options": options,
                "bridge": bridge,
                "finding": finding,
                "inequality_rows": _inequality_rows(inequality, ind.decimals),
                "inequality_measures": _inequality_measures(ind.decimals),
                "finding_sentence": (
                    finding
                    and (finding["sentence_en"] if lang() == "en" else finding["sentence_sv"])
                ),
                "suppressed": suppressed,
                "has_intervals": _has_intervals(state["rows"]),
                "query": q,
                "level_name": level_names.get(sel["level"], sel["level"]),
                "vintage_name": _vintage_names(sel["level"]).get(sel["vintage"], sel["vintage"]),
                "all_areas": sorted(level_areas, key=lambda a: natural_key(display_name(a))),
            }
        )
    page = Page(
        "public/indicator.html",
        context,
        data,
        table,
        [
            "area",
            "area_name",
            "level",
            "vintage",
            "year",
            "period",
            "group",
            "value",
            "lower",
            "upper",
            "status",
            "comparison",
            "rank",
            "highlight",
        ],
        f"skillnader-{ind.id}",
    )
    return respond(request, page, fmt)


@cached_page
def indicator_chart(request: HttpRequest, indicator_id: str, kind: str) -> HttpResponse:
    """A chart of the indicator page as a static SVG (the no-JavaScript fallback)."""
    if kind not in CHART_KINDS:
        raise Http404(kind)
    ind = get_object_or_404(Indicator, pk=indicator_id, published=True)
    state = _indicator_state(request, ind)
    if state["selection"] is None:
        raise Http404(_("No data."))
    specs = _indicator_specs(ind, state)
    if kind not in specs:
        raise Http404(kind)
    return HttpResponse(charts.render_svg(specs[kind]), content_type="image/svg+xml")


# ------------------------------------------------------------------------------------------
# area profile


def _profile(area: Area) -> list[dict[str, Any]]:
    """Every indicator with data for the area: latest value, city, comparison, rank, spread."""
    level = area.level_id
    # The district's series continue across boundary vintages where its boundary is unchanged.
    cells_by_ind = districts.continued_cells(area)
    inds = {
        i.id: i
        for i in Indicator.objects.filter(published=True, id__in=list(cells_by_ind)).order_by(
            "domain__order", "order", "id"
        )
    }
    out = []
    for ind_id, ind in inds.items():
        series = cells_by_ind[ind_id]
        latest = next((c for c in reversed(series) if c["value"] is not None), series[-1])
        year, vintage = latest["year"], latest["vintage"]
        level_cells = queries.level_cells(ind_id, level, vintage, year, "")
        spread = queries.spread(level_cells, ind.measure)
        city = queries.city_cell(ind_id, year, "")
        ranks = queries.rank_cells(level_cells, ind.polarity, ind.measure)
        out.append(
            {
                "indicator": ind,
                "cell": latest,
                "year": year,
                "city": city,
                "comparison": queries.compare_to_city(latest, city, ind.polarity, ind.measure),
                "rank": ranks.get(latest["code"]),
                "n": len(ranks),
                "spread": spread,
                "vintage": vintage,
                "series": series[-10:],
                "trend": _trend_or_reason(series, ind),
                "city_series": {c["year"]: c for c in queries.city_cells("").get(ind_id, [])},
            }
        )
    return out


def _trend_or_reason(series: list[dict[str, Any]], ind: Indicator) -> dict[str, Any] | None:
    """The recent-trend marker, or why there is none when the series has two or more values."""
    found = queries.trend(series, ind.polarity)
    if found is not None:
        return found
    values = [c for c in series if c["value"] is not None]
    if len(values) < 2:
        return None
    reason = "no_interval" if all(c["lower"] is None for c in values) else "too_few"
    return {
        "marker": "cannot_be_calculated",
        "assessment": None,
        "points": len(values),
        "reason": reason,
    }


def _area_or_404(level: str, vintage: str, code: str) -> Area:
    return get_object_or_404(
        Area.objects.select_related("level", "vintage", "parent"),
        level_id=level,
        vintage__code=vintage,
        code=code,
    )


def _parts(a: Area) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The areas inside ``a`` by level, and a small multiple (one ranked chart per indicator)
    of the level of parts with the most indicators."""
    parts = districts.sub_areas(a)
    best, best_cells = None, {}
    for g in parts:
        cells = districts.part_cells(g)
        if len(cells) > len(best_cells):
            best, best_cells = g, cells
    multiples = []
    if best is not None:
        inds = {
            i.id: i
            for i in Indicator.objects.filter(published=True, id__in=list(best_cells)).order_by(
                "domain__order", "order", "id"
            )
        }
        city_area = queries.city_area()
        for ind in inds.values():
            cells = best_cells[ind.id]
            years = sorted({c["year"] for c in cells})
            year = years[-1]
            shown = [c for c in cells if c["year"] == year]
            city = queries.city_cell(ind.id, year, "")
            rows = [
                {
                    "name": display_name(c),
                    "value": c["value"],
                    "lower": c["lower"],
                    "upper": c["upper"],
                    "status": c["status"],
                    "comparison": queries.compare_to_city(c, city, ind.polarity, ind.measure),
                }
                for c in shown
            ]
            # The city's 127 RegSO: the highest and lowest few; the indicator's page has all.
            total = len(rows)
            rows = _bars_rows(rows, MANY_PARTS, PARTS_AT_EACH_END)
            description = _("%(indicator)s in the parts of the area (%(level)s), %(year)s") % {
                "indicator": ind.name,
                "level": best["level_name"],
                "year": year,
            }
            if len(rows) < total:
                description += ": " + _("the %(n)s highest and the %(n)s lowest of %(total)s") % {
                    "n": PARTS_AT_EACH_END,
                    "total": total,
                }
            spec = vegalite.ranked_bars(
                rows,
                city_value=city["value"] if city else None,
                city_label=display_name(city_area) if city_area else _("City"),
                title=f"{ind.name}, {year}",
                description=description,
                unit=unit_label(ind.unit, lang()),
                decimals=ind.decimals,
                polarity=ind.polarity,
                labels=charts.labels(),
                width=300,
                lang=lang(),
            )
            multiples.append(
                {
                    "indicator": ind,
                    "year": year,
                    "rows": rows,
                    "spec": charts.for_web(spec),
                    "spec_id": f"part-{ind.id}",
                    "total": total,
                    "level": best["level"],
                    "vintage": best["vintage"],
                }
            )
    return parts, multiples


@cached_page
def area(
    request: HttpRequest, level: str, vintage: str, code: str, fmt: str | None = None
) -> HttpResponse:
    """Area profile: every indicator against the city (spine chart), trends, rank, neighbours."""
    a = _area_or_404(level, vintage, code)
    items = _profile(a)
    dsep = charts.decimal_sep()
    spine_rows = []
    for it in items:
        ind, cell, sp = it["indicator"], it["cell"], it["spread"]
        display = (
            vegalite.format_number(cell["value"], ind.decimals, dsep)
            if cell["value"] is not None
            else charts.labels()[cell["status"]]
        )
        spine_rows.append(
            {
                "indicator": f"{ind.name} ({it['year']})",
                "value": cell["value"],
                "city": it["city"]["value"] if it["city"] else None,
                "min": sp["min"] if sp else None,
                "q25": sp["q25"] if sp else None,
                "q75": sp["q75"] if sp else None,
                "max": sp["max"] if sp else None,
                "polarity": ind.polarity,
                "comparison": it["comparison"],
                "display": display,
            }
        )
    name = a.name_en if lang() == "en" and a.name_en else a.name
    spec = (
        vegalite.spine(
            spine_rows,
            title=_("%(area)s compared with the city") % {"area": name},
            description=_(
                "Spine chart: the city is the centre line, the light bar the range of all areas, "
                "the dark bar the middle half; worse is on the left."
            ),
            labels=charts.labels(),
            lang=lang(),
        )
        if spine_rows
        else None
    )
    neighbours = queries.neighbours(level, vintage, code)
    # Domains with data on the site but none for this area (health is published per kommun
    # only): named on the page, so that a district's reader knows they are not forgotten.
    shown_domains = {it["indicator"].domain_id for it in items}
    with_data = set(
        Indicator.objects.filter(published=True, id__in=_indicators_with_data()).values_list(
            "domain_id", flat=True
        )
    )
    missing_domains = [
        d for d in Domain.objects.order_by("order") if d.id in with_data - shown_domains
    ]
    chain = districts.chain_areas(a)
    merged = districts.merges(a)
    parts, multiples = _parts(a)
    alike = similar.similar(a, [i for i in request.GET.getlist("bg") if i])
    alike_refs = "&".join(
        f"a={level}/{vintage}/{x}" for x in [a.code, *(s["code"] for s in alike["areas"])]
    )
    rows = [
        {
            "indicator": it["indicator"].id,
            "name": it["indicator"].name,
            "year": it["year"],
            "vintage": it["vintage"],
            "value": it["cell"]["value"],
            "lower": it["cell"]["lower"],
            "upper": it["cell"]["upper"],
            "status": it["cell"]["status"],
            "city_value": it["city"]["value"] if it["city"] else None,
            "comparison": it["comparison"],
            "rank": it["rank"],
            "areas_ranked": it["n"],
            "trend": it["trend"]["marker"] if it["trend"] else None,
            "trend_assessment": it["trend"]["assessment"] if it["trend"] else None,
        }
        for it in items
    ]
    data = {
        "area": {
            "level": level,
            "vintage": vintage,
            "code": a.code,
            "name": name,
            "parent": a.parent.code if a.parent else None,
        },
        "indicators": rows,
        "neighbours": [{"code": n["code"], "name": display_name(n)} for n in neighbours],
        "domains_without_data": [d.id for d in missing_domains],
        **{
            key: [
                {"level": m["level"], "vintage": m["vintage"], "code": m["code"]}
                for m in merged[key]
            ]
            for key in ("formed_from", "part_of")
        },
        "vintages": [
            {"vintage": c["vintage"], "code": c["code"], "basis": c["basis"]} for c in chain
        ],
        "similar": {
            "method": "standardised Euclidean distance (Kolada, liknande kommuner)",
            "background": [
                {"indicator": o["indicator"], "year": o["year"]}
                for o in alike["options"]
                if o["indicator"] in alike["used"]
            ],
            "areas": [
                {"code": s["code"], "name": display_name(s["area"]), "distance": s["distance"]}
                for s in alike["areas"]
            ],
        },
        "parts": [
            {
                "level": g["level"],
                "vintage": g["vintage"],
                "areas": [{"code": x["code"], "name": display_name(x)} for x in g["areas"]],
            }
            for g in parts
        ],
    }
    page = Page(
        "public/area.html",
        {
            "area": a,
            "area_name": name,
            "items": items,
            "spec": charts.for_web(spec) if spec else None,
            "neighbours": neighbours,
            "level_name": a.level.name,
            "vintage_name": a.vintage.name,
            "chain": chain if len(chain) > 1 else [],
            "parts": parts,
            "multiples": multiples,
            "alike": alike,
            "alike_refs": alike_refs,
            "missing_domains": missing_domains,
            "merged": merged,
        },
        data,
        rows,
        list(rows[0].keys()) if rows else ["indicator"],
        f"skillnader-{level}-{vintage}-{code}",
    )
    return respond(request, page, fmt)


# ------------------------------------------------------------------------------------------
# compare and search


@cached_page
def compare(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    """Two or more areas side by side (``?a=level/vintage/code`` repeated)."""
    refs = [r for r in request.GET.getlist("a") if r][:8]
    chosen = []
    for ref in refs:
        parts = ref.split("/")
        if len(parts) != 3:
            raise Http404(_("Areas are given as level/vintage/code."))
        chosen.append(_area_or_404(*parts))
    profiles = [{p["indicator"].id: p for p in _profile(a)} for a in chosen]
    series_by_area = [districts.continued_cells(a) for a in chosen]
    ind_ids: list[str] = []
    for prof in profiles:
        for k in prof:
            if k not in ind_ids:
                ind_ids.append(k)
    inds = {i.id: i for i in Indicator.objects.filter(id__in=ind_ids)}
    ind_ids.sort(key=lambda i: (inds[i].domain.order, inds[i].order, i))
    years = sorted({c["year"] for ser in series_by_area for cs in ser.values() for c in cs})
    year_param = request.GET.get("year", "")
    year = int(year_param) if year_param.isdigit() and int(year_param) in years else None
    city_area = queries.city_area()
    table, rows = [], []
    for iid in ind_ids:
        ind = inds[iid]
        cells = []
        for a, prof, ser in zip(chosen, profiles, series_by_area, strict=True):
            it = prof.get(iid)
            if year is not None:
                # The chosen year instead of each area's latest.
                cell = next((c for c in ser.get(iid, []) if c["year"] == year), None)
                city_then = queries.city_cell(iid, year, "") if cell else None
                it = cell and {
                    "cell": cell,
                    "year": year,
                    "comparison": queries.compare_to_city(
                        cell, city_then, ind.polarity, ind.measure
                    ),
                }
            cells.append(it)
            rows.append(
                {
                    "indicator": iid,
                    "name": ind.name,
                    "area": f"{a.level_id}/{a.vintage.code}/{a.code}",
                    "area_name": a.name_en if lang() == "en" and a.name_en else a.name,
                    "year": it["year"] if it else None,
                    "value": it["cell"]["value"] if it else None,
                    "lower": it["cell"]["lower"] if it else None,
                    "upper": it["cell"]["upper"] if it else None,
                    "status": it["cell"]["status"] if it else "missing",
                    "comparison": it["comparison"] if it else "missing",
                }
            )
        city_year = year or max((c["year"] for c in cells if c), default=None)
        city = queries.city_cell(iid, city_year, "") if city_year else None
        if city_area:
            rows.append(
                {
                    "indicator": iid,
                    "name": ind.name,
                    "area": f"{city_area['level']}/{city_area['vintage']}/{city_area['code']}",
                    "area_name": display_name(city_area),
                    "year": city["year"] if city else None,
                    "value": city["value"] if city else None,
                    "lower": city["lower"] if city else None,
                    "upper": city["upper"] if city else None,
                    "status": city["status"] if city else "missing",
                    "comparison": "",
                }
            )
        table.append({"indicator": ind, "cells": cells, "city": city})
    # One indicator over time: the chosen areas and the city, as a chart and a table.
    trend_id = request.GET.get("indicator") or (ind_ids[0] if ind_ids else "")
    if trend_id and trend_id not in inds:
        raise Http404(_("No data for this indicator in the chosen areas."))
    trend_spec, trend_rows = None, []
    if trend_id:
        ind = inds[trend_id]
        points = []
        if city_area:
            for c in queries.city_cells("").get(trend_id, []):
                points.append({"series": display_name(city_area), **_trend_point(c)})
        for a, ser in zip(chosen, series_by_area, strict=True):
            for c in ser.get(trend_id, []):
                points.append(
                    {
                        "series": a.name_en if lang() == "en" and a.name_en else a.name,
                        **_trend_point(c),
                    }
                )
        city_name = display_name(city_area) if city_area else None
        # The city's series over the years the chosen areas have (it is longer).
        area_years = {p["year"] for p in points if p["series"] != city_name}
        points = [p for p in points if p["year"] in area_years]
        trend_rows = points
        trend_spec = charts.for_web(
            vegalite.trend(
                points,
                title=_("%(indicator)s over time") % {"indicator": ind.name},
                description=_("The chosen areas and the city over time, with 95% interval bands.")
                if _has_intervals(points)
                else _("The chosen areas and the city over time."),
                unit=unit_label(ind.unit, lang()),
                decimals=ind.decimals,
                labels=charts.labels(),
                series_order=[display_name(city_area)] if city_area else [],
                lang=lang(),
            )
        )
    level = request.GET.get("level") or (chosen[0].level_id if chosen else "sdo")
    vint = Vintage.objects.filter(level_id=level).order_by("-valid_from", "-code").first()
    vintage = request.GET.get("vintage") or (
        chosen[0].vintage.code if chosen else (vint.code if vint else "")
    )
    choices = queries.level_areas(level, vintage) if vintage else []
    data = {
        "areas": [
            {"level": a.level_id, "vintage": a.vintage.code, "code": a.code, "name": a.name}
            for a in chosen
        ],
        "rows": rows,
        "year": year,
        "trend": {"indicator": trend_id, "points": trend_rows} if trend_id else None,
    }
    page = Page(
        "public/compare.html",
        {
            "chosen": chosen,
            "chosen_refs": refs,
            "table": table,
            "choices": choices,
            "level": level,
            "vintage": vintage,
            "level_name": _level_names().get(level, level),
            "vintage_name": _vintage_names(level).get(vintage, vintage),
            "levels": AreaLevel.objects.all(),
            "city_area": city_area,
            "years": years,
            "year": year,
            "indicators": [inds[i] for i in ind_ids],
            "trend_indicator": inds.get(trend_id),
            "trend_spec": trend_spec,
            "trend_rows": trend_rows,
        },
        data,
        rows,
        [
            "indicator",
            "name",
            "area",
            "area_name",
            "year",
            "value",
            "lower",
            "upper",
            "status",
            "comparison",
        ],
        "skillnader-compare",
    )
    return respond(request, page, fmt)


@cached_page
def search(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    """Search areas and indicators, case- and diacritic-insensitively."""
    q = request.GET.get("q", "").strip()[:200]
    hits = queries.search(q) if q else []
    results = []
    level_names = _level_names()
    for h in hits:
        if h["kind"] == "indicator":
            url = reverse("public:indicator", args=[h["id"]])
            detail = _("indicator")
        else:
            url = reverse("public:area", args=[h["level"], h["vintage"], h["code"]])
            vintages = h.get("vintages") or [h["vintage"]]
            detail = f"{level_names.get(h['level'], h['level'])}, " + (
                _("boundaries %(vintages)s") % {"vintages": ", ".join(vintages)}
            )
        results.append(
            {
                "kind": h["kind"],
                "id": h["id"],
                "name": h["name_en"] if lang() == "en" else h["name_sv"],
                "url": url,
                "detail": detail,
            }
        )
    page = Page(
        "public/search.html",
        {"q": q, "results": results, "level_names": _level_names()},
        {"q": q, "results": results},
        results,
        ["kind", "id", "name", "url", "detail"],
        "skillnader-search",
    )
    return respond(request, page, fmt)
