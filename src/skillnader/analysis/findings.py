"""Headline findings: does the level improve while the gap between areas or groups widens?

For every indicator the analysis tests two things together, each with its uncertainty:

* **the level** — the benchmark's (the city's) series for everyone: the weighted-slope trend
  marker of :func:`skillnader.stats.trend.trend_marker` on the last five points (fewer points, at
  least three, are used with the same test and said so; two points use the z-test of the change);
* **the gaps** — between areas, the difference between the 90th and the 10th percentile of the
  areas' values in each period (one vintage of boundaries at a time: areas of different vintages
  are never compared), with its interval by the delta method from each area's own interval
  (``method="simulation"`` draws the areas' values instead and includes re-ranking); between
  groups (women/men, born abroad/born in Sweden), the absolute gap at the benchmark with its MOVER
  interval. The change of a gap over time is the weighted slope of the gap series (1/SE²) with a
  χ² test, or the z-test of the change with two periods.

The result is a :class:`Finding` per indicator with the classification (``improving`` /
``worsening`` / ``no_clear_change`` / ``not_assessed`` for the level; ``widening`` /
``narrowing`` / ``no_clear_change`` / ``not_assessed`` for each gap), the evidence (numbers and
intervals behind each word), and a sentence in Swedish and in English that states only what the
numbers and their intervals support.

References: Public Health England (2018), *Technical guide: Fingertips trend marker*; Zou &
Donner (2008) for MOVER; Mackenbach & Kunst (1997) on measuring the size of socioeconomic
inequalities (absolute and relative gap measures over areas).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import stats as st

from skillnader.geography import level_plural
from skillnader.groups import group_pair
from skillnader.stats import trend as tr

LEVEL_WORDS = ("improving", "worsening", "no_clear_change", "not_assessed")
#: ``reversed``: the gap changed sign (the other group or end is now ahead); its size and
#: direction are reported, not a "widening" of a signed mean.
GAP_WORDS = ("widening", "narrowing", "reversed", "no_clear_change", "not_assessed")

#: Measures that are never ranked, compared as better/worse or summarised by a gap: raw counts
#: (an area's count grows with its size) and ordinal classes (områdestyp 1-5 has no distances).
#: They are shown as context; a rate with a denominator is what can be compared.
NOT_COMPARED_MEASURES = {"count": "raw_count", "index": "ordinal_class"}

#: Pairs of groups whose gap is followed, per dimension: (first, second); the gap is first − second.
GROUP_PAIRS: dict[str, tuple[str, str]] = {
    "sex": ("women", "men"),
    "birth_region": ("born_abroad", "born_in_sweden"),
}

MIN_AREAS = 5


@dataclass(frozen=True)
class IndicatorInfo:
    id: str
    name_sv: str
    name_en: str
    polarity: str = "no_judgement"
    unit: str = ""
    decimals: int = 1
    #: The catalogue's measure type (``"count"``, ``"proportion"`` …); counts are never compared.
    measure: str = ""


@dataclass
class LevelTrend:
    assessment: str
    marker: str
    method: str
    periods: list[str]
    values: list[float | None]
    lower: list[float | None]
    upper: list[float | None]
    slope: float | None = None
    chi2: float | None = None
    reason: str = ""
    #: The periods the assessment rests on (the trend marker uses the last five points).
    window: list[str] = field(default_factory=list)


@dataclass
class GapTrend:
    kind: str  # "areas" or "groups"
    label: str  # level:vintage for areas, dimension for groups
    measure: str
    periods: list[str]
    values: list[float]
    lower: list[float]
    upper: list[float]
    direction: str
    change: float | None = None
    change_lower: float | None = None
    change_upper: float | None = None
    method: str = ""
    n_areas: list[int] = field(default_factory=list)
    reason: str = ""
    #: Between areas: the areas with the highest and the lowest value in the last period, each
    #: ``{"area", "name", "period", "value", "lower", "upper"}``, and whether their intervals
    #: do not overlap (the two differ beyond their uncertainty).
    highest: dict[str, Any] | None = None
    lowest: dict[str, Any] | None = None
    separated: bool | None = None


@dataclass
class Finding:
    indicator: str
    level: LevelTrend
    gaps: list[GapTrend]
    headline: str
    sentence_sv: str
    sentence_en: str
    #: The level of the intervals and tests the finding reports (``analyse(confidence=…)``).
    confidence: float = 0.95

    @property
    def improves_while_gap_widens(self) -> bool:
        return self.headline == "improves_while_gap_widens"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["improves_while_gap_widens"] = self.improves_while_gap_widens
        return d


# ------------------------------------------------------------------------------------------
# helpers


@lru_cache(maxsize=8)
def _z(confidence: float) -> float:
    return float(st.norm.ppf(0.5 + confidence / 2))


#: The level of the intervals stored with every observation (every reader and method of the
#: project publishes 95 % intervals): the standard errors behind them are read at this level,
#: whatever level the findings report at.
DATA_LEVEL = 0.95


def _pct(confidence: float) -> str:
    """``0.95`` → ``"95"``, ``0.998`` → ``"99.8"``."""
    return f"{confidence * 100:.10g}"


def _rescale(value, lower, upper, confidence: float):
    """A published (95 %) interval widened or narrowed to ``confidence``: each side's distance
    from the value scaled by the ratio of the normal quantiles (exact for the symmetric normal
    intervals, the usual approximation for the score-based ones)."""
    if confidence == DATA_LEVEL or None in (value, lower, upper):
        return lower, upper
    k = _z(confidence) / _z(DATA_LEVEL)
    return value - (value - lower) * k, value + (upper - value) * k


def _se(lower, upper, confidence=DATA_LEVEL) -> np.ndarray:
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    return (hi - lo) / (2 * _z(confidence))


@lru_cache(maxsize=4096)
def _year(period: str) -> float:
    p = str(period)
    base = float(p[:4])
    if len(p) == 9 and p[4] == "-" and p[5:].isdigit():
        # A range of years ("2015-2019", a pooled period): its middle.
        return (base + float(p[5:])) / 2
    rest = p[4:].lstrip("-M").lstrip("H").lstrip("Q")
    if rest.isdigit() and len(p) > 4:
        if "H" in p:
            return base + (int(rest) - 1) / 2
        if "Q" in p:
            return base + (int(rest) - 1) / 4
        return base + (int(rest) - 1) / 12
    return base


def sub_annual(period: str) -> str:
    """The part of a period below the year (``"M08"``, ``"Q3"``, ``"H1"``), ``""`` for a year
    or a range of years (``"2015-2019"``)."""
    p = str(period)[4:]
    if p[:1] in ("M", "Q", "H") and p[1:].isdigit():
        return p
    if p[:1] == "-" and p[1:].isdigit() and len(p) <= 3:
        return "M" + p[1:].zfill(2)
    return ""


def same_season(periods) -> list[int]:
    """Positions of the periods that can be compared with the latest: all of them for years;
    for months, quarters or halves only the same month (quarter, half) of each year, so that a
    seasonal swing (August against December) is never read as a trend."""
    periods = list(periods)
    if not periods:
        return []
    latest = max(range(len(periods)), key=lambda i: _year(periods[i]))
    season = sub_annual(periods[latest])
    if not season:
        return list(range(len(periods)))
    return [i for i, p in enumerate(periods) if sub_annual(p) == season]


# ------------------------------------------------------------------------------------------
# level

#: PHE's trend marker on five points tests at 99.8 % (its published convention), whatever level
#: the intervals are reported at.
TREND_MARKER_LEVEL = 0.998


def level_trend(
    periods, values, lower, upper, polarity: str, confidence: float = 0.95
) -> LevelTrend:
    """Classify the benchmark's series: improving / worsening / no_clear_change / not_assessed.

    Two periods: a z-test of the change at ``confidence``; three or four: the weighted slope at
    ``confidence``; five or more: PHE's trend marker on the last five points at its own 99.8 %.
    A sub-annual series is assessed on the same month (quarter, half) of each year only."""
    keep = same_season(periods)
    season = sub_annual(periods[keep[-1]]) if keep else ""
    if season:
        periods = [periods[i] for i in keep]
        values = [values[i] for i in keep]
        lower = [lower[i] for i in keep]
        upper = [upper[i] for i in keep]
    order = np.argsort([_year(p) for p in periods])
    periods = [periods[i] for i in order]
    v = np.array([values[i] for i in order], dtype=float)
    lo = np.array([np.nan if lower[i] is None else lower[i] for i in order], dtype=float)
    hi = np.array([np.nan if upper[i] is None else upper[i] for i in order], dtype=float)
    ok = np.isfinite(v) & np.isfinite(lo) & np.isfinite(hi) & (hi > lo)
    out = LevelTrend(
        "not_assessed",
        "cannot_be_calculated",
        "",
        periods,
        [None if not np.isfinite(x) else float(x) for x in v],
        [None if not np.isfinite(x) else float(x) for x in lo],
        [None if not np.isfinite(x) else float(x) for x in hi],
    )
    if polarity == "no_judgement":
        out.reason = "no_judgement"
    n = int(ok.sum())
    if n < 2:
        if np.isfinite(v).sum() >= 2 and not ok.any():
            out.reason = "no_interval"
        else:
            out.reason = out.reason or "too_few_periods"
        return out
    xs = np.array([_year(p) for p in periods])[ok]
    se = _se(lo[ok], hi[ok])
    used = [p for p, keep in zip(periods, ok, strict=True) if keep]
    out.window = used[-min(5, n) :]
    if n == 2:
        d = tr.difference_test(v[ok][0], se[0], v[ok][1], se[1], confidence=confidence)
        marker = {"increase": "increasing", "decrease": "decreasing"}.get(
            str(d.direction), "no_significant_change"
        )
        out.method = f"z-test of the change between two periods ({_pct(confidence)} %)"
        out.slope = float(d.difference)
    else:
        res = tr.trend_marker(
            xs,
            v[ok],
            se,
            polarity=polarity,
            n_points=min(5, n),
            confidence=confidence if n < 5 else TREND_MARKER_LEVEL,
        )
        marker = res.marker
        out.method = (
            "weighted-slope trend marker on the last five points "
            f"({_pct(TREND_MARKER_LEVEL)} %, leave-one-out)"
            if n >= 5
            else f"weighted-slope trend on {n} points ({_pct(confidence)} %, leave-one-out)"
        )
        out.slope, out.chi2, out.reason = res.slope, res.chi2, out.reason or res.reason
    out.marker = marker
    if season:
        out.method = f"same period of each year ({season}); " + out.method
    if marker in ("increasing", "decreasing"):
        if polarity == "no_judgement":
            out.assessment = "not_assessed"
        else:
            up_good = polarity == "higher_is_better"
            out.assessment = "improving" if (marker == "increasing") == up_good else "worsening"
    elif marker == "no_significant_change":
        out.assessment = "no_clear_change"
    return out


# ------------------------------------------------------------------------------------------
# gaps


def _gap_change(
    periods, gaps, ses, confidence: float = 0.95
) -> tuple[str, float | None, float | None, float | None, str]:
    ok = np.isfinite(gaps) & np.isfinite(ses) & (ses > 0)
    if ok.sum() < 2:
        return "not_assessed", None, None, None, "too_few_periods"
    xs = np.array([_year(p) for p in periods])[ok]
    g, s = gaps[ok], ses[ok]
    z = _z(confidence)
    pct = _pct(confidence)
    if ok.sum() == 2:
        d = tr.difference_test(g[0], s[0], g[1], s[1], confidence=confidence)
        change, lo, hi = float(d.difference), float(d.lower), float(d.upper)
        method = f"z-test of the change between two periods ({pct} %)"
    else:
        res = tr.weighted_slope(xs, g, s)
        span = xs[-1] - xs[0]
        change, se = res.slope * span, res.se * span
        lo, hi = change - z * se, change + z * se
        method = f"weighted slope over {int(ok.sum())} periods ({pct} %), change over the span"
    change, lo, hi = float(change), float(lo), float(hi)
    if lo > 0:
        return "widening", change, lo, hi, method
    if hi < 0:
        return "narrowing", change, lo, hi, method
    return "no_clear_change", change, lo, hi, method


def percentile_gap_delta(values: np.ndarray, se: np.ndarray) -> tuple[float, float]:
    """P90 − P10 of the areas' values and its standard error by the delta method.

    With linear interpolation between order statistics (NumPy's default), each percentile is a
    weighted sum of at most two areas' values, so the gap is a linear combination
    ``Σ wᵢ vᵢ`` of at most four areas and, the areas being independent,
    ``SE² = Σ wᵢ² SEᵢ²``. The areas at the percentile positions are held fixed: when
    neighbouring areas' intervals overlap heavily the true uncertainty (which includes
    re-ranking) is somewhat larger; :func:`area_gaps` with ``method="simulation"`` accounts for
    that at a much higher cost. Areas without an interval contribute no variance.
    """
    order = np.argsort(values, kind="stable")
    v = values[order]
    s = np.where(np.isfinite(se[order]), se[order], 0.0)
    n = v.size
    weights = np.zeros(n)
    for q, sign in ((0.9, 1.0), (0.1, -1.0)):
        h = (n - 1) * q
        lo = int(np.floor(h))
        f = h - lo
        hi = min(lo + 1, n - 1)
        weights[lo] += sign * (1 - f)
        weights[hi] += sign * f
    return float(weights @ v), float(np.sqrt(np.sum((weights * s) ** 2)))


def _rows_at_ranks(v: np.ndarray, rows: np.ndarray, n: np.ndarray, ranks: list[np.ndarray]):
    """For every group, the row a stable sort by value puts at each of the given positions.

    ``rows`` lists the groups' row numbers one group after another (sizes ``n``), each group in
    input order; ``ranks`` holds one array of positions (one per group) per wanted order
    statistic. Groups of equal size are handled together as a matrix: its rows are sorted (values
    only), and the row at position ``k`` is the ``(k − #smaller)``-th row, in input order, whose
    value equals the ``k``-th smallest — what ``np.argsort(kind="stable")`` gives, ties and NaN
    (last, as in NumPy) included — without sorting row numbers.
    """
    start = np.concatenate([np.zeros(1, np.int64), np.cumsum(n)[:-1]])
    out = [np.empty(n.size, np.int64) for _ in ranks]
    sizes = np.unique(n)
    for size in sizes:
        if sizes.size == 1:
            gs, r2 = np.arange(n.size), rows.reshape(n.size, size)
        else:
            gs = np.flatnonzero(n == size)
            r2 = rows[start[gs][:, None] + np.arange(size)]
        v2 = v[r2]
        s2 = np.sort(v2, axis=1)
        at = np.arange(gs.size)
        for res, rank in zip(out, ranks, strict=True):
            k = rank[gs]
            x = s2[at, k]
            # Usually the k-th smallest value occurs once: its row is the one holding it.
            pick = (v2 == x[:, None]).argmax(axis=1)
            before = s2[at, np.maximum(k - 1, 0)]
            after = s2[at, np.minimum(k + 1, size - 1)]
            tied = np.isnan(x) | ((k > 0) & (before == x)) | ((k < size - 1) & (after == x))
            t = np.flatnonzero(tied)
            if t.size:
                vt, xt = v2[t], x[t]
                xt_nan = np.isnan(xt)[:, None]
                eq = np.where(xt_nan, np.isnan(vt), vt == xt[:, None])
                below = np.where(
                    xt_nan[:, 0],
                    np.count_nonzero(~np.isnan(vt), axis=1),
                    np.count_nonzero(vt < xt[:, None], axis=1),
                )
                j = k[t] - below
                pick[t] = (np.cumsum(eq, axis=1) > j[:, None]).argmax(axis=1)
            res[gs] = r2[at, pick]
    return out


def _delta_gaps(frame, mask=None):
    """P90 − P10 and its delta-method SE for every (indicator, level, vintage, period) at once.

    Vectorised version of :func:`percentile_gap_delta`, with the same result: one ``group_by``
    collects each group's row numbers (only rows where the boolean Series ``mask`` is true, when
    given, so the frame is not copied), :func:`_rows_at_ranks` finds the rows at the
    interpolation positions (as the stable sort of the per-group function would), and the
    weights are computed for all groups together. Nothing is done per group in Python, and the
    standard errors are computed only for the rows at those positions.
    """
    import polars as pl

    keys = ["indicator", "level", "vintage", "period"]
    z = _z(DATA_LEVEL)  # the published intervals' level, to read their standard errors
    rows_expr = pl.col("_row") if mask is None else pl.col("_row").filter(pl.col("_keep"))
    grouped = (
        frame.select(keys)
        .with_row_index("_row")
        .with_columns(*([] if mask is None else [pl.Series("_keep", mask)]))
        .group_by(keys)
        .agg(rows_expr)
        .filter(pl.col("_row").list.len() > 0)
    )
    n = grouped["_row"].list.len().to_numpy().astype(np.int64)
    rows = grouped["_row"].explode().to_numpy()
    v = frame["value"].cast(pl.Float64).to_numpy()
    lower = frame["lower"].cast(pl.Float64).to_numpy()
    upper = frame["upper"].cast(pl.Float64).to_numpy()
    pos_parts, w_parts = [], []
    for q, sign in ((0.9, 1.0), (0.1, -1.0)):
        h = (n - 1) * q
        lo = np.floor(h).astype(np.int64)
        f = h - lo
        hi = np.minimum(lo + 1, n - 1)
        pos_parts += [lo, hi]
        w_parts += [sign * (1 - f), sign * f]
    row_parts = _rows_at_ranks(v, rows, n, pos_parts)
    gap = np.zeros(n.size)
    for row, w in zip(row_parts, w_parts, strict=True):
        gap += w * v[row]
    # Positions can coincide (small groups): add the weights per position before squaring,
    # positions in ascending order, weights of one position in the order above.
    pos = np.stack(pos_parts, axis=1)
    wts = np.stack(w_parts, axis=1)
    at = np.stack(row_parts, axis=1)
    # Areas without an interval contribute no variance. (Multiplying by 1 / 2z, not dividing by
    # 2z, is what polars does for the same expression: the results stay identical to the last bit.)
    row_se = np.nan_to_num((upper[at] - lower[at]) * (1 / (2 * z)), nan=0.0)
    by_pos = np.argsort(pos, axis=1, kind="stable")
    pos = np.take_along_axis(pos, by_pos, axis=1)
    wts = np.take_along_axis(wts, by_pos, axis=1)
    row_se = np.take_along_axis(row_se, by_pos, axis=1)
    var = np.zeros(n.size)
    w_cur = wts[:, 0]
    for j in range(1, pos.shape[1]):
        same = pos[:, j] == pos[:, j - 1]
        done = np.where(same, 0.0, w_cur * row_se[:, j - 1])
        var = np.where(same, var, var + done**2)
        w_cur = np.where(same, w_cur + wts[:, j], wts[:, j])
    var += (w_cur * row_se[:, -1]) ** 2
    return grouped.select(keys).with_columns(
        pl.Series("n", n), pl.Series("gap", gap), pl.Series("se", np.sqrt(var))
    )


def _extremes(frame, mask) -> dict[tuple[str, str, str, str], tuple[tuple, tuple]]:
    """The rows with the highest and the lowest value of every (indicator, level, vintage,
    period) among the rows where ``mask`` is true: ``{key: ((code, value, lower, upper), …)}``.
    Ties go to the first area code in sort order."""
    keys = ["indicator", "level", "vintage", "period"]
    cols = ["area_code", "value", "lower", "upper"]
    rows = frame.filter(mask).select(*keys, *cols)
    out: dict[tuple[str, str, str, str], tuple[tuple, tuple]] = {}
    if rows.is_empty():
        return out
    high = rows.sort(["value", "area_code"], descending=[True, False]).group_by(keys).first()
    low = rows.sort(["value", "area_code"]).group_by(keys).first()
    lows = {tuple(r[:4]): tuple(r[4:]) for r in low.select(*keys, *cols).iter_rows()}
    for r in high.select(*keys, *cols).iter_rows():
        out[tuple(r[:4])] = (tuple(r[4:]), lows[tuple(r[:4])])  # type: ignore[index]
    return out


def _with_extremes(g: GapTrend, extremes, ind, level, vintage, names) -> GapTrend:
    """``g`` with the highest and lowest area of its last period with a gap."""
    last = max(
        (i for i, v in enumerate(g.values) if v is not None and np.isfinite(v)), default=None
    )
    if last is None:
        return g
    period = g.periods[last]
    found = extremes.get((ind, level, vintage, period))
    if found is None:
        return g

    def area(row):
        code, value, lower, upper = row
        name = (names or {}).get(code) or code
        return {
            "area": code,
            "name": name,
            "period": period,
            "value": value,
            "lower": lower,
            "upper": upper,
        }

    g.highest, g.lowest = area(found[0]), area(found[1])
    hi_low, lo_up = g.highest["lower"], g.lowest["upper"]
    if hi_low is not None and lo_up is not None and np.isfinite(hi_low) and np.isfinite(lo_up):
        g.separated = bool(hi_low > lo_up)
    return g


def _gap_trend_from_table(periods, by_period, label, confidence: float = 0.95) -> GapTrend:
    z = _z(confidence)
    ns = [int(by_period[p][0]) for p in periods]
    gaps = np.array([by_period[p][1] if by_period[p][0] >= MIN_AREAS else np.nan for p in periods])
    ses = np.array([by_period[p][2] if by_period[p][0] >= MIN_AREAS else np.nan for p in periods])
    ses = np.where(ses > 0, ses, np.nan)
    direction, change, lo, hi, how = _gap_change(periods, gaps, ses, confidence)
    reason = ""
    if all(k < MIN_AREAS for k in ns):
        reason = "too_few_areas"
    elif direction == "not_assessed":
        reason = "no_interval" if np.isfinite(gaps).sum() >= 2 else "too_few_periods"
    return GapTrend(
        "areas",
        label,
        "p90_minus_p10",
        list(periods),
        gaps.tolist(),
        (gaps - z * ses).tolist(),
        (gaps + z * ses).tolist(),
        direction,
        change,
        lo,
        hi,
        f"delta interval; {how}",
        ns,
        reason,
    )


def area_gaps(
    periods: list[str],
    values_by_period: list[np.ndarray],
    se_by_period: list[np.ndarray],
    *,
    label: str,
    method: str = "delta",
    sims: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> GapTrend:
    """The P90 − P10 difference between areas per period with its interval at ``confidence``,
    and the change of that gap over the periods. ``se_by_period`` are the areas' standard
    errors.

    ``method="delta"`` (default) uses :func:`percentile_gap_delta`; ``"simulation"`` draws each
    area's value ``sims`` times from a normal distribution with its standard error and takes the
    percentiles of the simulated gaps (re-ranking included).
    """
    rng = np.random.default_rng(seed)
    z = _z(confidence)
    tail = (1 - confidence) / 2 * 100
    gaps, lows, highs, ses, ns = [], [], [], [], []
    for v, s in zip(values_by_period, se_by_period, strict=True):
        ok = np.isfinite(v)
        v, s = v[ok], np.where(np.isfinite(s[ok]), s[ok], 0.0)
        ns.append(int(v.size))
        if v.size < MIN_AREAS:
            gaps.append(np.nan)
            lows.append(np.nan)
            highs.append(np.nan)
            ses.append(np.nan)
            continue
        if method == "simulation":
            p90, p10 = np.percentile(v, [90, 10])
            draws = v[None, :] + rng.standard_normal((sims, v.size)) * s[None, :]
            q = np.percentile(draws, [90, 10], axis=1)
            sim = q[0] - q[1]
            gaps.append(float(p90 - p10))
            lows.append(float(np.percentile(sim, tail)))
            highs.append(float(np.percentile(sim, 100 - tail)))
            sd = float(np.std(sim, ddof=1))
        else:
            gap, sd = percentile_gap_delta(v, s)
            gaps.append(gap)
            lows.append(gap - z * sd)
            highs.append(gap + z * sd)
        ses.append(sd if sd > 0 else np.nan)
    direction, change, lo, hi, how = _gap_change(periods, np.array(gaps), np.array(ses), confidence)
    reason = ""
    if all(n < MIN_AREAS for n in ns):
        reason = "too_few_areas"
    elif direction == "not_assessed" and np.isfinite(gaps).sum() >= 2:
        reason = "no_interval"
    return GapTrend(
        "areas",
        label,
        "p90_minus_p10",
        list(periods),
        gaps,
        lows,
        highs,
        direction,
        change,
        lo,
        hi,
        method,
        ns,
        reason or ("" if direction != "not_assessed" else "too_few_periods"),
    )


def group_gap(dimension: str, periods, a, b, confidence: float = 0.95) -> GapTrend:
    """Absolute gap first − second group at the benchmark (MOVER), and its change over time,
    at ``confidence`` (the groups' published 95 % intervals rescaled to it, see
    :func:`_rescale`).

    ``values`` keep their sign (women − men may be negative); ``change`` is the change in the
    gap's *size*, so a positive change always means a wider gap. ``a`` and ``b`` are lists of ``(value, lower, upper)`` per period.
    """
    from skillnader.stats.inequality import absolute_gap

    gaps, lows, highs, ses = [], [], [], []
    for (v1, l1, h1), (v2, l2, h2) in zip(a, b, strict=True):
        if None in (v1, l1, h1, v2, l2, h2):
            gaps.append(np.nan)
            lows.append(np.nan)
            highs.append(np.nan)
            ses.append(np.nan)
            continue
        l1, h1 = _rescale(v1, l1, h1, confidence)
        l2, h2 = _rescale(v2, l2, h2, confidence)
        g = absolute_gap(v1, l1, h1, v2, l2, h2)  # at the level of its inputs
        gaps.append(float(g.value))
        lows.append(float(g.lower))
        highs.append(float(g.upper))
        ses.append(float(_se(g.lower, g.upper, confidence)))
    gaps_a = np.array(gaps)
    first, second = GROUP_PAIRS[dimension]
    lows_a, highs_a = np.array(lows), np.array(highs)
    sure = np.isfinite(gaps_a) & ((lows_a > 0) | (highs_a < 0))
    signs = set(np.sign(gaps_a[sure]).tolist())
    if {1.0, -1.0} <= signs:
        # The gap changed sign (with intervals that exclude zero on both sides): neither
        # widening nor narrowing; the change of the signed gap gives size and direction.
        fin = np.isfinite(gaps_a)
        i0, i1 = int(np.argmax(fin)), len(gaps_a) - 1 - int(np.argmax(fin[::-1]))
        d = tr.difference_test(gaps_a[i0], ses[i0], gaps_a[i1], ses[i1], confidence=confidence)
        return GapTrend(
            "groups",
            dimension,
            f"{first}_minus_{second}",
            list(periods),
            gaps,
            lows,
            highs,
            "reversed",
            float(d.difference),
            float(d.lower),
            float(d.upper),
            "MOVER difference; the gap changed sign: change of the signed gap between the first "
            f"and the last period (z-test, {_pct(confidence)} %)",
            reason="sign_changed",
        )
    # A gap's size is its absolute value: a negative gap growing more negative widens too.
    sign = np.sign(np.nanmean(gaps_a)) if np.isfinite(gaps_a).any() else 1.0
    direction, change, lo, hi, method = _gap_change(
        periods, gaps_a * (sign or 1.0), np.array(ses), confidence
    )
    reason = ""
    if direction == "not_assessed":
        reason = "no_interval" if np.isfinite(gaps_a).sum() >= 2 else "too_few_periods"
    return GapTrend(
        "groups",
        dimension,
        f"{first}_minus_{second}",
        list(periods),
        gaps,
        lows,
        highs,
        direction,
        change,
        lo,
        hi,
        "MOVER difference; " + method,
        reason=reason,
    )


# ------------------------------------------------------------------------------------------
# headline


def headline(level: str, gaps: Iterable[GapTrend]) -> str:
    gaps = list(gaps)
    widening = any(g.direction == "widening" for g in gaps)
    narrowing = any(g.direction == "narrowing" for g in gaps) and not widening
    if level == "improving" and widening:
        return "improves_while_gap_widens"
    if level == "improving" and narrowing:
        return "improves_and_gap_narrows"
    if level == "worsening" and widening:
        return "worsens_and_gap_widens"
    if level == "worsening" and narrowing:
        return "worsens_while_gap_narrows"
    if widening:
        return "gap_widens"
    if narrowing:
        return "gap_narrows"
    if level in ("improving", "worsening"):
        return "improves" if level == "improving" else "worsens"
    return "no_clear_change" if level == "no_clear_change" else "not_assessed"


def _fmt(x: float | None, decimals: int, lang: str) -> str:
    if x is None or not np.isfinite(x):
        return "–"
    from skillnader.numbers import format_number

    return format_number(float(x), decimals, lang)


_LEVEL_SV = {
    "improving": "förbättras",
    "worsening": "försämras",
    "no_clear_change": "visar ingen säker förändring",
}
_LEVEL_EN = {
    "improving": "is improving",
    "worsening": "is getting worse",
    "no_clear_change": "shows no clear change",
}
_GAP_SV = {
    "widening": "ökar",
    "narrowing": "minskar",
    "no_clear_change": "är oförändrad",
    "reversed": "har bytt riktning",
}
_GAP_EN = {
    "widening": "is widening",
    "narrowing": "is narrowing",
    "no_clear_change": "shows no clear change",
    "reversed": "has changed direction",
}
#: Why a level or gap was not assessed, in words.
REASONS_SV = {
    "raw_count": "ett antal, som visas som bakgrund men inte jämförs som bättre eller sämre "
    "mellan områden (ett större område har fler av allt); jämför en andel eller ett tal per "
    "invånare",
    "ordinal_class": "en rangordnad klass (t.ex. områdestyp 1–5) utan avstånd mellan klasserna, "
    "som visas som bakgrund men inte jämförs med skillnadsmått",
    "no_interval": "värdena saknar osäkerhetsintervall",
    "too_few_periods": "för få jämförbara perioder",
    "too_few_areas": "för få områden",
    "no_benchmark": "jämförelsevärdet saknas",
    "no_judgement": "indikatorn har ingen bättre eller sämre riktning",
}
REASONS_EN = {
    "raw_count": "a count, shown as context but not compared as better or worse between areas "
    "(a larger area has more of everything); compare a share or a rate per inhabitant",
    "ordinal_class": "an ordinal class (e.g. area type 1-5) without distances between classes, "
    "shown as context but not summarised by gap measures",
    "no_interval": "the values have no uncertainty intervals",
    "too_few_periods": "too few comparable periods",
    "too_few_areas": "too few areas",
    "no_benchmark": "there is no value for the benchmark",
    "no_judgement": "the indicator has no better or worse direction",
}


def _extremes_text(g: GapTrend, d: int) -> tuple[str, str]:
    """``; högst i A 86,2 (83,5–88,4), lägst i B …`` for a gap between areas, or nothing."""
    if g.highest is None or g.lowest is None:
        return "", ""

    def one(a: dict[str, Any], lang: str) -> str:
        text = f"{a['name']} {_fmt(a['value'], d, lang)}"
        if a["lower"] is not None and a["upper"] is not None:
            text += f" ({_fmt(a['lower'], d, lang)}–{_fmt(a['upper'], d, lang)})"
        return text

    sv = f"; högst i {one(g.highest, 'sv')}, lägst i {one(g.lowest, 'sv')}"
    en = f"; highest in {one(g.highest, 'en')}, lowest in {one(g.lowest, 'en')}"
    if g.separated is True:
        sv += ", intervallen överlappar inte"
        en += ", the intervals do not overlap"
    elif g.separated is False:
        sv += ", intervallen överlappar"
        en += ", the intervals overlap"
    return sv, en


def _one_period_gap(g: GapTrend, d: int) -> tuple[str, str] | None:
    """The sentence parts for a gap between areas known for one period only: its size with its
    interval and the areas at either end; its change is not assessed."""
    last = max(
        (i for i, v in enumerate(g.values) if v is not None and np.isfinite(v)), default=None
    )
    if last is None or not (np.isfinite(g.lower[last]) and np.isfinite(g.upper[last])):
        return None
    if g.upper[last] - g.lower[last] <= 0:
        return None  # no interval behind the gap
    lv = g.label.split(":")[0]
    p = g.periods[last]
    ext_sv, ext_en = _extremes_text(g, d)
    sv = (
        f"skillnaden mellan {level_plural(lv, 'sv')} {p}: avståndet mellan 90:e och 10:e "
        f"percentilen {_fmt(g.values[last], d, 'sv')} ({_fmt(g.lower[last], d, 'sv')}–"
        f"{_fmt(g.upper[last], d, 'sv')}){ext_sv}; förändringen bedöms inte "
        f"({REASONS_SV['too_few_periods']})"
    )
    en = (
        f"the gap between {level_plural(lv, 'en')} in {p}: distance between the 90th and "
        f"10th percentile {_fmt(g.values[last], d, 'en')} ({_fmt(g.lower[last], d, 'en')}–"
        f"{_fmt(g.upper[last], d, 'en')}){ext_en}; its change is not assessed "
        f"({REASONS_EN['too_few_periods']})"
    )
    return sv, en


def sentences(
    info: IndicatorInfo,
    level: LevelTrend,
    gaps: list[GapTrend],
    benchmark_name: str,
    confidence: float = 0.95,
) -> tuple[str, str]:
    """One sentence per language, saying only what the tests support."""
    d = info.decimals
    sv, en = [], []
    vals = [
        (p, v)
        for p, v in zip(level.periods, level.values, strict=True)
        if v is not None and (not level.window or p in level.window)
    ]
    if level.assessment in _LEVEL_SV and len(vals) >= 2:
        (p0, v0), (p1, v1) = vals[0], vals[-1]
        sv.append(
            f"{info.name_sv} i {benchmark_name} {_LEVEL_SV[level.assessment]} "
            f"({_fmt(v0, d, 'sv')} år {p0}, {_fmt(v1, d, 'sv')} år {p1})"
        )
        en.append(
            f"{info.name_en or info.name_sv} in {benchmark_name} "
            f"{_LEVEL_EN[level.assessment]} ({_fmt(v0, d, 'en')} in {p0}, "
            f"{_fmt(v1, d, 'en')} in {p1})"
        )
    for g in gaps:
        if g.kind == "areas" and g.change is None and g.reason == "too_few_periods":
            # one period: the size of the gap now, with its interval, and where it lies
            one = _one_period_gap(g, d)
            if one is not None:
                sv.append(one[0])
                en.append(one[1])
            continue
        if g.direction not in _GAP_SV:
            continue
        what_sv: str | None
        what_en: str | None
        if g.kind == "areas":
            lv = g.label.split(":")[0]
            who_sv = f"skillnaden mellan {level_plural(lv, 'sv')}"
            who_en = f"the gap between {level_plural(lv, 'en')}"
            what_sv, what_en = "90:e och 10:e percentilen", "the 90th and 10th percentile"
        else:
            who_sv = f"skillnaden mellan {group_pair(g.label, 'sv')}"
            who_en = f"the gap between {group_pair(g.label, 'en')}"
            what_sv = what_en = None
        if g.change is None:
            continue
        ci_sv = f"{_fmt(g.change_lower, d, 'sv')} till {_fmt(g.change_upper, d, 'sv')}"
        ci_en = f"{_fmt(g.change_lower, d, 'en')} to {_fmt(g.change_upper, d, 'en')}"
        pct_sv = _pct(confidence).replace(".", ",")
        detail_sv = f"förändring {_fmt(g.change, d, 'sv')}, {pct_sv} % KI {ci_sv}"
        detail_en = f"change {_fmt(g.change, d, 'en')}, {_pct(confidence)}% CI {ci_en}"
        if what_sv:
            size_sv = size_en = ""
            last = max(
                (i for i, v in enumerate(g.values) if v is not None and np.isfinite(v)),
                default=None,
            )
            if last is not None:
                # the size of the gap now, with its interval, before its change
                size_sv = (
                    f" {_fmt(g.values[last], d, 'sv')} ({_fmt(g.lower[last], d, 'sv')}–"
                    f"{_fmt(g.upper[last], d, 'sv')}) {g.periods[last]}"
                )
                size_en = (
                    f" {_fmt(g.values[last], d, 'en')} ({_fmt(g.lower[last], d, 'en')}–"
                    f"{_fmt(g.upper[last], d, 'en')}) in {g.periods[last]}"
                )
            ext_sv, ext_en = _extremes_text(g, d)
            detail_sv = f"avståndet mellan {what_sv}{size_sv}; {detail_sv}{ext_sv}"
            detail_en = f"distance between {what_en}{size_en}; {detail_en}{ext_en}"
        sv.append(f"{who_sv} {_GAP_SV[g.direction]} ({detail_sv})")
        en.append(f"{who_en} {_GAP_EN[g.direction]} ({detail_en})")
    if not sv:
        gap_reason = next((g.reason for g in gaps if g.reason), "")
        reason = NOT_COMPARED_MEASURES.get(info.measure) or ""
        if not reason and not level.periods:
            # no value for the benchmark: the gaps' reason is the one that matters
            reason = gap_reason or "no_benchmark"
        reason = reason or level.reason or gap_reason
        if reason in REASONS_SV:
            return (
                f"{info.name_sv} bedöms inte: {REASONS_SV[reason]}.",
                f"{info.name_en or info.name_sv} is not assessed: {REASONS_EN[reason]}.",
            )
        return (
            f"{info.name_sv}: underlaget räcker inte för att bedöma utvecklingen.",
            f"{info.name_en or info.name_sv}: the data do not allow an assessment of the trend.",
        )
    joiner_sv = (
        ", medan "
        if level.assessment == "improving" and any(g.direction == "widening" for g in gaps)
        else "; "
    )
    joiner_en = ", while " if joiner_sv == ", medan " else "; "
    s_sv = sv[0] + (joiner_sv + "; ".join(sv[1:]) if len(sv) > 1 else "") + "."
    s_en = en[0] + (joiner_en + "; ".join(en[1:]) if len(en) > 1 else "") + "."
    return s_sv[0].upper() + s_sv[1:], s_en[0].upper() + s_en[1:]


# ------------------------------------------------------------------------------------------
# the whole observation set


def analyse(
    observations: Any,
    indicators: Mapping[str, IndicatorInfo],
    *,
    benchmark: str,
    benchmark_name: str = "staden",
    levels: Iterable[str] | None = None,
    method: str = "delta",
    sims: int = 1000,
    seed: int = 0,
    area_names: Mapping[str, str] | None = None,
    confidence: float = 0.95,
) -> list[Finding]:
    """Findings for every indicator in a polars DataFrame of observations.

    Columns: ``indicator``, ``level``, ``vintage``, ``area_code``, ``group`` (key; empty for
    everyone), ``period``, ``value``, ``lower``, ``upper``. ``benchmark`` is the area code of
    the whole (the city). ``levels`` restricts the between-area gaps to these levels;
    ``method`` chooses the gap interval (see :func:`area_gaps`). Suppressed cells (no value) are
    left out of every measure. The data are partitioned once; no per-row Python work.

    ``confidence`` is the level of every interval and test the findings report (the stored
    intervals are read as 95 % ones, :data:`DATA_LEVEL`; the five-point trend marker keeps its
    99.8 %).

    A level with one period still gets its gap between areas, with its interval, and the areas
    with the highest and lowest value (``area_names`` gives their names); the change of the gap
    is then not assessed (``too_few_periods``).
    """
    import polars as pl

    if not 0 < confidence < 1:
        from skillnader.errors import InputError

        raise InputError("the confidence level is a share", value=confidence, expected="0.95")
    df = observations
    if not isinstance(df, pl.DataFrame):
        df = pl.DataFrame(df)
    if df["value"].null_count():
        df = df.filter(pl.col("value").is_not_null())
    df = df.with_columns(pl.col("lower").cast(pl.Float64), pl.col("upper").cast(pl.Float64))
    is_benchmark = df["area_code"] == benchmark
    everyone = df["group"] == ""
    in_areas = everyone & ~is_benchmark
    if levels is not None:
        in_areas = in_areas & df["level"].is_in(list(levels))
    # The gap table is computed in a second thread (polars and NumPy release the GIL) while this
    # one works out the benchmark's trends and the group gaps, which do not depend on it.
    gap_job = None
    if method == "delta":
        pool = ThreadPoolExecutor(max_workers=1)
        gap_job = pool.submit(_delta_gaps, df, in_areas)
        pool.shutdown(wait=False)  # the thread ends when the job is done
    # The benchmark's own series, one list per column and indicator, in period order.
    city: dict[str, tuple[list, list, list, list]] = {}
    city_rows = (
        df.filter(is_benchmark & everyone)
        .select("indicator", "period", "value", "lower", "upper")
        .sort(["indicator", "period"], maintain_order=True)
    )
    for ind, *cols in city_rows.iter_rows():
        for col, x in zip(city.setdefault(ind, ([], [], [], [])), cols, strict=True):
            col.append(x)
    pair_keys = {f"{d}={g}": (d, i) for d, pair in GROUP_PAIRS.items() for i, g in enumerate(pair)}
    grouped = df.filter(is_benchmark & ~everyone).filter(pl.col("group").is_in(list(pair_keys)))
    group_rows: dict[str, dict[str, list[dict]]] = {}
    for row in grouped.iter_rows(named=True):
        group_rows.setdefault(row["indicator"], {}).setdefault(row["group"], []).append(row)

    # Indicators in order of first appearance (the first row of every run, then unique).
    first_rows = df.select(
        pl.col("indicator").filter(pl.col("indicator").ne_missing(pl.col("indicator").shift()))
    )
    todo: list[tuple[str, IndicatorInfo, LevelTrend, list[GapTrend]]] = []
    for ind_id in first_rows["indicator"].unique(maintain_order=True).to_list():
        info = indicators.get(ind_id)
        if info is None:
            continue
        lvl = level_trend(*city.get(ind_id, ([], [], [], [])), info.polarity, confidence)
        group_gaps: list[GapTrend] = []
        if info.measure in NOT_COMPARED_MEASURES:
            # Context only: no level judgement, no gaps between areas or groups.
            lvl.assessment, lvl.reason = "not_assessed", NOT_COMPARED_MEASURES[info.measure]
            todo.append((ind_id, info, lvl, group_gaps))
            continue
        rows_by_group = group_rows.get(ind_id, {})
        for dim, (first, second) in GROUP_PAIRS.items():
            a = {r["period"]: r for r in rows_by_group.get(f"{dim}={first}", [])}
            b = {r["period"]: r for r in rows_by_group.get(f"{dim}={second}", [])}
            periods = sorted(set(a) & set(b), key=_year)
            periods = [periods[i] for i in same_season(periods)]
            if len(periods) < 2:
                continue
            group_gaps.append(
                group_gap(
                    dim,
                    periods,
                    [(a[p]["value"], a[p]["lower"], a[p]["upper"]) for p in periods],
                    [(b[p]["value"], b[p]["lower"], b[p]["upper"]) for p in periods],
                    confidence,
                )
            )
        todo.append((ind_id, info, lvl, group_gaps))

    series: dict[str, dict[tuple[str, str], dict[str, tuple]]] = {}
    if gap_job is not None:
        gap_rows = gap_job.result()
        for ind, level, vintage, period, n, gap, se in gap_rows.iter_rows():
            series.setdefault(ind, {}).setdefault((level, vintage), {})[period] = (n, gap, se)
    else:
        per_period = (
            df.filter(in_areas)
            .with_columns(((pl.col("upper") - pl.col("lower")) / (2 * _z(DATA_LEVEL))).alias("se"))
            .group_by(["indicator", "level", "vintage", "period"])
            .agg(pl.col("value"), pl.col("se"))
        )
        for ind, level, vintage, period, vals, ses in per_period.iter_rows():
            series.setdefault(ind, {}).setdefault((level, vintage), {})[period] = (vals, ses)

    extremes = _extremes(df, in_areas)
    findings: list[Finding] = []
    for ind_id, info, lvl, group_gaps in todo:
        gaps: list[GapTrend] = []
        by_level = {} if info.measure in NOT_COMPARED_MEASURES else series.get(ind_id, {})
        for (level, vintage), by_period in sorted(by_level.items()):
            periods = sorted(by_period, key=_year)
            periods = [periods[i] for i in same_season(periods)]
            if not periods:
                continue
            if gap_job is not None:
                g = _gap_trend_from_table(periods, by_period, f"{level}:{vintage}", confidence)
                gaps.append(_with_extremes(g, extremes, ind_id, level, vintage, area_names))
                continue
            vals = [np.asarray(by_period[p][0], dtype=float) for p in periods]
            if max(v.size for v in vals) < MIN_AREAS:
                continue
            ses = [
                np.asarray([np.nan if x is None else x for x in by_period[p][1]], dtype=float)
                for p in periods
            ]
            g = area_gaps(
                periods,
                vals,
                ses,
                label=f"{level}:{vintage}",
                method=method,
                sims=sims,
                seed=seed,
                confidence=confidence,
            )
            gaps.append(_with_extremes(g, extremes, ind_id, level, vintage, area_names))
        gaps += group_gaps
        head = headline(lvl.assessment, gaps)
        s_sv, s_en = sentences(info, lvl, gaps, benchmark_name, confidence)
        findings.append(Finding(ind_id, lvl, gaps, head, s_sv, s_en, confidence))
    return findings
