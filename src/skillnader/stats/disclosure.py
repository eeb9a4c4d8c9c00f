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
(``rounding_base``, :func:`published_numbers`) is applied after the audit, to the exact counts
the audit protected, and only adds uncertainty for an attacker: a published ``y`` tells only
that the count lies in ``[y - base/2, y + base/2]``, a superset of knowing it.

References: Hundepool A. et al. (2012), *Statistical Disclosure Control*, Wiley, ch. 4 (tabular
data, cell suppression, the audit problem); Cox L.H. (1980), Suppression methodology and
statistical disclosure control, *JASA* 75:377-385; Fischetti M. & Salazar J.J. (2001), Solving
the cell suppression problem on tabular data with linear constraints, *Management Science*
47:1008-1027.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from skillnader.errors import InputError, MethodError, ShapeError, ValueFormatError

__all__ = [
    "COUNTED_NUMERATOR",
    "CellAudit",
    "Policy",
    "audit",
    "audit_cells",
    "cell_relations",
    "judged_counts",
    "policy_for",
    "primary_mask",
    "primary_suppressed",
    "protect",
    "protect_cells",
    "published_numbers",
    "round_count",
]

SUPPRESSED = "suppressed"
SUPPRESSION = "suppression"
PUBLISHED = "published"
PRIMARY = "primary"
SECONDARY = "secondary"
_TOL = 1e-7
#: Rounds a cell may stay disclosed with one complement added per round before all its
#: non-total neighbours are hidden at once.
_PATIENCE = 3
#: The most cells the linear program that chooses the complements of one cell looks at.
_NEAR = 150


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


class _Cells:
    """Cells (keys, counts, optional denominators) and their additive relations
    ``(parent, [children])`` as row indices."""

    def __init__(self, keys, dims, count, den, relations):
        self.dims = list(dims)
        self.keys = list(keys)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.count = np.asarray(count, dtype=float)
        self.den = None if den is None else np.asarray(den, dtype=float)
        self.relations = [(int(p), [int(k) for k in kids]) for p, kids in relations]
        self.prior_upper = None  # what a reader knows of a hidden cell's largest value

    def key_dict(self, i: int) -> dict:
        return dict(zip(self.dims, self.keys[i], strict=True))

    def members(self, r: int) -> list[int]:
        parent, kids = self.relations[r]
        return [parent, *kids]


class _Table(_Cells):
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


@dataclass(frozen=True)
class Policy:
    """The publication policy of one indicator (catalogue settings, see docs/statistics.md).

    * ``threshold``: the smallest count (and denominator) that may be published; 0 turns
      suppression off (internal tables, or indicators that count no people).
    * ``suppress_zeros``: also suppress true zeros (and zero denominators).
    * ``rounding_base``: published counts rounded to a multiple of this when they are read for
      publication (:func:`published_numbers`); protection works on the exact counts.
    * ``protection_level``: the narrowest interval an attacker may be able to pin a suppressed
      cell to, given everything published. By default the width of the primary range itself
      (``[1, threshold - 1]``, or ``[0, threshold - 1]`` with ``suppress_zeros``): whatever is
      published, a suppressed cell stays as uncertain as the suppression symbol alone makes it.
    """

    threshold: int = 5
    suppress_zeros: bool = False
    rounding_base: int | None = None
    protection_level: float | None = None

    @property
    def protection(self) -> float:
        if self.protection_level is not None:
            return float(self.protection_level)
        width = self.threshold - (1 if self.suppress_zeros else 2)
        return float(max(width, 1))

    @property
    def active(self) -> bool:
        return self.threshold > 0


def policy_for(indicator) -> Policy:
    """The :class:`Policy` of a catalogue entry or an ``Indicator`` row (any object with a
    ``publication_threshold``, or ``threshold`` for an engine spec, and optionally
    ``suppress_zeros``, ``rounding_base`` and ``protection_level``)."""
    threshold = getattr(indicator, "publication_threshold", None)
    if threshold is None:
        threshold = getattr(indicator, "threshold", 5)
    return Policy(
        threshold=int(threshold or 0),
        suppress_zeros=bool(getattr(indicator, "suppress_zeros", False) or False),
        rounding_base=getattr(indicator, "rounding_base", None) or None,
        protection_level=getattr(indicator, "protection_level", None),
    )


def _floats(x, n=None) -> np.ndarray:
    if x is None:
        return np.full(n, np.nan)
    arr = np.asarray(
        [np.nan if v is None else v for v in x] if isinstance(x, list | tuple) else x,
        dtype=float,
    )
    return np.broadcast_to(arr, (n,)).copy() if n is not None and arr.ndim == 0 else arr


def judged_counts(measure, value=None, numerator=None, denominator=None):
    """The person counts the primary rule judges for cells of one ``measure``:
    ``(count, denominator)``, NaN where unknown.

    * ``count``: the count itself (the numerator when given, else the value), and the
      population it is counted in when that is published;
    * ``proportion``, ``rate`` and every other measure with a numerator: the numerator and the
      denominator (a small numerator reveals a few people as surely as a small count does:
      3 of 1,000 is suppressed);
    * means, medians and indexes without a numerator: only the denominator (the number of
      people or households the value is computed from).

    Arrays (or lists with ``None``) of equal length, or scalars.
    """
    arrays = [v for v in (value, numerator, denominator) if v is not None]
    n = len(np.atleast_1d(np.asarray(arrays[0], dtype=object))) if arrays else 1
    val = _floats(value, n) if value is not None else np.full(n, np.nan)
    num = _floats(numerator, n) if numerator is not None else np.full(n, np.nan)
    den = _floats(denominator, n) if denominator is not None else np.full(n, np.nan)
    if measure == "count":
        return np.where(np.isnan(num), val, num), den
    return num, den


