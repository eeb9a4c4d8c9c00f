"""Optimising mode: the largest need-weighted placement under the same rules, as a min-cost flow
(OR-Tools' cost-scaling solver ``SimpleMinCostFlow``).

Maximises  sum over placements of  (tier weight x 1000 - choice rank - lottery fraction)
plus 10^6 for every reserved place (tier reserve or mixing place) that a member of its group
holds and for every placement within a district's guaranteed minimum, subject to: one position
per applicant, capacities, eligibility (only listed, eligible positions). A reserved place counts
for one group, as in the stable mode's slots: a youth from the outer city in tier 1 at an
inner-city workplace fills either a mixing place or a tier place, not both. The choice rank and
the lottery only break ties between placements of equal need weight, so the result is
deterministic given the seed.

The network: source -> district (guaranteed minimum at a bonus, the rest free) -> applicant ->
position directly, or through one of the position's reserved-group nodes (capacity = the reserved
count, bonus per member) -> position (capacity) -> sink, with an arc source -> sink for the
applicants who stay unplaced. Network matrices are totally unimodular, so the optimum is integral
without branch and bound, and the solver scales near-linearly in the number of listed pairs.

Guarantees: optimality of the objective above (exact, integer costs). Not guaranteed: stability
(a youth may envy a position given to someone of lower priority, because moving them would
displace more need elsewhere) or strategy-proofness (listing fewer choices can help).

:func:`solve_milp` is the earlier formulation (HiGHS integer programming, where one youth may
count for two reserves); it is kept for comparison in tests and benchmarks on small instances.
"""

from __future__ import annotations

from itertools import chain

import numpy as np

from skillnader.allocation.prepare import Problem
from skillnader.errors import MethodError

SHORTFALL_COST = 1_000_000.0
LOTTERY_SPAN = float(2**64)


