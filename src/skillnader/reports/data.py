"""What the reports show: published observations, gathered per indicator, and the findings.

Everything here reads through :func:`skillnader.web.data.models.public_observations` (directly
or through :mod:`skillnader.web.data.queries`), so unpublished cells never reach a report and
suppressed cells arrive without numbers. The headline findings come from
:func:`skillnader.analysis.findings.analyse` over a polars frame of the published cells up to the
report year; comparisons with the city use the overlapping-interval method of
:func:`skillnader.stats.compare.compare_intervals` via
:func:`skillnader.web.data.queries.compare_to_city`.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillnader.errors import InputError, UnknownAreaError

#: Preferred sub-city level for maps and ranked charts, coarse first (the web's default is sdo).
LEVEL_PREFERENCE = ("sdo", "regso", "stadsdel", "valdistrikt", "basomrade", "deso", "stadsomrade")

#: Ranked charts longer than this show the highest and lowest ``BARS_EACH_END`` areas.
MAX_BARS = 40
BARS_EACH_END = 15


class NoDataForYearError(InputError):
    """The requested report year has no published observations (for the city or the area)."""


class NoBoundariesError(InputError):
    """The area level (and vintage) has no areas with boundaries, so no map can be drawn."""


@dataclass
class CityConfig:
    """The city the reports are about: its name and (optionally) its logo as a data URI."""

    name: str = "Stockholm"
    logo_uri: str | None = None
    code: str = "0180"


def city_config() -> CityConfig:
    """Read ``SKILLNADER_CITY_NAME`` and ``SKILLNADER_LOGO`` (a file path) from the settings.

    A logo path that does not exist is an :class:`InputError`: a report silently without the
    logo it was configured with would be wrong.
    """
    from django.conf import settings

    from skillnader.web.data import queries

    name = getattr(settings, "SKILLNADER_CITY_NAME", None) or "Stockholm"
    logo = getattr(settings, "SKILLNADER_LOGO", None)
    uri = None
    if logo:
        path = Path(logo)
        if not path.is_file():
            raise InputError("logo file not found", path=str(path), expected="an image file")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        uri = f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()
    return CityConfig(name=name, logo_uri=uri, code=queries.CITY_CODE)


def indicator_infos(indicators) -> dict[str, Any]:
    """``IndicatorInfo`` for the analysis, from Indicator rows."""
    from skillnader.analysis.findings import IndicatorInfo

    return {
        i.id: IndicatorInfo(
            i.id, i.name_sv, i.name_en, i.polarity, i.unit, i.decimals, measure=i.measure
        )
        for i in indicators
    }


def analysis_frame(year: int):
    """Published cells with a value, for the city and every level below it, up to ``year`` (the
    same frame the web pages analyse)."""
    from skillnader.web.data import queries

    return queries.analysis_frame(year=year)


def findings(year: int, city: CityConfig, indicators) -> dict[str, Any]:
    """``{indicator id: Finding}`` for the published data up to ``year``."""
    from skillnader.analysis.findings import analyse

    frame = analysis_frame(year)
    if frame.is_empty():
        return {}
    from skillnader.web.data.regional import area_names, regional_findings

    result = analyse(
        frame,
        indicator_infos(indicators),
        benchmark=city.code,
        benchmark_name=city.name,
        area_names=area_names(frame),
    )
    out = {f.indicator: f for f in result}
    # Indicators published per kommun (life expectancy, school results …) have no areas inside
    # the city: they are analysed over the region's kommuner with Sweden as the benchmark.
    wanted = {i.id for i in indicators}
    for f in regional_findings(year=year):
        own = out.get(f.indicator)
        if f.indicator in wanted and (own is None or not any(g.kind == "areas" for g in own.gaps)):
            out[f.indicator] = f
    return out


def years_with_data() -> list[int]:
    """Years with at least one published observation."""
    from skillnader.web.data.models import Observation, public_observations

    return sorted(
        public_observations(Observation.objects.all())
        .values_list("year", flat=True)
        .order_by()
        .distinct()
    )


def require_year(year: int) -> None:
    """Raise :class:`NoDataForYearError` unless some published observation is for ``year``."""
    years = years_with_data()
    if year not in years:
        shown = ", ".join(map(str, years)) if years else "none"
        raise NoDataForYearError(
            f"no published observations for {year}", value=year, expected=f"one of: {shown}"
        )


# ------------------------------------------------------------------------------------------
# per indicator (city report)


@dataclass
class IndicatorSection:
    """What the city report shows for one indicator."""

    indicator: Any
    year: int
    level: str | None = None
    vintage: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    city: dict[str, Any] | None = None
    trend: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    finding: Any = None


def _choose_level(coverage: dict[str, Any], year: int) -> tuple[str, str, int] | None:
    """The preferred sub-city level with data up to ``year``: (level, vintage, latest year)."""
    best: dict[str, tuple[str, int]] = {}
    for lv in coverage["levels"]:
        if lv["level"] not in LEVEL_PREFERENCE:
            continue
        for v in lv["vintages"]:
            ys = [y for y in v["years"] if y <= year]
            if ys and (lv["level"] not in best or max(ys) > best[lv["level"]][1]):
                best[lv["level"]] = (v["vintage"], max(ys))
    if not best:
        return None
    latest = max(y for _, y in best.values())
    # The most recent data first (a report for a year shows that year where it can), then the
    # coarsest level: the district council areas are what the city steers by.
    for level in LEVEL_PREFERENCE:
        if level in best and best[level][1] == latest:
            return level, best[level][0], latest
    return None


def indicator_section(ind, year: int, lang: str) -> IndicatorSection | None:
    """Map rows, city value, trend and group cells of one indicator for the report ``year``.

    ``None`` when the indicator has no published cell in or before ``year``.
    """
    from skillnader.web.data import queries

    cov = queries.coverage(ind.id)
    city_cells = [c for c in queries.city_cells("").get(ind.id, []) if c["year"] <= year]
    chosen = _choose_level(cov, year)
    city_year = max((c["year"] for c in city_cells), default=None)
    if chosen is None and city_year is None:
        return None
    data_year = max(y for y in (city_year, chosen[2] if chosen else None) if y is not None)
    sec = IndicatorSection(indicator=ind, year=data_year)
    sec.city = queries.city_cell(ind.id, data_year, "")
    name = queries.display_name
    if chosen:
        sec.level, sec.vintage, area_year = chosen
        cells = queries.level_cells(ind.id, sec.level, sec.vintage, area_year, "")
        if area_year != data_year:
            sec.city = queries.city_cell(ind.id, area_year, "")
        sec.year = area_year
        by_code = {c["code"]: c for c in cells}
        for a in queries.level_areas(sec.level, sec.vintage):
            c = by_code.get(a["code"])
            sec.rows.append(
                {
                    "code": a["code"],
                    "name": name(a),
                    "geometry": a["geometry"],
                    "lon": a["lon"],
                    "lat": a["lat"],
                    "value": c["value"] if c else None,
                    "lower": c["lower"] if c else None,
                    "upper": c["upper"] if c else None,
                    "status": c["status"] if c else "missing",
                    "suppression": c.get("suppression") if c else None,
                    "comparison": queries.compare_to_city(c, sec.city, ind.polarity),
                }
            )
    city = queries.city_area()
    for c in city_cells:
        sec.trend.append(_point(name(city), c))
    if sec.rows and any(r["value"] is not None for r in sec.rows):
        ok = [r for r in sec.rows if r["value"] is not None]
        hi = max(ok, key=lambda r: (r["value"], r["code"]))
        lo = min(ok, key=lambda r: (r["value"], r["code"]))
        ids = {a["code"]: a["id"] for a in queries.level_areas(sec.level, sec.vintage)}
        codes = [hi["code"]] + ([lo["code"]] if lo["code"] != hi["code"] else [])
        for c in queries.area_series(ind.id, [ids[k] for k in codes], ""):
            if c["year"] <= year:
                sec.trend.append(_point(name(c), c))
    if city:
        labels = queries.group_labels()
        for c in queries.group_cells(ind.id, city["id"], sec.year):
            lab = labels.get(c["group"], {})
            sec.groups.append(
                {
                    "key": c["group"],
                    "dimension": lab.get(f"dimension_{lang}", c["group"]),
                    "group": lab.get(lang, c["group"]),
                    "value": c["value"],
                    "lower": c["lower"],
                    "upper": c["upper"],
                    "status": c["status"],
                    "suppression": c.get("suppression"),
                }
            )
        sec.groups.sort(key=lambda g: (g["dimension"], g["key"]))
    return sec


def _point(series: str, c: dict[str, Any]) -> dict[str, Any]:
    return {
        "series": series,
        "year": c["year"],
        "value": c["value"],
        "lower": c["lower"],
        "upper": c["upper"],
        "status": c["status"],
        "suppression": c.get("suppression"),
        "break_in_series": c["break_in_series"],
    }


def bar_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Rows for the ranked chart: all of them, or the highest and lowest when there are many.

    Returns the rows and the number kept at each end (0 when all are kept). Areas without a value
    are kept when all areas are shown, so that they are listed as suppressed or missing.
    """
    if len(rows) <= MAX_BARS:
        return rows, 0
    ok = sorted((r for r in rows if r["value"] is not None), key=lambda r: (-r["value"], r["code"]))
    if len(ok) <= 2 * BARS_EACH_END:
        return ok, 0
    return ok[:BARS_EACH_END] + ok[-BARS_EACH_END:], BARS_EACH_END


