"""Deterministic tagging of passages with codebook codes, and candidate additional challenges.

A passage is turned into its sequence of lower-case Snowball stems joined by single spaces; the
codebook's terms and patterns are regular expressions over that string. A match is mapped back
to the whole words it touches, and the tag keeps that verbatim span of the cleaned text as its
evidence. A tag whose span does not reproduce its evidence string is rejected — the evidence is
what a reviewer reads, so it must be the source's own words.

Passages that no code covers, and passages in which the board itself says a challenge is beyond
the report, become :class:`CandidateChallenge` objects for review (see
:mod:`skillnader.remiss.codebook` for the review operations).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from skillnader.remiss.codebook import Codebook
from skillnader.remiss.passages import Passage
from skillnader.remiss.questions import BEYOND_REPORT_WORDS, Question, QuestionMapping
from skillnader.remiss.stems import stem_sequence


class TagSpanError(AssertionError):
    """A tag's offsets do not reproduce its evidence string."""


@dataclass(frozen=True)
class Tag:
    """A code found in a passage, with the verbatim evidence ``text[start:end]``."""

    code: str
    domain: str
    passage: int
    start: int
    end: int
    evidence: str
    rule: str
    polarity: str = "challenge"  # "challenge" | "own_work" | "report" | "mention"


POLARITY_LABELS = {
    "challenge": "Utmaning",
    "own_work": "Nämndens eget arbete",
    "report": "Citat eller sammanfattning av rapporten",
    "mention": "Omnämnande",
}


@dataclass
class CandidateChallenge:
    """A passage (or sentence) that may name a challenge the codebook or the report lacks.

    ``reason`` is ``"beyond_report"`` (the board says so, or answers the additional-challenges
    question with it) or ``"uncoded"`` (no code matched). ``codes`` are the codes the passage
    already has, as suggestions for the reviewer.
    """

    id: str
    passage: int
    start: int
    end: int
    text: str
    reason: str
    codes: list[str] = field(default_factory=list)
    cue: str | None = None


def check_span(text: str, tag: Tag) -> Tag:
    """Return ``tag`` if ``text[tag.start:tag.end] == tag.evidence``, else raise
    :class:`TagSpanError`."""
    if not (0 <= tag.start < tag.end <= len(text)) or text[tag.start : tag.end] != tag.evidence:
        raise TagSpanError(
            f"tag {tag.code} in passage {tag.passage}: span {tag.start}:{tag.end} does not match "
            f"its evidence {tag.evidence!r}"
        )
    return tag


class Tagger:
    """Compiled codebook patterns, reusable over many documents."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self._rules = [
            (code, src, rx, _required_literal(rx))
            for code in codebook.codes
            for src, rx in code.regexes()
        ]

    def tag_passage(self, text: str, passage: Passage) -> list[Tag]:
        """Tags of one passage; ``text`` is the document's cleaned text."""
        return self.tag_passages(text, [passage])

    def tag_passages(self, text: str, passages: list[Passage]) -> list[Tag]:
        """Tags of ``passages`` of one document, in text order.

        The stems of all passages go into one string, passages separated by ``" | "`` (which no
        word pattern crosses), so each rule runs once per document instead of once per passage.
        """
        starts: list[int] = []
        ends: list[int] = []
        owner: list[int] = []
        positions: list[int] = []
        chunks: list[str] = []
        pos = 0
        for p in passages:
            p_starts, p_ends, stems = stem_sequence(text, p.start, p.end)
            if not stems:
                continue
            if chunks:
                pos += 3
            for w in stems:
                positions.append(pos)
                pos += len(w) + 1
            pos -= 1
            starts.extend(p_starts)
            ends.extend(p_ends)
            owner.extend([p.number] * len(stems))
            chunks.append(" ".join(stems))
        stem_text = " | ".join(chunks)
        chunk_starts = []
        chunk_ends = []
        cpos = 0
        for chunk in chunks:
            chunk_starts.append(cpos)
            chunk_ends.append(cpos + len(chunk))
            cpos += len(chunk) + 3
        out: list[Tag] = []
        seen: dict[str, list[tuple[int, int]]] = {}

        def matches(rx: re.Pattern, literal: str | None):
            # The regex engine costs about a microsecond per character for patterns that start
            # with \b; a literal every match must contain is found by str.find at C speed, and
            # only the passages that contain it are searched.
            if not literal:
                yield from rx.finditer(stem_text)
                return
            idx = stem_text.find(literal)
            while idx != -1:
                # The literal may start with the space before a passage's first word: locate it
                # by its last character.
                k = bisect.bisect_right(chunk_starts, idx + len(literal) - 1) - 1
                yield from rx.finditer(stem_text, chunk_starts[k], chunk_ends[k])
                idx = stem_text.find(literal, max(chunk_ends[k], idx + 1))

        for code, src, rx, literal in self._rules:
            for m in matches(rx, literal):
                if m.end() <= m.start():
                    continue
                first = bisect.bisect_right(positions, m.start()) - 1
                last = bisect.bisect_right(positions, m.end() - 1) - 1
                if first < 0 or owner[first] != owner[last]:
                    continue
                start, end = starts[first], ends[last]
                spans = seen.setdefault(code.id, [])
                # Overlapping matches of the same code say the same thing once.
                if any(s < end and start < e for s, e in spans):
                    continue
                spans.append((start, end))
                tag = Tag(code.id, code.domain, owner[first], start, end, text[start:end], src)
                try:
                    out.append(check_span(text, tag))
                except TagSpanError:
                    continue
        out.sort(key=lambda t: (t.start, t.code))
        return out

    def tag(self, text: str, passages: list[Passage]) -> list[Tag]:
        """Tags of all passages that are the board's own words: question quotes and the sections
        that only describe the consultation (Bakgrund, Ärendet, …) are skipped."""
        return self.tag_passages(
            text, [p for p in passages if p.role == "text" and p.section_key not in _SKIP_SECTIONS]
        )


