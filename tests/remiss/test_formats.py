"""The real answer as DOCX (with real Word footnotes), PDF (printed by WeasyPrint, with running
header, page numbers and foot-of-page footnotes) and ODT gives the same result as the TXT."""

from __future__ import annotations

import io
import zipfile

import pytest

from skillnader.remiss.extract import extract_bytes, sniff
from skillnader.remiss.pipeline import analyse
from skillnader.remiss.structure import structure


def _summary(answer):
    return {
        "sections": [(s.title, s.key, s.level) for s in answer.document.sections],
        "footnotes": [(f.number, f.text, f.sentence) for f in answer.document.footnotes],
        "mapping": [
            (m.question, m.status, [a.passage for a in m.answers]) for m in answer.mappings
        ],
        "quotes": [(p.number, p.quoted_question) for p in answer.passages if p.role != "text"],
        "tags": [(t.code, t.passage, t.evidence) for t in answer.tags],
    }


@pytest.fixture(scope="module")
def from_txt(real_path, consultation, codebook):
    from skillnader.remiss.extract import extract

    return analyse(extract(real_path), consultation=consultation, codebook=codebook)


def test_docx_with_footnotes_gives_the_same_answer(real_docx, from_txt, consultation, codebook):
    assert sniff(real_docx) == "docx"
    with zipfile.ZipFile(io.BytesIO(real_docx)) as zf:
        assert b"footnoteReference" in zf.read("word/document.xml")
    raw = extract_bytes(real_docx, format="docx", path="skarholmen.docx")
    assert [f.number for f in raw.footnotes] == ["1", "2", "3"]
    a = analyse(raw, consultation=consultation, codebook=codebook)
    assert a.document.text == from_txt.document.text
    assert _summary(a) == _summary(from_txt)
    assert a.document.page_count is None and a.passages[0].page is None


def test_pdf_gives_the_same_answer(real_pdf, from_txt, consultation, codebook):
    raw = extract_bytes(real_pdf, format="pdf", path="skarholmen.pdf")
    a = analyse(raw, consultation=consultation, codebook=codebook)
    # Running header, page numbers and the footnote area are gone, lines and pages rejoined.
    assert a.document.text == from_txt.document.text
    from pypdf import PdfReader

    plain = PdfReader(io.BytesIO(real_pdf)).pages[0].extract_text()
    assert "Sida 1 (" in plain and "Skärholmens stadsdelsförvaltning" in plain
    assert "Sida 1 (" not in a.document.text
    assert "Skärholmens stadsdelsförvaltning" not in a.document.text
    assert _summary(a) == _summary(from_txt)
    assert a.document.page_count == raw.page_count >= 5
    pages = [p.page for p in a.passages]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == raw.page_count
    # Footnotes are read from the foot of the page where their marker stands.
    for f in a.document.footnotes:
        assert (
            f.page == a.document.blocks[f.block].page
            or f.page == a.document.blocks[f.block].page + 1
        )


def test_pdf_encrypted_with_empty_user_password_is_read(real_pdf, from_txt):
    from pypdf import PdfWriter

    w = PdfWriter(clone_from=io.BytesIO(real_pdf))
    w.encrypt(user_password="", owner_password="ägare")
    buf = io.BytesIO()
    w.write(buf)
    doc = structure(extract_bytes(buf.getvalue(), format="pdf"))
    assert doc.text == from_txt.document.text


