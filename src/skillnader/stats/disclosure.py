"""Statistical disclosure control for published tables: the one place that decides suppression.

A table is given as a Polars frame of *cells*: one row per combination of its dimensions,
including the margins (a total is just another value of a dimension, such as ``"total"`` for sex
or the parent area ``"0180"`` for the districts of Stockholm). ``hierarchies`` tells, for each
dimension, which values add up to which::

    {"area": {"0180": ["0180R001", "0180R002", ...]},
     "sex": {"total": ["female", "male"]}}

Every parent-children entry yields one additive relation *per combination of the other
dimensions' values*: ``cell(parent, rest) = sum over children cell(child, rest)``. Hierarchies may
have several levels (a child can be a parent in another entry).

:func:`protect` decides which counts may be published:

1. **Primary suppression**: counts with ``0 < count < threshold`` (and the zeros too when
   ``suppress_zeros=True``), and cells whose denominator is ``0 < denominator < threshold``.
   True zeros are published by default, as is usual in Swedish official statistics (SCB's and
   Socialstyrelsen's small-number rules concern small *non-zero* counts); set
   ``suppress_zeros=True`` where a zero itself reveals something (e.g. "no one in this area
   received social assistance").
2. **Secondary (complementary) suppression**: a suppressed cell that is the only suppressed cell
   of an additive relation can be recomputed from the published ones, so another cell of that
   relation is suppressed too, preferring cells that also complete another such relation, then
   non-zero, non-margin and small cells. This "at least two per relation" rule is necessary but
   not sufficient (in two dimensions a suppressed cell can still be a bridge between two cycles
   of suppressed cells; in three dimensions even more ways exist), so:
3. **Audit by linear programming** (:func:`audit`): for every suppressed cell, the smallest and
   largest values consistent with everything published are computed with two linear programs
   (published cells fixed, every additive relation, non-negativity, primary cells within
   ``[1, threshold - 1]`` or ``[0, threshold - 1]``, and counts not above their denominator when
   the table is of that kind). A cell whose feasible interval is narrower than
   ``protection_level`` is *disclosed*; :func:`protect` then suppresses more cells, smallest first,
   in the relations of the disclosed cell, and audits again until no cell is disclosed. It never
   returns a frame whose audit is not clean.

Some values are given away by the rule itself, whatever is suppressed: a suppressed total of 4
over four primary cells (each known to be at least 1) makes every one of them 1. No suppression
pattern can hide that, so the width required of a cell is capped at its width when *every* cell
of the table is hidden; :func:`audit` reports such cells with ``required`` below
``protection_level``. The disclosure rests on knowing which cells are primary, so publish every
suppressed cell with the same symbol (never the ``suppression`` column), and consider
``suppress_zeros`` or ``rounding_base`` where such a table matters.

The audit uses the attacker's best continuous knowledge (the LP relaxation). For tables of one or
two dimensions with margins the constraint matrix is totally unimodular, so the LP bounds are
attained by integer tables; with three or more dimensions an integer attacker might occasionally
narrow an interval further than the LP shows. Rounding of the published counts
(``rounding_base``) is applied after the audit, and only adds uncertainty for an attacker.

References: Hundepool A. et al. (2012), *Statistical Disclosure Control*, Wiley, ch. 4 (tabular
data, cell suppression, the audit problem); Cox L.H. (1980), Suppression methodology and
statistical disclosure control, *JASA* 75:377-385; Fischetti M. & Salazar J.J. (2001), Solving
the cell suppression problem on tabular data with linear constraints, *Management Science*
47:1008-1027.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse
from scipy.optimize import linprog

from skillnader.errors import InputError, MethodError, ShapeError, ValueFormatError

__all__ = ["CellAudit", "audit", "protect", "primary_mask"]

SUPPRESSED = "suppressed"
SUPPRESSION = "suppression"
PUBLISHED = "published"
PRIMARY = "primary"
SECONDARY = "secondary"
_TOL = 1e-7


@dataclass(frozen=True)
class CellAudit:
    """What an attacker can learn about one suppressed cell.

    ``key`` maps each dimension to the cell's value, ``kind`` is ``"primary"`` or
    ``"secondary"``, ``value`` the true count, ``lower`` / ``upper`` the feasible interval given
    everything published, ``required`` the width the interval must have, and ``disclosed`` whether
    it is narrower than that.
    """

    key: dict
    kind: str
    value: float
    lower: float
    upper: float
    required: float
    disclosed: bool

    @property
    def width(self) -> float:
        return self.upper - self.lower


# --------------------------------------------------------------------------------------------
# the table: cells and additive relations


class _Table:
    def __init__(self, frame, dims, count, denominator, hierarchies):
        if not isinstance(frame, pl.DataFrame):
            raise InputError("the table must be a polars.DataFrame", value=type(frame).__name__)
        missing = [
            c
            for c in [*dims, count] + ([denominator] if denominator else [])
            if c not in frame.columns
        ]
        if missing:
            raise ShapeError(
                "columns missing from the table",
                value=missing,
                expected=f"columns {list(frame.columns)}",
            )
        if not dims:
            raise InputError("dims must name at least one dimension column")
        self.dims = list(dims)
        self.keys: list[tuple] = list(frame.select(self.dims).iter_rows())
        self.index: dict[tuple, int] = {}
        for i, k in enumerate(self.keys):
            if k in self.index:
                raise ShapeError(
                    "the same cell appears twice",
                    location=f"rows {self.index[k] + 1} and {i + 1}",
                    value=dict(zip(self.dims, k, strict=True)),
                )
            self.index[k] = i
        self.count = self._numbers(frame, count)
        self.den = self._numbers(frame, denominator) if denominator else None
        self.relations = self._relations(hierarchies or {})

    def _numbers(self, frame, col):
        s = frame.get_column(col)
        if not s.dtype.is_numeric():
            raise ValueFormatError(
                f"column {col!r} must be numeric", value=str(s.dtype), expected="counts"
            )
        if s.null_count():
            row = int(s.is_null().arg_max())
            raise ValueFormatError(
                f"column {col!r} has missing values; disclosure control needs every cell's count",
                location=f"row {row + 1}",
                value=self.key_dict(row),
            )
        arr = s.cast(pl.Float64).to_numpy()
        bad = np.flatnonzero((arr < 0) | (np.abs(arr - np.round(arr)) > 1e-9))
        if bad.size:
            raise ValueFormatError(
                f"column {col!r} must hold non-negative whole counts",
                location=f"row {int(bad[0]) + 1}",
                value=arr[bad[0]],
                expected="0, 1, 2, ...",
            )
        return np.round(arr)

    def key_dict(self, i: int) -> dict:
        return dict(zip(self.dims, self.keys[i], strict=True))

    def _relations(self, hierarchies):
        rels: list[tuple[int, list[int]]] = []
        for dim, tree in hierarchies.items():
            if dim not in self.dims:
                raise InputError(
                    f"hierarchy given for {dim!r}, which is not a dimension",
                    expected=f"one of {self.dims}",
                )
            d = self.dims.index(dim)
            for parent, children in tree.items():
                if not children:
                    continue
                for i, key in enumerate(self.keys):
                    if key[d] != parent:
                        continue
                    kids = []
                    for child in children:
                        ck = key[:d] + (child,) + key[d + 1 :]
                        j = self.index.get(ck)
                        if j is None:
                            raise ShapeError(
                                "a total's component cell is missing from the table",
                                location=f"total {self.key_dict(i)}",
                                value=dict(zip(self.dims, ck, strict=True)),
                                expected=f"every child of {parent!r} in dimension {dim!r}",
                            )
                        kids.append(j)
                    total = self.count[kids].sum()
                    if abs(total - self.count[i]) > 1e-6:
                        raise ShapeError(
                            "a total does not equal the sum of its parts; disclosure control "
                            "needs an additive table",
                            location=f"total {self.key_dict(i)}",
                            value=self.count[i],
                            expected=f"{total:g} (sum of {len(kids)} cells in {dim!r})",
                        )
                    rels.append((i, kids))
        return rels

    def members(self, r: int) -> list[int]:
        parent, kids = self.relations[r]
        return [parent, *kids]


def primary_mask(
    counts,
    denominators=None,
    *,
    threshold: int = 5,
    suppress_zeros: bool = False,
) -> np.ndarray:
    """Boolean mask of cells that must be suppressed on their own (primary suppression).

    A count is primary-suppressed when ``0 < count < threshold`` (``0 <= count`` with
    ``suppress_zeros``), or when its denominator is ``0 < denominator < threshold``
    (``0 <= denominator`` with ``suppress_zeros``).
    """
    c = np.asarray(counts, dtype=float)
    lo = 0 if suppress_zeros else 1
    mask = (c >= lo) & (c < threshold)
    if denominators is not None:
        d = np.asarray(denominators, dtype=float)
        mask |= (d >= lo) & (d < threshold)
    return mask


# --------------------------------------------------------------------------------------------
# audit


def _bounds(table: _Table, sup: np.ndarray, kind: np.ndarray, threshold, suppress_zeros):
    """The attacker's a-priori interval for each suppressed cell."""
    n = len(table.keys)
    lb = np.zeros(n)
    ub = np.full(n, np.inf)
    # A count never exceeds its denominator in a table of proportions; when that holds for every
    # cell the attacker may assume it.
    if table.den is not None and (table.count <= table.den).all():
        ub = table.den.copy()
    by_count = (kind == PRIMARY) & primary_mask(
        table.count, None, threshold=threshold, suppress_zeros=suppress_zeros
    )
    ub[by_count] = np.minimum(ub[by_count], threshold - 1)
    if not suppress_zeros:
        lb[by_count] = 1
    lb[~sup] = ub[~sup] = table.count[~sup]
    return lb, ub


