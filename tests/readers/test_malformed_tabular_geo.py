"""Malformed tables, mappings and boundary files: exact error classes and messages that name the
file and the place to fix."""

from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path

import openpyxl
import pytest
import shapely

from skillnader.errors import (
    DuplicateKeyError,
    EncodingError,
    FormatError,
    MappingError,
    ShapeError,
    ValueFormatError,
)
from skillnader.readers.geo import CRSError, GeometryError, read_areas
from skillnader.readers.mapping import Mapping
from skillnader.readers.tabular import EmptyFileError, NoDataError, iter_tabular_rows, read_tabular

M = {"area": "område", "period": "år", "values": "antal"}
NUMBER = (
    "a number with decimal mark ',', a missing-value symbol ('..', '-', '.', ''), "
    "or a marker of a withheld value ('~100', '~0')"
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


# ------------------------------------------------------------------------------------------
# CSV


CSV_CASES = [
    (
        "non_numeric.csv",
        "område;år;antal\n0180;2022;12\n0180;2023;tolv\n",
        M,
        ValueFormatError,
        "line 3, column 'antal': not a number (found 'tolv'; expected " + NUMBER + ")",
    ),
    (
        "decimal_point_in_comma_file.csv",
        "område;år;antal\n0180;2022;1,5\n0114;2022;1.5\n",
        M,
        ValueFormatError,
        "line 3, column 'antal': not a number (found '1.5'; expected " + NUMBER + ")",
    ),
    (
        "unknown_column.csv",
        "område;år;antal\n0180;2022;12\n",
        {"area": "kommun", "period": "år", "values": "antal"},
        MappingError,
        "header (line 1): column 'kommun' named in mapping (given in code) key 'area.column' is "
        "not in the header (found 'kommun'; expected one of the columns 'område', 'år', 'antal')",
    ),
    (
        "duplicate.csv",
        "område;år;antal\n0180;2022;12\n0114;2022;3\n0180;2022;13\n",
        M,
        DuplicateKeyError,
        "line 4: two rows fill the same cell (lines 2 and 4) (found 'area=0180, period=2022'; "
        "expected one row per area × period)",
    ),
    ("empty.csv", "", M, EmptyFileError, "the file is empty (expected a header and data)"),
    (
        "blank_lines_only.csv",
        "\r\n\r\n  \r\n",
        M,
        EmptyFileError,
        "the file is empty (expected a header and data)",
    ),
    (
        "header_only.csv",
        "område;år;antal\n",
        M,
        NoDataError,
        "line 1: no data rows after the header (expected at least one row of data)",
    ),
    (
        "footer_only.csv",
        "område;år;antal\nKälla: SCB\n",
        M,
        NoDataError,
        "line 1: no data rows after the header (1 footer line dropped) "
        "(expected at least one row of data)",
    ),
    (
        "fields_mid_file.csv",
        "område;år;antal\n0180;2022;12\n0180;2023\n0114;2022;5\n",
        M,
        ShapeError,
        "line 3: line has 2 fields, the header (line 1) has 3 (found '0180;2023'; "
        "expected 3 fields separated by ';'; quote fields that contain it)",
    ),
    (
        "unquoted_delimiter.csv",
        "område;år;antal\n0180;2022;12\nSödermalm; Stockholm;2023;1\n0114;2022;5\n",
        M,
        ShapeError,
        "line 3: line has 4 fields, the header (line 1) has 3",
    ),
    (
        "group_value.csv",
        "område;kön;år;antal\n0180;män;2022;1\n0180;Kvinnor ;2022;2\n",
        {**M, "groups": {"sex": {"column": "kön", "values": {"män": "male", "kvinnor": "female"}}}},
        MappingError,
        "line 3, column 'kön': value not listed under sex.values in mapping "
        "(found 'Kvinnor'; expected one of 'män', 'kvinnor')",
    ),
    (
        "empty_area.csv",
        "område;år;antal\n0180;2022;12\n;2023;1\n",
        M,
        ValueFormatError,
        "line 3, column 'område': empty area (found ''; expected a code for area in column "
        "'område')",
    ),
    (
        "pattern_matches_nothing.csv",
        "område;2022;2023\n0180;1;2\n",
        {"area": "område", "values": {"pattern": r"^Antal (\d{4})$"}},
        MappingError,
        "header (line 1): no header matches values.pattern of mapping (given in code) "
        "(found '^Antal (\\\\d{4})$'; expected a pattern matching some of the columns "
        "'område', '2022', '2023')",
    ),
    (
        "not_swedish_bytes.csv",
        b"omr\xe5de;\xe5r;antal\n0180;2022;1\n\x81\x8d\x8f\x90;2023;2\n",
        M,
        EncodingError,
        "line 3 (byte 28): the bytes are neither UTF-8 nor Swedish text in cp1252",
    ),
    (
        "binary.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        M,
        EncodingError,
        "byte 8: the file contains NUL bytes: binary data or UTF-16 without a byte-order mark",
    ),
    (
        "explicit_utf8_but_cp1252.csv",
        "område;år;antal\n0180;2022;12\nSödermalm;2023;1\n".encode("cp1252"),
        {**M, "format": {"encoding": "utf-8"}},
        EncodingError,
        "line 1 (byte 3): bytes that are not valid utf-8",
    ),
]


@pytest.mark.parametrize(
    "name, content, mapping, error, message", CSV_CASES, ids=[c[0] for c in CSV_CASES]
)
def test_malformed_csv(tmp_path, name, content, mapping, error, message):
    p = write(tmp_path, name, content)
    with pytest.raises(error) as exc:
        read_tabular(p, mapping)
    assert type(exc.value) is error
    assert str(exc.value).startswith(f"{p}: {message}")
    assert exc.value.path == str(p)


def test_error_in_second_chunk_names_the_right_line(tmp_path):
    rows = "".join(f"A{i};2022;{i}\n" for i in range(2, 250))
    p = write(tmp_path, "late.csv", "område;år;antal\n" + rows + "B;2022;x\n")
    with pytest.raises(ValueFormatError, match=r"late\.csv: line 250, column 'antal'"):
        list(iter_tabular_rows(p, M, chunk_rows=100))


def test_cp1252_line_number_counts_crcrlf_once(tmp_path):
    body = "".join(f"Område {i};2022;{i}\r\r\n" for i in range(1, 10))
    data = ("område;år;antal\r\r\n" + body).encode("cp1252") + b"\x81;2022;1\r\r\n"
    p = write(tmp_path, "crcrlf.csv", data)
    with pytest.raises(EncodingError) as exc:
        read_tabular(p, M)
    assert exc.value.location.startswith("line 11 ")


# ------------------------------------------------------------------------------------------
# Excel


def _xlsx(tmp_path: Path, rows: list[list[object]], title: str = "Blad1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    p = tmp_path / "t.xlsx"
    wb.save(p)
    return p


def test_excel_non_numeric_names_sheet_and_cell(tmp_path):
    p = _xlsx(tmp_path, [["område", "år", "antal"], ["0180", 2022, 5], ["0114", 2022, "fem"]])
    with pytest.raises(ValueFormatError) as exc:
        read_tabular(p, M)
    assert str(exc.value) == f"{p}: Blad1!C3: not a number (found 'fem'; expected {NUMBER})"


def test_excel_wrong_group_value_names_cell(tmp_path):
    p = _xlsx(
        tmp_path,
        [
            ["titel"],
            ["område", "kön", "år", "antal"],
            ["0180", "män", 2022, 1],
            ["0180", "x", 2022, 2],
        ],
    )
    mapping = {
        **M,
        "groups": {"sex": {"column": "kön", "values": {"män": "male"}}},
        "format": {"skip_rows": 1},
    }
    with pytest.raises(MappingError, match=r"t\.xlsx: Blad1!B4: value not listed"):
        read_tabular(p, mapping)


def test_excel_missing_sheet(tmp_path):
    p = _xlsx(tmp_path, [["område", "år", "antal"], ["0180", 2022, 5]])
    with pytest.raises(MappingError) as exc:
        read_tabular(p, {**M, "format": {"sheet": "Data"}})
    assert str(exc.value) == (
        f"{p}: sheet named in mapping (given in code) key 'format.sheet' is not in the workbook "
        "(found 'Data'; expected one of the sheets 'Blad1')"
    )


def test_excel_that_is_not_a_workbook(tmp_path):
    p = write(tmp_path, "fake.xlsx", b"area;year\n")
    with pytest.raises(FormatError) as exc:
        read_tabular(p, M)
    assert type(exc.value) is FormatError
    assert str(exc.value) == (
        f"{p}: not a readable .xlsx workbook (BadZipFile) (expected an Excel 2007+ workbook)"
    )


def test_excel_header_without_data(tmp_path):
    p = _xlsx(tmp_path, [["område", "år", "antal"], ["Källa: SCB"]])
    with pytest.raises(NoDataError, match=r"Blad1!A1: no data rows below the header"):
        read_tabular(p, M)


# ------------------------------------------------------------------------------------------
# mapping files

YAML_CASES = [
    ("no_area.yaml", "values: antal\nperiod: år\n", "key 'area': missing required key"),
    (
        "unknown_key.yaml",
        "area: a\nvalues: v\nperiod: p\nformt: {}\n",
        "key 'formt': unknown key (found 'formt'; expected aggregate, area, filter, format, groups, "
        "indicator, period, status, values)",
    ),
    (
        "bad_regex.yaml",
        "area: a\nvalues: {pattern: '(\\d'}\n",
        "key 'values.pattern': not a valid regular expression",
    ),
    (
        "column_and_value.yaml",
        "area: {column: a, value: b}\nvalues: v\nperiod: p\n",
        "key 'area': give exactly one of 'column' and 'value'",
    ),
    ("not_yaml.yaml", "area: [a\n", "line 2, column 1: not valid YAML"),
    (
        "bad_decimal.yaml",
        "area: a\nvalues: v\nperiod: p\nformat: {decimal: ';'}\n",
        "key 'format.decimal': unsupported decimal mark (found ';'; expected \",\" or \".\")",
    ),
    ("no_period.yaml", "area: a\nvalues: v\n", "key 'period': no period"),
    (
        "period_twice.yaml",
        "area: a\nperiod: year\nvalues: {pattern: '^Antal (\\d{4})$'}\n",
        "key 'period': period is given both here and by the value columns",
    ),
    (
        "reserved_group.yaml",
        "area: a\nperiod: p\nvalues: v\ngroups: {area: {column: x}}\n",
        "key 'groups.area': group name is reserved",
    ),
    (
        "unknown_encoding.yaml",
        "area: a\nperiod: p\nvalues: v\nformat: {encoding: klingon}\n",
        "key 'format.encoding': unknown encoding",
    ),
]


@pytest.mark.parametrize("name, text, message", YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_malformed_mapping(tmp_path, name, text, message):
    p = write(tmp_path, name, text)
    with pytest.raises(MappingError) as exc:
        Mapping.load(p)
    assert str(exc.value).startswith(f"{p}: {message}")


# ------------------------------------------------------------------------------------------
# geo


def _fc(features: list[dict], crs: str | None = None) -> dict:
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return doc


def _feature(code: str, ring: list[list[float]] | None, kind: str = "Polygon") -> dict:
    geom = None if ring is None else {"type": kind, "coordinates": [ring]}
    return {
        "type": "Feature",
        "properties": {"kod": code, "namn": f"Område {code}"},
        "geometry": geom,
    }


SQUARE_3006 = [
    [674000, 6580000],
    [675000, 6580000],
    [675000, 6581000],
    [674000, 6581000],
    [674000, 6580000],
]
SQUARE_LONLAT = [[18.0, 59.3], [18.01, 59.3], [18.01, 59.31], [18.0, 59.31], [18.0, 59.3]]


def _geo(tmp_path: Path, doc: object, name: str = "areas.geojson") -> Path:
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return p


def test_projected_coordinates_without_crs_member(tmp_path):
    p = _geo(tmp_path, _fc([_feature("A", SQUARE_3006)]))
    with pytest.raises(CRSError) as exc:
        read_areas(p, code_field="kod", name_field="namn")
    assert str(exc.value) == (
        f"{p}: coordinates are projected but the CRS is assumed (no crs member, RFC 7946) as "
        "WGS84 lon/lat. They look like SWEREF 99 TM (EPSG:3006) metres. (found 'x 674000…675000, "
        "y 6580000…6581000'; expected lon within ±180 and lat within ±90, or pass crs= "
        "(e.g. crs=3006) to name the projection)"
    )


def test_projected_coordinates_declared_wgs84(tmp_path):
    p = _geo(tmp_path, _fc([_feature("A", SQUARE_3006)], "urn:ogc:def:crs:OGC:1.3:CRS84"))
    with pytest.raises(CRSError, match="the CRS is declared as WGS84 lon/lat"):
        read_areas(p, code_field="kod", name_field="namn")


def test_lonlat_coordinates_declared_sweref(tmp_path):
    p = _geo(tmp_path, _fc([_feature("A", SQUARE_LONLAT)], "urn:ogc:def:crs:EPSG::3006"))
    with pytest.raises(CRSError) as exc:
        read_areas(p, code_field="kod", name_field="namn")
    msg = str(exc.value)
    assert msg.startswith(f"{p}: coordinates cannot be in SWEREF99 TM (EPSG:3006)")
    assert "pass crs=4326" in msg


def test_unknown_crs_name(tmp_path):
    p = _geo(tmp_path, _fc([_feature("A", SQUARE_LONLAT)], "EPSG:999999"))
    with pytest.raises(CRSError, match=r"crs\.properties\.name: unknown coordinate reference"):
        read_areas(p, code_field="kod", name_field="namn")


def test_missing_code_field_lists_attributes(tmp_path):
    p = _geo(tmp_path, _fc([_feature("A", SQUARE_LONLAT)]))
    with pytest.raises(MappingError) as exc:
        read_areas(p, code_field="regsokod", name_field="namn")
    assert str(exc.value) == (
        f"{p}: code_field is not an attribute of the features (found 'regsokod'; expected one "
        "of 'kod', 'namn')"
    )


def test_null_geometry(tmp_path):
    p = _geo(tmp_path, _fc([_feature("A", SQUARE_LONLAT), _feature("B", None)]))
    with pytest.raises(GeometryError) as exc:
        read_areas(p, code_field="kod", name_field="namn")
    assert str(exc.value) == (
        f"{p}: feature 2: feature has no geometry (found 'B'; expected a Polygon or MultiPolygon)"
    )


def test_point_is_not_an_area(tmp_path):
    point = {
        "type": "Feature",
        "properties": {"kod": "P", "namn": "Punkt"},
        "geometry": {"type": "Point", "coordinates": [18.0, 59.3]},
    }
    p = _geo(tmp_path, _fc([point]))
    with pytest.raises(GeometryError, match=r"feature 1: geometry is not an area \(found 'Point'"):
        read_areas(p, code_field="kod", name_field="namn")


def test_duplicate_area_code(tmp_path):
    p = _geo(tmp_path, _fc([_feature("A", SQUARE_LONLAT), _feature("A", SQUARE_LONLAT)]))
    with pytest.raises(
        DuplicateKeyError,
        match=r"feature 2: area code appears twice \(features "
        r"1 and 2\) \(found 'A'",
    ):
        read_areas(p, code_field="kod", name_field="namn")


def test_invalid_json(tmp_path):
    p = _geo(tmp_path, '{"type": "FeatureCollection",\n "features": [}')
    with pytest.raises(FormatError) as exc:
        read_areas(p, code_field="kod", name_field="namn")
    assert str(exc.value) == f"{p}: line 2, column 15: not valid JSON: Expecting value"


def test_geopackage_with_corrupt_geometry(tmp_path):
    p = tmp_path / "bad.gpkg"
    con = sqlite3.connect(p)
    con.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY,
          organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT,
          geometry_type_name TEXT, srs_id INTEGER, z TINYINT, m TINYINT);
        INSERT INTO gpkg_spatial_ref_sys VALUES ('SWEREF99 TM', 3006, 'EPSG', 3006, '', '');
        INSERT INTO gpkg_contents VALUES ('omr', 'features', 3006);
        INSERT INTO gpkg_geometry_columns VALUES ('omr', 'geom', 'POLYGON', 3006, 0, 0);
        CREATE TABLE omr (fid INTEGER PRIMARY KEY, geom BLOB, kod TEXT, namn TEXT);
        """
    )
    good = (
        b"GP\x00\x01"
        + struct.pack("<i", 3006)
        + shapely.to_wkb(shapely.box(674000, 6580000, 675000, 6581000))
    )
    con.execute("INSERT INTO omr VALUES (1, ?, 'A', 'a')", (good,))
    con.execute("INSERT INTO omr VALUES (2, ?, 'B', 'b')", (b"XX\x00\x01garbage",))
    con.commit()
    con.close()
    with pytest.raises(GeometryError) as exc:
        read_areas(p, code_field="kod", name_field="namn")
    assert str(exc.value).startswith(
        f"{p}: omr fid 2, column 'geom': unreadable geometry: no GeoPackageBinary magic 'GP'"
    )


def test_sqlite_file_that_is_not_a_geopackage(tmp_path):
    p = tmp_path / "plain.sqlite"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(FormatError) as exc:
        read_areas(p, code_field="kod", name_field="namn")
    assert str(exc.value) == (
        f"{p}: SQLite file is not a GeoPackage: tables missing (found 'gpkg_contents, "
        "gpkg_geometry_columns, gpkg_spatial_ref_sys'; expected gpkg_contents, "
        "gpkg_geometry_columns and gpkg_spatial_ref_sys)"
    )
