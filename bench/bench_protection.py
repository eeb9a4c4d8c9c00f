"""Benchmark of the engine's protected publication next to its plain publication, on a
SYNTHETIC Stockholm-sized population.

The same engine run (``skillnader.engine.compute``: a count and a proportion, every area level
of three district vintages, sex, age band and sex × age band with their margins) is timed with
``disclosure_control="primary"`` (the plain publication: the primary rule only) and with the
default ``"protected"`` (one joint secondary suppression over every level, vintage, group margin
and total, audited by linear programming; :func:`skillnader.stats.disclosure.protect_cells`).
Each (size, mode) runs in its own process with a time limit, after the population is generated,
so a run that does not finish is reported as such instead of stopping the benchmark.

Usage::

    python bench/bench_protection.py                                  # 10k, 100k, 1M persons
    python bench/bench_protection.py --persons 10000 40000 --limit 1200

Writes ``bench/results/protection.md``. Synthetic data only: no number from it is a statistic
about Stockholm.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "protection.md"
GROUP_SETS = [("sex",), ("age_band",), ("sex", "age_band")]
INDICATORS = {
    "indicators": [
        {"id": "social_assistance", "measure": "count", "numerator": "social_assistance"},
        {"id": "born_abroad", "measure": "proportion", "numerator": "born_abroad"},
    ]
}


def child(persons: int, mode: str) -> None:
    """One timed engine run; prints a JSON line."""
    from skillnader.engine import RecordLayout, compute, synthetic
    from skillnader.engine.spec import parse_specs

    population = synthetic.generate(persons, [2023], seed=5)
    hierarchy = synthetic.stockholm_hierarchy()  # three district vintages
    layout = RecordLayout(area="regso", period="year", groups=("sex", "age_band"), age="age")
    specs = parse_specs(INDICATORS)
    t0 = time.perf_counter()
    result = compute(
        population,
        specs,
        hierarchy,
        layout=layout,
        group_sets=GROUP_SETS,
        disclosure_control=mode,
    )
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cells": result.height,
                "suppressed": int(result["suppressed"].sum()),
            }
        )
    )


def measure(persons: int, mode: str, limit: float) -> dict | None:
    cmd = [sys.executable, __file__, "--child", str(persons), mode]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--limit", type=float, default=1800, help="seconds one run may take")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1])
        return
    command = "python bench/bench_protection.py --persons " + " ".join(map(str, args.persons))
    if args.limit != 1800:
        command += f" --limit {args.limit:g}"
    lines = [
        "# Engine: plain publication vs protected publication",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, shared 2 cores "
        f"({time.strftime('%Y-%m-%d')}). Run: `{command}`.",
        "",
        "One engine run per row (a count and a proportion; every level of three district "
        "vintages; sex, age band, sex × age band and their margins; one year), each in its own "
        "process, the population generated before the clock starts. *Plain*: the primary rule "
        "only (`disclosure_control='primary'`). *Protected*: the default, joint secondary "
        "suppression audited by linear programming. Synthetic data: the small cells are many "
        "more than in the real city at the same size.",
        "",
        "| persons | published cells | plain s | protected s | protected / plain "
        "| suppressed (plain → protected) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for persons in args.persons:
        plain = measure(persons, "primary", args.limit)
        prot = measure(persons, "protected", args.limit)
        if plain is None:
            row = f"| {persons:,} | | > {args.limit:g} | | | |"
        elif prot is None:
            row = (
                f"| {persons:,} | {plain['cells']:,} | {plain['seconds']:.1f} | "
                f"> {args.limit:g} (stopped) | > {args.limit / plain['seconds']:.0f}× "
                f"| {plain['suppressed']:,} → ? |"
            )
        else:
            row = (
                f"| {persons:,} | {plain['cells']:,} | {plain['seconds']:.1f} | "
                f"{prot['seconds']:.1f} | {prot['seconds'] / plain['seconds']:.0f}× | "
                f"{plain['suppressed']:,} → {prot['suppressed']:,} |"
            )
        print(row, flush=True)
        lines.append(row)
    lines.append("")
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
