"""Large CSV files are imported in streamed batches with the same results and the same errors."""

from __future__ import annotations

import pytest
from tests.data.conftest import snapshot

from skillnader import errors
from skillnader.web.data import importer
from skillnader.web.data import models as m

MAPPING = """\
source: {id: scb-folkmangd}
area: {column: kod, level: kommun}
period: {column: år}
indicator: {value: population}
groups:
  sex: {column: kön, values: {män: male, kvinnor: female, totalt: total}}
values: {column: antal}
"""
ROWS = [
    ("0114", "2020", "män", "23 512"),
    ("0114", "2020", "kvinnor", "24 001"),
    ("0115", "2020", "män", "17 010"),
    ("0115", "2020", "kvinnor", "16 900"),
    ("0180", "2020", "totalt", "975 551"),
]


def csv(rows):
    return "kod;år;kön;antal\n" + "".join(";".join(r) + "\n" for r in rows)


@pytest.fixture
def streamed(monkeypatch):
    monkeypatch.setattr(importer, "STREAM_BYTES", 0)
    monkeypatch.setattr(importer, "STREAM_ROWS", 2)
    seen = []
    return seen


def test_streamed_import_equals_the_whole_file_import(vocab, tmp_path, streamed, monkeypatch):
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "f.csv").write_text(csv(ROWS), encoding="utf-8")
    calls = []
    r = importer.import_file(
        tmp_path / "f.csv",
        mapping=tmp_path / "m.yaml",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert (r.created, r.suppressed) == (5, 0)
    assert len(calls) == 3 and calls[-1][0] == calls[-1][1]  # three batches of at most 2 rows
    streamed_rows = sorted(
        m.Observation.objects.values_list("area__code", "group__key", "value", "lower", "upper")
    )
    assert streamed_rows[-1][:3] == ("0180", "", 975551.0)
    m.Observation.objects.all().delete()
    m.Release.objects.all().delete()
    monkeypatch.setattr(importer, "STREAM_BYTES", 1 << 40)
    importer.import_file(tmp_path / "f.csv", mapping=tmp_path / "m.yaml")
    assert (
        sorted(
            m.Observation.objects.values_list("area__code", "group__key", "value", "lower", "upper")
        )
        == streamed_rows
    )


def test_duplicate_in_a_later_batch_is_found_and_nothing_is_written(vocab, tmp_path, streamed):
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "f.csv").write_text(csv([*ROWS, ("0114", "2020", "män", "1")]), encoding="utf-8")
    before = snapshot()
    with pytest.raises(errors.DuplicateKeyError, match="line 7"):
        importer.import_file(tmp_path / "f.csv", mapping=tmp_path / "m.yaml")
    assert snapshot() == before


def test_bad_value_in_a_later_batch_rolls_back_earlier_batches(vocab, tmp_path, streamed):
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "f.csv").write_text(csv([*ROWS, ("0180", "2021", "totalt", "x")]), encoding="utf-8")
    before = snapshot()
    with pytest.raises(errors.ValueFormatError):
        importer.import_file(tmp_path / "f.csv", mapping=tmp_path / "m.yaml")
    assert snapshot() == before
