"""The ``remiss parse`` and ``remiss compile`` commands."""

from __future__ import annotations

import json

from click.testing import CliRunner
from openpyxl import load_workbook

from skillnader.remiss.cli import remiss

from .builders import CONSULTATION, farsta_by_question, rinkeby_without_q1


def test_parse_human_readable(real_path):
    result = CliRunner().invoke(remiss, ["parse", str(real_path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "  Förvaltningens synpunkter och förslag (s. 3)\n    Bostäder/Trygghet (s. 4)" in out
    assert "[2] Rapporten ”Skillnadernas Stockholm” Sid. 59" in out
    assert "Fråga 1: Besvarad" in out
    assert "Fråga 2: Besvarad\n    stycke 8 (statement: ”De huvudsakliga utmaningarna”)" in out
    assert "[citerar q3]" in out


def test_parse_json_with_consultation(real_path):
    result = CliRunner().invoke(
        remiss, ["parse", str(real_path), "--json", "--consultation", str(CONSULTATION)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["board"] == "skarholmen"
    assert [f["number"] for f in data["footnotes"]] == ["1", "2", "3"]
    assert [m["status"] for m in data["mapping"]] == [
        "answered",
        "answered",
        "answered",
    ]
    for p in data["passages"]:
        assert data["text"][p["start"] : p["end"]] == p["text"]
    for t in data["tags"]:
        assert data["text"][t["start"] : t["end"]] == t["evidence"]


def test_compile_three_answers(real_path, real_doc, tmp_path):
    farsta = tmp_path / "farsta.txt"
    farsta.write_text(farsta_by_question(real_doc), encoding="utf-8")
    rk = tmp_path / "rinkeby.txt"
    rk.write_text(rinkeby_without_q1(real_doc), encoding="utf-8")
    out = tmp_path / "sammanstallning.xlsx"
    result = CliRunner().invoke(
        remiss,
        [
            "compile",
            "--consultation",
            str(CONSULTATION),
            str(real_path),
            str(farsta),
            str(rk),
            "--out",
            str(out),
            "--received",
            "rinkeby.txt=2015-11-02",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 svar av 22 remissinstanser" in result.output
    rows = {r[0]: r for r in load_workbook(out)["Fullständighet"].iter_rows(values_only=True)}
    assert rows["Rinkeby-Kista stadsdelsnämnd"][1:5] == (
        "Sent inkommet (inget uttryckligt svar)",
        "Sent inkommet (besvarad)",
        "Sent inkommet (besvarad)",
        "2015-11-02",
    )


def test_bad_input_exit_code(tmp_path):
    bad = tmp_path / "svar.pdf"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = CliRunner().invoke(remiss, ["parse", str(bad)])
    assert result.exit_code == 2
    assert "en PNG-bild" in result.output
