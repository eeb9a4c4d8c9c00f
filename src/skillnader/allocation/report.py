"""The allocation's report: who got what, by area and group, with intervals and disclosure control.

Rates are proportions placed with Wilson intervals (:func:`skillnader.stats.intervals.wilson`).
Every table of counts of youths goes through the project's disclosure control
(:func:`skillnader.stats.disclosure.protect`) with the policy's threshold before anything is
shown: a suppressed cell has no count, no rate and no interval. The comparison with the
district-by-district status quo gives the difference in placement rate with a MOVER interval
(Newcombe 1998, method 10) from the two Wilson intervals; the two allocations share their
applicants, so the interval treats them as independent samples, which is conservative when the
outcomes are positively correlated.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import polars as pl

from skillnader.allocation import geography
from skillnader.allocation.run import (
    Result,
    blocking_pairs,
    district_minimum_status,
    reserve_shortfalls,
)
from skillnader.stats import disclosure
from skillnader.stats.intervals import wilson

TOTAL = "Alla"
SEX_LABEL = {"female": "flickor", "male": "pojkar", "other": "annat"}


def rate(placed: int, n: int, confidence: float = 0.95) -> dict:
    lo, hi = wilson(placed, n, confidence) if n else (math.nan, math.nan)
    return {
        "placed": placed,
        "applicants": n,
        "rate": placed / n if n else None,
        "lower": None if n == 0 else float(lo),
        "upper": None if n == 0 else float(hi),
    }


def difference(a: dict, b: dict) -> dict | None:
    """Rate a minus rate b with the MOVER/Newcombe interval; None when either is missing."""
    if a.get("rate") is None or b.get("rate") is None:
        return None
    d = a["rate"] - b["rate"]
    lo = d - math.sqrt((a["rate"] - a["lower"]) ** 2 + (b["upper"] - b["rate"]) ** 2)
    hi = d + math.sqrt((a["upper"] - a["rate"]) ** 2 + (b["rate"] - b["lower"]) ** 2)
    return {"difference": d, "lower": lo, "upper": hi}


def protected_rates(counts: dict[str, tuple[int, int]], dim: str, threshold: int) -> list[dict]:
    """Rates per key (placed, applicants) with a total, through the disclosure control.

    Returns one row per key plus the total (key ``Alla``); suppressed rows carry
    ``suppressed: True`` and no numbers.
    """
    keys = sorted(counts)
    frame = pl.DataFrame(
        {
            dim: keys + [TOTAL],
            "placed": [counts[k][0] for k in keys] + [sum(v[0] for v in counts.values())],
            "applicants": [counts[k][1] for k in keys] + [sum(v[1] for v in counts.values())],
        }
    )
    prot = disclosure.protect(
        frame,
        dims=[dim],
        count="placed",
        denominator="applicants",
        threshold=threshold,
        hierarchies={dim: {TOTAL: keys}},
    )
    out = []
    for row in prot.iter_rows(named=True):
        if row["suppressed"]:
            out.append({dim: row[dim], "suppressed": True})
        else:
            out.append(
                {dim: row[dim], "suppressed": False, **rate(row["placed"], row["applicants"])}
            )
    return out


def protected_counts(counts: dict[str, int], dim: str, threshold: int) -> dict[str, int | None]:
    """Counts per key with a total through the disclosure control; None where suppressed."""
    keys = sorted(counts)
    frame = pl.DataFrame(
        {dim: keys + [TOTAL], "n": [counts[k] for k in keys] + [sum(counts.values())]}
    )
    prot = disclosure.protect(
        frame, dims=[dim], count="n", threshold=threshold, hierarchies={dim: {TOTAL: keys}}
    )
    return {r[dim]: r["published"] for r in prot.iter_rows(named=True)}


def _tab(result: Result, key) -> dict[str, tuple[int, int]]:
    pb = result.problem
    placed: Counter = Counter()
    n: Counter = Counter()
    for i, a in enumerate(pb.applicants):
        k = key(i, a)
        if k is None:
            continue
        n[k] += 1
        placed[k] += result.match[i] >= 0
    return {k: (placed[k], n[k]) for k in n}


def _side(result: Result, i: int) -> str:
    return "inner" if result.problem.home_inner[i] else "outer"


def area_tier_table(result: Result) -> list[dict]:
    """Placed / applicants by home area and need tier, protected by ONE disclosure decision
    (:func:`skillnader.stats.disclosure.protect_cells`) over every published cell: districts
    nested in inner/outer city nested in the city, and inner/outer city x need tier with the tier
    totals; a total shared by both structures is one cell with one decision, so no published
    figure can undo another table's suppression. Rows: ``area`` (district, ``inner``, ``outer``
    or ``Alla``) and ``tier`` (a tier id or ``Alla``)."""
    pb = result.problem
    thr = pb.policy.disclosure_threshold
    inner = geography.district_is_inner()
    placed: Counter = Counter()
    n: Counter = Counter()
    for i, a in enumerate(pb.applicants):
        n[(a.home_district, str(pb.tier[i]))] += 1
        placed[(a.home_district, str(pb.tier[i]))] += result.match[i] >= 0
    districts = sorted({d for d, _ in n})
    tiers = [str(t.id) for t in pb.policy.tiers]
    sides = {
        "inner": [d for d in districts if inner.get(d)],
        "outer": [d for d in districts if not inner.get(d)],
    }
    sides = {k: v for k, v in sides.items() if v}
    members = {TOTAL: districts} | sides

    def total(ds, ts):
        return sum(placed[(d, x)] for d in ds for x in ts), sum(n[(d, x)] for d in ds for x in ts)

    areas = [*districts, *sides, TOTAL]
    # ONE decision over every cell (a shared total is one row): districts, inner/outer, the
    # city, and inner/outer x tier with the tier totals, with all their additive relations
    keys: list[tuple[str, str]] = [(a, TOTAL) for a in areas]
    keys += [(a, t) for a in [*sides, TOTAL] for t in tiers]
    index = {k: i for i, k in enumerate(keys)}
    cnt, den = [], []
    for area, t in keys:
        p_, n_ = total(members.get(area, [area]), tiers if t == TOTAL else [t])
        cnt.append(p_)
        den.append(n_)
    rel = [(index[(TOTAL, TOTAL)], [index[(s_, TOTAL)] for s_ in sides])]
    rel += [(index[(s_, TOTAL)], [index[(d, TOTAL)] for d in ds]) for s_, ds in sides.items()]
    for a in [*sides, TOTAL]:
        rel.append((index[(a, TOTAL)], [index[(a, t)] for t in tiers]))
    for t in tiers:
        rel.append((index[(TOTAL, t)], [index[(s_, t)] for s_ in sides]))
    sup, _kind = disclosure.protect_cells(
        np.asarray(cnt, dtype=float),
        rel,
        disclosure.Policy(threshold=thr),
        denominators=np.asarray(den, dtype=float),
    )
    out = []
    for (area, t), hide, p_, n_ in zip(keys, sup, cnt, den, strict=True):
        base = {"area": area, "tier": t}
        out.append(
            base | {"suppressed": True} if hide else base | {"suppressed": False, **rate(p_, n_)}
        )
    return out


def group_tables(result: Result) -> dict:
    thr = result.policy.disclosure_threshold
    born = {True: "born_in_sweden", False: "born_abroad", None: "unknown"}
    at = sorted(
        area_tier_table(result),
        key=lambda r: (
            r["area"] == TOTAL,
            r["area"] in ("inner", "outer"),
            r["area"],
            r["tier"] == TOTAL,
            r["tier"],
        ),
    )

    def pick(keep, key, value):
        return [
            {key: value(r)} | {k: v for k, v in r.items() if k not in ("area", "tier")}
            for r in at
            if keep(r)
        ]

    sides = ("inner", "outer")
    return {
        "district": pick(
            lambda r: r["tier"] == TOTAL and r["area"] not in sides, "district", lambda r: r["area"]
        ),
        "tier": pick(lambda r: r["area"] == TOTAL, "tier", lambda r: r["tier"]),
        "sex": protected_rates(_tab(result, lambda i, a: a.sex), "sex", thr),
        "birth": protected_rates(_tab(result, lambda i, a: born[a.born_in_sweden]), "birth", thr),
        "side_tier": pick(
            lambda r: r["area"] in sides or (r["area"] == TOTAL and r["tier"] == TOTAL),
            "side_tier",
            lambda r: TOTAL if r["area"] == TOTAL else f"{r['area']}/{r['tier']}",
        ),
    }


def mixing(result: Result) -> dict:
    pb = result.problem
    out = {}
    for side, other in (("inner", False), ("outer", True)):
        places = filled = from_other = 0
        for j, p in enumerate(pb.positions):
            if p.inner_city != (side == "inner"):
                continue
            places += p.capacity
            filled += len(result.holders[j])
            from_other += sum(1 for x, _, _ in result.holders[j] if pb.home_inner[x] == other)
        r = rate(from_other, filled)
        out[f"{side}_city_places"] = {
            "places": places,
            "filled": filled,
            "filled_by_youths_from_the_other_side": from_other,
            "share": r["rate"],
            "lower": r["lower"],
            "upper": r["upper"],
            "required_share": pb.policy.outer_share_of_inner
            if side == "inner"
            else pb.policy.inner_share_of_outer,
        }
    return out


def mixing_shortfalls(result: Result, shortfalls: list[dict] | None = None) -> dict:
    """How far the mixing rule could not be met, and why (see :func:`reserve_shortfalls`)."""
    pb = result.problem
    if shortfalls is None:
        shortfalls = reserve_shortfalls(result)
    mix_short = [s for s in shortfalls if s["kind"] == "home_inner"]
    return {
        "workplaces_with_mixing_places": sum(
            1 for r in pb.reserved if any(s[0] == "home_inner" for s in r)
        ),
        "workplaces_short": len(mix_short),
        "places_short": sum(s["shortfall"] for s in mix_short),
        "short_because_too_few_from_the_other_side_applied": sum(
            s["shortfall"] for s in mix_short if s["justified"]
        ),
        "why": "a mixing place goes to another youth only when no youth from the other side of the "
        "city who listed the workplace is left without a place they rank at least as high",
    }


def group_tables_cache(result: Result) -> dict:
    cache = result.__dict__.setdefault("_group_tables", None)
    if cache is None:
        cache = result.__dict__["_group_tables"] = group_tables(result)
    return cache


def ledger(result: Result) -> list[dict]:
    """Per district: places offered by its workplaces, how many went to its own youths, how many
    it gave to youths from other districts, how many of its youths got places elsewhere (received),
    and the balance received - given. Counts of youths go through disclosure control."""
    pb = result.problem
    thr = pb.policy.disclosure_threshold
    offered: Counter = Counter()
    own: Counter = Counter()
    given: Counter = Counter()
    received: Counter = Counter()
    for p in pb.positions:
        offered[p.district] += p.capacity
    for i, j in enumerate(result.match):
        if j < 0:
            continue
        home, work = pb.applicants[i].home_district, pb.positions[j].district
        if home == work:
            own[home] += 1
        else:
            given[work] += 1
            received[home] += 1
    ds = sorted(set(offered) | {a.home_district for a in pb.applicants})
    hidden = {r["district"] for r in group_tables_cache(result)["district"] if r["suppressed"]}
    own_p = protected_counts({d: own[d] for d in ds}, "district", thr)
    given_p = protected_counts({d: given[d] for d in ds}, "district", thr)
    rec_p = protected_counts({d: received[d] for d in ds}, "district", thr)
    for d in hidden:
        # own + received = the district's placed count, suppressed in the area table
        own_p[d] = rec_p[d] = None
    rows = []
    for d in [*ds, TOTAL]:
        g, r = given_p.get(d), rec_p.get(d)
        rows.append(
            {
                "district": d,
                "places_offered": offered[d] if d != TOTAL else sum(offered.values()),
                "to_own_youths": own_p.get(d),
                "given_to_other_districts": g,
                "received_from_other_districts": r,
                "balance": None if g is None or r is None else r - g,
            }
        )
    return rows


def build_report(result: Result, status_quo: Result | None = None) -> dict:
    """The report as a dict (serialisable to JSON): every figure with its interval, every area
    figure through disclosure control."""
    pb = result.problem
    placed = sum(1 for j in result.match if j >= 0)
    shortfalls = reserve_shortfalls(result)
    tier_short = [s for s in shortfalls if s["kind"] == "tier"]
    dmin = district_minimum_status(result)
    # the placed counts as the protected area table publishes them
    dmin_prot = {
        r["district"]: (None if r["suppressed"] else r["placed"])
        for r in group_tables_cache(result)["district"]
    }
    rep = {
        "policy": {"id": pb.policy.id, "version": pb.policy.version, "digest": pb.policy.digest},
        "seed": pb.seed,
        "seed_published": pb.policy.seed_published.isoformat()
        if pb.policy.seed_published
        else None,
        "mode": result.mode,
        "applicants": len(pb.applicants),
        "positions": len(pb.positions),
        "places": sum(pb.capacity),
        "overall": rate(placed, len(pb.applicants)),
        "groups": group_tables_cache(result),
        "mixing": mixing(result),
        "mixing_shortfalls": mixing_shortfalls(result, shortfalls),
        "tier_reserve_shortfalls": {
            "workplaces_short": len(tier_short),
            "places_short": sum(s["shortfall"] for s in tier_short),
            "justified": sum(s["shortfall"] for s in tier_short if s["justified"]),
        },
        "district_minimum": [
            {
                "district": d["district"],
                "minimum": d["minimum"],
                "placed": dmin_prot.get(d["district"]),
                "met": d["met"],
            }
            for d in dmin
        ],
        "blocking_pairs": len(blocking_pairs(result)),
        "ledger": ledger(result),
    }
    if result.mode == "optimise":
        rep["optimisation"] = result.info
    if status_quo is not None:
        sq = group_tables_cache(status_quo)
        cw = rep["groups"]
        comp = []
        sq_by = {r["side_tier"]: r for r in sq["side_tier"]}
        for r in cw["side_tier"]:
            s = sq_by.get(r["side_tier"], {"suppressed": True})
            row = {"group": r["side_tier"], "city_wide": r, "district_by_district": s}
            row["difference"] = None if r["suppressed"] or s["suppressed"] else difference(r, s)
            comp.append(row)
        sq_d = {r["district"]: r for r in sq["district"]}
        comp_d = []
        for r in cw["district"]:
            s = sq_d.get(r["district"], {"suppressed": True})
            comp_d.append(
                {
                    "district": r["district"],
                    "city_wide": r,
                    "district_by_district": s,
                    "difference": None if r["suppressed"] or s["suppressed"] else difference(r, s),
                }
            )
        rep["status_quo"] = {
            "overall": rate(sum(1 for j in status_quo.match if j >= 0), len(pb.applicants)),
            "by_side_and_tier": comp,
            "by_district": comp_d,
            "method": "each district's positions only to its own youths; same applicants, "
            "categories and periods, tiers, tier reserves and lottery",
        }
    return rep


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f}".replace(".", ",")


def _ci(r: dict) -> str:
    if r.get("suppressed"):
        return "× (skyddat)"
    return f"{_pct(r['rate'])} % ({_pct(r['lower'])}–{_pct(r['upper'])}), {r['placed']} av {r['applicants']}"


def render_markdown(rep: dict, *, synthetic: bool = False) -> str:
    L = []
    if synthetic:
        L.append("> **SYNTETISKA DATA** – inga verkliga personer eller arbetsgivare.\n")
    L.append(f"# Feriejobb: fördelning ({rep['mode']})\n")
    L.append(
        f"Policy {rep['policy']['id']} version {rep['policy']['version']} (sha256 {rep['policy']['digest'][:12]}…), "
        f"lottfrö `{rep['seed']}` publicerat {rep['seed_published'] or 'okänt datum'}. "
        f"{rep['applicants']} sökande, {rep['places']} platser på {rep['positions']} arbetsplatser.\n"
    )
    L.append(
        f"Placerade: {_ci(rep['overall'])}. Intervall: 95 % Wilson. × = skyddat av röjandekontroll.\n"
    )
    L.append(
        f"Blockerande par (någon föredrar en plats som gått till någon med lägre prioritet för den platsen): {rep['blocking_pairs']}.\n"
    )
    names = {
        "district": "Hemdistrikt",
        "tier": "Behovsnivå",
        "sex": "Kön",
        "birth": "Födelseland",
        "side_tier": "Inner-/ytterstad och behovsnivå",
    }
    shown = SEX_LABEL | {
        "born_in_sweden": "född i Sverige",
        "born_abroad": "född utomlands",
        "unknown": "okänt",
    }
    for key, title in names.items():
        L.append(
            f"\n## Andel placerade efter {title.lower()}\n\n| {title} | Placerade |\n|---|---|"
        )
        for r in rep["groups"][key]:
            v = (
                str(r[key])
                .replace("inner/", "innerstad, nivå ")
                .replace("outer/", "ytterstad, nivå ")
            )
            L.append(f"| {shown.get(v, v)} | {_ci(r)} |")
    m = rep["mixing"]
    L.append("\n## Blandning mellan inner- och ytterstad\n")
    L.append(
        f"Innerstadens platser till unga från ytterstaden: {_pct(m['inner_city_places']['share'])} % "
        f"({_pct(m['inner_city_places']['lower'])}–{_pct(m['inner_city_places']['upper'])}); krav {_pct(m['inner_city_places']['required_share'])} % per arbetsplats."
    )
    L.append(
        f"Ytterstadens platser till unga från innerstaden: {_pct(m['outer_city_places']['share'])} % "
        f"({_pct(m['outer_city_places']['lower'])}–{_pct(m['outer_city_places']['upper'])}); krav {_pct(m['outer_city_places']['required_share'])} % per arbetsplats."
    )
    ms = rep["mixing_shortfalls"]
    L.append(
        f"\nBlandningsregeln kunde inte uppfyllas på {ms['workplaces_short']} av {ms['workplaces_with_mixing_places']} arbetsplatser "
        f"({ms['places_short']} platser); för {ms['short_because_too_few_from_the_other_side_applied']} av dem fanns ingen sökande från andra sidan staden kvar utan en plats de rangordnat minst lika högt.\n"
    )
    if "status_quo" in rep:
        sq = rep["status_quo"]
        L.append("\n## Jämförelse med fördelning distrikt för distrikt\n")
        L.append(
            f"Distrikt för distrikt: {_ci(sq['overall'])}; stadsgemensamt: {_ci(rep['overall'])}.\n"
        )
        L.append(
            "| Grupp | Stadsgemensamt | Distrikt för distrikt | Skillnad (procentenheter) |\n|---|---|---|---|"
        )
        for r in sq["by_side_and_tier"]:
            d = r["difference"]
            ds = (
                "×"
                if d is None
                else f"{_pct(d['difference'])} ({_pct(d['lower'])} till {_pct(d['upper'])})"
            )
            L.append(
                f"| {r['group']} | {_ci(r['city_wide'])} | {_ci(r['district_by_district'])} | {ds} |"
            )
    L.append("\n## Platser givna och mottagna per distrikt\n")
    L.append(
        "| Distrikt | Platser | Till egna unga | Till unga från andra distrikt | Egna unga placerade i andra distrikt | Netto |\n|---|---|---|---|---|---|"
    )

    def c(v):
        return "×" if v is None else str(v)

    for r in rep["ledger"]:
        L.append(
            f"| {r['district']} | {r['places_offered']} | {c(r['to_own_youths'])} | {c(r['given_to_other_districts'])} | "
            f"{c(r['received_from_other_districts'])} | {c(r['balance'])} |"
        )
    if rep["district_minimum"]:
        L.append(
            "\n## Minsta antal per hemdistrikt\n\n| Distrikt | Minst | Placerade | Uppfyllt |\n|---|---|---|---|"
        )
        for r in rep["district_minimum"]:
            L.append(
                f"| {r['district']} | {r['minimum']} | {c(r['placed'])} | {'ja' if r['met'] else 'nej'} |"
            )
    return "\n".join(L) + "\n"


def render_html(rep: dict, *, synthetic: bool = False) -> str:
    """The Markdown report as a standalone Swedish HTML page (headings, paragraphs, tables with
    header cells), for the browser and for the PDF."""
    import html as _html
    import re

    def inline(text: str) -> str:
        t = _html.escape(text)
        t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)
        return re.sub(r"`(.+?)`", r"<code>\1</code>", t)

    out: list[str] = []
    table: list[list[str]] = []

    def flush():
        if not table:
            return
        head, body = table[0], [r for r in table[2:]]
        out.append(
            "<table><thead><tr>"
            + "".join(f'<th scope="col">{inline(c)}</th>' for c in head)
            + "</tr></thead><tbody>"
        )
        for r in body:
            out.append(
                "<tr>"
                + f'<th scope="row">{inline(r[0])}</th>'
                + "".join(f"<td>{inline(c)}</td>" for c in r[1:])
                + "</tr>"
            )
        out.append("</tbody></table>")
        table.clear()

    for line in render_markdown(rep, synthetic=synthetic).splitlines():
        if line.startswith("|"):
            table.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        flush()
        if line.startswith("## "):
            out.append(f"<h2>{inline(line[3:])}</h2>")
        elif line.startswith("# "):
            out.append(f"<h1>{inline(line[2:])}</h1>")
        elif line.startswith("> "):
            out.append(f'<p class="synthetic">{inline(line[2:])}</p>')
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
    flush()
    style = (
        "body{font-family:sans-serif;font-size:10pt;margin:1.5cm}table{border-collapse:collapse;margin:.5em 0}"
        "th,td{border:1px solid #999;padding:2px 6px;text-align:left}.synthetic{border:3px solid #b10e1e;padding:4px}"
        "@page{size:A4;margin:1.5cm}"
    )
    title = _html.escape(f"Feriejobb: fördelning ({rep['mode']})")
    return (
        f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{style}</style></head><body>" + "\n".join(out) + "</body></html>\n"
    )