def primary_mask(
    counts,
    denominators=None,
    *,
    threshold: int = 5,
    suppress_zeros: bool = False,
    policy: Policy | None = None,
) -> np.ndarray:
    """Boolean mask of cells that must be suppressed on their own (primary suppression).

    THE primary rule of the product: a count is suppressed when ``0 < count < threshold``
    (``0 <= count`` with ``suppress_zeros``), and so is a cell whose denominator is
    ``0 < denominator < threshold`` (``0 <= denominator`` with ``suppress_zeros``). Unknown
    (NaN) counts and denominators are not judged. ``threshold`` 0 suppresses nothing. A 0/0
    cell has nobody in it and no value: published (as "no value") unless ``suppress_zeros``.
    """
    if policy is not None:
        threshold, suppress_zeros = policy.threshold, policy.suppress_zeros
    c = np.atleast_1d(np.asarray(counts, dtype=float))
    t = np.asarray(threshold, dtype=float)  # a number, or one per cell
    if t.ndim == 0 and t <= 0:
        return np.zeros(c.shape, dtype=bool)
    lo = 0 if suppress_zeros else 1
    with np.errstate(invalid="ignore"):
        mask = (c >= lo) & (c < t)
        if denominators is not None:
            d = np.atleast_1d(np.asarray(denominators, dtype=float))
            mask |= (d >= lo) & (d < t)
    return mask & (t > 0)


def primary_suppressed(
    policy: Policy, measure: str, value=None, numerator=None, denominator=None
) -> np.ndarray:
    """Which cells of one indicator the primary rule suppresses: :func:`judged_counts` then
    :func:`primary_mask`. Every path that publishes cells (the importer, the bundle, the
    engine) decides with this function."""
    count, den = judged_counts(measure, value, numerator, denominator)
    return primary_mask(count, den, policy=policy)


# --------------------------------------------------------------------------------------------
# rounding at publication

#: Measures whose numerator is a count of people or events (a mean's numerator is a sum, such
#: as the income of everyone counted; a median and an index have none).
COUNTED_NUMERATOR = ("count", "proportion", "rate", "standardised_rate")


def round_count(x, base: int) -> np.ndarray:
    """``x`` rounded to the nearest multiple of ``base``, halves away from zero (12 → 10,
    12.5 → 15, 13 → 15 for base 5); NaN stays NaN. ``base`` 1 leaves whole counts as they are.

    Counts below ``base / 2`` round to 0: the catalogue therefore requires a publication
    threshold of at least the base, so that every non-zero count that is published at all is at
    least the base and rounds to at least the base (docs/statistics.md)."""
    arr = np.asarray(x, dtype=float)
    if isinstance(base, bool) or not isinstance(base, int | np.integer) or base < 1:
        raise InputError("rounding_base must be a positive integer", value=base)
    return np.sign(arr) * np.floor(np.abs(arr) / base + 0.5) * base


def published_numbers(
    measure: str,
    rounding_base: int,
    *,
    value=None,
    lower=None,
    upper=None,
    numerator=None,
    denominator=None,
) -> dict[str, np.ndarray]:
    """The numbers of a cell as they are published under an indicator's ``rounding_base``:
    THE rounding rule of the product, applied when a cell is read for publication (the stored
    numbers, and what the disclosure gate protects, stay exact).

    Counts are rounded with :func:`round_count`: the denominator (the people or households a
    cell is computed from), the numerator when it is a count (:data:`COUNTED_NUMERATOR`), and
    for a ``count`` indicator the value itself. A rounded count ``y`` that has an interval gets
    the 95 % Poisson (Byar) interval of its whole rounding band: from the lower limit of
    ``y - base/2`` to the upper limit of ``y + base/2``. It is a function of ``y`` alone, so it
    tells nothing of the exact count that ``y`` does not, and it contains the interval of every
    count that rounds to ``y``, the exact one included. Proportions, rates, means and their
    intervals keep the values computed from the exact counts, as official statistics do.

    Arrays (NaN where a number is missing) or scalars; returns the five numbers as float arrays
    of the input's shape under the keys ``value``, ``lower``, ``upper``, ``numerator``,
    ``denominator``.
    """
    from skillnader.stats.intervals import byar

    round_count(0, rounding_base)  # validates the base
    base = int(rounding_base)
    given = {
        "value": value,
        "lower": lower,
        "upper": upper,
        "numerator": numerator,
        "denominator": denominator,
    }
    out = {k: np.asarray(np.nan if v is None else v, dtype=float) for k, v in given.items()}
    if base == 1:
        return out
    out["denominator"] = round_count(out["denominator"], base)
    if measure in COUNTED_NUMERATOR:
        out["numerator"] = round_count(out["numerator"], base)
    if measure == "count":
        shape = np.broadcast_shapes(*(a.shape for a in out.values()))
        val = np.broadcast_to(round_count(out["value"], base), shape).ravel()
        lo = np.broadcast_to(out["lower"], shape).ravel().copy()
        hi = np.broadcast_to(out["upper"], shape).ravel().copy()
        with_interval = ~np.isnan(val) & ~(np.isnan(lo) & np.isnan(hi))
        lo[~np.isnan(val)] = hi[~np.isnan(val)] = np.nan
        if with_interval.any():
            band = val[with_interval]
            lo[with_interval] = np.atleast_1d(byar(np.maximum(band - base / 2, 0.0))[0])
            hi[with_interval] = np.atleast_1d(byar(band + base / 2)[1])
        out["value"], out["lower"], out["upper"] = (
            val.reshape(shape),
            lo.reshape(shape),
            hi.reshape(shape),
        )
    return out


