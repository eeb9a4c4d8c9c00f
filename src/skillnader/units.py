"""Units of measurement as people read them, in Swedish and English.

The catalogue stores a unit as a short English key (``percent``, ``SEK thousand``); pages,
charts and reports show it through :func:`unit_label`, so a Swedish page never says "percent".
A unit outside this vocabulary (an analyst's own import) is shown as written.
"""

from __future__ import annotations

UNITS: dict[str, dict[str, str]] = {
    "percent": {"sv": "procent", "en": "percent"},
    "%": {"sv": "%", "en": "%"},
    "persons": {"sv": "personer", "en": "persons"},
    "SEK thousand": {"sv": "tusen kronor", "en": "SEK thousand"},
    "SEK": {"sv": "kronor", "en": "SEK"},
    "dwellings": {"sv": "bostäder", "en": "dwellings"},
    "years": {"sv": "år", "en": "years"},
    "points": {"sv": "poäng", "en": "points"},
    "class 1-5": {"sv": "klass 1–5", "en": "class 1–5"},
    "deaths per 100 000": {"sv": "döda per 100 000", "en": "deaths per 100,000"},
    "per 1 000": {"sv": "per 1 000", "en": "per 1,000"},
    "per 1 000 inhabitants": {"sv": "per 1 000 invånare", "en": "per 1,000 inhabitants"},
    "per 100 000": {"sv": "per 100 000", "en": "per 100,000"},
    "index": {"sv": "index", "en": "index"},
    "ratio": {"sv": "kvot", "en": "ratio"},
    "count": {"sv": "antal", "en": "count"},
}


def unit_label(unit: str | None, lang: str = "sv") -> str:
    """``unit`` in ``lang`` (``"sv"`` or ``"en"``); unknown units unchanged."""
    if not unit:
        return ""
    entry = UNITS.get(unit.strip())
    if entry is None:
        return unit
    return entry["en" if lang == "en" else "sv"]
