"""Property tests: any text either reads or raises an InputError; any table written in any of the
supported Swedish/English CSV conventions reads back to exactly the numbers written."""

from __future__ import annotations

import csv
import io
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillnader.errors import InputError
from skillnader.readers.base import Cube
from skillnader.readers.tabular import read_tabular

M = {"area": "område", "period": "år", "values": "värde"}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read(data: bytes, mapping: dict = M, suffix: str = ".csv") -> Cube:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"t{suffix}"
        p.write_bytes(data)
        return read_tabular(p, mapping)


def _reads_or_input_error(data: bytes) -> None:
    try:
        cube = _read(data)
    except InputError:
        return
    assert isinstance(cube, Cube)
    assert cube.values.size == math.prod(cube.shape)


CSV_ALPHABET = st.sampled_from(list(';,\t"\r\n .-åäöÅÄÖ0123456789abc\u00a0\u202f\x00'))


@SETTINGS
@given(st.text(alphabet=CSV_ALPHABET, max_size=300))
def test_random_csv_text_reads_or_raises_input_error(text):
    _reads_or_input_error(text.encode("utf-8"))


@SETTINGS
@given(
    st.sampled_from(["område;år;värde\n", "område,år,värde\r\n", "\ufeffområde\tår\tvärde\r\r\n"]),
    st.text(alphabet=CSV_ALPHABET, max_size=300),
    st.sampled_from(["utf-8", "utf-16", "cp1252"]),
)
def test_random_body_under_a_valid_header_reads_or_raises_input_error(header, body, encoding):
    text = header + body
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    _reads_or_input_error(data)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_read_or_raise_input_error(data):
    _reads_or_input_error(data)


# ------------------------------------------------------------------------------------------
# round trip

AREAS = [
    "0180R001",
    "Skärholmen",
    "Hägersten; Liljeholmen",
    'Norra "innerstaden"',
    "Rinkeby,Kista",
    "Östra\nSkarpnäck",
    "Åsa",
]
MISSING = ["..", "-", ".", ""]


def _format(value: float, decimals: int, decimal: str, thousands: str) -> str:
    text = f"{abs(value):.{decimals}f}"
    whole, _, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = thousands.join(groups) + (decimal + frac if frac else "")
    return ("-" if value < 0 else "") + out


@st.composite
def tables(draw):
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(AREAS), st.integers(2015, 2024)),
            min_size=1,
            max_size=25,
            unique=True,
        )
    )
    decimals = draw(st.sampled_from([0, 1, 2]))
    cells = []
    for _ in keys:
        if draw(st.integers(0, 5)) == 0:
            cells.append(draw(st.sampled_from(MISSING)))
        else:
            cells.append(round(draw(st.floats(-5e6, 5e7, allow_nan=False)), decimals))
    return keys, cells, decimals


@SETTINGS
@given(
    tables(),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from([",", "."]),
    st.sampled_from(["", " ", "\u00a0", "\u202f", "."]),
    st.sampled_from(["\n", "\r\n", "\r\r\n"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    st.booleans(),
    st.booleans(),
)
def test_round_trip_in_any_convention(
    table, delimiter, decimal, thousands, newline, encoding, footer, explicit
):
    keys, cells, decimals = table
    if thousands == decimal or (thousands == "." and decimal == "."):
        thousands = ""
    if encoding == "cp1252" and thousands == "\u202f":
        thousands = "\u00a0"  # U+202F has no cp1252 byte
    rows = [["område", "år", "värde"]]
    for (area, year), cell in zip(keys, cells, strict=True):
        text = cell if isinstance(cell, str) else _format(cell, decimals, decimal, thousands)
        rows.append([area, str(year), text])
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    if footer:
        buf.write("Källa: SCB" + newline)
    data = buf.getvalue().encode(encoding)
    mapping = dict(M)
    # with only whole numbers a dot-grouped "1.234" is ambiguous; the mapping then says it
    if explicit or (thousands == "." and decimals == 0) or (decimal == "." and decimals == 0):
        mapping["format"] = {"decimal": decimal}
    cube = _read(data, mapping)
    assert cube.meta["footer_lines_dropped"] == (1 if footer else 0)
    for (area, year), cell in zip(keys, cells, strict=True):
        got = cube.value(area=area, period=str(year))
        if isinstance(cell, str):
            assert got is None
            idx = cube.dimension("area").codes.index(area) * len(cube.dimension("period")) + (
                cube.dimension("period").codes.index(str(year))
            )
            assert cube.symbols[idx] == cell
        else:
            assert got == cell, (area, year, cell, got)
    assert len(cube.symbols) == sum(isinstance(c, str) for c in cells)
