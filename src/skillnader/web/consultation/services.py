"""What the views do, without HTTP: save versions, read uploaded statements, compile, review.

The reading, mapping, coding and compiling is done by :mod:`skillnader.remiss`; this module
stores its inputs and results and decides which text of a response the compilation reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import yaml
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from skillnader.errors import InputError
from skillnader.remiss import codebook as cb
from skillnader.remiss.compile import Compilation, compile_answers
from skillnader.remiss.errors import WrongFileTypeError
from skillnader.remiss.extract import Limits, check_size, extract_bytes
from skillnader.remiss.pipeline import ParsedAnswer, analyse, identify_board, parse_text
from skillnader.remiss.questions import Consultation as LibConsultation
from skillnader.remiss.questions import consultation_from_dict
from skillnader.web import background
from skillnader.web.consultation.models import (
    Consultation,
    Response,
    ResponseVersion,
    ReviewDecision,
    Statement,
)

UPLOAD_SUFFIXES = ("pdf", "docx", "odt", "txt")
RESERVATION_KINDS = ("reservation", "sarskilt_uttalande")


# --- versions --------------------------------------------------------------------------------


@dataclass
class SaveResult:
    """``version`` is the stored version; ``conflict`` is True when it was based on an older
    version than the current one (then it is stored as a ``conflict`` version and ``current``
    is the newer version the user has to reconcile with)."""

    version: ResponseVersion
    conflict: bool
    current: ResponseVersion | None
    unchanged: bool = False


def empty_content(consultation: Consultation) -> dict:
    return {
        "answers": {q.qid: "" for q in consultation.questions.all()},
        "decision_differs": False,
        "board_decision": "",
        "reservations": [],
    }


def save_version(
    response: Response,
    content: dict,
    *,
    user,
    based_on: int,
    kind: str = ResponseVersion.Kind.SAVE,
    statement: Statement | None = None,
    prefill: dict | None = None,
) -> SaveResult:
    """Store ``content`` as a new version of ``response``.

    Optimistic concurrency: ``based_on`` is the version number the user's form was loaded
    with. If another version was accepted since, the content is stored as a ``conflict``
    version (never lost, never current). An automatic save with nothing changed stores nothing.
    """
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        current = locked.current()
        if kind == ResponseVersion.Kind.AUTOSAVE and based_on == locked.current_version:
            base = current.content() if current else empty_content(locked.consultation)
            if base == content:
                return SaveResult(current, False, current, unchanged=True)
        conflict = based_on != locked.current_version
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        if statement is None and current is not None and not conflict:
            statement = current.statement  # the statement stays attached to later edits
        version = ResponseVersion.objects.create(
            response=locked,
            number=number,
            based_on=based_on,
            kind=ResponseVersion.Kind.CONFLICT if conflict else kind,
            answers=content["answers"],
            decision_differs=content["decision_differs"],
            board_decision=content["board_decision"],
            reservations=content["reservations"],
            statement=statement,
            prefill=prefill or {},
            created_by=user if user.is_authenticated else None,
        )
        if not conflict:
            locked.current_version = number
            locked.save(update_fields=["current_version"])
            current = version
        response.current_version = locked.current_version
    return SaveResult(version, conflict, current)


class SubmitError(Exception):
    """A submission that cannot be made (nothing saved yet, or based on an old version)."""


def submit(response: Response, *, user, based_on: int, now: dt.datetime | None = None) -> Response:
    """Submit the current version; a submission after the deadline day is marked late."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.is_submitted:
            raise SubmitError("already submitted")
        if not locked.current_version:
            raise SubmitError("nothing to submit")
        if based_on != locked.current_version:
            raise SubmitError("stale")
        locked.submitted_at = now
        locked.submitted_by = user
        locked.submitted_version = locked.current_version
        locked.late = locked.consultation.is_late(now)
        locked.save()
    return locked


# --- the library's view of a consultation ----------------------------------------------------


def library_consultation(c: Consultation) -> LibConsultation:
    """The consultation as :mod:`skillnader.remiss` sees it."""
    return consultation_from_dict(
        {
            "id": c.slug,
            "title": c.title,
            "sender": c.sender or None,
            "deadline": c.deadline.isoformat(),
            "questions": [
                {
                    "id": q.qid,
                    "number": q.number,
                    "text": q.text,
                    "role": q.role or None,
                    "short": {"sv": q.short_sv or None, "en": q.short_en or None},
                }
                for q in c.questions.all()
            ],
            "recipients": [
                {"id": b.id, "name": b.name, "aliases": b.aliases} for b in c.recipients.all()
            ],
        },
        source=f"consultation:{c.slug}",
    )