def _required_literal(rx: re.Pattern[str]) -> str | None:
    """The longest run of literal characters every match must contain, or None.

    Used as a cheap ``in`` test before running the expression: most rules do not match most
    passages, and a substring test is far cheaper than a regex scan starting with ``\\b``.
    """
    # The stdlib's own regex parser: there is no public API for a pattern's structure, and
    # ``sre_parse`` is its deprecated alias. Typeshed does not describe the private module.
    from re import _parser  # type: ignore[attr-defined]

    try:
        parsed = _parser.parse(rx.pattern, rx.flags)
    except Exception:  # anything unusual: no prefilter, the regex still decides
        return None
    best, run = "", ""
    for op, arg in parsed:
        if str(op) == "LITERAL":
            run += chr(arg)
            continue
        if len(run) > len(best):
            best = run
        run = ""
    if len(run) > len(best):
        best = run
    if rx.flags & re.I:
        return None
    return best if len(best) >= 3 else None


_BEYOND = re.compile(
    r"\b(?:inte|ej) (?:har )?(?:lyfts|tagits|tas|framkommer|framkommit|nämns|berörs|belyses)"
    r"(?: upp| fram)? i rapporten\b"
    r"|\butöver (?:de som framkommer i |vad som tas upp i |)rapporten\b"
    r"|\b(?:utöver|förutom) (?:det|de|vad) som (?:framkommer|tas upp|lyfts|beskrivs|nämns)"
    r"(?: fram)? i rapporten\b"
    r"|\bsaknas i rapporten\b"
    r"|\brapporten (?:tar inte upp|saknar|berör inte|nämner inte)\b"
    r"|" + BEYOND_REPORT_WORDS + r"|^ytterligare en utmaning\b",
    re.I | re.M,
)

_BEYOND_LC = re.compile(_BEYOND.pattern, re.M)

