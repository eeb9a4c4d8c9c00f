"""Consultations, their questions, and the mapping of an answer's passages to the questions.

Each mapped passage carries a method and a confidence:

1. **Numbering** (confidence 1.0): a passage under a heading such as "Fråga 2", "Svar på fråga
   2" or "2. …", or one that itself starts with "Fråga 2:".
2. **Explicit statements** (0.95): a first sentence that says what it answers ("De huvudsakliga
   utmaningarna som nämnden ser …"); cues come from the consultation configuration, with
   defaults per question role.
3. **Headings in the board's own words** (:func:`match_heading`): the heading's role
   ("Förvaltningens bidrag till …" → own work, "Utmaningar i våra verksamheter" → challenges,
   "Det rapporten inte belyser" → beyond the report; role words are found inside compounds)
   plus the share of its Snowball stems found in the question (compounds by containment).
4. **Role cues in a passage** (0.55–0.8): "Den största utmaningen är …", "Utöver det som
   framkommer i rapporten …", "Förvaltningen arbetar med …" in the first sentences of a passage
   no heading has placed.
   **Codebook evidence and position** (0.55; 0.4 as a suggestion): for questions nothing above
   has answered, a passage of the board's views that is still unplaced answers the challenges
   question when the codebook's codes in it are named as problems, the own-work question when
   they stand in sentences on the board's own work (the board acting: "Vi arbetar med …",
   "Inom förskolan har förvaltningen byggt upp …", "Kontoret planerar …"; or services it offers
   named without a problem), and the additional-challenges question when it says that the report
   ("rapporten", "kommissionen", "underlaget") does not treat it
   (:func:`skillnader.remiss.tagging.role_evidence`; a sentence's own words count half a code);
   a tie goes by position (own work before the first challenge), and a passage without evidence
   between two passages answering the same question is suggested for it. A weak heading's
   suggestion that the passage's evidence agrees with becomes an answer, and a passage under a
   challenges heading in the board's own words that says the report does not treat it answers
   the additional-challenges question.
5. **One question**: in a consultation with a single question, the board's view sections
   (*Synpunkter*, *Inställning*, *Bedömning*) answer it.

A question whose best answer is below :data:`ANSWER_CONFIDENCE` is ``suggested`` (for review,
not counted); ``no_explicit_answer`` is said only when nothing plausible exists. Similarity
(TF-IDF over Swedish stems, cosine; Salton & Buckley 1988) only lists *candidates*. A passage that
quotes a question is recognised and never taken as an answer.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from skillnader.remiss.errors import ConsultationConfigError
from skillnader.remiss.passages import Passage
from skillnader.remiss.stems import content_stems
from skillnader.remiss.structure import Document, canonical_key, sentence_spans

# --- consultation ----------------------------------------------------------------------------


@dataclass
class Question:
    """A consultation question. ``role`` is ``own_work``, ``main_challenges``,
    ``additional_challenges`` or None; it selects default cues and tells the tagger which answers
    are, by the board's own words, beyond the report."""

    id: str
    number: int
    text: str
    short_sv: str | None = None
    short_en: str | None = None
    role: str | None = None
    cues: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The short Swedish label, or the full text."""
        return self.short_sv or self.text


@dataclass
class Recipient:
    """A board the consultation was sent to; ``aliases`` are names it goes by in a text."""

    id: str
    name: str
    aliases: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        """The name and the aliases."""
        return [self.name, *self.aliases]


@dataclass
class Consultation:
    """A consultation (*remiss*): title, ordered questions, recipients and deadline."""

    id: str
    title: str
    questions: list[Question]
    recipients: list[Recipient] = field(default_factory=list)
    deadline: dt.date | None = None
    sender: str | None = None
    source: str | None = None

    def question(self, qid: str) -> Question:
        """The question with id ``qid``."""
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def recipient(self, rid: str) -> Recipient | None:
        """The recipient with id ``rid``, or None."""
        return next((r for r in self.recipients if r.id == rid), None)


DEFAULT_CUES: dict[str, list[str]] = {
    "own_work": [
        r"\b(?:i|inom) (?:nämndens|förvaltningens|vårt|sitt|våra|sina) (?:eget |egna )?"
        r"(?:arbete|verksamhetsområden?) (?:med att )?motverka",
        r"\bnämnden ser (?:på )?(?:sina|sitt) egna? verksamhetsområden?",
        r"\bsom svar på (?:den )?första frågan\b",
    ],
    "main_challenges": [
        r"\b(?:de )?huvudsakliga utmaningar(?:na)?\b",
        r"\b(?:de )?(?:största|viktigaste) utmaningarna\b",
        r"\bsom svar på (?:den )?andra frågan\b",
    ],
    "additional_challenges": [
        r"\b(?:andra|ytterligare|övriga) utmaningar\b.{0,120}?\b(?:inte|ej) (?:lyfts|tas|har "
        r"lyfts|har tagits|framkommer|framkommit|nämns|berörs|belyses)\b.{0,20}?\brapporten\b",
        r"\b(?:andra|ytterligare|övriga) utmaningar,? utöver (?:de som framkommer i |vad som "
        r"tas upp i )?rapporten\b",
        r"\bsom svar på (?:den )?tredje frågan\b",
    ],
}


def _guess_role(text: str) -> str | None:
    low = text.lower()
    if "ytterligare utmaning" in low or "utöver de som framkommer" in low:
        return "additional_challenges"
    if "huvudsakliga utmaning" in low:
        return "main_challenges"
    if "egna verksamhetsområden" in low and "hur ser" in low:
        return "own_work"
    return None


def load_consultation(path: str | Path) -> Consultation:
    """Read a consultation configuration (YAML).

    Required: ``title`` and ``questions`` (each with ``id`` and ``text``); optional ``id``,
    ``deadline`` (ISO date), ``sender``, ``recipients`` (each ``id``, ``name``, ``aliases``) and,
    per question, ``number``, ``short`` (``sv``/``en``), ``role`` and ``cues`` (regular
    expressions, case-insensitive).
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConsultationConfigError("ogiltig YAML", path=str(path), value=str(exc)) from exc
    return consultation_from_dict(data, source=str(path))