# ------------------------------------------------------------------------------------------
# per area (profiles)


def find_area(code: str, level: str, vintage: str | None = None):
    """The Area of ``level`` (and ``vintage``; default: the latest with this code)."""
    from skillnader.web.data.models import Area

    qs = Area.objects.select_related("level", "vintage", "parent").filter(level_id=level, code=code)
    if vintage:
        qs = qs.filter(vintage__code=vintage)
    area = qs.order_by("-vintage__valid_from", "-vintage__code").first()
    if area is None:
        where = f"level {level}" + (f", vintage {vintage}" if vintage else "")
        raise UnknownAreaError(f"no area with this code in {where}", value=code)
    return area


def level_vintage(level: str, vintage: str | None):
    """The Vintage of ``level`` (default: the latest), checking that its areas have boundaries."""
    from skillnader.web.data.models import Area, AreaLevel, Vintage

    if not AreaLevel.objects.filter(id=level).exists():
        known = ", ".join(AreaLevel.objects.values_list("id", flat=True))
        raise InputError("unknown area level", value=level, expected=f"one of: {known}")
    qs = Vintage.objects.filter(level_id=level)
    if vintage:
        qs = qs.filter(code=vintage)
    v = qs.order_by("-valid_from", "-code").first()
    if v is None:
        known = ", ".join(Vintage.objects.filter(level_id=level).values_list("code", flat=True))
        raise InputError(
            f"no vintage {vintage} for level {level}", value=vintage, expected=f"one of: {known}"
        )
    if not Area.objects.filter(vintage=v, geometry__isnull=False).exists():
        raise NoBoundariesError(
            f"the areas of level {level}, vintage {v.code} have no boundaries",
            value=level,
            expected="a level with boundaries (import them with 'skillnader import-areas')",
        )
    return v


