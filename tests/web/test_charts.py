"""The Vega-Lite spec builders (no database): classes, categories, winding, spine scaling, and
that vl-convert renders every spec."""

from __future__ import annotations

import json

import pytest
from tests.web.conftest import square

from skillnader.charts import vegalite as v


def features():
    rows = []
    for i, (value, status, comp) in enumerate(
        [
            (10.0, "ok", "better"),
            (12.0, "ok", "similar"),
            (None, "suppressed", None),
            (14.0, "ok", "worse"),
            (None, "missing", None),
            (16.0, "ok", "better"),
        ]
    ):
        rows.append(
            {
                "code": f"{i:02d}",
                "name": f"Område {i}",
                "geometry": square(18 + 0.02 * i, 59.3),
                "lon": 18.01 + 0.02 * i,
                "lat": 59.31,
                "value": value,
                "lower": None if value is None else value - 1,
                "upper": None if value is None else value + 1,
                "status": status,
                "comparison": comp,
            }
        )
    return rows


def test_quantile_breaks_and_classes():
    assert v.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], k=5) == [1, 3, 5, 7, 9, 11]
    assert v.class_breaks([None, 5.0, 5.0]) == [5.0, 5.0]
    assert v.class_breaks([]) == []
    edges = [1, 3, 5, 7, 9, 11]
    assert [v.classify(x, edges) for x in (1, 2.9, 3, 10, 11)] == [0, 0, 1, 4, 4]
    assert v.classify(None, edges) is None


def test_number_formatting():
    assert v.format_number(12345.678, 1) == "12\u202f345,7"
    assert v.format_number(0.5, 2, ".") == "0.50"
    assert v.format_number(None) == ""
    # Half away from zero (skillnader.numbers), not the banker's rounding of format().
    assert v.interval_text(1.25, 2.5, 1) == "1,3–2,5"


def test_choropleth_value_mode_never_classes_missing_as_a_value():
    spec = v.choropleth(features(), mode="value", labels={"suppressed": "Prickad"})
    props = {f["properties"]["code"]: f["properties"] for f in spec["layer"][0]["data"]["values"]}
    assert props["02"]["class"] == "Prickad" and props["02"]["value"] is None
    assert props["04"]["class"] == "No data"
    domain = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert domain[-2:] == ["Prickad", "No data"]
    assert props["00"]["class"] == domain[0]  # the lowest value is in the lowest class
    assert props["05"]["class"] == domain[-3]  # the highest in the highest
    # Symbols mark suppressed and missing areas, so colour is not the only cue.
    symbols = {p["name"]: p["symbol"] for p in spec["layer"][1]["data"]["values"]}
    assert symbols == {"Område 2": "×", "Område 4": "–"}


def test_choropleth_compare_mode_categories_and_symbols():
    spec = v.choropleth(features(), mode="compare")
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == [
        "Better than the city",
        "Similar to the city",
        "Worse than the city",
        "Suppressed",
        "No data",
    ]
    assert scale["range"][0] == v.COMPARISON_CATEGORIES["better"][1]
    symbols = [p["symbol"] for p in spec["layer"][1]["data"]["values"]]
    assert symbols == ["+", "=", "×", "−", "–", "+"]


def test_geometry_is_rewound_for_d3():
    ccw = square(18.0, 59.3)  # RFC 7946 exterior: counter-clockwise
    assert v._signed_area(ccw["coordinates"][0]) > 0
    out = v.d3_winding(ccw)
    assert v._signed_area(out["coordinates"][0]) < 0
    assert v.d3_winding(out) == out
    hole = {
        "type": "Polygon",
        "coordinates": [
            square(0, 0, 10)["coordinates"][0],
            list(reversed(square(2, 2, 1)["coordinates"][0])),
        ],
    }
    rings = v.d3_winding(hole)["coordinates"]
    assert v._signed_area(rings[0]) < 0 < v._signed_area(rings[1])