def consultation_from_dict(data: dict, source: str | None = None) -> Consultation:
    """Build a :class:`Consultation` from the parsed YAML mapping."""
    if not isinstance(data, dict):
        raise ConsultationConfigError("konfigurationen ska vara en mappning", path=source)
    for key in ("title", "questions"):
        if key not in data:
            raise ConsultationConfigError(f"fältet '{key}' saknas", path=source, expected=key)
    questions = []
    for i, q in enumerate(data["questions"], start=1):
        if not isinstance(q, dict) or "text" not in q or "id" not in q:
            raise ConsultationConfigError(
                "varje fråga behöver 'id' och 'text'",
                path=source,
                location=f"questions[{i - 1}]",
                value=q,
            )
        short = q.get("short") or {}
        role = q.get("role") or _guess_role(q["text"])
        cues = list(q.get("cues") or DEFAULT_CUES.get(role or "", []))
        for cue in cues:
            try:
                re.compile(cue)
            except re.error as exc:
                raise ConsultationConfigError(
                    "ogiltigt reguljärt uttryck",
                    path=source,
                    location=f"questions[{i - 1}].cues",
                    value=cue,
                ) from exc
        questions.append(
            Question(
                str(q["id"]),
                int(q.get("number", i)),
                " ".join(str(q["text"]).split()),
                short.get("sv"),
                short.get("en"),
                role,
                cues,
            )
        )
    recipients = [
        Recipient(str(r["id"]), str(r["name"]), [str(a) for a in r.get("aliases", [])])
        for r in data.get("recipients", [])
    ]
    deadline = data.get("deadline")
    if isinstance(deadline, str):
        try:
            deadline = dt.date.fromisoformat(deadline)
        except ValueError as exc:
            raise ConsultationConfigError(
                "ogiltigt datum",
                path=source,
                location="deadline",
                value=deadline,
                expected="ÅÅÅÅ-MM-DD",
            ) from exc
    return Consultation(
        str(data.get("id") or re.sub(r"\W+", "_", data["title"].lower()).strip("_")),
        str(data["title"]),
        questions,
        recipients,
        deadline,
        data.get("sender"),
        source,
    )


def detect_questions(passages: list[Passage]) -> list[Question]:
    """The consultation's questions as quoted in an answer: the first run of numbered list items
    ending in a question mark ("1. Hur ser …?"), else the first run of bulleted questions."""
    numbered: list[Question] = []
    bulleted: list[Question] = []
    for p in passages:
        m = re.match(r"^(\d{1,2})[.)]\s+(.+\?)$", p.text)
        if m and p.kind == "list_item":
            n = int(m.group(1))
            if n == len(numbered) + 1:
                numbered.append(Question(f"q{n}", n, m.group(2), role=_guess_role(m.group(2))))
        elif p.text.endswith("?") and p.kind == "list_item" and not numbered:
            n = len(bulleted) + 1
            bulleted.append(Question(f"q{n}", n, p.text, role=_guess_role(p.text)))
    found = numbered or bulleted
    for q in found:
        q.cues = list(DEFAULT_CUES.get(q.role or "", []))
    return found


