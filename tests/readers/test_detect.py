"""Format detection by content, with the extension as fallback."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from skillnader.errors import FormatError
from skillnader.readers.detect import detect_format

FMT = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


@pytest.mark.parametrize("name", sorted(p.name for p in (FMT / "px").glob("*.px")))
def test_real_px_files(name):
    assert detect_format(FMT / "px" / name) == "px"


def test_real_json_files():
    assert detect_format(FMT / "jsonstat2" / "pxwebpy_TAB6471_data.json") == "jsonstat"
    assert detect_format(FMT / "jsonstat2" / "pxwebpy_TAB6471_metadata.json") == "jsonstat"
    v1 = FMT / "pxweb_v1_json"
    assert detect_format(v1 / "scb_v1_BefolkningNy_civilstand_2017_response.json") == "pxweb_v1"
    assert detect_format(v1 / "scb_v1_ME0104T24_personroster_response.json") == "pxweb_v1"


def test_v1_metadata_is_not_data(tmp_path):
    with pytest.raises(FormatError) as exc:
        detect_format(FMT / "pxweb_v1_json" / "scb_v1_ME0104T24_metadata.json")
    assert "metadata" in str(exc.value) and "scb_v1_ME0104T24_metadata.json" in str(exc.value)


def test_px_content_wins_over_extension(tmp_path):
    p = tmp_path / "table.txt"
    p.write_bytes((FMT / "px" / "PR0101B3.px").read_bytes())
    assert detect_format(p) == "px"


def test_geojson_named_json(tmp_path):
    p = tmp_path / "areas.json"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    assert detect_format(p) == "geojson"


def test_csv_swedish_semicolons_with_bom(tmp_path):
    p = tmp_path / "export"
    p.write_bytes("\ufeffOmråde;År;Värde\r\r\nRinkeby;2023;12,5\r\r\nKista;2023;9,1\r\r\n".encode())
    assert detect_format(p) == "csv"


def test_xlsx_and_ods_and_xls(tmp_path):
    x = tmp_path / "book.bin"
    with zipfile.ZipFile(x, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    assert detect_format(x) == "excel"
    o = tmp_path / "book.ods"
    with zipfile.ZipFile(o, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert detect_format(o) == "excel"
    legacy = tmp_path / "old"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert detect_format(legacy) == "excel"


def test_geopackage_and_plain_sqlite(tmp_path):
    g = tmp_path / "areas.gpkg"
    con = sqlite3.connect(g)
    con.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    assert detect_format(g) == "geopackage"
    s = tmp_path / "plain.db"
    con = sqlite3.connect(s)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(FormatError) as exc:
        detect_format(s)
    assert "plain.db" in str(exc.value) and "application_id" in str(exc.value)


def test_zip_that_is_not_a_spreadsheet(tmp_path):
    z = tmp_path / "x.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    z.write_bytes(buf.getvalue())
    with pytest.raises(FormatError) as exc:
        detect_format(z)
    assert "x.zip" in str(exc.value)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("blob.bin", bytes(range(256)) * 4),
        ("notes.md", b"# Heading\n\nSome prose without any delimiters at all\n"),
        ("bad.json", b'{"class": "dataset", '),
        ("list.json", b"[1, 2, 3]"),
        ("other.json", b'{"hello": "world"}'),
    ],
)
def test_unknown_formats_raise(tmp_path, name, content):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(FormatError) as exc:
        detect_format(p)
    assert name in str(exc.value)


def test_extension_fallback_for_one_column_text(tmp_path):
    p = tmp_path / "codes.csv"
    p.write_text("kod\n0180\n0114\n")
    assert detect_format(p) == "csv"
