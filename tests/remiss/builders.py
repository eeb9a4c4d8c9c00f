"""Builders for the consultation tests: the real answer in other formats, and constructed
answers of other boards made from its text."""

from __future__ import annotations

import io
import re
import zipfile
from html import escape
from pathlib import Path

from skillnader.remiss.extract import extract
from skillnader.remiss.structure import Document, structure

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "remiss"
REAL = FIXTURES / "skarholmen_2015_skillnadernas_stockholm.txt"
CONSULTATION = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "skillnader"
    / "remiss"
    / "data"
    / "skillnadernas_stockholm.yaml"
)


def real_document() -> Document:
    return structure(extract(REAL))


def _segments(doc: Document, block) -> list[tuple[str, str | None]]:
    """The block's text cut at its footnote markers: [(text, footnote number or None)]."""
    notes = sorted(
        (f for f in doc.footnotes if f.block == block.index and f.marker_offset is not None),
        key=lambda f: f.marker_offset,
    )
    out = []
    pos = block.start
    for f in notes:
        out.append((doc.text[pos : f.marker_offset], f.number))
        pos = f.marker_offset
    out.append((doc.text[pos : block.end], None))
    return out


# --- DOCX with real footnotes ----------------------------------------------------------------

_FOOTNOTES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
    "</w:r></w:p></w:footnote>{notes}</w:footnotes>"
)
_NOTE = (
    '<w:footnote w:id="{id}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
    '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
    '<w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote>'
)


def docx_bytes(doc: Document) -> bytes:
    """A Word document with the cleaned paragraphs of ``doc``: headings as Heading 1/2, bullets
    as List Bullet, and the footnotes as real Word footnotes (``word/footnotes.xml``), which
    python-docx cannot write, so the package is completed by hand."""
    import docx

    d = docx.Document()
    for b in doc.blocks:
        if b.kind == "heading":
            d.add_heading(b.text, 1 if b.level == 1 else 2)
            continue
        p = d.add_paragraph(style="List Bullet" if b.bullet else None)
        for text, number in _segments(doc, b):
            if text:
                p.add_run(text)
            if number:
                p.add_run(f"FNREF{number}X")
    buf = io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                xml = re.sub(
                    r"<w:t>FNREF(\d+)X</w:t>",
                    r'<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                    r'<w:footnoteReference w:id="\1"/>',
                    xml,
                )
                data = xml.encode("utf-8")
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdFootnotes" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                    b"</Relationships>",
                )
            zf.writestr(item, data)
        notes = "".join(
            _NOTE.format(id=f.number, text=escape(f.text)) for f in doc.footnotes if f.text
        )
        zf.writestr("word/footnotes.xml", _FOOTNOTES_XML.format(notes=notes))
    return out.getvalue()


# --- PDF with WeasyPrint ---------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 2.5cm 2.5cm 2.5cm 2.5cm;
  @top-left { content: "Skärholmens stadsdelsförvaltning"; font-size: 8pt; }
  @top-right { content: "Tjänsteutlåtande"; font-size: 8pt; }
  @bottom-right { content: "Sida " counter(page) " (" counter(pages) ")"; font-size: 8pt; } }
