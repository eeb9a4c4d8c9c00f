"""Benchmark of the inequality measures and of disclosure control on city-sized inputs.

Run:  PYTHONPATH=src nice python bench/bench_inequality.py [--out bench/results/inequality.md]

Measures (median of several runs, wall-clock):

* Gini, Theil T with decomposition and MLD over 6,000 areas (all DeSO in Sweden), weighted;
* SII/RII with 100,000 simulations for 10 deciles (the ``phe_sii`` default);
* ``protect`` on a SYNTHETIC Stockholm table: 127 RegSO nested in 13 district areas nested in the
  city, by sex (female, male, total) and by 5 age bands plus total, with Poisson counts of mean
  ``--mean`` per innermost cell, so that a realistic share of cells is small.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import polars as pl

from skillnader.stats import disclosure, inequality


def _time(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _stockholm_table(rng, mean: float):
    districts = [f"D{d:02d}" for d in range(13)]
    regso = {d: [] for d in districts}
    for i in range(127):
        regso[districts[i % 13]].append(f"R{i:03d}")
    sexes, ages = ["female", "male"], ["0-19", "20-39", "40-59", "60-79", "80+"]
    inner = {
        (r, s, a): int(rng.poisson(mean))
        for rs in regso.values()
        for r in rs
        for s in sexes
        for a in ages
    }
    area_leaves = {r: [r] for rs in regso.values() for r in rs}
    area_leaves |= {d: rs for d, rs in regso.items()}
    area_leaves["0180"] = [r for rs in regso.values() for r in rs]
    sex_leaves = {s: [s] for s in sexes} | {"total": sexes}
    age_leaves = {a: [a] for a in ages} | {"total": ages}
    rows = [
        (area, sex, age, sum(inner[k] for k in itertools.product(al, sl, gl)))
        for (area, al), (sex, sl), (age, gl) in itertools.product(
            area_leaves.items(), sex_leaves.items(), age_leaves.items()
        )
    ]
    frame = pl.DataFrame(rows, schema=["area", "sex", "age", "n"], orient="row")
    hier = {
        "area": {**regso, "0180": districts},
        "sex": {"total": sexes},
        "age": {"total": ages},
    }
    return frame, hier


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path)
    ap.add_argument("--mean", type=float, default=12.0)
    args = ap.parse_args()
    rng = np.random.default_rng(2026)
    lines = [
        f"# Inequality and disclosure benchmark ({platform.processor() or platform.machine()})",
        "",
    ]

    n = 6000
    values = rng.lognormal(5.5, 0.4, n)
    pop = rng.integers(700, 2800, n)
    groups = rng.integers(0, 290, n)
    for name, fn in [
        ("gini, weighted", lambda: inequality.gini(values, pop)),
        ("theil T, weighted, 290 groups", lambda: inequality.theil(values, pop, groups)),
        (
            "mean log deviation, weighted",
            lambda: inequality.mean_log_deviation(values, pop, groups),
        ),
    ]:
        t, _ = _time(fn)
        lines.append(f"- {name}, {n} areas: {t * 1000:.1f} ms")

    dec_pop = rng.integers(5000, 9000, 10)
    dec_val = np.linspace(76, 86, 10) + rng.normal(0, 0.5, 10)
    t, res = _time(
        lambda: inequality.sii_rii(dec_val, dec_pop, se=np.full(10, 1.5), reps=100_000, seed=1)
    )
    lines.append(
        f"- sii_rii, 10 deciles, 100,000 simulations: {t * 1000:.1f} ms (SII {res.sii:.3f})"
    )

    frame, hier = _stockholm_table(rng, args.mean)
    dims = ["area", "sex", "age"]
    t, out = _time(
        lambda: disclosure.protect(frame, dims=dims, count="n", hierarchies=hier), repeat=1
    )
    n_primary = int((out["suppression"] == "primary").sum())
    n_secondary = int((out["suppression"] == "secondary").sum())
    lines.append(
        f"- protect, synthetic Stockholm table {frame.height} cells (RegSO x sex x age with all "
        f"margins, Poisson mean {args.mean:g}): {t:.2f} s, {n_primary} primary and "
        f"{n_secondary} secondary suppressions"
    )
    t, rows = _time(lambda: disclosure.audit(out, dims=dims, count="n", hierarchies=hier), repeat=1)
    lines.append(
        f"- audit of that result: {t:.2f} s for {len(rows)} suppressed cells, "
        f"{sum(r.disclosed for r in rows)} disclosed"
    )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
