"""Benchmark: the headline analysis over a full observation set.

Two workloads:

* the bundled real data (every published observation of the bundle, loaded from a fresh
  database built by ``skillnader init``), and
* a synthetic set of about one million observations: 100 indicators × 1,000 areas × 10 years
  (plus the city's own series), clearly synthetic.

Each is analysed by :func:`skillnader.analysis.analyse` (level trend, gap between areas with its
delta-method interval, gap trend, classification, sentences) and, for the synthetic set, by the
per-indicator pandas ``groupby().apply()`` loop a user would write for the same between-area gap
(P90 − P10 with the same delta-method standard error) and gap slope, to give the ratio.

Each side runs ``--repeat`` times (default 3) on the same data; the first call (cold: fresh
memory, first thread start) and the fastest call are reported for both, and the ratio for each.

    python bench/bench_analysis.py [--indicators 100] [--areas 1000] [--years 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from skillnader.analysis import IndicatorInfo, analyse  # noqa: E402


def synthetic(n_ind: int, n_areas: int, n_years: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    years = [str(2014 + t) for t in range(n_years)]
    n = n_ind * (n_areas + 1) * n_years
    ind = np.repeat([f"i{k:03d}" for k in range(n_ind)], (n_areas + 1) * n_years)
    area = np.tile(np.repeat(["0180"] + [f"A{j:04d}" for j in range(n_areas)], n_years), n_ind)
    period = np.tile(years, n_ind * (n_areas + 1))
    base = rng.uniform(20, 80, size=(n_ind, n_areas + 1, 1))
    drift = rng.normal(0, 0.5, size=(n_ind, n_areas + 1, 1)) * np.arange(n_years)
    value = (base + drift).reshape(-1)
    se = rng.uniform(0.2, 2.0, size=n)
    return pl.DataFrame(
        {
            "indicator": ind,
            "level": np.where(area == "0180", "kommun", "regso"),
            "vintage": "2020",
            "area_code": area,
            "group": "",
            "period": period,
            "value": value,
            "lower": value - 1.96 * se,
            "upper": value + 1.96 * se,
        }
    )


def pandas_loop(df: pl.DataFrame, sims: int) -> pd.DataFrame:
    """What a user would write: per indicator, ``groupby(period).apply`` computing the same
    P90 − P10 gap with the same delta-method standard error, then the same gap slope."""
    from skillnader.analysis.findings import percentile_gap_delta
    from skillnader.stats.trend import weighted_slope

    pdf = df.to_pandas()
    pdf = pdf[pdf["area_code"] != "0180"]

    def gap(g: pd.DataFrame) -> pd.Series:
        se = (g["upper"].to_numpy() - g["lower"].to_numpy()) / (2 * 1.959964)
        value, sd = percentile_gap_delta(g["value"].to_numpy(), se)
        return pd.Series({"gap": value, "se": sd})

    out = []
    for ind, part in pdf.groupby("indicator"):
        gaps = part.groupby("period").apply(gap, include_groups=False)
        slope = weighted_slope(gaps.index.astype(float), gaps["gap"], gaps["se"])
        out.append((ind, slope.slope, slope.chi2))
    return pd.DataFrame(out, columns=["indicator", "slope", "chi2"])


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sims", type=int, default=1000)
    ap.add_argument("--indicators", type=int, default=100)
    ap.add_argument("--areas", type=int, default=1000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-pandas", action="store_true")
    a = ap.parse_args()
    df = synthetic(a.indicators, a.areas, a.years)
    info = {
        f"i{k:03d}": IndicatorInfo(
            f"i{k:03d}", f"Syntetisk {k}", f"Synthetic {k}", "higher_is_better"
        )
        for k in range(a.indicators)
    }
    print(f"synthetic observations: {df.height:,}")
    ours, peak = [], 0.0
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        findings = analyse(df, info, benchmark="0180", sims=a.sims)
        ours.append(time.perf_counter() - t0)
        peak = peak or peak_mb()  # after the first call, before the pandas loop runs
    print(
        f"skillnader.analysis.analyse: first {ours[0]:.2f} s, best of {a.repeat} {min(ours):.2f} s "
        f"({', '.join(f'{t:.2f}' for t in ours)}) for {len(findings)} indicators "
        f"(peak RSS {peak:.0f} MB)"
    )
    if not a.skip_pandas:
        theirs = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            pandas_loop(df, a.sims)
            theirs.append(time.perf_counter() - t0)
        print(
            "pandas groupby().apply() loop (between-area gap only): "
            f"first {theirs[0]:.2f} s, best of {a.repeat} {min(theirs):.2f} s "
            f"({', '.join(f'{t:.2f}' for t in theirs)})"
        )
        print(
            f"ratio pandas / skillnader: first calls {theirs[0] / ours[0]:.1f}x, "
            f"best calls {min(theirs) / min(ours):.1f}x"
        )
    print(f"machine: {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
