"""Producers' flags through the importer: Kolada's Privacy and Skolverket's `~100` become
suppressed cells, Kolada's Missing and Skolverket's `..`/`.` missing ones; none becomes zero."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillnader.web.data import models as m
from skillnader.web.data.importer import import_file

FIX = Path(__file__).resolve().parents[1] / "fixtures"

KOLADA_MAPPING = """\
source: {id: kolada, name: "Kolada (RKA)"}
area: {column: municipality_id, label_column: municipality, level: kommun}
period: {column: year}
indicator: {column: kpi, values: {N15428: eligibility, N09890: culture_school}}
groups:
  sex: {column: gender, values: {T: total, K: female, M: male}}
status: {column: status, values: {"": "", Missing: "..", "Not applicable": "-", Privacy: x}}
values: {column: value}
"""

SKOLVERKET_MAPPING = """\
source: {id: skolverket-behorighet}
area: {column: Kommun-kod, level: kommun}
period: {value: "2025"}
indicator: {value: eligibility}
groups:
  sex: {column: Kön, values: {Flickor: female, Pojkar: male, Samtliga: total}}
filter_note: x
values: {column: "Andel (%) elever behöriga till yrkesprog."}
"""


@pytest.fixture
def flag_vocab(vocab):
    kommun = m.Vintage.objects.get(level_id="kommun")
    lan = m.Area.objects.get(level_id="lan", code="01")
    for code, name in [("0120", "Värmdö"), ("1440", "Ale"), ("0604", "Aneby")]:
        m.Area.objects.create(level_id="kommun", vintage=kommun, code=code, name=name, parent=lan)
    for ind in ("eligibility", "culture_school"):
        m.Indicator.objects.create(
            id=ind, domain_id="work", name_sv=ind, measure="proportion",
            polarity="higher_is_better", unit="percent", multiplier=100, publication_threshold=0,
        )  # fmt: skip


@pytest.mark.django_db
def test_kolada_privacy_is_suppressed_and_missing_is_missing(flag_vocab, tmp_path):
    mapping = tmp_path / "kolada.yaml"
    mapping.write_text(KOLADA_MAPPING, encoding="utf-8")
    result = import_file(
        FIX / "kolada" / "kolada_N15428_N09890_4_kommuner.parquet", mapping=mapping
    )
    assert result.created == 252 and result.suppressed == 3
    privacy = m.Observation.objects.filter(
        area__code="0120", period="2020", indicator="culture_school"
    )
    assert privacy.count() == 3
    assert all(o.suppressed and o.value is None and o.status == "x" for o in privacy)
    missing = m.Observation.objects.filter(status="..")
    assert missing.count() == 8
    assert all(not o.suppressed and o.value is None for o in missing)
    sthlm = m.Observation.objects.get(
        indicator="eligibility", area__code="0180", period="2024", group__key=""
    )
    assert sthlm.value == pytest.approx(88.661766, abs=1e-6)
    assert not m.Observation.objects.filter(value=0).exists()


@pytest.mark.django_db
def test_skolverket_withheld_share_is_suppressed(flag_vocab, tmp_path):
    mapping = tmp_path / "skolverket.yaml"
    # Only the rows for all organisers: the organiser column stays unmapped, so each kommun ×
    # sex must be one row; the file has three (all, municipal, independent), which is refused.
    mapping.write_text(SKOLVERKET_MAPPING.replace("filter_note: x\n", ""), encoding="utf-8")
    from skillnader.errors import DuplicateKeyError

    with pytest.raises(DuplicateKeyError):
        import_file(
            FIX / "skolverket" / "behorighet_grundskola_2024_25_3_kommuner.csv", mapping=mapping
        )
    text = SKOLVERKET_MAPPING.replace("filter_note: x\n", "").replace(
        "  sex:",
        "  organiser: {column: Typ av huvudman, values: {Samtliga: total, Kommunal: municipal, Enskild: independent}}\n  sex:",
    )
    mapping.write_text(text, encoding="utf-8")
    org = m.Dimension.objects.create(id="organiser", name_sv="Huvudman", order=5)
    for i, c in enumerate(["municipal", "independent"]):
        m.DimensionValue.objects.create(dimension=org, code=c, name_sv=c, order=i)
    result = import_file(
        FIX / "skolverket" / "behorighet_grundskola_2024_25_3_kommuner.csv", mapping=mapping
    )
    assert result.created == 27
    withheld = m.Observation.objects.filter(status="~100")
    assert withheld.count() == 7 and all(o.suppressed and o.value is None for o in withheld)
    assert result.suppressed == 7
    sthlm = m.Observation.objects.get(area__code="0180", group__key="")
    assert sthlm.value == 88.8
