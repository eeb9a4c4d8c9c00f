"""Benchmark of disclosure control: plain publication (the primary rule only) next to the joint
protection (secondary suppression over every level, vintage, group margin and total, with the
linear-programming audit), for the bundle and for an engine run on a SYNTHETIC population.

Usage::

    python bench/bench_disclosure.py                       # bundle + engine 100,000 persons
    python bench/bench_disclosure.py --persons 1000000     # a Stockholm-sized engine run
    python bench/bench_disclosure.py --skip-bundle

Writes ``bench/results/disclosure.md``. Synthetic data only for the engine: no number from it
is a statistic about Stockholm.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "disclosure.md"


def bench_bundle() -> list[str]:
    from skillnader.bundle import build as b
    from skillnader.catalog import catalog_by_id

    specs = catalog_by_id()
    t0 = time.perf_counter()
    builder = b._Builder(specs)
    b._build_all(builder)
    for ind, rows in b._rows_by_indicator(builder).items():
        b._compute(specs[ind], rows)
    plain = time.perf_counter() - t0
    t1 = time.perf_counter()
    keys, _c, _t, _r, relations, primary, _u = b.bundle_cells(builder)
    pattern = b._protect_bundle(builder)
    joint = time.perf_counter() - t1
    return [
        "## Bundle (real data)",
        "",
        f"- observations: {len(builder.obs):,}; counts in the joint table: {len(keys):,}; "
        f"additive relations: {len(relations):,}; primary cells: {int(primary.sum()):,}",
        f"- plain publication (read, compute, primary rule): {plain:.1f} s",
        f"- joint protection (relations, complements, audit): {joint:.1f} s "
        f"-> {len(pattern):,} secondary observations",
        "",
    ]


def bench_engine(persons: int) -> list[str]:
    from skillnader.engine import RecordLayout, compute, synthetic
    from skillnader.engine.spec import parse_specs

    population = synthetic.generate(persons, [2023], seed=5)
    hierarchy = synthetic.stockholm_hierarchy()  # three district vintages
    layout = RecordLayout(area="regso", period="year", groups=("sex", "age_band"), age="age")
    specs = parse_specs(
        {
            "indicators": [
                {"id": "social_assistance", "measure": "count", "numerator": "social_assistance"},
                {"id": "born_abroad", "measure": "proportion", "numerator": "born_abroad"},
            ]
        }
    )
    out = [f"## Engine ({persons:,} synthetic persons, three district vintages)", ""]
    for group_sets in ([("sex",)], [("sex",), ("age_band",), ("sex", "age_band")]):
        times = {}
        for mode in ("primary", "protected"):
            t0 = time.perf_counter()
            result = compute(
                population,
                specs,
                hierarchy,
                layout=layout,
                group_sets=group_sets,
                disclosure_control=mode,
            )
            times[mode] = (time.perf_counter() - t0, result.height, int(result["suppressed"].sum()))
        label = " + ".join("×".join(g) for g in group_sets)
        p, q = times["primary"], times["protected"]
        out.append(
            f"- groups {label}: {p[1]:,} cells; primary only {p[0]:.1f} s ({p[2]:,} suppressed); "
            f"protected {q[0]:.1f} s ({q[2]:,} suppressed)"
        )
    out.append("")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--skip-bundle", action="store_true")
    ap.add_argument("--skip-engine", action="store_true")
    args = ap.parse_args()
    np.random.seed(0)
    lines = [
        "# Disclosure control: plain publication vs joint protection",
        "",
        f"Machine: {platform.machine()}, {platform.python_version()}, shared 2 cores "
        f"({time.strftime('%Y-%m-%d')}). Run: `python bench/bench_disclosure.py "
        f"--persons {args.persons}`.",
        "",
    ]
    if not args.skip_bundle:
        lines += bench_bundle()
    if not args.skip_engine:
        lines += bench_engine(args.persons)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