def _components(table: _Table, sup: np.ndarray):
    """Groups of suppressed cells linked through relations, with the relations concerned."""
    parent = {i: i for i in np.flatnonzero(sup)}

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rel_of = []
    for r in range(len(table.relations)):
        s = [m for m in table.members(r) if sup[m]]
        if not s:
            continue
        rel_of.append((r, s))
        for m in s[1:]:
            a, b = find(s[0]), find(m)
            if a != b:
                parent[a] = b
    comps: dict[int, tuple[list[int], list[int]]] = {}
    for i in parent:
        comps.setdefault(find(i), ([], []))[0].append(i)
    for r, s in rel_of:
        comps[find(s[0])][1].append(r)
    return list(comps.values())


def _intervals(table, sup, lb, ub, only=None, cache=None):
    """Feasible interval of each suppressed cell (or of the cells in ``only``).

    ``cache`` (a dict kept by the caller across rounds of :func:`protect`) holds the intervals
    of components already solved: the published values are fixed and a hidden cell's a-priori
    bounds depend only on whether it is primary, so a component with the same cells has the
    same intervals whichever pattern it came from.
    """
    out: dict[int, tuple[float, float]] = {}
    for cells, rels in _components(table, sup):
        comp_key = tuple(sorted(cells))
        targets = []
        for c in cells:
            if only is not None and c not in only:
                continue
            if cache is not None and (comp_key, c) in cache:
                out[c] = cache[(comp_key, c)]
            else:
                targets.append(c)
        if not targets:
            continue
        pos = {c: k for k, c in enumerate(cells)}
        # sparse: a component can span a whole table of thousands of cells
        r_idx, c_idx, coefs = [], [], []
        b_eq = np.zeros(len(rels))
        for row, r in enumerate(rels):
            p, kids = table.relations[r]
            for m, coef in [(p, 1.0)] + [(k, -1.0) for k in kids]:
                if sup[m]:
                    r_idx.append(row)
                    c_idx.append(pos[m])
                    coefs.append(coef)
                else:
                    b_eq[row] -= coef * table.count[m]
        a_eq = sparse.csr_array((coefs, (r_idx, c_idx)), shape=(len(rels), len(cells)))
        bounds = [(lb[c], None if np.isinf(ub[c]) else ub[c]) for c in cells]
        for c in targets:
            obj = np.zeros(len(cells))
            obj[pos[c]] = 1.0
            if rels:
                out[c] = (_optimum(obj, a_eq, b_eq, bounds), -_optimum(-obj, a_eq, b_eq, bounds))
            else:
                out[c] = (lb[c], ub[c])
            if cache is not None:
                cache[(comp_key, c)] = out[c]
    return out


