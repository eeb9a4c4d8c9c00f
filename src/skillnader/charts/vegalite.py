"""Vega-Lite specifications for every chart of the product, as plain dictionaries.

One module builds the charts for the web pages (rendered in the browser by vega-embed) and for
the PDF reports and the no-JavaScript fallback (rendered to SVG/PNG by ``vl-convert-python``), so
every spec is self-contained: the data is inline, no URL is fetched, and all text (titles, legend
entries, category names) is passed in already translated. The module has no Django imports.

Conventions shared by all charts
--------------------------------
* A row is a plain dict. Missing or suppressed values are ``None`` and are *never* drawn as zero:
  they get their own category ("suppressed", "no data") or are listed by name without a mark.
* Intervals are drawn as error bars (ranked bars, group breakdowns) or a band (trends).
* Comparison with the city uses the categories of :data:`COMPARISON_CATEGORIES`; the colours
  are distinguishable for the common colour-vision deficiencies and every category also carries a
  text symbol, so the map does not rely on colour alone (WCAG 2.1 SC 1.4.1).
* The spine chart follows the layout of the English public-health "Fingertips" area profiles
  (Public Health England, *Fingertips* technical guidance): the city value is the centre line,
  the grey bar spans the range of area values, the darker bar the 25th–75th percentiles, and the
  worse end is on the left whatever the indicator's polarity.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from skillnader import numbers

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

#: Comparison categories: key -> (default English label, fill colour, symbol).
COMPARISON_CATEGORIES: dict[str, tuple[str, str, str]] = {
    "better": ("Better than the city", "#1f64a8", "+"),
    "similar": ("Similar to the city", "#f2c53d", "="),
    "worse": ("Worse than the city", "#c8461b", "−"),
    "higher": ("Higher than the city", "#6a4c9c", "▲"),
    "lower": ("Lower than the city", "#c9b3e6", "▼"),
    "not_compared": ("Not compared", "#aebdca", "?"),
    "suppressed": ("Suppressed", "#8c8c8c", "×"),
    "missing": ("No data", "#e6e6e6", "–"),
}

#: Sequential fill colours for classed values, light to dark (ColorBrewer "Blues", 5 classes;
#: Brewer & Harrower 2003). Text on the map is never placed on these fills.
CLASS_COLOURS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

#: Areas above this count get no text symbols on the map (they would overlap); the table
#: alternative and the tooltips still carry the category.
MAX_MAP_LABELS = 200


def _base(
    title: str, description: str, width: int | str, height: int | str, lang: str = "sv"
) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "description": description or title,
        "width": width,
        "height": height,
        "config": {
            "font": _FONT,
            "view": {"stroke": None},
            # The title is the figure's caption too; Vega would announce it as "Title text".
            "title": {"color": "#111111", "anchor": "start", "fontSize": 14, "aria": False},
            # Axis labels in the same typography as the text (decimal comma, minus sign).
            "locale": {"number": numbers.d3_locale(lang)},
            # Vega would describe axes and legends to screen readers in English ("X-axis for a
            # linear scale…"); the marks carry their own description in the page's language,
            # and the figure's caption and table say the rest.
            "axis": {
                "labelColor": "#222222",
                "titleColor": "#222222",
                "labelLimit": 260,
                "aria": False,
            },
            "legend": {
                "labelColor": "#222222",
                "titleColor": "#222222",
                "labelLimit": 260,
                "aria": False,
            },
        },
    }


def format_number(value: float | None, decimals: int = 1, decimal_sep: str = ",") -> str:
    """``value`` for people: :func:`skillnader.numbers.format_number` in Swedish (decimal comma)
    or English (decimal point), so charts, pages and reports print the same digits."""
    return numbers.format_number(value, decimals, "en" if decimal_sep == "." else "sv")


def _lang(decimal_sep: str) -> str:
    return "en" if decimal_sep == "." else "sv"


def _texts(row: dict[str, Any], decimals: int, lang: str, unit: str = "") -> dict[str, str]:
    """The value and interval of ``row`` as people read them (one function for every chart)."""
    value = numbers.format_number(row.get("value"), decimals, lang)
    ci = numbers.format_interval(row.get("lower"), row.get("upper"), decimals, lang)
    return {
        "value_text": f"{value} {unit}".strip() if value else "",
        "interval_text": ci,
    }


def _aria(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


def interval_text(
    lower: float | None, upper: float | None, decimals: int = 1, decimal_sep: str = ","
) -> str:
    """``"12,3–14,5"`` or an empty string when the interval is unknown."""
    if lower is None or upper is None:
        return ""
    return f"{format_number(lower, decimals, decimal_sep)}–{format_number(upper, decimals, decimal_sep)}"


def class_breaks(values: Iterable[float | None], k: int = 5) -> list[float]:
    """Quantile class breaks (``k + 1`` edges) over the non-missing ``values``.

    Quantile classes put the same number of areas in each class, which suits the skewed
    distributions of area statistics (Brewer & Pickle 2002, *Evaluation of methods for classifying
    epidemiological data on choropleth maps in series*). Duplicate edges are merged, so fewer
    classes come back when many areas share a value.
    """
    xs = sorted(v for v in values if v is not None and not math.isnan(v))
    if not xs:
        return []
    edges = []
    for i in range(k + 1):
        pos = (len(xs) - 1) * i / k
        lo, frac = int(math.floor(pos)), pos - math.floor(pos)
        hi = min(lo + 1, len(xs) - 1)
        edges.append(xs[lo] + (xs[hi] - xs[lo]) * frac)
    out: list[float] = []
    for e in edges:
        if not out or e > out[-1]:
            out.append(e)
    if len(out) == 1:
        out.append(out[0])
    return out


def classify(value: float | None, edges: Sequence[float]) -> int | None:
    """Index of the class of ``value`` for the ``edges`` from :func:`class_breaks`."""
    if value is None or not edges:
        return None
    for i in range(1, len(edges) - 1):
        if value < edges[i]:
            return i - 1
    return max(len(edges) - 2, 0)


def _category_label(key: str, labels: dict[str, str] | None) -> str:
    if labels and key in labels:
        return labels[key]
    return COMPARISON_CATEGORIES[key][0]


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Twice the signed planar area of a ring (shoelace); positive when counter-clockwise."""
    return sum(
        ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)
    )