_REPORT = re.compile(
    r"\b(?:(?:del)?rapporten?s?|kommissionen(?:s)?|utredningen(?:s)?|betänkandet|promemorian|"
    r"förslaget|remissen)\b(?:\s+\w+){0,3}?\s+(?:visar|beskriver|lyfter|konstaterar|pekar|"
    r"framhåller|redovisar|föreslår|menar|anger|understryker|tar upp|belyser|nämner|"
    r"bedömer|slår fast|identifierar|framgår)"
    r"|\benligt (?:del)?rapporten\b|\bi (?:del)?rapporten (?:framgår|beskrivs|lyfts|konstateras|"
    r"redovisas|visas)|\b(?:del)?rapporten(?:s)? (?:sammanfattning|slutsatser)",
    re.I,
)
_PROBLEM = re.compile(
    r"utmaning|problem|svår|brist|saknas|saknar|risk|\bhög|\blåg|otrygg|ohälsa|begräns|hinder|"
    r"\boro|\bbehov|utsatt|ojämlik|ojämn|sämre|minskat|\bökande|\bökar|\bökat|växande|allvarlig|"
    r"inte når|når inte|drabba|segreg|arbetslös|trångbo|hemlös|ensam|isoler|våld|missbruk",
    re.I,
)
# The board's own work in a sentence: an acting subject (the board, its administration, its
# units, "vi") with a verb of doing, in either word order ("Förvaltningen har infört …", "Inom
# förskolan har förvaltningen byggt upp …", "Sedan 2013 driver vi …"); the board's work named as
# a noun ("Nämndens insatser"); its own units ("I våra förskolor …"); services it offers in the
# passive ("erbjuds", "anordnas").
_ACTOR = (
    # "förvaltningen", "nämnden", "kontoret" with the board's own name before them as one word
    # ("Kulturförvaltningen", "Socialnämnden", "Stadsbyggnadskontoret")
    r"(?:\w*förvaltningen|\w*nämnden|vi|stadsdelen|\w*kontoret|"
    r"bolaget|verksamheten|verksamheterna|förskolan|förskolorna|enheten|enheterna|socialtjänsten|"
    r"biblioteket|biblioteken|fritidsgården|fritidsgårdarna|skolan|skolorna|hemtjänsten|"
    r"äldreomsorgen|fältassistenterna|medarbetarna|personalen|avdelningen)"
)
_DOING = (
    r"(?:arbetar|bedriver|driver|erbjuder|genomför|satsar|bidrar|anordnar|håller|samverkar|"
    r"samarbetar|stödjer|planerar|samordnar|deltar|utvecklar|prioriterar|fortsätter|arrangerar|"
    r"finansierar|ansvarar|bygger|rustar|ordnar|leder)"
)
_DONE = (
    r"(?:infört|startat|påbörjat|utvecklat|genomfört|inrättat|byggt|öppnat|tagit fram|utökat|"
    r"anställt|skapat|etablerat|arbetat|satsat|drivit|erbjudit|ökat antalet|förstärkt|"
    r"förbättrat|rustat|anordnat|samlat)"
)
_OWN_ACTING = (
    r"\b" + _ACTOR + r"\s+(?:\w+\s+){0,2}(?:" + _DOING + r"|ger)\b"
    r"|\b" + _ACTOR + r"\s+(?:har|hade)\s+(?:\w+\s+){0,4}?" + _DONE + r"\b"
    r"|\b" + _DOING + r"\s+(?:förvaltningen|nämnden|vi|kontoret|stadsdelsförvaltningen|"
    r"stadsdelsnämnden)\b"
    r"|\b(?:har|hade)\s+(?:förvaltningen|nämnden|vi|kontoret|stadsdelsförvaltningen|"
    r"stadsdelsnämnden|stadsdelen)\s+(?:\w+\s+){0,4}?" + _DONE + r"\b"
)
# The board acting (subject and verb of doing): what it works on may be a problem ("Vi arbetar
# med att minska arbetslösheten"), the sentence is still about its own work.
_OWN_ACTING_LC = re.compile(_OWN_ACTING)
_OWN = re.compile(
    _OWN_ACTING
    + r"|\b(?:förvaltningens|nämndens|kontorets|vårt|våra) (?:\w+ )?(?:arbete|bidrag|insatser|"
    r"satsningar|verksamhet\w*)\b"
    r"|\b(?:i|inom|på|genom) (?:våra|vår|vårt) (?!stad|område|samhälle|kommun)\w+"
    r"|\b(?:erbjuds|anordnas|arrangeras|genomförs|bedrivs)\b"
    r"|\bgenom (?:\w+ ){0,3}(?:har|kan) (?:boende|unga|barn|invånare)",
    re.I,
)


# Codes that name something a board does or offers (dialogue, leisure, parental support)
# rather than a problem: without a problem word or a challenge question they are a mention.
ACTIVITY_CODES = frozenset(
    {
        "citizen_dialogue",
        "democratic_participation",
        "safety_public_space",
        "meeting_places",
        "preschool_language",
        "youth_leisure",
        "parental_support",
        "summer_jobs",
        "health_promotion",
        "preschool_enrolment",
        "civic_information",
        "park_area",
    }
)


