"""Words and number formats of the reports, in Swedish (default) and English.

Numbers follow the Swedish conventions of official statistics (SCB's *Myndigheternas
skrivregler* and Språkrådet's *Svenska skrivregler*): a decimal comma, a narrow no-break space
(U+202F) between groups of thousands, an en dash for ranges and the minus sign (U+2212) for
negative numbers; quotations in Swedish take the right-hand quotation mark ”…” at both ends.
English uses a decimal point and a comma for thousands.

Every number that reaches the text of a report goes through :func:`number` or
:func:`interval`, which turn a missing value into an empty string; a suppressed cell is never
formatted at all: the caller writes :func:`word` ``("suppressed")`` instead.
"""

from __future__ import annotations

import math

from skillnader import numbers

WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "city_report_title": "Skillnader i livsvillkor i {city} {year}",
        "city_report_subtitle": "Årlig rapport om skillnader mellan områden och grupper",
        "profile_title": "Områdesprofil: {area}",
        "contents": "Innehåll",
        "summary": "Sammanfattning",
        "summary_intro": (
            "Analysen prövar för varje indikator två saker samtidigt: om nivån i {city} "
            "förbättras eller försämras, och om skillnaden mellan områden eller grupper ökar "
            "eller minskar. Bara det som intervallen stöder sägs."
        ),
        "improves_widens": "Staden förbättras medan skillnaderna ökar",
        "improves_widens_none": (
            "Ingen indikator visar med säkerhet att staden förbättras samtidigt som "
            "skillnaderna ökar."
        ),
        "other_findings": "Övriga resultat",
        "evidence": "Underlag",
        "period": "År",
        "value": "Värde",
        "interval": "95 % KI",
        "gap": "Skillnad",
        "change": "Förändring",
        "assessment": "Bedömning",
        "city_level": "Nivå i staden",
        "gap_areas": "Skillnad mellan {level} (P90 − P10), {vintage}",
        "gap_groups": "Skillnad mellan {groups}",
        "chapter_no_data": (
            "Det finns inga publicerade data för detta område i databasen. "
            "Indikatorerna nedan finns i katalogen och kan importeras."
        ),
        "import_from": "Kan importeras från",
        "external_ids": "externa id",
        "no_external_ids": "inga externa id registrerade i katalogen",
        "indicator_year": "{indicator}, {level} {year}",
        "map_of": "Karta: {indicator} per {level}, {year}",
        "bars_of": "{indicator} per {level}, {year}, med 95 % intervall",
        "bars_cut": (
            "Diagrammet visar de {n} högsta och de {n} lägsta av {total} områden; "
            "kartan visar alla."
        ),
        "trend_of": "Utveckling: {indicator}",
        "groups_of": "{indicator} per befolkningsgrupp, {year}",
        "latest_year_note": "Senaste år med data: {year}.",
        "no_area_data": "Inga områdesdata för {year}; bara värdet för hela staden finns.",
        "city": "Staden",
        "everyone": "Alla",
        "methods": "Metodbilaga",
        "sources": "Källor",
        "source": "Källa",
        "publisher": "Utgivare",
        "licence": "Licens",
        "releases": "Importerade versioner",
        "cells": "Celler",
        "imported": "Importerad",
        "suppressed": "prickad",
        "suppressed_secondary": "prickad för att skydda en annan uppgift",
        "missing": "uppgift saknas",
        "better": "bättre än staden",
        "similar": "som staden",
        "worse": "sämre än staden",
        "higher": "högre än staden",
        "lower": "lägre än staden",
        "not_compared": "ej jämförd",
        "improving": "förbättras",
        "worsening": "försämras",
        "no_clear_change": "ingen säker förändring",
        "not_assessed": "ej bedömd",
        "widening": "ökar",
        "narrowing": "minskar",
        "increasing": "ökar",
        "decreasing": "minskar",
        "no_significant_change": "ingen säker förändring",
        "cannot_be_calculated": "kan inte beräknas",
        "page": "Sida",
        "generated": "Framställd {date} ur publicerade data.",
        "profile_intro": (
            "{area} ({level}, indelning {vintage}) jämfört med {city} på varje indikator med "
            "data till och med {year}."
        ),
        "spine_title": "{area} jämfört med staden",
        "spine_note": (
            "Mittlinjen är staden, det ljusa fältet spännvidden för alla {level}, det mörka "
            "fältet den mittersta hälften; sämre är till vänster."
        ),
        "stands_out": "Det här sticker ut",
        "stands_out_none": (
            "Inget värde skiljer sig säkert från stadens (överlappande 95 % intervall)."
        ),
        "better_list": "Säkert bättre än staden",
        "worse_list": "Säkert sämre än staden",
        "different_list": "Säkert högre eller lägre än staden (ingen värdering)",
        "indicator": "Indikator",
        "area_value": "Området",
        "comparison": "Jämförelse",
        "trend": "Trend",
        "trends": "Utveckling över tid",
        "trends_none": "Ingen indikator har mer än ett år för området.",
        "groups": "Befolkningsgrupper, {year}",
        "group": "Grupp",
        "data_notes": "Om uppgifterna",
        "note_vintage": (
            "Områdesindelning: {level}, {vintage}. Värden jämförs bara med områden av samma "
            "indelning."
        ),
        "note_suppressed": (
            "{n} celler för området är prickade (röjandekontroll) och visas som ”prickad”."
        ),
        "note_suppressed_secondary": (
            "{n} celler för området är prickade (röjandekontroll) och visas som ”prickad”; {m} av "
            "dem är inte små själva utan prickade för att skydda en annan uppgift, som annars "
            "kunde räknas fram."
        ),
        "note_no_suppressed": "Inga celler för området är prickade.",
        "note_links": "Omräkning mellan indelningar: {links}.",
        "note_compare": (
            "Jämförelsen med staden använder överlappande 95 % konfidensintervall och "
            "indikatorns riktning (högre/lägre är bättre)."
        ),
        "yes": "ja",
    },
    "en": {
        "city_report_title": "Differences in living conditions in {city} {year}",
        "city_report_subtitle": "Yearly report on differences between areas and groups",
        "profile_title": "Area profile: {area}",
        "contents": "Contents",
        "summary": "Summary",
        "summary_intro": (
            "For each indicator the analysis tests two things together: whether the level in "
            "{city} improves or worsens, and whether the gap between areas or groups widens or "
            "narrows. Only what the intervals support is stated."
        ),
        "improves_widens": "The city improves while the gaps widen",
        "improves_widens_none": (
            "No indicator shows with confidence that the city improves while the gaps widen."
        ),
        "other_findings": "Other findings",
        "evidence": "Evidence",
        "period": "Year",
        "value": "Value",
        "interval": "95% CI",
        "gap": "Gap",
        "change": "Change",
        "assessment": "Assessment",
        "city_level": "Level in the city",
        "gap_areas": "Gap between {level} (P90 − P10), {vintage}",
        "gap_groups": "Gap between {groups}",
        "chapter_no_data": (
            "There are no published data for this domain in the database. The indicators below "
            "are in the catalogue and can be imported."
        ),
        "import_from": "Can be imported from",
        "external_ids": "external ids",
        "no_external_ids": "no external ids recorded in the catalogue",
        "indicator_year": "{indicator}, {level} {year}",
        "map_of": "Map: {indicator} by {level}, {year}",
        "bars_of": "{indicator} by {level}, {year}, with 95% intervals",
        "bars_cut": (
            "The chart shows the {n} highest and the {n} lowest of {total} areas; the map shows "
            "all of them."
        ),
        "trend_of": "Trend: {indicator}",
        "groups_of": "{indicator} by population group, {year}",
        "latest_year_note": "Latest year with data: {year}.",
        "no_area_data": "No area data for {year}; only the value for the whole city exists.",
        "city": "City",
        "everyone": "Everyone",
        "methods": "Methods appendix",
        "sources": "Sources",
        "source": "Source",
        "publisher": "Publisher",
        "licence": "Licence",
        "releases": "Imported releases",
        "cells": "Cells",
        "imported": "Imported",
        "suppressed": "suppressed",
        "suppressed_secondary": "suppressed to protect another cell",
        "missing": "no data",
        "better": "better than the city",
        "similar": "similar to the city",
        "worse": "worse than the city",
        "higher": "higher than the city",
        "lower": "lower than the city",
        "not_compared": "not compared",
        "improving": "improving",
        "worsening": "worsening",
        "no_clear_change": "no clear change",
        "not_assessed": "not assessed",
        "widening": "widening",
        "narrowing": "narrowing",
        "increasing": "increasing",
        "decreasing": "decreasing",
        "no_significant_change": "no significant change",
        "cannot_be_calculated": "cannot be calculated",
        "page": "Page",
        "generated": "Produced {date} from published data.",
        "profile_intro": (
            "{area} ({level}, boundaries of {vintage}) compared with {city} on every indicator "
            "with data up to {year}."
        ),
        "spine_title": "{area} compared with the city",
        "spine_note": (
            "The centre line is the city, the light bar the range of all {level}, the dark bar "
            "the middle half; worse is on the left."
        ),
        "stands_out": "What stands out",
        "stands_out_none": (
            "No value differs with confidence from the city's (overlapping 95% intervals)."
        ),
        "better_list": "Significantly better than the city",
        "worse_list": "Significantly worse than the city",
        "different_list": "Significantly higher or lower than the city (no judgement)",
        "indicator": "Indicator",
        "area_value": "Area",
        "comparison": "Comparison",
        "trend": "Trend",
        "trends": "Trends",
        "trends_none": "No indicator has more than one year for the area.",
        "groups": "Population groups, {year}",
        "group": "Group",
        "data_notes": "About the data",
        "note_vintage": (
            "Boundaries: {level}, {vintage}. Values are only compared with areas of the same "
            "boundaries."
        ),
        "note_suppressed": (
            "{n} cells for the area are suppressed (disclosure control) and shown as “suppressed”."
        ),
        "note_suppressed_secondary": (
            "{n} cells for the area are suppressed (disclosure control) and shown as "
            "“suppressed”; {m} of them are not small themselves but suppressed to protect "
            "another cell that could otherwise be worked out."
        ),
        "note_no_suppressed": "No cells for the area are suppressed.",
        "note_links": "Recalculation between boundary versions: {links}.",
        "note_compare": (
            "The comparison with the city uses overlapping 95% confidence intervals and the "
            "indicator's polarity (higher/lower is better)."
        ),
        "yes": "yes",
    },
}

