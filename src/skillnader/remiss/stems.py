"""Swedish tokens and stems with their character offsets.

Stemming is the Snowball Swedish stemmer (Porter, "Snowball: A language for stemming
algorithms", 2001; snowballstem.org/algorithms/swedish/stemmer.html). Stems are cached because a
consultation round repeats the same few thousand words many times.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("swedish")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

STOPWORDS = frozenset(
    [
        "och",
        "i",
        "att",
        "det",
        "som",
        "en",
        "på",
        "är",
        "av",
        "för",
        "med",
        "till",
        "den",
        "har",
        "de",
        "inte",
        "om",
        "ett",
        "han",
        "men",
        "var",
        "jag",
        "sig",
        "från",
        "vi",
        "så",
        "kan",
        "man",
        "när",
        "år",
        "säger",
        "hon",
        "under",
        "också",
        "efter",
        "eller",
        "nu",
        "sin",
        "där",
        "vid",
        "mot",
        "ska",
        "skulle",
        "kommer",
        "ut",
        "får",
        "finns",
        "vara",
        "hade",
        "alla",
        "andra",
        "mycket",
        "än",
        "här",
        "då",
        "sedan",
        "över",
        "bara",
        "in",
        "blir",
        "upp",
        "även",
        "vad",
        "få",
        "två",
        "vill",
        "ha",
        "många",
        "hur",
        "mer",
        "går",
        "sverige",
        "kronor",
        "detta",
        "nya",
        "procent",
        "skall",
        "hans",
        "utan",
        "sina",
        "något",
        "vilka",
        "vilket",
        "vilken",
        "samt",
        "dock",
        "bland",
        "inom",
        "genom",
        "dessa",
        "denna",
        "detta",
        "deras",
        "dem",
        "oss",
        "vår",
        "våra",
        "sitt",
        "sina",
        "sig",
        "själv",
        "ser",
        "bör",
        "behöver",
        "ges",
    ]
)


class Token(NamedTuple):
    """A word of a text: its offsets, its lower-case form and its stem."""

    start: int
    end: int
    lower: str
    stem: str


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball Swedish stem of one lower-case word."""
    return _STEMMER.stemWord(word)


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word tokens of ``text[start:end]`` with absolute offsets into ``text``."""
    end = len(text) if end is None else end
    out: list[Token] = []
    append = out.append
    for m in _TOKEN.finditer(text, start, end):
        low = m.group(0).lower()
        append(Token(m.start(), m.end(), low, stem(low)))
    return out


@lru_cache(maxsize=20_000)
def content_stems(text: str) -> tuple[str, ...]:
    """Stems of the words of ``text`` that are not stop words or numbers."""
    out = []
    for m in _TOKEN.finditer(text):
        low = m.group(0).lower()
        if low not in STOPWORDS and not low.isdigit():
            out.append(stem(low))
    return tuple(out)


def stem_sequence(text: str, start: int = 0, end: int | None = None):
    """``(starts, ends, stems)`` of the words in ``text[start:end]``: the same as
    :func:`tokens` without building one object per word (the tagger's inner loop)."""
    end = len(text) if end is None else end
    spans = [m.span() for m in _TOKEN.finditer(text, start, end)]
    piece = text[start:end].lower()
    # Lower-casing can change lengths (rare Unicode cases); then fall back to per-word work.
    words = _TOKEN.findall(piece) if len(piece) == end - start else None
    if words is None or len(words) != len(spans):
        words = [text[a:b].lower() for a, b in spans]
    return [a for a, _ in spans], [b for _, b in spans], list(map(stem, words))
