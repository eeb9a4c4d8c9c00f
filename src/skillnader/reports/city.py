"""The yearly city report on differences, in the manner of the commission's report.

Structure: a summary of the headline findings (first where the city improves while a gap
widens, with the evidence behind each word), one chapter per domain with a map, a ranked chart
with intervals, group gaps and a trend per indicator, each introduced by the analysis sentence;
a methods appendix and the sources. Every number in the text comes from the analysis results
(:mod:`skillnader.analysis.findings`) or the published observations; the templates hold words
only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from skillnader.charts import vegalite
from skillnader.geography import level_plural
from skillnader.groups import group_pair
from skillnader.reports import data, render
from skillnader.reports.text import (
    check_lang,
    interval,
    number,
    word,
)

#: Periods of a series shown in an evidence table (the trend test uses the last five).
EVIDENCE_PERIODS = 5


def _level_name(level: str, lang: str) -> str:
    from skillnader.geography import level as geo_level

    try:
        return geo_level(level).name(lang)
    except (KeyError, ValueError):
        return level


def _labels(lang: str) -> dict[str, str]:
    """Chart words for :mod:`skillnader.charts.vegalite` in the report language."""
    w = {
        k: word(k, lang)
        for k in (
            "better",
            "similar",
            "worse",
            "higher",
            "lower",
            "not_compared",
            "suppressed",
            "missing",
        )
    }
    w = {k: v[0].upper() + v[1:] for k, v in w.items()}
    sv = lang == "sv"
    w.update(
        {
            "area": "Område" if sv else "Area",
            "value": word("value", lang),
            "interval": word("interval", lang),
            "comparison": word("comparison", lang),
            "year": word("period", lang),
            "group": word("group", lang),
            "indicator": word("indicator", lang),
            "city": word("city", lang),
            "worse_end": "Sämre" if sv else "Worse",
            "better_end": "Bättre" if sv else "Better",
            "lower_end": "Lägre" if sv else "Lower",
            "higher_end": "Högre" if sv else "Higher",
        }
    )
    return w


def _unit(ind, lang: str) -> str:
    from skillnader.units import unit_label

    return unit_label(ind.unit, lang)


def _cell_text(cell: dict[str, Any] | None, decimals: int, lang: str) -> dict[str, str]:
    """Value and interval text of a cell; a suppressed cell shows only the word."""
    if not cell:
        return {"value": word("missing", lang), "interval": "", "status": "missing"}
    if cell["status"] == "suppressed":
        # the reason is told where the cell is shown, as on the site and in the API
        key = "suppressed_secondary" if cell.get("suppression") == "secondary" else "suppressed"
        return {"value": word(key, lang), "interval": "", "status": "suppressed"}
    if cell["value"] is None:
        return {"value": word("missing", lang), "interval": "", "status": "missing"}
    return {
        "value": number(cell["value"], decimals, lang),
        "interval": interval(cell["lower"], cell["upper"], decimals, lang),
        "status": "ok",
    }


def evidence(finding, ind, lang: str) -> list[dict[str, Any]]:
    """Tables of the numbers behind a finding: the city's level series and each gap series."""
    if finding is None:
        return []
    d = ind.decimals
    out = []
    lv = finding.level
    rows = [
        {"period": p, "value": number(v, d, lang), "interval": interval(lo, hi, d, lang)}
        for p, v, lo, hi in zip(lv.periods, lv.values, lv.lower, lv.upper, strict=True)
        if v is not None
    ][-EVIDENCE_PERIODS:]
    if rows:
        out.append(
            {
                "title": word("city_level", lang),
                "assessment": word(lv.assessment, lang),
                "method": lv.method,
                "rows": rows,
                "change": "",
            }
        )
    for g in finding.gaps:
        if g.kind == "areas":
            level, _, vintage = g.label.partition(":")
            title = word("gap_areas", lang, level=level_plural(level, lang), vintage=vintage)
        else:
            title = word("gap_groups", lang, groups=group_pair(g.label, lang))
        rows = [
            {"period": p, "value": number(v, d, lang), "interval": interval(lo, hi, d, lang)}
            for p, v, lo, hi in zip(g.periods, g.values, g.lower, g.upper, strict=True)
            if v is not None and v == v
        ][-EVIDENCE_PERIODS:]
        change = ""
        if g.change is not None:
            change = (
                f"{number(g.change, d, lang)} ({word('interval', lang)} "
                f"{interval(g.change_lower, g.change_upper, d, lang)})"
            )
        out.append(
            {
                "title": title,
                "assessment": word(g.direction, lang),
                "method": g.method,
                "rows": rows,
                "change": change,
            }
        )
    return out


def _sentence(finding, lang: str) -> str:
    if finding is None:
        return ""
    return finding.sentence_sv if lang == "sv" else finding.sentence_en