# --------------------------------------------------------------------------------------------
# audit


def _bounds(table: _Cells, sup: np.ndarray, kind: np.ndarray, threshold, suppress_zeros):
    """The attacker's a-priori interval for each suppressed cell.

    A primary cell is known to lie in ``[1, threshold - 1]`` (``[0, threshold - 1]`` with
    ``suppress_zeros``, or when it may have been suppressed for its denominator). A primary
    cell whose count is unknown here (read back from a database, where a suppressed cell keeps
    no number) gets ``[0, threshold - 1]``: the attacker knows at least that much.
    """
    n = len(table.keys)
    lb = np.zeros(n)
    ub = np.full(n, np.inf)
    count = table.count
    known = ~np.isnan(count)
    # A count never exceeds its denominator in a table of proportions; when that holds for every
    # cell the attacker may assume it.
    if table.den is not None:
        ok = ~np.isnan(table.den) & known
        if ok.any() and (count[ok] <= table.den[ok]).all():
            ub = np.where(np.isnan(table.den), np.inf, table.den)
    is_primary = kind == PRIMARY
    top = np.broadcast_to(np.asarray(threshold, dtype=float), (n,)) - 1
    by_count = (
        is_primary
        & known
        & primary_mask(
            np.where(known, count, np.nan), None, threshold=threshold, suppress_zeros=suppress_zeros
        )
    )
    ub[by_count] = np.minimum(ub[by_count], top[by_count])
    if not suppress_zeros:
        lb[by_count] = 1
    unknown_primary = is_primary & ~known
    ub[unknown_primary] = np.minimum(ub[unknown_primary], top[unknown_primary])
    prior = getattr(table, "prior_upper", None)
    if prior is not None:
        ub = np.minimum(ub, np.where(np.isnan(prior), np.inf, prior))
    lb[~sup] = ub[~sup] = count[~sup]
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
        comps.setdefault(find(i), ([], []))[0].append(int(i))
    for r, s in rel_of:
        comps[find(s[0])][1].append(r)
    return list(comps.values())


def _intervals(table, sup, lb, ub, only=None, cache=None, need=None, wide=None):
    """Feasible interval of each suppressed cell (or of the cells in ``only``).

    ``cache`` (a dict kept by the caller across rounds of :func:`protect`) holds the intervals
    of components already solved: the published values are fixed and a hidden cell's a-priori
    bounds depend only on whether it is primary, so a component with the same cells has the
    same intervals whichever pattern it came from.

    ``need`` (an array of widths, one per cell): only decide whether each interval is at least
    that wide. A cell is then *certified* by any two feasible tables (the true one, and the
    optima of a few linear programs over many cells at once) whose values of it lie that far
    apart; its interval is returned as the range those tables span (inside the exact one, at
    least ``need`` wide), and only the cells not certified that way get their exact minimum and
    maximum. Whether an interval is narrower than ``need`` is decided exactly either way.
    ``wide``: a dict of cells already certified for a pattern with fewer suppressed cells (hiding
    more cells only widens every interval), which are not solved again; cells certified here are
    added to it.
    """
    out: dict[int, tuple[float, float]] = {}
    for cells, rels in _components(table, sup):
        comp_key = tuple(sorted(cells))
        targets = []
        for c in cells:
            if only is not None and c not in only:
                continue
            if wide is not None and c in wide:
                out[c] = wide[c]
            elif cache is not None and (comp_key, c) in cache:
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
        if not rels:
            found = {c: (lb[c], ub[c]) for c in targets}
        else:
            from scipy import sparse  # imported when a table needs it: 0.1-0.3 s

            a_eq = sparse.csc_array((coefs, (r_idx, c_idx)), shape=(len(rels), len(cells)))
            columns = [pos[c] for c in targets]
            if need is None:
                found = _min_max(a_eq, b_eq, lb[cells], ub[cells], columns, targets)
            else:
                x0 = table.count[cells]
                found = _min_max(
                    a_eq,
                    b_eq,
                    lb[cells],
                    ub[cells],
                    columns,
                    targets,
                    need=np.asarray(need, dtype=float)[targets],
                    start=x0,
                )
        for c in targets:
            out[c] = found[c]
            if cache is not None:
                cache[(comp_key, c)] = out[c]
            if wide is not None and need is not None:
                lo, hi = out[c]
                if hi - lo >= need[c] - _TOL:
                    wide[c] = out[c]
    return out


def _model(a_eq, b_eq, lower, upper):
    """One HiGHS model of ``a_eq x = b_eq`` within the bounds, objective zero."""
    import highspy

    inf = highspy.kHighsInf
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")  # each solve starts from the last basis
    # Only the objective changes between solves, so the last optimal basis stays feasible:
    # the primal simplex goes on from it in a few iterations, where the dual simplex (the
    # default) starts over (measured: 11 against 366 iterations per solve, 5x faster).
    h.setOptionValue("simplex_strategy", 4)
    lp = highspy.HighsLp()
    n = a_eq.shape[1]
    lp.num_col_ = n
    lp.num_row_ = a_eq.shape[0]
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.where(np.isinf(upper), inf, np.asarray(upper, dtype=float))
    lp.row_lower_ = b_eq
    lp.row_upper_ = b_eq
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a_eq.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a_eq.indices.astype(np.int32)
    lp.a_matrix_.value_ = a_eq.data.astype(float)
    h.passModel(lp)
    return h