def solve_milp(pb: Problem, time_limit: float = 600.0) -> tuple[list[int], dict]:
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(pb.applicants)
    weights = {t.id: t.weight for t in pb.policy.tiers}
    ei, ej, cost = [], [], []
    for i, plist in enumerate(pb.prefs):
        base = weights[pb.tier[i]] * 1000.0 - pb.lottery[i] / LOTTERY_SPAN
        for r, j in enumerate(plist):
            ei.append(i)
            ej.append(j)
            cost.append(-(base - r))
    m = len(ei)
    ei_a = np.asarray(ei, dtype=np.int64)
    ej_a = np.asarray(ej, dtype=np.int64)
    if m == 0:
        return [-1] * n, {"status": "no eligible pairs", "objective": 0.0, "gap": 0.0}
    rows, cols, lo, hi = [], [], [], []
    r0 = 0
    # one position per applicant
    rows.append(ei_a + r0)
    cols.append(np.arange(m))
    lo += [0.0] * n
    hi += [1.0] * n
    r0 += n
    # capacities
    rows.append(ej_a + r0)
    cols.append(np.arange(m))
    lo += [0.0] * len(pb.positions)
    hi += [float(c) for c in pb.capacity]
    r0 += len(pb.positions)
    slack_cost: list[float] = []
    slack_ub: list[float] = []
    slack_rows: list[int] = []
    labels: list[tuple] = []
    # reserves and mixing per position: members of the group + shortfall >= reserved count
    edges_of_pos: dict[int, np.ndarray] = {}
    order = np.argsort(ej_a, kind="stable")
    bounds_ = np.searchsorted(ej_a[order], np.arange(len(pb.positions) + 1))
    for j, res in enumerate(pb.reserved):
        if not res:
            continue
        e = order[bounds_[j] : bounds_[j + 1]]
        edges_of_pos[j] = e
        groups: dict = {}
        for s in res:
            groups[s] = groups.get(s, 0) + 1
        for slot, k in groups.items():
            members = [x for x in e if pb.in_group(int(ei_a[x]), slot)]
            rows.append(np.full(len(members), r0, dtype=np.int64))
            cols.append(np.asarray(members, dtype=np.int64))
            lo.append(float(k))
            hi.append(np.inf)
            slack_rows.append(r0)
            slack_ub.append(float(k))
            slack_cost.append(SHORTFALL_COST)
            labels.append(("reserve", j, slot, k))
            r0 += 1
    # district minimum
    if pb.district_minimum:
        dist_of = np.array([pb.applicants[int(i)].home_district for i in ei_a], dtype=object)
        for d, k in sorted(pb.district_minimum.items()):
            if k <= 0:
                continue
            members = np.nonzero(dist_of == d)[0]
            rows.append(np.full(len(members), r0, dtype=np.int64))
            cols.append(members)
            lo.append(float(k))
            hi.append(np.inf)
            slack_rows.append(r0)
            slack_ub.append(float(k))
            slack_cost.append(SHORTFALL_COST)
            labels.append(("district", d, k))
            r0 += 1
    ns = len(slack_rows)
    r_all = np.concatenate(rows + [np.asarray(slack_rows, dtype=np.int64)])
    c_all = np.concatenate(cols + [m + np.arange(ns)])
    v_all = np.ones(len(r_all))
    a = sparse.csr_matrix((v_all, (r_all, c_all)), shape=(r0, m + ns))
    c = np.concatenate([np.asarray(cost), np.asarray(slack_cost)])
    integrality = np.concatenate([np.ones(m), np.zeros(ns)])
    bounds = Bounds(np.zeros(m + ns), np.concatenate([np.ones(m), np.asarray(slack_ub)]))
    constraints = LinearConstraint(a, np.asarray(lo), np.asarray(hi))
    options = {"time_limit": time_limit, "presolve": True}
    # The LP relaxation is solved first: with capacities alone the matrix is totally unimodular
    # and the relaxation's vertex is integral; reserves and district minima usually keep it so.
    # Only a fractional solution goes on to branch and bound.
    res = milp(
        c, constraints=constraints, integrality=np.zeros(m + ns), bounds=bounds, options=options
    )
    method = "LP relaxation (integral)"
    if res.x is not None:
        xs = res.x[:m]
        if np.any((xs > 1e-6) & (xs < 1 - 1e-6)):
            res = milp(
                c,
                constraints=constraints,
                integrality=integrality,
                bounds=bounds,
                options=options | {"mip_rel_gap": 1e-6},
            )
            method = "integer programming (branch and bound)"
    if res.x is None:
        raise MethodError(
            f"the optimising mode found no allocation ({res.message}); use the stable mode, "
            "or a longer time limit"
        )
    x = res.x[:m] > 0.5
    match = [-1] * n
    for e in np.nonzero(x)[0]:
        match[int(ei_a[e])] = int(ej_a[e])
    shortfalls = [
        {"constraint": lab, "shortfall": round(float(res.x[m + k]))}
        for k, lab in enumerate(labels)
        if res.x[m + k] > 0.5
    ]
    info = {
        "status": res.message,
        "method": method,
        "need_weighted_placement": float(
            sum(weights[pb.tier[i]] for i, j in enumerate(match) if j >= 0)
        ),
        "solver_objective": float(-res.fun),
        "gap": float(getattr(res, "mip_gap", 0.0) or 0.0),
        "variables": m + ns,
        "constraints": r0,
        "shortfalls": len(shortfalls),
    }
    return match, info


#: Integer cost units per unit of the objective (the lottery fraction keeps 2^20 levels).
COST_SCALE = 2**20
BONUS = int(SHORTFALL_COST) * COST_SCALE


