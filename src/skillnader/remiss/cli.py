"""Command-line interface: ``remiss parse`` and ``remiss compile``.

The group is attached to the main CLI as ``skillnader remiss``; it also runs on its own with
``python -m skillnader.remiss.cli``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from skillnader.errors import SkillnaderError
from skillnader.remiss.codebook import load_codebook
from skillnader.remiss.compile import STATUS_LABELS, compile_answers, export
from skillnader.remiss.pipeline import ParsedAnswer, parse_file, parse_files
from skillnader.remiss.questions import load_consultation

BUNDLED_CONSULTATION = Path(__file__).parent / "data" / "skillnadernas_stockholm.yaml"


def _fail(exc: SkillnaderError) -> None:
    click.echo(f"fel: {exc}", err=True)
    sys.exit(exc.exit_code)


@click.group(name="remiss")
def remiss() -> None:
    """Remissvar: läs, strukturera, koda och sammanställ."""


@remiss.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
@click.option(
    "--consultation",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Remisskonfiguration (YAML); utan den läses frågorna ur svaret.",
)
@click.option("--codebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--board", help="Nämndens id i remisskonfigurationen (annars gissas den).")
def parse_cmd(file: Path, as_json: bool, consultation, codebook, board) -> None:
    """Visa avsnitt, stycken, frågekoppling och koder för ett remissvar (FILE)."""
    try:
        cons = load_consultation(consultation) if consultation else None
        cb = load_codebook(codebook) if codebook else None
        answer = parse_file(file, consultation=cons, codebook=cb, board=board)
    except SkillnaderError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(format_answer(answer))


def format_answer(a: ParsedAnswer) -> str:
    """A human-readable report of a parsed answer (Swedish)."""
    doc = a.document
    lines = [f"Fil: {doc.source} ({doc.format}, {doc.page_count or '?'} sidor)"]
    if a.board_name:
        lines.append(f"Nämnd: {a.board_name}" + (f" [{a.board}]" if a.board else ""))
    header = {k: v for k, v in doc.header.as_dict().items() if v}
    for k, v in header.items():
        lines.append(f"  {k}: {v}")
    lines.append("")
    lines.append("Avsnitt:")
    for s in doc.sections:
        indent = "  " * s.level
        page = f" (s. {s.page})" if s.page else ""
        lines.append(f"{indent}{s.title}{page}")
    lines.append("")
    lines.append("Fotnoter:")
    for f in doc.footnotes:
        lines.append(f"  [{f.number}] {f.text}")
        if f.sentence:
            lines.append(f"      till: ”{f.sentence}”")
    lines.append("")
    tags_by_p: dict[int, list[str]] = {}
    for t in a.tags:
        tags_by_p.setdefault(t.passage, [])
        if t.code not in tags_by_p[t.passage]:
            tags_by_p[t.passage].append(t.code)
    lines.append("Stycken:")
    for p in a.passages:
        role = {
            "question_quote": f" [citerar {p.quoted_question}]",
            "question_intro": " [inleder frågorna]",
        }.get(p.role, "")
        page = f"s.{p.page} " if p.page else ""
        short = p.text if len(p.text) <= 100 else p.text[:97] + "…"
        lines.append(f"  {p.number:>3} {page}{short}{role}")
        if p.number in tags_by_p:
            lines.append(f"        koder: {', '.join(tags_by_p[p.number])}")
    lines.append("")
    lines.append("Frågor:")
    for q, m in zip(a.questions, a.mappings, strict=True):
        lines.append(f"  Fråga {q.number}: {STATUS_LABELS[m.status]}")
        for ans in m.answers:
            lines.append(f"    stycke {ans.passage} ({ans.method}: ”{ans.evidence}”)")
        if m.candidates:
            cands = ", ".join(f"{c.passage} ({c.score:.2f})" for c in m.candidates)
            lines.append(f"    närliggande stycken: {cands}")
    lines.append("")
    lines.append("Kandidater till ytterligare utmaningar:")
    for c in a.candidates:
        lines.append(f"  stycke {c.passage}: {c.reason} {', '.join(c.codes)}")
    for w in doc.warnings:
        lines.append(f"Varning: {w}")
    return "\n".join(lines)


@remiss.command("compile")
@click.option(
    "--consultation",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=BUNDLED_CONSULTATION,
    show_default=True,
    help="Remisskonfiguration (YAML).",
)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Utfil: .docx, .xlsx, .pdf, .json eller .html.",
)
@click.option("--codebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--board",
    "boards",
    multiple=True,
    help="FIL=NÄMND-ID när nämnden inte går att läsa ur svaret (kan upprepas).",
)
@click.option("--received", "received", multiple=True, help="FIL=ÅÅÅÅ-MM-DD inkommet datum.")
def compile_cmd(consultation, files, out, codebook, boards, received) -> None:
    """Sammanställ flera remissvar (FILES) till en remissammanställning."""
    try:
        cons = load_consultation(consultation)
        cb = load_codebook(codebook) if codebook else load_codebook()
        board_for = _pairs(boards, "--board")
        date_for = {k: dt.date.fromisoformat(v) for k, v in _pairs(received, "--received").items()}
        # Many files are read on the CPUs available (parse_files); each keeps its board and
        # received date.
        answers = parse_files(
            [
                (
                    f,
                    board_for.get(str(f)) or board_for.get(f.name),
                    date_for.get(str(f)) or date_for.get(f.name),
                )
                for f in files
            ],
            consultation=cons,
            codebook=cb,
        )
        comp = compile_answers(cons, answers, codebook=cb)
        export(comp, out)
    except SkillnaderError as exc:
        _fail(exc)
        return
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    answered = sum(1 for b in comp.boards if b["answered"])
    click.echo(f"{out}: {answered} svar av {len(comp.boards)} remissinstanser sammanställda")
    for w in comp.warnings:
        click.echo(f"Varning: {w}", err=True)


def _pairs(values, option: str) -> dict[str, str]:
    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"{v!r}: skriv FIL=VÄRDE", param_hint=option)
        k, val = v.split("=", 1)
        out[k] = val
    return out


if __name__ == "__main__":  # pragma: no cover
    remiss()
