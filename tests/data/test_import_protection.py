"""An import with group margins and an area total goes through the same disclosure gate as the
bundle and the engine: primary suppression by the one rule, then secondary suppression over
everything published for the indicator and period (earlier releases included), checked by the
attacker of ``tests/stats/attacker.py`` on what the API publishes."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import Client
from tests.stats.attacker import attack, margins

from skillnader.web.data import models as m
from skillnader.web.data.importer import import_file

pytestmark = pytest.mark.django_db

MAPPING = """\
source: {id: test-register, name: "Test register"}
area: {column: area, level: %s}
period: {column: year}
indicator: {value: inmigrated}
groups:
  sex: {column: sex, values: {T: total, M: male, K: female}}
values: {column: n}
"""

#: In-migrants by kommun and sex (threshold 3 for this indicator in the vocabulary).
KOMMUN = """area,year,sex,n
0114,2023,T,82
0114,2023,M,80
0114,2023,K,2
0115,2023,T,40
0115,2023,M,21
0115,2023,K,19
0180,2023,T,500
0180,2023,M,260
0180,2023,K,240
"""
LAN = """area,year,sex,n
01,2023,T,622
01,2023,M,361
01,2023,K,261
"""
TRUTH = {
    ("0114", "total"): 82, ("0114", "male"): 80, ("0114", "female"): 2,
    ("0115", "total"): 40, ("0115", "male"): 21, ("0115", "female"): 19,
    ("0180", "total"): 500, ("0180", "male"): 260, ("0180", "female"): 240,
    ("01", "total"): 622, ("01", "male"): 361, ("01", "female"): 261,
}  # fmt: skip


def _import(tmp_path, name, text, level):
    data = tmp_path / f"{name}.csv"
    data.write_text(text, encoding="utf-8")
    mapping = tmp_path / f"{name}.yaml"
    mapping.write_text(MAPPING % level, encoding="utf-8")
    return import_file(data, mapping=mapping)


def _published():
    rows = Client().get("/api/v1/observations?indicator=inmigrated&limit=5000").json()["results"]
    cells = {}
    kinds = {}
    for r in rows:
        sex = dict(p.split("=") for p in r["group"].split(";")).get("sex") if r["group"] else None
        key = (r["area"], sex or "total")
        cells[key] = None if r["status"] == "suppressed" else r["value"]
        kinds[key] = r["suppression"]
    return cells, kinds


def _relations(cells):
    rels = margins(
        list(cells),
        lambda c: () if c[1] == "total" else (("sex", c[1]),),
        lambda c: ("n", c[0]),
    )
    kommuner = ["0114", "0115", "0180"]  # every kommun of län 01 in the vocabulary
    for sex in ("total", "male", "female"):
        if ("01", sex) in cells:
            rels.append((("01", sex), [(k, sex) for k in kommuner]))
    return rels


def _narrowed(cells, kinds):
    small = {c for c, v in cells.items() if v is None and kinds[c] == "primary"}
    lower = {c: 1.0 for c in small}
    upper = {c: 2.0 for c in small}  # threshold 3: a primary count is 1 or 2
    found = attack(cells, _relations(cells), lower, upper)
    out = []
    for c, (lo, hi) in found.items():
        assert lo - 1e-6 <= TRUTH[c] <= hi + 1e-6
        required = 1.0  # threshold 3: the primary range [1, 2] has width 1
        if hi - lo < required - 1e-6:
            out.append((c, lo, hi))
    return out


def test_an_import_with_margins_hides_a_complement_and_the_attacker_learns_nothing(vocab, tmp_path):
    result = _import(tmp_path, "kommun", KOMMUN, "kommun")
    cells, kinds = _published()
    assert cells[("0114", "female")] is None and kinds[("0114", "female")] == "primary"
    # women 2 = total 82 - men 80 would be plain subtraction: one of them is hidden too
    assert cells[("0114", "male")] is None or cells[("0114", "total")] is None
    assert "secondary" in kinds.values()
    assert result.suppressed >= 2
    assert _narrowed(cells, kinds) == []
    # the stored cells keep no number and say why
    secondary = m.Observation.objects.filter(suppression="secondary")
    assert secondary.exists()
    assert all(o.value is None and o.numerator is None for o in secondary)


def test_a_later_release_of_the_total_is_protected_with_the_earlier_cells(vocab, tmp_path):
    _import(tmp_path, "kommun", KOMMUN, "kommun")
    _import(tmp_path, "lan", LAN, "lan")
    cells, kinds = _published()
    assert ("01", "total") in cells
    assert _narrowed(cells, kinds) == []
    # the county total stays published: the small cells are protected inside the kommuner
    assert cells[("01", "total")] == 622


def test_primary_only_would_have_given_the_cell_away(vocab, tmp_path):
    """Without the gate the attacker recovers women = 2 exactly (the test can fail)."""
    cells = {c: (None if c == ("0114", "female") else float(v)) for c, v in TRUTH.items()}
    kinds = {c: ("primary" if v is None else None) for c, v in cells.items()}
    narrowed = _narrowed(cells, kinds)
    assert [c for c, *_ in narrowed] == [("0114", "female")]
    lo, hi = narrowed[0][1:]
    assert lo == pytest.approx(2) and hi == pytest.approx(2)
    assert np.isfinite(hi)


def test_an_indicator_that_suppresses_zeros_hides_them_and_protects_them(vocab, tmp_path):
    """``suppress_zeros`` is a catalogue setting of the indicator: with it a true zero is a
    primary cell like a small count, and its complement is hidden too."""
    m.Indicator.objects.filter(pk="inmigrated").update(suppress_zeros=True)
    text = KOMMUN.replace("0114,2023,T,82", "0114,2023,T,80").replace(
        "0114,2023,K,2", "0114,2023,K,0"
    )
    _import(tmp_path, "zeros", text, "kommun")
    cells, kinds = _published()
    assert cells[("0114", "female")] is None and kinds[("0114", "female")] == "primary"
    assert cells[("0114", "male")] is None or cells[("0114", "total")] is None
    # without the setting the same zero is published
    m.Observation.objects.all().delete()
    m.Release.objects.all().delete()
    m.Indicator.objects.filter(pk="inmigrated").update(suppress_zeros=False)
    _import(tmp_path, "zeros2", text.replace(",80\n", ",80\n", 1), "kommun")
    cells, _kinds = _published()
    assert cells[("0114", "female")] == 0