# --- quotation detection ---------------------------------------------------------------------

_INTRO = re.compile(
    r"(?:följande|dessa|nedanstående|tre|två) (?:frågeställningar|frågor)\s*:?\s*$|"
    r"(?:frågeställningar|frågorna)\s*:\s*$",
    re.I,
)


def _strip_numbering(text: str) -> str:
    return re.sub(r"^(?:(?:fråga\s*)?\d{1,2}[.):]?\s+)", "", text.strip(), flags=re.I)


def _overlap(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def mark_quotations(passages: list[Passage], questions: list[Question]) -> None:
    """Set ``role`` on passages that quote a question or introduce the quoted questions."""
    q_stems = [content_stems(q.text) for q in questions]
    for p in passages:
        body = _strip_numbering(p.text)
        stems = content_stems(body)
        best, best_q = 0.0, None
        for q, qs in zip(questions, q_stems, strict=True):
            score = _overlap(stems, qs)
            if score > best:
                best, best_q = score, q
        if best_q is not None and best >= 0.7 and len(stems) <= 1.5 * len(q_stems[0] or [1]) + 10:
            p.role = "question_quote"
            p.quoted_question = best_q.id
        elif len(p.text) < 300 and _INTRO.search(p.text[-80:]):
            p.role = "question_intro"


# --- mapping ---------------------------------------------------------------------------------


@dataclass
class Answer:
    """A passage taken as an explicit answer, with the words that make it explicit."""

    passage: int
    method: str  # "heading" | "numbering" | "statement" | "heading_match" | "cue" | "only_question"
    evidence: str
    evidence_start: int
    evidence_end: int
    confidence: float = 1.0


@dataclass
class Candidate:
    """A passage that resembles a question (cosine similarity of TF-IDF vectors)."""

    passage: int
    score: float


@dataclass
class QuestionMapping:
    """How one answer treats one question: ``answered`` with answers of sufficient confidence,
    ``suggested`` when only low-confidence answers exist (for review, not counted as answered),
    or ``no_explicit_answer`` when nothing plausible exists; ``candidates`` are similar
    passages, listed separately."""

    question: str
    status: str
    answers: list[Answer] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """The highest confidence of the answers (0 when there is none)."""
        return max((a.confidence for a in self.answers), default=0.0)


# Sections that describe the consultation rather than answer it.
_NOT_ANSWER_SECTIONS = {"bakgrund", "arendet", "arendets_beredning", "bilagor", "beslut"}

_HEADING_Q = re.compile(r"^(?:svar på\s+)?fråga\s*(?:nr\.?\s*)?(\d{1,2})\b", re.I)
_NUMBERED = re.compile(r"^(\d{1,2})[.)]\s+\S")
_INLINE_Q = re.compile(r"^(?:svar på\s+)?fråga\s*(\d{1,2})\s*[:.–-]", re.I)


def question_for_heading(heading: str, questions: list[Question]) -> Question | None:
    """The question a subheading announces: "Fråga 2", "Svar på fråga 2", "2. …", or a heading
    that repeats most of a question's words."""
    by_number = {q.number: q for q in questions}
    m = _HEADING_Q.match(heading) or _NUMBERED.match(heading)
    if m:
        return by_number.get(int(m.group(1)))
    stems = content_stems(heading)
    for q in questions:
        if len(stems) >= 3 and _overlap(stems, content_stems(q.text)) >= 0.5:
            return q
    return None


# --- role vocabulary -----------------------------------------------------------------------------

# Words (lower case, matched inside compounds) that say what a heading or passage is about:
# the board's own work, the challenges it sees, or challenges beyond the report.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "own_work": (
        "bidrag",
        "bidrar",
        "insats",
        "satsning",
        "arbetar",
        "arbete för",
        "arbete med",
        "arbete mot",
        "arbetet för",
        "arbetet med",
        "arbetet mot",
        "förvaltningens arbete",
        "nämndens arbete",
        "vårt arbete",
        "egna arbete",
        "egen verksamhet",
        "egna verksamhet",
        "genomför",
        "pågående",
        "arbetssätt",
        "vad vi gör",
        "det vi gör",
        "åtgärder",
        "våra verksamhet",
        "vår verksamhet",
        "vårt arbete",
        "förvaltningens verksamhet",
        "nämndens verksamhet",
        "nämndens uppdrag",
        "förvaltningens uppdrag",
        "pågår",
        "aktiviteter",
        "initiativ",
        "genomförda",
    ),
    "challenge": (
        "utmaning",
        "problem",
        "svårighet",
        "hinder",
        "brist",
        "risk",
        "oro",
        "behov",
        "saknas",
        "ökar",
        "ökat",
        "växande",
    ),
    "beyond": (
        "ytterligare",
        "övriga",
        "övrigt",
        "andra utmaning",
        "utöver",
        "inte tar upp",
        "inte tas upp",
        "inte lyfts",
        "inte berörs",
        "saknas i rapporten",
        "rapporten saknar",
        "rapporten inte",
        "komplettera",
        "kompletterande",
        "som inte framkommer",
    ),
}
_STRONG_CHALLENGE = re.compile(
    r"\b(?:(?:den|de) (?:största|främsta|viktigaste|huvudsakliga|stora)|stora|"
    r"huvudsakliga|främsta|största|centrala|viktiga|särskilda|tydligaste)\s+"
    r"(?:\w+\s+){0,2}(?:utmaning\w*|problem\w*|svårighet\w*)",
    re.I,
)
_OWN_WORK_STMT = re.compile(
    r"\b(?:\w*förvaltningen|\w*nämnden|vi|\w*kontoret|bolaget|verksamheten)\s+"
    r"(?:\w+\s+){0,2}(?:arbetar|bedriver|driver|har (?:under|infört|startat|påbörjat|utvecklat)|"
    r"erbjuder|genomför|satsar|bidrar|har ett (?:\w+ )?(?:arbete|uppdrag))\b"
    # the other word order: "I Farsta arbetar vi med …", "Sedan 2014 driver förvaltningen …"
    r"|\b(?:arbetar|bedriver|driver|erbjuder|genomför|satsar|bidrar) (?:vi|\w*förvaltningen|"
    r"\w*nämnden|\w*kontoret)\b"
    r"|\b(?:förvaltningens|nämndens|vårt|våra) (?:\w+ )?(?:arbete|bidrag|insatser|viktigaste bidrag)\b",
    re.I,
)
#: The report named as leaving something out, with the report as the subject: "utöver det som
#: rapporten behandlar", "rapporten inte belyser", "rapporten belyser inte" (also part of the
#: tagging's beyond-the-report cue, :data:`skillnader.remiss.tagging._BEYOND`).
BEYOND_REPORT_WORDS = (
    r"\b(?:utöver|förutom) (?:det|de|dem|vad) som (?:\w+ ){0,3}?(?:del)?rapporten"
    r" (?:\w+ )?(?:behandlar|tar upp|beskriver|lyfter|belyser|berör|nämner|redovisar)\b"
    r"|\brapporten (?:inte|ej) (?:tar upp|berör|nämner|belyser|behandlar|beskriver|lyfter)\b"
    r"|\brapporten (?:belyser|behandlar|beskriver|lyfter|nämner) inte\b"
)
_BEYOND_STMT = re.compile(
    r"\b(?:utöver|förutom) (?:det|de|vad) som (?:framkommer|tas upp|lyfts|beskrivs|nämns)"
    r"(?: fram)? i rapporten\b"
    r"|\b(?:andra|ytterligare|övriga) utmaningar\b|\bytterligare en utmaning\b"
    r"|\bsom (?:inte|ej) (?:har )?(?:lyfts|tas upp|tagits upp|framkommer|berörs|nämns|belyses)"
    r"(?: upp| fram)? i rapporten\b"
    r"|\b(?:saknas|saknar vi) i rapporten\b|\brapporten (?:saknar|tar inte upp|berör inte)\b"
    r"|" + BEYOND_REPORT_WORDS,
    re.I,
)


