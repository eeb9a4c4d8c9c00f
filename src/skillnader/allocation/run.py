"""Run an allocation: prepare the problem, match (stable or optimising), label every place with
its ground, explain every applicant and position, and check the result against the rules."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from skillnader.allocation import optimise, stable
from skillnader.allocation.model import Applicant, Position
from skillnader.allocation.policy import Policy
from skillnader.allocation.prepare import Problem, prepare

MODES = ("stable", "optimise")


@dataclass
class Result:
    problem: Problem
    mode: str
    status_quo: bool
    match: list[int]  # position index per applicant, -1 when unplaced
    holders: list[
        list[tuple[int, tuple[str, object], bool]]
    ]  # per position: (applicant, slot, in group)
    proposers: list[list[int]] | None
    info: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    @property
    def policy(self) -> Policy:
        return self.problem.policy

    @property
    def seed(self) -> str:
        return self.problem.seed

    def assignment(self) -> dict[str, str | None]:
        pb = self.problem
        return {
            a.id: (pb.positions[j].id if j >= 0 else None)
            for a, j in zip(pb.applicants, self.match, strict=True)
        }

    def place_of(self, i: int) -> tuple[tuple[str, object], bool]:
        """The place (slot) applicant ``i`` holds and whether it was taken by its group; the
        map from applicants to places is built once per result."""
        slot_of = self.__dict__.get("_slot_of")
        if slot_of is None:
            slot_of = self.__dict__["_slot_of"] = {x: (s, g) for h in self.holders for x, s, g in h}
        return slot_of[i]

    def choice_rank(self, i: int) -> int | None:
        j = self.match[i]
        return None if j < 0 else self.problem.prefs[i].index(j) + 1


def allocate(
    policy: Policy,
    applicants: list[Applicant],
    positions: list[Position],
    seed: str,
    *,
    mode: str = "stable",
    status_quo: bool = False,
    time_limit: float = 600.0,
) -> Result:
    """Allocate positions to applicants.

    ``mode`` is ``"stable"`` (deferred acceptance with reserves) or ``"optimise"`` (largest
    need-weighted placement). ``status_quo=True`` is the district-by-district allocation: every
    district's positions go only to its own youths (same tiers, tier reserves and lottery; no
    mixing rule or district minimum, which need the whole city).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if not str(seed):
        raise ValueError("a published seed is required")
    t0 = time.perf_counter()
    pb = prepare(
        policy, applicants, positions, str(seed),
        restrict_home=status_quo, mixing=not status_quo, district_minimum=not status_quo,
    )  # fmt: skip
    t1 = time.perf_counter()
    proposers = None
    info: dict = {}
    if mode == "stable":
        match, _, proposers = stable.deferred_acceptance(pb)
    else:
        match, info = optimise.solve(pb, time_limit=time_limit)
    t2 = time.perf_counter()
    holders = label_places(pb, match)
    t3 = time.perf_counter()
    return Result(
        pb, mode, status_quo, match, holders, proposers, info,
        {"prepare_s": t1 - t0, "match_s": t2 - t1, "label_s": t3 - t2},
    )  # fmt: skip


def label_places(pb: Problem, match: list[int]) -> list[list[tuple[int, tuple[str, object], bool]]]:
    by_pos: list[list[int]] = [[] for _ in pb.positions]
    for i, j in enumerate(match):
        if j >= 0:
            by_pos[j].append(i)
    out = []
    for j, members in enumerate(by_pos):
        members.sort(key=pb.rank.__getitem__)
        out.append(stable.choose(pb, j, members))
    return out


# ------------------------------------------------------------------------------------------
# checks


def blocking_pairs(result: Result, limit: int | None = None) -> list[tuple[str, str]]:
    """Pairs (applicant, position) where the applicant prefers the position to their own and the
    position would choose them over one of its holders. Empty for the stable mode.

    Whether a full position would choose an added applicant depends only on the applicant's
    groups (tier, side of the city) and where their priority falls among the holders', so the
    position's choice is evaluated once per such key and reused."""
    from bisect import bisect_left

    pb = result.problem
    rank = pb.rank
    holders = [[x for x, _, _ in h] for h in result.holders]
    hranks = [sorted(rank[x] for x in h) for h in holders]
    cap = pb.capacity
    cache: dict[tuple, bool] = {}
    out = []
    for i, plist in enumerate(pb.prefs):
        j0 = result.match[i]
        ri = rank[i]
        for j in plist:
            if j == j0:
                break
            hr = hranks[j]
            if len(hr) < cap[j]:
                blocks = True
            elif not pb.reserved[j]:
                blocks = ri < hr[-1]
            else:
                key = (j, pb.tier[i], pb.home_inner[i], bisect_left(hr, ri))
                blocks = cache.get(key)  # type: ignore[assignment]
                if blocks is None:
                    cands = sorted(holders[j] + [i], key=rank.__getitem__)
                    blocks = cache[key] = any(x == i for x, _, _ in stable.choose(pb, j, cands))
            if blocks:
                out.append((pb.applicants[i].id, pb.positions[j].id))
                if limit and len(out) >= limit:
                    return out
    return out