def codebook_for(c: Consultation) -> cb.Codebook:
    """The consultation's current codebook (the bundled one until a review decision)."""
    if c.codebook_yaml:
        return cb.codebook_from_dict(yaml.safe_load(c.codebook_yaml), source=f"db:{c.slug}")
    return cb.load_codebook()


# --- uploads ---------------------------------------------------------------------------------


@dataclass
class UploadResult:
    """``pending`` is True when the file is still being read in the background (then
    ``statement`` has the status ``processing`` and neither ``error`` nor ``save`` is set)."""

    statement: Statement
    error: InputError | None = None
    save: SaveResult | None = None
    pending: bool = False


def _suffix(name: str) -> str:
    return Path(name).suffix.lower().lstrip(".")


def upload_limits() -> Limits:
    """The upload limits: the library's defaults, with any values from the setting
    ``SKILLNADER_CONSULTATION_UPLOAD_LIMITS`` (e.g. ``{"max_bytes": {"pdf": 50 * 2**20}}``)."""
    return Limits.from_mapping(getattr(settings, "SKILLNADER_CONSULTATION_UPLOAD_LIMITS", None))


def _parse_bytes(data: bytes, name: str, c: Consultation, board_id: str) -> ParsedAnswer:
    return _read(data, name, library_consultation(c), codebook_for(c), board_id, upload_limits())


def _read(
    data: bytes,
    name: str,
    consultation: LibConsultation,
    codebook: cb.Codebook,
    board_id: str,
    limits: Limits,
    progress=None,
) -> ParsedAnswer:
    """Read and analyse an uploaded file; no database access (runs in background threads)."""
    report = progress or (lambda _stage: None)
    suffix = _suffix(name)
    if suffix not in UPLOAD_SUFFIXES:
        raise WrongFileTypeError(
            name, f".{suffix}" if suffix else "ingen filändelse", "PDF, DOCX, ODT eller TXT"
        )
    report("read")
    raw = extract_bytes(data, format=suffix, path=name, limits=limits)
    return analyse(
        raw, consultation=consultation, codebook=codebook, board=board_id, progress=report
    )


def prefill_from(answer: ParsedAnswer) -> tuple[dict[str, str], dict]:
    """Per question, the text of the passages the library mapped to it, and the quotes with
    their page and paragraph references (answers and, separately, closest candidates)."""
    texts: dict[str, str] = {}
    refs: dict = {}
    for m in answer.mappings:
        quotes = []
        for a in m.answers:
            p = answer.passage(a.passage)
            quotes.append(
                {
                    "paragraph": p.number,
                    "page": p.page,
                    "text": p.text,
                    "method": a.method,
                    "evidence": a.evidence,
                }
            )
        candidates = []
        for cand in m.candidates:
            p = answer.passage(cand.passage)
            candidates.append(
                {
                    "paragraph": p.number,
                    "page": p.page,
                    "text": p.text,
                    "score": round(cand.score, 3),
                }
            )
        refs[m.question] = {
            "status": m.status,
            "confidence": m.confidence,
            "quotes": quotes,
            "candidates": candidates,
        }
        if quotes and m.status == "answered":
            texts[m.question] = "\n\n".join(
                q["text"] for q, a in zip(quotes, m.answers, strict=True) if a.confidence >= 0.5
            )
    return texts, refs


# From this confidence a mapped answer replaces what the writer has already typed; below it
# the typed text stays and the mapping is only offered (the quotes in ``prefill``).
REPLACE_TYPED_CONFIDENCE = 0.9


#: The stages of reading an upload, with the share of the work done when each starts (measured
#: on PDF answers: poppler and the line grouping take about half of the time).
UPLOAD_STAGES = {
    "queued": 0.0,
    "read": 0.05,
    "structure": 0.5,
    "questions": 0.7,
    "coding": 0.8,
    "saving": 0.95,
}


