"""An attacker against published tables, written independently of skillnader.stats.disclosure.

Given what is published (a value per cell, ``None`` where suppressed) and the additive relations
a reader can know, the attacker solves, for every suppressed cell, the smallest and the largest
value consistent with everything (scipy's ``linprog``, HiGHS), and optionally an integer program
(``milp``) for a sample of cells.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

_BIG = 1e8


def attack(published, relations, lower=None, upper=None, targets=None, integer=False):
    """``{cell: (lo, hi)}`` for every suppressed cell (or ``targets``).

    ``published``: ``{cell: value or None}``; ``relations``: ``[(parent, [children])]`` over
    cell keys (cells not in ``published`` are unknown too); ``lower``/``upper``: a-priori bounds
    of hidden cells (default 0 and none).
    """
    lower = lower or {}
    upper = upper or {}
    hidden = sorted(
        {c for c, v in published.items() if v is None}
        | {m for p, kids in relations for m in (p, *kids) if m not in published},
        key=repr,
    )
    pos = {c: i for i, c in enumerate(hidden)}
    # split into independent groups (union-find over relations with hidden cells)
    parent = list(range(len(hidden)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows = []
    for p, kids in relations:
        members = [(p, 1.0)] + [(k, -1.0) for k in kids]
        h = [pos[m] for m, _ in members if m in pos]
        if not h:
            continue
        rows.append(members)
        for j in h[1:]:
            a, b = find(h[0]), find(j)
            if a != b:
                parent[a] = b
    groups = defaultdict(list)
    for i in range(len(hidden)):
        groups[find(i)].append(i)
    rows_of = defaultdict(list)
    for members in rows:
        first = next(pos[m] for m, _ in members if m in pos)
        rows_of[find(first)].append(members)
    wanted = None if targets is None else set(targets)
    out = {}
    for g, idx in groups.items():
        local = {hidden[i]: k for k, i in enumerate(idx)}
        if wanted is not None and not wanted.intersection(local):
            continue
        r_i, c_i, vals, rhs = [], [], [], []
        for row, members in enumerate(rows_of[g]):
            b = 0.0
            for m, coef in members:
                if m in local:
                    r_i.append(row)
                    c_i.append(local[m])
                    vals.append(coef)
                else:
                    b -= coef * published[m]
            rhs.append(b)
        n = len(idx)
        a = sparse.csr_array((vals, (r_i, c_i)), shape=(len(rhs), n))
        lb = np.array([lower.get(hidden[i], 0.0) for i in idx], dtype=float)
        ub = np.array([upper.get(hidden[i], np.inf) for i in idx], dtype=float)
        if integer:  # a finite box: an integer program reports "unbounded" poorly
            ub = np.minimum(ub, _BIG)
        for cell, k in local.items():
            if wanted is not None and cell not in wanted:
                continue
            ends = []
            for sign in (1.0, -1.0):
                c = np.zeros(n)
                c[k] = sign
                if integer:
                    res = milp(
                        c,
                        constraints=[LinearConstraint(a, rhs, rhs)] if len(rhs) else [],
                        integrality=np.ones(n),
                        bounds=Bounds(lb, ub),
                    )
                else:
                    res = linprog(
                        c,
                        A_eq=a if len(rhs) else None,
                        b_eq=rhs if len(rhs) else None,
                        bounds=list(zip(lb, [None if np.isinf(u) else u for u in ub], strict=True)),
                        method="highs",
                    )
                if res.status == 3:  # unbounded (only upwards: every cell is at least 0)
                    ends.append(np.inf if sign < 0 else -np.inf)
                    continue
                assert res.status == 0, (cell, res.message)
                ends.append(sign * res.fun)
            out[cell] = (ends[0], np.inf if ends[1] >= _BIG - 1 else ends[1])
    return out


def margins(cells, group_of, rest_of):
    """Group-margin relations among ``cells``: a cell whose group lacks a dimension equals the
    sum over every value of that dimension (only where every value's cell exists).

    ``group_of(cell)`` gives a tuple of sorted ``(dimension, value)`` pairs, ``rest_of(cell)``
    the rest of the key (quantity, area, period). "Every value" is tried both as every value
    the quantity has anywhere and as every value it has in the cell's own area (areas of
    different levels may be split into different bands; a reader sees each area's bands)."""
    by = {(rest_of(c), group_of(c)): c for c in cells}
    values = defaultdict(set)
    for c in cells:
        rest = rest_of(c)
        for dim, val in group_of(c):
            values[(rest[0], dim)].add(val)
            values[(rest[:2], dim)].add(val)
    out = []
    seen = set()
    for (rest, group), c in by.items():
        dims_here = {d for d, _ in group}
        dims = {dim for (q, dim) in values if q == rest[0] and dim not in dims_here}
        for dim in sorted(dims):
            for vals in (values[(rest[0], dim)], values.get((rest[:2], dim), set())):
                if not vals:
                    continue
                kids = []
                for v in sorted(vals):
                    kid = by.get((rest, tuple(sorted((*group, (dim, v))))))
                    if kid is None:
                        break
                    kids.append(kid)
                else:
                    key = (c, tuple(kids))
                    if key not in seen:
                        seen.add(key)
                        out.append((c, kids))
    return out