# The same expressions without IGNORECASE, run on the lower-cased sentence: three times faster
# for the long alternations (the regex engine skips ahead by the first letters only when it
# need not fold case). The patterns are written in lower case.
_REPORT_LC = re.compile(_REPORT.pattern)
_PROBLEM_LC = re.compile(_PROBLEM.pattern)
# The same test in two parts, twice as fast: the alternatives that may stand inside a word (an
# alternation of literals, which the regex engine scans by their first letters) and those that
# must start a word ("\\bhög"), tested on the sentence's words.
_PROBLEM_INNER = re.compile("|".join(x for x in _PROBLEM.pattern.split("|") if x[:2] != "\\b"))
_PROBLEM_WORD_STARTS = tuple(x[2:] for x in _PROBLEM.pattern.split("|") if x[:2] == "\\b")
_OWN_LC = re.compile(_OWN.pattern)


# Words one of which every match of the expressions above contains: a sentence without any
# of them is not searched (the long alternations cost about a microsecond per character).
_REPORT_WORDS = (
    "rapport",
    "kommission",
    "utredning",
    "betänkand",
    "promemoria",
    "förslag",
    "remiss",
)
_ACTOR_WORDS = frozenset(re.findall(r"\w+", _ACTOR))
_OWN_WORDS = _ACTOR_WORDS | frozenset(
    [
        "förvaltningens",
        "nämndens",
        "kontorets",
        "vårt",
        "våra",
        "vår",
        "erbjuds",
        "anordnas",
        "arrangeras",
        "genomförs",
        "bedrivs",
        "genom",
    ]
)
_WORD = re.compile(r"\w+")
# the board named as one word with its own name ("Socialnämnden", "Stadsbyggnadskontoret")
_ACTOR_SUFFIXES = ("förvaltningen", "nämnden", "kontoret")


def _names_actor(words: set[str], vocabulary: frozenset[str]) -> bool:
    return not words.isdisjoint(vocabulary) or any(w.endswith(_ACTOR_SUFFIXES) for w in words)


def _features_of(text: str, s: int, e: int, features: dict | None) -> tuple:
    """:func:`_sentence_features` of ``text[s:e]``, kept in ``features`` (one dict per
    document) when given."""
    found = features.get((s, e)) if features is not None else None
    if found is None:
        found = _sentence_features(text[s:e])
        if features is not None:
            features[(s, e)] = found
    return found


def _sentence_features(sentence: str) -> tuple[bool, bool, bool]:
    """Whether a sentence quotes or summarises the report, names a problem, and speaks of the
    board's own work."""
    low = sentence.lower()
    # "… som rapporten inte belyser" names the report to say what it leaves out: not a quote
    if (
        any(w in low for w in _REPORT_WORDS)
        and _REPORT_LC.search(low)
        and not _BEYOND_LC.search(low)
    ):
        return True, False, False
    if "”" in sentence or '"' in sentence:
        quoted = re.findall(r"[”\"]([^”\"]{25,})[”\"]", sentence)
        if quoted and sum(len(q) for q in quoted) > 0.5 * len(sentence):
            return True, False, False
    words = set(_WORD.findall(low))
    if _names_actor(words, _ACTOR_WORDS) and _OWN_ACTING_LC.search(low):
        return False, False, True
    own = _names_actor(words, _OWN_WORDS) and bool(_OWN_LC.search(low))
    problem = bool(_PROBLEM_INNER.search(low)) or any(
        w.startswith(_PROBLEM_WORD_STARTS) for w in words
    )
    return False, problem, own


def polarity_of(
    text: str,
    s: int,
    e: int,
    *,
    role: str | None,
    section_key: str | None,
    code: str | None = None,
    features: dict[tuple[int, int], tuple[bool, bool, bool]] | None = None,
) -> str:
    """What the sentence ``text[s:e]`` does with what it names: a ``challenge`` the board sees,
    the board's ``own_work``, a quote or summary of the ``report``, or a plain ``mention``.

    ``role`` is the role of the question the passage answers (if mapped): a passage answering
    the challenge questions leans to ``challenge``, one answering the own-work question to
    ``own_work``; the sentence's own words decide first. ``features``, a dict kept for one
    document, holds what the sentence's words say (report, problem, own work) across calls.
    """
    report, problem, own = _features_of(text, s, e, features)
    if report:
        return "report"
    if own and not (problem and role in ("main_challenges", "additional_challenges")):
        return "own_work" if not problem or role == "own_work" else "challenge"
    if role in ("main_challenges", "additional_challenges"):
        return "challenge"
    if problem:
        return "challenge"
    if role == "own_work":
        return "own_work"
    if code is not None and code not in ACTIVITY_CODES:
        return "challenge"
    return "mention"