def reserve_shortfalls(result: Result) -> list[dict]:
    """Reserved slots not taken by their group, with why: how many of the group listed the
    position and were eligible, and how many of those were placed at a position they ranked
    higher. A shortfall is *justified* when every such member is placed at least as well."""
    pb = result.problem
    listed: list[list[int]] = [[] for _ in pb.positions]
    for i, plist in enumerate(pb.prefs):
        for j in plist:
            listed[j].append(i)
    out = []
    for j, h in enumerate(result.holders):
        need: dict = {}
        for s in pb.reserved[j]:
            need[s] = need.get(s, 0) + 1
        for slot, k in need.items():
            got = sum(1 for x, _, _ in h if pb.in_group(x, slot))
            if got >= k:
                continue
            members = [i for i in listed[j] if pb.in_group(i, slot)]
            better = [
                i
                for i in members
                if result.match[i] >= 0
                and pb.prefs[i].index(result.match[i]) <= pb.prefs[i].index(j)
            ]
            out.append(
                {
                    "position": pb.positions[j].id,
                    "district": pb.positions[j].district,
                    "slot": slot_label(slot, pb),
                    "kind": slot[0],
                    "reserved": k,
                    "filled_by_group": got,
                    "shortfall": k - got,
                    "group_listed": len(members),
                    "group_placed_as_well_or_better": len(better),
                    "justified": len(better) == len(members),
                }
            )
    return out


def district_minimum_status(result: Result) -> list[dict]:
    pb = result.problem
    placed: dict[str, int] = {}
    for i, j in enumerate(result.match):
        if j >= 0:
            d = pb.applicants[i].home_district
            placed[d] = placed.get(d, 0) + 1
    return [
        {"district": d, "minimum": k, "placed": placed.get(d, 0), "met": placed.get(d, 0) >= k}
        for d, k in sorted(pb.district_minimum.items())
    ]


# ------------------------------------------------------------------------------------------
# explanations


def slot_label(slot: tuple[str, object], pb: Problem) -> str:
    kind, val = slot
    if kind == "open":
        return "open place"
    if kind == "tier":
        return f"place reserved for need tier {val} ({pb.policy.tier_by_id(val).label})"
    return "place reserved for youths from the " + ("inner city" if val else "outer city")


def _ground(pb: Problem, slot, in_group: bool) -> str:
    if slot[0] == "open":
        return "open place: priority (district guarantee, need tier, lottery)"
    if in_group:
        return slot_label(slot, pb)
    return slot_label(slot, pb) + ", not taken by that group: priority"


def _who(pb: Problem, i: int, slot, in_group: bool, show_ids: bool) -> dict:
    d = {
        "tier": pb.tier[i],
        "guaranteed": pb.guaranteed[i],
        "priority_rank": pb.rank[i] + 1,
        "ground": _ground(pb, slot, in_group),
    }
    if show_ids:
        d["applicant"] = pb.applicants[i].id
    return d


def explain_applicant(result: Result, i: int, *, show_ids: bool = True) -> dict:
    """Why applicant ``i`` got this position or none: tier, choices, every position they ranked
    higher with who held it and on what ground, and the chosen positions they could not take."""
    out = _applicant_head(result, i)
    pb = result.problem
    j0 = result.match[i]
    higher = []
    for j in pb.prefs[i]:
        if j == j0:
            break
        h = result.holders[j]
        entry = dict(_held_entry(result, j, show_ids))
        if result.mode != "stable":
            lower = [x for x, _, _ in h if pb.rank[x] > pb.rank[i]]
            entry["why_not"] = (
                f"the optimisation gave the places to others ({len(lower)} with lower priority) "
                "because that placed more need-weighted youths in total"
                if lower
                else "every place held by someone with higher priority"
            )
        higher.append(entry)
    if result.mode == "stable" and higher:
        out["why_not_ranked_higher"] = WHY_NOT_STABLE
    out["positions_ranked_higher"] = higher
    out["chosen_but_ineligible"] = [
        {"position": pb.positions[j].id, "reason": why} for j, why in pb.ineligible[i]
    ]
    return out