def _interval_audit(table, sup, kind, threshold, suppress_zeros, protection_level, cache=None):
    """Rows ``(cell, lower, upper, required, disclosed)`` for every suppressed cell.

    The required width is ``protection_level``, capped at what suppression can achieve at all:
    the width of the cell's interval when *every* cell of the table is suppressed. That cap is
    below ``protection_level`` only when the suppression rule itself gives the value away (e.g.
    a suppressed total of 4 over four primary cells, each known to be at least 1).
    """
    lb, ub = _bounds(table, sup, kind, threshold, suppress_zeros)
    found = _intervals(
        table,
        sup,
        lb,
        ub,
        cache=cache,
    )
    short = {c for c, (lo, hi) in found.items() if hi - lo < protection_level - _TOL}
    cap: dict[int, float] = {}
    if short:
        # Hiding more cells can only widen an interval. First hide the neighbours of the short
        # cells: a cell that becomes wide enough then has an achievable requirement, and the
        # LP over the whole table (every cell hidden) is needed only for the rest.
        wider = sup.copy()
        for r in range(len(table.relations)):
            members = table.members(r)
            if short.intersection(members):
                wider[members] = True
        still = short
        if not wider.all():
            w_kind = np.where(kind == PRIMARY, PRIMARY, SECONDARY)
            lb_w, ub_w = _bounds(table, wider, w_kind, threshold, suppress_zeros)
            found_w = _intervals(table, wider, lb_w, ub_w, short, cache=cache)
            still = {c for c in short if found_w[c][1] - found_w[c][0] < protection_level - _TOL}
        if still:
            everything = np.ones_like(sup)
            all_kind = np.where(kind == PRIMARY, PRIMARY, SECONDARY)
            lb_all, ub_all = _bounds(table, everything, all_kind, threshold, suppress_zeros)
            found_all = _intervals(table, everything, lb_all, ub_all, still, cache=cache)
            cap = {c: hi - lo for c, (lo, hi) in found_all.items()}
    out = []
    for c in sorted(found):
        lo, hi = found[c]
        required = min(protection_level, cap.get(c, np.inf))
        disclosed = (hi - lo) < required - _TOL
        out.append((c, float(lo), float(hi), float(required), bool(disclosed)))
    return out