def assign_polarity(
    text: str,
    passages: list[Passage],
    tags: list[Tag],
    mappings: list[QuestionMapping],
    questions: list[Question],
    features: dict[tuple[int, int], tuple[bool, bool, bool]] | None = None,
) -> list[Tag]:
    """``tags`` with their polarity set from the sentence each one stands in (see
    :func:`polarity_of`) and the role of the question its passage answers."""
    from dataclasses import replace

    from skillnader.remiss.structure import sentence_spans

    roles = {q.id: q.role for q in questions}
    passage_role: dict[int, str] = {}
    for m in mappings:
        role = roles.get(m.question)
        if not role:
            continue
        for a in m.answers:
            if a.confidence >= 0.5:
                passage_role.setdefault(a.passage, role)
    by_number = {p.number: p for p in passages}
    out = []
    spans_cache: dict[int, list[tuple[int, int]]] = {}
    seen: dict[tuple[int, int, bool], str] = {}
    for t in tags:
        p = by_number[t.passage]
        spans = spans_cache.get(p.number)
        if spans is None:
            spans = spans_cache[p.number] = sentence_spans(text, p.start, p.end)
        s, e = next(((a, b) for a, b in spans if a <= t.start < b), (p.start, p.end))
        key = (s, e, t.code in ACTIVITY_CODES)
        pol = seen.get(key)
        if pol is None:
            pol = seen[key] = polarity_of(
                text,
                s,
                e,
                role=passage_role.get(p.number),
                section_key=p.section_key,
                code=t.code,
                features=features,
            )
        out.append(replace(t, polarity=pol))
    return out


# Sections that describe the consultation rather than the board's view.
_SKIP_SECTIONS = {"bakgrund", "arendet", "arendets_beredning", "bilagor", "beslut"}


def candidate_challenges(
    text: str,
    passages: list[Passage],
    tags: list[Tag],
    mappings: list[QuestionMapping],
    questions: list[Question],
    *,
    min_words: int = 12,
) -> list[CandidateChallenge]:
    """Candidate additional challenges: passages the board labels as beyond the report (by a cue
    such as "som inte lyfts upp i rapporten", or by answering the additional-challenges question
    with them) and passages of the board's own view that no code covers."""
    by_passage: dict[int, list[str]] = {}
    for t in tags:
        by_passage.setdefault(t.passage, [])
        if t.code not in by_passage[t.passage]:
            by_passage[t.passage].append(t.code)
    additional = {q.id for q in questions if q.role == "additional_challenges"}
    beyond: set[int] = set()
    for m in mappings:
        if m.question in additional:
            beyond.update(a.passage for a in m.answers if a.confidence >= 0.5)
    out: list[CandidateChallenge] = []
    low = text.lower()  # (searched without IGNORECASE: faster; same offsets if same length)
    beyond_rx = _BEYOND_LC
    if len(low) != len(text):
        low, beyond_rx = text, _BEYOND
    for p in passages:
        if p.role != "text" or p.section_key in _SKIP_SECTIONS:
            continue
        cue = beyond_rx.search(low, p.start, p.end)
        # Under a heading of the board's own, a passage is a candidate when the board says it
        # goes beyond the report or answers the additional-challenges question with it.
        if p.section_key is None and not (cue or p.number in beyond or p.section_path == ()):
            continue
        if cue or p.number in beyond:
            out.append(
                CandidateChallenge(
                    f"p{p.number}",
                    p.number,
                    p.start,
                    p.end,
                    p.text,
                    "beyond_report",
                    by_passage.get(p.number, []),
                    text[cue.start() : cue.end()] if cue else None,
                )
            )
            continue
        if p.number not in by_passage and len(p.text.split()) >= min_words:
            out.append(
                CandidateChallenge(f"p{p.number}", p.number, p.start, p.end, p.text, "uncoded")
            )
    return out


# --- what a passage does, from the codebook (used by the question mapping) -------------------

