"""Clean-up and structure: raw lines/blocks → one cleaned text with headings, sections, header
fields and footnotes.

The cleaned text is the reference for every offset in this package: blocks are joined by one
blank line (``"\\n\\n"``), whitespace inside a block is collapsed, wrapped lines are rejoined,
line-end hyphenation is undone, running headers/footers, page numbers and footnote texts are
removed, and footnote markers are taken out of the running text and kept as
:class:`Footnote` objects that point at the offset where the marker stood and at the sentence it
belongs to.

The structure follows the Stockholm *tjänsteutlåtande* (see docs/DOMAIN.md §5): a header
(board, Dnr, date, handläggare, title), the proposed decision, then the sections *Sammanfattning*,
*Bakgrund*, *Ärendet*, *Ärendets beredning*, *Förvaltningens synpunkter och förslag* (often with
unnumbered subheadings of the administration's own choosing) and *Bilagor*.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from skillnader.remiss import layout as _layout
from skillnader.remiss.extract import RawBlock, RawDocument, RawFootnote, RawLine

# --- model -----------------------------------------------------------------------------------


@dataclass
class Block:
    """A heading, paragraph or list item of the cleaned text (``text == doc.text[start:end]``)."""

    index: int
    kind: str  # "heading" | "paragraph" | "list_item"
    text: str
    start: int
    end: int
    page: int | None
    section_path: tuple[str, ...] = ()
    section_key: str | None = None
    level: int | None = None
    bullet: bool = False


@dataclass
class Section:
    """A heading and the text under it up to the next heading of the same or a higher level.

    ``key`` is the canonical id of the standard sections (``sammanfattning``, ``bakgrund``,
    ``arendet``, ``arendets_beredning``, ``synpunkter``, ``bilagor``, ``beslut``,
    ``reservation``, ``sarskilt_uttalande``) or None for the administration's own subheadings.
    """

    title: str
    key: str | None
    level: int
    start: int
    end: int
    heading_block: int
    path: tuple[str, ...]
    page: int | None = None


@dataclass
class Header:
    """Header fields of a *tjänsteutlåtande*, when present in the text."""

    board: str | None = None
    administration: str | None = None
    dnr: str | None = None
    date: str | None = None
    handlaggare: str | None = None
    title: str | None = None
    reference_dnr: str | None = None
    addressee: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        """The fields by name."""
        return {
            "reference_dnr": self.reference_dnr,
            "addressee": self.addressee,
            "board": self.board,
            "administration": self.administration,
            "dnr": self.dnr,
            "date": self.date,
            "handlaggare": self.handlaggare,
            "title": self.title,
        }


@dataclass
class Footnote:
    """A footnote, linked to where its marker stood in the cleaned text.

    ``marker_offset`` is the offset just after the character the marker followed;
    ``sentence_start``/``sentence_end`` delimit the sentence the marker belongs to (the one that
    ends at or contains the marker).
    """

    number: str
    text: str
    page: int | None
    marker_offset: int | None
    sentence_start: int | None = None
    sentence_end: int | None = None
    sentence: str | None = None
    block: int | None = None


@dataclass
class Document:
    """A cleaned, structured consultation answer."""

    source: str | None
    format: str
    text: str
    blocks: list[Block]
    sections: list[Section]
    header: Header
    footnotes: list[Footnote]
    page_count: int | None = None
    warnings: list[str] = field(default_factory=list)
    meta: list[_layout.MetaLine] = field(default_factory=list)

    def section(self, key_or_title: str) -> Section | None:
        """The first section whose key or title (case-insensitive) is ``key_or_title``."""
        want = key_or_title.lower()
        for s in self.sections:
            if s.key == want or s.title.lower() == want:
                return s
        return None


# --- canonical sections ----------------------------------------------------------------------

CANONICAL_SECTIONS: dict[str, tuple[str, ...]] = {
    "beslut": (
        "förslag till beslut",
        "förvaltningens förslag till beslut",
        "kontorets förslag till beslut",
        "beslut",
        "nämndens beslut",
    ),
    "sammanfattning": ("sammanfattning",),
    "bakgrund": ("bakgrund",),
    "arendet": (
        "ärendet",
        "ärende",
        "remissen",
        "remissens innehåll",
        "beskrivning av ärendet",
        "ärendebeskrivning",
        # The summary of the *case* describes the proposal, not the board's view.
        "sammanfattning av ärendet",
        "ärendet i korthet",
        "remissens huvudsakliga innehåll",
        "förslagen i remissen",
    ),
    "arendets_beredning": ("ärendets beredning", "beredning"),
    "synpunkter": (
        "förvaltningens synpunkter och förslag",
        "förvaltningens synpunkter",
        "kontorets synpunkter och förslag",
        "kontorets synpunkter",
        "nämndens synpunkter",
        "synpunkter och förslag",
        "synpunkter",
        "förvaltningens bedömning",
        "kontorets bedömning",
        "nämndens bedömning",
        "bedömning",
        "samlad bedömning",
        "samlade bedömning",
        "förvaltningens samlade bedömning",
        "kontorets samlade bedömning",
        "nämndens samlade bedömning",
        "sammanfattande inställning",
        "inställning",
        "nämndens inställning",
        "kommunens inställning",
        "kommunens inställning i detalj",
        "nämndens yttrande",
        "förvaltningens yttrande",
        "yttrande",
        "synpunkter på förslaget",
        "förvaltningens synpunkter på remissen",
    ),
    "bilagor": ("bilagor", "bilaga", "beslutsunderlag", "underlag", "handlingar i ärendet"),
    "reservation": ("reservation",),
    "sarskilt_uttalande": ("särskilt uttalande", "särskilda uttalanden"),
}
_CANONICAL_LOOKUP = {name: key for key, names in CANONICAL_SECTIONS.items() for name in names}


@lru_cache(maxsize=50_000)
def canonical_key(title: str) -> str | None:
    """The canonical section id for a heading text, or None."""
    norm = re.sub(r"\s+", " ", title.strip().rstrip(":").strip()).lower()
    norm = re.sub(r"^\d+(\.\d+)*\.?\s+", "", norm)
    key = _CANONICAL_LOOKUP.get(norm)
    # "Nämnden för Individ & Familjeomsorgs inställning", "Stadsbyggnadsnämndens synpunkter"
    if (
        key is None
        and len(norm.split()) <= 8
        and re.search(r"\w+s (?:inställning|synpunkter|bedömning|yttrande)(?: i detalj)?$", norm)
    ):
        key = "synpunkter"
    return key


# --- text helpers ----------------------------------------------------------------------------

_PRIVATE_BULLET = re.compile(r"^[\uf000-\uf0ff\u2022\u25cf\u25aa\u2013\u00b7\u25e6\u2043\-\*]\s+")
_SENTINEL = re.compile(r"\ue000(\w+)\ue001")
_ABBREV = {
    "sid",
    "s",
    "t.ex",
    "bl.a",
    "f",
    "ff",
    "d.v.s",
    "dvs",
    "m.m",
    "o.s.v",
    "osv",
    "ca",
    "nr",
    "kap",
    "jfr",
    "resp",
    "p",
    "tel",
    "fr.o.m",
    "t.o.m",
    "st",
    "kl",
    "m.fl",
    "dnr",
    "prop",
    "bet",
}
_SENT_END = re.compile(r"[.!?…][”\"’)\]]*(?=\s+[\"”“(\[\dA-ZÅÄÖÉ\u2022\ue000])")


# The spans found last, for one text (compared by identity): the mapping, the evidence and the
# polarity each ask for the same passages' sentences. Replaced as one tuple, so a thread
# analysing another document never reads spans of a text it did not pass.
_SPANS_MEMO: tuple[str | None, dict[tuple[int, int], list[tuple[int, int]]]] = (None, {})


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence boundaries inside ``text[start:end]`` as absolute ``(start, end)`` pairs (a
    list the caller must not change).

    Splits after ``.``, ``!``, ``?`` followed by white space and a capital letter, digit or
    quotation mark, except after common Swedish abbreviations (``bl.a.``, ``t.ex.``, ``Sid.``).
    """
    global _SPANS_MEMO
    end = len(text) if end is None else end
    memo_text, memo = _SPANS_MEMO
    if memo_text is not text:
        memo = {}
        _SPANS_MEMO = (text, memo)
    found = memo.get((start, end))
    if found is None:
        found = memo[(start, end)] = _sentence_spans(text, start, end)
    return found


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    cur = start
    for m in _SENT_END.finditer(text, start, end):
        if text[m.start()] == ".":
            k = m.start()
            while k > cur and (text[k - 1].isalnum() or text[k - 1] == "."):
                k -= 1
            if text[k : m.start()].lower() in _ABBREV:
                continue
        stop = m.end()
        spans.append((cur, stop))
        nxt = stop
        while nxt < end and text[nxt].isspace():
            nxt += 1
        cur = nxt
    if cur < end:
        stop = end
        while stop > cur and text[stop - 1].isspace():
            stop -= 1
        if stop > cur:
            spans.append((cur, stop))
    return spans


