"""Benchmark: the analysis of a full observation set.

Two workloads:

* the bundled real data (``--bundle``: every published observation of the bundle, from a fresh
  database built by ``skillnader init`` in a temporary directory), and
* a synthetic set of about one million observations, clearly synthetic: by default shaped like
  Stockholm's data, 100 indicators × 10 years × 127 areas (plus the city) × 8 population groups
  (everyone, women, men, born abroad, born in Sweden, three age bands); ``--areas 1000
  --groups 1`` gives the other shape, 1,000 areas and no groups.

The analysis is :func:`skillnader.analysis.analyse` (the city's level trend, the gap between
areas with its delta-method interval and its trend, the gaps between women and men and between
people born abroad and in Sweden, the classification and the sentences) plus every area compared
with the city (:func:`~skillnader.analysis.area_comparisons`) and every inequality measure between
areas (:func:`~skillnader.analysis.area_inequality`), for every group and period. Side by side,
for the synthetic set: the per-indicator pandas ``groupby().apply()`` loop a user would write for
the same results with the same per-cell functions of :mod:`skillnader.stats`.

Each side runs ``--repeat`` times (default 3) on the same data; the first call (cold: fresh
memory, first thread start) and the fastest call are reported for both, and the ratio for each.

    python bench/bench_analysis.py [--indicators 100] [--areas 127] [--groups 8] [--years 10]
    python bench/bench_analysis.py --bundle
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

from skillnader.analysis import (  # noqa: E402
    IndicatorInfo,
    analyse,
    area_comparisons,
    area_inequality,
)

GROUPS = [
    "",
    "sex=women",
    "sex=men",
    "birth_region=born_abroad",
    "birth_region=born_in_sweden",
    "age=0-19",
    "age=20-64",
    "age=65+",
]


def synthetic(n_ind: int, n_areas: int, n_years: int, n_groups: int = 1, seed: int = 0):
    rng = np.random.default_rng(seed)
    years = [str(2014 + t) for t in range(n_years)]
    groups = GROUPS[:n_groups]
    codes = ["0180"] + [f"A{j:04d}" for j in range(n_areas)]
    shape = (n_ind, len(codes), len(groups), n_years)
    n = int(np.prod(shape))
    grid = np.indices(shape).reshape(4, -1)
    ind = np.array([f"i{k:03d}" for k in range(n_ind)])[grid[0]]
    area = np.array(codes)[grid[1]]
    group = np.array(groups)[grid[2]]
    period = np.array(years)[grid[3]]
    base = rng.uniform(20, 80, size=shape[:3] + (1,))
    drift = rng.normal(0, 0.5, size=shape[:3] + (1,)) * np.arange(n_years)
    value = (base + drift).reshape(-1)
    se = rng.uniform(0.2, 2.0, size=n)
    return pl.DataFrame(
        {
            "indicator": ind,
            "level": np.where(area == "0180", "kommun", "regso"),
            "vintage": "2020",
            "area_code": area,
            "group": group,
            "period": period,
            "value": value,
            "lower": value - 1.96 * se,
            "upper": value + 1.96 * se,
        }
    )


def pandas_loop(df: pl.DataFrame, sims: int, info: dict) -> tuple:
    """What a user would write for the same results, indicator by indicator with pandas
    ``groupby().apply()``, calling the same per-cell functions: the city's level trend (trend
    marker), the gaps between the city's groups, the P90 − P10 gap between areas per period with
    the same delta-method standard error and its slope, every inequality measure per period and
    group, and every area compared with the city."""
    from skillnader.analysis.findings import (
        GROUP_PAIRS,
        group_gap,
        level_trend,
        percentile_gap_delta,
    )
    from skillnader.errors import MethodError
    from skillnader.stats import inequality as iq
    from skillnader.stats.compare import compare_intervals
    from skillnader.stats.trend import weighted_slope

    measures = {
        "range": lambda v: iq.range_(v).value,
        "ratio_extremes": lambda v: iq.ratio_extremes(v).value,
        "ratio_p90_p10": lambda v: iq.ratio_p90_p10(v).value,
        "coefficient_of_variation": lambda v: iq.coefficient_of_variation(v).value,
        "gini": iq.gini,
        "theil_t": lambda v: iq.theil(v).total,
    }
    pdf = df.to_pandas()
    pdf["is_city"] = pdf["area_code"] == "0180"

    def inequality(g: pd.DataFrame) -> pd.Series:
        v = g["value"].to_numpy()
        out = {}
        for name, fn in measures.items():
            try:
                out[name] = fn(v)
            except MethodError:
                out[name] = np.nan
        return pd.Series(out)

    def gap(g: pd.DataFrame) -> pd.Series:
        se = (g["upper"].to_numpy() - g["lower"].to_numpy()) / (2 * 1.959964)
        value, sd = percentile_gap_delta(g["value"].to_numpy(), se)
        return pd.Series({"gap": value, "se": sd})

    trends, tables, compared = [], [], []
    for ind, part in pdf.groupby("indicator"):
        city = part[part["is_city"]]
        areas = part[~part["is_city"]]
        everyone = city[city["group"] == ""].sort_values("period")
        level = level_trend(
            list(everyone["period"]),
            list(everyone["value"]),
            list(everyone["lower"]),
            list(everyone["upper"]),
            info[ind].polarity,
        )
        for dim, (first, second) in GROUP_PAIRS.items():
            a = city[city["group"] == f"{dim}={first}"].set_index("period")
            b = city[city["group"] == f"{dim}={second}"].set_index("period")
            periods = sorted(set(a.index) & set(b.index))
            if len(periods) >= 2:
                group_gap(
                    dim,
                    periods,
                    list(a.loc[periods, ["value", "lower", "upper"]].itertuples(index=False)),
                    list(b.loc[periods, ["value", "lower", "upper"]].itertuples(index=False)),
                )
        gaps = areas[areas["group"] == ""].groupby("period").apply(gap, include_groups=False)
        slope = weighted_slope(gaps.index.astype(float), gaps["gap"], gaps["se"])
        trends.append((ind, level.assessment, slope.slope, slope.chi2))
        table = areas.groupby(["period", "group"]).apply(inequality, include_groups=False)
        tables.append(table.assign(indicator=ind))
        both = areas.merge(city, on=["group", "period"], suffixes=("", "_city"))
        both["comparison"] = compare_intervals(
            both["value"],
            both["lower"],
            both["upper"],
            both["value_city"],
            info[ind].polarity,
            benchmark_lower=both["lower_city"],
            benchmark_upper=both["upper_city"],
        )
        compared.append(both)
    return trends, pd.concat(tables), pd.concat(compared)


def bundle_frame():
    """The bundle's published observations as the web app analyses them (a fresh database)."""
    import tempfile

    os.environ["SKILLNADER_HOME"] = tempfile.mkdtemp(prefix="skillnader-bench-")
    from skillnader.cli import migrate, setup_django

    setup_django()
    migrate()
    from skillnader.bundle.load import load_bundle
    from skillnader.web.data import queries
    from skillnader.web.data.models import Indicator

    load_bundle()
    city = queries.city_area()
    info = {
        i.id: IndicatorInfo(i.id, i.name_sv, i.name_en, i.polarity, measure=i.measure)
        for i in Indicator.objects.filter(published=True)
    }
    return queries.analysis_frame(), info, city["code"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(df, info, benchmark: str, sims: int) -> int:
    findings = analyse(df, info, benchmark=benchmark, sims=sims)
    area_comparisons(df, info, benchmark=benchmark)
    area_inequality(df, benchmark=benchmark)
    return len(findings)


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def describe(times: list[float]) -> str:
    return (
        f"first {times[0]:.2f} s, best of {len(times)} {min(times):.2f} s "
        f"({', '.join(f'{t:.2f}' for t in times)})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sims", type=int, default=1000)
    ap.add_argument("--indicators", type=int, default=100)
    ap.add_argument("--areas", type=int, default=127)
    ap.add_argument("--groups", type=int, default=len(GROUPS), choices=range(1, len(GROUPS) + 1))
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-pandas", action="store_true")
    ap.add_argument("--bundle", action="store_true", help="the bundled real data instead")
    a = ap.parse_args()
    ours_label = "skillnader.analysis (analyse, area_comparisons, area_inequality)"
    if a.bundle:
        df, info, city = bundle_frame()
        print(f"bundled observations analysed: {df.height:,} ({len(info)} published indicators)")
        times, n = timed(lambda: run_ours(df, info, city, a.sims), a.repeat)
        print(f"{ours_label}: {describe(times)} for {n} indicators (peak RSS {peak_mb():.0f} MB)")
        print(f"machine: {os.cpu_count()} cores")
        return
    df = synthetic(a.indicators, a.areas, a.years, a.groups)
    info = {
        f"i{k:03d}": IndicatorInfo(
            f"i{k:03d}", f"Syntetisk {k}", f"Synthetic {k}", "higher_is_better"
        )
        for k in range(a.indicators)
    }
    print(
        f"synthetic observations: {df.height:,} ({a.indicators} indicators × {a.years} years × "
        f"{a.areas} areas + the city × {a.groups} groups)"
    )
    ours, n = timed(lambda: run_ours(df, info, "0180", a.sims), a.repeat)
    print(f"{ours_label}: {describe(ours)} for {n} indicators (peak RSS {peak_mb():.0f} MB)")
    if not a.skip_pandas:
        theirs, _ = timed(lambda: pandas_loop(df, a.sims, info), a.repeat)
        print(
            "pandas groupby().apply() loop (the same findings, comparisons and measures): "
            + describe(theirs)
        )
        print(
            f"ratio pandas / skillnader: first calls {theirs[0] / ours[0]:.1f}x, "
            f"best calls {min(theirs) / min(ours):.1f}x"
        )
    print(f"machine: {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