def section_context(sec: data.IndicatorSection, finding, city, lang: str) -> dict[str, Any]:
    """Charts, sentence and evidence of one indicator section."""
    ind = sec.indicator
    name = ind.name_en if lang == "en" and ind.name_en else ind.name_sv
    lab = _labels(lang)
    unit = _unit(ind, lang)
    dsep = "," if lang == "sv" else "."
    ctx: dict[str, Any] = {
        "id": ind.id,
        "name": name,
        "year": sec.year,
        "sentence": _sentence(finding, lang),
        "city_cell": _cell_text(sec.city, ind.decimals, lang),
        "evidence": evidence(finding, ind, lang),
        "level_name": _level_name(sec.level, lang) if sec.level else "",
        "charts": [],
        "notes": [],
        "source": ind.source,
        "source_url": ind.source_url,
    }
    has_area_values = any(r["value"] is not None or r["status"] == "suppressed" for r in sec.rows)
    if sec.level and has_area_values:
        level_name = _level_name(sec.level, lang).lower()
        comparable = {"better", "similar", "worse", "higher", "lower"}
        mode = "compare" if any(r["comparison"] in comparable for r in sec.rows) else "value"
        if any(r["geometry"] for r in sec.rows):
            spec = vegalite.choropleth(
                sec.rows,
                mode=mode,
                title=word("map_of", lang, indicator=name, level=level_name, year=sec.year),
                unit=unit,
                decimals=ind.decimals,
                decimal_sep=dsep,
                labels=lab,
                legend_title=("Jämfört med staden" if lang == "sv" else "Compared with the city")
                if mode == "compare"
                else unit,
                width=440,
                height=340,
            )
            ctx["charts"].append({"kind": "map", **render.chart(spec, lang)})
        rows, cut = data.bar_rows(sec.rows)
        spec = vegalite.ranked_bars(
            rows,
            city_value=sec.city["value"] if sec.city else None,
            city_label=city.name,
            title=word("bars_of", lang, indicator=name, level=level_name, year=sec.year),
            unit=unit,
            decimals=ind.decimals,
            polarity=ind.polarity,
            labels=lab,
            width=380,
            lang=lang,
        )
        note = word("bars_cut", lang, n=cut, total=len(sec.rows)) if cut else ""
        ctx["charts"].append({"kind": "bars", "note": note, **render.chart(spec, lang)})
    elif sec.level is None or not has_area_values:
        ctx["notes"].append(word("no_area_data", lang, year=sec.year))
    if sec.groups:
        spec = vegalite.group_breakdown(
            [{**g} for g in sec.groups],
            total_value=sec.city["value"] if sec.city else None,
            total_label=word("everyone", lang),
            title=word("groups_of", lang, indicator=name, year=sec.year),
            unit=unit,
            decimals=ind.decimals,
            labels=lab,
            width=360,
            lang=lang,
        )
        ctx["charts"].append({"kind": "groups", **render.chart(spec, lang)})
    years = {p["year"] for p in sec.trend}
    if len(years) >= 2:
        breaks = sorted({p["year"] for p in sec.trend if p["break_in_series"]})
        spec = vegalite.trend(
            sec.trend,
            title=word("trend_of", lang, indicator=name),
            unit=unit,
            decimals=ind.decimals,
            labels=lab,
            breaks=breaks,
            width=420,
            height=200,
            lang=lang,
        )
        ctx["charts"].append({"kind": "trend", **render.chart(spec, lang)})
    return ctx


def _catalogue_entry(ind, lang: str) -> dict[str, Any]:
    ids = ", ".join(f"{k}: {v}" for k, v in sorted((ind.external_ids or {}).items()))
    return {
        "name": ind.name_en if lang == "en" and ind.name_en else ind.name_sv,
        "source": ind.source,
        "url": ind.source_url,
        "external_ids": ids or word("no_external_ids", lang),
    }


def _sources(lang: str) -> list[dict[str, Any]]:
    from skillnader.web.data.models import Source

    out = []
    for s in Source.objects.prefetch_related("releases").order_by("name"):
        releases = [
            {
                "version": r.version or r.content_hash[:12],
                "file": r.file_name,
                "cells": number(r.cells, 0, lang),
                "imported": r.imported_at.date().isoformat() if r.imported_at else "",
            }
            for r in s.releases.all()
        ]
        out.append(
            {
                "name": s.name,
                "publisher": s.publisher,
                "url": s.url,
                "licence": s.licence,
                "releases": releases,
            }
        )
    return out


def _thresholds(indicators, lang: str) -> list[dict[str, str]]:
    """Publication thresholds from the catalogue, grouped by value."""
    by: dict[int, list[str]] = {}
    for i in indicators:
        by.setdefault(i.publication_threshold, []).append(
            i.name_en if lang == "en" and i.name_en else i.name_sv
        )
    return [
        {"threshold": number(t, 0, lang), "indicators": ", ".join(names)}
        for t, names in sorted(by.items())
    ]