_BEYOND_STMT_LC = re.compile(_BEYOND_STMT.pattern)
_STRONG_CHALLENGE_LC = re.compile(_STRONG_CHALLENGE.pattern)
_OWN_WORK_STMT_LC = re.compile(_OWN_WORK_STMT.pattern)


def _has(low: str, word: str) -> bool:
    return word in low


# Challenge words that also occur in other senses or inside unrelated compounds ("riskzon",
# "behovsprövad", "ökade resurser"): half weight.
_WEAK = frozenset({"risk", "oro", "behov", "saknas", "ökar", "ökat", "växande", "brist"})


def role_scores(text: str) -> dict[str, float]:
    """How strongly ``text`` (a heading or a sentence) speaks of the board's own work, of
    challenges, and of challenges beyond the report: weighted counts of role words (found inside
    compounds, so "Samhällsutmaningar" counts as "utmaning"; ambiguous words count half)."""
    low = text.lower()
    return {
        role: float(sum(0.5 if w in _WEAK else 1.0 for w in words if _has(low, w)))
        for role, words in ROLE_WORDS.items()
    }


def heading_role(text: str) -> tuple[str | None, float]:
    """The question role a subheading announces and a confidence in [0, 1].

    "Frågor som rapporten inte tar upp", "Ytterligare utmaningar" → ``additional_challenges``;
    "Utmaningar i våra verksamheter", "Stora utmaningar i stadsdelen" → ``main_challenges``;
    "Förvaltningens bidrag till en sammanhållen stad", "Vårt arbete för …" → ``own_work``.
    """
    sc = role_scores(text)
    if sc["beyond"] and (sc["challenge"] or "rapport" in text.lower() or "fråg" in text.lower()):
        return "additional_challenges", 0.9
    if sc["beyond"] and len(text.split()) <= 3:
        # "Övrigt", "Övriga synpunkter": other remarks, perhaps challenges; for review.
        return "additional_challenges", 0.4
    if sc["challenge"] and sc["challenge"] >= sc["own_work"]:
        return "main_challenges", 0.85 if "utmaning" in text.lower() else 0.6
    if sc["own_work"]:
        return "own_work", 0.8 if sc["own_work"] >= 1 and not sc["challenge"] else 0.55
    return None, 0.0


