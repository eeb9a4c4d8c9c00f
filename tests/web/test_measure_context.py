"""Raw counts and ordinal classes are context: never ranked, no highest/lowest ratio."""

from __future__ import annotations

from skillnader.web.data import queries

CELLS = [
    {"code": "A", "value": 12_000.0},
    {"code": "B", "value": 3_000.0},
    {"code": "C", "value": 40_000.0},
]


def test_counts_and_classes_are_not_ranked():
    assert queries.rank_cells(CELLS, "no_judgement", "count") == {}
    assert queries.rank_cells(CELLS, "lower_is_better", "index") == {}
    assert queries.rank_cells(CELLS, "higher_is_better", "proportion") == {"C": 1, "A": 2, "B": 3}


def test_spread_of_counts_is_context_only():
    s = queries.spread(CELLS, "count")
    assert (s["min"], s["max"], s["n"]) == (3_000.0, 40_000.0, 3)
    assert s["ratio"] is None and s["highest"] is None and s["lowest"] is None
    assert s["context_only"] is True
    rate = queries.spread(CELLS, "rate")
    assert rate["ratio"] == 40_000.0 / 3_000.0 and rate["highest"] == "C"