def inline_seconds() -> float:
    """How long the upload request waits for the reading before it hands it over to the
    background (setting ``REMISS_UPLOAD_WAIT_SECONDS``, default 3)."""
    return float(getattr(settings, "REMISS_UPLOAD_WAIT_SECONDS", 3.0))


def stale_seconds() -> float:
    """After how long without a progress report a statement still being read counts as
    interrupted (setting ``REMISS_UPLOAD_STALE_SECONDS``, default 600)."""
    return float(getattr(settings, "REMISS_UPLOAD_STALE_SECONDS", 600.0))


def _reading_job(job: background.Job, *args) -> ParsedAnswer:
    return _read(*args, progress=lambda stage: job.report(stage, UPLOAD_STAGES.get(stage, 0.0)))


def _reject(stmt: Statement, exc: InputError) -> UploadResult:
    # A refused file is not kept: only its name, checksum and the reason.
    stmt.status = Statement.Status.REJECTED
    stmt.error = exc.message + (f" (förväntat: {exc.expected})" if exc.expected else "")
    stmt.error_type = type(exc).__name__
    stmt.progress = 100
    stmt.stage = ""
    stmt.updated_at = timezone.now()
    stmt.save()
    return UploadResult(stmt, error=exc)


def upload_statement(
    response: Response, uploaded, *, user, based_on: int, wait: float | None = None
) -> UploadResult:
    """Read an uploaded statement with the library and pre-fill the answers from it.

    A file the library rejects (scan without text, encrypted, wrong type, empty) is kept as a
    rejected statement with the library's message; the draft is left as it was.

    The reading runs in a background thread (:mod:`skillnader.web.background`); the request
    waits ``wait`` seconds (default :func:`inline_seconds`) for it. A file that takes longer is
    stored as a statement with the status ``processing`` whose stage and share done the
    background thread keeps up to date, and whose result (pre-filled version, or rejection)
    it stores when done: the result then has ``pending=True``.
    """
    name = Path(uploaded.name).name
    stmt = Statement(response=response, original_name=name, uploaded_by=user)
    try:
        # The size is checked before anything is read into memory.
        suffix = _suffix(name)
        check_size(
            uploaded.size, suffix if suffix in UPLOAD_SUFFIXES else "pdf", name, upload_limits()
        )
        data = uploaded.read()
        stmt.sha256 = hashlib.sha256(data).hexdigest()
    except InputError as exc:
        return _reject(stmt, exc)
    c = response.consultation
    job = background.submit(
        _reading_job,
        data,
        name,
        library_consultation(c),
        codebook_for(c),
        response.board_id,
        upload_limits(),
    )
    if not job.wait(inline_seconds() if wait is None else wait):
        stmt.status = Statement.Status.PROCESSING
        stmt.stage = job.stage
        stmt.progress = round(100 * job.share)
        stmt.based_on = based_on
        stmt.updated_at = timezone.now()
        stmt.save()
        pk, user_id = stmt.pk, getattr(user, "pk", None)

        def on_progress(stage: str, share: float) -> None:
            Statement.objects.filter(pk=pk, status=Statement.Status.PROCESSING).update(
                stage=stage, progress=round(100 * share), updated_at=timezone.now()
            )

        def on_done(done: background.Job) -> None:
            _finish_in_background(pk, user_id, data, done)

        if job.detach(on_progress, on_done):
            return UploadResult(stmt, pending=True)
        # It finished while the record was being written: finish here after all.
    return _finish(stmt, response, data, job, user=user, based_on=based_on)


def _finish(
    stmt: Statement, response: Response, data: bytes, job: background.Job, *, user, based_on: int
) -> UploadResult:
    """Store the result of a finished reading job: the pre-filled version, or the rejection."""
    try:
        answer = job.result()
    except InputError as exc:
        return _reject(stmt, exc)
    stmt.status = Statement.Status.PARSED
    stmt.progress = 100
    stmt.stage = ""
    stmt.updated_at = timezone.now()
    stmt.parsed = answer.to_dict()
    # The board the document itself names (header or text), to warn about a mix-up.
    detected, _name = identify_board(answer.document, library_consultation(response.consultation))
    stmt.parsed["detected_board"] = detected
    # Whether the document reads as an answer at all (questions answered or a stance taken).
    from skillnader.remiss.gate import check_answer

    stmt.parsed["not_an_answer"] = [
        r.message
        for r in check_answer(answer, library_consultation(response.consultation))
        if r.code in ("no_answer", "link_list", "from_sender")
    ]
    stmt.file.save(stmt.original_name, ContentFile(data), save=True)
    texts, refs = prefill_from(answer)
    current = response.current()
    content = current.content() if current else empty_content(response.consultation)
    typed = content["answers"]
    texts = {
        qid: text
        for qid, text in texts.items()
        if not (typed.get(qid) or "").strip() or refs[qid]["confidence"] >= REPLACE_TYPED_CONFIDENCE
    }
    content = {**content, "answers": {**typed, **texts}}
    saved = save_version(
        response,
        content,
        user=user,
        based_on=based_on,
        kind=ResponseVersion.Kind.UPLOAD,
        statement=stmt,
        prefill=refs,
    )
    return UploadResult(stmt, save=saved)