def _soft_overlap(a: Sequence[str], b: Sequence[str]) -> float:
    """The share of ``a``'s stems that occur in ``b``, a stem counting when one is part of the
    other (compounds: "verksamhetsområd" ~ "verksamhet")."""
    if not a or not b:
        return 0.0
    bs = set(b)
    hits = 0
    for x in set(a):
        if x in bs or any(len(y) >= 5 and len(x) >= 5 and (x in y or y in x) for y in bs):
            hits += 1
    return hits / len(set(a))


def match_heading(heading: str, questions: list[Question]) -> tuple[Question | None, float]:
    """The question a heading in the board's own words answers, with a confidence.

    Explicit numbering ("Fråga 2", "2. …") gives 1.0. Otherwise each question is scored by the
    heading's role (see :func:`heading_role`) against the question's role, plus the share of the
    heading's stems found in the question (Snowball stems, compounds matched by containment).
    """
    q = question_for_heading(heading, questions)
    if q is not None:
        return q, 1.0
    role, rconf = heading_role(heading)
    stems = content_stems(heading)
    best, best_score = None, 0.0
    for q in questions:
        lex = _soft_overlap(stems, content_stems(q.text)) if stems else 0.0
        score = 0.5 * lex
        if role and q.role == role:
            score += rconf
        elif role == "additional_challenges" and q.role == "main_challenges":
            score += 0.2
        elif role == "main_challenges" and q.role == "additional_challenges":
            score += 0.15
        if score > best_score:
            best, best_score = q, score
    if len(questions) == 1 and best is None:
        return None, 0.0
    return best, min(round(best_score, 3), 0.99)


# Confidence from which a mapping counts as an answer; below it (and above SUGGEST) it is a
# suggestion for review.
ANSWER_CONFIDENCE = 0.5
SUGGEST_CONFIDENCE = 0.25


