"""One call from a file to a parsed, mapped and coded answer."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from skillnader.remiss.codebook import Codebook, load_codebook
from skillnader.remiss.extract import RawDocument, extract, extract_bytes
from skillnader.remiss.passages import Passage, passages
from skillnader.remiss.questions import (
    Consultation,
    Question,
    QuestionMapping,
    detect_questions,
    load_consultation,
    map_questions,
    mark_quotations,
)
from skillnader.remiss.structure import Document, structure
from skillnader.remiss.tagging import (
    CandidateChallenge,
    Tag,
    Tagger,
    assign_polarity,
    candidate_challenges,
    role_evidence,
)

__all__ = ["ParsedAnswer", "identify_board", "load_consultation", "parse_file", "parse_text"]


@dataclass
class ParsedAnswer:
    """Everything the library knows about one answer.

    ``board`` is the recipient id from the consultation (or None when it cannot be told);
    ``board_name`` the name as found; ``date`` the answer's date (header field or given).
    """

    document: Document
    passages: list[Passage]
    questions: list[Question]
    mappings: list[QuestionMapping]
    tags: list[Tag]
    candidates: list[CandidateChallenge]
    board: str | None = None
    board_name: str | None = None
    date: dt.date | None = None
    codebook_version: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def passage(self, number: int) -> Passage:
        """The passage with paragraph number ``number`` (1-based)."""
        return self.passages[number - 1]

    def mapping(self, qid: str) -> QuestionMapping:
        """The mapping of question ``qid``."""
        return next(m for m in self.mappings if m.question == qid)

    def to_dict(self) -> dict:
        """A JSON-ready view (the JSON output of ``remiss parse --json``)."""
        doc = self.document
        return {
            "source": doc.source,
            "format": doc.format,
            "board": self.board,
            "board_name": self.board_name,
            "date": self.date.isoformat() if self.date else None,
            "codebook_version": self.codebook_version,
            "header": doc.header.as_dict(),
            "page_count": doc.page_count,
            "warnings": doc.warnings,
            "sections": [
                {
                    "title": s.title,
                    "key": s.key,
                    "level": s.level,
                    "start": s.start,
                    "end": s.end,
                    "page": s.page,
                }
                for s in doc.sections
            ],
            "footnotes": [
                {
                    "number": f.number,
                    "text": f.text,
                    "page": f.page,
                    "marker_offset": f.marker_offset,
                    "sentence": f.sentence,
                    "sentence_start": f.sentence_start,
                    "sentence_end": f.sentence_end,
                }
                for f in doc.footnotes
            ],
            "passages": [
                {
                    "number": p.number,
                    "kind": p.kind,
                    "role": p.role,
                    "quoted_question": p.quoted_question,
                    "page": p.page,
                    "section": list(p.section_path),
                    "start": p.start,
                    "end": p.end,
                    "text": p.text,
                }
                for p in self.passages
            ],
            "questions": [
                {"id": q.id, "number": q.number, "text": q.text, "role": q.role}
                for q in self.questions
            ],
            "mapping": [
                {
                    "question": m.question,
                    "status": m.status,
                    "answers": [a.__dict__ for a in m.answers],
                    "candidates": [c.__dict__ for c in m.candidates],
                }
                for m in self.mappings
            ],
            "tags": [t.__dict__ for t in self.tags],
            "candidate_additional_challenges": [
                {k: v for k, v in c.__dict__.items() if k != "text"} | {"text": c.text}
                for c in self.candidates
            ],
            "text": doc.text,
        }


_TAGGER_CACHE: dict[str, Tagger] = {}
_CODEBOOK_CACHE: dict[str, Codebook] = {}


def _tagger(codebook: Codebook) -> Tagger:
    # Compiling the rules costs more than tagging one answer; keep the last one. Compared by
    # identity with the codebook object itself (not its id(), which can be reused).
    cached = _TAGGER_CACHE.get("tagger")
    if cached is None or cached.codebook is not codebook:
        cached = _TAGGER_CACHE["tagger"] = Tagger(codebook)
    return cached


def _default_codebook() -> Codebook:
    if "codebook" not in _CODEBOOK_CACHE:
        _CODEBOOK_CACHE["codebook"] = load_codebook()
    return _CODEBOOK_CACHE["codebook"]


def analyse(
    raw: RawDocument,
    *,
    consultation: Consultation | None = None,
    codebook: Codebook | None = None,
    board: str | None = None,
    date: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ParsedAnswer:
    """Structure, map and code a raw document.

    ``progress``, if given, is called with the name of each stage as it starts
    (``"structure"``, ``"questions"``, ``"coding"``)."""
    import time

    report = progress or (lambda _stage: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    report("structure")
    doc = structure(raw)
    ps = passages(doc)
    t1 = time.perf_counter()
    timings["structure"] = t1 - t0
    report("questions")
    questions = consultation.questions if consultation else detect_questions(ps)
    mark_quotations(ps, questions)
    # The codes come first: what they say about each passage (a problem, the board's own work)
    # is evidence for the mapping of passages nothing else places.
    codebook = codebook or _default_codebook()
    raw_tags = _tagger(codebook).tag(doc.text, ps)
    features: dict[tuple[int, int], tuple[bool, bool, bool]] = {}  # sentence → its words' say
    evidence = role_evidence(doc.text, ps, raw_tags, features)
    mappings = map_questions(doc, ps, questions, evidence=evidence)
    t2 = time.perf_counter()
    timings["questions"] = t2 - t1
    report("coding")
    tags = assign_polarity(doc.text, ps, raw_tags, mappings, questions, features)
    cands = candidate_challenges(doc.text, ps, tags, mappings, questions)
    timings["tagging"] = time.perf_counter() - t2
    board_id, board_name = board, None
    if consultation is not None and board_id is None:
        board_id, board_name = identify_board(doc, consultation)
    elif consultation is not None and board_id is not None:
        rec = consultation.recipient(board_id)
        board_name = rec.name if rec else board_id
    if date is None and doc.header.date:
        date = dt.date.fromisoformat(doc.header.date)
    return ParsedAnswer(
        doc,
        ps,
        questions,
        mappings,
        tags,
        cands,
        board_id,
        board_name or doc.header.board,
        date,
        codebook.version,
        timings,
    )


def parse_file(
    path: str | Path,
    *,
    consultation: Consultation | None = None,
    codebook: Codebook | None = None,
    board: str | None = None,
    date: dt.date | None = None,
) -> ParsedAnswer:
    """Read and analyse one answer file (PDF, DOCX, ODT, TXT).

    Without ``consultation`` the questions are read from the answer itself (its quoted,
    numbered questions).
    """
    import time

    t0 = time.perf_counter()
    raw = extract(path)
    extract_time = time.perf_counter() - t0
    answer = analyse(raw, consultation=consultation, codebook=codebook, board=board, date=date)
    answer.timings = {"extract": extract_time, **answer.timings}
    return answer


def parse_text(
    text: str,
    *,
    name: str = "<text>",
    consultation: Consultation | None = None,
    codebook: Codebook | None = None,
    board: str | None = None,
    date: dt.date | None = None,
) -> ParsedAnswer:
    """Analyse an answer given as text (same conventions as a ``.txt`` file)."""
    raw = extract_bytes(text.encode("utf-8"), format="txt", path=name)
    return analyse(raw, consultation=consultation, codebook=codebook, board=board, date=date)


def identify_board(doc: Document, consultation: Consultation) -> tuple[str | None, str | None]:
    """The recipient an answer comes from: the header's board or administration if it names a
    recipient, else the recipient whose names occur most often in the text (ties: None)."""

    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", s.lower()).strip()

    for field_value in (doc.header.board, doc.header.administration):
        if not field_value:
            continue
        fv = norm(field_value)
        for r in consultation.recipients:
            if any(norm(n) in fv or fv in norm(n) for n in r.names()):
                return r.id, field_value
    low = doc.text.lower()
    counts = []
    for r in consultation.recipients:
        n = sum(len(re.findall(r"\b" + re.escape(norm(name)), low)) for name in r.names())
        counts.append((n, r))
    counts.sort(key=lambda t: -t[0])
    if counts and counts[0][0] > 0 and (len(counts) == 1 or counts[0][0] > counts[1][0]):
        return counts[0][1].id, counts[0][1].name
    return None, None


# What the worker processes of :func:`parse_files` share: set in the parent before the pool
# forks, so the consultation, the codebook and its compiled tagger are inherited instead of
# pickled with every file (an unpickled codebook is a new object, and the tagger would be
# compiled again for each file).
_SHARED: dict[str, object] = {}


def _parse_shared(job: tuple[str, str | None, dt.date | None]) -> ParsedAnswer | None:
    path, board, date = job
    try:
        return parse_file(
            path,
            consultation=_SHARED.get("consultation"),  # type: ignore[arg-type]
            codebook=_SHARED.get("codebook"),  # type: ignore[arg-type]
            board=board,
            date=date,
        )
    except Exception:
        # The typed errors do not all survive pickling: the parent reads the file again and
        # raises the error itself.
        return None


def parse_files(
    items: Sequence[tuple[str | Path, str | None] | tuple[str | Path, str | None, dt.date | None]],
    *,
    consultation: Consultation | None = None,
    codebook: Codebook | None = None,
    workers: int | None = None,
) -> list[ParsedAnswer]:
    """Parse many answers (``(path, board or None)`` or ``(path, board, received date)``), in
    order, on ``workers`` processes (default: the CPUs available, at most 4).

    In one process, the next file is read (for a PDF: poppler in its child process) in a
    thread while the current one is analysed, so the extractor and the analysis run at the same
    time. With more workers the pool is forked with the consultation, the codebook and its
    compiled tagger already in memory. A file that cannot be read raises its typed error as
    :func:`parse_file` does."""
    import os

    codebook = codebook or _default_codebook()
    jobs = [(str(it[0]), it[1], it[2] if len(it) > 2 else None) for it in items]  # type: ignore[misc]
    if workers is None:
        workers = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
    _tagger(codebook)  # compiled once, before any fork
    if workers <= 1 or len(jobs) < 4:
        return _parse_serial(jobs, consultation, codebook)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _SHARED.update(consultation=consultation, codebook=codebook)
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            chunk = max(1, min(4, len(jobs) // (4 * workers)))
            results = list(pool.map(_parse_shared, jobs, chunksize=chunk))
    finally:
        _SHARED.clear()
    out = []
    for job, res in zip(jobs, results, strict=True):
        if res is None:
            path, board, date = job
            res = parse_file(
                path, consultation=consultation, codebook=codebook, board=board, date=date
            )
        out.append(res)
    return out


def _parse_serial(jobs, consultation, codebook) -> list[ParsedAnswer]:
    import time
    from concurrent.futures import ThreadPoolExecutor

    def read(path: str):
        t0 = time.perf_counter()
        return extract(path), time.perf_counter() - t0

    out = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="remiss-read") as reader:
        ahead = reader.submit(read, jobs[0][0]) if jobs else None
        for k, (_path, board, date) in enumerate(jobs):
            assert ahead is not None
            raw, extract_time = ahead.result()
            ahead = reader.submit(read, jobs[k + 1][0]) if k + 1 < len(jobs) else None
            answer = analyse(
                raw, consultation=consultation, codebook=codebook, board=board, date=date
            )
            answer.timings = {"extract": extract_time, **answer.timings}
            out.append(answer)
    return out