_TERMINAL = ".,;:?!…"
_QUESTION_HEADING = re.compile(r"^(?:svar på\s+)?fråga\s*\d{1,2}\b[^.?!]{0,60}$", re.I)


_FUNCTION_WORDS = set(
    [
        "och",
        "eller",
        "samt",
        "att",
        "av",
        "i",
        "på",
        "med",
        "för",
        "om",
        "som",
        "en",
        "ett",
        "den",
        "det",
        "de",
        "till",
        "från",
        "vid",
        "under",
        "över",
        "mot",
        "genom",
        "hos",
        "utan",
        "är",
        "har",
        "ska",
        "kan",
        "inom",
        "mellan",
        "efter",
    ]
)


_CHAPTER = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(?=[A-ZÅÄÖÉ\d])")


def numbering_depth(text: str) -> int | None:
    """The depth of a heading's numbering: ``2. …`` → 1, ``4.2 …`` → 2, ``10.7.4 …`` → 3."""
    m = _CHAPTER.match(text.strip())
    return m.group(1).count(".") + 1 if m else None


def _after_finished_sentence(prev: str | None) -> bool:
    """Whether the line before a heading candidate ends a sentence or a paragraph (a finished
    paragraph is passed with a trailing newline) — or there is none."""
    return prev is None or not prev.strip() or prev.rstrip()[-1] in '.?!:”"' or prev.endswith("\n")


