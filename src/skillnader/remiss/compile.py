"""The consultation compilation (*remissammanställning*): what each board says per question, per
domain and per challenge, which boards answered what, and the additional challenges they raise.

Every quote is a verbatim substring of its answer's cleaned text and carries its reference
(board, page, paragraph number), so a reader can check it against the original. Exports: JSON,
DOCX (python-docx), XLSX (openpyxl, one sheet per view) and PDF (HTML printed by WeasyPrint).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from skillnader.errors import InputError
from skillnader.remiss.codebook import Codebook, load_codebook
from skillnader.remiss.passages import short_quote
from skillnader.remiss.pipeline import ParsedAnswer
from skillnader.remiss.questions import Consultation
from skillnader.remiss.structure import sentence_spans

STATUS_LABELS = {
    "answered": "Besvarad",
    "no_explicit_answer": "Inget uttryckligt svar",
    "missing": "Svar saknas",
    "late": "Sent inkommet",
}
REASON_LABELS = {
    "beyond_report": "Utöver rapporten enligt nämnden",
    "uncoded": "Ej kodad",
}


class ExportError(InputError):
    """The compilation cannot be written in the requested format."""


@dataclass
class Quote:
    """A verbatim quote with its reference."""

    board: str
    board_name: str
    text: str
    page: int | None
    paragraph: int
    start: int
    end: int
    source: str | None = None

    @property
    def reference(self) -> str:
        """ "Skärholmens stadsdelsnämnd, s. 2, stycke 11"."""
        page = f"s. {self.page}, " if self.page else ""
        return f"{self.board_name}, {page}stycke {self.paragraph}"

    def as_dict(self) -> dict:
        """A JSON-ready mapping, with the formatted reference."""
        return {
            "board": self.board,
            "board_name": self.board_name,
            "text": self.text,
            "page": self.page,
            "paragraph": self.paragraph,
            "start": self.start,
            "end": self.end,
            "source": self.source,
            "reference": self.reference,
        }


@dataclass
class Cell:
    """One board × question cell of the completeness matrix.

    ``status`` is ``answered``, ``no_explicit_answer``, ``missing`` or ``late`` (an answer that
    came in after the deadline; what it says is kept in ``answer_status``)."""

    status: str
    answer_status: str | None = None
    paragraphs: list[int] = field(default_factory=list)


@dataclass
class Compilation:
    """The compiled consultation. Build it with :func:`compile_answers`."""

    consultation: Consultation
    codebook_version: str
    boards: list[dict]
    matrix: dict[str, dict[str, Cell]]
    by_question: list[dict]
    by_domain: list[dict]
    by_challenge: list[dict]
    additional: list[dict]
    warnings: list[str] = field(default_factory=list)
    created: str = ""

    def boards_raising(self, code_id: str) -> list[str]:
        """Ids of the boards whose answers carry ``code_id``."""
        for entry in self.by_challenge:
            if entry["code"] == code_id:
                return [b["board"] for b in entry["boards"]]
        return []

    def to_dict(self) -> dict:
        """A JSON-ready mapping (the JSON export)."""
        c = self.consultation
        return {
            "consultation": {
                "id": c.id,
                "title": c.title,
                "deadline": c.deadline.isoformat() if c.deadline else None,
                "questions": [
                    {"id": q.id, "number": q.number, "text": q.text, "label": q.label}
                    for q in c.questions
                ],
            },
            "codebook_version": self.codebook_version,
            "created": self.created,
            "boards": self.boards,
            "matrix": {
                b: {q: cell.__dict__ for q, cell in row.items()} for b, row in self.matrix.items()
            },
            "by_question": _plain(self.by_question),
            "by_domain": _plain(self.by_domain),
            "by_challenge": _plain(self.by_challenge),
            "additional_challenges": _plain(self.additional),
            "warnings": self.warnings,
        }


def _plain(obj):
    if isinstance(obj, Quote):
        return obj.as_dict()
    if isinstance(obj, list):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def _evidence_quote(text: str, start: int, end: int, p_start: int, p_end: int, width: int = 240):
    """The sentence around ``text[start:end]``, cut to about ``width`` characters around the
    evidence at word boundaries; always a substring of ``text``."""
    s, e = p_start, p_end
    for a, b in sentence_spans(text, p_start, p_end):
        if a <= start < b:
            s, e = a, b
            break
    if e - s > width:
        half = max(0, (width - (end - start)) // 2)
        ns = max(s, start - half)
        ne = min(e, end + half)
        if ns > s:
            sp = text.find(" ", ns, start)
            ns = sp + 1 if sp != -1 else start
        if ne < e:
            sp = text.rfind(" ", end, ne)
            ne = sp if sp != -1 else end
        s, e = ns, ne
    return s, e, text[s:e]


def compile_answers(
    consultation: Consultation,
    answers: list[ParsedAnswer],
    *,
    codebook: Codebook | None = None,
    quote_chars: int = 240,
) -> Compilation:
    """Compile parsed answers against ``consultation``.

    Each answer must have a ``board`` (recipient id); answers whose board is not a recipient are
    kept under their own id with a warning. When a board has several answers the latest dated one
    is used. Recipients without an answer are ``missing`` in the matrix.
    """
    codebook = codebook or load_codebook()
    warnings: list[str] = []
    by_board: dict[str, ParsedAnswer] = {}
    for a in answers:
        bid = a.board
        if bid is None:
            raise InputError(
                "det går inte att avgöra vilken nämnd svaret kommer från",
                path=a.document.source,
                expected="en nämnd i remisskonfigurationen (ange den uttryckligen)",
            )
        if consultation.recipient(bid) is None:
            warnings.append(f"{bid}: finns inte bland remissinstanserna")
        if bid in by_board:
            old = by_board[bid]
            warnings.append(f"{bid}: flera svar; det senast daterade används")
            if (a.date or dt.date.min) < (old.date or dt.date.min):
                continue
        by_board[bid] = a

    names = {r.id: r.name for r in consultation.recipients}
    for bid, a in by_board.items():
        names.setdefault(bid, a.board_name or bid)
    order = list(dict.fromkeys([r.id for r in consultation.recipients] + list(by_board)))

    boards = []
    matrix: dict[str, dict[str, Cell]] = {}
    for bid in order:
        a = by_board.get(bid)
        late = bool(
            a is not None and a.date and consultation.deadline and a.date > consultation.deadline
        )
        boards.append(
            {
                "board": bid,
                "name": names[bid],
                "source": a.document.source if a else None,
                "date": a.date.isoformat() if a and a.date else None,
                "late": late,
                "answered": a is not None,
            }
        )
        row: dict[str, Cell] = {}
        for q in consultation.questions:
            if a is None:
                row[q.id] = Cell("missing")
                continue
            m = next((m for m in a.mappings if m.question == q.id), None)
            answer_status = m.status if m else "no_explicit_answer"
            paragraphs = [x.passage for x in m.answers] if m else []
            row[q.id] = Cell("late" if late else answer_status, answer_status, paragraphs)
        matrix[bid] = row

    def quote_passage(bid: str, a: ParsedAnswer, number: int) -> Quote:
        p = a.passage(number)
        s, e, q = short_quote(a.document.text, p.start, p.end, quote_chars)
        return Quote(bid, names[bid], q, p.page, p.number, s, e, a.document.source)

    by_question = []
    for q in consultation.questions:
        entries = []
        for bid in order:
            a = by_board.get(bid)
            cell = matrix[bid][q.id]
            entry = {
                "board": bid,
                "board_name": names[bid],
                "status": cell.status,
                "answer_status": cell.answer_status,
                "quotes": [],
                "candidates": [],
            }
            if a is not None:
                m = next((m for m in a.mappings if m.question == q.id), None)
                if m:
                    entry["quotes"] = [quote_passage(bid, a, x.passage) for x in m.answers]
                    entry["candidates"] = [
                        {"quote": quote_passage(bid, a, c.passage), "score": c.score}
                        for c in m.candidates
                    ]
            entries.append(entry)
        by_question.append(
            {"question": q.id, "number": q.number, "text": q.text, "boards": entries}
        )

    by_code: dict[str, dict[str, list[Quote]]] = {}
    for bid in order:
        a = by_board.get(bid)
        if a is None:
            continue
        for t in a.tags:
            p = a.passage(t.passage)
            s, e, qt = _evidence_quote(a.document.text, t.start, t.end, p.start, p.end, quote_chars)
            quotes = by_code.setdefault(t.code, {}).setdefault(bid, [])
            if any(x.start == s and x.end == e for x in quotes):
                continue
            quotes.append(Quote(bid, names[bid], qt, p.page, p.number, s, e, a.document.source))

    by_challenge = []
    for code in codebook.codes:
        boards_for = by_code.get(code.id, {})
        if not boards_for:
            continue
        by_challenge.append(
            {
                "code": code.id,
                "domain": code.domain,
                "label": code.label_sv,
                "label_en": code.label_en,
                "boards": [
                    {"board": b, "board_name": names[b], "quotes": boards_for[b]}
                    for b in order
                    if b in boards_for
                ],
            }
        )
    by_domain = []
    for d in codebook.domains:
        entries = []
        for bid in order:
            codes = [
                e["code"]
                for e in by_challenge
                if e["domain"] == d.id and any(b["board"] == bid for b in e["boards"])
            ]
            if codes:
                quotes = [by_code[c][bid][0] for c in codes]
                entries.append(
                    {"board": bid, "board_name": names[bid], "codes": codes, "quotes": quotes}
                )
        by_domain.append(
            {"domain": d.id, "label": d.label_sv, "label_en": d.label_en, "boards": entries}
        )

    additional = []
    for bid in order:
        a = by_board.get(bid)
        if a is None:
            continue
        for c in a.candidates:
            p = a.passage(c.passage)
            s, e, qt = short_quote(a.document.text, p.start, p.end, quote_chars)
            additional.append(
                {
                    "board": bid,
                    "board_name": names[bid],
                    "candidate": c.id,
                    "reason": c.reason,
                    "codes": list(c.codes),
                    "quote": Quote(bid, names[bid], qt, p.page, p.number, s, e, a.document.source),
                }
            )
    return Compilation(
        consultation,
        codebook.version,
        boards,
        matrix,
        by_question,
        by_domain,
        by_challenge,
        additional,
        warnings,
        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


# --- exports ---------------------------------------------------------------------------------


def export(compilation: Compilation, path: str | Path) -> Path:
    """Write ``compilation`` in the format given by the suffix of ``path`` (``.json``,
    ``.docx``, ``.xlsx``, ``.pdf``, ``.html``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    writers = {
        ".json": to_json,
        ".docx": to_docx,
        ".xlsx": to_xlsx,
        ".pdf": to_pdf,
        ".html": lambda c, p: p.write_text(to_html(c), encoding="utf-8"),
    }
    if suffix not in writers:
        raise ExportError(
            "okänt utdataformat", path=str(path), value=suffix, expected=".json, .docx, .xlsx, .pdf"
        )
    writers[suffix](compilation, path)
    return path


def to_json(compilation: Compilation, path: str | Path | None = None) -> str:
    """The compilation as JSON (written to ``path`` when given)."""
    text = json.dumps(compilation.to_dict(), ensure_ascii=False, indent=2)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _matrix_rows(c: Compilation) -> tuple[list[str], list[list[str]]]:
    head = ["Nämnd"] + [f"Fråga {q.number}" for q in c.consultation.questions] + ["Datum"]
    rows = []
    for b in c.boards:
        row = [b["name"]]
        for q in c.consultation.questions:
            cell = c.matrix[b["board"]][q.id]
            label = STATUS_LABELS[cell.status]
            if cell.status == "late" and cell.answer_status:
                label += f" ({STATUS_LABELS[cell.answer_status].lower()})"
            row.append(label)
        row.append(b["date"] or "")
        rows.append(row)
    return head, rows


def to_docx(compilation: Compilation, path: str | Path) -> None:
    """Write the compilation as a Word document."""
    import docx

    c = compilation
    d = docx.Document()
    # Looking a style up by name scans all styles; do it once, not once per paragraph.
    bullet = d.styles["List Bullet"]
    d.add_heading(f"Remissammanställning: {c.consultation.title}", 0)
    meta = f"Kodbok version {c.codebook_version}. Sammanställd {c.created}."
    if c.consultation.deadline:
        meta += f" Sista svarsdag {c.consultation.deadline.isoformat()}."
    d.add_paragraph(meta)

    d.add_heading("Svar per nämnd och fråga", 1)
    head, rows = _matrix_rows(c)
    table = d.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for i, h in enumerate(head):
        table.rows[0].cells[i].text = h
    for row in rows:
        cells = table.add_row().cells
        for i, v in enumerate(row):
            cells[i].text = v

    d.add_heading("Per fråga", 1)
    for q in c.by_question:
        d.add_heading(f"Fråga {q['number']}. {q['text']}", 2)
        for e in q["boards"]:
            if e["status"] == "missing":
                continue
            p = d.add_paragraph()
            p.add_run(e["board_name"]).bold = True
            p.add_run(f" – {STATUS_LABELS[e['status']]}")
            for quote in e["quotes"]:
                d.add_paragraph(f"”{quote.text}” ({quote.reference})", style=bullet)
            if not e["quotes"] and e["candidates"]:
                d.add_paragraph("Närliggande stycken (ej uttryckliga svar):")
                for cand in e["candidates"]:
                    qt = cand["quote"]
                    d.add_paragraph(f"”{qt.text}” ({qt.reference})", style=bullet)

    d.add_heading("Per område", 1)
    codes = {e["code"]: e for e in c.by_challenge}
    for dom in c.by_domain:
        d.add_heading(dom["label"], 2)
        if not dom["boards"]:
            d.add_paragraph("Ingen nämnd tar upp området.")
        for e in dom["boards"]:
            labels = ", ".join(codes[x]["label"] for x in e["codes"])
            d.add_paragraph(f"{e['board_name']}: {labels}", style=bullet)

    d.add_heading("Per utmaning", 1)
    for ch in c.by_challenge:
        d.add_heading(ch["label"], 2)
        for b in ch["boards"]:
            quote = b["quotes"][0]
            d.add_paragraph(f"{b['board_name']}: ”{quote.text}” ({quote.reference})", style=bullet)

    d.add_heading("Ytterligare utmaningar", 1)
    if not c.additional:
        d.add_paragraph("Inga kandidater.")
    for a in c.additional:
        quote = a["quote"]
        d.add_paragraph(
            f"{a['board_name']} ({REASON_LABELS[a['reason']]}): ”{quote.text}” ({quote.reference})",
            style=bullet,
        )
    d.save(str(path))


def to_xlsx(compilation: Compilation, path: str | Path) -> None:
    """Write the compilation as an Excel workbook, one sheet per view."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    c = compilation
    wb = Workbook()
    ws = wb.active
    ws.title = "Fullständighet"
    head, rows = _matrix_rows(c)
    ws.append(head)
    for row in rows:
        ws.append(row)

    ws = wb.create_sheet("Per fråga")
    ws.append(["Fråga", "Nämnd", "Status", "Citat", "Sida", "Stycke", "Typ"])
    for q in c.by_question:
        for e in q["boards"]:
            if not e["quotes"] and not e["candidates"]:
                ws.append(
                    [q["number"], e["board_name"], STATUS_LABELS[e["status"]], "", None, None, ""]
                )
            for quote in e["quotes"]:
                ws.append(
                    [
                        q["number"],
                        e["board_name"],
                        STATUS_LABELS[e["status"]],
                        quote.text,
                        quote.page,
                        quote.paragraph,
                        "svar",
                    ]
                )
            if not e["quotes"]:
                for cand in e["candidates"]:
                    qt = cand["quote"]
                    ws.append(
                        [
                            q["number"],
                            e["board_name"],
                            STATUS_LABELS[e["status"]],
                            qt.text,
                            qt.page,
                            qt.paragraph,
                            f"kandidat ({cand['score']:.2f})",
                        ]
                    )

    ws = wb.create_sheet("Per område")
    ws.append(["Område", "Nämnd", "Utmaningar"])
    labels = {e["code"]: e["label"] for e in c.by_challenge}
    for dom in c.by_domain:
        for e in dom["boards"]:
            ws.append([dom["label"], e["board_name"], ", ".join(labels[x] for x in e["codes"])])

    ws = wb.create_sheet("Per utmaning")
    ws.append(["Utmaning", "Kod", "Område", "Nämnd", "Citat", "Sida", "Stycke"])
    domain_labels = {d["domain"]: d["label"] for d in c.by_domain}
    for ch in c.by_challenge:
        for b in ch["boards"]:
            for quote in b["quotes"]:
                ws.append(
                    [
                        ch["label"],
                        ch["code"],
                        domain_labels[ch["domain"]],
                        b["board_name"],
                        quote.text,
                        quote.page,
                        quote.paragraph,
                    ]
                )

    ws = wb.create_sheet("Ytterligare utmaningar")
    ws.append(["Nämnd", "Kandidat", "Skäl", "Föreslagna koder", "Citat", "Sida", "Stycke"])
    for a in c.additional:
        quote = a["quote"]
        ws.append(
            [
                a["board_name"],
                a["candidate"],
                REASON_LABELS[a["reason"]],
                ", ".join(a["codes"]),
                quote.text,
                quote.page,
                quote.paragraph,
            ]
        )

    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for col in sheet.columns:
            letter = col[0].column_letter
            longest = max(len(str(x.value or "")) for x in col)
            sheet.column_dimensions[letter].width = min(80, max(10, longest + 2))
            if longest > 80:
                for x in col:
                    x.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    wb.save(str(path))


def to_html(compilation: Compilation) -> str:
    """The compilation as a standalone HTML page (the source of the PDF)."""
    c = compilation
    e = html.escape
    out = [
        "<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'>",
        f"<title>Remissammanställning: {e(c.consultation.title)}</title>",
        "<style>body{font-family:sans-serif;font-size:10pt}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2pt 4pt;text-align:left}"
        "blockquote{margin:2pt 0 4pt 12pt}.ref{color:#555}</style></head><body>",
        f"<h1>Remissammanställning: {e(c.consultation.title)}</h1>",
        f"<p>Kodbok version {e(c.codebook_version)}. Sammanställd {e(c.created)}.</p>",
        "<h2>Svar per nämnd och fråga</h2><table>",
    ]
    head, rows = _matrix_rows(c)
    out.append("<tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>")
    out.append("</table><h2>Per fråga</h2>")
    for q in c.by_question:
        out.append(f"<h3>Fråga {q['number']}. {e(q['text'])}</h3>")
        for b in q["boards"]:
            if b["status"] == "missing":
                continue
            out.append(f"<p><b>{e(b['board_name'])}</b> – {e(STATUS_LABELS[b['status']])}</p>")
            for quote in b["quotes"]:
                out.append(
                    f"<blockquote>”{e(quote.text)}” <span class='ref'>({e(quote.reference)})</span></blockquote>"
                )
    out.append("<h2>Per utmaning</h2>")
    for ch in c.by_challenge:
        out.append(f"<h3>{e(ch['label'])}</h3>")
        for b in ch["boards"]:
            quote = b["quotes"][0]
            out.append(
                f"<blockquote><b>{e(b['board_name'])}</b>: ”{e(quote.text)}” <span class='ref'>({e(quote.reference)})</span></blockquote>"
            )
    out.append("<h2>Ytterligare utmaningar</h2>")
    for a in c.additional:
        quote = a["quote"]
        out.append(
            f"<blockquote><b>{e(a['board_name'])}</b> ({e(REASON_LABELS[a['reason']])}): ”{e(quote.text)}” "
            f"<span class='ref'>({e(quote.reference)})</span></blockquote>"
        )
    out.append("</body></html>")
    return "\n".join(out)


def to_pdf(compilation: Compilation, path: str | Path) -> None:
    """Print the HTML compilation to PDF with WeasyPrint; a clear error if it is not installed."""
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ExportError(
            "PDF kräver WeasyPrint, som inte är installerat; välj .docx, .xlsx eller .json, "
            "eller installera weasyprint",
            path=str(path),
        ) from exc
    weasyprint.HTML(string=to_html(compilation)).write_pdf(str(path))