def _orient_polygon(rings: Sequence[Sequence[Sequence[float]]]) -> list:
    out = []
    for i, ring in enumerate(rings):
        ring = [list(p) for p in ring]
        clockwise = _signed_area(ring) < 0
        # Exterior (i == 0) clockwise, holes counter-clockwise.
        if clockwise != (i == 0):
            ring.reverse()
        out.append(ring)
    return out


def d3_winding(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    """The geometry with exterior rings clockwise and holes counter-clockwise.

    Vega draws maps with d3-geo, which works on the sphere and reads a ring's winding order
    to decide which side is inside: the opposite of the GeoJSON standard (RFC 7946 §3.1.6), so
    an RFC-conformant polygon would fill the whole globe except the area. Areas of a city are
    small enough for the planar signed area to give the winding.
    """
    if not geometry:
        return geometry
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": _orient_polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {
            "type": "MultiPolygon",
            "coordinates": [_orient_polygon(p) for p in geometry["coordinates"]],
        }
    return geometry


def choropleth(
    features: Sequence[dict[str, Any]],
    *,
    mode: str = "value",
    title: str = "",
    description: str = "",
    unit: str = "",
    decimals: int = 1,
    decimal_sep: str = ",",
    labels: dict[str, str] | None = None,
    legend_title: str = "",
    width: int = 560,
    height: int = 460,
) -> dict[str, Any]:
    """A choropleth map of areas, coloured by classed value or by comparison with the city.

    ``features``: dicts with ``code``, ``name``, ``geometry`` (GeoJSON, WGS84), ``value``,
    ``lower``, ``upper``, ``status`` (``"ok"``, ``"suppressed"`` or ``"missing"``),
    ``comparison`` (a key of :data:`COMPARISON_CATEGORIES`) and optionally ``lon``/``lat`` for
    the label point, and ``href`` to make the area a link (clicked, or Enter on keyboard focus).
    ``mode`` is ``"value"`` (quantile classes) or ``"compare"``.
    ``labels`` translates category keys and the words ``value``, ``interval``, ``area``,
    ``comparison``. Features without geometry are skipped (the table alternative lists them).
    """
    lab = labels or {}
    values = [
        {
            "code": f["code"],
            "name": f["name"],
            "value": f.get("value"),
            "status": f.get("status", "ok"),
            "comparison": f.get("comparison") or "not_compared",
            "geometry": f["geometry"],
            "lon": f.get("lon"),
            "lat": f.get("lat"),
            **({"href": f["href"]} if f.get("href") else {}),
        }
        for f in features
        if f.get("geometry")
    ]
    for row, f in zip(values, [f for f in features if f.get("geometry")], strict=True):
        val = format_number(row["value"], decimals, decimal_sep)
        ci = interval_text(f.get("lower"), f.get("upper"), decimals, decimal_sep)
        if row["status"] == "suppressed":
            row["display"] = _category_label("suppressed", lab)
        elif row["value"] is None:
            row["display"] = _category_label("missing", lab)
        else:
            row["display"] = f"{val} {unit}".strip() + (f" ({ci})" if ci else "")
        row["comparison_label"] = _category_label(row["comparison"], lab)

    if mode == "compare":
        for row in values:
            if row["status"] == "suppressed":
                row["category"] = "suppressed"
            elif row["value"] is None:
                row["category"] = "missing"
            else:
                row["category"] = row["comparison"]
        keys = [k for k in COMPARISON_CATEGORIES if any(r["category"] == k for r in values)]
        domain = [_category_label(k, lab) for k in keys]
        colours = [COMPARISON_CATEGORIES[k][1] for k in keys]
        for row in values:
            row["class"] = _category_label(row["category"], lab)
            row["symbol"] = COMPARISON_CATEGORIES[row["category"]][2]
    else:
        edges = class_breaks([r["value"] for r in values if r["status"] == "ok"])
        names = [
            f"{format_number(edges[i], decimals, decimal_sep)}–"
            f"{format_number(edges[i + 1], decimals, decimal_sep)}"
            for i in range(len(edges) - 1)
        ]
        domain, colours = list(names), list(CLASS_COLOURS[: len(names)])
        if len(names) < len(CLASS_COLOURS) and names:
            step = (len(CLASS_COLOURS) - 1) / max(len(names) - 1, 1)
            colours = [CLASS_COLOURS[round(i * step)] for i in range(len(names))]
        for row in values:
            if row["status"] == "suppressed":
                row["class"] = _category_label("suppressed", lab)
                row["symbol"] = COMPARISON_CATEGORIES["suppressed"][2]
            elif row["value"] is None:
                row["class"] = _category_label("missing", lab)
                row["symbol"] = COMPARISON_CATEGORIES["missing"][2]
            else:
                row["class"] = names[classify(row["value"], edges)]
                row["symbol"] = ""
        for key in ("suppressed", "missing"):
            if any(r["class"] == _category_label(key, lab) for r in values):
                domain.append(_category_label(key, lab))
                colours.append(COMPARISON_CATEGORIES[key][1])

    shapes = [
        {
            "type": "Feature",
            "geometry": d3_winding(r.pop("geometry")),
            "properties": {k: v for k, v in r.items() if k not in ("lon", "lat")},
        }
        for r in values
    ]
    word_area = lab.get("area", "Area")
    word_value = lab.get("value", "Value")
    tooltip = [
        {"field": "properties.name", "type": "nominal", "title": word_area},
        {"field": "properties.display", "type": "nominal", "title": word_value},
    ]
    if mode == "compare":
        tooltip.append(
            {
                "field": "properties.comparison_label",
                "type": "nominal",
                "title": lab.get("comparison", "Comparison"),
            }
        )
    spec = _base(title, description, width, height, _lang(decimal_sep))
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": shapes},
            "mark": {"type": "geoshape", "stroke": "#333333", "strokeWidth": 0.6},
            "encoding": {
                "color": {
                    "field": "properties.class",
                    "type": "nominal",
                    "scale": {"domain": domain, "range": colours},
                    "sort": domain,
                    "legend": {"title": legend_title or None, "orient": "bottom", "columns": 2},
                },
                "tooltip": tooltip,
                **(
                    {"href": {"field": "properties.href", "type": "nominal"}}
                    if any("href" in r["properties"] for r in shapes)
                    else {}
                ),
                "description": {
                    "field": "properties.aria",
                    "type": "nominal",
                },
            },
            "transform": [
                {
                    "calculate": "datum.properties.name + ': ' + datum.properties.display"
                    + (" + ', ' + datum.properties.comparison_label" if mode == "compare" else ""),
                    "as": "properties.aria",
                }
            ],
        }
    ]
    points = [
        {"lon": r["lon"], "lat": r["lat"], "symbol": r["symbol"], "name": r["name"]}
        for r in values
        if r.get("symbol") and r.get("lon") is not None and r.get("lat") is not None
    ]
    if points and len(values) <= MAX_MAP_LABELS:
        layers.append(
            {
                "data": {"values": points},
                "mark": {
                    "type": "text",
                    "fontSize": 13,
                    "fontWeight": "bold",
                    "color": "#000000",
                    "stroke": "#ffffff",
                    "strokeWidth": 2.5,
                    "strokeOpacity": 0.9,
                    "aria": False,
                },
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "text": {"field": "symbol", "type": "nominal"},
                },
            }
        )
    spec["projection"] = {"type": "mercator"}
    spec["layer"] = layers
    return spec


