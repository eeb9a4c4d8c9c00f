"""Gatekeeping: is a document an answer to the consultation from one of its recipients?

A compilation must not count a web page's list of related titles, the sender's own later report
or a document that says nothing about the questions as a board's answer. :func:`check_answer`
returns the reasons a parsed document is *not* an answer (empty when it is one); the
compilation leaves such documents out of every count and names them in its warnings, and the
upload page shows the reasons to the writer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from skillnader.remiss.pipeline import ParsedAnswer
from skillnader.remiss.questions import Consultation

_URL = re.compile(r"https?://|www\.", re.I)


@dataclass(frozen=True)
class Refusal:
    """Why a document is not counted: a machine ``code`` and a Swedish ``message``."""

    code: str
    message: str


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.lower()).strip()


def is_link_list(answer: ParsedAnswer) -> bool:
    """Most of the document is titles or links, not sentences: a web page's list of related
    items (its short lines may have been read as headings or as contact lines)."""
    blocks = [b for b in answer.document.blocks if b.kind != "list_item" or b.text]
    links = sum(1 for m in answer.document.meta if _URL.search(m.text))
    if len(blocks) + links < 4:
        return False
    titles = links + sum(
        1
        for b in blocks
        if _URL.search(b.text) or (len(b.text.split()) <= 14 and b.text[-1:] not in ".!?:")
    )
    sentences = sum(
        len(re.findall(r"[.!?](?:\s|$)", p.text)) for p in answer.passages if p.role == "text"
    )
    return titles / (len(blocks) + links) >= 0.6 and sentences < 3


def from_sender(answer: ParsedAnswer, consultation: Consultation) -> bool:
    """The document's letterhead names the consultation's sender and no recipient: it is the
    sender's own text (its report, its request), not an answer."""
    if not consultation.sender:
        return False
    sender = _norm(consultation.sender)
    orgs = [
        _norm(m.text)
        for m in answer.document.meta
        if m.kind in ("org", "furniture", "doc_type") and m.label is None
    ]
    h = answer.document.header
    orgs += [_norm(x) for x in (h.board, h.administration) if x]
    if not orgs:
        return False
    names = [_norm(n) for r in consultation.recipients for n in r.names()]
    names_sender = any(sender in o or o in sender for o in orgs if len(o) > 3)
    names_recipient = any(n in o for o in orgs for n in names if len(n) > 3)
    return names_sender and not names_recipient


def check_answer(answer: ParsedAnswer, consultation: Consultation) -> list[Refusal]:
    """The reasons ``answer`` is not an answer to ``consultation`` from one of its recipients;
    empty when it is one."""
    out: list[Refusal] = []
    if answer.board is None or consultation.recipient(answer.board) is None:
        out.append(
            Refusal(
                "no_recipient",
                "ingen remissinstans kunde identifieras i dokumentet",
            )
        )
    if from_sender(answer, consultation):
        out.append(
            Refusal(
                "from_sender",
                f"dokumentet kommer från remissens avsändare ({consultation.sender}), "
                "inte från en remissinstans",
            )
        )
    if is_link_list(answer):
        out.append(
            Refusal("link_list", "dokumentet är en lista med rubriker eller länkar, inte ett svar")
        )
    answered = any(m.status == "answered" for m in answer.mappings)
    stance = any(s.key == "synpunkter" for s in answer.document.sections)
    challenges = any(t.polarity == "challenge" for t in answer.tags)
    if not answered and not stance and not challenges:
        out.append(
            Refusal(
                "no_answer",
                "dokumentet besvarar ingen av remissens frågor och tar inte ställning",
            )
        )
    return out