def looks_like_heading(text: str, prev: str | None, nxt: str | None, *, max_len: int = 100) -> bool:
    """Whether a line or paragraph reads as a heading: short (at most ``max_len`` characters and
    15 words), no closing punctuation, starts with a capital (or a numbering such as ``2.``,
    ``4.2`` or ``10.7.4`` before a capital), after a finished sentence and before a line that
    starts with a capital. Dates, registration numbers, names and letterhead are not headings."""
    t = text.strip()
    if not t or canonical_key(t):
        return bool(t)
    words = t.split()
    if len(t) > max_len or len(words) > 15 or t[-1] in _TERMINAL or "  " in t:
        return False
    # A wrapped line often ends in a function word or inside an open quotation.
    if words[-1].lower() in _FUNCTION_WORDS or t.count("”") % 2 or t.count("(") != t.count(")"):
        return False
    if "\ue000" in t or _layout.classify(t) or _layout.DATE_ISO.search(t):
        return False
    if not (t[0].isupper() or _CHAPTER.match(t)):
        return False
    if re.search(r",\s*\d", t) or "|" in t:
        return False
    if not _after_finished_sentence(prev):
        return False
    if nxt is not None:
        n = nxt.strip()
        if n and not (n[0].isupper() or n[0].isdigit() or n[0] in '”"•\u2013-'):
            return False
    return True


_INTERROGATIVE = re.compile(
    r"^(?:\d{1,2}[.)]\s+)?(?:hur|vilka|vilken|vilket|vad|varför|på vilket sätt|i vilken mån|"
    r"finns|kan|ser|har|bidrar|behövs)\b",
    re.I,
)


def looks_like_question_heading(text: str, prev: str | None, nxt: str | None) -> bool:
    """Whether a line is a question the answer is organised under: the consultation's question
    in the board's own words ("Vilka utmaningar ser nämnden inom sitt område?"), one line of at
    most 30 words that starts with an interrogative, ends with a question mark, follows a
    finished sentence and is followed by running text — not by another question (a list of the
    questions asked) and not by a line that continues a sentence."""
    t = text.strip()
    words = t.split()
    if not t.endswith("?") or len(words) < 3 or len(words) > 30 or t.count("?") > 1:
        return False
    if not _INTERROGATIVE.match(t) or "\ue000" in t:
        return False
    if not _after_finished_sentence(prev):
        return False
    if nxt is None:
        return False
    n = nxt.strip()
    return bool(n) and n[0].isupper() and not n.endswith("?") and len(n.split()) >= 6