def _applicant_head(result: Result, i: int) -> dict:
    pb = result.problem
    a = pb.applicants[i]
    j0 = result.match[i]
    labels = result.__dict__.get("_tier_labels")
    if labels is None:
        labels = result.__dict__["_tier_labels"] = {t.id: t.label for t in pb.policy.tiers}
    out: dict = {
        "applicant": a.id,
        "home_district": a.home_district,
        "tier": pb.tier[i],
        "tier_label": labels[pb.tier[i]],
        "district_guarantee": pb.guaranteed[i],
        "lottery_number": f"{pb.lottery[i]:016x}",
        "priority_rank": pb.rank[i] + 1,
        "choices": list(a.choices),
        "eligible_positions_listed": len(pb.prefs[i]),
        "position": None,
        "choice_rank": None,
        "ground": None,
    }
    if j0 >= 0:
        slot, ing = result.place_of(i)
        out.update(
            position=pb.positions[j0].id,
            choice_rank=pb.prefs[i].index(j0) + 1,
            ground=_ground(pb, slot, ing),
        )
    else:
        out["reason"] = pb.not_eligible_at_all[i] or (
            "every eligible position listed was full with applicants of higher priority for its places"
        )
    return out


def place_code(slot: tuple[str, object], in_group: bool = True) -> str:
    """Short code of a place: ``open``, ``tier:1``, ``outer`` / ``inner`` (mixing places); a
    reserved place taken by someone outside its group ends in ``+open``."""
    kind, val = slot
    code = (
        "open"
        if kind == "open"
        else f"tier:{val}"
        if kind == "tier"
        else ("inner" if val else "outer")
    )
    return code if in_group or kind == "open" else code + "+open"


PLACE_CODES = {
    "open": "open place, by priority (district guarantee, need tier, lottery)",
    "tier:N": "place reserved for need tier N, by priority among the tier",
    "outer": "mixing place reserved for youths from the outer city, by priority among them",
    "inner": "mixing place reserved for youths from the inner city, by priority among them",
    "...+open": "reserved place no youth of its group was left for, by priority",
}


SEP = (",", ":")
WHY_NOT_STABLE = (
    "every place of each position ranked higher was held by someone with higher priority for "
    "that place: its open places by district guarantee, tier and lottery (the last one is shown), "
    "its reserved places by the same order within their group"
)


def _held_entry(result: Result, j: int, show_ids: bool) -> dict:
    """Who held a position, built once per position and shared: the open place held by the
    applicant with the lowest priority (everyone below it lost the open places), and every
    reserved place with its holder. Entries are [applicant, tier, priority rank, place code]."""
    cache = result.__dict__.setdefault("_held_cache", {})
    key = (j, show_ids)
    if key not in cache:
        pb = result.problem
        open_h = [(x, s, g) for x, s, g in result.holders[j] if s[0] == "open"]
        res_h = [(x, s, g) for x, s, g in result.holders[j] if s[0] != "open"]

        def row(x, s, g):
            return [
                pb.applicants[x].id if show_ids else None,
                pb.tier[x],
                pb.rank[x] + 1,
                place_code(s, g),
            ]

        cache[key] = {
            "position": pb.positions[j].id,
            "places": pb.capacity[j],
            "last_open_place": row(*max(open_h, key=lambda h: pb.rank[h[0]])) if open_h else None,
            "reserved_places": [row(*h) for h in res_h],
        }
    return cache[key]


def explanations_jsonl(result: Result, *, show_ids: bool = True):
    """One JSON line per applicant (as :func:`explain_applicant`), assembled from per-position
    fragments serialised once, so that explaining 10,000 applicants takes a fraction of a second."""
    import json

    pb = result.problem
    frag: dict[int, str] = {}
    for i in range(len(pb.applicants)):
        if result.mode != "stable":
            yield json.dumps(
                explain_applicant(result, i, show_ids=show_ids), ensure_ascii=False, separators=SEP
            )
            continue
        j0 = result.match[i]
        parts = []
        for j in pb.prefs[i]:
            if j == j0:
                break
            f = frag.get(j)
            if f is None:
                f = frag[j] = json.dumps(
                    _held_entry(result, j, show_ids), ensure_ascii=False, separators=SEP
                )
            parts.append(f)
        head = _applicant_head(result, i)
        head["chosen_but_ineligible"] = [
            {"position": pb.positions[j].id, "reason": why} for j, why in pb.ineligible[i]
        ]
        if parts:
            head["why_not_ranked_higher"] = WHY_NOT_STABLE
        text = json.dumps(head, ensure_ascii=False, separators=SEP)
        yield text[:-1] + ',"positions_ranked_higher":[' + ",".join(parts) + "]}"