LANGUAGES = ("sv", "en")


def word(key: str, lang: str, **fmt: object) -> str:
    """The report word or phrase ``key`` in ``lang``, with ``fmt`` filled in."""
    text = WORDS[lang][key]
    return text.format(**fmt) if fmt else text


def decimal_sep(lang: str) -> str:
    return "," if lang == "sv" else "."


def number(value: float | None, decimals: int, lang: str) -> str:
    """A number in the report's typography; empty for a missing value."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return numbers.format_number(value, decimals, lang)


def interval(lower: float | None, upper: float | None, decimals: int, lang: str) -> str:
    """``"12,3–14,5"``; empty when either limit is missing."""
    if lower is None or upper is None:
        return ""
    return f"{number(lower, decimals, lang)}–{number(upper, decimals, lang)}"


def quote(text: str, lang: str) -> str:
    """``text`` in the quotation marks of ``lang`` (Swedish: ”…”)."""
    return f"\u201d{text}\u201d" if lang == "sv" else f"\u201c{text}\u201d"


def check_lang(lang: str) -> str:
    """``lang`` if it is a report language, else an :class:`~skillnader.errors.InputError`."""
    from skillnader.errors import InputError

    if lang not in LANGUAGES:
        raise InputError("unknown report language", value=lang, expected="sv or en")
    return lang
