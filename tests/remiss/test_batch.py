"""Reading many answers at once (parse_files): in one process with the next file read ahead,
and on forked worker processes; both give what parse_file gives file by file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from skillnader.remiss.errors import EmptyDocumentError
from skillnader.remiss.pipeline import parse_file, parse_files

HELDOUT = Path(__file__).parent / "heldout_mapping"


def _summary(a):
    return (
        a.board,
        a.date,
        [
            (m.question, m.status, [(x.passage, x.confidence) for x in m.answers])
            for m in a.mappings
        ],
        [(t.passage, t.code, t.polarity) for t in a.tags],
        a.document.text,
    )


@pytest.fixture
def files(tmp_path, real_pdf):
    out = []
    for f in sorted(HELDOUT.glob("*.txt")):
        target = tmp_path / f.name
        target.write_bytes(f.read_bytes())
        out.append(target)
    pdf = tmp_path / "skarholmen.pdf"
    pdf.write_bytes(real_pdf)
    out.append(pdf)
    return out


@pytest.mark.parametrize("workers", [1, 2])
def test_parse_files_equals_parse_file(files, consultation, codebook, workers):
    received = dt.date(2015, 10, 30)
    items = [(f, None, received if f.suffix == ".pdf" else None) for f in files]
    got = parse_files(items, consultation=consultation, codebook=codebook, workers=workers)
    want = [
        parse_file(f, consultation=consultation, codebook=codebook, date=d) for f, _b, d in items
    ]
    assert [_summary(a) for a in got] == [_summary(a) for a in want]
    assert got[-1].date == received and got[-1].board == "skarholmen"
    assert all("extract" in a.timings for a in got)


@pytest.mark.parametrize("workers", [1, 2])
def test_parse_files_raises_the_typed_error(files, tmp_path, consultation, codebook, workers):
    empty = tmp_path / "tomt.txt"
    empty.write_text("   \n\n", encoding="utf-8")
    items = [(f, None) for f in files[:2]] + [(empty, None)] + [(f, None) for f in files[2:]]
    with pytest.raises(EmptyDocumentError):
        parse_files(items, consultation=consultation, codebook=codebook, workers=workers)
