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
    with pytest.raises(errors.DuplicateKeyError, match="line 7") as err:
        importer.import_file(tmp_path / "f.csv", mapping=tmp_path / "m.yaml")
    assert snapshot() == before
    # the first of the two rows is in the first batch (lines 2-3): the file is read again to
    # name it
    assert err.value.expected == "one cell only (the other is line 2)"
    assert err.value.value == ("population", "0114", "sex=male", "2020")


def test_bad_value_in_a_later_batch_rolls_back_earlier_batches(vocab, tmp_path, streamed):
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "f.csv").write_text(csv([*ROWS, ("0180", "2021", "totalt", "x")]), encoding="utf-8")
    before = snapshot()
    with pytest.raises(errors.ValueFormatError):
        importer.import_file(tmp_path / "f.csv", mapping=tmp_path / "m.yaml")
    assert snapshot() == before


RICH_MAPPING = """\
source: {id: stockholm-test}
area: {column: sdo, level: sdo}
period: {column: år}
indicator: {column: ind}
groups:
  sex: {column: kön, values: {män: male, kvinnor: female, totalt: total}}
  age: {column: ålder, values: {"20": "20", "21": "21", "22": "22", "99": "99", totalt: total}}
values: {column: värde}
"""
RICH_HEADER = "ind;sdo;år;kön;ålder;värde\n"
RICH_ROWS = [
    # inmigrated: a count of persons with publication threshold 3 (1 and 2 are suppressed)
    ("inmigrated", "bromma", "2019", "män", "20", "1"),
    ("inmigrated", "bromma", "2019", "kvinnor", "20", "2"),
    ("inmigrated", "bromma", "2019", "totalt", "totalt", "3"),
    ("inmigrated", "rinkeby-kista", "2019", "män", "21", "0"),
    ("inmigrated", "rinkeby-kista", "2019", "kvinnor", "21", ".."),
    ("inmigrated", "järva", "2024", "totalt", "22", "7"),
    ("inmigrated", "järva", "2024", "totalt", "totalt", "1 250"),
    ("population", "norrmalm", "2021", "män", "totalt", "35 120"),
    ("population", "norrmalm", "2021", "kvinnor", "totalt", "38 004"),
    ("population", "norra innerstaden", "2024", "totalt", "totalt", "151 202"),
    ("social_assistance_share", "bromma", "2019", "totalt", "totalt", "1,7"),
    ("social_assistance_share", "järva", "2024", "totalt", "totalt", "9,25"),
]


def _cells():
    return sorted(
        m.Observation.objects.values_list(
            "indicator_id",
            "area__code",
            "area__vintage__code",
            "group__key",
            "period",
            "year",
            "value",
            "lower",
            "upper",
            "numerator",
            "denominator",
            "status",
            "suppressed",
            "published",
        )
    )


def _import_both_ways(tmp_path, monkeypatch, rows):
    """Import the same file streamed in batches of three rows and as a whole; return the
    observations or the error of each way."""
    (tmp_path / "m.yaml").write_text(RICH_MAPPING, encoding="utf-8")
    (tmp_path / "f.csv").write_text(
        RICH_HEADER + "".join(";".join(r) + "\n" for r in rows), encoding="utf-8"
    )
    out = []
    for stream_bytes, stream_rows in ((0, 3), (1 << 40, 50_000)):
        monkeypatch.setattr(importer, "STREAM_BYTES", stream_bytes)
        monkeypatch.setattr(importer, "STREAM_ROWS", stream_rows)
        before = snapshot()
        try:
            r = importer.import_file(tmp_path / "f.csv", mapping=tmp_path / "m.yaml")
        except errors.InputError as exc:
            assert snapshot() == before, "a failed import wrote something"
            out.append((type(exc), str(exc)))
            continue
        out.append(((r.created, r.suppressed), _cells()))
        m.Observation.objects.all().delete()
        m.Release.objects.all().delete()
    return out


def test_streamed_batches_give_exactly_the_cells_of_the_whole_file_import(
    vocab, tmp_path, monkeypatch
):
    streamed, whole = _import_both_ways(tmp_path, monkeypatch, RICH_ROWS)
    assert not isinstance(streamed[0], type), streamed
    assert streamed == whole
    (created, suppressed), cells = streamed
    assert (created, suppressed) == (12, 2)
    by_key = {(c[0], c[1], c[3], c[4]): c for c in cells}
    small = by_key[("inmigrated", "bromma", "age=20;sex=male", "2019")]
    assert small[6:9] == (None, None, None) and small[12] is True
    missing = by_key[("inmigrated", "rinkeby-kista", "age=21;sex=female", "2019")]
    assert missing[6] is None and missing[11] == ".." and missing[12] is False
    zero = by_key[("inmigrated", "rinkeby-kista", "age=21;sex=male", "2019")]
    assert zero[6:9] == (0.0, 0.0, pytest.approx(3.688879, abs=1e-6))  # exact Poisson, 0 events
    big = by_key[("inmigrated", "järva", "", "2024")]
    assert big[2] == "2023" and big[6] == 1250.0 and big[7] < 1250.0 < big[8]
    assert by_key[("population", "norrmalm", "sex=male", "2021")][2] == "2020"
    share = by_key[("social_assistance_share", "bromma", "", "2019")]
    assert share[2] == "2007" and share[6] == 1.7 and share[7] is None


BAD_FILES = {
    "unknown indicator": [*RICH_ROWS[:4], ("no_such", "bromma", "2019", "män", "20", "1")],
    "unknown area": [*RICH_ROWS[:5], ("population", "atlantis", "2019", "män", "20", "1")],
    "area of another vintage": [*RICH_ROWS[:4], ("population", "järva", "2019", "män", "20", "1")],
    "ambiguous vintage": [*RICH_ROWS[:4], ("population", "bromma", "2020", "män", "20", "1")],
    "period without year": [*RICH_ROWS[:4], ("population", "bromma", "hösten", "män", "20", "1")],
    "unknown group value": [*RICH_ROWS[:4], ("population", "bromma", "2019", "män", "99", "1")],
    "negative count": [*RICH_ROWS[:7], ("population", "bromma", "2019", "män", "20", "-4")],
    "duplicate in the batch": [*RICH_ROWS[:4], RICH_ROWS[4], RICH_ROWS[4]],
    "duplicate across batches": [*RICH_ROWS, RICH_ROWS[0]],
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_streamed_batches_raise_the_errors_of_the_whole_file_import(
    vocab, tmp_path, monkeypatch, case
):
    streamed, whole = _import_both_ways(tmp_path, monkeypatch, BAD_FILES[case])
    assert issubclass(streamed[0], errors.InputError), streamed
    assert streamed[0] is whole[0]
    # the same problem in the same file; a streamed file is located by its line (the whole file
    # by the cell's coordinates), and the bad row is the last one of each file
    problem = [msg.split(": ", 2)[2].split(" (")[0] for _, msg in (streamed, whole)]
    if streamed[0] is errors.DuplicateKeyError:  # the whole-file reader finds it first
        assert problem == [
            "two cells for the same indicator, area, group and period",
            "two rows fill the same cell",
        ]
    else:
        assert problem[0] == problem[1]
    assert streamed[1].split(": ")[:2] == [
        str(tmp_path / "f.csv"),
        f"line {len(BAD_FILES[case]) + 1}",
    ]