# The report under another name, and a sentence saying it does not treat something: "tas inte
# upp i underlaget", "något kommissionen inte har berört", "behandlas inte i rapporten".
_REPORT_NOUN = re.compile(
    r"\b(?:del)?rapport(?:en|ens)?\b|\bkommissionen(?:s)?\b|\bunderlag(?:et|ets)?\b"
    r"|\butredningen(?:s)?\b|\bbetänkandet\b|\bremissen\b"
)
_REPORT_NOUN_WORDS = ("rapport", "kommission", "underlag", "utredning", "betänkande", "remiss")
_TREAT = (
    r"(?:berört|berörs|berör|behandlat|behandlas|behandlar|tagit upp|tas upp|tar upp|lyft|lyfts|"
    r"lyfter|nämnt|nämns|nämner|belyst|belyses|belyser|framkommer|framgår|syns|uppmärksammat|"
    r"uppmärksammas|uppmärksammar|beskrivs|beskriver|omnämns)"
)
_NOT_TREATED = re.compile(
    r"\b(?:inte|ej)\s+(?:har\s+|alls\s+)?(?:\w+\s+)?" + _TREAT + r"\b"
    r"|\b" + _TREAT.replace(" upp", "") + r"\s+(?:\w+\s+)?(?:inte|ej)\b"
    r"|\bsaknas\b|\bsaknar\b"
)


def role_evidence(
    text: str,
    passages: list[Passage],
    tags: list[Tag],
    features: dict[tuple[int, int], tuple[bool, bool, bool]] | None = None,
) -> dict[int, dict[str, float]]:
    """Per passage, what the codebook's codes in it say about the passage's role, read from
    the sentence each code stands in (:func:`polarity_of` without a question's role):
    ``challenge`` (codes named as problems), ``own_work`` (codes in sentences on the board's
    own work), and ``beyond`` (1 when a sentence says that the report — "rapporten",
    "kommissionen", "underlaget" — does not treat it). A code of something boards do (an
    activity code) named without a problem counts half for ``own_work``, and so does each
    sentence in which the board acts ("Vi arbetar med …"), or names a problem (``challenge``),
    codes or not; a sentence that does both, or quotes the report, counts for neither.
    Passages with none of these get no entry."""
    from skillnader.remiss.structure import sentence_spans

    by_number = {p.number: p for p in passages}
    out: dict[int, dict[str, float]] = {}
    spans_of: dict[int, list[tuple[int, int]]] = {}
    seen: set[tuple[int, str, str]] = set()
    for t in tags:
        p = by_number.get(t.passage)
        if p is None:
            continue
        spans = spans_of.get(p.number)
        if spans is None:
            spans = spans_of[p.number] = sentence_spans(text, p.start, p.end)
        s, e = next(((a, b) for a, b in spans if a <= t.start < b), (p.start, p.end))
        pol = polarity_of(
            text, s, e, role=None, section_key=p.section_key, code=t.code, features=features
        )
        weight = 1.0
        if pol == "mention" and t.code in ACTIVITY_CODES:
            # Something boards do or offer (dialogue, leisure, preschool), named without a
            # problem: the board describing its services, half weight.
            pol, weight = "own_work", SENTENCE_WEIGHT
        if pol not in ("challenge", "own_work") or (p.number, t.code, pol) in seen:
            continue
        seen.add((p.number, t.code, pol))
        ev = out.setdefault(p.number, {})
        ev[pol] = ev.get(pol, 0.0) + weight
    for p in passages:
        if p.role != "text":
            continue
        spans = spans_of.get(p.number) or sentence_spans(text, p.start, p.end)
        # (Only the board's views and passages under headings of the board's own are placed
        # by this evidence; see questions.map_questions.)
        views = p.section_key in (None, "synpunkter") or len(p.section_path) > 1
        for s, e in spans if views else ():
            # What the sentence's own words say, codes or not: the board at work ("Vi arbetar
            # med …", "Förvaltningen har infört …") or a problem named, half weight each; a
            # sentence that says both, or quotes the report, says neither.
            report, problem, own = _features_of(text, s, e, features)
            if not report and own != problem:
                ev = out.setdefault(p.number, {})
                key = "own_work" if own else "challenge"
                ev[key] = ev.get(key, 0.0) + SENTENCE_WEIGHT
        for s, e in spans:
            sentence = text[s:e].lower()  # the expressions are lower case, without IGNORECASE
            if not any(w in sentence for w in _REPORT_NOUN_WORDS):
                continue
            if _REPORT_NOUN.search(sentence) and _NOT_TREATED.search(sentence):
                out.setdefault(p.number, {})["beyond"] = 1.0
                break
    return out


#: Weight of a sentence's own words (and of an activity code named without a problem) in
#: :func:`role_evidence`; a code named as a problem or in the board's work counts 1.
SENTENCE_WEIGHT = 0.5