def _finish_in_background(pk: int, user_id: int | None, data: bytes, job: background.Job) -> None:
    """``_finish`` in the job's thread, for a statement handed over to the background."""
    from django.contrib.auth import get_user_model

    def load() -> Statement:
        return Statement.objects.select_related("response__consultation").get(pk=pk)

    stmt = load()
    if stmt.status != Statement.Status.PROCESSING:
        return  # marked interrupted meanwhile
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    current = [stmt]

    def attempt() -> None:
        s = current[0]
        s.stage = "saving"
        s.progress = round(100 * UPLOAD_STAGES["saving"])
        # One transaction: a page polling the statement sees it done only with its version.
        with transaction.atomic():
            _finish(s, s.response, data, job, user=user, based_on=s.based_on)

    def undo() -> None:
        if current[0].file:  # written before the transaction was rolled back: not kept
            current[0].file.delete(save=False)
        current[0] = load()

    try:
        background.retry_when_busy(attempt, on_retry=undo)
    except Exception as exc:
        # An unexpected failure is reported on the statement, not lost.
        stmt = current[0]
        if not isinstance(exc, InputError):
            import logging

            logging.getLogger(__name__).exception("reading statement %s failed", pk)
        if stmt.file:  # written before the transaction was rolled back: not kept
            stmt.file.delete(save=False)
        failure = InputError(
            "filen kunde inte läsas på grund av ett fel i tjänsten",
            expected="försök igen eller kontakta förvaltningen",
        )
        background.retry_when_busy(lambda: _reject(stmt, failure))


def expire_stale(stmt: Statement) -> Statement:
    """A statement still ``processing`` whose reading has not reported for
    :func:`stale_seconds` (the process reading it ended) becomes a rejected statement saying so."""
    if stmt.status != Statement.Status.PROCESSING or not background.is_stale(
        stmt.updated_at, seconds=stale_seconds(), now=timezone.now()
    ):
        return stmt
    updated = Statement.objects.filter(
        pk=stmt.pk, status=Statement.Status.PROCESSING, updated_at=stmt.updated_at
    ).update(
        status=Statement.Status.REJECTED,
        error="inläsningen avbröts innan den blev klar; ladda upp filen igen",
        error_type="Interrupted",
        stage="",
    )
    if updated:
        stmt.refresh_from_db()
    return stmt


# --- compilation -----------------------------------------------------------------------------


def _compose(version: ResponseVersion, c: Consultation) -> str:
    """The typed answers as a plain-text statement with one heading per question, which the
    library maps back by its headings."""
    parts = []
    for q in c.questions.all():
        text = (version.answers.get(q.qid) or "").strip()
        parts.append(f"Svar på fråga {q.number}")
        if text:
            parts.append(text)
    return "\n\n".join(parts) + "\n"


def _uses_statement(version: ResponseVersion) -> bool:
    """The compilation quotes the uploaded statement (with its pages) as long as the answers
    are still the ones taken from it; once a writer edits them, the typed text is the answer."""
    stmt = version.statement
    if stmt is None or stmt.status != Statement.Status.PARSED:
        return False
    origin = stmt.versions.filter(kind=ResponseVersion.Kind.UPLOAD).order_by("number").first()
    return origin is not None and origin.answers == version.answers


