"""Stable matching with reserves: applicant-proposing deferred acceptance with slot-specific
priorities.

Every position's places are *slots* filled in a fixed order: first the open slots, by the
baseline priority (district guarantee, then need tier, then lottery); then the reserved slots —
mixing slots for youths from the other side of the city, then tier slots — each taking the best
remaining member of its group by the baseline priority, or, when none is left, the best remaining
applicant (a soft reserve: no place is left empty because of a reserve). Filling open slots before
reserved ones gives the reserved groups the most benefit (Dur, Kominers, Pathak & Sönmez 2018).

Such sequential slot-by-slot choice functions are substitutable and satisfy the law of aggregate
demand (Echenique & Yenmez 2015; Kominers & Sönmez 2016, one contract per pair), so deferred
acceptance (Gale & Shapley 1962; Hatfield & Milgrom 2005) gives the applicant-optimal stable
matching: no applicant prefers a position that would choose them over one of its holders, and no
applicant can gain by misstating their preferences.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque

from skillnader.allocation.prepare import Problem

OPEN = ("open", None)


def choose(pb: Problem, j: int, cands: list[int]) -> list[tuple[int, tuple[str, object], bool]]:
    """The position's choice from ``cands`` (sorted by baseline rank): (applicant, slot, in group).

    ``in group`` is False when a reserved slot went to a non-member because no member was left.
    """
    cap = pb.capacity[j]
    res = pb.reserved[j]
    n_open = cap - len(res)
    chosen = [(i, OPEN, True) for i in cands[:n_open]]
    rest = list(cands[n_open:])
    for slot in res:
        if not rest:
            break
        for k, i in enumerate(rest):
            if pb.in_group(i, slot):
                chosen.append((i, slot, True))
                del rest[k]
                break
        else:
            chosen.append((rest.pop(0), slot, False))
    return chosen


def _rejected(ids: list[int], n_open: int, res, arrays) -> int:
    """The one applicant of ``ids`` (capacity + 1, sorted by rank) the position's choice leaves out."""
    rest = ids[n_open:]
    for kind, val in res:
        arr = arrays[kind]
        for k, x in enumerate(rest):
            if arr[x] == val:
                del rest[k]
                break
        else:
            del rest[0]
    return rest[0]


def deferred_acceptance(pb: Problem) -> tuple[list[int], list[list[int]], list[list[int]]]:
    """Returns (match per applicant or -1, holders per position, proposers per position).

    A full position with reserves rejects a proposer depending only on the proposer's groups
    (tier, side of the city) and where their priority falls among the holders', so that outcome
    is remembered per position until its holders change: most proposals to a popular position
    are then answered without evaluating its choice again."""
    n = len(pb.applicants)
    rank = pb.rank
    holds: list[list[tuple[int, int]]] = [[] for _ in pb.positions]  # (rank, applicant), sorted
    hranks: list[list[int]] = [[] for _ in pb.positions]  # the holders' ranks, sorted
    proposers: list[list[int]] = [[] for _ in pb.positions]
    nxt = [0] * n
    match = [-1] * n
    queue = deque(sorted(range(n), key=rank.__getitem__))
    prefs = pb.prefs
    cap = pb.capacity
    reserved = pb.reserved
    n_open = [c - len(r) for c, r in zip(cap, reserved, strict=True)]
    arrays = {"tier": pb.tier, "home_inner": pb.home_inner}
    kind = [(t, h) for t, h in zip(pb.tier, pb.home_inner, strict=True)]
    rejects: list[set] = [set() for _ in pb.positions]  # (kind, insertion index) known rejected
    pop = queue.popleft
    push = queue.append
    while queue:
        i = pop()
        plist = prefs[i]
        k = nxt[i]
        if k >= len(plist):
            continue
        j = plist[k]
        nxt[i] = k + 1
        proposers[j].append(i)
        h = holds[j]
        ri = rank[i]
        if len(h) < cap[j]:
            insort(h, (ri, i))
            insort(hranks[j], ri)
            rejects[j].clear()
            match[i] = j
            continue
        if not reserved[j]:
            if ri > h[-1][0]:
                push(i)
                continue
            insort(h, (ri, i))
            _, out = h.pop()
        else:
            key = (kind[i], bisect_left(hranks[j], ri))
            if key in rejects[j]:
                push(i)
                continue
            insort(h, (ri, i))
            out = _rejected([x for _, x in h], n_open[j], reserved[j], arrays)
            if out == i:
                h.remove((ri, i))
                rejects[j].add(key)
                push(i)
                continue
            h.remove((rank[out], out))
            rejects[j].clear()
        hr = hranks[j]
        del hr[bisect_left(hr, rank[out])]
        insort(hr, ri)
        match[i] = j
        match[out] = -1
        push(out)
    return match, [[x for _, x in h] for h in holds], proposers
