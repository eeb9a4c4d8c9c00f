"""Play the attacker against protect(): for many random tables, try to recover suppressed cells.

The attacker here is written independently of skillnader.stats.disclosure: it builds the additive
relations of each table from how the table was generated (not from the module's relation
builder) and solves its own linear programs over what was published.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog

from skillnader.stats.disclosure import protect

THRESHOLD = 5
TOTAL = "T"


def _random_table(rng, shape, grouped_rows: bool):
    """A table with a total in every dimension, optionally with row groups between rows and total.

    Returns the frame, the hierarchies for protect(), and the list of relations as tuples of
    (parent key, [child keys]) built directly from the structure.
    """
    labels = [[f"d{d}v{i}" for i in range(n)] for d, n in enumerate(shape)]
    inner = rng.poisson(rng.uniform(1.0, 14.0), size=shape)
    # sprinkle some exact zeros and very small counts
    inner[rng.random(shape) < 0.1] = 0

    trees: list[dict[str, list[str]]] = []
    for d, labs in enumerate(labels):
        if d == 0 and grouped_rows and len(labs) >= 4:
            cut = len(labs) // 2
            g1, g2 = f"d{d}g1", f"d{d}g2"
            trees.append({g1: labs[:cut], g2: labs[cut:], TOTAL: [g1, g2]})
        else:
            trees.append({TOTAL: list(labs)})

    def leaves(d, value):
        tree = trees[d]
        if value not in tree:
            return [value]
        return [leaf for child in tree[value] for leaf in leaves(d, child)]

    all_values = [labs + [p for p in trees[d] if p not in labs] for d, labs in enumerate(labels)]
    index = [{lab: i for i, lab in enumerate(labs)} for labs in labels]
    rows = []
    for key in itertools.product(*all_values):
        ranges = [[index[d][leaf] for leaf in leaves(d, v)] for d, v in enumerate(key)]
        rows.append((*key, int(inner[np.ix_(*ranges)].sum())))
    dims = [f"dim{d}" for d in range(len(shape))]
    frame = pl.DataFrame(rows, schema=[*dims, "n"], orient="row")

    relations = []
    for d, tree in enumerate(trees):
        others = [all_values[e] for e in range(len(shape)) if e != d]
        for parent, children in tree.items():
            for rest in itertools.product(*others):

                def put(v, rest=rest, d=d):
                    return (*rest[:d], v, *rest[d:])

                relations.append((put(parent), [put(c) for c in children]))
    hierarchies = {dims[d]: tree for d, tree in enumerate(trees)}
    return frame, dims, hierarchies, relations


def _attack(frame, dims, relations, hide_all=False, targets=None):
    """Feasible interval of every suppressed cell, from the published cells only.

    With ``hide_all`` the attacker sees no cell at all and knows only the rule (primary cells
    hold 1 .. threshold-1): what remains known then cannot be protected by suppression.
    """
    keys = list(frame.select(dims).iter_rows())
    value = dict(zip(keys, frame.get_column("n").to_list(), strict=True))
    published = dict(zip(keys, frame.get_column("published").to_list(), strict=True))
    if hide_all:
        published = dict.fromkeys(keys)
    kind = dict(zip(keys, frame.get_column("suppression").to_list(), strict=True))
    hidden = [k for k in keys if published[k] is None]
    pos = {k: i for i, k in enumerate(hidden)}
    a_eq, b_eq = [], []
    for parent, children in relations:
        row = np.zeros(len(hidden))
        rhs = 0.0
        for k, coef in [(parent, 1.0)] + [(c, -1.0) for c in children]:
            if k in pos:
                row[pos[k]] += coef
            else:
                rhs -= coef * published[k]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
        else:
            assert rhs == 0  # the published margins must add up
    # the attacker knows the rule: a primary cell holds 1 .. threshold-1
    bounds = [(1, THRESHOLD - 1) if kind[k] == "primary" else (0, None) for k in hidden]
    out = {}
    for k in hidden if targets is None else targets:
        c = np.zeros(len(hidden))
        c[pos[k]] = 1
        lo = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
        assert lo.status == 0
        upper = np.inf if hi.status == 3 else -hi.fun
        out[k] = (lo.fun, upper, value[k])
    return out


def _cases():
    rng = np.random.default_rng(20261122)
    cases = []
    for i in range(48):
        shape = (int(rng.integers(2, 7)), int(rng.integers(2, 7)))
        cases.append(
            pytest.param(int(rng.integers(1 << 31)), shape, bool(i % 3 == 0), id=f"2d-{i}")
        )
    for i in range(12):
        shape = (int(rng.integers(2, 5)), int(rng.integers(2, 4)), 2)
        cases.append(pytest.param(int(rng.integers(1 << 31)), shape, bool(i % 2), id=f"3d-{i}"))
    return cases


@pytest.mark.parametrize(("seed", "shape", "grouped"), _cases())
def test_attacker_cannot_pin_down_any_suppressed_cell(seed, shape, grouped):
    rng = np.random.default_rng(seed)
    frame, dims, hierarchies, relations = _random_table(rng, shape, grouped)
    out = protect(frame, dims=dims, count="n", threshold=THRESHOLD, hierarchies=hierarchies)

    counts = out.get_column("n").to_numpy()
    small = (counts > 0) & (counts < THRESHOLD)
    # every small non-zero count is suppressed as primary, nothing else is primary
    np.testing.assert_array_equal(out.get_column("suppression").to_numpy() == "primary", small)
    # no published cell is small
    published = out.filter(~pl.col("suppressed"))
    assert not ((published["n"] > 0) & (published["n"] < THRESHOLD)).any()
    assert published["published"].to_list() == published["n"].to_list()

    found = _attack(out, dims, relations)
    kind = dict(zip(out.select(dims).iter_rows(), out["suppression"].to_list(), strict=True))
    # the documented protection range: a primary cell keeps its whole range [1, threshold - 1]
    # (width threshold - 2), a secondary cell is never pinned to one value
    required = {k: (THRESHOLD - 2 if kind[k] == "primary" else 1) for k in found}
    narrow = [k for k, (lo, hi, _v) in found.items() if hi - lo < required[k] - 1e-6]
    # cells that the rule alone pins down, even with every cell of the table hidden
    inherent = _attack(out, dims, relations, hide_all=True, targets=narrow)
    for key, (lo, hi, true) in found.items():
        assert lo - 1e-6 <= true <= hi + 1e-6, key
        if key in narrow:
            assert key in inherent, f"cell {key} (true {true}) narrowed to [{lo}, {hi}]"
            rule_lo, rule_hi, _v = inherent[key]
            assert rule_hi - rule_lo < required[key] - 1e-6, f"cell {key} narrowed to [{lo}, {hi}]"
            assert hi - lo >= rule_hi - rule_lo - 1e-6, key


def test_attacker_suite_actually_exercises_secondary_suppression():
    """Guard against a generator that never produces tables needing complementary cells."""
    rng = np.random.default_rng(1)
    n_secondary = 0
    for _ in range(5):
        frame, dims, hierarchies, _rel = _random_table(rng, (4, 4), False)
        out = protect(frame, dims=dims, count="n", threshold=THRESHOLD, hierarchies=hierarchies)
        n_secondary += (out["suppression"] == "secondary").sum()
    assert n_secondary > 0


def test_attacker_finds_the_cell_when_a_complement_is_published():
    """The attacker is strong enough: in these seeded tables, publishing one complementary cell
    narrows a primary cell below the protection range."""
    rng = np.random.default_rng(8)
    for _ in range(20):
        frame, dims, hierarchies, relations = _random_table(rng, (3, 4), False)
        out = protect(frame, dims=dims, count="n", threshold=THRESHOLD, hierarchies=hierarchies)
        secondary = out.with_row_index().filter(pl.col("suppression") == "secondary")
        for row in secondary["index"].to_list():
            leaked = out.with_columns(
                pl.when(pl.int_range(pl.len()) == row)
                .then(pl.col("n"))
                .otherwise(pl.col("published"))
                .alias("published")
            )
            found = _attack(leaked, dims, relations)
            if min(hi - lo for lo, hi, _v in found.values()) < THRESHOLD - 2 - 1e-6:
                return
    pytest.fail("no published complement ever narrowed a suppressed cell")
