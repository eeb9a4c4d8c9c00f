"""Small filters for the goal pages."""

from django import template
from django.utils.translation import get_language

from skillnader.numbers import format_number

register = template.Library()


@register.filter
def get(mapping, key):
    """``mapping[key]``, or the key itself when missing."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def num(value, decimals=1):
    """A number for people in the active language (rounded half away from zero, decimal comma
    and true minus sign in Swedish; :mod:`skillnader.numbers`); a dash for none."""
    if value is None:
        return "–"
    lang = "en" if (get_language() or "sv").startswith("en") else "sv"
    return format_number(value, int(decimals), lang) or "–"


@register.filter
def pct(p):
    """A probability as a percentage; below 1 % and above 99 % shown as bounds."""
    if p is None:
        return "–"
    if p > 0.99:
        return "> 99 %"
    if p < 0.01:
        return "< 1 %"
    return f"{round(p * 100)} %"
