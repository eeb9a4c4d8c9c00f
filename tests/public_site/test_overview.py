"""The overview at a glance: areas x indicators compared with a chosen benchmark."""

from __future__ import annotations

import csv
import io
import json
import re

from tests.web.conftest import world  # noqa: F401  (fixture)


def test_cells_compare_with_the_city(client, world):  # noqa: F811
    data = json.loads(client.get("/overview.json").content)
    got = {(c["indicator"], c["area"]): c["comparison"] for c in data["cells"]}
    assert got[("employment", "11")] == "better"  # 86.0 (85.2-86.8) vs 81.2 (81.0-81.4)
    assert got[("employment", "12")] == "worse"
    assert got[("employment", "13")] == "suppressed"
    assert got[("overcrowding", "11")] == "better"  # lower is better: 6.0 vs 12.0
    assert got[("overcrowding", "12")] == "similar"  # 11.0-13.6 overlaps 11.5-12.5
    assert got[("overcrowding", "13")] == "worse"
    emp = next(c for c in data["cells"] if c["indicator"] == "employment" and c["area"] == "11")
    assert (emp["year"], emp["benchmark_value"]) == (2023, 81.2)


def test_page_is_readable_without_colour(client, world):  # noqa: F811
    body = client.get("/overview/").content.decode()
    table = re.search(r'<table class="data rug" id="rug">(.*?)</table>', body, re.S).group(1)
    # Each cell says its category in words for screen readers and shows a symbol.
    assert '<span class="visually-hidden">, Bättre än staden</span>' in table
    assert '<span class="cat cat-worse" aria-hidden="true">−</span>' in table
    assert table.count('<th scope="col">') == 4  # indicator + three districts
    assert 'href="/overview/"' in body  # in the main navigation


def test_domain_and_benchmark_choices(client, world):  # noqa: F811
    data = json.loads(client.get("/overview.json?domain=housing").content)
    assert {c["indicator"] for c in data["cells"]} == {"overcrowding"}
    data = json.loads(client.get("/overview.json?benchmark=country").content)
    assert data["benchmark"]["key"] == "country"
    # No country value in this data set: nothing is claimed.
    assert {c["comparison"] for c in data["cells"]} <= {"not_compared", "suppressed"}
    assert client.get("/overview/?benchmark=moon").status_code == 404
    assert client.get("/overview/?domain=sport").status_code == 404


def test_csv_twin(client, world):  # noqa: F811
    text = client.get("/overview.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6
    assert {"indicator", "area", "value", "benchmark_value", "comparison"} <= set(rows[0])
