"""Small instances built in code, and an independent check of stability."""

from __future__ import annotations

import datetime as dt
import textwrap

from skillnader.allocation.model import Applicant, Position
from skillnader.allocation.policy import parse_policy

POLICY = textwrap.dedent(
    """
    policy: test
    version: "1"
    reference_date: 2027-06-15
    age: {min: 16, max: 18}
    periods: [juni, juli]
    max_positions_per_applicant: 10
    tiers:
      - {id: 1, label: Bistånd, any: [social_assistance, newly_arrived], weight: 8, reserve: %(r1)s}
      - {id: 2, label: Stöd, any: [support_needs], weight: 4, reserve: %(r2)s}
      - {id: 3, label: Övriga, weight: 1}
    district_minimum: {share_of_eligible_applicants: %(dmin)s}
    mixing: {outer_share_of_inner_places: %(outer)s, inner_share_of_outer_places: %(inner)s}
    lottery: {seed_published: 2027-04-01}
    disclosure: {threshold: 3}
    """
)


def policy(r1=0.0, r2=0.0, dmin=0.0, outer=0.0, inner=0.0):
    return parse_policy(POLICY % {"r1": r1, "r2": r2, "dmin": dmin, "outer": outer, "inner": inner})


DISTRICTS = ["Järva", "Skärholmen", "Södermalm", "Kungsholmen", "Bromma"]
INNER = {"Södermalm", "Kungsholmen"}


def applicant(k, district, choices, *, tier=3, age=17, **kw):
    flags = {"social_assistance": tier == 1, "support_needs": tier == 2}
    flags.update(kw)
    return Applicant(
        id=f"A{k:03d}",
        birth_date=dt.date(2027 - age, 1, 1),
        sex="female" if k % 2 else "male",
        born_in_sweden=k % 3 != 0,
        home_area=district,
        home_district=district,
        choices=tuple(choices),
        **flags,
    )


def position(k, district, capacity, *, category="park", period="juni", **kw):
    return Position(
        id=f"P{k:02d}",
        employer=f"Arbetsgivare {k}",
        employer_type="board",
        district=district,
        inner_city=district in INNER,
        category=category,
        period=period,
        capacity=capacity,
        **kw,
    )


def independent_choice(pb, j, cands):
    """The position's choice, written out again from the policy text: open places by baseline
    priority, then each reserved place to the best remaining member of its group, else to the
    best remaining applicant."""

    def key(i):
        return (not pb.guaranteed[i], pb.tier_pos[i], pb.lottery[i])

    rest = sorted(cands, key=key)
    cap = pb.positions[j].capacity
    reserved = pb.reserved[j]
    chosen = rest[: cap - len(reserved)]
    rest = rest[cap - len(reserved) :]
    for kind, val in reserved:
        members = [
            i for i in rest if (pb.tier[i] == val if kind == "tier" else pb.home_inner[i] == val)
        ]
        pick = members[0] if members else (rest[0] if rest else None)
        if pick is None:
            break
        chosen.append(pick)
        rest.remove(pick)
    return set(chosen)


def blocking(result):
    pb = result.problem
    held = [[] for _ in pb.positions]
    for i, j in enumerate(result.match):
        if j >= 0:
            held[j].append(i)
    out = []
    for i, plist in enumerate(pb.prefs):
        for j in plist:
            if j == result.match[i]:
                break
            if i in independent_choice(pb, j, held[j] + [i]):
                out.append((i, j))
    return out
