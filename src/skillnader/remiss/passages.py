"""Passages: the paragraphs and list items of an answer, the unit that is mapped to questions,
coded and quoted.

A passage keeps exact offsets into its document's cleaned text (``doc.text[p.start:p.end] ==
p.text``), the section it stands in and the page it starts on, so that every quote in a
compilation can be traced back ("Skärholmen, s. 4, stycke 32").
"""

from __future__ import annotations

from dataclasses import dataclass

from skillnader.remiss.structure import Document, sentence_spans


@dataclass
class Passage:
    """One paragraph or list item.

    ``number`` is the 1-based paragraph number in the document (headings not counted), the
    reference used in compilations. ``role`` is ``"text"`` for the board's own words,
    ``"question_quote"`` for a quotation of a consultation question (then ``quoted_question``
    holds its id) or ``"question_intro"`` for the sentence that introduces the quoted questions.
    """

    number: int
    block: int
    kind: str
    text: str
    start: int
    end: int
    page: int | None
    section_path: tuple[str, ...]
    section_key: str | None
    role: str = "text"
    quoted_question: str | None = None
    # Where the passage stands in the original file when its text was taken from it (a writer
    # who pasted the statement's paragraphs into a form): quotes cite the original's page.
    origin_page: int | None = None
    origin_paragraph: int | None = None

    @property
    def reference(self) -> tuple[int | None, int]:
        """``(page, paragraph)`` to cite: the original file's when known."""
        if self.origin_paragraph is not None:
            return self.origin_page, self.origin_paragraph
        return self.page, self.number

    @property
    def section(self) -> str | None:
        """The innermost heading the passage stands under."""
        return self.section_path[-1] if self.section_path else None


def passages(doc: Document) -> list[Passage]:
    """The passages of ``doc`` in reading order."""
    out: list[Passage] = []
    for b in doc.blocks:
        if b.kind == "heading":
            continue
        p = Passage(
            len(out) + 1,
            b.index,
            b.kind,
            b.text,
            b.start,
            b.end,
            b.page,
            b.section_path,
            b.section_key,
        )
        if doc.text[p.start : p.end] != p.text:  # the invariant every quote relies on
            raise AssertionError(f"passage {p.number} does not match its offsets")
        out.append(p)
    return out


def short_quote(text: str, start: int, end: int, max_chars: int = 240) -> tuple[int, int, str]:
    """A short verbatim quote from ``text[start:end]``: whole sentences from the start while
    they fit in ``max_chars``, else the first sentence cut at a word boundary.

    Returns ``(start, end, quote)`` with ``text[start:end] == quote``; a cut quote does not get an
    ellipsis added, so that it stays a true substring (the display may add one).
    """
    spans = sentence_spans(text, start, end)
    if not spans:
        return start, start, ""
    q_end = spans[0][1]
    for _s, e in spans[1:]:
        if e - start > max_chars:
            break
        q_end = e
    if q_end - start > max_chars:
        cut = text.rfind(" ", start, start + max_chars)
        q_end = cut if cut > start else start + max_chars
        while q_end > start and text[q_end - 1] in ",;:– ":
            q_end -= 1
    s = spans[0][0]
    return s, q_end, text[s:q_end]