body { font-family: serif; font-size: 11pt; line-height: 1.3; }
p, li { margin: 0 0 9pt 0; }
ul { margin: 0 0 9pt 0; }
h1 { font-size: 14pt; margin: 12pt 0 6pt 0; }
h2 { font-size: 12.5pt; margin: 10pt 0 6pt 0; }
.fn { float: footnote; font-size: 8.5pt; }
::footnote-call { content: counter(footnote); vertical-align: super; font-size: 7pt; }
::footnote-marker { content: counter(footnote) " "; }
"""


def pdf_bytes(doc: Document) -> bytes:
    """A PDF printed by WeasyPrint from HTML made of ``doc``'s cleaned paragraphs, with running
    header, page numbers and CSS footnotes at the foot of the pages."""
    import weasyprint

    notes = {f.number: f.text for f in doc.footnotes}
    parts = [f"<html lang='sv'><head><meta charset='utf-8'><style>{_CSS}</style></head><body>"]
    in_list = False
    for b in doc.blocks:
        if b.bullet and not in_list:
            parts.append("<ul>")
            in_list = True
        elif not b.bullet and in_list:
            parts.append("</ul>")
            in_list = False
        body = "".join(
            escape(t) + (f"<span class='fn'>{escape(notes[n])}</span>" if n else "")
            for t, n in _segments(doc, b)
        )
        if b.kind == "heading":
            parts.append(f"<h{1 if b.level == 1 else 2}>{body}</h{1 if b.level == 1 else 2}>")
        elif b.bullet:
            parts.append(f"<li>{body}</li>")
        else:
            parts.append(f"<p>{body}</p>")
    if in_list:
        parts.append("</ul>")
    parts.append("</body></html>")
    return weasyprint.HTML(string="".join(parts)).write_pdf()


# --- constructed answers of other boards -----------------------------------------------------


def _para(doc: Document, startswith: str) -> str:
    for b in doc.blocks:
        if b.kind != "heading" and b.text.startswith(startswith):
            return b.text
    raise KeyError(startswith)


def _header(admin: str, board: str, dnr: str, date: str, handlaggare: str) -> list[str]:
    return [
        admin,
        "Socialtjänstavdelningen",
        "Tjänsteutlåtande",
        f"Dnr {dnr}",
        date,
        "Handläggare",
        f"{handlaggare} Telefon: 08-508 000 00",
        "Till",
        board,
        "Svar på remiss av ”Skillnadernas Stockholm”",
    ]


def farsta_by_question(doc: Document) -> str:
    """An answer organised by question under numbered subheadings. It does not mention violence
    in close relationships, and answers all three questions."""
    p = lambda s: _para(doc, s).replace("Skärholmen", "Farsta")  # noqa: E731
    parts = _header(
        "Farsta stadsdelsförvaltning",
        "Farsta stadsdelsnämnd",
        "1.5.1-512/2015",
        "2015-10-21",
        "Anna Lind",
    )
    parts += [
        "Sammanfattning",
        p("Förvaltningen ställer sig positiv"),
        "Förvaltningens synpunkter och förslag",
        "1. Nämndens egna verksamhetsområden",
        p("En av de viktigaste frågorna"),
        p("Skärholmen tillhör ett av de"),
        p("För att människor ska kunna leva"),
        "2. Huvudsakliga utmaningar",
        p("En av de viktigaste uppgifterna"),
        p("Fler personer tenderar att bli skuldsatta"),
        "3. Ytterligare utmaningar",
        p("Ytterligare en utmaning som staden"),
        p("För att på bästa möjliga sätt"),
    ]
    return "\n\n".join(parts) + "\n"


def rinkeby_without_q1(doc: Document) -> str:
    """An answer that answers questions 2 and 3 under "Svar på fråga N" subheadings and never
    answers question 1. It does not mention unaccompanied children."""
    p = lambda s: _para(doc, s).replace("Skärholmen", "Rinkeby-Kista")  # noqa: E731
    parts = _header(
        "Rinkeby-Kista stadsdelsförvaltning",
        "Rinkeby-Kista stadsdelsnämnd",
        "1.5.1-733/2015",
        "2015-10-27",
        "Omar Said",
    )
    parts += [
        "Förvaltningens synpunkter och förslag",
        "Svar på fråga 2",
        p("Arbetslösa ungdomar är en prioriterad grupp"),
        p("Inom enheten för ekonomiskt bistånd"),
        "Svar på fråga 3",
        p("Trygghetsmätningar visar"),
        p("Våld i offentliga miljöer"),
    ]
    return "\n\n".join(parts) + "\n"