def map_questions(
    doc: Document,
    passages: list[Passage],
    questions: list[Question],
    *,
    max_candidates: int = 3,
    min_similarity: float = 0.08,
    evidence: dict[int, dict[str, float]] | None = None,
) -> list[QuestionMapping]:
    """Map ``passages`` of ``doc`` to ``questions`` (see the module docstring for the rules).

    Quotations must already be marked (:func:`mark_quotations`). Each answer carries a
    confidence: explicit numbering and the board's own statements are near 1; headings in the
    board's own wording and role cues in a passage less. A question whose best answer is below
    :data:`ANSWER_CONFIDENCE` is ``suggested`` (listed for review, not counted).
    """
    answers: dict[str, list[Answer]] = {q.id: [] for q in questions}
    taken: dict[str, set[int]] = {q.id: set() for q in questions}
    mapped: set[int] = set()
    by_id = {q.id: q for q in questions}

    def add(qid: str, p: Passage, method: str, s: int, e: int, conf: float) -> None:
        if p.number in taken[qid]:
            return
        taken[qid].add(p.number)
        if conf >= ANSWER_CONFIDENCE:
            mapped.add(p.number)
        answers[qid].append(Answer(p.number, method, doc.text[s:e], s, e, round(conf, 3)))

    def eligible(p: Passage) -> bool:
        return p.role == "text" and p.section_key not in _NOT_ANSWER_SECTIONS

    # 1. headings that announce a question, by number or in the board's own words
    heading_q: dict[int, tuple[Question, float]] = {}
    for b in doc.blocks:
        if b.kind != "heading" or b.section_key in _NOT_ANSWER_SECTIONS:
            continue
        if canonical_key(b.text) is not None:
            continue
        q, conf = match_heading(b.text, questions)
        if q is not None and conf >= SUGGEST_CONFIDENCE:
            heading_q[b.index] = (q, conf)
    heading_titles = {doc.blocks[i].text: (i, q, c) for i, (q, c) in heading_q.items()}
    for p in passages:
        if p.role != "text":
            continue
        for title in reversed(p.section_path):
            hit = heading_titles.get(title)
            if hit is not None:
                block = doc.blocks[hit[0]]
                method = "heading" if hit[2] >= 1.0 else "heading_match"
                add(hit[1].id, p, method, block.start, block.end, hit[2])
                break
        # 2. a passage that starts with its question number
        m = _INLINE_Q.match(p.text)
        if m and int(m.group(1)) in {q.number for q in questions}:
            q = next(q for q in questions if q.number == int(m.group(1)))
            add(q.id, p, "numbering", p.start + m.start(), p.start + m.end(), 1.0)

    # 3. explicit statements in the first sentence
    compiled = {q.id: [re.compile(c, re.I | re.S) for c in q.cues] for q in questions}
    for p in passages:
        if not eligible(p):
            continue
        spans = sentence_spans(doc.text, p.start, p.end)
        first_end = spans[0][1] if spans else p.end
        for q in questions:
            for rx in compiled[q.id]:
                m = rx.search(doc.text, p.start, first_end)
                if m:
                    add(q.id, p, "statement", m.start(), m.end(), 0.95)
                    break

    # 4. role cues in passages no heading or statement has placed: "Den största utmaningen
    # är …", "Utöver det som framkommer i rapporten …", "Förvaltningen arbetar med …"
    role_q = {q.role: q for q in questions if q.role}
    # The cue expressions run on the lower-cased text without IGNORECASE (much faster); the
    # offsets are the same as long as lower-casing keeps the length, as it does for Swedish.
    low = doc.text.lower()
    cues = (_BEYOND_STMT_LC, _STRONG_CHALLENGE_LC, _OWN_WORK_STMT_LC)
    if len(low) != len(doc.text):
        low, cues = doc.text, (_BEYOND_STMT, _STRONG_CHALLENGE, _OWN_WORK_STMT)
    # 4a. a passage placed under a challenges heading (not by its own number) that opens by
    # saying it goes beyond the report ("Utöver det som rapporten behandlar …") answers the
    # additional-challenges question instead
    main_q, extra_q = role_q.get("main_challenges"), role_q.get("additional_challenges")
    if main_q is not None and extra_q is not None:
        for p in passages:
            if not eligible(p) or p.number not in taken[main_q.id]:
                continue
            placed = next(a for a in answers[main_q.id] if a.passage == p.number)
            if placed.method not in ("heading", "heading_match"):
                continue
            spans = sentence_spans(doc.text, p.start, p.end)[:1]
            m = cues[0].search(low, spans[0][0], spans[0][1]) if spans else None
            if m:
                answers[main_q.id].remove(placed)
                taken[main_q.id].discard(p.number)
                add(extra_q.id, p, "cue", m.start(), m.end(), 0.8)
    for p in passages:
        if not eligible(p) or p.number in mapped or p.section_key == "sammanfattning":
            continue
        if any(p.number in taken[q.id] for q in questions):
            continue
        spans = sentence_spans(doc.text, p.start, p.end)[:3]
        for k, (s, e) in enumerate(spans):
            weight = 1.0 if k == 0 else 0.85
            m = cues[0].search(low, s, e)
            if m and "additional_challenges" in role_q:
                add(role_q["additional_challenges"].id, p, "cue", m.start(), m.end(), 0.8 * weight)
                break
            m = cues[1].search(low, s, e)
            if m and "main_challenges" in role_q:
                add(role_q["main_challenges"].id, p, "cue", m.start(), m.end(), 0.75 * weight)
                break
            m = cues[2].search(low, s, e)
            if m and "own_work" in role_q:
                add(role_q["own_work"].id, p, "cue", m.start(), m.end(), 0.65 * weight)
                break

    # 4c. a passage that holds the whole answer (the board's views in one paragraph): every
    # role cued in any of its sentences — the challenges after the own work, the ones beyond
    # the report after those
    views = [p for p in passages if eligible(p) and p.section_key != "sammanfattning"]
    if len(views) == 1 and len(sentence_spans(doc.text, views[0].start, views[0].end)) >= 3:
        (p,) = views
        for s, e in sentence_spans(doc.text, p.start, p.end):
            for rx, role, conf in (
                (cues[0], "additional_challenges", 0.75),
                (cues[1], "main_challenges", 0.7),
                (cues[2], "own_work", 0.6),
            ):
                m = rx.search(low, s, e)
                if m and role in role_q:
                    add(role_q[role].id, p, "cue", m.start(), m.end(), conf)

    # 4b. passages of the board's views that nothing has placed yet: what the codebook's codes
    # in them say (``evidence``, see skillnader.remiss.tagging.role_evidence) and where they
    # stand. A passage whose codes are named as problems answers the challenges question, one
    # whose codes stand in the board's own work the own-work question, one that says the report
    # does not treat it the additional-challenges question; a tie is broken by position (before
    # the first challenge own work, after it a challenge). A passage with no evidence between
    # two passages answering the same question is suggested for that question.
    if evidence is not None and role_q:
        _map_by_evidence(passages, questions, evidence, answers, taken, role_q, add, eligible)

    # 5. a consultation with one question: the board's view sections answer it
    if len(questions) == 1:
        q = questions[0]
        for p in passages:
            if eligible(p) and p.section_key == "synpunkter" and p.number not in mapped:
                add(q.id, p, "only_question", p.start, p.start, 0.8)
        if not answers[q.id]:
            for p in passages:
                if eligible(p) and p.section_key is None and len(p.text.split()) >= 12:
                    add(q.id, p, "only_question", p.start, p.start, 0.45)

    # 6. similarity candidates
    pool = [p for p in passages if eligible(p)]
    sims = _similarities(pool, questions)
    out = []
    for q in questions:
        scored = sorted(
            ((s, p.number) for p, s in zip(pool, sims[q.id], strict=True)),
            key=lambda t: (-t[0], t[1]),
        )
        cands = [
            Candidate(n, round(s, 4))
            for s, n in scored
            if s >= min_similarity and n not in taken[q.id]
        ][:max_candidates]
        found = sorted(answers[q.id], key=lambda a: a.passage)
        if any(a.confidence >= ANSWER_CONFIDENCE for a in found):
            status = "answered"
        elif found:
            status = "suggested"
        else:
            status = "no_explicit_answer"
        out.append(QuestionMapping(q.id, status, found, cands))
    del by_id
    return out


