"""Headline findings: does the level improve while the gap between areas or groups widens?

For every indicator the analysis tests two things together, each with its uncertainty:

* **the level** — the benchmark's (the city's) series for everyone: the weighted-slope trend
  marker of :func:`skillnader.stats.trend.trend_marker` on the last five points (fewer points, at
  least three, are used with the same test and said so; two points use the z-test of the change);
* **the gaps** — between areas, the difference between the 90th and the 10th percentile of the
  areas' values in each period (one vintage of boundaries at a time: areas of different vintages
  are never compared), with its interval by simulation from each area's own interval; between
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
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats as st

from skillnader.stats import trend as tr

LEVEL_WORDS = ("improving", "worsening", "no_clear_change", "not_assessed")
GAP_WORDS = ("widening", "narrowing", "no_clear_change", "not_assessed")

#: Pairs of groups whose gap is followed, per dimension: (first, second); the gap is first − second.
GROUP_PAIRS: dict[str, tuple[str, str]] = {
    "sex": ("female", "male"),
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


@dataclass
class Finding:
    indicator: str
    level: LevelTrend
    gaps: list[GapTrend]
    headline: str
    sentence_sv: str
    sentence_en: str

    @property
    def improves_while_gap_widens(self) -> bool:
        return self.headline == "improves_while_gap_widens"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["improves_while_gap_widens"] = self.improves_while_gap_widens
        return d


# ------------------------------------------------------------------------------------------
# helpers


def _z(confidence: float) -> float:
    return float(st.norm.ppf(0.5 + confidence / 2))


def _se(lower, upper, confidence=0.95) -> np.ndarray:
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    return (hi - lo) / (2 * _z(confidence))


def _year(period: str) -> float:
    p = str(period)
    base = float(p[:4])
    rest = p[4:].lstrip("-M").lstrip("H").lstrip("Q")
    if rest.isdigit() and len(p) > 4:
        if "H" in p:
            return base + (int(rest) - 1) / 2
        if "Q" in p:
            return base + (int(rest) - 1) / 4
        return base + (int(rest) - 1) / 12
    return base


# ------------------------------------------------------------------------------------------
# level


def level_trend(periods, values, lower, upper, polarity: str) -> LevelTrend:
    """Classify the benchmark's series: improving / worsening / no_clear_change / not_assessed."""
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
    if n == 2:
        d = tr.difference_test(v[ok][0], se[0], v[ok][1], se[1], confidence=0.95)
        marker = {"increase": "increasing", "decrease": "decreasing"}.get(
            str(d.direction), "no_significant_change"
        )
        out.method = "z-test of the change between two periods (95 %)"
        out.slope = float(d.difference)
    else:
        res = tr.trend_marker(
            xs,
            v[ok],
            se,
            polarity=polarity,
            n_points=min(5, n),
            confidence=0.95 if n < 5 else 0.998,
        )
        marker = res.marker
        out.method = (
            "weighted-slope trend marker on the last five points (99.8 %, leave-one-out)"
            if n >= 5
            else f"weighted-slope trend on {n} points (95 %, leave-one-out)"
        )
        out.slope, out.chi2, out.reason = res.slope, res.chi2, out.reason or res.reason
    out.marker = marker
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


def _gap_change(periods, gaps, ses) -> tuple[str, float | None, float | None, float | None, str]:
    ok = np.isfinite(gaps) & np.isfinite(ses) & (ses > 0)
    if ok.sum() < 2:
        return "not_assessed", None, None, None, "too_few_periods"
    xs = np.array([_year(p) for p in periods])[ok]
    g, s = gaps[ok], ses[ok]
    z = _z(0.95)
    if ok.sum() == 2:
        d = tr.difference_test(g[0], s[0], g[1], s[1], confidence=0.95)
        change, lo, hi = float(d.difference), float(d.lower), float(d.upper)
        method = "z-test of the change between two periods (95 %)"
    else:
        res = tr.weighted_slope(xs, g, s)
        span = xs[-1] - xs[0]
        change, se = res.slope * span, res.se * span
        lo, hi = change - z * se, change + z * se
        method = f"weighted slope over {int(ok.sum())} periods (95 %), change over the span"
    if lo > 0:
        return "widening", change, lo, hi, method
    if hi < 0:
        return "narrowing", change, lo, hi, method
    return "no_clear_change", change, lo, hi, method


