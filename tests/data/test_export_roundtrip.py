"""Every export format read back and compared cell by cell with the database.

CSV and JSON are parsed with the standard library, Parquet with Polars and JSON-stat with the
project's own reader, so a writer that drops, shifts or rounds a cell fails here.
"""

from __future__ import annotations

import csv
import json
import math

import polars as pl
import pytest
from tests.web.conftest import world  # noqa: F401  (fixture)

from skillnader.readers.jsonstat import read_jsonstat
from skillnader.web.data.export import export_observations

NUMBERS = ("value", "lower", "upper", "numerator", "denominator")


def _truth(indicator: str | None = None) -> dict[tuple, dict]:
    """The published cells straight from the ORM, keyed like the exports."""
    from skillnader.web.data.models import Observation, public_observations

    qs = public_observations(Observation.objects.select_related("area__vintage", "group"))
    if indicator:
        qs = qs.filter(indicator_id=indicator)
    out = {}
    for o in qs:
        key = (
            o.indicator_id,
            o.area.level_id,
            o.area.vintage.code,
            o.area.code,
            o.group.key if o.group_id else "",
            o.period,
        )
        out[key] = {
            "suppressed": o.suppressed,
            "suppression": (o.suppression or "primary") if o.suppressed else None,
            **{n: getattr(o, n) for n in NUMBERS},
        }
    return out


def _key(row: dict) -> tuple:
    return (
        row["indicator"],
        row["level"],
        row["vintage"],
        row["area_code"],
        row["group"] or "",
        str(row["period"]),
    )


def _number(x) -> float | None:
    if x is None or x == "":
        return None
    return float(x)


def _same(got: dict[tuple, dict], truth: dict[tuple, dict]) -> None:
    assert set(got) == set(truth)
    for key, cell in truth.items():
        row = got[key]
        assert bool(row["suppressed"]) == cell["suppressed"], key
        assert (row["suppression"] or None) == cell["suppression"], key
        for n in NUMBERS:
            want, have = cell[n], _number(row[n])
            if want is None:
                assert have is None, (key, n)
            else:
                assert have is not None and math.isclose(have, want, rel_tol=1e-12), (key, n)


@pytest.fixture
def truth(world):  # noqa: F811
    from skillnader.web.data.models import Observation

    # one cell hidden to protect another, as the joint protection leaves them (no numbers)
    o = Observation.objects.filter(suppressed=False, value__isnull=False).order_by("id").first()
    Observation.objects.filter(pk=o.pk).update(
        suppressed=True,
        suppression="secondary",
        **dict.fromkeys(NUMBERS),
    )
    cells = _truth()
    assert any(c["suppressed"] for c in cells.values())
    # both reasons, so a writer that drops or mixes them up fails
    assert {c["suppression"] for c in cells.values()} >= {"primary", "secondary"}
    assert any(c["value"] is not None for c in cells.values())
    return cells


def _parse_bool(x: str) -> bool:
    assert x in ("True", "False", "true", "false", "1", "0"), x
    return x in ("True", "true", "1")


def test_csv_export_reads_back_cell_by_cell(truth, tmp_path):
    out = tmp_path / "obs.csv"
    n = export_observations(out, fmt="csv")
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert n == len(rows) == len(truth)
    for r in rows:
        r["suppressed"] = _parse_bool(r["suppressed"])
    _same({_key(r): r for r in rows}, truth)


def test_json_export_reads_back_cell_by_cell(truth, tmp_path):
    out = tmp_path / "obs.json"
    n = export_observations(out, fmt="json")
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert n == len(rows) == len(truth)
    _same({_key(r): r for r in rows}, truth)


def test_parquet_export_reads_back_cell_by_cell(truth, tmp_path):
    out = tmp_path / "obs.parquet"
    n = export_observations(out, fmt="parquet")
    rows = pl.read_parquet(out).to_dicts()
    assert n == len(rows) == len(truth)
    _same({_key(r): r for r in rows}, truth)


def test_jsonstat_export_reads_back_with_the_projects_reader(truth, tmp_path):
    indicators = sorted({k[0] for k in truth})
    for indicator in indicators:
        want = {k: v for k, v in truth.items() if k[0] == indicator}
        out = tmp_path / f"{indicator}.json"
        export_observations(out, fmt="jsonstat", indicator=indicator)
        cube = read_jsonstat(out)
        doc = json.loads(out.read_text(encoding="utf-8"))
        lower, upper = doc["extension"]["lower"], doc["extension"]["upper"]
        got = {}
        for i, (coords, value, symbol) in enumerate(cube.cells()):
            level, vintage, code = coords["area"].split(":", 2)
            key = (indicator, level, vintage, code, coords["group"], coords["period"])
            if key not in want:
                # a combination the dataset's grid holds but the database has no cell for
                assert value is None and symbol is None, key
                continue
            got[key] = {
                "suppressed": doc["status"].get(str(i)) == "suppressed",
                "suppression": doc["extension"]["suppression"].get(str(i)),
                "value": value,
                "lower": lower[i],
                "upper": upper[i],
            }
        assert set(got) == set(want)
        for key, cell in want.items():
            assert got[key]["suppressed"] == cell["suppressed"], key
            assert got[key]["suppression"] == cell["suppression"], key
            for n in ("value", "lower", "upper"):
                if cell[n] is None:
                    assert got[key][n] is None, (key, n)
                else:
                    assert math.isclose(got[key][n], cell[n], rel_tol=1e-12), (key, n)
