"""Benchmark: reading consultation answers from PDF against a plain ``pdftotext`` loop.

Issue 15's speed target: answers in PDF read (and compiled) within 2 × the time of a
``pdftotext FILE -`` loop over the same files. The answers are those of ``bench_remiss.py`` (the
real Skärholmen answer under other boards' names, its views repeated three times; about 12 A4
pages each when printed), printed to PDF with WeasyPrint (not timed). Run:

    PYTHONPATH=src python bench/bench_remiss_read.py [--answers 40] [--distinct 8] [--rounds 3]
        [--workers 2] [--out bench/results/remiss_read.md]

Each round times, file by file and one right after the other (so that the load of a shared
machine falls on both alike):

* ``pdftotext FILE -`` in a child process (the baseline);
* **read**: ``extract_bytes`` — poppler's ``pdftotext -bbox-layout`` in a limited child process
  and the grouping of its word boxes into lines with sizes, positions, footnote markers and
  running headers (everything the reader extracts);
* **analyse**: structure, metadata, question mapping, coding and polarity of the read answer.

The compilation of all answers is timed once per round. Reported are the sums per round; the
ratios use the round with the median baseline. Then the batch as ``skillnader remiss compile``
runs it — ``parse_files`` in one process (the next file read ahead in a thread, so poppler and
the analysis overlap) and, with ``--workers N``, on N forked processes — plus the compilation,
each against a ``pdftotext`` loop run just before it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_remiss import CONSULTATION, make_answers  # noqa: E402

from skillnader.remiss.codebook import load_codebook  # noqa: E402
from skillnader.remiss.compile import compile_answers  # noqa: E402
from skillnader.remiss.extract import extract_bytes  # noqa: E402
from skillnader.remiss.pipeline import analyse, parse_files  # noqa: E402
from skillnader.remiss.questions import load_consultation  # noqa: E402


def print_answers(distinct: int) -> list[bytes]:
    """``distinct`` answers printed to PDF (WeasyPrint; not timed)."""
    from remiss.builders import pdf_bytes  # noqa: PLC0415

    consultation = load_consultation(CONSULTATION)
    codebook = load_codebook()
    out = []
    for board, text in make_answers(distinct):
        raw = extract_bytes(text.encode("utf-8"), format="txt", path=f"{board}.txt")
        a = analyse(raw, consultation=consultation, codebook=codebook, board=board)
        out.append(pdf_bytes(a.document))
    return out


def run(n_answers: int, distinct: int, rounds: int, workers: int = 0) -> dict:
    consultation = load_consultation(CONSULTATION)
    codebook = load_codebook()
    boards = [r.id for r in consultation.recipients]
    printed = print_answers(distinct)
    per_round = []
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(n_answers):
            f = Path(tmp) / f"svar{i:02d}.pdf"
            f.write_bytes(printed[i % distinct])
            files.append((boards[i % len(boards)], f))
        pages = 0
        for _ in range(rounds):
            loop = read = analysed = 0.0
            answers = []
            pages = 0
            for board, f in files:
                t0 = time.perf_counter()
                subprocess.run(["pdftotext", str(f), "-"], capture_output=True, check=True)
                t1 = time.perf_counter()
                raw = extract_bytes(f.read_bytes(), format="pdf", path=str(f))
                t2 = time.perf_counter()
                answers.append(
                    analyse(raw, consultation=consultation, codebook=codebook, board=board)
                )
                t3 = time.perf_counter()
                loop += t1 - t0
                read += t2 - t1
                analysed += t3 - t2
                pages += raw.page_count or 0
            t0 = time.perf_counter()
            comp = compile_answers(consultation, answers, codebook=codebook)
            compiled = time.perf_counter() - t0
            answered = sum(b["answered"] for b in comp.boards)
            assert not comp.refused and answered == len({b for b, _f in files}), "answers lost"
            per_round.append({"loop": loop, "read": read, "analyse": analysed, "compile": compiled})
        batches = []
        for n_workers in sorted({1, workers}) if workers > 1 else [1]:
            # The whole run as the compile command does it: parse_files (one process reading
            # the next file ahead, or ``n_workers`` forked processes), then the compilation;
            # against one more pdftotext loop just before.
            t0 = time.perf_counter()
            for _b, f in files:
                subprocess.run(["pdftotext", str(f), "-"], capture_output=True, check=True)
            loop = time.perf_counter() - t0
            t0 = time.perf_counter()
            answers = parse_files(
                [(f, b) for b, f in files],
                consultation=consultation,
                codebook=codebook,
                workers=n_workers,
            )
            compile_answers(consultation, answers, codebook=codebook)
            batches.append({"workers": n_workers, "loop": loop, "total": time.perf_counter() - t0})
    mid = sorted(per_round, key=lambda r: r["loop"])[len(per_round) // 2]
    return {
        "files": n_answers,
        "distinct": distinct,
        "pages": pages,
        "rounds": per_round,
        "mid": mid,
        "batches": batches,
    }


def report(r: dict, command: str) -> str:
    m = r["mid"]
    total = m["read"] + m["analyse"] + m["compile"]
    lines = [
        "# Benchmark: reading consultation answers from PDF (`skillnader.remiss`)",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, poppler "
        f"{_poppler_version()}, 2 cores shared with other jobs (load average "
        f"{os.getloadavg()[0]:.1f} at the end of the run).",
        "",
        f"Input: {r['files']} PDF answers ({r['distinct']} distinct, printed by WeasyPrint, not "
        f"timed), {r['pages']} pages in all. Sums over the files of one round; ratios from the "
        "round with the median `pdftotext` loop.",
        "",
        "| round | `pdftotext FILE -` loop | read | analyse | compile |",
        "|---:|---:|---:|---:|---:|",
    ]
    for k, x in enumerate(r["rounds"], start=1):
        lines.append(
            f"| {k} | {x['loop']:.2f} s | {x['read']:.2f} s | {x['analyse']:.2f} s | "
            f"{x['compile']:.2f} s |"
        )
    lines += [
        "",
        f"- **read / loop: {m['read'] / m['loop']:.2f} ×** (reading a PDF answer: poppler's "
        "word boxes in a limited child process, grouped into lines with sizes, positions, "
        "footnote markers and running headers)",
        f"- read + analyse + compile / loop: {total / m['loop']:.2f} × "
        f"({total:.2f} s against {m['loop']:.2f} s)",
        f"- per answer: loop {1000 * m['loop'] / r['files']:.0f} ms, read "
        f"{1000 * m['read'] / r['files']:.0f} ms, analyse {1000 * m['analyse'] / r['files']:.0f} ms",
    ]
    rounds = r["rounds"]
    if len(rounds) > 1:
        ratios = [x["read"] / x["loop"] for x in rounds]
        lines.append(
            f"- read / loop over the rounds: {min(ratios):.2f}–{max(ratios):.2f} × "
            f"(median {statistics.median(ratios):.2f})"
        )
    for par in r.get("batches") or []:
        lines.append(
            f"- `parse_files(workers={par['workers']})` + compile: {par['total']:.2f} s against "
            f"a `pdftotext` loop of {par['loop']:.2f} s: **{par['total'] / par['loop']:.2f} ×**"
        )
    return "\n".join(lines) + "\n"


def _poppler_version() -> str:
    out = subprocess.run(["pdftotext", "-v"], capture_output=True, text=True)
    first = (out.stderr or out.stdout).splitlines()[:1]
    return first[0].split()[-1] if first else "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--answers", type=int, default=40)
    ap.add_argument("--distinct", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=0, help="also time parse_files on N processes")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    r = run(args.answers, args.distinct, args.rounds, args.workers)
    command = "PYTHONPATH=src python bench/bench_remiss_read.py " + " ".join(sys.argv[1:])
    text = report(r, command.strip())
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