#: Standard sections that frame a tjänsteutlåtande (the proposed decision, the summary, the
#: background, the case, its preparation) rather than hold the board's views: a heading of the
#: board's own after one of them, once it has running text, starts a part of its own ("Bakgrund"
#: … "Kontorets arbete" … "Utmaningar") instead of a subsection of the background.
FRAME_KEYS = frozenset({"beslut", "sammanfattning", "bakgrund", "arendet", "arendets_beredning"})


def _heading_level(text: str, key: str | None) -> int:
    if key:
        return 1
    depth = numbering_depth(text)
    return 1 + depth if depth and depth > 1 else 2


def split_meta(
    texts: list[str], pages: list[int | None], standalone: list[bool]
) -> tuple[set[int], list[_layout.MetaLine]]:
    """The indices of ``texts`` that are letterhead, metadata, signatures or page furniture, and
    those lines as :class:`~skillnader.remiss.layout.MetaLine` (with the field a value belongs
    to when a label announced it).

    A *letterhead region* runs from the start of the document, and again from a document-type
    line (``YTTRANDE``), to the first heading or running paragraph; in it the title of the
    answer (``Yttrande över …``, ``Remiss av …``) and short organisation lines are metadata too.
    """
    meta: set[int] = set()
    out: list[_layout.MetaLine] = []
    pending: list[str] = []  # labels waiting for their values, in order
    region = True
    in_title = False
    for i, t in enumerate(texts):
        t = t.strip()
        if not t:
            continue
        # A standard heading is not metadata, unless it is a document type in capitals
        # ("YTTRANDE" heads a letterhead; "Yttrande" may head a section) or one in the
        # letterhead followed by its registration number or date ("Yttrande", "Dnr …").
        kind = (
            _layout.classify(t)
            if (
                t.isupper()
                or not canonical_key(t)
                or (region and _doc_type_in_letterhead(texts, i))
            )
            else None
        )
        if in_title and not kind and t[:1].islower() and len(t) < 200:
            meta.add(i)
            out.append(_layout.MetaLine(t, pages[i], "title"))
            in_title = not t.endswith((".", ")"))
            continue
        in_title = False
        if kind == "columns":
            meta.add(i)
            for col in _layout.columns(t):
                ck = _layout.classify(col) or "other"
                if ck == "label":
                    pending.append(_layout.LABELS[col.lower().rstrip(": ")])
                    continue
                label = pending.pop(0) if pending and ck in ("value", "org", "other") else None
                out.append(_layout.MetaLine(col, pages[i], ck, label))
            continue
        if kind == "label":
            meta.add(i)
            pending.append(_layout.LABELS[t.lower().rstrip(": ")])
            continue
        if pending and len(t) <= 80 and not t.endswith((".", "?", "!")):
            label = pending[0]
            if kind in ("value", "org", "name", "field") or (
                label in ("addressee", "copy", "handlaggare", "reference") and len(t.split()) <= 6
            ):
                pending.pop(0)
                meta.add(i)
                out.append(_layout.MetaLine(t, pages[i], kind or "value", label))
                if label == "copy" and i + 1 < len(texts) and _layout.classify(texts[i + 1]):
                    pending.insert(0, "copy")
                continue
        pending = []
        if kind in ("org", "name", "job_title", "doc_type") and not standalone[i] and not region:
            # Inside running text a short line may be the end of a paragraph; in the
            # letterhead it is what it looks like.
            kind = None if len(t) > 40 else kind
        if kind:
            meta.add(i)
            out.append(_layout.MetaLine(t, pages[i], kind))
            if kind == "doc_type":
                region = True
            continue
        if region and _layout.TITLE_LINE.match(t) and len(t) < 300:
            meta.add(i)
            out.append(_layout.MetaLine(t, pages[i], "title"))
            in_title = not t.endswith((".", ")"))
            continue
        if region and (len(t.split()) >= 12 or canonical_key(t)):
            region = False
    return meta, out