def ranked_bars(
    rows: Sequence[dict[str, Any]],
    *,
    city_value: float | None = None,
    city_label: str = "City",
    title: str = "",
    description: str = "",
    unit: str = "",
    decimals: int = 1,
    polarity: str = "no_judgement",
    labels: dict[str, str] | None = None,
    width: int = 480,
    lang: str = "sv",
    highlight: Sequence[str] = (),
) -> dict[str, Any]:
    """Areas ranked by value as horizontal bars with interval whiskers and the city as a line.

    ``rows``: dicts with ``name``, ``value``, ``lower``, ``upper``, ``status`` and optionally
    ``comparison``. Areas without a value are listed (by name, with "suppressed" or "no data")
    below the ranked ones and get no bar. Areas named in ``highlight`` (the city among the
    region's kommuner) get a thick outline and say so in their description.
    """
    lab = labels or {}
    ok = [r for r in rows if r.get("value") is not None]
    rest = [r for r in rows if r.get("value") is None]
    ok.sort(key=lambda r: (-r["value"], r["name"]))
    data = []
    for rank, r in enumerate(ok, start=1):
        cat = r.get("comparison") or "not_compared"
        texts = _texts(r, decimals, lang, unit)
        marked = r["name"] in highlight
        data.append(
            {
                "label": r["name"],
                "value": r["value"],
                "lower": r.get("lower"),
                "upper": r.get("upper"),
                "rank": rank,
                "category": _category_label(cat, lab),
                "highlight": marked,
                **texts,
                "aria": _aria(
                    f"{r['name']}"
                    + (f" ({lab.get('highlighted', 'highlighted')})" if marked else "")
                    + f": {texts['value_text']}",
                    texts["interval_text"],
                    _category_label(cat, lab),
                ),
            }
        )
    for r in rest:
        key = "suppressed" if r.get("status") == "suppressed" else "missing"
        data.append(
            {
                "label": f"{r['name']} ({_category_label(key, lab)})",
                "value": None,
                "lower": None,
                "upper": None,
                "rank": None,
                "category": _category_label(key, lab),
                "value_text": "",
                "interval_text": "",
                "aria": f"{r['name']}: {_category_label(key, lab)}",
            }
        )
    # The axis follows the rows' order through a small number per row; a list of every label
    # in the spec would repeat each name once per layer (three times per area).
    for position, d in enumerate(data):
        d["order"] = position
    keys = [
        k
        for k in COMPARISON_CATEGORIES
        if any(d["category"] == _category_label(k, lab) for d in data if d["value"] is not None)
    ]
    y = {
        "field": "label",
        "type": "nominal",
        "sort": {"field": "order", "op": "min"},
        "title": None,
    }
    x_title = unit or lab.get("value", "Value")
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "stroke": "#333333", "strokeWidth": 0.5},
            "transform": [{"filter": "datum.value != null"}],
            "encoding": {
                "y": y,
                "x": {"field": "value", "type": "quantitative", "title": x_title},
                "color": {
                    "field": "category",
                    "type": "nominal",
                    "scale": {
                        "domain": [_category_label(k, lab) for k in keys],
                        "range": [COMPARISON_CATEGORIES[k][1] for k in keys],
                    },
                    "legend": {"title": None, "orient": "bottom"},
                },
                "tooltip": [
                    {"field": "label", "title": lab.get("area", "Area")},
                    {"field": "value_text", "title": lab.get("value", "Value")},
                    {"field": "interval_text", "title": lab.get("interval", "Interval")},
                    {"field": "category", "title": lab.get("comparison", "Comparison")},
                ],
                "description": {"field": "aria", "type": "nominal"},
            },
        },
        {
            "mark": {"type": "rule", "color": "#000000", "aria": False},
            "transform": [{"filter": "datum.lower != null && datum.upper != null"}],
            "encoding": {
                "y": y,
                "x": {"field": "lower", "type": "quantitative"},
                "x2": {"field": "upper"},
            },
        },
    ]
    if highlight:
        layers[0]["mark"]["stroke"] = "#000000"
        layers[0]["encoding"]["strokeWidth"] = {
            "condition": {"test": "datum.highlight", "value": 3},
            "value": 0.5,
        }
    # Lists areas without a value on the axis (with their status), so they do not vanish.
    layers.append({"mark": {"type": "tick", "opacity": 0, "aria": False}, "encoding": {"y": y}})
    if city_value is not None:
        city_text = f"{numbers.format_number(city_value, decimals, lang)} {unit}".strip()
        layers.append(
            {
                "data": {
                    "values": [
                        {
                            "city": city_value,
                            "label": city_label,
                            "value_text": city_text,
                            "aria": f"{city_label}: {city_text}",
                        }
                    ]
                },
                "mark": {"type": "rule", "color": "#000000", "strokeDash": [6, 3], "size": 2},
                "encoding": {
                    "x": {"field": "city", "type": "quantitative"},
                    "tooltip": [
                        {"field": "label", "title": lab.get("area", "Area")},
                        {"field": "value_text", "title": lab.get("value", "Value")},
                    ],
                    "description": {"field": "aria", "type": "nominal"},
                },
            }
        )
    spec = _base(title, description, width, {"step": 18}, lang)
    spec["data"] = {"values": data}
    spec["layer"] = layers
    return spec


