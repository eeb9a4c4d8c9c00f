"""Template filters for numbers, intervals and comparison categories."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from skillnader.charts.vegalite import COMPARISON_CATEGORIES
from skillnader.numbers import format_interval, format_number
from skillnader.web.public import charts

register = template.Library()


@register.filter
def num(value, decimals=1):
    """A number for people in the active language, rounded half away from zero to ``decimals``
    (:func:`skillnader.numbers.format_number`); empty if None."""
    if value is None or value == "":
        return ""
    from skillnader.web.data.queries import lang

    return format_number(value, int(decimals), lang())


@register.filter
def interval(cell, decimals=1):
    """``"12,3–14,5"`` for a cell (dict with lower/upper), empty without an interval."""
    if not cell or cell.get("lower") is None or cell.get("upper") is None:
        return ""
    from skillnader.web.data.queries import lang

    return format_interval(cell["lower"], cell["upper"], int(decimals), lang())


@register.filter
def category(key):
    """The translated label of a comparison category or status."""
    return charts.labels().get(key, key or "")


@register.filter
def symbol(key):
    """The text symbol that marks a comparison category (so colour is not the only cue)."""
    return COMPARISON_CATEGORIES.get(key, ("", "", ""))[2]


@register.filter
def status_text(cell):
    """Why a cell has no value: suppressed (with the word the statisticians use) or no data."""
    if not cell or cell.get("status") == "missing":
        return _("No data")
    if cell.get("status") == "suppressed":
        if cell.get("suppression") == "secondary":
            return _("Suppressed to protect another cell")
        return _("Suppressed")
    return ""


@register.filter
def get(mapping, key):
    """``mapping[key]`` or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def areaname(area):
    """An area dict's name in the active language."""
    from skillnader.web.data.queries import display_name

    return display_name(area)


@register.filter
def trend_text(trend):
    """The recent-trend marker in words, with its assessment when the indicator has a direction."""
    if not trend:
        return ""
    words = {
        "increasing": _("Increasing"),
        "decreasing": _("Decreasing"),
        "no_significant_change": _("No significant change"),
        "cannot_be_calculated": _("Trend cannot be calculated"),
    }
    text = words.get(trend.get("marker"), trend.get("marker", ""))
    if trend.get("marker") == "cannot_be_calculated":
        reason = _trend_reason(trend)
        return f"{text}: {reason}" if reason else text
    assessment = {"improving": _("improving"), "worsening": _("worsening")}.get(
        trend.get("assessment")
    )
    return f"{text} ({assessment})" if assessment else text


@register.filter
def excel_url(csv_url):
    """The "Svensk Excel" twin of a CSV download address (``x.csv?…`` -> ``x.sv.csv?…``)."""
    path, sep, query = str(csv_url).partition("?")
    if path.endswith(".csv") and not path.endswith(".sv.csv"):
        path = path[: -len(".csv")] + ".sv.csv"
    return path + sep + query


@register.filter
def unit(value):
    """An indicator's unit in the active language (:func:`skillnader.units.unit_label`)."""
    from skillnader.units import unit_label
    from skillnader.web.data.queries import lang

    return unit_label(value, lang())


def _trend_reason(trend) -> str:
    """Why the trend marker cannot be calculated, in the page's language."""
    import re

    reason = str(trend.get("reason") or "")
    if reason == "no_interval" or "standard error" in reason and "missing" in reason:
        return _("the indicator has no intervals, which the trend test needs")
    if "standard error is zero" in reason:
        return _("a value without uncertainty (0 or 100 percent, or no events) in the series")
    m = re.match(r"(\d+) usable points; the trend marker needs (\d+)", reason)
    if m:
        return _("%(n)s years with values; the trend test needs %(k)s") % {
            "n": m.group(1),
            "k": m.group(2),
        }
    if reason == "too_few":
        return _("too few years with values and intervals")
    return ""


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def compact_json_script(value, element_id):
    """Like Django's ``json_script`` (the same escaping of ``<``, ``>`` and ``&``, so the data
    cannot end the script element), without the spaces after separators and with letters such as
    å, ä and ö kept as UTF-8 instead of six-byte escapes: a map's or chart's data in the page
    takes about a fifth fewer bytes."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    text = json.dumps(
        value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).translate(_JSON_SCRIPT_ESCAPES)
    return format_html(
        '<script id="{}" type="application/json">{}</script>', element_id, mark_safe(text)
    )
