"""Timings of the vectorised statistics at the sizes the product meets.

Sizes: every DeSO in Sweden (about 6,000 areas) x 19 or 20 age bands, a million cells of a
cross-tabulation, a thousand indicator series for the trend marker.

Run: ``PYTHONPATH=src python bench/bench_stats.py``
"""

from __future__ import annotations

import time

import numpy as np

from skillnader.stats.compare import compare_control_limits, quintiles
from skillnader.stats.intervals import byar, wilson
from skillnader.stats.lifeexpectancy import life_expectancy
from skillnader.stats.standardise import direct_standardised_rate
from skillnader.stats.survey import weighted_mean
from skillnader.stats.trend import trend_marker


def timed(label: str, fn, repeat: int = 3) -> None:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<55s} {best * 1000:9.1f} ms")


def main() -> None:
    rng = np.random.default_rng(2026)
    n_cells = 1_000_000
    den = rng.integers(1, 5000, n_cells)
    num = rng.binomial(den, 0.3)
    timed("wilson, 1e6 proportions", lambda: wilson(num, den))
    timed("byar, 1e6 counts", lambda: byar(num))
    timed(
        "control-limit comparison, 1e6 proportions",
        lambda: compare_control_limits(num, den, 0.3, "higher_is_better"),
    )
    values = rng.normal(size=n_cells)
    timed("quintiles, 1e6 values", lambda: quintiles(values))

    areas = 6000
    pop = rng.integers(20, 400, (areas, 19)).astype(float)
    events = rng.poisson(pop * np.linspace(0.001, 0.15, 19))
    timed("DSR (ESP 2013), 6,000 areas x 19 bands", lambda: direct_standardised_rate(events, pop))

    pops = rng.integers(300, 3000, (areas, 20)).astype(float)
    rates = np.array([0.003, 0.0002] + [0.0003] * 8 + [0.002, 0.004, 0.006, 0.01, 0.016, 0.026,
                                                      0.042, 0.07, 0.12, 0.25])  # fmt: skip
    deaths = np.minimum(rng.poisson(pops * rates), pops)
    timed("life expectancy, 6,000 areas x 20 bands", lambda: life_expectancy(deaths, pops))

    y = rng.normal(50, 10, 50_000)
    w = rng.uniform(0.5, 3, 50_000)
    strata = rng.integers(0, 20, 50_000)
    psu = rng.integers(0, 100, 50_000)
    timed(
        "weighted mean, 50,000 respondents, 20 strata x 100 PSUs",
        lambda: weighted_mean(y, w, strata=strata, clusters=psu),
    )

    years = np.arange(2016, 2021)
    series = rng.normal(50, 2, (1000, 5)) + np.arange(5) * rng.normal(0, 1, (1000, 1))

    def markers():
        for row in series:
            trend_marker(years, row, np.full(5, 0.5))

    timed("trend marker, 1,000 series", markers)


if __name__ == "__main__":
    main()
