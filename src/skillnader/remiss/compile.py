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
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillnader.errors import InputError
from skillnader.remiss.codebook import Codebook, load_codebook
from skillnader.remiss.passages import short_quote
from skillnader.remiss.pipeline import ParsedAnswer
from skillnader.remiss.questions import Consultation
from skillnader.remiss.structure import sentence_spans

STATUS_LABELS = {
    "answered": "Besvarad",
    "suggested": "Möjligt svar (granskas)",
    "no_explicit_answer": "Inget uttryckligt svar",
    "missing": "Svar saknas",
    "late": "Sent inkommet",
}
REASON_LABELS = {
    "beyond_report": "Utöver rapporten enligt nämnden",
    "uncoded": "Ej kodad",
    "low_confidence": "Osäker koppling till fråga",
}


class ExportError(InputError):
    """The compilation cannot be written in the requested format."""


@dataclass
class Quote:
    """A verbatim quote with its reference.

    ``text`` is always ``document.text[start:end]``; ``cut_start``/``cut_end`` say whether the
    quote begins or ends inside a sentence, and :attr:`display` adds an ellipsis there.
    """

    board: str
    board_name: str
    text: str
    page: int | None
    paragraph: int
    start: int
    end: int
    source: str | None = None
    cut_start: bool = False
    cut_end: bool = False

    @property
    def reference(self) -> str:
        """ "Skärholmens stadsdelsnämnd, s. 2, stycke 11"."""
        page = f"s. {self.page}, " if self.page else ""
        return f"{self.board_name}, {page}stycke {self.paragraph}"

    @property
    def display(self) -> str:
        """The quote as printed: an ellipsis where it was cut."""
        return ("… " if self.cut_start else "") + self.text + (" …" if self.cut_end else "")

    def as_dict(self) -> dict:
        """A JSON-ready mapping, with the formatted reference."""
        return {
            "board": self.board,
            "board_name": self.board_name,
            "text": self.text,
            "display": self.display,
            "page": self.page,
            "paragraph": self.paragraph,
            "start": self.start,
            "end": self.end,
            "cut_start": self.cut_start,
            "cut_end": self.cut_end,
            "source": self.source,
            "reference": self.reference,
        }


@dataclass
class Cell:
    """One board × question cell of the completeness matrix.

    ``status`` is ``answered``, ``suggested``, ``no_explicit_answer``, ``missing`` or ``late``
    (an answer that came in after the deadline; what it says is kept in ``answer_status``)."""

    status: str
    answer_status: str | None = None
    paragraphs: list[int] = field(default_factory=list)
    confidence: float = 0.0


