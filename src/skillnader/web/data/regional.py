"""Findings between the kommuner of a län, with Sweden as the benchmark.

Life expectancy, mortality, school results and crime are published per kommun, not per district
of the city; the city is then one of the region's kommuner. :func:`regional_findings` runs the
headline analysis of :mod:`skillnader.analysis.findings` on the kommuner of one län (Stockholms
län, ``01``, by default) as an area level of their own: the level trend is the country's (the
benchmark), the gap is the distance between the 90th and the 10th percentile of the region's
kommuner in each period, with its interval, and how it changes.
"""

from __future__ import annotations

from typing import Any

from skillnader.analysis.findings import Finding, IndicatorInfo, analyse

#: The county whose kommuner are compared, and the benchmark.
LAN = "01"
COUNTRY = "SE"


def regional_frame(
    indicator_id: str | None = None,
    lan: str = LAN,
    country: str = COUNTRY,
    year: int | None = None,
):
    """Published kommun cells of the län and the country's cells (up to ``year``), as
    :func:`analyse` expects."""
    import polars as pl
    from django.db.models import Q

    from skillnader.web.data.models import public_frame, public_observations

    qs = public_observations().filter(value__isnull=False).order_by()
    if indicator_id:
        qs = qs.filter(indicator_id=indicator_id)
    if year is not None:
        qs = qs.filter(year__lte=year)
    qs = qs.filter(
        Q(area__level_id="kommun", area__code__startswith=lan)
        | Q(area__level_id="country", area__code=country)
    )
    rows = list(
        qs.values_list(
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
    cols = ["indicator", "level", "vintage", "area_code", "group", "period"]
    schema = {c: pl.Utf8 for c in cols} | {
        "value": pl.Float64,
        "lower": pl.Float64,
        "upper": pl.Float64,
        "indicator__measure": pl.Utf8,
        "indicator__rounding_base": pl.Int64,
    }
    return public_frame(pl.DataFrame(rows, schema=schema, orient="row"))


def area_names(frame) -> dict[str, str]:
    """The names of the areas in an analysis frame, by code (for the findings' sentences)."""
    from skillnader.web.data.models import Area

    if frame.is_empty():
        return {}
    codes = frame["area_code"].unique().to_list()
    names: dict[str, str] = {}
    for start in range(0, len(codes), 500):
        part = codes[start : start + 500]
        names.update(Area.objects.filter(code__in=part).values_list("code", "name"))
    return names


def regional_findings(
    indicator_id: str | None = None,
    lan: str = LAN,
    country: str = COUNTRY,
    year: int | None = None,
) -> list[Finding]:
    """Findings for every published indicator with kommun data in the län (see the module
    docstring); indicators without kommun data in the län are left out."""
    from skillnader.web.data.models import Area, Indicator

    frame = regional_frame(indicator_id, lan, country, year)
    if frame.is_empty():
        return []
    present = set(frame.filter(frame["level"] == "kommun")["indicator"].unique().to_list())
    inds = Indicator.objects.filter(published=True, id__in=present)
    info = {
        i.id: IndicatorInfo(
            i.id, i.name_sv, i.name_en, i.polarity, i.unit, i.decimals, measure=i.measure
        )
        for i in inds
    }
    name = Area.objects.filter(level_id="country", code=country).values_list("name", flat=True)
    return analyse(
        frame,
        info,
        benchmark=country,
        benchmark_name=(name.first() or country),
        levels=["kommun"],
        area_names=area_names(frame),
    )


def regional_findings_json(indicator_id: str | None = None) -> list[dict[str, Any]]:
    """:func:`regional_findings` as JSON-ready dicts, each marked with its scope."""
    import math

    def safe(x):
        if isinstance(x, float):
            return x if math.isfinite(x) else None
        if isinstance(x, dict):
            return {k: safe(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [safe(v) for v in x]
        return x

    out = []
    for f in regional_findings(indicator_id):
        d = safe(f.to_dict())
        d["scope"] = {"areas": f"kommun:{LAN}", "benchmark": COUNTRY}
        out.append(d)
    return out
