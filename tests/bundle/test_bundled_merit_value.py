"""Skolverket's mean merit value in grade 9 per kommun 2015/16-2024/25, imported into the bundle
through the user's import path from Skolverket's xlsx "Jämförelse av betygsresultat över tid":
a preamble, the rows of one "Uppgift" kept by the mapping's filter, one column per school year.
Checked against the raw file in ``../shared``, read here with openpyxl independently of the
readers."""

from __future__ import annotations

import hashlib

import pytest
from tests.conftest import shared_file

from skillnader.bundle import imports as bundled
from skillnader.catalog import load_catalog

NAME = "Grundskola - Jämförelse av betygsresultat över tid 2025 Kommun_Åk9.xlsx"
MERIT = "Genomsnittligt meritvärde (17 ämnen)"
PUPILS = "Totalt antal elever årskurs 9"
YEARS = [f"{y}/{(y + 1) % 100:02d}" for y in range(2015, 2025)]


def _item() -> bundled.BundledImport:
    (item,) = [i for i in bundled.IMPORTS if i.file.endswith(NAME)]
    return item


@pytest.fixture(scope="module")
def raw():
    """{(Uppgift, kommun code, school year): cell} from the shared file's sheet "Samtliga"."""
    import openpyxl

    path = shared_file(f"data/education_skolverket_kommun/{NAME}")
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = wb["Samtliga"].iter_rows(values_only=True)
    for header in rows:
        if header[:2] == ("Kommun", "Kommunkod"):
            break
    years = list(header[5:])
    cells = {}
    for r in rows:
        if r[1] is None:
            continue
        for year, v in zip(years, r[5:], strict=True):
            cells[(r[4], r[1], year)] = v
    wb.close()
    return {"path": path, "years": years, "cells": cells}


def test_the_bundled_file_is_skolverkets_byte_for_byte(raw):
    item = _item()
    assert item.level == "kommun"
    digest = hashlib.sha256(item.path.read_bytes()).hexdigest()
    assert digest == hashlib.sha256(raw["path"].read_bytes()).hexdigest()


def test_the_mapping_reads_every_kommun_and_school_year_of_the_merit_rows(raw):
    """The reader finds the header below the preamble, the filter keeps the merit rows only,
    each school-year column becomes a period, and Skolverket's "." is missing, not zero."""
    from skillnader.ingest import read_records

    item = _item()
    records, _spec, kind = read_records(item.path, mapping=item.mapping_path)
    assert kind == "excel"
    assert raw["years"] == YEARS[::-1]
    got = {(r.area_code, r.period): r for r in records}
    assert len(got) == len(records) == 290 * 10
    assert {r.indicator for r in records} == {"merit_value_grade9"}
    want = {(k, y): v for (task, k, y), v in raw["cells"].items() if task == MERIT}
    assert set(got) == set(want)
    markers = 0
    for key, v in want.items():
        rec = got[key]
        if isinstance(v, str):  # a marker: never a number
            markers += 1
            assert rec.value is None and rec.status == v and not rec.withheld, key
        else:
            assert rec.value == pytest.approx(v), key
    assert markers == 1  # Dorotea 2018/19: "."


def test_kommuner_with_a_merit_value_had_pupils_above_the_publication_threshold(raw):
    """The merit value comes without the number of pupils behind it; Skolverket's own figures
    show that every published value rests on at least the catalogue's threshold of pupils."""
    (ind,) = [i for i in load_catalog() if i.id == "merit_value_grade9"]
    assert ind.interval == "none" and ind.interval_note and ind.interval_note_sv
    cells = raw["cells"]
    published = [
        (k, y) for (task, k, y), v in cells.items() if task == MERIT and not isinstance(v, str)
    ]
    assert len(published) == 290 * 10 - 1
    for k, y in published:
        assert cells[(PUPILS, k, y)] >= ind.publication_threshold, (k, y)


@pytest.mark.django_db
def test_the_bundle_holds_the_merit_value_per_kommun_and_school_year(bundle_db):
    from skillnader.web.data.models import Observation

    obs = Observation.objects.filter(
        indicator_id="merit_value_grade9", area__level_id="kommun", group__key=""
    )
    assert obs.count() == 290 * 10
    assert set(obs.values_list("period", flat=True)) == set(YEARS)
    sthlm = obs.get(area__code="0180", period="2024/25")
    assert sthlm.value == pytest.approx(251.9)  # Skolverket's check value
    assert sthlm.lower is None and sthlm.upper is None and not sthlm.suppressed
    assert obs.filter(area__code="0180", value__isnull=False).count() == 10
    # Skolverket's "." (no figure) is stored as missing, with its marker, never as a number
    dorotea = obs.get(area__code="2425", period="2018/19")
    assert dorotea.value is None and dorotea.status == "."
    assert obs.filter(value__isnull=True).count() == 1
    assert not obs.filter(value=0).exists()