@dataclass
class ProfileItem:
    """One indicator in an area profile."""

    indicator: Any
    year: int
    cell: dict[str, Any]
    city: dict[str, Any] | None
    comparison: str
    spread: dict[str, Any] | None
    series: list[dict[str, Any]]
    trend: dict[str, Any] | None


def profile_items(area, year: int) -> list[ProfileItem]:
    """Every published indicator with a cell for ``area`` up to ``year``: the latest cell, the
    city's cell of that year, the comparison, the spread over the level and the series."""
    from skillnader.web.data import queries
    from skillnader.web.data.models import Indicator

    level, vintage = area.level_id, area.vintage.code
    by_ind = queries.area_cells(area.id)
    inds = Indicator.objects.filter(published=True, id__in=list(by_ind)).order_by(
        "domain__order", "order", "id"
    )
    out = []
    for ind in inds:
        series = [c for c in by_ind[ind.id] if c["year"] <= year]
        if not series:
            continue
        latest = next((c for c in reversed(series) if c["value"] is not None), series[-1])
        city = queries.city_cell(ind.id, latest["year"], "")
        cells = queries.level_cells(ind.id, level, vintage, latest["year"], "")
        out.append(
            ProfileItem(
                indicator=ind,
                year=latest["year"],
                cell=latest,
                city=city,
                comparison=queries.compare_to_city(latest, city, ind.polarity, ind.measure),
                spread=queries.spread(cells, ind.measure),
                series=series,
                trend=queries.trend(series, ind.polarity),
            )
        )
    return out


def area_group_cells(area, year: int) -> list[dict[str, Any]]:
    """Group cells (not everyone) of the area for its indicators in ``year``, with labels."""
    from skillnader.web.data import queries
    from skillnader.web.data.models import Observation, public_observations

    rows = (
        public_observations(Observation.objects.filter(area=area, year=year))
        .exclude(group__key="")
        .values("indicator_id", *queries._CELL_FIELDS)
    )
    cells = {}
    for r in rows:
        c = queries._cell(r)
        c["indicator"] = r["indicator_id"]
        cells.setdefault((c["indicator"], c["group"]), []).append(c)
    return [max(v, key=lambda c: c["period"]) for v in cells.values()]


def suppressed_count(area, year: int, reason: str | None = None) -> int:
    """Suppressed published cells of the area up to ``year`` (all groups); with ``reason``
    (``"primary"`` or ``"secondary"``) only those suppressed for it."""
    from skillnader.web.data.models import Observation, public_observations

    qs = public_observations(Observation.objects.filter(area=area, year__lte=year)).filter(
        suppressed=True
    )
    if reason == "secondary":
        qs = qs.filter(suppression="secondary")
    elif reason == "primary":
        # cells stored before reasons were recorded count as primary, as the API shows them
        qs = qs.exclude(suppression="secondary")
    return qs.count()
