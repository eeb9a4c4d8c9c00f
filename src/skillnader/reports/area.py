"""One- or two-page area profiles: the area against the city on every indicator with data.

A profile has a spine chart (Fingertips layout, from :func:`skillnader.charts.vegalite.spine`),
a table of values with intervals, the city's values and the comparison (overlapping 95 %
intervals with the indicator's polarity, :func:`skillnader.stats.compare.compare_intervals`), what
stands out, the area's series with their trend markers, the population groups, and notes on the
boundary version and suppression.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from skillnader.charts import vegalite
from skillnader.geography import level_plural
from skillnader.reports import data, render
from skillnader.reports.city import _cell_text, _labels, _level_name
from skillnader.reports.text import check_lang, number, word

#: Most group rows shown in a profile (a sex × age table of one indicator fits; more would not).
MAX_GROUP_ROWS = 40


def _name(obj, lang: str) -> str:
    en = getattr(obj, "name_en", "")
    return en if lang == "en" and en else (getattr(obj, "name_sv", None) or obj.name)


def profile_context(area, year: int, lang: str = "sv") -> dict[str, Any]:
    """Everything the profile template needs for ``area`` up to ``year``.

    Raises :class:`~skillnader.reports.data.NoDataForYearError` when the area has no published
    cell in or before ``year``.
    """
    from django.utils import translation

    from skillnader.web.data import queries

    check_lang(lang)
    with translation.override(lang):
        city = data.city_config()
        items = data.profile_items(area, year)
        if not items:
            raise data.NoDataForYearError(
                f"no published observations for {area.name} ({area.code}) up to {year}",
                value=year,
            )
        area_name = area.name_en if lang == "en" and area.name_en else area.name
        level_name = _level_name(area.level_id, lang)
        lab = _labels(lang)
        rows, spine_rows = [], []
        better, worse, different = [], [], []
        for it in items:
            ind = it.indicator
            name = _name(ind, lang)
            cell = _cell_text(it.cell, ind.decimals, lang)
            city_cell = _cell_text(it.city, ind.decimals, lang)
            rows.append(
                {
                    "name": name,
                    "year": it.year,
                    "cell": cell,
                    "city": city_cell,
                    "comparison": word(it.comparison, lang),
                    "trend": word(it.trend["marker"], lang) if it.trend else "",
                }
            )
            sp = it.spread
            spine_rows.append(
                {
                    "indicator": f"{name} ({it.year})",
                    "value": it.cell["value"],
                    "city": it.city["value"] if it.city else None,
                    "min": sp["min"] if sp else None,
                    "q25": sp["q25"] if sp else None,
                    "q75": sp["q75"] if sp else None,
                    "max": sp["max"] if sp else None,
                    "polarity": ind.polarity,
                    "comparison": it.comparison,
                    "display": cell["value"],
                }
            )
            entry = f"{name} ({cell['value']}; {word('city', lang).lower()} {city_cell['value']})"
            if it.comparison == "better":
                better.append(entry)
            elif it.comparison == "worse":
                worse.append(entry)
            elif it.comparison in ("higher", "lower"):
                different.append(f"{entry}: {word(it.comparison, lang)}")
        spec = vegalite.spine(
            spine_rows,
            title=word("spine_title", lang, area=area_name),
            description=word("spine_note", lang, level=level_plural(area.level_id, lang)),
            labels=lab,
            width=330,
            lang=lang,
        )
        years = sorted({c["year"] for it in items for c in it.series})
        series = []
        for it in items:
            by_year = {c["year"]: c for c in it.series}
            if len(by_year) < 2:
                continue
            series.append(
                {
                    "name": _name(it.indicator, lang),
                    "cells": [
                        _cell_text(by_year.get(y), it.indicator.decimals, lang)
                        if y in by_year
                        else {"value": "", "interval": "", "status": "none"}
                        for y in years
                    ],
                    "trend": word(it.trend["marker"], lang) if it.trend else "",
                }
            )
        group_year = max(it.year for it in items)
        groups = _group_rows(area, group_year, items, lang)
        n_supp = data.suppressed_count(area, year)
        n_secondary = data.suppressed_count(area, year, reason="secondary")
        links = queries.vintage_links(
            area.level_id,
            sorted(area.level.vintages.values_list("code", flat=True)),
        )
        vintage_name = (
            area.vintage.name_en if lang == "en" and area.vintage.name_en else area.vintage.name_sv
        )
        title = word("profile_title", lang, area=area_name)
        return {
            "lang": lang,
            "title": title,
            "subtitle": f"{city.name}, {level_name}",
            "city": city,
            "area_name": area_name,
            "area_code": area.code,
            "intro": word(
                "profile_intro",
                lang,
                area=area_name,
                level=level_name.lower(),
                vintage=area.vintage.code,
                city=city.name,
                year=year,
            ),
            "spine": render.chart(spec, lang),
            "spine_note": word("spine_note", lang, level=level_plural(area.level_id, lang)),
            "rows": rows,
            "better": better,
            "worse": worse,
            "different": different,
            "years": years,
            "series": series,
            "groups": groups,
            "group_year": group_year,
            "notes": [
                word(
                    "note_vintage",
                    lang,
                    level=level_name,
                    vintage=vintage_name or area.vintage.code,
                ),
                (
                    word(
                        "note_suppressed_secondary",
                        lang,
                        n=number(n_supp, 0, lang),
                        m=number(n_secondary, 0, lang),
                    )
                    if n_secondary
                    else word("note_suppressed", lang, n=number(n_supp, 0, lang))
                )
                if n_supp
                else word("note_no_suppressed", lang),
                word("note_compare", lang),
                *(
                    [
                        word(
                            "note_links",
                            lang,
                            links="; ".join(
                                f"{x['from']} → {x['to']} ({x['basis']})" for x in links
                            ),
                        )
                    ]
                    if links
                    else []
                ),
            ],
            "generated": word("generated", lang, date=dt.date.today().isoformat()),
            "w": {
                k: word(k, lang)
                for k in (
                    "stands_out",
                    "stands_out_none",
                    "better_list",
                    "worse_list",
                    "different_list",
                    "indicator",
                    "period",
                    "area_value",
                    "interval",
                    "city",
                    "comparison",
                    "trend",
                    "trends",
                    "trends_none",
                    "group",
                    "data_notes",
                    "page",
                    "value",
                )
            },
            "groups_title": word("groups", lang, year=group_year),
        }


def _group_rows(area, year: int, items, lang: str) -> list[dict[str, Any]]:
    from skillnader.web.data import queries

    labels = queries.group_labels()
    inds = {it.indicator.id: it.indicator for it in items}
    out = []
    for c in data.area_group_cells(area, year):
        ind = inds.get(c["indicator"])
        if ind is None:
            continue
        lab = labels.get(c["group"], {})
        out.append(
            {
                "indicator": _name(ind, lang),
                "order": (ind.domain.order, ind.order, ind.id),
                "key": c["group"],
                "group": lab.get(lang) or c["group"],
                "cell": _cell_text(c, ind.decimals, lang),
            }
        )
    out.sort(key=lambda r: (r["order"], r["key"]))
    return out[:MAX_GROUP_ROWS]


def area_profile(
    code: str,
    out: Path | str,
    *,
    level: str,
    vintage: str | None = None,
    year: int,
    lang: str = "sv",
) -> Path:
    """Write the profile of one area to ``out`` (``.pdf`` or ``.html``)."""
    out = Path(out)
    render.output_kind(out)
    data.require_year(year)
    v = data.level_vintage(level, vintage)
    a = data.find_area(code, level, v.code)
    ctx = profile_context(a, year, lang)
    html = render.render_template("profile.html", ctx)
    return render.write_report(html, out, title=ctx["title"], lang=lang)


def all_profiles(
    out_dir: Path | str,
    *,
    level: str,
    vintage: str | None = None,
    year: int,
    lang: str = "sv",
    suffix: str = ".pdf",
) -> list[Path]:
    """One profile per area of ``level``/``vintage`` with data, named ``<code>.pdf``.

    Areas without any published cell up to ``year`` get no file (they would be empty pages).
    """
    from skillnader.web.data.models import Area

    data.require_year(year)
    v = data.level_vintage(level, vintage)
    render.output_kind(Path(f"x{suffix}"))
    out_dir = Path(out_dir)
    written = []
    for a in Area.objects.select_related("level", "vintage").filter(vintage=v).order_by("code"):
        try:
            ctx = profile_context(a, year, lang)
        except data.NoDataForYearError:
            continue
        html = render.render_template("profile.html", ctx)
        target = out_dir / f"{a.code}{suffix}"
        written.append(render.write_report(html, target, title=ctx["title"], lang=lang))
    if not written:
        raise data.NoDataForYearError(
            f"no area of level {level}, vintage {v.code} has published data up to {year}",
            value=year,
        )
    return written