def trend(
    rows: Sequence[dict[str, Any]],
    *,
    title: str = "",
    description: str = "",
    unit: str = "",
    decimals: int = 1,
    labels: dict[str, str] | None = None,
    width: int = 520,
    height: int = 260,
    breaks: Sequence[int] = (),
    series_order: Sequence[str] = (),
    lang: str = "sv",
) -> dict[str, Any]:
    """Values over time, one line per series, each with its interval as a translucent band.

    ``rows``: dicts with ``series``, ``year``, ``value``, ``lower``, ``upper``. Years without a
    value are absent (the line is broken, not drawn to zero). ``breaks`` are years at which the
    series has a break (a boundary or definition change) and are marked by a vertical rule.
    ``series_order`` fixes the colours: the first series (the city) is black.
    """
    lab = labels or {}
    data = []
    for r in rows:
        texts = _texts(r, decimals, lang, unit)
        data.append(
            {
                "series": r["series"],
                "year": int(r["year"]),
                "value": r.get("value"),
                "lower": r.get("lower"),
                "upper": r.get("upper"),
                **texts,
                "aria": _aria(
                    f"{r['series']} {int(r['year'])}: {texts['value_text']}",
                    texts["interval_text"],
                ),
            }
        )
    y_title = unit or lab.get("value", "Value")
    x = {
        "field": "year",
        "type": "ordinal",
        "title": lab.get("year", "Year"),
        "axis": {"labelAngle": 0},
    }
    colour = {
        "field": "series",
        "type": "nominal",
        # The band layer is translucent; the legend must show the lines' full colours.
        "legend": {"title": None, "orient": "bottom", "symbolOpacity": 1},
        "scale": {"range": ["#000000", "#1f64a8", "#c8461b", "#2e7d32", "#6a4c9c", "#8a5a00"]},
    }
    order = list(dict.fromkeys([*series_order, *(r["series"] for r in data)]))
    colour["scale"]["domain"] = order
    colour["sort"] = order
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "area", "opacity": 0.18, "aria": False},
            "transform": [{"filter": "datum.lower != null && datum.upper != null"}],
            "encoding": {
                "x": x,
                "y": {"field": "lower", "type": "quantitative", "title": y_title},
                "y2": {"field": "upper"},
                "color": colour,
            },
        },
        {
            "mark": {"type": "line", "point": True, "strokeWidth": 2},
            "transform": [{"filter": "datum.value != null"}],
            "encoding": {
                "x": x,
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": y_title,
                    "scale": {"zero": False},
                },
                "color": colour,
                "tooltip": [
                    {"field": "series", "title": lab.get("area", "Area")},
                    {"field": "year", "title": lab.get("year", "Year")},
                    {"field": "value_text", "title": lab.get("value", "Value")},
                    {"field": "interval_text", "title": lab.get("interval", "Interval")},
                ],
                "description": {"field": "aria", "type": "nominal"},
            },
        },
    ]
    if breaks:
        layers.append(
            {
                "data": {"values": [{"year": int(b)} for b in breaks]},
                "mark": {"type": "rule", "color": "#555555", "strokeDash": [2, 2], "aria": False},
                "encoding": {"x": x},
            }
        )
    spec = _base(title, description, width, height, lang)
    spec["data"] = {"values": data}
    spec["layer"] = layers
    return spec


