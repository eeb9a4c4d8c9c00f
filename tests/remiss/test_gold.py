"""Answers of many shapes against hand-made gold: sections, metadata, question mapping, codes
and additional challenges, scored with precision/recall thresholds.

Shapes: numbered questions (constructed Farsta), the board's own subheadings, thematic headings
(real Skärholmen), chapter-numbered headings, no headings, one paragraph, letterhead and metadata
blocks (real Kungsbacka), a PDF with footnotes and running headers, a DOCX with heading styles.
The held-out answers in ``tests/remiss/heldout`` are scored separately (test_heldout.py)."""

from __future__ import annotations

import pytest

from skillnader.remiss.extract import extract_bytes
from skillnader.remiss.pipeline import analyse, parse_file, parse_text
from skillnader.remiss.questions import load_consultation

from .builders import FIXTURES, docx_bytes, farsta_by_question, pdf_bytes
from .gold import Score, load_gold, score

SHAPES = FIXTURES / "shapes"
TXT = [
    FIXTURES / "skarholmen_2015_skillnadernas_stockholm.txt",
    SHAPES / "hagersten_own_subheadings.txt",
    SHAPES / "arbetsmarknad_chapter_numbers.txt",
    SHAPES / "aldre_no_headings.txt",
    SHAPES / "utbildning_one_paragraph.txt",
    FIXTURES / "kungsbacka" / "01_kungsbacka-ifo_2025.txt",
    FIXTURES / "kungsbacka" / "04_kungsbacka-ifo_2024.txt",
]


def _consultation(gold: dict, default):
    if gold.get("consultation"):
        return load_consultation(FIXTURES / gold["consultation"])
    return default


@pytest.fixture(scope="module")
def scored(consultation, codebook):
    total = Score()
    per_file = {}
    for path in TXT:
        gold = load_gold(path)
        c = _consultation(gold, consultation)
        a = parse_file(path, consultation=c, codebook=codebook)
        s = score(a, gold, c, path.name)
        per_file[path.name] = s
        total.add(s)
    skarholmen = parse_file(TXT[0], consultation=consultation, codebook=codebook)
    gold = load_gold(TXT[0])
    # The same real answer printed to PDF (running header "Skärholmens stadsdelsförvaltning /
    # Tjänsteutlåtande", page numbers, CSS footnotes at the foot of the pages).
    raw = extract_bytes(pdf_bytes(skarholmen.document), format="pdf", path="skarholmen.pdf")
    a = analyse(raw, consultation=consultation, codebook=codebook)
    per_file["skarholmen.pdf"] = s = score(a, gold, consultation, "skarholmen.pdf")
    total.add(s)
    # A DOCX with Heading 1/2 styles, from the own-subheadings answer.
    hag = parse_file(TXT[1], consultation=consultation, codebook=codebook)
    raw = extract_bytes(docx_bytes(hag.document), format="docx", path="hagersten.docx")
    a = analyse(raw, consultation=consultation, codebook=codebook, board="hagersten_liljeholmen")
    docx_gold = {**load_gold(TXT[1]), "metadata": {}}  # the letterhead is not in the DOCX
    per_file["hagersten.docx"] = s = score(a, docx_gold, consultation, "hagersten.docx")
    total.add(s)
    return total, per_file, skarholmen, a


def test_numbered_questions_answer(real_doc, consultation, codebook):
    a = parse_text(farsta_by_question(real_doc), name="farsta.txt", consultation=consultation)
    assert [m.status for m in a.mappings] == ["answered"] * 3
    assert all(x.confidence == 1.0 for m in a.mappings for x in m.answers)


def test_gold_thresholds(scored):
    total, per_file, _s, _a = scored
    print("\n" + total.table())
    for name, s in per_file.items():
        print(name, s.table().replace("\n", " | "))
    assert total.errors == []
    assert total.sections.precision >= 0.9 and total.sections.recall >= 0.9
    assert total.mapping.precision >= 0.8 and total.mapping.recall >= 0.8
    assert total.codes.precision >= 0.75 and total.codes.recall >= 0.75
    assert total.challenges.precision >= 0.8 and total.challenges.recall >= 0.8


def test_pdf_footnotes_are_not_passages(scored):
    _total, _per, skarholmen, _a = scored
    raw = extract_bytes(pdf_bytes(skarholmen.document), format="pdf", path="s.pdf")
    a = analyse(raw)
    notes = [f.text for f in a.document.footnotes if f.text]
    assert len(notes) == 3
    for p in a.passages:
        assert not any(n in p.text for n in notes)
        assert not p.text.startswith("Skärholmens stadsdelsförvaltning")  # running header


def test_docx_quotes_carry_sections_and_headings(scored):
    _total, _per, _s, a = scored
    assert [s.title for s in a.document.sections if s.level == 2] == [
        "Förvaltningens bidrag till en sammanhållen stad",
        "Utmaningar i våra verksamheter",
        "Det rapporten inte belyser",
    ]


def test_the_dnr_in_a_pdf_running_header_is_kept_as_metadata():
    import weasyprint

    css = (
        "@page{size:A4;margin:2.5cm;@top-left{content:'Farsta stadsdelsförvaltning';"
        "font-size:8pt}@top-right{content:'Dnr 1.5.1-512/2015';font-size:8pt}"
        "@bottom-right{content:'Sida ' counter(page);font-size:8pt}} body{font-size:11pt}"
    )
    body = "".join(
        f"<p>Stycke {i}: nämnden ser trångboddheten i {['Farsta', 'Hökarängen', 'Sköndal'][i % 3]}"
        f" som en utmaning, särskilt för barnfamiljer med {i} barn.</p>"
        for i in range(90)
    )
    html = f"<html><head><style>{css}</style></head><body><h1>Förvaltningens synpunkter</h1>{body}"
    raw = extract_bytes(weasyprint.HTML(string=html).write_pdf(), format="pdf", path="f.pdf")
    a = analyse(raw)
    assert raw.page_count >= 3
    assert a.document.header.dnr == "1.5.1-512/2015"
    assert a.document.header.administration == "Farsta stadsdelsförvaltning"
    assert "Dnr 1.5.1-512/2015" not in a.document.text and "Sida 2" not in a.document.text


def test_letterhead_lines_are_neither_sections_nor_passages(consultation, codebook):
    a = parse_file(TXT[1], consultation=consultation, codebook=codebook)
    assert a.passage(1).text == "Stadsdelsnämnden godkänner tjänsteutlåtandet som svar på remissen."
    kinds = {m.text: m.kind for m in a.document.meta}
    assert kinds["Hägersten-Liljeholmens stadsdelsförvaltning"] == "org"
    assert kinds["Avdelningen för individ- och familjeomsorg"] == "org"
    assert kinds["Kristina Ek"] == "name" and kinds["Stadsdelsdirektör"] == "job_title"
