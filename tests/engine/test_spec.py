from __future__ import annotations

import pytest

from skillnader.engine import load_specs
from skillnader.engine.spec import SpecError, check_columns
from skillnader.errors import MappingError

from .conftest import HERE


def test_the_test_indicator_file_loads(specs):
    assert [s.id for s in specs] == [
        "employment_rate",
        "social_assistance_per_1000",
        "born_outside_europe",
        "mean_wage_income",
        "median_wage_income",
        "median_age",
        "employment_rate_weighted",
    ]
    rate = specs[1]
    assert (rate.measure, rate.per, rate.threshold) == ("rate", 1000.0, 5)
    assert specs[0].min_age == 20 and specs[0].max_age == 64
    assert specs[6].weight == "weight" and specs[6].threshold == 10
    assert specs[0].source == str(HERE / "indicators.yaml")


def _write(tmp_path, body: str):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "location", "fragment"),
    [
        (
            "indicators:\n  - {id: a, measure: share, numerator: x}\n",
            "indicators[0] (id a).measure",
            "unknown measure",
        ),
        (
            "indicators:\n  - {id: a, measure: proportion}\n",
            "indicators[0] (id a).numerator",
            "needs a numerator",
        ),
        (
            "indicators:\n  - {id: a, measure: rate, numerator: x}\n",
            "indicators[0] (id a).per",
            "needs 'per'",
        ),
        (
            "indicators:\n  - {id: a, measure: mean, numerator: x}\n",
            "indicators[0] (id a).value",
            "needs a value",
        ),
        (
            "indicators:\n  - {id: a, measure: count, numerator: 'x;1'}\n",
            "indicators[0] (id a).numerator",
            "invalid expression",
        ),
        (
            "indicators:\n  - {id: a, measure: count, numerator: x, colour: red}\n",
            "indicators[0] (id a).colour",
            "unknown key",
        ),
        (
            "indicators:\n  - {id: a, measure: count, numerator: x, min_age: 30, max_age: 20}\n",
            "indicators[0] (id a).max_age",
            "min_age is above",
        ),
        (
            "indicators:\n  - {id: a, measure: count, numerator: x, threshold: -1}\n",
            "indicators[0] (id a).threshold",
            "whole number",
        ),
        (
            "indicators:\n  - {id: a, measure: median, value: v, weight: w}\n",
            "indicators[0] (id a).weight",
            "weighted medians",
        ),
        (
            "indicators:\n  - {id: a, measure: count, numerator: x}\n  - {id: a, measure: count, numerator: y}\n",
            "indicators[1] (id a).id",
            "duplicate id",
        ),
        (
            "indicators:\n  - {id: Bad-Id, measure: count, numerator: x}\n",
            "indicators[0].id",
            "invalid id",
        ),
        ("indicator: []\n", "top level", "top-level 'indicators'"),
        ("indicators:\n  - {id: a\n", "line 3", "not valid YAML"),
    ],
)
def test_invalid_specs_name_the_file_and_key(tmp_path, body, location, fragment):
    path = _write(tmp_path, body)
    with pytest.raises(SpecError) as info:
        load_specs(path)
    error = info.value
    assert isinstance(error, MappingError)
    assert error.path == str(path)
    assert error.location == location
    assert fragment in error.message


def test_columns_are_checked_against_the_records(tmp_path):
    path = _write(
        tmp_path,
        "indicators:\n  - {id: a, measure: proportion, numerator: employd}\n"
        "  - {id: b, measure: proportion, numerator: age}\n"
        "  - {id: c, measure: mean, value: sex}\n",
    )
    specs = load_specs(path)
    columns = {"employed": "BOOLEAN", "age": "SMALLINT", "sex": "VARCHAR"}
    with pytest.raises(SpecError, match="unknown column 'employd'") as info:
        check_columns(specs[:1], columns, age_column="age")
    assert info.value.location == "indicators[0] (id a).numerator"
    assert info.value.path == str(path)
    with pytest.raises(SpecError, match="bare column must be boolean"):
        check_columns(specs[1:2], columns, age_column="age")
    with pytest.raises(SpecError, match="not numeric") as info:
        check_columns(specs[2:], columns, age_column="age")
    assert info.value.location == "indicators[2] (id c).value"
