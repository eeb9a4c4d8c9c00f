"""CSV and Excel tables with mapping files: real SCB/Arbetsförmedlingen exports and variants of them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest

from skillnader.errors import DuplicateKeyError, ValueFormatError
from skillnader.readers.base import Cube
from skillnader.readers.mapping import Mapping
from skillnader.readers.tabular import iter_tabular_rows, parse_number, read_tabular

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "tabular"
WIDE = FIX / "regso_population_by_birth_region_2020_2023.csv"
LONG = FIX / "stockholm_regso_indicators_2020_2023_long.csv"
UNEMPLOYED = FIX / "kommun_registered_unemployed_monthly_2018_2022.csv"
AREATYPE = FIX / "regso_omradestyp_socioekonomiskt_index_2022.csv"

WIDE_MAPPING = {
    "area": {"column": "region", "level": "regso", "vintage": "2020"},
    "indicator": {"value": "population"},
    "groups": {
        "birth_region": {
            "column": "födelseregion",
            "values": {"Sverige": "sweden", "totalt": "total"},
        },
        "sex": {"column": "kön", "values": {"totalt": "total"}},
    },
    "values": {"pattern": r"^Antal (\d{4})$"},
}

LONG_MAPPING = {
    "area": {
        "column": "regso_code",
        "label_column": "regso_name",
        "level": "regso",
        "vintage": "2020",
    },
    "indicator": {"column": "indicator"},
    "period": {"column": "year"},
    "values": {"column": "value"},
}


def assert_same_cube(a: Cube, b: Cube) -> None:
    assert [d.code for d in a.dimensions] == [d.code for d in b.dimensions]
    for da, db in zip(a.dimensions, b.dimensions, strict=True):
        assert da.codes == db.codes, da.code
        assert da.labels == db.labels, da.code
    np.testing.assert_array_equal(a.values, b.values)
    assert a.symbols == b.symbols


# ------------------------------------------------------------------------------------------
# real files


def test_wide_regso_population_file():
    cube = read_tabular(WIDE, WIDE_MAPPING)
    assert [d.code for d in cube.dimensions] == [
        "indicator",
        "area",
        "birth_region",
        "sex",
        "period",
    ]
    assert cube.shape == (1, 3363, 2, 1, 4)
    assert cube.dimension("period").codes == ["2020", "2021", "2022", "2023"]
    assert cube.dimension("area").role == "geo"
    assert cube.dimension("period").role == "time"
    assert cube.meta["encoding"] == "utf-8-sig"  # the SCB export carries a BOM
    assert cube.meta["rows"] == 6726
    assert cube.meta["footer_lines_dropped"] == 0
    assert cube.meta["area_level"] == "regso" and cube.meta["area_vintage"] == "2020"
    assert not np.isnan(cube.values).any()
    assert (
        cube.value(
            indicator="population",
            area="Upplands Väsby (Bollstanäs)",
            birth_region="sweden",
            sex="total",
            period="2020",
        )
        == 5002
    )
    assert (
        cube.value(
            indicator="population",
            area="Kiruna (Östermalm)",
            birth_region="total",
            sex="total",
            period="2023",
        )
        == 1214
    )
    # the sum over all RegSO is Sweden's official population on 31 December (SCB)
    v = cube.values.reshape(cube.shape)
    totals = v[0, :, 1, 0, :].sum(axis=0)
    assert totals.tolist() == [10_379_295, 10_452_326, 10_521_556, 10_551_707]


def test_wide_file_has_crcrlf_line_endings_and_no_empty_rows():
    raw = WIDE.read_bytes()
    assert raw.count(b"\r\r\n") == 6727
    # line numbers in errors count \r\r\n as one line end: row 6727 is the file's last line
    frames = list(iter_tabular_rows(WIDE, WIDE_MAPPING))
    lines = pl.concat(frames)["line"]
    assert lines.min() == 2 and lines.max() == 6727


def test_long_stockholm_file_is_sparse():
    cube = read_tabular(LONG, LONG_MAPPING)
    assert cube.shape == (8, 127, 4)
    assert cube.meta["rows"] == 3810 and cube.meta["cells_filled"] == 3810
    area = cube.dimension("area")
    assert area.codes[:2] == ["0180R001", "0180R002"]
    assert area.labels[0] == "Abrahamsberg"
    assert area.labels[area.codes.index("0180R127")] == "Östra Skarpnäcks gård-Flaten-Skrubba"
    assert cube.value(indicator="dwellings_bostadsratt", area="0180R001", period="2020") == 839
    assert cube.value(indicator="mean_wage_income", area="0180R001", period="2021") == 355.1
    assert cube.value(indicator="population_total", area="0180R127", period="2023") == 1970
    # the area type exists only for 2022 and 2023: absent cells are NaN without a symbol
    assert (
        cube.value(indicator="omradestyp_socioeconomic_area_type", area="0180R001", period="2020")
        is None
    )
    assert int(np.isnan(cube.values).sum()) == 127 * 2
    assert cube.symbols == {}


def test_unemployment_file_with_suppressed_counts_and_county_group():
    mapping = {
        "area": {"column": "municipality", "level": "kommun"},
        "groups": {"county": {"column": "county"}},
        "period": {"column": "period"},
        "values": {"column": "unemployedTotal"},
        "format": {"missing": ["<5", "..", ""]},
    }
    cube = read_tabular(UNEMPLOYED, mapping)
    assert cube.shape == (291, 22, 24)  # 290 kommuner + "Uppgift saknas"; 21 län + unknown
    assert cube.meta["rows"] == 6988
    # Arbetsförmedlingen: Stockholm, September 2018, 29 926 registered unemployed
    assert cube.value(area="Stockholm", county="Stockholms län", period="2018-09") == 29926
    assert sorted(cube.symbols.values()) == ["<5"] * 4
    flat = cube.dimension("area").codes.index("Uppgift saknas")
    assert cube.value(area="Uppgift saknas", county="Stockholms län", period="2022-02") is None
    assert flat >= 0


def test_unemployment_file_without_county_has_duplicate_cells():
    mapping = {
        "area": {"column": "municipality"},
        "period": {"column": "period"},
        "values": {"column": "unemployedTotal"},
        "format": {"missing": ["<5"]},
    }
    with pytest.raises(DuplicateKeyError) as exc:
        read_tabular(UNEMPLOYED, mapping)
    msg = str(exc.value)
    assert str(UNEMPLOYED) in msg
    assert "lines 2965 and 3002" in msg
    assert "area=Uppgift saknas, period=2022-02" in msg


def test_unemployment_file_suppressed_count_is_not_a_number_by_default():
    mapping = {
        "area": "municipality",
        "groups": {"county": "county"},
        "period": "period",
        "values": "unemployedTotal",
    }
    with pytest.raises(ValueFormatError) as exc:
        read_tabular(UNEMPLOYED, mapping)
    assert str(exc.value) == (
        f"{UNEMPLOYED}: line 3002, column 'unemployedTotal': not a number (found '<5'; expected "
        "a number with decimal mark '.', a missing-value symbol ('..', '-', '.', ''), or a "
        "marker of a withheld value ('~100', '~0'))"
    )


def test_scb_area_type_file_with_footer_padded_by_delimiters():
    # PxWeb export: empty first header, 24 footer records ("Källa:,", "SCB,", ...) after a blank line
    cube = read_tabular(AREATYPE, {"area": {"column": ""}, "values": {"pattern": r"^(\d{4})$"}})
    assert cube.shape == (3363, 1)
    assert cube.meta["footer_lines_dropped"] == 24
    assert any(line.startswith("Källa:") for line in cube.meta["footer"])
    values, counts = np.unique(cube.values, return_counts=True)
    # SCB/Delmos områdestyp counts for 2022 (regso_sweden/SOURCES.md)
    assert values.tolist() == [1, 2, 3, 4, 5]
    assert counts.tolist() == [160, 289, 855, 1770, 289]


# ------------------------------------------------------------------------------------------
# variants of a real file must give the identical cube


def _long_rows() -> tuple[list[str], list[list[str]]]:
    with open(LONG, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(rows: list[list[str]], *, delimiter=",", newline="\r\n", encoding="utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue().encode(encoding)


@pytest.fixture(scope="module")
def reference() -> Cube:
    return read_tabular(LONG, LONG_MAPPING)


@pytest.mark.parametrize(
    "encoding, expected",
    [("cp1252", "cp1252"), ("utf-16", "utf-16-le"), ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")],
)
def test_encodings_give_identical_cubes(tmp_path, reference, encoding, expected):
    header, body = _long_rows()
    p = tmp_path / "long.csv"
    p.write_bytes(_write([header, *body], encoding=encoding))
    cube = read_tabular(p, LONG_MAPPING)
    assert cube.meta["encoding"] == expected
    assert_same_cube(cube, reference)


def test_explicit_encoding_wins(tmp_path, reference):
    header, body = _long_rows()
    p = tmp_path / "long.csv"
    p.write_bytes(_write([header, *body], encoding="latin-1"))
    cube = read_tabular(p, {**LONG_MAPPING, "format": {"encoding": "latin-1"}})
    assert cube.meta["encoding"] == "iso8859-1"
    assert_same_cube(cube, reference)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r\r\n", "\r"])
def test_line_endings_give_identical_cubes(tmp_path, reference, newline):
    header, body = _long_rows()
    p = tmp_path / "long.csv"
    p.write_bytes(_write([header, *body], newline=newline))
    cube = read_tabular(p, LONG_MAPPING)
    assert cube.meta["rows"] == 3810
    assert_same_cube(cube, reference)


def _swedish_number(text: str, i: int) -> str:
    """1234.5 -> '1 234,5' with a rotating thousands separator (space, NBSP, NNBSP, dot)."""
    value = float(text)
    whole, _, frac = f"{value:.10g}".partition(".")
    sep = [" ", "\u00a0", "\u202f", "."][i % 4]
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sep.join(groups) + ("," + frac if frac else "")


def test_swedish_style_variant_gives_identical_cube(tmp_path, reference):
    """Semicolons, decimal comma, mixed thousands separators, quoted fields with the delimiter
    and a newline inside, a title line above the header and footer lines below the data."""
    header, body = _long_rows()
    vi = header.index("value")
    si = header.index("source_file")
    out = [["Tabell: RegSO-indikatorer;Stockholm"], header]
    for i, row in enumerate(body):
        row = list(row)
        row[vi] = _swedish_number(row[vi], i)
        if i % 97 == 0:
            row[si] = f"{row[si]}; rad {i}\nandra raden"
        out.append(row)
    out += [["Källa: SCB"], ["Uppgifterna avser 31 december; bearbetning: Stockholms stad"]]
    p = tmp_path / "long_sv.csv"
    p.write_bytes(_write(out, delimiter=";", encoding="utf-8-sig"))
    mapping = {**LONG_MAPPING, "format": {"skip_rows": 1}}
    cube = read_tabular(p, mapping)
    assert cube.meta["delimiter"] == ";"
    assert cube.meta["decimal"] == ","
    assert cube.meta["encoding"] == "utf-8-sig"
    assert cube.meta["footer_lines_dropped"] == 2
    assert cube.meta["footer"] == [
        "Källa: SCB",
        "Uppgifterna avser 31 december; bearbetning: Stockholms stad",
    ]
    assert_same_cube(cube, reference)
    assert any(v >= 1000 for v in cube.values[~np.isnan(cube.values)])


def test_tab_delimited_variant(tmp_path, reference):
    header, body = _long_rows()
    p = tmp_path / "long.tsv"
    p.write_bytes(_write([header, *body], delimiter="\t"))
    cube = read_tabular(p, LONG_MAPPING)
    assert cube.meta["delimiter"] == "\t"
    assert_same_cube(cube, reference)


def test_missing_symbols_are_kept(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text(
        "område;år;antal\n0180R001;2022;12\n0180R001;2023;..\n0180R002;2022;-\n"
        "0180R002;2023;\n0180R003;2022;.\n",
        encoding="utf-8",
    )
    cube = read_tabular(p, {"area": "område", "period": "år", "values": "antal"})
    assert cube.shape == (3, 2)
    assert cube.value(area="0180R001", period="2022") == 12
    assert cube.symbols == {1: "..", 2: "-", 3: "", 4: "."}
    assert 5 not in cube.symbols  # 0180R003 × 2023 is absent: NaN without a symbol
    assert np.isnan(cube.values[5])


# ------------------------------------------------------------------------------------------
# streaming


def test_streaming_chunks_equal_whole_read_and_report_progress():
    calls: list[tuple[int, int]] = []
    stream = iter_tabular_rows(
        LONG, LONG_MAPPING, chunk_rows=500, progress=lambda a, b: calls.append((a, b))
    )
    frames = list(stream)
    assert [f.height for f in frames] == [500] * 7 + [310]
    assert frames[0].columns == [
        "indicator",
        "area",
        "period",
        "area_label",
        "value",
        "symbol",
        "line",
    ]
    df = pl.concat(frames)
    assert df["line"].to_list() == list(range(2, 3812))
    assert df.row(0) == ("dwellings_aganderatt", "0180R001", "2020", "Abrahamsberg", 0.0, None, 2)
    size = LONG.stat().st_size
    assert calls[-1] == (size, size)
    assert [a for a, _ in calls] == sorted(a for a, _ in calls)
    assert stream.meta["rows"] == 3810  # type: ignore[attr-defined]


def test_streaming_wide_file_melts_value_columns():
    frames = list(iter_tabular_rows(WIDE, WIDE_MAPPING, chunk_rows=1000))
    df = pl.concat(frames)
    assert df.height == 6726 * 4
    first = df.filter(pl.col("line") == 2).sort("period")
    assert first["period"].to_list() == ["2020", "2021", "2022", "2023"]
    assert first["value"].to_list() == [5002, 4972, 4916, 4843]
    assert set(first["birth_region"]) == {"sweden"}


# ------------------------------------------------------------------------------------------
# Excel


def _long_to_xlsx(path: Path, *, swedish_text: bool) -> None:
    header, body = _long_rows()
    wb = openpyxl.Workbook()
    wb.active.title = "Info"
    wb.active["A1"] = "Se bladet Blad1"
    ws = wb.create_sheet("Blad1")
    ws.append(["RegSO-indikatorer för Stockholm 2020–2023"])
    ws.append(header)
    vi = header.index("value")
    yi = header.index("year")
    for i, row in enumerate(body):
        cells: list[object] = list(row)
        cells[yi] = int(row[yi])  # years stored as numbers must still become the code "2020"
        if swedish_text and i % 3 == 0:
            cells[vi] = _swedish_number(row[vi], i)
        else:
            cells[vi] = float(row[vi])
        ws.append(cells)
    ws.append(["Källa: SCB"])
    wb.save(path)


def test_excel_sheet_by_name_gives_identical_cube(tmp_path, reference):
    p = tmp_path / "long.xlsx"
    _long_to_xlsx(p, swedish_text=True)
    mapping = {**LONG_MAPPING, "format": {"sheet": "Blad1", "skip_rows": 1}}
    cube = read_tabular(p, mapping)
    assert cube.meta["format"] == "xlsx"
    assert cube.meta["sheet"] == "Blad1"
    assert cube.meta["footer_lines_dropped"] == 1
    assert_same_cube(cube, reference)


def test_excel_first_sheet_by_default(tmp_path):
    p = tmp_path / "one.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tabell"
    ws.append(["kommun", "år", "antal"])
    ws.append(["0180", 2023, 984748])
    ws.append(["0114", 2023, "48 131"])
    ws.append(["0115", 2023, ".."])
    wb.save(p)
    cube = read_tabular(p, {"area": "kommun", "period": "år", "values": "antal"})
    assert cube.shape == (3, 1)
    assert cube.values[:2].tolist() == [984748.0, 48131.0]
    assert cube.symbols == {2: ".."}


# ------------------------------------------------------------------------------------------
# mapping files and numbers


def test_mapping_file_in_yaml(tmp_path):
    m = tmp_path / "regso.yaml"
    m.write_text(
        """
