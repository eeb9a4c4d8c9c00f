"""Numbers for people: the one function that formats a value wherever a person reads it.

Web pages, chart tooltips and labels, the PDF/HTML reports, the findings' sentences and the
"Svensk Excel" download all call :func:`format_number`, so the same value reads the same
everywhere. The rules (Språkrådet, *Svenska skrivregler*, 2017, §§ 12.5–12.9; SCB's
*Presentera statistik*, 2014):

* rounding half away from zero to the indicator's number of decimals (67,25 → 67,3; −0,05 →
  −0,1), applied to the number as written in decimal (the shortest repr of the float), not to
  its binary approximation, and never truncation;
* decimal comma in Swedish, point in English;
* thousands grouped by a narrow no-break space (U+202F) in Swedish, a comma in English;
* the true minus sign (U+2212), never the hyphen; a value that rounds to zero has no sign.

Machine twins (JSON, the standard CSV, the API) never go through this module: they keep the
stored full precision.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MINUS = "\u2212"
NARROW_NBSP = "\u202f"

_SEPARATORS = {"sv": (",", NARROW_NBSP), "en": (".", ",")}


def _decimal(value: float | int | Decimal | str) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        # repr() is the shortest string that reads back as the same float: 67.25, not
        # 67.2499999…, so half-way cases round as a person reading the number expects.
        return Decimal(repr(float(value)))  # float(): NumPy's repr is "np.float64(…)"
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def round_half_away(value: float | int | Decimal | str, decimals: int) -> Decimal | None:
    """``value`` rounded half away from zero to ``decimals`` places (``None`` if not finite)."""
    d = _decimal(value)
    if d is None:
        return None
    # ROUND_HALF_UP in the decimal module rounds ties away from zero, on both signs.
    return d.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)


def format_number(
    value: float | int | Decimal | str | None,
    decimals: int = 1,
    lang: str = "sv",
    *,
    grouping: bool = True,
) -> str:
    """``value`` for people in ``lang`` (``"sv"`` or ``"en"``); ``""`` when missing.

    >>> format_number(988943, 0)
    '988\u202f943'
    >>> format_number(67.25, 1)
    '67,3'
    >>> format_number(-1234.5, 1, "en")
    '\u22121,234.5'
    """
    if value is None or isinstance(value, bool):
        return ""
    rounded = round_half_away(value, max(int(decimals), 0))
    if rounded is None:
        return ""
    decimal_sep, thousands = _SEPARATORS["en" if lang == "en" else "sv"]
    negative = rounded < 0 and rounded != 0
    text = f"{abs(rounded):,.{max(int(decimals), 0)}f}"
    whole, _, frac = text.partition(".")
    whole = whole.replace(",", thousands if grouping else "")
    out = whole + (decimal_sep + frac if frac else "")
    return (MINUS + out) if negative else out


def format_interval(
    lower: float | None, upper: float | None, decimals: int = 1, lang: str = "sv"
) -> str:
    """``"12,3–14,5"`` (en dash between the limits); ``""`` when either limit is missing."""
    if lower is None or upper is None:
        return ""
    lo, hi = format_number(lower, decimals, lang), format_number(upper, decimals, lang)
    if not lo or not hi:
        return ""
    return f"{lo}–{hi}"


def excel_number(value: float | int | None) -> str:
    """A number for a spreadsheet set to Swedish: full precision, decimal comma, no grouping and
    the ASCII hyphen as minus (what Excel parses as a number); ``""`` when missing."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        if text.endswith(".0"):
            text = text[:-2]
    else:
        text = str(value)
    return text.replace(".", ",")


def d3_locale(lang: str = "sv") -> dict:
    """The d3-format locale (Vega's ``config.locale.number``) with the same separators, so axis
    labels drawn by Vega agree with :func:`format_number`."""
    if lang == "en":
        return {
            "decimal": ".",
            "thousands": ",",
            "grouping": [3],
            "currency": ["", " SEK"],
            "minus": MINUS,
        }
    return {
        "decimal": ",",
        "thousands": NARROW_NBSP,
        "grouping": [3],
        "currency": ["", " kr"],
        "minus": MINUS,
    }