def _doc_type_in_letterhead(texts: list[str], i: int) -> bool:
    """Whether ``texts[i]`` is a document type ("Yttrande") whose next line is a registration
    number, a date or a label: the letterhead's, not a section's heading."""
    if not _layout.is_doc_type(texts[i].strip()):
        return False
    nxt = next((t.strip() for t in texts[i + 1 : i + 4] if t.strip()), "")
    return bool(nxt) and _layout.classify(nxt) in ("field", "value", "label", "columns")


def _join_lines(parts: list[str]) -> str:
    """Join wrapped lines, undoing line-end hyphenation.

    A hyphen at a line end is kept (with a space after it) when the next line starts with
    ``och``/``eller``/``samt``/``respektive``/``som``/``till`` (a suspended compound:
    ``inriktnings- och verksamhetsmål``); kept without a space when the next part starts with a
    capital or a digit (``Stockholms-Mälardalen``, ``EU-20``) or the first part is an acronym
    (``SL-``); otherwise removed (``inner-`` + ``stad`` → ``innerstad``).
    """
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not out:
            out = part
            continue
        # Only the tail can end in a hyphen; searching the whole paragraph would be quadratic.
        m = re.search(r"(\w+)-$", out[-80:]) if out.endswith("-") else None
        if out.endswith("/") and not part.startswith("/"):
            out = out + part  # "och/" + "eller": a line break after a slash adds no space
        elif m and not out.endswith(" -"):
            first = part.split(maxsplit=1)[0]  # part is stripped and not empty
            if first.lower() in ("och", "eller", "samt", "respektive", "som", "till", "resp."):
                out = out + " " + part
            elif first[0].isupper() or first[0].isdigit() or m.group(1).isupper():
                out = out + part
            else:
                out = out[:-1] + part
        else:
            out = out + " " + part
    return out


