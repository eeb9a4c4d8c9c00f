"""Small filters for the goal pages."""

from django import template
from django.utils.formats import number_format

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
    """A number with the active language's decimal separator; a dash for none."""
    if value is None:
        return "–"
    return number_format(value, decimal_pos=int(decimals))


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
