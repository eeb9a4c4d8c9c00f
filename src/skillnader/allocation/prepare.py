"""From applicants, positions and a policy to the matching problem: tiers, lottery, eligibility,
each applicant's ranked list of positions, every position's slots and every applicant's place in
the baseline priority order."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from skillnader.allocation import geography
from skillnader.allocation.model import Applicant, Position
from skillnader.allocation.policy import Policy

ANY = "*"


def lottery_number(seed: str, applicant_id: str) -> int:
    """The applicant's lottery number: the first 64 bits of sha256("<seed>:<id>").

    Independent of the order of the file, so anyone with the published seed and the list of
    applicant ids can recompute it.
    """
    h = hashlib.sha256(f"{seed}:{applicant_id}".encode()).digest()
    return int.from_bytes(h[:8], "big")


@dataclass
class Problem:
    policy: Policy
    seed: str
    applicants: list[Applicant]
    positions: list[Position]
    tier: list[int]  # tier id
    tier_pos: list[int]  # index of the tier in the policy (0 = highest)
    lottery: list[int]
    guaranteed: list[bool]
    rank: list[int]  # 0 = highest baseline priority
    home_inner: list[bool]
    prefs: list[list[int]]  # eligible positions, most preferred first
    ineligible: list[list[tuple[int, str]]]  # chosen but ineligible, with the reason
    not_eligible_at_all: list[str | None]  # policy-level reason (age) or None
    capacity: list[int]
    reserved: list[list[tuple[str, object]]]  # reserved slots after the open ones
    district_minimum: dict[str, int] = field(default_factory=dict)

    def in_group(self, i: int, slot: tuple[str, object]) -> bool:
        kind, val = slot
        if kind == "tier":
            return self.tier[i] == val
        return self.home_inner[i] == val


def _parse_item(item: str) -> tuple[str, str, str]:
    parts = [p.strip() for p in item.replace(":", "/").split("/")]
    parts += [ANY] * (3 - len(parts))
    cat, per, dist = (p if p else ANY for p in parts[:3])
    return cat.lower(), per.lower(), dist


def expand_choices(
    a: Applicant,
    positions: list[Position],
    pos_index: dict[str, int],
    by_cat_period: dict[tuple[str, str], list[int]],
    cache: dict,
    restrict_home: bool = False,
) -> list[int]:
    """The positions an applicant's ranked choices name, in order, without repeats.

    A choice is a position id, or ``category/period/district`` where each part may be ``*``
    (any) and a missing part means any; ``district`` may also be ``inner`` or ``outer``. Within
    one choice, positions in the home district come first, then those on the same side of the
    city, then the rest by district and id. ``restrict_home`` keeps only home-district positions
    (the district-by-district status quo).
    """
    out: list[int] = []
    seen: set[int] = set()
    for hit in _expanded_items(a, positions, pos_index, by_cat_period, cache, restrict_home):
        for j in hit:
            if j not in seen:
                seen.add(j)
                out.append(j)
    return out


#: keys in ``_expanded_items``'s cache of per-position lists (never an item's key, which ends in
#: a bool)
_FOLDED = ("", "", None)
_DISTRICT = ("", "", "district")
_INNER = ("", "", "inner")


def _per_position(cache: dict, key: tuple, positions, value) -> list:
    out = cache.get(key)
    if out is None:
        out = cache[key] = [value(p) for p in positions]
    return out


def _expanded_items(a, positions, pos_index, by_cat_period, cache, restrict_home):
    home = a.home_district
    home_inner = geography.district_is_inner().get(home, False)
    for item in a.choices:
        key = (item, home, restrict_home)
        hit = cache.get(key)
        if hit is None:
            if item in pos_index:
                hit = [pos_index[item]]
            else:
                cat, per, dist = _parse_item(item)
                if restrict_home:
                    dist = home
                # the positions a choice names, by district and id, found once per choice (for
                # every home district); ordered for the home district below
                base_key = ("", (cat, per, dist), False)
                base = cache.get(base_key)
                if base is None:
                    cands: list[int] = []
                    for (c, p), js in by_cat_period.items():
                        if (cat == ANY or c == cat) and (per == ANY or p == per):
                            cands.extend(js)
                    dl = dist.casefold()
                    if dl in ("inner", "innerstaden", "inre staden"):
                        cands = [j for j in cands if positions[j].inner_city]
                    elif dl in ("outer", "ytterstaden"):
                        cands = [j for j in cands if not positions[j].inner_city]
                    elif dist != ANY:
                        folded = _per_position(
                            cache, _FOLDED, positions, lambda p: p.district.casefold()
                        )
                        cands = [j for j in cands if folded[j] == dl]
                    base = cache[base_key] = sorted(
                        cands, key=lambda j: (positions[j].district, positions[j].id)
                    )
                # home district first, then the same side of the city, then the rest: a stable
                # partition of the list by district and id, the same order as sorting by
                # (district != home, inner_city != home_inner, district, id)
                district = _per_position(cache, _DISTRICT, positions, lambda p: p.district)
                inner = _per_position(cache, _INNER, positions, lambda p: p.inner_city)
                parts: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
                for j in base:
                    parts[(district[j] != home) * 2 + (inner[j] != home_inner)].append(j)
                hit = parts[0] + parts[1] + parts[2] + parts[3]
            if restrict_home:
                hit = [j for j in hit if positions[j].district == home]
            cache[key] = hit
        yield hit


def ineligibility(a: Applicant, p: Position, age: int, policy: Policy) -> str | None:
    """Why ``a`` cannot take ``p`` (age, period, requirement), or None."""
    if p.min_age is not None and age < p.min_age:
        return f"age {age} below the position's minimum {p.min_age}"
    if p.max_age is not None and age > p.max_age:
        return f"age {age} above the position's maximum {p.max_age}"
    if p.period not in policy.periods:
        return f"period {p.period!r} is not one of the policy's periods"
    for req in p.requirements:
        if req.startswith("language:") and req.split(":", 1)[1] not in a.languages:
            return f"requires the language {req.split(':', 1)[1]!r}"
    return None


def prepare(
    policy: Policy,
    applicants: list[Applicant],
    positions: list[Position],
    seed: str,
    *,
    restrict_home: bool = False,
    mixing: bool = True,
    district_minimum: bool = True,
) -> Problem:
    # canonical order: the result does not depend on the order of the files' rows
    applicants = sorted(applicants, key=lambda a: a.id)
    positions = sorted(positions, key=lambda p: p.id)
    pos_index = {p.id: j for j, p in enumerate(positions)}
    by_cp: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, p in enumerate(positions):
        by_cp[(p.category, p.period)].append(j)
    tier_index = {t.id: k for k, t in enumerate(policy.tiers)}
    inner = geography.district_is_inner()
    n = len(applicants)
    tier, tier_pos, lot, home_inner = [], [], [], []
    prefs, inel, none_reason = [], [], []
    cache: dict = {}
    ref = policy.reference_date
    periods = set(policy.periods)
    # positions without age limits, other periods or requirements need no per-applicant check
    plain = [
        p.min_age is None and p.max_age is None and p.period in periods and not p.requirements
        for p in positions
    ]
    limit = policy.max_positions
    for a in applicants:
        t = policy.tier_of(a)
        tier.append(t.id)
        tier_pos.append(tier_index[t.id])
        lot.append(lottery_number(seed, a.id))
        home_inner.append(inner.get(a.home_district, False))
        age = a.age_on(ref)
        if not policy.min_age <= age <= policy.max_age:
            prefs.append([])
            inel.append([])
            none_reason.append(
                f"age {age} on {ref.isoformat()} is outside the policy's {policy.min_age}-{policy.max_age}"
            )
            continue
        ok: list[int] = []
        bad: list[tuple[int, str]] = []
        seen: set[int] = set()
        listed = False
        for hit in _expanded_items(a, positions, pos_index, by_cp, cache, restrict_home):
            for j in hit:
                if j in seen:
                    continue
                seen.add(j)
                listed = True
                why = None if plain[j] else ineligibility(a, positions[j], age, policy)
                if why is None:
                    ok.append(j)
                    if len(ok) >= limit:
                        break
                elif len(bad) < limit:
                    bad.append((j, why))
            if len(ok) >= limit:
                break
        prefs.append(ok)
        inel.append(bad)
        none_reason.append(
            None
            if ok
            else (
                "no eligible position among the choices"
                if listed
                else "the choices name no position"
            )
        )

    # district guarantee: the first m_d eligible applicants of each district in tier and lottery order
    guaranteed = [False] * n
    dmin: dict[str, int] = {}
    if district_minimum:
        by_d: dict[str, list[int]] = defaultdict(list)
        for i, a in enumerate(applicants):
            if prefs[i]:
                by_d[a.home_district].append(i)
        for d, members in sorted(by_d.items()):
            m = policy.district_minimum(d, len(members))
            dmin[d] = m
            members.sort(key=lambda i: (tier_pos[i], lot[i]))
            for i in members[:m]:
                guaranteed[i] = True
    order = sorted(range(n), key=lambda i: (not guaranteed[i], tier_pos[i], lot[i]))
    rank = [0] * n
    for r, i in enumerate(order):
        rank[i] = r
    cap = [p.capacity for p in positions]
    if mixing:
        reserved = [policy.reserved_slots(p.capacity, p.inner_city) for p in positions]
    else:
        reserved = [
            [s for s in policy.reserved_slots(p.capacity, p.inner_city) if s[0] == "tier"]
            for p in positions
        ]
    return Problem(
        policy, seed, applicants, positions, tier, tier_pos, lot, guaranteed, rank, home_inner,
        prefs, inel, none_reason, cap, reserved, dmin,
    )  # fmt: skip