def group_breakdown(
    rows: Sequence[dict[str, Any]],
    *,
    total_value: float | None = None,
    total_label: str = "Everyone",
    title: str = "",
    description: str = "",
    unit: str = "",
    decimals: int = 1,
    labels: dict[str, str] | None = None,
    width: int = 420,
    lang: str = "sv",
) -> dict[str, Any]:
    """Values by population group (sex, birth region, age, …) as points with interval whiskers.

    ``rows``: dicts with ``dimension`` (its label), ``group`` (the group label), ``value``,
    ``lower``, ``upper``, ``status``. Groups without a value are listed with their status.
    The value for everyone is a dashed reference line.
    """
    lab = labels or {}
    data = []
    for r in rows:
        name = f"{r['dimension']}: {r['group']}"
        if r.get("value") is None:
            key = "suppressed" if r.get("status") == "suppressed" else "missing"
            name = f"{name} ({_category_label(key, lab)})"
        texts = _texts(r, decimals, lang, unit)
        data.append(
            {
                "label": name,
                "value": r.get("value"),
                "lower": r.get("lower"),
                "upper": r.get("upper"),
                **texts,
                "aria": _aria(f"{name}: {texts['value_text']}", texts["interval_text"]),
                "order": len(data),
            }
        )
    y = {
        "field": "label",
        "type": "nominal",
        "sort": {"field": "order", "op": "min"},
        "title": None,
    }
    x_title = unit or lab.get("value", "Value")
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "rule", "color": "#1f64a8", "size": 2, "aria": False},
            "transform": [{"filter": "datum.lower != null && datum.upper != null"}],
            "encoding": {
                "y": y,
                "x": {"field": "lower", "type": "quantitative", "title": x_title},
                "x2": {"field": "upper"},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 70, "color": "#0b3d6e"},
            "transform": [{"filter": "datum.value != null"}],
            "encoding": {
                "y": y,
                "x": {
                    "field": "value",
                    "type": "quantitative",
                    "title": x_title,
                    "scale": {"zero": False},
                },
                "tooltip": [
                    {"field": "label", "title": lab.get("group", "Group")},
                    {"field": "value_text", "title": lab.get("value", "Value")},
                    {"field": "interval_text", "title": lab.get("interval", "Interval")},
                ],
                "description": {"field": "aria", "type": "nominal"},
            },
        },
        {
            # Lists groups without a value on the axis, so they do not silently vanish.
            "mark": {"type": "tick", "opacity": 0, "aria": False},
            "encoding": {"y": y},
        },
    ]
    if total_value is not None:
        layers.append(
            {
                "data": {"values": [{"total": total_value, "label": total_label}]},
                "mark": {"type": "rule", "color": "#000000", "strokeDash": [6, 3], "aria": False},
                "encoding": {"x": {"field": "total", "type": "quantitative"}},
            }
        )
    spec = _base(title, description, width, {"step": 22}, lang)
    spec["data"] = {"values": data}
    spec["layer"] = layers
    return spec