area: {column: region, level: regso, vintage: "2020"}
indicator: {value: population}
groups:
  birth_region: {column: födelseregion, values: {Sverige: sweden, totalt: total}}
  sex: {column: kön, values: {totalt: total}}
values:
  pattern: '^Antal (\\d{4})$'
  to: period
""",
        encoding="utf-8",
    )
    mapping = Mapping.load(m)
    assert mapping.path == str(m)
    assert [f.name for f in mapping.fields()] == [
        "indicator",
        "area",
        "birth_region",
        "sex",
        "period",
    ]
    cube = read_tabular(WIDE, m)
    assert cube.meta["mapping"] == str(m)
    assert_same_cube(cube, read_tabular(WIDE, WIDE_MAPPING))


def test_wide_columns_fixing_indicators(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text(
        "kommun;Folkmängd;Andel utrikes födda (%)\n0180;984 748;25,9\n0114;48 131;31,2\n",
        encoding="utf-8",
    )
    mapping = {
        "area": "kommun",
        "period": {"value": 2023},
        "values": {
            "columns": {
                "Folkmängd": {"indicator": "population"},
                "Andel utrikes födda (%)": {"indicator": "foreign_born_share"},
            }
        },
    }
    cube = read_tabular(p, mapping)
    assert [d.code for d in cube.dimensions] == ["indicator", "area", "period"]
    assert cube.dimension("indicator").codes == ["population", "foreign_born_share"]
    assert cube.value(indicator="foreign_born_share", area="0114", period="2023") == 31.2
    assert cube.value(indicator="population", area="0180", period="2023") == 984748


def test_named_groups_in_pattern(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("område,män 2022,kvinnor 2022,män 2023\nA,1,2,3\n", encoding="utf-8")
    mapping = {
        "area": "område",
        "values": {"pattern": r"^(?P<indicator>\w+) (?P<period>\d{4})$"},
    }
    cube = read_tabular(p, mapping)
    assert cube.dimension("indicator").codes == ["män", "kvinnor"]
    assert cube.value(indicator="män", area="A", period="2023") == 3
    assert cube.value(indicator="kvinnor", area="A", period="2023") is None


@pytest.mark.parametrize(
    "text, decimal, expected",
    [
        ("1 234,5", ",", 1234.5),
        ("1\u00a0234\u202f567,25", ",", 1234567.25),
        ("1.234.567,5", ",", 1234567.5),
        ("\u221212,5", ",", -12.5),
        ("-0,5", ",", -0.5),
        (",5", ",", 0.5),
        ("1234.5", ".", 1234.5),
        ("1 234.5", ".", 1234.5),
        ("2,5e3", ",", 2500.0),
    ],
)
def test_parse_number(text, decimal, expected):
    assert parse_number(text, decimal=decimal) == expected


@pytest.mark.parametrize("text", ["1.5", "12.34,5", "1 23,4", "1,2,3", "abc", "1..2"])
def test_parse_number_rejects_ambiguous_grouping(text):
    with pytest.raises(ValueFormatError):
        parse_number(text, decimal=",")


# ------------------------------------------------------------------------------------------
# block boundaries of the streaming reader (blocks of 1 MiB of bytes)


def _padded_so_that(body: bytes, marker: bytes, at: int, nl: bytes) -> bytes:
    """Prefix a header whose unmapped last column is padded so that the first ``marker`` after
    byte ``at - 3000`` of the result starts exactly at byte ``at``."""
    base = b"omr\xc3\xa5de;\xc3\xa5r;antal;kommentar"
    pos = body.index(marker, at - 3000)
    pad = at - (len(base) + len(nl) + pos)
    assert pad >= 0
    data = base + b"x" * pad + nl + body
    assert data[at : at + len(marker)] == marker
    return data


MIB = 1 << 20
SMALL = {"area": "område", "period": "år", "values": "antal"}


def test_crcrlf_split_across_blocks_makes_no_empty_rows(tmp_path):
    body = b"".join(b"0180R%03d;%d;%d;\r\r\n" % (i % 127, 2000 + i // 127, i) for i in range(70000))
    # the first block of 1 MiB ends between the two \r of a line end
    data = _padded_so_that(body, b"\r\r\n", MIB - 1, b"\r\r\n")
    assert data[MIB - 1 : MIB + 2] == b"\r\r\n"
    p = tmp_path / "crcrlf.csv"
    p.write_bytes(data)
    df = pl.concat(list(iter_tabular_rows(p, SMALL)))
    assert df.height == 70000
    assert df["line"].to_list() == list(range(2, 70002))
    assert df["value"].to_list() == [float(i) for i in range(70000)]


def test_quoted_multiline_field_across_block_boundary(tmp_path):
    rows = []
    for i in range(60000):
        comment = f'"rad {i:05d}\r\nfortsätter; här\r\nslut"' if i % 1000 == 0 else "ok"
        rows.append(f"0180R{i % 127:03d};{2000 + i // 127};{i};{comment}\r\n")
    body = "".join(rows).encode()
    # the first block of 1 MiB ends inside a quoted field, between its two line breaks
    data = _padded_so_that(body, b"\r\nforts", MIB - 1, b"\r\n")
    p = tmp_path / "quoted.csv"
    p.write_bytes(data)
    df = pl.concat(list(iter_tabular_rows(p, SMALL, chunk_rows=7000)))
    assert df.height == 60000
    assert df["value"].to_list() == [float(i) for i in range(60000)]
    # a quoted record spans 3 lines: row i starts on line 2 + i + 2 × (quoted records before it)
    expected = [2 + i + 2 * ((i + 999) // 1000) for i in range(60000)]
    assert df["line"].to_list() == expected
    # an error far behind the boundary still names the right line
    row = f"0180R{40001 % 127:03d};{2000 + 40001 // 127};40001;".encode()
    assert data.count(row) == 1
    p.write_bytes(data.replace(row, row.replace(b"40001;", b"fel;")))
    with pytest.raises(ValueFormatError, match=f"line {2 + 40001 + 2 * 41}, column 'antal'"):
        read_tabular(p, SMALL)


def test_rows_of_empty_fields_are_blank_lines(tmp_path):
    p = tmp_path / "gaps.csv"
    p.write_text("område;år;antal\n0180;2022;1\n;;\n\n0114;2022;2\n  \n", encoding="utf-8")
    cube = read_tabular(p, SMALL)
    assert cube.shape == (2, 1)
    assert cube.values.tolist() == [1.0, 2.0]
    assert cube.meta["rows"] == 2 and cube.meta["footer_lines_dropped"] == 0