def _edges(pb: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every listed, eligible pair as arrays (applicant, position, choice rank 0-based)."""
    lengths = np.fromiter((len(p) for p in pb.prefs), dtype=np.int64, count=len(pb.prefs))
    m = int(lengths.sum())
    ei = np.repeat(np.arange(len(pb.prefs), dtype=np.int64), lengths)
    ej = np.fromiter(chain.from_iterable(pb.prefs), dtype=np.int64, count=m)
    starts = np.cumsum(lengths) - lengths
    er = np.arange(m, dtype=np.int64) - np.repeat(starts, lengths)
    return ei, ej, er


def solve(pb: Problem, time_limit: float = 600.0) -> tuple[list[int], dict]:
    """The optimising mode by min-cost flow (see the module's text); :class:`MethodError` when
    the solver does not finish within ``time_limit`` seconds."""
    n, npos = len(pb.applicants), len(pb.positions)
    weights = {t.id: t.weight for t in pb.policy.tiers}
    ei, ej, er = _edges(pb)
    m = len(ei)
    if m == 0:
        return [-1] * n, {"status": "no eligible pairs", "method": "min-cost flow"}
    w_app = np.asarray([weights[t] for t in pb.tier], dtype=np.int64)
    lot = np.asarray(pb.lottery, dtype=np.uint64) >> np.uint64(64 - 20)
    home_inner = np.asarray(pb.home_inner, dtype=bool)
    # gain of a placement in integer units: (weight x 1000 - rank) x 2^20 - lottery's top 20 bits
    gain = (w_app[ei] * 1000 - er) * COST_SCALE - lot.astype(np.int64)[ei]

    # nodes: applicants 0..n-1, positions n..n+npos-1, then group nodes, districts, source, sink
    groups: list[tuple[int, tuple[str, object], int]] = []  # (position, slot, reserved count)
    for j, res in enumerate(pb.reserved):
        if res:
            counts: dict = {}
            for s in res:
                counts[s] = counts.get(s, 0) + 1
            groups += [(j, s, k) for s, k in counts.items()]
    g0 = n + npos
    # an edge's group node: per position at most one mixing group and one group per tier
    tier_ids = sorted(weights)
    tcol = {t: c for c, t in enumerate(tier_ids)}
    mix_node = np.full(npos, -1, dtype=np.int64)
    mix_val = np.zeros(npos, dtype=bool)
    tier_node = np.full((npos, len(tier_ids)), -1, dtype=np.int64)
    for g, (j, (kind, val), _) in enumerate(groups):
        if kind == "tier":
            tier_node[j, tcol[val]] = g0 + g
        else:
            mix_node[j] = g0 + g
            mix_val[j] = bool(val)
    ecol = np.asarray([tcol[t] for t in pb.tier], dtype=np.int64)[ei] if m else ei
    e_mix = mix_node[ej]
    e_mix = np.where((e_mix >= 0) & (home_inner[ei] == mix_val[ej]), e_mix, -1)
    e_tier = tier_node[ej, ecol]
    d0 = g0 + len(groups)
    districts = sorted({a.home_district for a in pb.applicants})
    dindex = {d: k for k, d in enumerate(districts)}
    app_d = np.asarray([dindex[a.home_district] for a in pb.applicants], dtype=np.int64)
    src, sink = d0 + len(districts), d0 + len(districts) + 1

    tails, heads, caps, costs = [], [], [], []

    def add(t, h, c, cost):
        tails.append(np.asarray(t, dtype=np.int64))
        heads.append(np.asarray(h, dtype=np.int64))
        caps.append(np.broadcast_to(np.asarray(c, dtype=np.int64), tails[-1].shape))
        costs.append(np.broadcast_to(np.asarray(cost, dtype=np.int64), tails[-1].shape))

    # source -> district: the guaranteed minimum at a bonus, the rest at no gain
    dn = np.bincount(app_d, minlength=len(districts))
    dk = np.asarray([pb.district_minimum.get(d, 0) for d in districts], dtype=np.int64)
    dk = np.minimum(dk, dn)
    has = dk > 0
    add(np.full(int(has.sum()), src), d0 + np.nonzero(has)[0], dk[has], -BONUS)
    add(np.full(len(districts), src), d0 + np.arange(len(districts)), dn - dk, 0)
    add(d0 + app_d, np.arange(n), 1, 0)
    # applicant -> position directly (arc index range kept to read the flows)
    a_direct = (sum(len(t) for t in tails), m)
    add(ei, n + ej, 1, -gain)
    sel_m = np.nonzero(e_mix >= 0)[0]
    a_mix = (sum(len(t) for t in tails), len(sel_m))
    add(ei[sel_m], e_mix[sel_m], 1, -(gain[sel_m] + BONUS))
    sel_t = np.nonzero(e_tier >= 0)[0]
    a_tier = (sum(len(t) for t in tails), len(sel_t))
    add(ei[sel_t], e_tier[sel_t], 1, -(gain[sel_t] + BONUS))
    if groups:
        add(
            g0 + np.arange(len(groups)),
            n + np.asarray([j for j, _, _ in groups]),
            [k for _, _, k in groups],
            0,
        )
    add(n + np.arange(npos), np.full(npos, sink), np.asarray(pb.capacity), 0)
    add([src], [sink], n, 0)

    flows, optimal_cost = _run_flow(
        np.concatenate(tails),
        np.concatenate(heads),
        np.concatenate(caps),
        np.concatenate(costs),
        np.asarray([src, sink]),
        np.asarray([n, -n]),
        time_limit,
    )
    match = np.full(n, -1, dtype=np.int64)
    for (start, count), sel in ((a_direct, None), (a_mix, sel_m), (a_tier, sel_t)):
        fl = flows[start : start + count] > 0
        idx = np.nonzero(fl)[0] if sel is None else sel[np.nonzero(fl)[0]]
        match[ei[idx]] = ej[idx]
    out = match.tolist()
    placed = match >= 0
    info = {
        "status": "optimal",
        "method": "min-cost flow",
        "need_weighted_placement": float(w_app[placed].sum()),
        "solver_objective": float(-optimal_cost) / COST_SCALE,
        "gap": 0.0,
        "arcs": int(len(flows)),
        "nodes": int(src + 2),
        "reserved_places_filled_by_group": int(flows[a_mix[0] : a_tier[0] + a_tier[1]].sum()),
    }
    return out, info


_FLOW_CHILD = """
import sys
import numpy as np
from ortools.graph.python import min_cost_flow
d = np.load(sys.argv[1])
f = min_cost_flow.SimpleMinCostFlow()
arcs = f.add_arcs_with_capacity_and_unit_cost(d["tails"], d["heads"], d["caps"], d["costs"])
f.set_nodes_supplies(d["nodes"], d["supplies"])
status = f.solve()
ok = status == f.OPTIMAL
np.savez(
    sys.argv[2],
    status=np.int64(status),
    ok=np.int64(ok),
    flows=f.flows(arcs) if ok else np.zeros(0, dtype=np.int64),
    cost=np.int64(f.optimal_cost() if ok else 0),
)
"""


def _run_flow(tails, heads, caps, costs, nodes, supplies, time_limit: float):
    """OR-Tools' SimpleMinCostFlow in a child process: its bundled HiGHS clashes with the
    ``highspy`` module the disclosure control loads (undefined symbols in whichever is loaded
    second), so the solver never shares a process with it. Returns (flow per arc, optimal cost)."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="skillnader-flow-") as tmp:
        src, dst = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
        np.savez(
            src, tails=tails, heads=heads, caps=caps, costs=costs, nodes=nodes, supplies=supplies
        )
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _FLOW_CHILD, str(src), str(dst)],
                capture_output=True,
                text=True,
                timeout=time_limit,
            )
        except subprocess.TimeoutExpired as exc:
            raise MethodError(
                f"the optimising mode found no allocation within {time_limit:g} s; use the "
                "stable mode, or a longer time limit"
            ) from exc
        if proc.returncode != 0:
            raise MethodError(
                "the optimising mode found no allocation (the flow solver failed: "
                f"{proc.stderr.strip().splitlines()[-1:] or proc.returncode}); use the stable mode"
            )
        with np.load(dst) as out:
            if not int(out["ok"]):
                raise MethodError(
                    "the optimising mode found no allocation (min-cost flow status "
                    f"{int(out['status'])}); use the stable mode"
                )
            return out["flows"].copy(), int(out["cost"])