def explain_position(
    result: Result, j: int, *, show_ids: bool = True, considered: bool = True
) -> dict:
    """Who holds a position's places and on what ground, and who was considered (left out with
    ``considered=False``)."""
    pb = result.problem
    p = pb.positions[j]
    out = {
        "position": p.id,
        "employer": p.employer,
        "district": p.district,
        "inner_city": p.inner_city,
        "capacity": p.capacity,
        "reserved": [slot_label(s, pb) for s in pb.reserved[j]],
        "holders": [_who(pb, x, s, g, show_ids) for x, s, g in result.holders[j]],
        "free_places": p.capacity - len(result.holders[j]),
    }
    if not considered:
        return out
    who = (
        result.proposers[j]
        if result.proposers is not None
        else [i for i in range(len(pb.applicants)) if j in pb.prefs[i]]
    )
    held = {x for x, _, _ in result.holders[j]}
    out["considered"] = [
        ({"applicant": pb.applicants[i].id} if show_ids else {})
        | {"tier": pb.tier[i], "priority_rank": pb.rank[i] + 1, "placed_here": i in held}
        for i in sorted(set(who), key=pb.rank.__getitem__)
    ]
    return out


def positions_jsonl(result: Result, *, show_ids: bool = True):
    """One JSON line per position (as :func:`explain_position`, the same bytes as
    ``json.dumps(explain_position(...), ensure_ascii=False)``), with every considered applicant's
    entry serialised once and reused."""
    import json

    pb = result.problem
    frag: dict[int, str] = {}
    for j in range(len(pb.positions)):
        d = explain_position(result, j, show_ids=show_ids, considered=False)
        considered = (
            result.proposers[j]
            if result.proposers is not None
            else [i for i in range(len(pb.applicants)) if j in pb.prefs[i]]
        )
        held = {x for x, _, _ in result.holders[j]}
        parts = []
        for i in sorted(set(considered), key=pb.rank.__getitem__):
            f = frag.get(i)
            if f is None:
                # the text of json.dumps({...}, ensure_ascii=False) up to the last value
                f = frag[i] = (
                    ('{"applicant": ' + json.dumps(pb.applicants[i].id, ensure_ascii=False) + ", ")
                    if show_ids
                    else "{"
                ) + (
                    f'"tier": {json.dumps(pb.tier[i])}, "priority_rank": {pb.rank[i] + 1}, '
                    '"placed_here": '
                )
            parts.append(f + ("true}" if i in held else "false}"))
        yield json.dumps(d, ensure_ascii=False)[:-1] + ', "considered": [' + ", ".join(parts) + "]}"


def second_round_options(result: Result, i: int, n: int = 5) -> list[dict]:
    """Positions with free places the unplaced applicant ``i`` is eligible for, nearest first:
    a category they chose, then their home district, then the same side of the city."""
    from skillnader.allocation.prepare import ineligibility

    pb = result.problem
    a = pb.applicants[i]
    if pb.not_eligible_at_all[i] and pb.not_eligible_at_all[i].startswith("age"):
        return []
    age = a.age_on(pb.policy.reference_date)
    cats = {c.replace(":", "/").split("/")[0].strip().lower() for c in a.choices}
    # positions with free places, found once per result (most positions are full)
    with_free = result.__dict__.get("_with_free")
    if with_free is None:
        with_free = result.__dict__["_with_free"] = [
            (j, p.capacity - len(result.holders[j]))
            for j, p in enumerate(pb.positions)
            if p.capacity > len(result.holders[j])
        ]
    free = []
    for j, left in with_free:
        p = pb.positions[j]
        if ineligibility(a, p, age, pb.policy):
            continue
        key = (
            p.category not in cats,
            p.district != a.home_district,
            p.inner_city != pb.home_inner[i],
            p.id,
        )
        free.append((key, j, left))
    free.sort()
    return [
        {
            "position": pb.positions[j].id,
            "employer": pb.positions[j].employer,
            "district": pb.positions[j].district,
            "category": pb.positions[j].category,
            "period": pb.positions[j].period,
            "free_places": left,
        }
        for _, j, left in free[:n]
    ]