def parsed_answer(response: Response, version: ResponseVersion) -> ParsedAnswer:
    """The library's reading of one version of a response."""
    c = response.consultation
    day = timezone.localtime(response.submitted_at).date() if response.submitted_at else None
    if _uses_statement(version):
        stmt = version.statement
        with stmt.file.open("rb") as fh:
            answer = _parse_bytes(fh.read(), stmt.original_name, c, response.board_id)
        answer.date = day
        return answer
    answer = parse_text(
        _compose(version, c),
        name=f"{response.board.name} (webbformulär, version {version.number})",
        consultation=library_consultation(c),
        codebook=codebook_for(c),
        board=response.board_id,
        date=day,
    )
    _cite_original(response, version, answer)
    return answer


def _cite_original(response: Response, version: ResponseVersion, answer: ParsedAnswer) -> None:
    """Typed passages taken from the board's uploaded statement (pasted or left after edits
    elsewhere) cite the statement's own page and paragraph, not the typed text's."""
    stmt = (
        Statement.objects.filter(
            response=response,
            status=Statement.Status.PARSED,
            versions__number__lte=version.number,
        )
        .order_by("-uploaded_at")
        .first()
    )
    if stmt is None or not stmt.parsed:
        return
    norm = " ".join
    originals = [
        (norm(p["text"].split()), p["page"], p["number"]) for p in stmt.parsed.get("passages", [])
    ]
    for p in answer.passages:
        text = norm(p.text.split())
        if len(text) < 40:
            continue
        for orig, page, number in originals:
            if text == orig or (len(text) >= 80 and text in orig):
                p.origin_page, p.origin_paragraph = page, number
                break


def submitted_answers(c: Consultation) -> list[tuple[Response, ParsedAnswer]]:
    out = []
    for r in c.responses.filter(submitted_at__isnull=False).select_related("board"):
        out.append((r, parsed_answer(r, r.published_version())))
    return out


def compile_consultation(
    c: Consultation,
) -> tuple[Compilation, list[tuple[Response, ParsedAnswer]]]:
    """Compile the submitted responses (cached until a response or the codebook changes)."""
    state = list(
        c.responses.filter(submitted_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "submitted_version", "submitted_at")
    )
    book = codebook_for(c)
    key = (
        "remiss:compilation:"
        + hashlib.sha256(
            repr((c.pk, c.deadline, state, book.version, c.codebook_yaml)).encode()
        ).hexdigest()
    )
    hit = cache.get(key)
    if hit is not None and hit[2] == _decisions_state(c):
        return hit[0], hit[1]
    answers = submitted_answers(c)
    comp = compile_answers(library_consultation(c), [a for _, a in answers], codebook=book)
    apply_decisions(c, comp)
    result = (comp, answers)
    cache.set(key, (comp, answers, _decisions_state(c)), 600)
    return result


def _decisions_state(c: Consultation):
    return list(c.review_decisions.order_by("pk").values_list("pk", flat=True))


def apply_decisions(c: Consultation, comp: Compilation) -> None:
    """Per-passage review decisions in the compilation: a rejected candidate leaves the
    additional challenges, a re-coded one carries the reviewer's code instead of the automatic
    ones."""
    decided = {
        (d.response.board_id if d.response else None, d.candidate): d
        for d in c.review_decisions.filter(action__in=("reject", "recode")).select_related(
            "response"
        )
    }
    if not decided:
        return
    kept = []
    for entry in comp.additional:
        d = decided.get((entry["board"], entry["candidate"]))
        if d is not None and d.action == "reject":
            continue
        if d is not None and d.action == "recode":
            entry = {**entry, "codes": [d.code], "recoded_by": d.decided_by.get_username()}
        kept.append(entry)
    comp.additional = kept


# --- completeness ----------------------------------------------------------------------------


def completeness(c: Consultation) -> list[dict]:
    """Board × question: ``answered``, ``no_explicit_answer`` (submitted, but the question's
    answer is empty), ``missing`` (not submitted) or ``late`` (submitted after the deadline;
    ``answer_status`` keeps what it says). Same values as the library's compilation matrix."""
    responses = {r.board_id: r for r in c.responses.all()}
    questions = list(c.questions.all())
    rows = []
    for board in c.recipients.all():
        r = responses.get(board.id)
        version = r.published_version() if r and r.is_submitted else None
        cells = {}
        for q in questions:
            if version is None:
                cells[q.qid] = {"status": "missing", "answer_status": None}
                continue
            said = (
                "answered" if (version.answers.get(q.qid) or "").strip() else ("no_explicit_answer")
            )
            cells[q.qid] = {"status": "late" if r.late else said, "answer_status": said}
        rows.append(
            {
                "board": board.id,
                "board_name": board.name,
                "submitted_at": r.submitted_at.isoformat() if r and r.submitted_at else None,
                "late": bool(r and r.late),
                "draft_started": bool(r and r.current_version and not r.is_submitted),
                "cells": cells,
            }
        )
    return rows


