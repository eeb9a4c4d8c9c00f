"""Glue between the page data and :mod:`skillnader.charts.vegalite`: translated labels,
and the server-side SVG rendering used when JavaScript is off (cached on disk by spec hash)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.formats import get_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def labels(benchmark: str = "city") -> dict[str, str]:
    """Translated category names and chart words for the active language (memoised); the
    comparison categories name the ``benchmark`` (``city``, ``region`` or ``country``)."""
    language = get_language() or "sv"
    key = f"{language}:{benchmark}"
    if key not in _LABELS:
        _LABELS[key] = _labels() if benchmark == "city" else {**_labels(), **_vs(benchmark)}
    return _LABELS[key]


def benchmark_names() -> dict[str, str]:
    """The benchmarks' names as they read in a sentence ("compared with …")."""
    return {
        "city": _("the city"),
        "region": _("the region (Stockholms län)"),
        "country": _("Sweden"),
    }


def _vs(benchmark: str) -> dict[str, str]:
    name = benchmark_names().get(benchmark, benchmark)
    return {
        "better": _("Better than %(benchmark)s") % {"benchmark": name},
        "similar": _("Similar to %(benchmark)s") % {"benchmark": name},
        "worse": _("Worse than %(benchmark)s") % {"benchmark": name},
        "higher": _("Higher than %(benchmark)s") % {"benchmark": name},
        "lower": _("Lower than %(benchmark)s") % {"benchmark": name},
    }


_LABELS: dict[str, dict[str, str]] = {}


def _labels() -> dict[str, str]:
    return {
        "better": _("Better than the city"),
        "similar": _("Similar to the city"),
        "worse": _("Worse than the city"),
        "higher": _("Higher than the city"),
        "lower": _("Lower than the city"),
        "not_compared": _("Not compared"),
        "suppressed": _("Suppressed"),
        "missing": _("No data"),
        "area": _("Area"),
        "value": _("Value"),
        "interval": _("Interval"),
        "comparison": _("Comparison"),
        "year": _("Year"),
        "group": _("Group"),
        "indicator": _("Indicator"),
        "city": _("City"),
        "highlighted": _("highlighted"),
        "worse_end": _("Worse"),
        "better_end": _("Better"),
        "lower_end": _("Lower"),
        "higher_end": _("Higher"),
    }


def for_web(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as drawn in the page: as wide as its container (phones included), the height
    as built. The SVG fallback and the reports keep the fixed width they were built with."""
    out = {**spec, "width": "container", "autosize": {"type": "fit-x", "contains": "padding"}}
    if isinstance(spec.get("title"), str):
        # The figure's caption carries the title; Vega would announce it as "Title text …".
        out["title"] = {"text": spec["title"], "aria": False}
    return out


def decimal_sep() -> str:
    """The decimal separator of the active language."""
    return get_format("DECIMAL_SEPARATOR")


def _cache_dir() -> Path:
    path = Path(settings.DATA_DIR) / "cache" / "charts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def spec_hash(spec: dict[str, Any]) -> str:
    """A stable hash of a spec (sorted keys)."""
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def render_svg(spec: dict[str, Any]) -> str:
    """The spec as a static SVG via vl-convert, cached on disk under the spec's hash."""
    target = _cache_dir() / f"{spec_hash(spec)}.svg"
    if target.exists():
        return target.read_text(encoding="utf-8")
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(svg, encoding="utf-8")
    tmp.replace(target)
    return svg