def area_gaps(
    periods: list[str],
    values_by_period: list[np.ndarray],
    se_by_period: list[np.ndarray],
    *,
    label: str,
    sims: int = 1000,
    seed: int = 0,
) -> GapTrend:
    """The P90 − P10 difference between areas per period with a simulated 95 % interval, and the
    change of that gap over the periods."""
    rng = np.random.default_rng(seed)
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
        p90, p10 = np.percentile(v, [90, 10])
        draws = v[None, :] + rng.standard_normal((sims, v.size)) * s[None, :]
        q = np.percentile(draws, [90, 10], axis=1)
        sim = q[0] - q[1]
        gaps.append(float(p90 - p10))
        lows.append(float(np.percentile(sim, 2.5)))
        highs.append(float(np.percentile(sim, 97.5)))
        sd = float(np.std(sim, ddof=1))
        ses.append(sd if sd > 0 else np.nan)
    direction, change, lo, hi, method = _gap_change(periods, np.array(gaps), np.array(ses))
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


def group_gap(dimension: str, periods, a, b) -> GapTrend:
    """Absolute gap first − second group at the benchmark (MOVER), and its change over time.

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
        g = absolute_gap(v1, l1, h1, v2, l2, h2)
        gaps.append(float(g.value))
        lows.append(float(g.lower))
        highs.append(float(g.upper))
        ses.append(float(_se(g.lower, g.upper)))
    gaps_a = np.array(gaps)
    # A gap's size is its absolute value: a negative gap growing more negative widens too.
    sign = np.sign(np.nanmean(gaps_a)) if np.isfinite(gaps_a).any() else 1.0
    direction, change, lo, hi, method = _gap_change(periods, gaps_a * (sign or 1.0), np.array(ses))
    first, second = GROUP_PAIRS[dimension]
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
        reason="" if direction != "not_assessed" else "too_few_periods",
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
    s = f"{x:,.{decimals}f}"
    if lang == "sv":
        s = s.replace(",", "\u202f").replace(".", ",")
    return s


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
_GAP_SV = {"widening": "ökar", "narrowing": "minskar", "no_clear_change": "är oförändrad"}
_GAP_EN = {
    "widening": "is widening",
    "narrowing": "is narrowing",
    "no_clear_change": "shows no clear change",
}
_GROUP_SV = {"sex": "kvinnor och män", "birth_region": "utrikes och inrikes födda"}
_GROUP_EN = {"sex": "women and men", "birth_region": "people born abroad and born in Sweden"}
_LEVEL_NAMES_SV = {
    "sdo": "stadsdelsområdena",
    "regso": "RegSO-områdena",
    "stadsdel": "stadsdelarna",
    "kommun": "kommunerna",
    "valdistrikt": "valdistrikten",
    "basomrade": "basområdena",
}
_LEVEL_NAMES_EN = {
    "sdo": "district council areas",
    "regso": "RegSO areas",
    "stadsdel": "districts",
    "kommun": "municipalities",
    "valdistrikt": "electoral districts",
    "basomrade": "basic areas",
}


def sentences(
    info: IndicatorInfo, level: LevelTrend, gaps: list[GapTrend], benchmark_name: str
) -> tuple[str, str]:
    """One sentence per language, saying only what the tests support."""
    d = info.decimals
    sv, en = [], []
    vals = [(p, v) for p, v in zip(level.periods, level.values, strict=True) if v is not None]
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
        if g.direction not in _GAP_SV:
            continue
        if g.kind == "areas":
            lv = g.label.split(":")[0]
            who_sv = f"skillnaden mellan {_LEVEL_NAMES_SV.get(lv, lv)}"
            who_en = f"the gap between {_LEVEL_NAMES_EN.get(lv, lv)}"
            what_sv, what_en = "90:e och 10:e percentilen", "the 90th and 10th percentile"
        else:
            who_sv = f"skillnaden mellan {_GROUP_SV.get(g.label, g.label)}"
            who_en = f"the gap between {_GROUP_EN.get(g.label, g.label)}"
            what_sv = what_en = None
        if g.change is None:
            continue
        ci_sv = f"{_fmt(g.change_lower, d, 'sv')} till {_fmt(g.change_upper, d, 'sv')}"
        ci_en = f"{_fmt(g.change_lower, d, 'en')} to {_fmt(g.change_upper, d, 'en')}"
        detail_sv = f"förändring {_fmt(g.change, d, 'sv')}, 95 % KI {ci_sv}"
        detail_en = f"change {_fmt(g.change, d, 'en')}, 95% CI {ci_en}"
        if what_sv:
            detail_sv = f"avståndet mellan {what_sv}; {detail_sv}"
            detail_en = f"distance between {what_en}; {detail_en}"
        sv.append(f"{who_sv} {_GAP_SV[g.direction]} ({detail_sv})")
        en.append(f"{who_en} {_GAP_EN[g.direction]} ({detail_en})")
    if not sv:
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
    sims: int = 1000,
    seed: int = 0,
) -> list[Finding]:
    """Findings for every indicator in a polars DataFrame of observations.

    Columns: ``indicator``, ``level``, ``vintage``, ``area_code``, ``group`` (key; empty for
    everyone), ``period``, ``value``, ``lower``, ``upper``. ``benchmark`` is the area code of
    the whole (the city). ``levels`` restricts the between-area gaps to these levels.
    Suppressed cells (no value) are left out of every measure.
    """
    import polars as pl

    df = observations
    if not isinstance(df, pl.DataFrame):
        df = pl.DataFrame(df)
    df = df.filter(pl.col("value").is_not_null())
    wanted_levels = None if levels is None else set(levels)
    findings: list[Finding] = []
    for (ind_id,), part in df.group_by(["indicator"], maintain_order=True):
        info = indicators.get(ind_id)
        if info is None:
            continue
        city = part.filter((pl.col("area_code") == benchmark) & (pl.col("group") == ""))
        city = city.sort("period")
        lvl = level_trend(
            city["period"].to_list(),
            city["value"].to_list(),
            city["lower"].to_list(),
            city["upper"].to_list(),
            info.polarity,
        )
        gaps: list[GapTrend] = []
        everyone = part.filter((pl.col("group") == "") & (pl.col("area_code") != benchmark))
        for (level, vintage), sub in everyone.group_by(["level", "vintage"], maintain_order=True):
            if wanted_levels is not None and level not in wanted_levels:
                continue
            periods = sorted(sub["period"].unique().to_list(), key=_year)
            if len(periods) < 2:
                continue
            vals, ses = [], []
            for p in periods:
                q = sub.filter(pl.col("period") == p)
                v = q["value"].to_numpy().astype(float)
                lo = (
                    q["lower"].to_numpy().astype(float)
                    if q["lower"].null_count() < len(q)
                    else np.full(len(q), np.nan)
                )
                hi = (
                    q["upper"].to_numpy().astype(float)
                    if q["upper"].null_count() < len(q)
                    else np.full(len(q), np.nan)
                )
                vals.append(v)
                ses.append(_se(lo, hi))
            if max(len(v) for v in vals) < MIN_AREAS:
                continue
            gaps.append(
                area_gaps(periods, vals, ses, label=f"{level}:{vintage}", sims=sims, seed=seed)
            )
        at_city = part.filter(pl.col("area_code") == benchmark)
        for dim, (first, second) in GROUP_PAIRS.items():
            a_key, b_key = f"{dim}={first}", f"{dim}={second}"
            a = at_city.filter(pl.col("group") == a_key)
            b = at_city.filter(pl.col("group") == b_key)
            periods = sorted(set(a["period"].to_list()) & set(b["period"].to_list()), key=_year)
            if len(periods) < 2:
                continue

            def triple(frame, p):
                row = frame.filter(pl.col("period") == p).row(0, named=True)
                return row["value"], row["lower"], row["upper"]

            gaps.append(
                group_gap(
                    dim, periods, [triple(a, p) for p in periods], [triple(b, p) for p in periods]
                )
            )
        head = headline(lvl.assessment, gaps)
        s_sv, s_en = sentences(info, lvl, gaps, benchmark_name)
        findings.append(Finding(ind_id, lvl, gaps, head, s_sv, s_en))
    return findings