# --- review of candidate additional challenges -----------------------------------------------


def review_queue(c: Consultation) -> list[dict]:
    """Candidate additional challenges from the compilation without a decision yet."""
    compilation, answers = compile_consultation(c)
    by_board = {r.board_id: r for r, _ in answers}
    done = set(c.review_decisions.values_list("response__board_id", "candidate"))
    queue = []
    for entry in compilation.review:
        if (entry["board"], entry["candidate"]) in done:
            continue
        if entry["reason"] == "low_confidence":
            continue  # low-confidence question mappings are shown on the response page
        r = by_board.get(entry["board"])
        answer = next(a for rr, a in answers if rr.board_id == entry["board"])
        cand = next(x for x in answer.candidates if x.id == entry["candidate"])
        queue.append({**entry, "response": r, "text": cand.text})
    return queue


class ReviewError(Exception):
    pass


@transaction.atomic
def decide(
    c: Consultation,
    *,
    board_id: str,
    candidate_id: str,
    action: str,
    user,
    code: str | None = None,
    add_term: str | None = None,
    new_code: dict | None = None,
) -> ReviewDecision:
    """Apply an analyst's decision with the library's review functions, store the new codebook
    version and log the decision (who, when, codebook versions before and after)."""
    entry = next(
        (e for e in review_queue(c) if e["board"] == board_id and e["candidate"] == candidate_id),
        None,
    )
    if entry is None:
        raise ReviewError("no such candidate in the queue")
    cand = SimpleNamespace(id=candidate_id, text=entry["text"])
    book = codebook_for(c)
    by = user.get_username()
    if action in ("accept", "merge"):
        new_book, d = cb.accept(book, cand, code or "", by=by, add_term=add_term or None)
        if action == "merge":
            d = cb.Decision(
                "merge",
                d.by,
                d.at,
                d.code,
                d.version_before,
                d.version_after,
                d.candidate,
                {**d.details, "merged_candidate": candidate_id},
            )
    elif action == "create_code":
        new_book, d = cb.create_code(book, by=by, candidate=cand, **(new_code or {}))
    elif action in ("reject", "recode"):
        if action == "recode" and (code or "") not in {x.id for x in book.codes}:
            raise ReviewError(f"unknown code {code!r}")
        # The codebook does not change: the decision applies to this passage only.
        new_book = book
        d = cb.Decision(
            action,
            by,
            timezone.now(),
            code or "" if action == "recode" else "",
            book.version,
            book.version,
            candidate_id,
            {"codes_before": list(entry.get("codes") or [])},
        )
    else:
        raise ReviewError(f"unknown action {action!r}")
    if new_book is not book:
        c.codebook_yaml = new_book.to_yaml()
        c.save(update_fields=["codebook_yaml"])
    return ReviewDecision.objects.create(
        consultation=c,
        response=entry["response"],
        candidate=candidate_id,
        candidate_text=entry["text"],
        action=d.action,
        code=d.code,
        version_before=d.version_before,
        version_after=d.version_after,
        details=d.details,
        decided_by=user,
        decided_at=d.at,
    )


@transaction.atomic
def merge_codes(c: Consultation, *, source: str, target: str, user) -> ReviewDecision:
    """Merge code ``source`` into ``target`` with the library's :func:`~skillnader.remiss.
    codebook.merge` (the target takes over the source's terms), store the new codebook version
    and log the decision."""
    new_book, d = cb.merge(codebook_for(c), source, target, by=user.get_username())
    c.codebook_yaml = new_book.to_yaml()
    c.save(update_fields=["codebook_yaml"])
    return ReviewDecision.objects.create(
        consultation=c,
        action=d.action,
        code=d.code,
        version_before=d.version_before,
        version_after=d.version_after,
        details=d.details,
        decided_by=user,
        decided_at=d.at,
    )
