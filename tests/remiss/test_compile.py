"""Compilation of three answers: the real one and two constructed from its text."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from skillnader.errors import InputError
from skillnader.remiss.compile import compile_answers, export
from skillnader.remiss.pipeline import parse_file, parse_text

from .builders import farsta_by_question, rinkeby_without_q1


@pytest.fixture(scope="module")
def answers(real_path, real_doc, consultation, codebook):
    real = parse_file(real_path, consultation=consultation, codebook=codebook)
    farsta = parse_text(
        farsta_by_question(real_doc),
        name="farsta.txt",
        consultation=consultation,
        codebook=codebook,
    )
    rinkeby = parse_text(
        rinkeby_without_q1(real_doc),
        name="rinkeby.txt",
        consultation=consultation,
        codebook=codebook,
    )
    return {"skarholmen": real, "farsta": farsta, "rinkeby_kista": rinkeby}


@pytest.fixture(scope="module")
def compilation(answers, consultation, codebook):
    return compile_answers(consultation, list(answers.values()), codebook=codebook)


def test_boards_are_identified(answers):
    assert {k: a.board for k, a in answers.items()} == {
        "skarholmen": "skarholmen",  # no header in the extract: the most named recipient
        "farsta": "farsta",  # from the header
        "rinkeby_kista": "rinkeby_kista",
    }
    assert answers["farsta"].date == dt.date(2015, 10, 21)


def test_completeness_matrix(compilation):
    def row(board):
        return [compilation.matrix[board][q].status for q in ("q1", "q2", "q3")]

    # Question 1 is answered only through own-work statements in the board's sections.
    assert row("skarholmen") == ["answered", "answered", "answered"]
    assert row("farsta") == ["answered", "answered", "answered"]
    assert row("rinkeby_kista") == ["no_explicit_answer", "answered", "answered"]
    assert row("bromma") == ["missing"] * 3
    assert len(compilation.matrix) == 22
    missing = [b for b, r in compilation.matrix.items() if r["q1"].status == "missing"]
    assert len(missing) == 19
    assert compilation.matrix["skarholmen"]["q2"].paragraphs == [8]
    assert compilation.warnings == []


def test_boards_per_challenge(compilation):
    # Recipients in the order of the configuration.
    assert compilation.boards_raising("unaccompanied_minors") == ["farsta", "skarholmen"]
    assert compilation.boards_raising("violence_close_relationships") == [
        "rinkeby_kista",
        "skarholmen",
    ]
    assert compilation.boards_raising("perceived_insecurity") == [
        "rinkeby_kista",
        "farsta",
        "skarholmen",
    ]
    assert compilation.boards_raising("school_eligibility") == ["farsta", "skarholmen"]
    assert compilation.boards_raising("reports_of_concern") == []
    democracy = next(d for d in compilation.by_domain if d["domain"] == "democracy")
    assert [b["board"] for b in democracy["boards"]] == ["rinkeby_kista", "farsta", "skarholmen"]


def test_quotes_are_verbatim_with_references(compilation, answers):
    docs = {a.board: a.document.text for a in answers.values()}
    quotes = []
    for q in compilation.by_question:
        for e in q["boards"]:
            quotes += e["quotes"] + [c["quote"] for c in e["candidates"]]
    for ch in compilation.by_challenge:
        for b in ch["boards"]:
            quotes += b["quotes"]
    quotes += [a["quote"] for a in compilation.additional]
    assert len(quotes) > 50
    for quote in quotes:
        assert docs[quote.board][quote.start : quote.end] == quote.text
        assert 0 < len(quote.text) <= 240
    q3 = compilation.by_question[2]
    sk = next(e for e in q3["boards"] if e["board"] == "skarholmen")
    # The summary's statement, and the later "Ytterligare en utmaning …" passage.
    quote, later = sk["quotes"]
    assert later.text.startswith("Ytterligare en utmaning") and later.paragraph == 40
    assert quote.text.startswith("Andra utmaningar som nämnden har identifierat")
    assert quote.reference == "Skärholmens stadsdelsnämnd, s. 2, stycke 9"


def test_additional_challenges(compilation):
    beyond = [
        (a["board"], a["quote"].paragraph)
        for a in compilation.additional
        if a["reason"] == "beyond_report"
    ]
    assert ("skarholmen", 9) in beyond and ("skarholmen", 40) in beyond
    # Constructed answers: what they put under question 3 (the header lines are metadata).
    assert ("farsta", 7) in beyond and ("farsta", 8) in beyond
    assert ("rinkeby_kista", 3) in beyond and ("rinkeby_kista", 4) in beyond
    assert len(beyond) == 6
    sk11 = next(
        a for a in compilation.additional if a["candidate"] == "p9" and a["board"] == "skarholmen"
    )
    assert sk11["codes"] == [
        "unaccompanied_minors",
        "perceived_insecurity",
        "violence_close_relationships",
    ]


def test_late_answers_keep_what_they_say(answers, consultation, codebook, real_doc):
    late = parse_text(
        rinkeby_without_q1(real_doc),
        name="rk.txt",
        consultation=consultation,
        codebook=codebook,
        date=dt.date(2015, 11, 5),
    )
    comp = compile_answers(consultation, [answers["skarholmen"], late], codebook=codebook)
    cells = comp.matrix["rinkeby_kista"]
    assert [c.status for c in cells.values()] == ["late"] * 3
    assert [c.answer_status for c in cells.values()] == [
        "no_explicit_answer",
        "answered",
        "answered",
    ]
    assert next(b for b in comp.boards if b["board"] == "rinkeby_kista")["late"] is True


def test_answer_without_board_is_refused_and_not_counted(consultation, codebook):
    anon = parse_text(
        "Sammanfattning\n\nVi ser stora utmaningar.\n", consultation=consultation, codebook=codebook
    )
    assert anon.board is None
    c = compile_answers(consultation, [anon], codebook=codebook)
    assert [r["reasons"][0] for r in c.refused] == ["no_recipient"]
    assert all(b["answered"] is False for b in c.boards)
    assert any("ingen remissinstans" in w for w in c.warnings)


def test_exports(compilation, tmp_path):
    import docx
    from openpyxl import load_workbook

    data = json.loads(export(compilation, tmp_path / "s.json").read_text(encoding="utf-8"))
    assert data["matrix"]["farsta"]["q1"]["status"] == "answered"
    assert data["consultation"]["deadline"] == "2015-10-30"
    ch = next(c for c in data["by_challenge"] if c["code"] == "unaccompanied_minors")
    assert [b["board"] for b in ch["boards"]] == ["farsta", "skarholmen"]

    wb = load_workbook(export(compilation, tmp_path / "s.xlsx"))
    assert wb.sheetnames == [
        "Fullständighet",
        "Nämnd × område",
        "Per fråga",
        "Per område",
        "Per utmaning",
        "Ytterligare utmaningar",
        "Varningar",
    ]
    rows = {r[0]: r for r in wb["Fullständighet"].iter_rows(values_only=True)}
    assert rows["Nämnd"] == (
        "Nämnd",
        "Fråga 1",
        "Fråga 2",
        "Fråga 3",
        "Datum",
        "Dnr",
        "Ert dnr",
    )
    assert rows["Skärholmens stadsdelsnämnd"][1:4] == (
        "Besvarad",
        "Besvarad",
        "Besvarad",
    )
    assert rows["Farsta stadsdelsnämnd"][4] == "2015-10-21"
    assert rows["Bromma stadsdelsnämnd"][1] == "Svar saknas"

    d = docx.Document(str(export(compilation, tmp_path / "s.docx")))
    table = d.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "Nämnd",
        "Fråga 1",
        "Fråga 2",
        "Fråga 3",
        "Datum",
        "Dnr",
        "Ert dnr",
    ]
    texts = [p.text for p in d.paragraphs]
    assert "Per utmaning" in texts
    assert any(t.startswith("Ensamkommande flyktingbarn och ungdomar (") for t in texts)

    html = export(compilation, tmp_path / "s.html").read_text(encoding="utf-8")
    assert "Remissammanställning" in html and "Skärholmens stadsdelsnämnd" in html
    with pytest.raises(InputError, match="utdataformat"):
        export(compilation, tmp_path / "s.odt")


def test_pdf_export(compilation, tmp_path):
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    path = export(compilation, tmp_path / "s.pdf")
    reader = PdfReader(str(path))
    first = reader.pages[0].extract_text()
    assert "Remissammanställning" in first and "Skärholmens" in first
    n = len(reader.pages)
    assert f"Sida 1 av {n}" in first and f"Sida {n} av {n}" in reader.pages[-1].extract_text()
    every = "\n".join(p.extract_text() for p in reader.pages)
    assert "Per område" in every and "Utmaningar per nämnd och område" in every


def test_synthesis_tables_and_references(compilation):
    c = compilation
    q2 = c.by_question[1]
    assert q2["synthesis"].startswith("3 av 3 nämnder som svarat besvarar frågan (")
    assert "Samstämmighet:" in q2["synthesis"]
    housing = next(d for d in c.by_domain if d["domain"] == "housing")
    assert housing["synthesis"].startswith(f"{len(housing['boards'])} av 3 nämnder tar upp")
    # Board × domain: counts of challenge codes, for the boards that answered.
    assert set(c.domain_matrix) == {"skarholmen", "farsta", "rinkeby_kista"}
    assert c.domain_matrix["skarholmen"]["housing"] == len(
        next(e for e in housing["boards"] if e["board"] == "skarholmen")["codes"]
    )
    assert c.summary[0] == "3 av 22 remissinstanser har svarat."
    farsta = next(b for b in c.boards if b["board"] == "farsta")
    assert farsta["dnr"] and farsta["date"] == "2015-10-21"
    # A quote cut inside its sentence says so with an ellipsis; the text stays verbatim.
    quotes = [q for ch in c.by_challenge for b in ch["boards"] for q in b["quotes"]]
    cut = [q for q in quotes if q.cut_start or q.cut_end]
    assert cut and all(("…" in q.display) and q.text in q.display for q in cut)
    # Own work is not a challenge: the preschool passage is listed as own work only.
    assert "skarholmen" not in c.boards_raising("parental_support")
    education = next(d for d in c.by_domain if d["domain"] == "education")
    assert any(
        e["board"] == "skarholmen" and "parental_support" in e["codes"]
        for e in education["own_work"]
    )


def test_xlsx_cells_are_never_formulas(consultation, codebook, tmp_path):
    from openpyxl import load_workbook

    text = (
        'Svar på fråga 2\n\n=HYPERLINK("http://evil.example","Trångboddheten är en utmaning")\n\n'
        "Svar på fråga 3\n\n@SUM(1+1) Skuldsättningen är en utmaning utöver rapporten.\n"
    )
    a = parse_text(
        text, name="farsta.txt", consultation=consultation, codebook=codebook, board="farsta"
    )
    comp = compile_answers(consultation, [a], codebook=codebook)
    wb = load_workbook(export(comp, tmp_path / "s.xlsx"))
    values = [
        cell.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert any("HYPERLINK" in v for v in values) and any("@SUM" in v for v in values)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