def _solve(h, sense):
    """Run the model in ``sense``: ``("optimal", value, x)``, ``("unbounded", inf, None)``."""
    import highspy

    status = highspy.HighsModelStatus
    h.changeObjectiveSense(sense)
    h.run()
    st = h.getModelStatus()
    if st not in (status.kOptimal, status.kUnbounded, status.kInfeasible):
        # The primal simplex from the last basis can stop in numerical trouble ("Unknown"):
        # solve this one afresh with the default dual simplex and presolve, then go on as before.
        h.clearSolver()
        h.setOptionValue("simplex_strategy", 1)
        h.setOptionValue("presolve", "on")
        h.run()
        st = h.getModelStatus()
        h.setOptionValue("simplex_strategy", 4)
        h.setOptionValue("presolve", "off")
    if st == status.kOptimal:
        x = np.asarray(h.getSolution().col_value, dtype=float)
        return "optimal", float(h.getInfo().objective_function_value), x
    if st == status.kUnbounded and sense == highspy.ObjSense.kMaximize:
        return "unbounded", np.inf, None
    raise MethodError(
        f"the audit's linear program failed ({h.modelStatusToString(st)}); the "
        "table's cells and bounds are inconsistent"
    )


#: Linear programs over many open cells at once (random signs) before the cells still open are
#: solved one by one.
_SWEEPS = 6


