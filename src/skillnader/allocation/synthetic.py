"""A SYNTHETIC population of summer-job applicants and positions, for tests, benchmarks and the
demonstration page — never real people, and never to be shown as real.

It is drawn from real published aggregates bundled with the project:

* applicants per RegSO in proportion to the RegSO's population (SCB, 2023) times its district's
  share of 16-19-year-olds (the city's basområde population by sex and age, 2016, aggregated to
  districts); sex from the same table's 16-19 sex ratio per district;
* born in Sweden with the RegSO's share of the population born in Sweden (SCB, 2023);
* household receiving social assistance with the district's share of children 0-17 in households
  receiving it (the city's Statistical Yearbook, latest year in the bundle);
* positions per district in proportion to the jobs located in the district (daytime employed
  population, Statistical Yearbook) — the districts with the most need have the fewest employers.

Every id starts with ``SYN-`` and every employer is called "Syntetisk arbetsgivare"; the output
files carry a ``SYNTHETIC`` note.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from functools import cache
from pathlib import Path

import numpy as np

from skillnader.allocation import geography
from skillnader.allocation.model import EMPLOYER_TYPES, Applicant, Position

BUNDLE = Path(__file__).resolve().parent.parent / "bundle" / "data"
CATEGORIES = ("park", "omsorg", "kultur", "idrott", "kontor", "butik", "kok")
LABEL = "SYNTETISKA DATA – inte verkliga personer eller arbetsgivare (synthetic data)"


@cache
def regso_table() -> list[dict]:
    """Per Stockholm RegSO: code, district, old (2007-2020) district, population, born-in-Sweden share."""
    pop: dict[str, dict[str, int]] = defaultdict(dict)
    with open(
        BUNDLE / "regso_sweden" / "regso_population_by_birth_region_2020_2023.csv",
        encoding="utf-8-sig",
    ) as fh:
        for r in csv.DictReader(fh):
            if r["region"].startswith("Stockholm (") and r["kön"] == "totalt":
                pop[r["region"][len("Stockholm (") : -1]][r["födelseregion"]] = int(r["Antal 2023"])
    out = []
    with open(
        BUNDLE / "stockholm_districts" / "stockholm_regso_to_sdo_lookup_DERIVED.csv",
        encoding="utf-8",
    ) as fh:
        for r in csv.DictReader(fh):
            p = pop.get(r["regsonamn"])
            if not p or not p.get("totalt"):
                continue
            out.append(
                {
                    "regso": r["regsokod"],
                    "district": r["sdo_from_2023_07"],
                    "old_district": r["sdo_2007_2020"],
                    "population": p["totalt"],
                    "born_in_sweden": p.get("Sverige", 0) / p["totalt"],
                }
            )
    return out


@cache
def district_youth() -> dict[str, tuple[float, float]]:
    """District (2023) -> (share of the population aged 16-19, share of them female), 2016."""
    with open(
        BUNDLE / "stockholm" / "stockholm_basomrade_to_stadsdel_lookup_DERIVED.csv",
        encoding="utf-8",
    ) as fh:
        bas = {r["nyckelkod"]: r["stadsdel_kth"] for r in csv.DictReader(fh)}
    with open(
        BUNDLE / "stockholm_districts" / "stockholm_stadsdel_to_stadsdelsomrade.csv",
        encoding="utf-8",
    ) as fh:
        sd = {r["stadsdel_kth"]: r["sdo_from_2023_07"] for r in csv.DictReader(fh)}
    tot: dict[str, float] = defaultdict(float)
    young: dict[str, float] = defaultdict(float)
    women: dict[str, float] = defaultdict(float)
    with open(
        BUNDLE / "stockholm" / "stockholm_basomraden_population_by_sex_age_2014_2016.csv",
        encoding="utf-8",
    ) as fh:
        for r in csv.DictReader(fh):
            if r["year"] != "2016":
                continue
            d = sd.get(bas.get(r["nyckelkod"], ""))
            if d is None:
                continue
            v = float(r["population"] or 0)
            tot[d] += v
            if r["age_group"] == "16-19":
                young[d] += v
                if r["sex"] == "women":
                    women[d] += v
    return {d: (young[d] / tot[d], women[d] / young[d] if young[d] else 0.5) for d in tot if tot[d]}


def _usk(indicator: str) -> dict[str, float]:
    """Latest value per old (14) district of a Statistical Yearbook indicator."""
    best: dict[str, tuple[int, float]] = {}
    with open(
        BUNDLE / "stockholm_districts" / "stockholm_sdo14_usk_indicators_long.csv", encoding="utf-8"
    ) as fh:
        for r in csv.DictReader(fh):
            if r["indicator"] == indicator and r["area_level"] == "stadsdelsomrade":
                y = int(r["year"])
                if r["area_name"] not in best or y > best[r["area_name"]][0]:
                    best[r["area_name"]] = (y, float(r["value"]))
    return {k: v for k, (_, v) in best.items()}


@cache
def social_assistance_children_share() -> dict[str, float]:
    """Old district -> share (0-1) of children 0-17 in households receiving social assistance."""
    return {
        k: v / 100
        for k, v in _usk("social_assistance_recipients_age_children_0_17_pct_of_age_group").items()
    }


@cache
def jobs_by_district() -> dict[str, float]:
    """District (2023) -> jobs located there (daytime employed population)."""
    old = _usk("employed_daytime_population_jobs_in_area")
    to_new = {r["old_district"]: r["district"] for r in regso_table()}
    out: dict[str, float] = defaultdict(float)
    for k, v in old.items():
        out[to_new.get(k, k)] += v
    return dict(out)


def applicants(
    n: int, seed: int = 1, *, year: int = 2027, periods=("juni", "juli", "augusti")
) -> list[Applicant]:
    rng = np.random.default_rng(seed)
    regsos = regso_table()
    youth = district_youth()
    sa = social_assistance_children_share()
    w = np.array([r["population"] * youth[r["district"]][0] for r in regsos])
    pick = rng.choice(len(regsos), size=n, p=w / w.sum())
    districts = geography.districts()
    ref = dt.date(year, 6, 15)
    out = []
    for k in range(n):
        r = regsos[pick[k]]
        d = r["district"]
        age = int(rng.integers(16, 19))
        birth = ref - dt.timedelta(days=int(age * 365.25 + rng.integers(1, 360)))
        female = rng.random() < youth[d][1]
        born_se = bool(rng.random() < r["born_in_sweden"])
        n_choices = int(rng.integers(1, 5))
        choices = []
        for _ in range(n_choices):
            cat = CATEGORIES[int(rng.integers(len(CATEGORIES)))]
            per = periods[int(rng.integers(len(periods)))] if rng.random() < 0.6 else "*"
            u = rng.random()
            where = (
                "*" if u < 0.5 else d if u < 0.8 else districts[int(rng.integers(len(districts)))]
            )
            choices.append(f"{cat}/{per}/{where}")
        out.append(
            Applicant(
                id=f"SYN-A{k + 1:06d}",
                birth_date=birth,
                sex="female" if female else "male",
                born_in_sweden=born_se,
                home_area=r["regso"],
                home_district=d,
                school=f"Syntetisk skola {int(rng.integers(1, 60)):02d}",
                social_assistance=bool(rng.random() < sa.get(r["old_district"], 0.03)),
                newly_arrived=bool(not born_se and rng.random() < 0.08),
                support_needs=bool(rng.random() < 0.05),
                earlier_summer_job=bool(rng.random() < 0.3),
                choices=tuple(dict.fromkeys(choices)),
                languages=("sv",) + (("ar",) if not born_se and rng.random() < 0.3 else ()),
            )
        )
    return out


def positions(
    places: int, workplaces: int, seed: int = 1, *, periods=("juni", "juli", "augusti")
) -> list[Position]:
    """``workplaces`` positions whose capacities add up to exactly ``places``."""
    rng = np.random.default_rng(seed + 7919)
    jobs = jobs_by_district()
    ds = sorted(jobs)
    w = np.array([jobs[d] for d in ds])
    where = rng.choice(len(ds), size=workplaces, p=w / w.sum())
    raw = rng.gamma(2.0, 1.0, size=workplaces)
    cap = np.maximum(1, np.floor(raw / raw.sum() * places)).astype(int)
    diff = places - cap.sum()
    order = np.argsort(-raw, kind="stable")
    k = 0
    while diff != 0:
        j = order[k % workplaces]
        if diff > 0:
            cap[j] += 1
            diff -= 1
        elif cap[j] > 1:
            cap[j] -= 1
            diff += 1
        k += 1
    inner = geography.district_is_inner()
    out = []
    for j in range(workplaces):
        d = ds[where[j]]
        req = ("language:ar",) if rng.random() < 0.03 else ()
        out.append(
            Position(
                id=f"SYN-P{j + 1:05d}",
                employer=f"Syntetisk arbetsgivare {j + 1:05d}",
                employer_type=EMPLOYER_TYPES[int(rng.integers(len(EMPLOYER_TYPES)))],
                district=d,
                inner_city=inner[d],
                category=CATEGORIES[int(rng.integers(len(CATEGORIES)))],
                period=periods[int(rng.integers(len(periods)))],
                capacity=int(cap[j]),
                min_age=17 if rng.random() < 0.05 else None,
                max_age=None,
                requirements=req,
            )
        )
    return out
