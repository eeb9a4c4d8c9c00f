"""PC-Axis reader on SCB's real example files (tests/fixtures/formats/px, see SOURCES.md there).

Cell counts are the products of the VALUES lengths counted in each file by hand; spot values are
read off the DATA lines of the raw files (line numbers given).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from skillnader.errors import InputError
from skillnader.readers.px import read_px

PX = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "px"


def cell(cube, **coords):
    return cube.value(**coords)


def test_be0101a1_population_by_county_shape_and_values():
    c = read_px(PX / "BE0101A1.px")
    # STUB region (21) × marital status (4) × age (0..99, 100+ = 101) × sex (2); HEADING period (2)
    assert [d.code for d in c.dimensions] == ["region", "marital status", "age", "sex", "period"]
    assert c.shape == (21, 4, 101, 2, 2)
    assert len(c) == 33936
    # DATA line 51 (first row): Stockholm county, single, age 0, men: 13201 (2004), 13079 (2005)
    assert (
        cell(c, region="01", **{"marital status": "OG"}, age="0", sex="1", period="2004") == 13201
    )
    assert (
        cell(c, region="01", **{"marital status": "OG"}, age="0", sex="1", period="2005") == 13079
    )
    # line 1142: Uppsala county, married, age 40, women: 1130 / 1153
    coords = {"region": "03", "marital status": "G", "age": "40", "sex": "2"}
    assert cell(c, **coords, period="2004") == 1130
    assert cell(c, **coords, period="2005") == 1153
    region = c.dimension("region")
    assert region.labels[3] == "05 Östergötland county"  # cp1252 byte 0xD6 decoded
    assert region.role == "geo"  # MAP("region")
    assert c.dimension("marital status").codes == ["OG", "G", "ÄNKL", "SK"]
    assert c.dimension("period").role == "time"
    assert c.dimension("age").elimination is True
    assert c.meta["timeval"] == {"period": {"unit": "A1", "values": ["2004", "2005"]}}
    assert c.meta["decimals"] == 0
    assert c.meta["title"] == "Population by region, marital status, age, sex and period"
    assert c.meta["notes"][0]["mandatory"] is True
    assert c.meta["notes"][0]["text"].startswith("The tables show the conditions on December 31st")
    assert c.symbols == {}
    assert not np.isnan(c.values).any()


def test_be101ace_old_file_with_empty_code_and_two_heading_variables():
    c = read_px(PX / "BE101ACE.px")
    # STUB marital status (4) × age (21); HEADING period (32: 1968-1999) × sex (3)
    assert c.shape == (4, 21, 32, 3)
    assert len(c) == 8064
    sex = c.dimension("sex")
    # CODES("sex")="1","2",; -- the empty third code falls back on its label
    assert sex.codes == ["1", "2", "total"]
    assert c.dimension("age").codes[0] == "-4"
    # DATA line 64 = married (row 2 of 4), 25-29 (6th age): first three and last three numbers
    m = {"marital status": "MA", "age": "25-29"}
    assert cell(c, **m, period="1968", sex="1") == 173497
    assert cell(c, **m, period="1968", sex="2") == 202319
    assert cell(c, **m, period="1968", sex="total") == 375816
    assert cell(c, **m, period="1999", sex="total") == 100569
    # the very last cell, "20;" at the end of line 121
    assert c.values.reshape(-1)[-1] == 20
    assert c.meta["language"] is None
    assert c.meta["axis_version"] == "1.5"


def test_pr0101b3_cpi_monthly_decimals_and_unterminated_data():
    # This real file ends without the ';' after DATA; the cell count is complete, so it reads.
    c = read_px(PX / "PR0101B3.px")
    assert c.shape == (12, 27)
    assert len(c) == 324
    assert c.meta["decimals"] == 2
    assert c.meta["title"] == (
        "Consumer Price Index (CPI) (by COICOP), 1980=100 by Product group andperiod"
    )
    assert c.meta["timeval"]["period"]["unit"] == "M1"
    assert c.meta["timeval"]["period"]["values"][0] == "200610"
    assert cell(c, **{"Product group": "01.1.3"}, period="2006M10") == 331.54
    assert cell(c, **{"Product group": "01.1.3"}, period="2008M12") == 354.13
    assert cell(c, **{"Product group": "01.2"}, period="2006M10") == 172.88
    assert c.dimension("Product group").labels[9] == (
        "01.1.8 Sugar, jam, honey, chocolate and confectionery"
    )


def test_datasymbols_file_keeps_each_symbol():
    c = read_px(PX / "BE0101F1datasymbols.px")
    assert c.shape == (4, 3, 1, 2)
    assert len(c) == 24
    flat = c.values.reshape(-1)
    assert flat[0] == 456
    assert c.symbols == {1: ".", 3: "..", 5: "...", 7: "....", 9: ".....", 11: "......"}
    assert all(math.isnan(flat[i]) for i in c.symbols)
    assert cell(c, region="0114", age="20", period="2003", sex="2") == 38
    assert cell(c, region="0115", age="22", period="2003", sex="1") == 20
    assert c.meta["symbol_texts"]["..."] == "three"
    assert c.meta["symbol_texts"]["sum"] == "sum"
    # CELLNOTE("*", "20", "*", "men"): every region, age 20, men
    assert c.notes == {
        0: "Cellnote 20 year old men",
        6: "Cellnote 20 year old men",
        12: "Cellnote 20 year old men",
        18: "Cellnote 20 year old men",
    }


def test_nildot_symbols_dash_and_datasymbolnil():
    c = read_px(PX / "BE0101F1nildotsymbols.px")
    assert c.shape == (4, 3, 1, 2, 2)
    assert len(c) == 48
    assert c.dimension("type").role == "content"
    assert c.dimension("type").units == {"BE0101F1": "number", "BE0101F2": "number"}
    # first DATA row: "-" "." ".." "..."
    assert [c.symbols[i] for i in range(4)] == ["-", ".", "..", "..."]
    # row 3 (00 Sweden, age 22): 0 "-" 0 "-"
    assert c.values[0, 2, 0].reshape(-1)[0] == 0
    assert c.symbols[9] == "-" and c.symbols[11] == "-"
    # row 6 (0114, age 20): 14 "-" 22 43
    assert cell(c, region="0114", age="20", period="2003", type="BE0101F2", sex="2") == 43
    assert c.value(region="0114", age="20", period="2003", type="BE0101F1", sex="2") is None
    assert c.meta["symbol_texts"]["-"] == "nothing"
    assert c.meta["content_meta"]["BE0101F1"]["last-updated"] == "20040212 16:28"
    # rows 1, 3, 4, 5, 6, 7 of DATA hold 4 + 2 + 4 + 4 + 1 + 1 symbols
    assert len(c.symbols) == 16
    assert int(np.isnan(c.values).sum()) == 16


def test_all_keywords_file_codepage_datanotecell_and_notes():
    c = read_px(PX / "BE0101F1allakw.px")
    assert c.meta["encoding"] == "iso8859-1"  # CODEPAGE="ISO-8859-1"
    assert len(c) == 48
    assert c.dimension("region").labels[2] == "0114 Upplands Väsby"
    assert c.dimension("region").elimination == "00"  # ELIMINATION names "00 Sweden"
    assert c.dimension("sex").elimination is True
    # DATANOTECELL("*","20","*","BE0101F2","*")="Ae" and ("*","21","*","BE0101F2","1")="Ae"
    dn = c.meta["datanotecell"]
    expected = set()
    for r in range(4):
        expected |= {r * 12 + 2, r * 12 + 3, r * 12 + 4 + 2}
    assert set(dn) == expected
    assert set(dn.values()) == {"Ae"}
    assert c.notes[2].splitlines() == [
        "Ae",
        "Mandatory cellnote outmigrated 20 years",
        "Optional cellnote outmigrated 20 years",
    ]
    assert c.meta["value_notes"]["region"]["0114"][0] == {
        "text": "mandatory valuenote for Upplands Väsby",
        "mandatory": True,
    }
    assert c.meta["datanotesum"] == "Se"
    assert c.meta["domains"] == {"region": "Region1999/2003", "age": "Age", "sex": "Sex"}
    assert c.meta["maps"] == {"region": "Sweden_municipality"}
    assert cell(c, region="00", age="21", period="2003", type="BE0101F2", sex="1") == 305
    assert c.symbols[5] == ".."


def test_three_languages_default_and_choice():
    path = PX / "BE0101F1langensvfiolikacelln.px"
    en = read_px(path)
    assert en.meta["language"] == "en"
    assert en.meta["languages"] == ["en", "sv", "fi"]
    region = en.dimension("region")
    assert region.labels[0] == "00 Sweden"
    assert region.labels_by_lang["sv"][0] == "00 Riket"
    assert region.labels_by_lang["fi"][0] == "Ruotsi"
    assert region.label_by_lang == {"en": "region", "sv": "region", "fi": "kunta"}
    assert en.dimension("type").units == {"BE0101F1": "number", "BE0101F2": "number"}
    assert len(en) == 48
    assert cell(en, region="0114", age="20", period="2003", type="BE0101F1", sex="2") == 38

    sv = read_px(path, language="sv")
    assert [d.code for d in sv.dimensions] == [d.code for d in en.dimensions]  # stable codes
    assert sv.dimension("sex").label == "kön"
    assert sv.dimension("sex").labels == ["män", "kvinnor"]
    assert sv.dimension("type").units["BE0101F2"] == "antal"
    assert sv.meta["title"] == "Flyttningar efter region, ålder, tid, typ och kön"
    assert np.array_equal(sv.values, en.values)
    # CELLNOTEX[sv]/CELLNOTE[sv] are used in the Swedish reading, the English ones in English
    assert sv.notes[2] == "Cellnot för utflyttade 20 år."
    assert sv.notes[0] == "Cellnot inflyttade 20 år."
    # English has a cell note for Inmigrated only; Swedish for both types (age 20, any region)
    assert set(en.notes) == {r * 12 + k for r in range(4) for k in (0, 1)}
    assert set(sv.notes) == {r * 12 + k for r in range(4) for k in (0, 1, 2, 3)}
    assert en.notes[0] == "Cellnote inmigrated 20 years"

    fi = read_px(path, language="fi")
    assert fi.dimension("region").label == "kunta"
    assert fi.dimension("type").labels == ["Tulomuutto", "Lähtömuutto"]

    with pytest.raises(InputError) as exc:
        read_px(path, language="de")
    assert "de" in str(exc.value) and "en, sv, fi" in str(exc.value)


def test_officialstatistics_bilingual():
    c = read_px(PX / "officialstatistics.px", language="sv")
    assert len(c) == 48
    assert c.meta["official_statistics"] == "YES"
    assert c.meta["symbol_texts"] == {".": "hej", "..": "hej då", "sum": "summa"}
    assert c.dimension("region").labels[1] == "01 Stockholms län"
    assert cell(c, region="00", age="22", period="2003", type="BE0101F1", sex="2") == 0
    assert cell(c, region="00", age="22", period="2003", type="BE0101F2", sex="2") == 511
    assert c.symbols == {1: ".", 5: ".."}


def test_bytes_input_equals_path_input():
    raw = (PX / "BE0101F1datasymbols.px").read_bytes()
    a = read_px(raw)
    b = read_px(PX / "BE0101F1datasymbols.px")
    assert np.array_equal(a.values, b.values, equal_nan=True)
    assert a.source == "<bytes>"


MINI = (
    'CHARSET="ANSI";\nLANGUAGE="sv";\nTITLE="Test; with semicolon";\n'
    'STUB="område";\nHEADING="år";\n'
    'VALUES("område")="Rinkeby-Kista","Spånga-Tensta";\nVALUES("år")="2022","2023";\n'
    "DATA=\n1 2\n3 4;\n"
)


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [("utf-8", "utf-8"), ("cp1252", "windows-1252"), ("latin-1", "iso-8859-1")],
)
def test_codepage_keyword(encoding, declared):
    text = MINI.replace('CHARSET="ANSI";\n', f'CHARSET="ANSI";\nCODEPAGE="{declared}";\n')
    c = read_px(text.encode(encoding))
    assert c.dimension("område").labels == ["Rinkeby-Kista", "Spånga-Tensta"]
    assert c.meta["title"] == "Test; with semicolon"
    assert c.values.tolist() == [[1, 2], [3, 4]]


def test_utf8_bom_without_codepage():
    c = read_px(b"\xef\xbb\xbf" + MINI.encode("utf-8"))
    assert c.dimension("område").labels[1] == "Spånga-Tensta"
    assert c.meta["encoding"] == "utf-8"


def test_data_on_same_line_tabs_and_crlf():
    text = MINI.replace("DATA=\n1 2\n3 4;\n", "DATA=1\t2\r\n3   4\r\n;\r\n").replace("\n", "\r\n")
    c = read_px(text.encode("cp1252"))
    assert c.values.tolist() == [[1, 2], [3, 4]]


def test_only_heading_variables():
    c = read_px(b'HEADING="x";\nVALUES("x")="a","b","c";\nDATA=\n1.5 -2 3e2;\n')
    assert c.shape == (3,)
    assert c.values.tolist() == [1.5, -2.0, 300.0]


def test_large_data_read_in_chunks(monkeypatch):
    """A DATA block much larger than one chunk is read exactly (chunk edges inside numbers)."""
    import skillnader.readers.px as pxmod

    monkeypatch.setattr(pxmod, "_CHUNK", 1000)
    n = 20000
    rng = np.random.default_rng(7)
    vals = rng.integers(0, 10**6, n)
    body = "\n".join(" ".join(str(v) for v in vals[i : i + 37]) for i in range(0, n, 37))
    sym_body = body.replace(str(vals[12345]), '".."', 1)
    head = 'STUB="a";\nHEADING="b";\nVALUES("a")=' + ",".join(f'"{i}"' for i in range(200))
    head += ';\nVALUES("b")=' + ",".join(f'"{i}"' for i in range(100)) + ";\nDATA=\n"
    c = read_px((head + body + ";\n").encode())
    assert np.array_equal(c.values.reshape(-1), vals.astype(float))
    c2 = read_px((head + sym_body + ";\n").encode())
    first = int(np.flatnonzero(vals == vals[12345])[0])
    assert c2.symbols == {first: ".."}


@pytest.mark.parametrize(
    ("tlist", "values"),
    [
        ('TLIST(A1, "2021"-"2023")', ["2021", "2022", "2023"]),
        ('TLIST(Q1, "20233"-"20242")', ["20233", "20234", "20241", "20242"]),
        ('TLIST(M1, "202311"-"202402")', ["202311", "202312", "202401", "202402"]),
        ('TLIST(H1, "20222"-"20231")', ["20222", "20231"]),
    ],
)
def test_timeval_interval_form(tlist, values):
    text = (
        'STUB="tid";\nVALUES("tid")=' + ",".join(f'"{v}"' for v in values) + ";\n"
        f'TIMEVAL("tid")={tlist};\nDATA=\n' + " ".join("1" * len(values)) + ";\n"
    )
    c = read_px(text.encode())
    assert c.dimension("tid").role == "time"
    assert c.meta["timeval"]["tid"]["values"] == values


def _traced_peak_over_cube(path: Path) -> tuple[int, int]:
    import tracemalloc

    tracemalloc.start()
    try:
        cube = read_px(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return len(cube), peak - cube.values.nbytes


def _write_grid(path: Path, rows: int, cols: int) -> None:
    rng = np.random.default_rng(3)
    block = rng.integers(0, 100_000, size=(rows, cols))
    head = 'STUB="r";\nHEADING="c";\nVALUES("r")=' + ",".join(f'"{i}"' for i in range(rows))
    head += ';\nVALUES("c")=' + ",".join(f'"{i}"' for i in range(cols)) + ";\nDATA=\n"
    body = "\n".join(" ".join(map(str, r)) for r in block.tolist())
    path.write_bytes((head + body + ";\n").encode())


def test_memory_beyond_the_cube_does_not_grow_with_the_file(tmp_path):
    """DATA is streamed: besides the cube (8 bytes a cell) the reader holds one chunk's
    temporaries, so 8 times more cells cost no more extra memory, and far less than the text."""
    small, big = tmp_path / "small.px", tmp_path / "big.px"
    _write_grid(small, 2000, 50)
    _write_grid(big, 2000, 400)
    n_small, extra_small = _traced_peak_over_cube(small)
    n_big, extra_big = _traced_peak_over_cube(big)
    assert (n_small, n_big) == (100_000, 800_000)
    assert big.stat().st_size > 4_000_000
    assert extra_big < extra_small + 2 * 2**20
    assert extra_big < 20 * 2**20


@pytest.mark.parametrize("path", sorted(PX.glob("*.px")), ids=lambda p: p.name)
def test_streamed_cells_equal_the_whole_cube(path):
    from skillnader.readers.px import stream_px

    whole = read_px(path)
    streamed = stream_px(path)
    assert len(streamed) == len(whole) and streamed.shape == whole.shape
    assert streamed.notes == whole.notes and streamed.meta == whole.meta
    cells = list(streamed.cells())
    assert len(cells) == len(whole)
    for (ca, va, sa), (cb, vb, sb) in zip(whole.cells(), cells, strict=True):
        assert ca == cb and sa == sb and (va == vb or (va is None and vb is None))
    assert streamed.symbols == whole.symbols
    with pytest.raises(RuntimeError, match="only once"):
        next(streamed.cells())
    with pytest.raises(TypeError):
        streamed.value(**{d.code: d.codes[0] for d in whole.dimensions})


def test_streamed_data_defects_are_raised_while_reading_the_cells(tmp_path):
    from skillnader.readers.px import stream_px

    bad = tmp_path / "cut.px"
    bad.write_bytes((PX / "BE0101F1datasymbols.px").read_bytes()[:-60])
    cube = stream_px(bad)  # the header is fine
    with pytest.raises(InputError) as err:
        list(cube.cells())
    assert err.value.path == str(bad)
    with pytest.raises(type(err.value)):
        read_px(bad)
