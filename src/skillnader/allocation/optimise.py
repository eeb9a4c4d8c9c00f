"""Optimising mode: the largest need-weighted placement under the same rules, by integer
programming (HiGHS through ``scipy.optimize.milp``).

Maximises  sum over placements of  (tier weight x 1000 - choice rank - lottery fraction)
subject to: one position per applicant, capacities, eligibility (only listed, eligible
positions), and the policy's reserves, mixing rule and district minimum as constraints whose
shortfall costs 10^6 per place (so they hold whenever the applicants make it possible, and the
report shows the shortfall when they do not). The choice rank and the lottery only break ties
between placements of equal need weight, so the result is deterministic given the seed.

Guarantees: optimality of the need-weighted objective (to HiGHS's gap, recorded). Not
guaranteed: stability (a youth may envy a position given to someone of lower priority, because
moving them would displace more need elsewhere) or strategy-proofness (listing fewer choices can
help).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from skillnader.allocation.prepare import Problem
from skillnader.errors import MethodError

SHORTFALL_COST = 1_000_000.0
LOTTERY_SPAN = float(2**64)


def solve(pb: Problem, time_limit: float = 600.0) -> tuple[list[int], dict]:
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