def _optimum(obj, a_eq, b_eq, bounds) -> float:
    res = linprog(obj, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status == 3:  # unbounded: only possible when maximising a cell without upper bound
        return -np.inf
    if res.status != 0:
        raise MethodError(
            f"the audit's linear program failed ({res.message}); the table's cells and bounds "
            "are inconsistent"
        )
    return float(res.fun)


def audit(
    frame: pl.DataFrame,
    *,
    dims: list[str],
    count: str,
    denominator: str | None = None,
    threshold: int = 5,
    hierarchies: dict[str, dict[str, list[str]]] | None = None,
    suppress_zeros: bool = False,
    protection_level: float = 1.0,
) -> list[CellAudit]:
    """Feasible interval of every suppressed cell, given everything that is published.

    ``frame`` is a table as returned by :func:`protect` (it needs its ``suppressed`` and
    ``suppression`` columns). For each suppressed cell two linear programs
    (``scipy.optimize.linprog``, HiGHS) find its minimum and maximum subject to: published cells
    at their values, every additive relation of ``hierarchies``, non-negativity, primary cells
    within ``[1, threshold - 1]`` (``[0, threshold - 1]`` with ``suppress_zeros``), and
    ``count <= denominator`` when every cell of the table satisfies it. A cell is *disclosed*
    when ``upper - lower < protection_level`` (capped at the width of its a-priori interval:
    with ``threshold=2`` a primary cell is known to be 1 from the rule alone, whatever is
    published). Suppressed cells are linked into independent components, so each LP is small.

    Returns one :class:`CellAudit` per suppressed cell, in the frame's row order.

    Reference: Hundepool et al. (2012), *Statistical Disclosure Control*, section 4.3 (the audit
    of a suppression pattern).
    """
    for col in (SUPPRESSED, SUPPRESSION):
        if col not in frame.columns:
            raise ShapeError(
                f"the table has no {col!r} column; audit a frame returned by protect()"
            )
    table = _Table(frame, dims, count, denominator, hierarchies)
    sup = frame.get_column(SUPPRESSED).fill_null(False).to_numpy().astype(bool)
    kind = np.array(frame.get_column(SUPPRESSION).to_list(), dtype=object)
    rows = _interval_audit(table, sup, kind, threshold, suppress_zeros, protection_level)
    rows.sort()
    return [
        CellAudit(table.key_dict(c), str(kind[c]), float(table.count[c]), lo, hi, req, dis)
        for c, lo, hi, req, dis in rows
    ]


# --------------------------------------------------------------------------------------------
# protect


def _choose(table, sup, candidates, rel_state, cell_rels, is_margin):
    """The complementary cell to suppress among ``candidates``.

    Prefers, in order: non-zero cells; cells whose suppression completes more relations that
    now hold a single suppressed cell than it opens new ones; interior cells over totals; small
    counts. The last key (the row number) makes the choice deterministic.
    """

    def key(c):
        fixes = sum(1 for r in cell_rels[c] if rel_state[r] == 1)
        opens = sum(1 for r in cell_rels[c] if rel_state[r] == 0)
        return (table.count[c] == 0, opens - fixes, is_margin[c], table.count[c], c)

    return min(candidates, key=key)


def protect(
    frame: pl.DataFrame,
    *,
    dims: list[str],
    count: str,
    denominator: str | None = None,
    threshold: int = 5,
    hierarchies: dict[str, dict[str, list[str]]] | None = None,
    rounding_base: int | None = None,
    suppress_zeros: bool = False,
    protection_level: float = 1.0,
) -> pl.DataFrame:
    """Decide which cells of a table may be published.

    Returns ``frame`` with three added columns:

    * ``suppressed`` (bool): the cell must not be published;
    * ``suppression`` (str or null): ``"primary"`` (small count or small denominator) or
      ``"secondary"`` (suppressed so that a primary cell cannot be recomputed);
    * ``published`` (int or null): the count to print, null where suppressed, rounded to the
      nearest multiple of ``rounding_base`` (halves up) when that is given.

    See the module documentation for the rules and the algorithm. The result's :func:`audit`
    is clean: no suppressed cell's feasible interval is narrower than ``protection_level``
    (default 1: no suppressed count can be pinned to a single value); ``MethodError`` is raised
    if that cannot be achieved (it can always be achieved by suppressing enough cells, so this
    signals a defect).

    Raises :class:`~skillnader.errors.ShapeError` when a total's component cell is missing, a
    total does not add up, or a cell appears twice, and
    :class:`~skillnader.errors.ValueFormatError` for missing, negative or fractional counts.
    """
    if threshold < 1:
        raise InputError("threshold must be at least 1", value=threshold)
    if rounding_base is not None and rounding_base < 1:
        raise InputError("rounding_base must be a positive integer", value=rounding_base)
    for col in (SUPPRESSED, SUPPRESSION, PUBLISHED):
        if col in frame.columns:
            raise ShapeError(f"the table already has a {col!r} column", value=col)
    table = _Table(frame, dims, count, denominator, hierarchies)
    n = len(table.keys)
    sup = primary_mask(table.count, table.den, threshold=threshold, suppress_zeros=suppress_zeros)
    kind = np.array([PRIMARY if s else None for s in sup], dtype=object)

    cell_rels: list[list[int]] = [[] for _ in range(n)]
    is_margin = np.zeros(n, dtype=bool)
    for r, (p, kids) in enumerate(table.relations):
        is_margin[p] = True
        for m in (p, *kids):
            cell_rels[m].append(r)

    def suppress(c):
        sup[c] = True
        kind[c] = SECONDARY

    cache: dict = {}
    max_rounds = n + 1
    for _ in range(max_rounds):
        # 1. no additive relation may hold exactly one suppressed cell
        rel_state = [int(sup[table.members(r)].sum()) for r in range(len(table.relations))]
        pending = [r for r, s in enumerate(rel_state) if s == 1]
        while pending:
            r = pending.pop()
            if rel_state[r] != 1:
                continue
            cands = [m for m in table.members(r) if not sup[m]]
            c = _choose(table, sup, cands, rel_state, cell_rels, is_margin)
            suppress(c)
            for r2 in cell_rels[c]:
                rel_state[r2] += 1
                if rel_state[r2] == 1:
                    pending.append(r2)
        # 2. audit; widen the pattern around every cell that can still be narrowed too far
        rows = _interval_audit(table, sup, kind, threshold, suppress_zeros, protection_level, cache)
        bad = [c for c, _lo, _hi, _req, dis in rows if dis]
        if not bad:
            break
        touched: set[int] = set()
        for c in bad:
            if touched.intersection(cell_rels[c]):
                continue
            cands = _published_neighbours(table, sup, c, cell_rels)
            if not cands:
                raise MethodError(
                    "cannot protect the table: the suppressed cell "
                    f"{table.key_dict(c)} stays disclosed although every cell linked to it is "
                    "suppressed"
                )
            rel_state = [int(sup[table.members(r)].sum()) for r in range(len(table.relations))]
            pick = _choose(table, sup, cands, rel_state, cell_rels, is_margin)
            suppress(pick)
            touched.update(cell_rels[pick])
    else:  # pragma: no cover - each round suppresses at least one more cell
        raise MethodError("disclosure control did not converge")

    published = np.where(sup, np.nan, table.count)
    if rounding_base:
        published = np.floor(published / rounding_base + 0.5) * rounding_base
    return frame.with_columns(
        pl.Series(SUPPRESSED, sup, dtype=pl.Boolean),
        pl.Series(SUPPRESSION, kind.tolist(), dtype=pl.Utf8),
        pl.Series(PUBLISHED, published, dtype=pl.Float64, nan_to_null=True).cast(pl.Int64),
    )


def _published_neighbours(table, sup, c, cell_rels):
    """Published cells in the relations of ``c``; if there are none, in the relations of the
    suppressed cells linked to ``c`` (breadth first)."""
    seen = {c}
    frontier = [c]
    while frontier:
        cands: set[int] = set()
        nxt = []
        for cell in frontier:
            for r in cell_rels[cell]:
                for m in table.members(r):
                    if not sup[m]:
                        cands.add(m)
                    elif m not in seen:
                        seen.add(m)
                        nxt.append(m)
        if cands:
            return sorted(cands)
        frontier = nxt
    return []