def _clean_inline(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00ad", "").replace("\u200b", "").replace("\ufeff", "")
    # Word field codes and angle-bracketed links left by copy-paste from e-mail or Word.
    text = re.sub(r'HYPERLINK\s+"[^"]*"\s*', "", text)
    text = re.sub(r"<((?:https?://|www\.)[^>\s]+)>", r"\1", text)
    text = re.sub(r"\[(https?://[^\]\s]+)\]", r"\1", text)
    text = text.replace("\t", " ").replace("\n", " ")
    text = re.sub(r"[ \u00a0]+", " ", text)
    text = re.sub(r" (\ue000\w+\ue001)", r"\1", text)
    return text.strip()


def _sentinel(text: str, markers: list[tuple[int, str]]) -> str:
    for offset, number in sorted(markers, key=lambda m: m[0], reverse=True):
        text = text[:offset] + f"\ue000{number}\ue001" + text[offset:]
    return text


# --- lines → blocks --------------------------------------------------------------------------


def _lines_to_blocks(
    lines: list[RawLine],
) -> tuple[list[RawBlock], list[RawFootnote], list[_layout.MetaLine]]:
    body = [ln for ln in lines if ln.kind in ("body", "blank")]
    footnotes = [
        RawFootnote(ln.footnote or "", ln.text, ln.page) for ln in lines if ln.kind == "footnote"
    ]
    # Running headers and footers: their facts count (the board's dnr in the header).
    furniture = [
        _layout.MetaLine(ln.text, ln.page, _layout.classify(ln.text) or "furniture")
        for ln in lines
        if ln.kind == "furniture"
    ]
    blocks: list[RawBlock] = []
    para: list[str] = []
    para_page: int | None = None

    def flush() -> None:
        nonlocal para, para_page
        if para:
            blocks.append(RawBlock(_join_lines(para), "body", None, [], para_page))
        para, para_page = [], None

    texts = [_sentinel(ln.text, ln.markers) for ln in body]
    # A line stands alone when the source ends the paragraph before and after it.
    standalone = []
    for i, ln in enumerate(body):
        before = i == 0 or body[i - 1].kind == "blank" or body[i - 1].para_end is True
        standalone.append(bool(before and ln.para_end is not False) or ln.heading)
    meta_idx, meta = split_meta(
        [ln.text if ln.kind == "body" else "" for ln in body], [ln.page for ln in body], standalone
    )
    # A wrapped line is about as long as the page is wide; headings are clearly shorter.
    lengths = sorted(len(ln.text) for ln in body if ln.kind == "body")
    max_len = int(0.75 * lengths[int(0.9 * (len(lengths) - 1))]) if len(lengths) >= 10 else 100
    # (Text with one line per paragraph has few long lines: never below 100 characters.)
    max_len = max(100, min(max_len, 120))
    in_bilagor = False
    seen_section = False
    frame_key: str | None = None  # the key of the open top-level section
    frame_with_text = False  # whether that section is a frame one with running text so far
    own_part_open = False  # whether that section is a heading of the board's own made top-level
    last_body = -1
    for i, ln in enumerate(body):
        if ln.kind == "blank":
            flush()
            continue
        if i in meta_idx:
            # Page furniture in the middle of a paragraph does not end it; a letterhead block
            # between two paragraphs does.
            if para and texts[last_body].rstrip()[-1:] in ".?!:":
                flush()
            continue
        text = texts[i]
        prev_i = last_body
        prev = None
        if para:
            prev = texts[prev_i]
        elif prev_i >= 0:
            prev = texts[prev_i] + "\n"  # a finished paragraph, whatever its last character
        nxt = next(
            (
                texts[j]
                for j in range(i + 1, len(body))
                if body[j].kind == "body" and j not in meta_idx
            ),
            None,
        )
        last_body = i
        key = canonical_key(text)
        heading = key is not None and len(text) < 70
        if key == "bilagor" and para and not ln.heading:
            heading = standalone[i]
        if not heading and not seen_section:
            # Before the first standard section only typography, an explicit "Fråga N" or a
            # line that stands alone makes a heading: names and titles there look like headings.
            heading = (
                ln.heading
                or bool(_QUESTION_HEADING.match(text))
                or (
                    standalone[i]
                    and not para
                    and looks_like_heading(text, prev, nxt, max_len=max_len)
                )
            )
        elif not heading and (not in_bilagor or (nxt is not None and len(nxt.split()) >= 8)):
            # (Under "Bilagor" or "Beslutsunderlag" the lines are a list of documents, not
            # headings, unless a line is followed by running text: the answer goes on.)
            heading = (
                ln.heading
                or looks_like_heading(text, prev, nxt, max_len=max_len)
                or looks_like_question_heading(text, prev, nxt)
            ) and (
                not para
                or body[prev_i].para_end is not False
                or texts[prev_i].rstrip()[-1:] in ".?!:"
            )
        seen_section = seen_section or heading
        if heading:
            flush()
            level = _heading_level(text, key)
            own = key is None and numbering_depth(text) is None
            if level > 1 and own and (frame_with_text or own_part_open):
                level = 1
            if level == 1:
                frame_key = key
                # a part of the board's own after the frame: its sibling headings are parts too
                own_part_open = own
            frame_with_text = False
            if in_bilagor and key is None:
                # A list of documents has no subsections: a heading after it starts a part of
                # its own.
                level = 1
            blocks.append(RawBlock(text, "heading", level, [], ln.page))
            in_bilagor = key == "bilagor"
            continue
        if not para:
            para_page = ln.page
        para.append(text)
        frame_with_text = frame_key in FRAME_KEYS
        if ln.para_end:
            flush()
    flush()
    return blocks, footnotes, furniture + meta


# --- structure -------------------------------------------------------------------------------


def structure(raw: RawDocument) -> Document:
    """Clean ``raw`` and find its blocks, sections, header fields, metadata and footnotes."""
    if raw.lines:
        blocks_raw, raw_footnotes, meta = _lines_to_blocks(raw.lines)
    else:
        blocks_raw = []
        in_bilagor = False
        seen_section = False
        texts = [_sentinel(b.text, b.markers) for b in raw.blocks]
        meta_idx, meta = split_meta(
            [b.text if b.style == "body" else "" for b in raw.blocks],
            [b.page for b in raw.blocks],
            [True] * len(raw.blocks),
        )
        kept = [i for i in range(len(raw.blocks)) if i not in meta_idx]
        for k, i in enumerate(kept):
            b = raw.blocks[i]
            key = canonical_key(b.text)
            style = b.style
            level = b.level
            if style == "heading":
                level = 1 if key else max(2, level or 2)
            elif key is not None and len(b.text) < 70:
                style, level = "heading", 1
            elif style == "body" and not in_bilagor:
                prev = texts[kept[k - 1]] + "\n" if k else None
                nxt = texts[kept[k + 1]] if k + 1 < len(kept) else None
                if (seen_section or _QUESTION_HEADING.match(b.text)) and (
                    looks_like_heading(texts[i], prev, nxt)
                    or looks_like_question_heading(texts[i], prev, nxt)
                ):
                    style, level = "heading", _heading_level(b.text, key)
                elif not seen_section and _QUESTION_HEADING.match(b.text):
                    style, level = "heading", 2
            if style == "heading":
                in_bilagor = key == "bilagor"
                seen_section = True
            blocks_raw.append(RawBlock(texts[i], style, level, [], b.page))
        raw_footnotes = list(raw.footnotes)

    text_parts: list[str] = []
    blocks: list[Block] = []
    markers: list[tuple[int, str, int]] = []  # (offset, number, block index)
    pos = 0
    for rb in blocks_raw:
        cleaned = _clean_inline(rb.text)
        bullet = False
        m = _PRIVATE_BULLET.match(cleaned)
        if m and rb.style != "heading":
            cleaned = cleaned[m.end() :]
            bullet = True
        # Take the markers out and remember where they stood.
        plain = ""
        last = 0
        found: list[tuple[int, str]] = []
        for sm in _SENTINEL.finditer(cleaned):
            plain += cleaned[last : sm.start()]
            found.append((len(plain), sm.group(1)))
            last = sm.end()
        plain += cleaned[last:]
        plain = plain.strip()
        if not plain:
            continue
        if text_parts:
            text_parts.append("\n\n")
            pos += 2
        kind = rb.style
        if kind == "body":
            kind = "list_item" if bullet or re.match(r"^\d{1,2}[.)]\s", plain) else "paragraph"
        elif kind == "list":
            kind = "list_item"
        block = Block(len(blocks), kind, plain, pos, pos + len(plain), rb.page, bullet=bullet)
        if kind == "heading":
            block.level = rb.level or 2
        for off, number in found:
            markers.append((pos + min(off, len(plain)), number, block.index))
        text_parts.append(plain)
        pos += len(plain)
        blocks.append(block)
    text = "".join(text_parts)

    sections = _sections(blocks, len(text))
    header = _header(blocks, _layout.read_facts(meta))
    footnotes = _link_footnotes(text, blocks, markers, raw_footnotes)
    warnings = []
    if not any(s.key for s in sections):
        warnings.append("inga standardrubriker (Sammanfattning, Bakgrund, …) hittades")
    for fn in footnotes:
        if fn.marker_offset is None:
            warnings.append(f"fotnot {fn.number} saknar markering i texten")
    pages = raw.page_count or max((b.page or 0 for b in blocks), default=0) or None
    return Document(
        raw.path, raw.format, text, blocks, sections, header, footnotes, pages, warnings, meta
    )


def _sections(blocks: list[Block], text_len: int) -> list[Section]:
    sections: list[Section] = []
    stack: list[Section] = []
    for b in blocks:
        if b.kind != "heading":
            b.section_path = tuple(s.title for s in stack)
            b.section_key = next((s.key for s in reversed(stack) if s.key), None)
            continue
        key = canonical_key(b.text)
        level = 1 if key else (b.level or 2)
        if not key and not any(s.key for s in stack) and level > 1 and not stack:
            level = 1
        while stack and stack[-1].level >= level:
            stack.pop()
        path = tuple(s.title for s in stack) + (b.text,)
        sec = Section(b.text, key, level, b.start, text_len, b.index, path, b.page)
        for other in sections:
            if other.end == text_len and other.level >= level and other.start < b.start:
                other.end = b.start - 2 if b.start >= 2 else b.start
        sections.append(sec)
        stack.append(sec)
        b.level = level
        b.section_path = path[:-1]
        b.section_key = next((s.key for s in reversed(stack) if s.key), None)
    return sections


_DATE_ISO = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ]
    )
}
_DATE_SV = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTHS) + r") ((?:19|20)\d{2})\b", re.I)