def _min_max(a_eq, b_eq, lower, upper, columns, names, need=None, start=None) -> dict:
    """Minimum and maximum of each of ``columns`` subject to ``a_eq x = b_eq`` and the
    bounds: two linear programs per column on ONE HiGHS model (only the objective changes, so
    each solve starts from the previous optimal basis).

    With ``need`` (one width per column) the answer is only whether each interval is at least
    that wide, decided exactly (see :func:`_intervals`): every feasible table found (``start``,
    when it is feasible, and the optimum of every linear program solved) widens the range seen
    of every column, a column whose range seen is ``need`` wide is settled, and a few linear
    programs that push many open columns apart at once (random signs, the open columns capped
    a little above what is needed) settle most of them before any is solved on its own.
    """
    import highspy

    h = _model(a_eq, b_eq, lower, upper)
    minimize, maximize = highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize
    out = {}
    if need is None:
        for col, name in zip(columns, names, strict=True):
            h.changeColCost(col, 1.0)
            ends = [_solve(h, sense)[1] for sense in (minimize, maximize)]
            h.changeColCost(col, 0.0)
            out[name] = (ends[0], ends[1])
        return out
    cols = np.asarray(columns, dtype=np.int32)
    need = np.asarray(need, dtype=float)
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    seen_lo = np.full(len(cols), np.inf)
    seen_hi = np.full(len(cols), -np.inf)

    def see(x):
        v = x[cols]
        np.minimum(seen_lo, v, out=seen_lo)
        np.maximum(seen_hi, v, out=seen_hi)

    def open_cols():
        return np.flatnonzero(~(seen_hi - seen_lo >= need - _TOL))

    x0 = None
    if start is not None and not np.isnan(start).any():
        x0 = np.asarray(start, dtype=float)
        feasible = (
            (x0 >= lower - 1e-9).all()
            and (x0 <= upper + 1e-9).all()
            and np.abs(a_eq @ x0 - b_eq).max(initial=0.0) <= 1e-6
        )
        if not feasible:
            x0 = None
    if x0 is None:
        x0 = _solve(h, minimize)[2]  # any feasible table (objective zero)
    see(x0)
    todo = open_cols()
    rng = np.random.default_rng(len(cols))
    for _ in range(_SWEEPS):
        if len(todo) < 2:
            break
        idx = cols[todo]
        # cap the open columns just above what certifies them: the optimum stays bounded and
        # pushes many columns apart instead of one far
        cap = np.minimum(upper[idx], np.maximum(x0[idx], lower[idx]) + need[todo] + 1.0)
        h.changeColsBounds(len(idx), idx, lower[idx], cap)
        signs = rng.choice([-1.0, 1.0], size=len(idx))
        h.changeColsCost(len(idx), idx, signs)
        for sense in (minimize, maximize):
            see(_solve(h, sense)[2])
        h.changeColsCost(len(idx), idx, np.zeros(len(idx)))
        inf = highspy.kHighsInf
        h.changeColsBounds(
            len(idx), idx, lower[idx], np.where(np.isinf(upper[idx]), inf, upper[idx])
        )
        left = open_cols()
        progress = len(todo) - len(left)
        todo = left
        if progress < max(1, len(idx) // 10):
            break
    exact: dict[int, list[float]] = {}
    for k in todo:
        if seen_hi[k] - seen_lo[k] >= need[k] - _TOL:
            continue
        col = int(cols[k])
        h.changeColCost(col, 1.0)
        _st, lo, x = _solve(h, minimize)
        see(x)
        ends = [lo, seen_hi[k]]
        if seen_hi[k] - lo < need[k] - _TOL:
            st, hi, x = _solve(h, maximize)
            if x is not None:
                see(x)
            ends[1] = hi
        h.changeColCost(col, 0.0)
        exact[k] = ends
    for k, name in enumerate(names):
        if k in exact:
            out[name] = (float(exact[k][0]), float(exact[k][1]))
        else:
            out[name] = (float(seen_lo[k]), float(seen_hi[k]))
    return out


def _interval_audit(
    table, sup, kind, threshold, suppress_zeros, protection_level, cache=None, wide=None
):
    """Rows ``(cell, lower, upper, required, disclosed)`` for every suppressed cell.

    The required width is ``protection_level``, capped at what suppression can achieve at all:
    the width of the cell's interval when *every* cell of the table is suppressed. That cap is
    below ``protection_level`` only when the suppression rule itself gives the value away (e.g.
    a suppressed total of 4 over four primary cells, each known to be at least 1).

    With ``cache`` (the rounds of :func:`_protect`) an interval at least as wide as required is
    only certified, not solved exactly (see :func:`_intervals`); ``lower``/``upper`` are then a
    part of the feasible interval, and ``disclosed`` is decided exactly all the same. ``wide``:
    cells certified in an earlier round (whose pattern had no more suppressed cells).
    """
    lb, ub = _bounds(table, sup, kind, threshold, suppress_zeros)
    # Primary cells are the sensitive ones: they must keep ``protection_level``. A secondary
    # cell would itself be publishable; it must not be pinned to one value.
    prot = np.broadcast_to(np.asarray(protection_level, dtype=float), (len(table.keys),))
    need = np.where(kind == PRIMARY, prot, np.minimum(prot, 1.0)) if cache is not None else None
    found = _intervals(table, sup, lb, ub, cache=cache, need=need, wide=wide)
    level = {c: prot[c] if kind[c] == PRIMARY else min(prot[c], 1.0) for c in found}
    short = {c for c, (lo, hi) in found.items() if hi - lo < level[c] - _TOL}
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
            found_w = _intervals(table, wider, lb_w, ub_w, short, cache=cache, need=need)
            still = {c for c in short if found_w[c][1] - found_w[c][0] < level[c] - _TOL}
        if still:
            # The cap: the cell's width when everything near it is hidden (two steps along the
            # relations; hiding cells further away changes nothing for the rule-inherent cases
            # this is for, such as a total of 4 over four primary cells).
            everything = wider.copy()
            near = set(np.flatnonzero(wider).tolist())
            for r in range(len(table.relations)):
                members = table.members(r)
                if near.intersection(members):
                    everything[members] = True
            all_kind = np.where(kind == PRIMARY, PRIMARY, SECONDARY)
            lb_all, ub_all = _bounds(table, everything, all_kind, threshold, suppress_zeros)
            found_all = _intervals(table, everything, lb_all, ub_all, still, cache=cache, need=need)
            cap = {c: hi - lo for c, (lo, hi) in found_all.items()}
    out = []
    for c in sorted(found):
        lo, hi = found[c]
        required = min(level[c], cap.get(c, np.inf))
        disclosed = (hi - lo) < required - _TOL
        out.append((c, float(lo), float(hi), float(required), bool(disclosed)))
    return out


def _optimum(obj, a_eq, b_eq, bounds) -> float:
    from scipy.optimize import linprog  # imported when used: about 0.2-0.5 s

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
    protection_level: float | None = None,
) -> pl.DataFrame:
    """Decide which cells of a table may be published.

    Returns ``frame`` with three added columns:

    * ``suppressed`` (bool): the cell must not be published;
    * ``suppression`` (str or null): ``"primary"`` (small count or small denominator) or
      ``"secondary"`` (suppressed so that a primary cell cannot be recomputed);
    * ``published`` (int or null): the count to print, null where suppressed, rounded to the
      nearest multiple of ``rounding_base`` (:func:`round_count`) when that is given.

    See the module documentation for the rules and the algorithm. The result's :func:`audit`
    is clean: no suppressed cell's feasible interval is narrower than ``protection_level``
    (default :attr:`Policy.protection`: the width of the primary range ``[1, threshold - 1]``,
    at least 1); ``MethodError`` is raised
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
    policy = Policy(threshold, suppress_zeros, rounding_base, protection_level)
    sup, kind = _protect(table, policy)
    published = np.where(sup, np.nan, table.count)
    if rounding_base:
        published = round_count(published, rounding_base)
    return frame.with_columns(
        pl.Series(SUPPRESSED, sup, dtype=pl.Boolean),
        pl.Series(SUPPRESSION, kind.tolist(), dtype=pl.Utf8),
        pl.Series(PUBLISHED, published, dtype=pl.Float64, nan_to_null=True).cast(pl.Int64),
    )


def _protect(
    table: _Cells,
    policy: Policy,
    hidden=None,
    kinds=None,
    is_total=None,
    thresholds=None,
    near: int = _NEAR,
    linked=None,
):
    """Primary and secondary suppression of ``table``; returns ``(suppressed, kind)``.

    ``hidden``/``kinds``: cells already suppressed (by an earlier decision, their counts may be
    NaN) and their kinds; they stay suppressed. ``is_total``: cells to keep published if at all
    possible (totals); by default the parents of the relations. ``linked``: groups of cells
    published or hidden together (see :func:`protect_cells`).
    """
    n = len(table.keys)
    threshold: Any = policy.threshold
    suppress_zeros = policy.suppress_zeros
    protection_level: Any = policy.protection
    if thresholds is not None:  # one threshold per cell (cells of several indicators)
        threshold = np.asarray(thresholds, dtype=float)
        protection_level = _protection(policy, threshold)
    sup = primary_mask(table.count, table.den, threshold=threshold, suppress_zeros=suppress_zeros)
    kind = np.array([PRIMARY if s else None for s in sup], dtype=object)
    if hidden is not None:
        hidden = np.asarray(hidden, dtype=bool)
        given = np.asarray(kinds, dtype=object) if kinds is not None else None
        for c in np.flatnonzero(hidden & ~sup):
            kind[c] = given[c] if given is not None and given[c] else SECONDARY
        sup = sup | hidden
    partners: dict[int, list[int]] = {}
    for group in linked or ():
        group = [int(g) for g in group]
        for g in group:
            partners.setdefault(g, []).extend(m for m in group if m != g)
        if sup[group].any():
            for g in group:
                if not sup[g]:
                    sup[g] = True
                    kind[g] = SECONDARY
    if not sup.any():
        return sup, kind

    cell_rels: list[list[int]] = [[] for _ in range(n)]
    is_margin = np.zeros(n, dtype=bool)
    for r, (p, kids) in enumerate(table.relations):
        is_margin[p] = True
        for m in (p, *kids):
            cell_rels[m].append(r)
    if is_total is not None:
        is_margin = np.asarray(is_total, dtype=bool) | is_margin
    rel_state = [int(sup[table.members(r)].sum()) for r in range(len(table.relations))]

    def suppress(c):
        if sup[c]:
            return
        sup[c] = True
        kind[c] = SECONDARY
        for r2 in cell_rels[c]:
            rel_state[r2] += 1
        for m in partners.get(c, ()):
            suppress(m)  # a cell published only with its partners

    released: set[int] = set()  # complements published again because they were pinned
    # only complements chosen here, with a known count, can be published again (cells hidden
    # by an earlier decision stay hidden)
    own = ~np.asarray(hidden, dtype=bool) if hidden is not None else np.ones(n, dtype=bool)
    own &= ~np.isnan(table.count)

    def release(cells) -> None:
        for c in cells:
            sup[c] = False
            kind[c] = None
            released.add(c)
            for r2 in cell_rels[c]:
                rel_state[r2] -= 1

    def fresh(cands):
        # a complement published again is chosen again only if nothing else is left
        return [m for m in cands if m not in released] or cands

    # 0. for every primary cell, the cheapest set of complements that lets it move over its
    #    whole a-priori range (one small linear program per direction)
    _complements(
        table,
        sup,
        kind,
        threshold,
        suppress_zeros,
        protection_level,
        is_margin,
        cell_rels,
        suppress,
        near,
    )
    cache: dict = {}
    wide: dict = {}  # cells certified wide enough: the pattern only grows, so they stay so
    times_bad: dict[int, int] = {}
    settled: set[int] = set()
    max_rounds = n + 1
    for _ in range(max_rounds):
        # 1. no additive relation may hold exactly one suppressed cell
        pending = [r for r, s in enumerate(rel_state) if s == 1]
        # a cell the rule alone pins (a primary range of one value) gains nothing from company
        prior_lb, prior_ub = _bounds(table, sup, kind, threshold, suppress_zeros)
        while pending:
            r = pending.pop()
            if rel_state[r] != 1:
                continue
            lone = [m for m in table.members(r) if sup[m]]
            if lone and (
                lone[0] in settled
                or (kind[lone[0]] == PRIMARY and prior_ub[lone[0]] - prior_lb[lone[0]] < _TOL)
            ):
                continue  # a pinned complement that may stay so, or a value the rule gives away
            cands = fresh([m for m in table.members(r) if not sup[m]])
            if not cands:
                continue
            c = _choose(table, sup, cands, rel_state, cell_rels, is_margin)
            suppress(c)
            pending.extend(r2 for r2 in cell_rels[c] if rel_state[r2] == 1)
        # 2. audit; widen the pattern around every cell that can still be narrowed too far
        rows = _interval_audit(
            table, sup, kind, threshold, suppress_zeros, protection_level, cache, wide
        )
        bad = [c for c, _lo, _hi, _req, dis in rows if dis and c not in settled]
        if not bad:
            break
        # A complement the published cells already pin to one value hides nothing: publishing
        # it (with the cells it is published with, if they are pinned complements too) leaves
        # every other cell's feasible interval exactly as it is. Widening it instead would hide
        # more and more cells around it for no protection at all. Each is released once.
        pinned = {
            c
            for c, lo, hi, _req, dis in rows
            if dis and kind[c] == SECONDARY and hi - lo < _TOL and own[c]
        }
        freed = [
            c
            for c in sorted(pinned)
            if c not in released and all(not sup[m] or m in pinned for m in partners.get(c, ()))
        ]
        if freed:
            release(freed)
        # A pinned complement published only with a cell that is not pinned (a count hidden
        # with its row's other count), or hidden again after it was published once, stays
        # hidden: it is not small (the rule would have made it primary), so knowing it tells
        # nothing the rule protects.
        settled.update(c for c in pinned if sup[c])
        bad = [c for c in bad if c not in pinned]
        if not bad:
            continue
        touched: set[int] = set()
        for c in bad:
            times_bad[c] = times_bad.get(c, 0) + 1
            if touched.intersection(cell_rels[c]):
                continue
            cands = fresh(_published_neighbours(table, sup, c, cell_rels))
            if not cands:
                # every cell linked to it is hidden: no pattern can do better, the rule itself
                # gives this much away (see the module documentation)
                settled.add(c)
                continue
            if times_bad[c] >= _PATIENCE:
                # still disclosed after several single complements: hide its non-total
                # neighbours at once (or, if it has none, every neighbour)
                inner = [m for m in cands if not is_margin[m]]
                for m in inner or cands:
                    suppress(m)
                    touched.update(cell_rels[m])
                continue
            pick = _choose(table, sup, cands, rel_state, cell_rels, is_margin)
            suppress(pick)
            touched.update(cell_rels[pick])
    else:  # pragma: no cover - each round suppresses at least one more cell
        raise MethodError("disclosure control did not converge")
    return sup, kind


def _neighbourhood(table, c, cell_rels, hops=3, limit=_NEAR) -> list[int]:
    """The cells within ``hops`` steps of ``c`` along the relations, nearest first, at most
    ``limit`` of them (a total over many parts would otherwise bring in the whole table)."""
    seen = {c}
    frontier = [c]
    for _ in range(hops):
        nxt = []
        for cell in frontier:
            for r in sorted(cell_rels[cell], key=lambda r: len(table.relations[r][1])):
                for m in table.members(r):
                    if m not in seen:
                        if len(seen) >= limit:
                            return sorted(seen)
                        seen.add(m)
                        nxt.append(m)
        frontier = nxt
    return sorted(seen)


def _complements(
    table,
    sup,
    kind,
    threshold,
    suppress_zeros,
    protection_level,
    is_margin,
    cell_rels,
    suppress,
    near=_NEAR,
):
    """Choose complementary cells by linear programming (after Fischetti & Salazar 2001).

    For each primary cell ``c`` and each direction, find the deviation ``y`` of the cells near
    ``c`` (three steps along the relations; farther cells stay fixed) that keeps every relation,
    keeps every cell within what a reader knows of it, moves ``c`` as far towards the end of its
    a-priori range as it can go (the bounds of other primary cells may stop it short whatever
    is hidden), and by that much changes as little published information as possible (cost:
    the published cells it must move, weighted by their size, totals much dearer). The
    published cells it moves are suppressed. Every deviation found is feasible for the final
    pattern, so each primary cell keeps at least the range it reached; the audit that follows
    checks it and mends the rest.
    """
    n = len(table.keys)
    prot = np.broadcast_to(np.asarray(protection_level, dtype=float), (n,))
    primary = [c for c in np.flatnonzero(sup) if kind[c] == PRIMARY]
    if not primary or not table.relations:
        return
    import highspy

    known = ~np.isnan(table.count)
    lb, ub = _bounds(table, sup, kind, threshold, suppress_zeros)
    prior = getattr(table, "prior_upper", None)
    for c in primary:
        if not known[c] or not cell_rels[c]:
            continue
        width = ub[c] - lb[c]
        if np.isinf(width) or width < prot[c] - _TOL:
            continue  # (an unbounded secondary-like cell, or the rule's own disclosure)
        cells = _neighbourhood(table, c, cell_rels, limit=near)
        if not known[cells].all():
            continue
        _full, found = _deviations(table, c, cells, sup, lb, ub, is_margin, cell_rels, highspy)
        for m in sorted(found):
            if not sup[m]:
                suppress(m)
                lb[m] = 0.0
                ub[m] = np.inf if prior is None or np.isnan(prior[m]) else prior[m]


def _deviations(table, c, cells, sup, lb, ub, is_margin, cell_rels, highspy):
    """The published cells among ``cells`` that move when ``c`` goes as far as it can towards
    each end of its a-priori range (farther cells fixed), as cheaply as possible; and whether
    both ends were reached."""
    pos = {m: k for k, m in enumerate(cells)}
    rels = sorted({r for m in cells for r in cell_rels[m]})
    r_idx, c_idx, coefs = [], [], []
    for row, r in enumerate(rels):
        p, kids = table.relations[r]
        for m, coef in [(p, 1.0)] + [(k, -1.0) for k in kids]:
            if m in pos:
                r_idx.append(row)
                c_idx.append(pos[m])
                coefs.append(coef)
    k = len(cells)
    from scipy import sparse

    a = sparse.csr_array((coefs, (r_idx, c_idx)), shape=(len(rels), k))
    a2 = sparse.hstack([a, -a]).tocsc()  # y = plus - minus
    x = table.count[cells]
    hidden_here = sup[cells]
    lo = np.where(hidden_here, lb[cells], 0.0) - x
    hi = np.where(hidden_here, ub[cells], np.inf) - x
    weight = np.where(hidden_here, 0.0, 1.0 + x + 1000.0 * is_margin[cells])
    cost = np.concatenate([weight, weight]) + 1e-6
    up_bound = np.where(np.isinf(hi), np.inf, np.maximum(hi, 0.0))
    down_bound = np.maximum(-lo, 0.0)
    up_bound[pos[c]] = down_bound[pos[c]] = 0.0
    h = _model(a2, np.zeros(len(rels)), np.zeros(2 * k), np.concatenate([up_bound, down_bound]))
    every = np.arange(2 * k, dtype=np.int32)
    full = True
    plans = []
    for target in (lb[c] - x[pos[c]], ub[c] - x[pos[c]]):
        if abs(target) < _TOL:
            continue
        # the end of the a-priori range may be out of reach whatever is hidden (the bounds
        # of the other primary cells can pin c): move c as far towards it as the relations
        # allow, then by that much as cheaply as possible
        col = pos[c] if target > 0 else k + pos[c]
        h.changeColBounds(col, 0.0, abs(target))
        h.changeColsCost(2 * k, every, np.zeros(2 * k))
        h.changeColCost(col, 1.0)
        reach = _solve(h, highspy.ObjSense.kMaximize)[1]
        h.changeColBounds(col, 0.0, 0.0)
        full = full and reach >= abs(target) - _TOL
        if reach >= _TOL:
            plans.append((col, reach))
    found: set[int] = set()
    for col, reach in plans:
        h.changeColBounds(col, reach, reach)
        h.changeColsCost(2 * k, every, cost)
        sol = _solve(h, highspy.ObjSense.kMinimize)[2]
        h.changeColBounds(col, 0.0, 0.0)
        y = sol[:k] - sol[k:]
        found.update(cells[j] for j in np.flatnonzero(np.abs(y) > 1e-9))
    return full, found


def protect_cells(
    counts,
    relations,
    policy: Policy,
    *,
    denominators=None,
    hidden=None,
    kinds=None,
    is_total=None,
    keys=None,
    thresholds=None,
    upper=None,
    near: int = _NEAR,
    linked=None,
) -> tuple[np.ndarray, np.ndarray]:
    """THE suppression decision for a set of cells with additive relations.

    ``counts`` (and ``denominators``) are what :func:`judged_counts` gives; ``relations`` lists
    ``(parent, [children])`` row indices meaning ``count[parent] = sum(count[children])``: area
    parents over their children in every boundary vintage, group margins (sex = total over
    women and men, ...), totals of cities, regions and the country. A cell shared by several
    structures (a RegSO cell in the districts of three vintages) is ONE row, so it gets one
    decision. ``hidden``/``kinds``: cells suppressed by an earlier decision (counts may be NaN).
    ``thresholds``: one threshold per cell when the cells belong to indicators with different
    policies (otherwise ``policy.threshold``). ``near``: the most cells the linear program that
    chooses one cell's complements looks at (more: fewer complements, more time). ``upper``:
    what a reader knows of a cell's largest value once it is hidden (NaN: nothing), e.g. ``threshold - 1`` for the numerator
    of a proportion hidden for its small denominator. ``linked``: groups of cells (lists of
    row indices) that are published or hidden together, e.g. the numerator and the denominator
    of one published row: when one is suppressed, so are the others, and the audit sees them
    all hidden.

    Returns ``(suppressed, kind)``: a boolean array and an object array of ``"primary"``,
    ``"secondary"`` or ``None``. Guarantees (audited by linear programming, see
    :func:`audit_cells`): no suppressed cell's feasible interval, given every published cell,
    every relation and non-negativity, is narrower than ``policy.protection`` (capped where the
    rule itself gives a value away). Totals (relation parents and ``is_total``) are suppressed
    only when they are small themselves or nothing else protects a cell.
    """
    count = np.asarray(_floats(counts), dtype=float)
    n = len(count)
    den = None if denominators is None else np.asarray(_floats(denominators), dtype=float)
    if hidden is None and np.isnan(count).any():
        raise ValueFormatError("protect_cells needs every published cell's count", value="NaN")
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=object)
    if keys is None:
        keys, dims = [(i,) for i in range(n)], ["cell"]
    else:
        dims = [f"k{i}" for i in range(len(keys[0]))]
    table = _Cells(keys, dims, count, den, relations)
    if upper is not None:
        table.prior_upper = np.asarray(_floats(upper), dtype=float)
    return _protect(
        table,
        policy,
        hidden=hidden,
        kinds=kinds,
        is_total=is_total,
        thresholds=thresholds,
        near=near,
        linked=linked,
    )


def _protection(policy: Policy, threshold):
    if policy.protection_level is not None:
        return float(policy.protection_level)
    return np.maximum(np.asarray(threshold, float) - (1 if policy.suppress_zeros else 2), 1.0)


def audit_cells(
    counts,
    relations,
    policy: Policy,
    suppressed,
    kinds,
    *,
    denominators=None,
    thresholds=None,
    upper=None,
):
    """Rows ``(cell, lower, upper, required, disclosed)`` for every suppressed cell of a
    decision of :func:`protect_cells` (the same linear programs as :func:`audit`)."""
    count = np.asarray(_floats(counts), dtype=float)
    den = None if denominators is None else np.asarray(_floats(denominators), dtype=float)
    table = _Cells([(i,) for i in range(len(count))], ["cell"], count, den, relations)
    if upper is not None:
        table.prior_upper = np.asarray(_floats(upper), dtype=float)
    sup = np.asarray(suppressed, dtype=bool)
    kind = np.asarray(kinds, dtype=object)
    threshold = policy.threshold if thresholds is None else np.asarray(thresholds, float)
    return _interval_audit(
        table, sup, kind, threshold, policy.suppress_zeros, _protection(policy, threshold)
    )


def cell_relations(keys, counts, *, area_children=None, group_position=None, exact=True):
    """The additive relations among cells keyed ``(..., area, group, ...)``.

    ``keys``: tuples; ``area_children``: ``{area: [[child, ...], ...]}`` (one list per boundary
    vintage or partition in which the area is the sum of those children); the area is at key
    position ``area_position`` = 1 and the group (a tuple of sorted ``(dimension, value)`` pairs,
    ``()`` for the total) at ``group_position`` (default 2). Group margins: a cell whose group
    lacks a dimension is the sum of the cells that add each of that dimension's values.

    A relation is kept only if every member cell exists and, where all counts are known, the
    sum holds exactly (``exact``): these are the relations an attacker can know.
    """
    area_pos, group_pos = 1, 2 if group_position is None else group_position
    count = np.asarray(_floats(counts), dtype=float)
    index = {k: i for i, k in enumerate(keys)}
    rels: list[tuple[int, list[int]]] = []

    def add(parent, kids):
        if len(kids) < 1:
            return
        vals = count[[parent, *kids]]
        if exact and not np.isnan(vals).any() and abs(vals[0] - vals[1:].sum()) > 1e-6:
            return
        rels.append((parent, kids))

    if area_children:
        for i, k in enumerate(keys):
            for children in area_children.get(k[area_pos], ()):
                kids = []
                for ch in children:
                    j = index.get(k[:area_pos] + (ch,) + k[area_pos + 1 :])
                    if j is None:
                        break
                    kids.append(j)
                else:
                    add(i, kids)
    # group margins: siblings that differ only in one dimension's value
    siblings: dict[tuple, list[int]] = {}
    values: dict[tuple, set] = {}
    for i, k in enumerate(keys):
        group = k[group_pos]
        for d, (dim, val) in enumerate(group):
            rest = group[:d] + group[d + 1 :]
            sk = (k[:group_pos] + (rest,) + k[group_pos + 1 :], dim)
            siblings.setdefault(sk, []).append(i)
            # the values of a dimension seen for this quantity in this area (areas of other
            # levels may be split into other bands)
            values.setdefault((k[0], k[area_pos], dim), set()).add(val)
    for (pk, dim), kids in siblings.items():
        parent = index.get(pk)
        if parent is None:
            continue
        if len(kids) < len(values.get((pk[0], pk[area_pos], dim), ())):
            continue  # not every value of the dimension is there: no equality to use
        add(parent, sorted(kids))
    return rels


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
