"""Real SCB responses (JSON-stat 2.0 from PxWebApi v2, PxWeb v1 JSON) into the bundled vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillnader.readers.jsonstat import read_jsonstat
from skillnader.web.data import models as m
from skillnader.web.data.importer import import_file

FORMATS = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
TAB6471 = FORMATS / "jsonstat2" / "pxwebpy_TAB6471_data.json"

SPEC = """\
source: {id: scb-tab6471, name: "SCB, Folkmängd per månad", licence: CC0}
indicator: population
area: {dimension: Region, level: lan}
period: {dimension: Tid}
groups:
  sex: {dimension: Kon, values: {TotSa: total, "1": men, "2": women}}
filter: {Alder: ["20-29"]}
"""


@pytest.mark.django_db
def test_jsonstat_population_by_county_imports_every_cell(bundle_db, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = import_file(TAB6471, mapping=spec)
    # 21 counties × 3 (total, men, women) × 4 months, one age band.
    assert result.created == 21 * 3 * 4 == 252
    cube = read_jsonstat(TAB6471)
    o = m.Observation.objects.get(
        release_id=result.release_id, area__code="01", group__key="sex=women", period="2026M03"
    )
    assert (
        o.value
        == cube.value(Region="01", Alder="20-29", Kon="2", ContentsCode="000007SF", Tid="2026M03")
        == 141046
    )
    assert o.year == 2026 and o.lower < o.value < o.upper
    total = m.Observation.objects.get(
        release_id=result.release_id, area__code="01", group__key="", period="2026M03"
    )
    # The total is SCB's own total cell, not a sum we made (SCB's monthly figures for men and
    # women need not add up exactly to it: here they differ by 2).
    assert (
        total.value
        == cube.value(
            Region="01", Alder="20-29", Kon="TotSa", ContentsCode="000007SF", Tid="2026M03"
        )
        == 288306
    )
    assert import_file(TAB6471, mapping=spec).already_imported


@pytest.mark.django_db
def test_pxweb_v1_response_imports_with_a_mapping(bundle_db, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        """\
source: {id: scb-be0101-civ}
indicator: population
area: {value: SE}
level: country
period: {dimension: Tid}
filter: {Civilstand: [OG]}
""",
        encoding="utf-8",
    )
    path = FORMATS / "pxweb_v1_json" / "scb_v1_BefolkningNy_civilstand_2017_response.json"
    result = import_file(path, mapping=spec)
    assert result.created == 1
    o = m.Observation.objects.get(release_id=result.release_id)
    assert (o.area.code, o.period, o.value) == ("SE", "2017", 5347489)