def test_spine_rows_put_the_city_in_the_middle_and_worse_on_the_left():
    rows = v.spine_rows(
        [
            {
                "indicator": "hi",
                "value": 90,
                "city": 80,
                "min": 60,
                "q25": 70,
                "q75": 85,
                "max": 90,
                "polarity": "higher_is_better",
            },
            {
                "indicator": "lo",
                "value": 90,
                "city": 80,
                "min": 60,
                "q25": 70,
                "q75": 85,
                "max": 90,
                "polarity": "lower_is_better",
            },
            {"indicator": "none", "value": 1, "city": None, "min": 0, "max": 2},
        ]
    )
    hi, lo, none = rows
    # Half-width 20 (city 80 to min 60): 90 -> 0.5 + 10/40 = 0.75; flipped for lower-is-better.
    assert hi["x"] == pytest.approx(0.75) and lo["x"] == pytest.approx(0.25)
    assert (hi["x_lo"], hi["x_hi"]) == (0.0, pytest.approx(0.75))
    assert (lo["x_lo"], lo["x_hi"]) == (pytest.approx(0.25), 1.0)
    assert none["x"] is None and none["x_lo"] is None


def test_ranked_bars_list_areas_without_values_by_name():
    spec = v.ranked_bars(features(), city_value=12.0, labels={"suppressed": "Prickad"})
    labels = [d["label"] for d in spec["data"]["values"]]
    assert labels[:4] == ["Område 5", "Område 3", "Område 1", "Område 0"]
    assert labels[4:] == ["Område 2 (Prickad)", "Område 4 (No data)"]
    assert all(d["value"] is None for d in spec["data"]["values"][4:])


@pytest.mark.parametrize(
    "build",
    [
        lambda: v.choropleth(features(), mode="value", title="Karta"),
        lambda: v.choropleth(features(), mode="compare", title="Karta"),
        lambda: v.ranked_bars(features(), city_value=12.0, title="Staplar"),
        lambda: v.trend(
            [
                {
                    "series": "Staden",
                    "year": 2019 + i,
                    "value": 1.0 + i,
                    "lower": i,
                    "upper": 2.0 + i,
                }
                for i in range(4)
            ],
            breaks=[2021],
            title="Trend",
        ),
        lambda: v.group_breakdown(
            [
                {"dimension": "Kön", "group": "Kvinnor", "value": 3.0, "lower": 2.0, "upper": 4.0},
                {"dimension": "Kön", "group": "Män", "value": None, "status": "suppressed"},
            ],
            total_value=3.1,
            title="Grupper",
        ),
        lambda: v.spine(
            [
                {
                    "indicator": "A",
                    "value": 3,
                    "city": 4,
                    "min": 1,
                    "q25": 2,
                    "q75": 5,
                    "max": 8,
                    "polarity": "higher_is_better",
                    "comparison": "worse",
                    "display": "3",
                }
            ],
            title="Ryggrad",
        ),
    ],
)
def test_specs_are_self_contained_and_render(build):
    import vl_convert

    spec = build()
    text = json.dumps(spec)
    assert '"url"' not in text  # inline data only
    svg = vl_convert.vegalite_to_svg(spec)
    assert svg.startswith("<svg") and spec["title"] in svg


@pytest.mark.parametrize(
    ("polarities", "ends"),
    [
        (["higher_is_better", "lower_is_better"], ("Sämre", "Bättre")),
        (["no_judgement", "no_judgement"], ("Lägre", "Högre")),
        (["higher_is_better", "no_judgement"], ("Sämre / lägre", "Bättre / högre")),
    ],
)
def test_spine_ends_say_worse_and_better_only_for_indicators_with_a_direction(polarities, ends):
    labels = {"worse_end": "Sämre", "better_end": "Bättre", "lower_end": "Lägre"}
    labels |= {"higher_end": "Högre", "city": "Staden"}
    rows = [
        {"indicator": f"i{k}", "value": 1, "city": 2, "min": 0, "max": 3, "polarity": p}
        for k, p in enumerate(polarities)
    ]
    expr = v.spine(rows, labels=labels)["layer"][0]["encoding"]["x"]["axis"]["labelExpr"]
    assert expr == (f"datum.value == 0 ? '{ends[0]}' : datum.value == 1 ? '{ends[1]}' : 'Staden'")