def spine_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Normalise indicator rows for :func:`spine` so that the city sits at 0.5.

    Each row has ``indicator`` (label), ``value`` (the area), ``city``, ``min``, ``q25``, ``q75``,
    ``max`` (over all areas of the level) and ``polarity``. Values are mapped linearly so that the
    city value is 0.5 and the extreme farther from the city is 0 or 1; for indicators where lower
    is better the axis is flipped so that "worse" is always on the left (Fingertips convention).
    Rows without a city value or without a spread are returned with ``None`` positions.
    """
    out = []
    for r in rows:
        city, lo, hi = r.get("city"), r.get("min"), r.get("max")
        norm: dict[str, float | None] = {}
        if city is not None and lo is not None and hi is not None:
            half = max(abs(hi - city), abs(city - lo))
            flip = r.get("polarity") == "lower_is_better"
            for key in ("value", "min", "q25", "q75", "max"):
                v = r.get(key)
                if v is None:
                    norm[key] = None
                elif half == 0:
                    norm[key] = 0.5
                else:
                    pos = 0.5 + (v - city) / (2 * half)
                    norm[key] = 1 - pos if flip else pos
        else:
            norm = dict.fromkeys(("value", "min", "q25", "q75", "max"))
        lo_key, hi_key = (
            ("max", "min") if r.get("polarity") == "lower_is_better" else ("min", "max")
        )
        lo_q, hi_q = ("q75", "q25") if r.get("polarity") == "lower_is_better" else ("q25", "q75")
        out.append(
            {
                "indicator": r["indicator"],
                "x_lo": norm[lo_key],
                "x_hi": norm[hi_key],
                "q_lo": norm[lo_q],
                "q_hi": norm[hi_q],
                "x": norm["value"],
                "comparison": r.get("comparison") or "not_compared",
                "display": r.get("display", ""),
            }
        )
    return out


def spine(
    rows: Sequence[dict[str, Any]],
    *,
    title: str = "",
    description: str = "",
    labels: dict[str, str] | None = None,
    width: int = 420,
    lang: str = "sv",
) -> dict[str, Any]:
    """A spine chart: each indicator for one area against the range of all areas and the city.

    ``rows`` as for :func:`spine_rows`, plus ``comparison`` and ``display`` (formatted value).
    """
    lab = labels or {}
    data = spine_rows(rows)
    for d in data:
        d["category"] = _category_label(d["comparison"], lab)
        d["aria"] = _aria(f"{d['indicator']}: {d['display']}", d["category"])
    order = [d["indicator"] for d in data]
    y = {"field": "indicator", "type": "nominal", "sort": order, "title": None}
    keys = [k for k in COMPARISON_CATEGORIES if any(d["comparison"] == k for d in data)]
    x_scale = {"domain": [0, 1]}
    left, right = _spine_ends(rows, lab)
    axis_x = {
        "values": [0, 0.5, 1],
        "labelExpr": (
            f"datum.value == 0 ? {left!r} : datum.value == 1 ? {right!r} : {lab.get('city', 'City')!r}"
        ),
        "title": None,
        "grid": False,
    }
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "color": "#d9d9d9", "height": 14, "aria": False},
            "transform": [{"filter": "datum.x_lo != null"}],
            "encoding": {
                "y": y,
                "x": {"field": "x_lo", "type": "quantitative", "scale": x_scale, "axis": axis_x},
                "x2": {"field": "x_hi"},
            },
        },
        {
            "mark": {"type": "bar", "color": "#8c8c8c", "height": 14, "aria": False},
            "transform": [{"filter": "datum.q_lo != null"}],
            "encoding": {
                "y": y,
                "x": {"field": "q_lo", "type": "quantitative", "scale": x_scale},
                "x2": {"field": "q_hi"},
            },
        },
        {
            "data": {"values": [{"x": 0.5}]},
            "mark": {"type": "rule", "color": "#000000", "size": 2, "aria": False},
            "encoding": {"x": {"field": "x", "type": "quantitative", "scale": x_scale}},
        },
        {
            "mark": {
                "type": "point",
                "filled": True,
                "size": 120,
                "stroke": "#000000",
                "strokeWidth": 1,
            },
            "transform": [{"filter": "datum.x != null"}],
            "encoding": {
                "y": y,
                "x": {"field": "x", "type": "quantitative", "scale": x_scale},
                "color": {
                    "field": "category",
                    "type": "nominal",
                    "scale": {
                        "domain": [_category_label(k, lab) for k in keys],
                        "range": [COMPARISON_CATEGORIES[k][1] for k in keys],
                    },
                    "legend": {"title": None, "orient": "bottom"},
                },
                "shape": {
                    "field": "category",
                    "type": "nominal",
                    "scale": {
                        "domain": [_category_label(k, lab) for k in keys],
                        "range": [_SHAPES.get(k, "circle") for k in keys],
                    },
                    "legend": None,
                },
                "tooltip": [
                    {"field": "indicator", "title": lab.get("indicator", "Indicator")},
                    {"field": "display", "title": lab.get("value", "Value")},
                    {"field": "category", "title": lab.get("comparison", "Comparison")},
                ],
                "description": {"field": "aria", "type": "nominal"},
            },
        },
    ]
    spec = _base(title, description, width, {"step": 24}, lang)
    spec["data"] = {"values": data}
    spec["layer"] = layers
    return spec


def _spine_ends(rows: Sequence[dict[str, Any]], lab: dict[str, str]) -> tuple[str, str]:
    """Labels of the spine chart's two ends.

    Worse/better where every indicator has a better direction; lower/higher where none has (they
    are never flipped); both where the chart mixes the two kinds.
    """
    judged = [r.get("polarity") in ("higher_is_better", "lower_is_better") for r in rows]
    worse, better = lab.get("worse_end", "Worse"), lab.get("better_end", "Better")
    lower, higher = lab.get("lower_end", "Lower"), lab.get("higher_end", "Higher")
    if all(judged):
        return worse, better
    if not any(judged):
        return lower, higher
    return f"{worse} / {lower.lower()}", f"{better} / {higher.lower()}"


_SHAPES = {
    "better": "triangle-up",
    "similar": "circle",
    "worse": "triangle-down",
    "higher": "diamond",
    "lower": "square",
    "not_compared": "cross",
}