#: Confidence of a mapping from the codebook's evidence (counts as an answer) and of one from
#: position alone (a suggestion for review).
EVIDENCE_CONFIDENCE = 0.55
POSITION_CONFIDENCE = 0.4


def _evidence_role(ev: dict[str, float], seen_challenge: bool) -> str | None:
    """The question role a passage's evidence points to (see :func:`map_questions`, step 4b)."""
    own, ch, beyond = ev.get("own_work", 0.0), ev.get("challenge", 0.0), ev.get("beyond", 0.0)
    if beyond and ch + beyond >= own:
        # The board saying the report does not treat something is itself a challenge named.
        return "additional_challenges"
    if ch > own:
        return "main_challenges"
    if own > ch:
        return "own_work"
    if own and own == ch:
        return "main_challenges" if seen_challenge else "own_work"
    return None


def _map_by_evidence(passages, questions, evidence, answers, taken, role_q, add, eligible) -> None:
    role_of = {q.id: q.role for q in questions}
    # The board's views, and passages a weak heading of the board's own suggests for a question
    # wherever they stand (own headings may follow "Sammanfattning" with no "Synpunkter" over
    # them).
    weak = {a.passage for qid, found in answers.items() for a in found if role_of.get(qid)}
    view = [
        p
        for p in passages
        if eligible(p)
        and (p.section_key in (None, "synpunkter") or p.number in weak)
        and p.kind != "heading"
    ]
    # A passage a heading in the board's own words put under the challenges question, in which
    # the board says the report does not treat what it names, answers the additional-challenges
    # question: the passage's own statement is more specific than the heading over it.
    extra = role_q.get("additional_challenges")
    main = role_q.get("main_challenges")
    if extra is not None and main is not None:
        for a in list(answers[main.id]):
            if a.method != "heading_match" or a.passage in taken[extra.id]:
                continue
            if (evidence.get(a.passage) or {}).get("beyond"):
                answers[main.id].remove(a)
                taken[main.id].discard(a.passage)
                answers[extra.id].append(
                    Answer(
                        a.passage,
                        "heading_match+statement",
                        a.evidence,
                        a.evidence_start,
                        a.evidence_end,
                        max(a.confidence, EVIDENCE_CONFIDENCE),
                    )
                )
                taken[extra.id].add(a.passage)
    placed: dict[int, str] = {}
    suggested: dict[int, list[Answer]] = {}
    for qid, found in answers.items():
        for a in found:
            if a.confidence >= ANSWER_CONFIDENCE and role_of.get(qid):
                placed.setdefault(a.passage, role_of[qid])
            elif role_of.get(qid):
                suggested.setdefault(a.passage, []).append(a)
    # Only questions nothing more explicit has answered: an answer that states its answers
    # (headings, numbering, statements, cues) elaborates on them in the rest of its views. A
    # suggestion (a weak heading) the passage's own evidence agrees with is an answer.
    open_roles = {
        q.role
        for q in questions
        if q.role and not any(a.confidence >= ANSWER_CONFIDENCE for a in answers[q.id])
    }
    roles: list[str | None] = []
    seen_challenge = False
    for p in view:
        role: str | None
        if p.number in placed:
            role = placed[p.number]
        elif p.number in suggested:
            role = _evidence_role(evidence.get(p.number) or {}, seen_challenge)
            agree = [
                a
                for a in suggested[p.number]
                if role is not None and _role_of(a, answers, role_of) == role
            ]
            if agree:
                for a in agree:
                    a.confidence = max(a.confidence, EVIDENCE_CONFIDENCE)
                    a.method += "+codebook"
            elif role in open_roles and role in role_q:
                first = p.text.split(". ", 1)[0]
                add(
                    role_q[role].id,
                    p,
                    "codebook",
                    p.start,
                    p.start + len(first),
                    EVIDENCE_CONFIDENCE,
                )
            else:
                role = None
        elif any(p.number in taken[q.id] for q in questions) or not open_roles:
            role = None
        else:
            role = _evidence_role(evidence.get(p.number) or {}, seen_challenge)
            q = role_q.get(role) if role in open_roles else None
            if q is not None:
                first = p.text.split(". ", 1)[0]
                add(q.id, p, "codebook", p.start, p.start + len(first), EVIDENCE_CONFIDENCE)
            else:
                role = None
        seen_challenge = seen_challenge or role in ("main_challenges", "additional_challenges")
        roles.append(role)
    for i, p in enumerate(view):
        if roles[i] is not None or any(p.number in taken[q.id] for q in questions):
            continue
        before = next((r for r in reversed(roles[:i]) if r), None)
        after = next((r for r in roles[i + 1 :] if r), None)
        if before and before == after and before in open_roles and before in role_q:
            first = p.text.split(". ", 1)[0]
            add(
                role_q[before].id, p, "position", p.start, p.start + len(first), POSITION_CONFIDENCE
            )


def _role_of(
    a: Answer, answers: dict[str, list[Answer]], role_of: dict[str, str | None]
) -> str | None:
    """The role of the question ``a`` is an answer to."""
    return next(
        (role_of[qid] for qid, found in answers.items() if any(x is a for x in found)), None
    )


def _similarities(passages: list[Passage], questions: list[Question]) -> dict[str, list[float]]:
    docs = [Counter(content_stems(p.text)) for p in passages]
    n = len(docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())

    def vec(counts: Counter[str]) -> dict[str, float]:
        v = {
            t: (1 + math.log(c)) * (math.log((n + 1) / (df.get(t, 0) + 1)) + 1)
            for t, c in counts.items()
        }
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}

    pvecs = [vec(d) for d in docs]
    out = {}
    for q in questions:
        qv = vec(Counter(content_stems(q.text)))
        out[q.id] = [sum(w * pv.get(t, 0.0) for t, w in qv.items()) for pv in pvecs]
    return out