def _header(blocks: list[Block], facts: _layout.Facts | None = None) -> Header:
    """Header fields: the facts of the metadata lines first, then what the blocks before the
    first standard section say."""
    h0 = _header_from_blocks(blocks)
    if facts is None:
        return h0
    h = Header(
        board=facts.board or h0.board,
        administration=facts.administration or h0.administration,
        dnr=facts.dnr or h0.dnr,
        date=facts.date or h0.date,
        handlaggare=facts.handlaggare or h0.handlaggare,
        title=facts.title or h0.title,
        reference_dnr=facts.reference_dnr,
        addressee=facts.addressee,
    )
    if h.board is None and facts.addressee and re.search(r"nämnd(en)?$", facts.addressee, re.I):
        h.board = facts.addressee
    return h


def _header_from_blocks(blocks: list[Block]) -> Header:
    pre: list[Block] = []
    for b in blocks:
        if b.kind == "heading" and canonical_key(b.text) not in (None,):
            break
        pre.append(b)
    h = Header()
    texts = [b.text for b in pre]
    for i, t in enumerate(texts):
        if h.dnr is None:
            m = re.search(r"\b(?:Dnr|Diarienummer|Dnr\.)[\s.:]*([\w][\w./:-]*\d[\w./-]*)", t, re.I)
            if m:
                h.dnr = m.group(1).rstrip(".")
        if h.date is None:
            m = _DATE_ISO.search(t)
            if m:
                h.date = m.group(0)
            else:
                m = _DATE_SV.search(t)
                if m:
                    h.date = f"{m.group(3)}-{_MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
        if h.handlaggare is None and re.match(r"^handläggare\b", t, re.I):
            rest = re.sub(r"^handläggare[\s:]*", "", t, flags=re.I)
            if not rest and i + 1 < len(texts):
                rest = texts[i + 1]
            rest = re.split(r"\s+(?:Telefon|Tfn|Tel\.?)\b", rest)[0].strip(" ,")
            h.handlaggare = rest or None
        if h.board is None:
            m = re.match(r"^Till\s+(.+)$", t)
            if m:
                h.board = m.group(1).strip().rstrip(".")
        if h.administration is None:
            m = re.match(r"^([A-ZÅÄÖ][\w\- ]*?(?:förvaltning|kontor|förvaltningen|kontoret))\b", t)
            if m:
                h.administration = m.group(1)
        if h.title is None and re.match(
            r"^(?:Svar på remiss|Remiss(?:svar)? (?:av|om|över)|Yttrande över|Remiss:)", t
        ):
            h.title = t
    if h.board is None:
        for t in texts:
            m = re.match(r"^([A-ZÅÄÖ][\w\-]*(?: [\w\-]+){0,3} (?:stadsdelsnämnd|nämnd))$", t)
            if m:
                h.board = m.group(1)
                break
    return h


def _link_footnotes(
    text: str, blocks: list[Block], markers: list[tuple[int, str, int]], raw: list[RawFootnote]
) -> list[Footnote]:
    out: list[Footnote] = []
    used: set[int] = set()
    by_number: dict[str, list[int]] = {}
    for i, (_off, number, _b) in enumerate(markers):
        by_number.setdefault(number, []).append(i)
    for fn in raw:
        idx = next((i for i in by_number.get(fn.number, []) if i not in used), None)
        note = Footnote(fn.number, _clean_inline(fn.text), fn.page, None)
        if idx is not None:
            used.add(idx)
            off, _number, bi = markers[idx]
            block = blocks[bi]
            note.marker_offset = off
            note.block = bi
            if note.page is None:
                note.page = block.page
            for s, e in sentence_spans(text, block.start, block.end):
                # The marker closes its sentence: it follows the full stop (or sits inside).
                if s < off <= e or (off == s and s == block.start):
                    note.sentence_start, note.sentence_end = s, e
                    note.sentence = text[s:e]
                    break
        out.append(note)
    for i, (off, number, bi) in enumerate(markers):
        if i not in used:
            out.append(Footnote(number, "", blocks[bi].page, off, block=bi))
    return out