def test_odt_with_notes(real_doc):
    from odf.opendocument import OpenDocumentText
    from odf.text import H, Note, NoteBody, NoteCitation, P, Span

    odt = OpenDocumentText()
    wanted = [b for b in real_doc.blocks if b.section_key in ("synpunkter",) or b.kind == "heading"]
    notes = {f.block: f for f in real_doc.footnotes}
    for b in wanted:
        if b.kind == "heading":
            odt.text.addElement(H(outlinelevel=b.level, text=b.text))
            continue
        p = P()
        f = notes.get(b.index)
        if f is None:
            p.addText(b.text)
        else:
            cut = f.marker_offset - b.start
            p.addText(b.text[:cut])
            note = Note(noteclass="footnote", id=f"ftn{f.number}")
            note.addElement(NoteCitation(text=f.number))
            body = NoteBody()
            body.addElement(P(text=f.text))
            note.addElement(body)
            p.addElement(note)
            p.addElement(Span(text=b.text[cut:]))
        odt.text.addElement(p)
    buf = io.BytesIO()
    odt.write(buf)
    data = buf.getvalue()
    assert sniff(data) == "odt"
    doc = structure(extract_bytes(data, format="odt"))
    assert [s.title for s in doc.sections][:3] == [
        "Sammanfattning",
        "Bakgrund",
        "Ärendet",
    ]
    assert doc.section("Ensamkommande flyktingbarn").path == (
        "Förvaltningens synpunkter och förslag",
        "Ensamkommande flyktingbarn",
    )
    got = [(f.number, f.text, f.sentence) for f in doc.footnotes]
    exp = [(f.number, f.text, f.sentence) for f in real_doc.footnotes]
    assert got == exp


def test_windows_1252_plain_text(real_doc, consultation, codebook):
    from .builders import rinkeby_without_q1

    data = rinkeby_without_q1(real_doc).replace("\n", "\r\n").encode("cp1252")
    a = analyse(extract_bytes(data, format="txt"), consultation=consultation, codebook=codebook)
    assert a.board == "rinkeby_kista"
    assert a.document.header.dnr == "1.5.1-733/2015"
    assert "Våld i offentliga miljöer" in a.document.text


def test_docx_footnote_ids_are_renumbered_in_reading_order(real_docx, real_doc):
    # Word often gives the separators ids 0 and 1 and numbers real notes from 2; the number a
    # reader sees is the order of reference.
    src = zipfile.ZipFile(io.BytesIO(real_docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename in ("word/document.xml", "word/footnotes.xml"):
                for old, new in (('"3"', '"40"'), ('"2"', '"30"'), ('"1"', '"20"')):
                    data = data.replace(b"w:id=" + old.encode(), b"w:id=" + new.encode())
            zf.writestr(item, data)
    doc = structure(extract_bytes(out.getvalue(), format="docx"))
    got = [(f.number, f.text, f.sentence) for f in doc.footnotes]
    assert got == [(f.number, f.text, f.sentence) for f in real_doc.footnotes]


def test_docx_headings_by_outline_level_and_custom_styles():
    import io

    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from skillnader.remiss.extract import extract_bytes
    from skillnader.remiss.structure import structure

    def outline(ppr, value):
        el = OxmlElement("w:outlineLvl")
        el.set(qn("w:val"), value)
        ppr.append(el)

    d = docx.Document()
    based = d.styles.add_style("Nämndrubrik", WD_STYLE_TYPE.PARAGRAPH)
    based.base_style = d.styles["Heading 2"]
    own = d.styles.add_style("Egen rubrik", WD_STYLE_TYPE.PARAGRAPH)
    outline(own.element.get_or_add_pPr(), "1")
    d.add_paragraph("Förvaltningens synpunkter", style="Heading 1")
    d.add_paragraph("Vårt arbete för en jämlik stad", style="Nämndrubrik")
    d.add_paragraph("Förvaltningen arbetar med fältassistenter i parkerna.")
    d.add_paragraph("Utmaningar vi ser framåt", style="Egen rubrik")
    p = d.add_paragraph("Direkt disposition")
    outline(p._p.get_or_add_pPr(), "2")
    d.add_paragraph("Trångboddheten är stor.")
    buf = io.BytesIO()
    d.save(buf)
    doc = structure(extract_bytes(buf.getvalue(), format="docx", path="x.docx"))
    assert [(s.title, s.level) for s in doc.sections] == [
        ("Förvaltningens synpunkter", 1),
        ("Vårt arbete för en jämlik stad", 2),
        ("Utmaningar vi ser framåt", 2),
        ("Direkt disposition", 3),
    ]
