"""Consultation answers (*remissvar*): documents → sections → passages → questions → codes →
compilation.

A plain library: no web framework, no database. The typical flow is::

    from skillnader.remiss import parse_file, load_consultation, compile_answers

    consultation = load_consultation("skillnadernas_stockholm.yaml")
    answer = parse_file("svar.pdf", consultation=consultation)
    compilation = compile_answers(consultation, [answer])

Every span the library reports (passages, tag evidence, footnote sentences) is a pair of character
offsets into the cleaned text of its document, so ``answer.document.text[start:end]`` always gives
back the quoted string.
"""

from __future__ import annotations

__all__ = ["ParsedAnswer", "compile_answers", "load_consultation", "parse_file", "parse_text"]


def __getattr__(name: str):
    # Imported lazily so that ``skillnader.remiss.extract`` can be used without loading the
    # whole pipeline (and its optional exporters).
    if name in ("ParsedAnswer", "load_consultation", "parse_file", "parse_text"):
        from skillnader.remiss import pipeline

        return getattr(pipeline, name)
    if name == "compile_answers":
        from skillnader.remiss.compile import compile_answers

        return compile_answers
    raise AttributeError(name)