@dataclass
class Compilation:
    """The compiled consultation. Build it with :func:`compile_answers`.

    ``additional`` holds the challenges boards raise beyond the report (challenges only);
    ``review`` the passages a reviewer should look at (uncoded passages, low-confidence
    mappings, every candidate challenge); ``refused`` the documents that are not answers;
    ``domain_matrix`` the board × domain counts of challenges; ``own_work`` what boards say
    of their own work, per domain.
    """

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
    review: list[dict] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)
    domain_matrix: dict[str, dict[str, int]] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)

    def boards_raising(self, code_id: str) -> list[str]:
        """Ids of the boards whose answers raise ``code_id`` as a challenge."""
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
                    {
                        "id": q.id,
                        "number": q.number,
                        "text": q.text,
                        "label": q.label,
                        "role": q.role,
                    }
                    for q in c.questions
                ],
            },
            "codebook_version": self.codebook_version,
            "created": self.created,
            "summary": self.summary,
            "boards": self.boards,
            "matrix": {
                b: {q: cell.__dict__ for q, cell in row.items()} for b, row in self.matrix.items()
            },
            "domain_matrix": self.domain_matrix,
            "by_question": _plain(self.by_question),
            "by_domain": _plain(self.by_domain),
            "by_challenge": _plain(self.by_challenge),
            "additional_challenges": _plain(self.additional),
            "review": _plain(self.review),
            "refused": self.refused,
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
    evidence at word boundaries; always a substring of ``text``. Returns ``(s, e, quote,
    cut_start, cut_end)``."""
    s, e = p_start, p_end
    for a, b in sentence_spans(text, p_start, p_end):
        if a <= start < b:
            s, e = a, b
            break
    sent_s, sent_e = s, e
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
    return s, e, text[s:e], s > sent_s, e < sent_e


def _names(boards: list[str]) -> str:
    if not boards:
        return ""
    if len(boards) == 1:
        return boards[0]
    return ", ".join(boards[:-1]) + " och " + boards[-1]


def _boards(n: int) -> str:
    return f"{n} nämnd" if n == 1 else f"{n} nämnder"


def _short_name(name: str) -> str:
    """ "Skärholmens stadsdelsnämnd" → "Skärholmen" for running text; other names as they are."""
    m = re.match(r"^(.+?)s? stadsdelsnämnd$", name)
    return m.group(1) if m else name


def compile_answers(
    consultation: Consultation,
    answers: list[ParsedAnswer],
    *,
    codebook: Codebook | None = None,
    quote_chars: int = 240,
) -> Compilation:
    """Compile parsed answers against ``consultation``.

    Documents that are not answers from a recipient (see :mod:`skillnader.remiss.gate`) are
    left out of every count and listed in ``refused`` and the warnings. When a board has
    several answers the latest dated one is used. Recipients without an answer are
    ``missing`` in the matrix.
    """
    from skillnader.remiss.gate import check_answer

    codebook = codebook or load_codebook()
    warnings: list[str] = []
    refused: list[dict] = []
    by_board: dict[str, ParsedAnswer] = {}
    a: ParsedAnswer | None
    for a in answers:
        reasons = check_answer(a, consultation)
        if reasons:
            src = a.document.source or a.board or "?"
            refused.append(
                {
                    "source": a.document.source,
                    "board": a.board,
                    "reasons": [r.code for r in reasons],
                    "messages": [r.message for r in reasons],
                }
            )
            warnings.append(
                f"{src}: räknas inte som svar – " + "; ".join(r.message for r in reasons)
            )
            continue
        bid = a.board
        assert bid is not None  # check_answer refuses an answer without a recipient
        for w in a.document.warnings:
            if not w.startswith("inga standardrubriker"):
                warnings.append(f"{bid}: {w}")
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
        h = a.document.header if a else None
        boards.append(
            {
                "board": bid,
                "name": names[bid],
                "source": a.document.source if a else None,
                "date": a.date.isoformat() if a and a.date else None,
                "dnr": h.dnr if h else None,
                "reference_dnr": h.reference_dnr if h else None,
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
            conf = m.confidence if m else 0.0
            row[q.id] = Cell("late" if late else answer_status, answer_status, paragraphs, conf)
        matrix[bid] = row

    def quote_passage(bid: str, a: ParsedAnswer, number: int) -> Quote:
        p = a.passage(number)
        s, e, q = short_quote(a.document.text, p.start, p.end, quote_chars)
        return Quote(bid, names[bid], q, *p.reference, s, e, a.document.source, False, e < p.end)

    by_question: list[dict[str, Any]] = []
    for q in consultation.questions:
        entries = []
        for bid in order:
            a = by_board.get(bid)
            cell = matrix[bid][q.id]
            entry: dict[str, Any] = {
                "board": bid,
                "board_name": names[bid],
                "status": cell.status,
                "answer_status": cell.answer_status,
                "confidence": cell.confidence,
                "quotes": [],
                "candidates": [],
                "codes": [],
            }
            if a is not None:
                m = next((m for m in a.mappings if m.question == q.id), None)
                if m:
                    entry["quotes"] = [
                        quote_passage(bid, a, x.passage)
                        for x in m.answers
                        if x.confidence >= 0.5 or m.status == "suggested"
                    ]
                    entry["candidates"] = [
                        {"quote": quote_passage(bid, a, c.passage), "score": c.score}
                        for c in m.candidates
                    ]
                    mine = {x.passage for x in m.answers if x.confidence >= 0.5}
                    entry["codes"] = list(
                        dict.fromkeys(
                            t.code for t in a.tags if t.passage in mine and t.polarity != "report"
                        )
                    )
            entries.append(entry)
        by_question.append(
            {
                "question": q.id,
                "number": q.number,
                "text": q.text,
                "role": q.role,
                "boards": entries,
            }
        )

    by_code: dict[str, dict[str, list[Quote]]] = {}
    own_by_code: dict[str, dict[str, list[Quote]]] = {}
    for bid in order:
        a = by_board.get(bid)
        if a is None:
            continue
        for t in a.tags:
            if t.polarity not in ("challenge", "own_work"):
                continue
            p = a.passage(t.passage)
            s, e, qt, cs, ce = _evidence_quote(
                a.document.text, t.start, t.end, p.start, p.end, quote_chars
            )
            target = by_code if t.polarity == "challenge" else own_by_code
            quotes = target.setdefault(t.code, {}).setdefault(bid, [])
            if any(x.start == s and x.end == e for x in quotes):
                continue
            quotes.append(Quote(bid, names[bid], qt, *p.reference, s, e, a.document.source, cs, ce))

    by_challenge: list[dict[str, Any]] = []
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
                "count": len(boards_for),
                "boards": [
                    {"board": b, "board_name": names[b], "quotes": boards_for[b]}
                    for b in order
                    if b in boards_for
                ],
            }
        )
    labels = {c.id: c.label_sv for c in codebook.codes}
    answered_boards = [b for b in order if b in by_board]
    by_domain = []
    domain_matrix: dict[str, dict[str, int]] = {b: {} for b in answered_boards}
    for d in codebook.domains:
        entries = []
        own_entries = []
        for bid in order:
            codes = [
                e["code"]
                for e in by_challenge
                if e["domain"] == d.id and any(b["board"] == bid for b in e["boards"])
            ]
            if bid in domain_matrix:
                domain_matrix[bid][d.id] = len(codes)
            if codes:
                quotes = [by_code[c][bid][0] for c in codes]
                entries.append(
                    {"board": bid, "board_name": names[bid], "codes": codes, "quotes": quotes}
                )
            own = [
                c.id
                for c in codebook.codes
                if c.domain == d.id and bid in own_by_code.get(c.id, {})
            ]
            if own:
                own_entries.append(
                    {
                        "board": bid,
                        "board_name": names[bid],
                        "codes": own,
                        "quotes": [own_by_code[c][bid][0] for c in own],
                    }
                )
        by_domain.append(
            {
                "domain": d.id,
                "label": d.label_sv,
                "label_en": d.label_en,
                "boards": entries,
                "own_work": own_entries,
                "synthesis": _domain_synthesis(
                    d.label_sv, entries, by_challenge, d.id, labels, len(answered_boards)
                ),
            }
        )
    for question_entry in by_question:
        question_entry["synthesis"] = _question_synthesis(
            question_entry, labels, len(answered_boards)
        )

    additional = []
    review = []
    for bid in order:
        a = by_board.get(bid)
        if a is None:
            continue
        pol: dict[int, list[str]] = {}
        for t in a.tags:
            pol.setdefault(t.passage, []).append(t.polarity)
        for c in a.candidates:
            p = a.passage(c.passage)
            s, e, qt = short_quote(a.document.text, p.start, p.end, quote_chars)
            quote = Quote(
                bid, names[bid], qt, *p.reference, s, e, a.document.source, False, e < p.end
            )
            item = {
                "board": bid,
                "board_name": names[bid],
                "candidate": c.id,
                "reason": c.reason,
                "codes": list(c.codes),
                "quote": quote,
            }
            review.append(item)
            polarities = pol.get(c.passage, [])
            own_only = polarities and all(x in ("own_work", "report") for x in polarities)
            if c.reason == "beyond_report" and not own_only:
                additional.append(
                    {
                        **item,
                        "codes": list(
                            dict.fromkeys(
                                t.code
                                for t in a.tags
                                if t.passage == c.passage and t.polarity == "challenge"
                            )
                        ),
                    }
                )
        for m in a.mappings:
            if m.status == "suggested":
                for x in m.answers:
                    review.append(
                        {
                            "board": bid,
                            "board_name": names[bid],
                            "candidate": f"{m.question}-p{x.passage}",
                            "reason": "low_confidence",
                            "codes": [],
                            "question": m.question,
                            "confidence": x.confidence,
                            "quote": quote_passage(bid, a, x.passage),
                        }
                    )

    summary = _summary(consultation, boards, by_board, by_challenge, refused)
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
        review,
        refused,
        domain_matrix,
        summary,
    )


def _question_synthesis(q: dict, labels: dict[str, str], n_answers: int) -> str:
    answered = [e for e in q["boards"] if e["answer_status"] == "answered"]
    suggested = [e for e in q["boards"] if e["answer_status"] == "suggested"]
    who = _names([_short_name(e["board_name"]) for e in answered])
    if not answered:
        text = (
            "Den nämnd som svarat besvarar inte frågan uttryckligen."
            if n_answers == 1
            else f"Ingen av de {n_answers} nämnder som svarat besvarar frågan uttryckligen."
        )
    else:
        text = f"{len(answered)} av {_boards(n_answers)} som svarat besvarar frågan ({who})."
    if suggested:
        text += (
            f" Möjliga svar att granska finns hos "
            f"{_names([_short_name(e['board_name']) for e in suggested])}."
        )
    counts: dict[str, list[str]] = {}
    for e in answered:
        for code in e["codes"]:
            counts.setdefault(code, []).append(_short_name(e["board_name"]))
    if counts and len(answered) >= 2:
        shared = [(c, b) for c, b in counts.items() if len(b) >= 2]
        single = [(c, b) for c, b in counts.items() if len(b) == 1]
        shared.sort(key=lambda t: -len(t[1]))
        if shared:
            text += (
                " Samstämmighet: "
                + "; ".join(
                    f"{labels.get(c, c)} ({len(b)} nämnder: {_names(b)})" for c, b in shared[:4]
                )
                + "."
            )
        if single:
            text += (
                " Enskilda nämnder lyfter: "
                + "; ".join(f"{labels.get(c, c)} ({b[0]})" for c, b in single[:4])
                + "."
            )
    elif counts:
        text += " Teman: " + ", ".join(labels.get(c, c) for c in list(counts)[:6]) + "."
    return text


def _domain_synthesis(
    label: str,
    entries: list[dict],
    by_challenge: list[dict],
    domain: str,
    labels: dict[str, str],
    n_answers: int,
) -> str:
    if not entries:
        if n_answers == 1:
            return "Den nämnd som svarat tar inte upp utmaningar inom området."
        return f"Ingen av de {n_answers} nämnder som svarat tar upp utmaningar inom området."
    who = _names([_short_name(e["board_name"]) for e in entries])
    text = f"{len(entries)} av {_boards(n_answers)} tar upp utmaningar inom området ({who})."
    codes = sorted(
        (e for e in by_challenge if e["domain"] == domain), key=lambda e: (-e["count"], e["label"])
    )
    shared = [e for e in codes if e["count"] >= 2]
    single = [e for e in codes if e["count"] == 1]
    if shared:
        text += (
            " Flera nämnder lyfter "
            + "; ".join(f"{e['label'].lower()} ({e['count']})" for e in shared[:4])
            + "."
        )
    if single and len(entries) >= 2:
        text += (
            " Endast en nämnd lyfter "
            + "; ".join(
                f"{e['label'].lower()} ({_short_name(e['boards'][0]['board_name'])})"
                for e in single[:4]
            )
            + "."
        )
    return text


def _summary(consultation, boards, by_board, by_challenge, refused) -> list[str]:
    n = len(consultation.recipients)
    got = len(by_board)
    late = [b["name"] for b in boards if b["late"]]
    out = [f"{got} av {n} remissinstanser har svarat."]
    if late:
        out.append(f"Sent inkomna svar: {_names(late)}.")
    if refused:
        out.append(f"{len(refused)} dokument räknas inte som svar (se varningar).")
    top = sorted(by_challenge, key=lambda e: -e["count"])[:5]
    if top:
        out.append(
            "Vanligast förekommande utmaningar: "
            + "; ".join(
                f"{e['label']} ({e['count']} {'nämnd' if e['count'] == 1 else 'nämnder'})"
                for e in top
            )
            + "."
        )
    return out


# --- exports ---------------------------------------------------------------------------------


def export(compilation: Compilation, path: str | Path) -> Path:
    """Write ``compilation`` in the format given by the suffix of ``path`` (``.json``,
    ``.docx``, ``.xlsx``, ``.pdf``, ``.html``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    writers: dict[str, Callable[[Compilation, Path], object]] = {
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
    head = (
        ["Nämnd"]
        + [f"Fråga {q.number}" for q in c.consultation.questions]
        + ["Datum", "Dnr", "Ert dnr"]
    )
    rows = []
    for b in c.boards:
        row = [b["name"]]
        for q in c.consultation.questions:
            cell = c.matrix[b["board"]][q.id]
            label = STATUS_LABELS[cell.status]
            if cell.status == "late" and cell.answer_status:
                label += f" ({STATUS_LABELS[cell.answer_status].lower()})"
            row.append(label)
        row += [b["date"] or "", b.get("dnr") or "", b.get("reference_dnr") or ""]
        rows.append(row)
    return head, rows


def _domain_rows(c: Compilation) -> tuple[list[str], list[list]]:
    domains = [d for d in c.by_domain]
    head = ["Nämnd"] + [d["label"] for d in domains]
    rows = []
    for b in c.boards:
        counts = c.domain_matrix.get(b["board"])
        if counts is None:
            continue
        rows.append([b["name"]] + [counts.get(d["domain"], 0) for d in domains])
    return head, rows


def model(c: Compilation) -> list[tuple]:
    """The compilation as one ordered list of printable elements, from which the DOCX, HTML
    and PDF are written: ``("h", level, text)``, ``("p", text)``, ``("table", head, rows)``,
    ``("quote", board, text, reference)`` and ``("item", text)``."""
    out: list[tuple] = [("h", 0, f"Remissammanställning: {c.consultation.title}")]
    meta = f"Kodbok version {c.codebook_version}. Sammanställd {c.created}."
    if c.consultation.deadline:
        meta += f" Sista svarsdag {c.consultation.deadline.isoformat()}."
    out.append(("p", meta))
    out.append(("h", 1, "Sammanfattning"))
    for line in c.summary:
        out.append(("p", line))
    out.append(("h", 1, "Svar per nämnd och fråga"))
    head, rows = _matrix_rows(c)
    out.append(("table", head, rows))
    out.append(("h", 1, "Utmaningar per nämnd och område"))
    out.append(("p", "Antal kodade utmaningar per område i varje nämnds svar."))
    head, rows = _domain_rows(c)
    out.append(("table", head, rows))
    out.append(("h", 1, "Per fråga"))
    for q in c.by_question:
        out.append(("h", 2, f"Fråga {q['number']}. {q['text']}"))
        out.append(("p", q["synthesis"]))
        for e in q["boards"]:
            if e["status"] == "missing":
                continue
            out.append(("p", f"{e['board_name']} – {STATUS_LABELS[e['status']]}"))
            for quote in e["quotes"]:
                out.append(("quote", e["board_name"], quote.display, quote.reference))
            if not e["quotes"] and e["candidates"]:
                out.append(("p", "Närliggande stycken (ej uttryckliga svar):"))
                for cand in e["candidates"]:
                    qt = cand["quote"]
                    out.append(("quote", e["board_name"], qt.display, qt.reference))
    out.append(("h", 1, "Per område"))
    codes = {e["code"]: e for e in c.by_challenge}
    for dom in c.by_domain:
        out.append(("h", 2, dom["label"]))
        out.append(("p", dom["synthesis"]))
        for e in dom["boards"]:
            labels = ", ".join(codes[x]["label"] for x in e["codes"])
            out.append(("item", f"{e['board_name']}: {labels}"))
        if dom["own_work"]:
            out.append(("p", "Nämndernas eget arbete inom området:"))
            for e in dom["own_work"]:
                quote = e["quotes"][0]
                out.append(("quote", e["board_name"], quote.display, quote.reference))
    out.append(("h", 1, "Per utmaning"))
    for ch in c.by_challenge:
        out.append(("h", 2, f"{ch['label']} ({ch['count']} nämnder)"))
        for b in ch["boards"]:
            quote = b["quotes"][0]
            out.append(("quote", b["board_name"], quote.display, quote.reference))
    out.append(("h", 1, "Ytterligare utmaningar"))
    if not c.additional:
        out.append(("p", "Inga nämnder tar upp utmaningar utöver rapporten."))
    for a in c.additional:
        quote = a["quote"]
        out.append(("quote", a["board_name"], quote.display, quote.reference))
    if c.warnings:
        out.append(("h", 1, "Varningar"))
        for w in c.warnings:
            out.append(("item", w))
    return out


def to_docx(compilation: Compilation, path: str | Path) -> None:
    """Write the compilation as a Word document (from :func:`model`)."""
    import docx

    d = docx.Document()
    # Looking a style up by name scans all styles; do it once, not once per paragraph.
    bullet = d.styles["List Bullet"]
    quote_style = d.styles["Quote"] if "Quote" in [s.name for s in d.styles] else None
    for el in model(compilation):
        kind = el[0]
        if kind == "h":
            d.add_heading(el[2], el[1])
        elif kind == "p":
            d.add_paragraph(el[1])
        elif kind == "item":
            d.add_paragraph(el[1], style=bullet)
        elif kind == "quote":
            p = d.add_paragraph(style=quote_style)
            p.add_run(f"”{el[2]}”")
            p.add_run(f" ({el[3]})").italic = True
        elif kind == "table":
            head, rows = el[1], el[2]
            table = d.add_table(rows=1, cols=len(head))
            table.style = "Table Grid"
            for i, h in enumerate(head):
                table.rows[0].cells[i].text = str(h)
            for row in rows:
                cells = table.add_row().cells
                for i, v in enumerate(row):
                    cells[i].text = str(v)
    d.save(str(path))


def to_xlsx(compilation: Compilation, path: str | Path) -> None:
    """Write the compilation as an Excel workbook, one sheet per view. Every text cell goes
    through :func:`skillnader.safecsv.safe_xlsx_row`: board-typed text beginning with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return is never stored as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from skillnader.safecsv import set_xlsx_cell

    def append(ws, row):
        r = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
        for i, v in enumerate(row, start=1):
            set_xlsx_cell(ws.cell(row=r, column=i), v)

    c = compilation
    wb = Workbook()
    ws = wb.active
    ws.title = "Fullständighet"
    head, rows = _matrix_rows(c)
    append(ws, head)
    for row in rows:
        append(ws, row)

    ws = wb.create_sheet("Nämnd × område")
    head, rows = _domain_rows(c)
    append(ws, head)
    for row in rows:
        append(ws, row)

    ws = wb.create_sheet("Per fråga")
    append(ws, ["Fråga", "Nämnd", "Status", "Citat", "Sida", "Stycke", "Typ", "Sammanfattning"])
    for q in c.by_question:
        first = True
        for e in q["boards"]:
            synth = q["synthesis"] if first else ""
            first = False
            if not e["quotes"] and not e["candidates"]:
                append(
                    ws,
                    [
                        q["number"],
                        e["board_name"],
                        STATUS_LABELS[e["status"]],
                        "",
                        None,
                        None,
                        "",
                        synth,
                    ],
                )
            for quote in e["quotes"]:
                append(
                    ws,
                    [
                        q["number"],
                        e["board_name"],
                        STATUS_LABELS[e["status"]],
                        quote.display,
                        quote.page,
                        quote.paragraph,
                        "svar",
                        synth,
                    ],
                )
                synth = ""
            if not e["quotes"]:
                for cand in e["candidates"]:
                    qt = cand["quote"]
                    append(
                        ws,
                        [
                            q["number"],
                            e["board_name"],
                            STATUS_LABELS[e["status"]],
                            qt.display,
                            qt.page,
                            qt.paragraph,
                            f"kandidat ({cand['score']:.2f})",
                            synth,
                        ],
                    )
                    synth = ""

    ws = wb.create_sheet("Per område")
    append(ws, ["Område", "Nämnd", "Utmaningar", "Sammanfattning"])
    labels = {e["code"]: e["label"] for e in c.by_challenge}
    for dom in c.by_domain:
        synth = dom["synthesis"]
        if not dom["boards"]:
            append(ws, [dom["label"], "", "", synth])
        for e in dom["boards"]:
            append(
                ws, [dom["label"], e["board_name"], ", ".join(labels[x] for x in e["codes"]), synth]
            )
            synth = ""

    ws = wb.create_sheet("Per utmaning")
    append(ws, ["Utmaning", "Kod", "Område", "Nämnd", "Citat", "Sida", "Stycke"])
    domain_labels = {d["domain"]: d["label"] for d in c.by_domain}
    for ch in c.by_challenge:
        for b in ch["boards"]:
            for quote in b["quotes"]:
                append(
                    ws,
                    [
                        ch["label"],
                        ch["code"],
                        domain_labels[ch["domain"]],
                        b["board_name"],
                        quote.display,
                        quote.page,
                        quote.paragraph,
                    ],
                )

    ws = wb.create_sheet("Ytterligare utmaningar")
    append(ws, ["Nämnd", "Kandidat", "Skäl", "Koder", "Citat", "Sida", "Stycke"])
    for a in c.additional:
        quote = a["quote"]
        append(
            ws,
            [
                a["board_name"],
                a["candidate"],
                REASON_LABELS[a["reason"]],
                ", ".join(a["codes"]),
                quote.display,
                quote.page,
                quote.paragraph,
            ],
        )
    ws = wb.create_sheet("Varningar")
    append(ws, ["Varning"])
    for w in c.warnings:
        append(ws, [w])

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


_CSS = (
    "body{font-family:sans-serif;font-size:10pt;line-height:1.4;max-width:60em;margin:auto}"
    "table{border-collapse:collapse;margin:4pt 0}"
    "td,th{border:1px solid #767676;padding:2pt 4pt;text-align:left;vertical-align:top}"
    "blockquote{margin:2pt 0 6pt 12pt}.ref{color:#444}"
    "@page{size:A4;margin:18mm 16mm 20mm 16mm;"
    "@bottom-right{content:'Sida ' counter(page) ' av ' counter(pages);font-size:8pt}}"
)


def to_html(compilation: Compilation) -> str:
    """The compilation as a standalone HTML page (from :func:`model`; the source of the PDF)."""
    e = html.escape
    c = compilation
    out = [
        "<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'>",
        f"<title>Remissammanställning: {e(c.consultation.title)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
    ]
    for el in model(c):
        kind = el[0]
        if kind == "h":
            level = el[1] + 1
            out.append(f"<h{level}>{e(el[2])}</h{level}>")
        elif kind == "p":
            out.append(f"<p>{e(el[1])}</p>")
        elif kind == "item":
            out.append(f"<ul><li>{e(el[1])}</li></ul>")
        elif kind == "quote":
            out.append(
                f"<blockquote><b>{e(el[1])}</b>: ”{e(el[2])}” "
                f"<span class='ref'>({e(el[3])})</span></blockquote>"
            )
        elif kind == "table":
            out.append("<table><thead><tr>")
            out.append("".join(f"<th scope='col'>{e(str(h))}</th>" for h in el[1]))
            out.append("</tr></thead><tbody>")
            for row in el[2]:
                out.append(
                    "<tr><th scope='row'>"
                    + e(str(row[0]))
                    + "</th>"
                    + "".join(f"<td>{e(str(v))}</td>" for v in row[1:])
                    + "</tr>"
                )
            out.append("</tbody></table>")
    out.append("</main></body></html>")
    return "\n".join(out)


def to_pdf(compilation: Compilation, path: str | Path) -> None:
    """Print the HTML compilation to PDF with WeasyPrint (page numbers in the footer); a clear
    error if it is not installed."""
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ExportError(
            "PDF kräver WeasyPrint, som inte är installerat; välj .docx, .xlsx eller .json, "
            "eller installera weasyprint",
            path=str(path),
        ) from exc
    weasyprint.HTML(string=to_html(compilation)).write_pdf(str(path))