def _vintages(lang: str) -> list[dict[str, str]]:
    from skillnader.web.data.models import AreaLink, Vintage

    out = []
    for v in Vintage.objects.select_related("level").order_by("level__order", "valid_from"):
        bases = sorted(
            set(
                AreaLink.objects.filter(source__vintage=v)
                .exclude(basis="contains")
                .exclude(target__vintage=v)
                .values_list("basis", flat=True)
                .distinct()
            )
        )
        out.append(
            {
                "level": _level_name(v.level_id, lang),
                "code": v.code,
                "from": v.valid_from.isoformat() if v.valid_from else "",
                "to": v.valid_to.isoformat() if v.valid_to else "",
                "areas": number(v.areas.count(), 0, lang),
                "links": ", ".join(bases),
            }
        )
    return out


def city_context(year: int, lang: str = "sv") -> dict[str, Any]:
    """Everything the city report template needs for ``year``.

    Raises :class:`~skillnader.reports.data.NoDataForYearError` when nothing is published for
    ``year``.
    """
    from django.utils import translation

    from skillnader.web.data.models import Domain, Indicator

    check_lang(lang)
    data.require_year(year)
    with translation.override(lang):
        city = data.city_config()
        indicators = list(
            Indicator.objects.filter(published=True)
            .select_related("domain")
            .order_by("domain__order", "order", "id")
        )
        found = data.findings(year, city, indicators)
        chapters = []
        for dom in Domain.objects.order_by("order"):
            inds = [i for i in indicators if i.domain_id == dom.id]
            sections = []
            for ind in inds:
                sec = data.indicator_section(ind, year, lang)
                if sec is None:
                    continue
                sections.append(section_context(sec, found.get(ind.id), city, lang))
            chapters.append(
                {
                    "id": f"domain-{dom.id}",
                    "name": dom.name_en if lang == "en" and dom.name_en else dom.name_sv,
                    "sections": sections,
                    "catalogue": [] if sections else [_catalogue_entry(i, lang) for i in inds],
                }
            )
        headline, others = summary(list(found.values()), indicators, lang)
        title = word("city_report_title", lang, city=city.name, year=year)
        return {
            "lang": lang,
            "title": title,
            "subtitle": word("city_report_subtitle", lang),
            "city": city,
            "year": year,
            "generated": word("generated", lang, date=dt.date.today().isoformat()),
            "headline": headline,
            "others": others,
            "chapters": chapters,
            "thresholds": _thresholds(indicators, lang),
            "vintages": _vintages(lang),
            "sources": _sources(lang),
            "w": template_words(lang),
            "summary_intro": word("summary_intro", lang, city=city.name),
            "fulfilment": fulfilment_section(year, lang),
        }


def fulfilment_section(year: int, lang: str) -> dict[str, Any] | None:
    """The "Måluppfyllelse" chapter: the goals in force in ``year`` with their computed
    status and the boards' judgements, as the goals app registers it
    (:mod:`skillnader.reports.sections`); None without goals for the year."""
    from skillnader.reports import sections

    return sections.chapter("fulfilment", year, lang)


def summary(found, indicators, lang: str) -> tuple[list[dict], list[dict]]:
    """The summary's entries: findings where the city improves while a gap widens (with their
    evidence), and the other assessed findings (sentence only)."""
    names = {i.id: (i.name_en if lang == "en" and i.name_en else i.name_sv) for i in indicators}
    by_ind = {i.id: i for i in indicators}
    headline = [
        {
            "id": f.indicator,
            "name": names[f.indicator],
            "sentence": _sentence(f, lang),
            "evidence": evidence(f, by_ind[f.indicator], lang),
        }
        for f in found
        if f.improves_while_gap_widens and f.indicator in by_ind
    ]
    others = [
        {"id": f.indicator, "name": names[f.indicator], "sentence": _sentence(f, lang)}
        for f in found
        if not f.improves_while_gap_widens
        and f.headline != "not_assessed"
        and f.indicator in by_ind
    ]
    return headline, others


def template_words(lang: str) -> dict[str, str]:
    """The fixed words of the city report template."""
    return {k: word(k, lang) for k in _TEMPLATE_WORDS}


_TEMPLATE_WORDS = (
    "contents",
    "summary",
    "improves_widens",
    "improves_widens_none",
    "other_findings",
    "evidence",
    "period",
    "value",
    "interval",
    "change",
    "assessment",
    "chapter_no_data",
    "import_from",
    "external_ids",
    "methods",
    "sources",
    "source",
    "publisher",
    "licence",
    "releases",
    "page",
    "city",
    "indicator",
    "cells",
    "imported",
)


def city_report(year: int, out: Path | str, lang: str = "sv") -> Path:
    """Write the city report for ``year`` to ``out`` (``.pdf`` or ``.html``)."""
    out = Path(out)
    render.output_kind(out)
    ctx = city_context(year, lang)
    html = render.render_template("city.html", ctx)
    return render.write_report(html, out, title=ctx["title"], lang=lang)
