"""Hand-worked tables for skillnader.stats.disclosure."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from skillnader.errors import ShapeError, ValueFormatError
from skillnader.stats import disclosure
from skillnader.stats.disclosure import audit, primary_mask, protect


def _two_way(data: dict[str, list[int]], cols: list[str], total="T"):
    """A two-way table with row, column and grand totals, as cells."""
    rows = []
    for r, vals in data.items():
        rows += [(r, c, v) for c, v in zip(cols, vals, strict=True)]
        rows.append((r, total, sum(vals)))
    for j, c in enumerate(cols):
        rows.append((total, c, sum(v[j] for v in data.values())))
    rows.append((total, total, sum(sum(v) for v in data.values())))
    frame = pl.DataFrame(rows, schema=["row", "col", "n"], orient="row")
    hier = {"row": {total: list(data)}, "col": {total: cols}}
    return frame, hier


def _suppressed(out, dims):
    return {
        tuple(r[d] for d in dims): r["suppression"]
        for r in out.filter(pl.col("suppressed")).iter_rows(named=True)
    }


def _intervals(out, dims, **kw):
    return {tuple(a.key[d] for d in dims): (a.lower, a.upper) for a in audit(out, dims=dims, **kw)}


# ------------------------------------------------------------------------------------ 2 x 3


def test_two_by_three_one_small_cell_needs_three_complements():
    frame, hier = _two_way({"A": [12, 3, 20], "B": [15, 9, 11]}, ["x", "y", "z"])
    out = protect(frame, dims=["row", "col"], count="n", hierarchies=hier)
    # A.y = 3 is primary. Row A: the smallest complement is A.x (12). Column y: B.y (9). Column x
    # now holds only A.x, so B.x (15) follows, which also completes row B.
    assert _suppressed(out, ["row", "col"]) == {
        ("A", "y"): "primary",
        ("A", "x"): "secondary",
        ("B", "y"): "secondary",
        ("B", "x"): "secondary",
    }
    # every margin stays published
    assert out.filter(pl.col("row") == "T")["published"].to_list() == [27, 12, 31, 70]
    # One degree of freedom t = A.y in [1, 4]: A.x = 15 - t, B.y = 12 - t, B.x = 12 + t
    assert _intervals(out, ["row", "col"], count="n", hierarchies=hier) == {
        ("A", "x"): (11, 14),
        ("A", "y"): (1, 4),
        ("B", "x"): (13, 16),
        ("B", "y"): (8, 11),
    }


def test_no_small_cells_publishes_everything():
    frame, hier = _two_way({"A": [12, 6, 20], "B": [15, 9, 11]}, ["x", "y", "z"])
    out = protect(frame, dims=["row", "col"], count="n", hierarchies=hier)
    assert not out["suppressed"].any()
    assert out["published"].to_list() == out["n"].to_list()


def test_without_relations_only_primary_cells_are_suppressed():
    frame = pl.DataFrame({"area": ["a", "b", "c"], "n": [2, 40, 7]})
    out = protect(frame, dims=["area"], count="n")
    assert _suppressed(out, ["area"]) == {("a",): "primary"}
    assert out["published"].to_list() == [None, 40, 7]


# ------------------------------------------------------------------------------------ hierarchy


def test_area_by_sex_with_area_hierarchy():
    rows = []
    data = {"A": (12, 3), "B": (20, 25), "C": (30, 28)}
    for area, (f, m) in data.items():
        rows += [(area, "female", f), (area, "male", m), (area, "total", f + m)]
    rows += [
        ("0180", "female", 62),
        ("0180", "male", 56),
        ("0180", "total", 118),
    ]
    frame = pl.DataFrame(rows, schema=["area", "sex", "n"], orient="row")
    hier = {"area": {"0180": ["A", "B", "C"]}, "sex": {"total": ["female", "male"]}}
    out = protect(frame, dims=["area", "sex"], count="n", hierarchies=hier)
    # A.male = 3 is primary; sex relation of A -> A.female (12, interior, smaller than A.total);
    # area relation of males -> B.male (25 < C.male 28); then B.female (20 < C.female 30).
    assert _suppressed(out, ["area", "sex"]) == {
        ("A", "male"): "primary",
        ("A", "female"): "secondary",
        ("B", "male"): "secondary",
        ("B", "female"): "secondary",
    }
    assert all(a.width >= 1 for a in audit(out, dims=["area", "sex"], count="n", hierarchies=hier))
    assert out.filter(pl.col("area") == "0180")["published"].to_list() == [62, 56, 118]


def test_multi_level_hierarchy():
    frame = pl.DataFrame(
        {
            "area": ["a1", "a2", "a3", "a4", "D1", "D2", "0180"],
            "n": [3, 10, 20, 30, 13, 50, 63],
        }
    )
    hier = {"area": {"D1": ["a1", "a2"], "D2": ["a3", "a4"], "0180": ["D1", "D2"]}}
    out = protect(frame, dims=["area"], count="n", hierarchies=hier)
    # a2 closes D1 = a1 + a2 without opening another relation; D1 would open 0180 = D1 + D2
    assert _suppressed(out, ["area"]) == {("a1",): "primary", ("a2",): "secondary"}
    assert _intervals(out, ["area"], count="n", hierarchies=hier) == {
        ("a1",): (1, 4),
        ("a2",): (9, 12),
    }


# ------------------------------------------------------------------------------------ the audit


def test_audit_finds_a_bridge_between_two_suppressed_rectangles():
    # Two rectangles of suppressed cells joined by one cell: every row and column holds 0 or
    # at least 2 suppressed cells, yet the joining cell equals (suppressed sum of rows 0-1)
    # minus (suppressed sum of columns 0-1).
    data = {f"r{i}": [10 + i + 4 * j for j in range(4)] for i in range(4)}
    cols = [f"c{j}" for j in range(4)]
    frame, hier = _two_way(data, cols)
    hidden = {("r0", "c0"), ("r0", "c1"), ("r1", "c0"), ("r1", "c1"), ("r1", "c2")}
    hidden |= {("r2", "c2"), ("r2", "c3"), ("r3", "c2"), ("r3", "c3")}
    marked = frame.with_columns(
        pl.struct("row", "col")
        .map_elements(lambda s: (s["row"], s["col"]) in hidden, return_dtype=pl.Boolean)
        .alias("suppressed")
    ).with_columns(
        pl.when(pl.col("suppressed")).then(pl.lit("secondary")).otherwise(None).alias("suppression")
    )
    result = {
        tuple(a.key.values()): a
        for a in audit(marked, dims=["row", "col"], count="n", hierarchies=hier)
    }
    bridge = result[("r1", "c2")]
    assert bridge.lower == bridge.upper == data["r1"][2]
    assert bridge.disclosed
    assert not any(a.disclosed for k, a in result.items() if k != ("r1", "c2"))


def test_cells_given_away_by_the_rule_itself_are_reported_not_chased():
    # four primary cells of 1 and a primary total of 4: each cell is at least 1, so all are 1,
    # whatever else is suppressed. protect() cannot fix this by suppression and says so through
    # the audit's required width of 0.
    frame = pl.DataFrame({"area": ["a", "b", "c", "d", "e", "T"], "n": [1, 1, 1, 1, 0, 4]})
    hier = {"area": {"T": ["a", "b", "c", "d", "e"]}}
    out = protect(frame, dims=["area"], count="n", hierarchies=hier)
    rows = audit(out, dims=["area"], count="n", hierarchies=hier)
    assert {tuple(r.key.values()) for r in rows} >= {("a",), ("b",), ("c",), ("d",), ("T",)}
    for r in rows:
        if r.kind == "primary" and r.key["area"] != "T":
            assert (r.lower, r.upper, r.required, r.disclosed) == (1, 1, 0, False)


def test_threshold_two_primary_cell_is_known_from_the_rule():
    frame, hier = _two_way({"A": [1, 8], "B": [6, 9]}, ["x", "y"])
    out = protect(frame, dims=["row", "col"], count="n", threshold=2, hierarchies=hier)
    rows = audit(out, dims=["row", "col"], count="n", threshold=2, hierarchies=hier)
    primary = [r for r in rows if r.kind == "primary"]
    assert len(primary) == 1 and primary[0].required == 0 and not primary[0].disclosed
    assert all(r.width >= 1 for r in rows if r.kind == "secondary")


# ------------------------------------------------------------------------------------ options


def test_zeros_published_by_default_and_suppressed_on_request():
    frame = pl.DataFrame({"area": ["a", "b", "c"], "n": [0, 40, 7]})
    assert not protect(frame, dims=["area"], count="n")["suppressed"].any()
    out = protect(frame, dims=["area"], count="n", suppress_zeros=True)
    assert _suppressed(out, ["area"]) == {("a",): "primary"}
    assert primary_mask([0, 1, 4, 5], threshold=5).tolist() == [False, True, True, False]
    assert primary_mask([0, 1], threshold=5, suppress_zeros=True).tolist() == [True, True]


def test_small_denominator_suppresses_the_count():
    frame = pl.DataFrame({"area": ["a", "b", "c"], "n": [0, 12, 7], "pop": [3, 40, 90]})
    out = protect(frame, dims=["area"], count="n", denominator="pop")
    assert _suppressed(out, ["area"]) == {("a",): "primary"}


def test_rounding_of_published_counts():
    frame = pl.DataFrame({"area": ["a", "b", "c", "d"], "n": [12, 13, 3, 25]})
    out = protect(frame, dims=["area"], count="n", rounding_base=5)
    assert out["published"].to_list() == [10, 15, None, 25]
    assert out["n"].to_list() == [12, 13, 3, 25]


# ------------------------------------------------------------------------------------ errors


def test_missing_component_cell_is_an_error():
    frame, hier = _two_way({"A": [12, 3, 20], "B": [15, 9, 11]}, ["x", "y", "z"])
    broken = frame.filter(~((pl.col("row") == "B") & (pl.col("col") == "z")))
    with pytest.raises(ShapeError, match="component cell is missing"):
        protect(broken, dims=["row", "col"], count="n", hierarchies=hier)


def test_totals_that_do_not_add_up_are_an_error():
    frame, hier = _two_way({"A": [12, 3, 20], "B": [15, 9, 11]}, ["x", "y", "z"])
    broken = frame.with_columns(
        pl.when((pl.col("row") == "T") & (pl.col("col") == "T")).then(71).otherwise("n").alias("n")
    )
    with pytest.raises(ShapeError, match="does not equal the sum"):
        protect(broken, dims=["row", "col"], count="n", hierarchies=hier)


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        ([1, 2, -1], ValueFormatError, "non-negative whole counts"),
        ([1.0, 2.5, 3.0], ValueFormatError, "non-negative whole counts"),
        ([1, None, 3], ValueFormatError, "missing values"),
    ],
)
def test_bad_counts_are_errors(values, error, match):
    frame = pl.DataFrame({"area": ["a", "b", "c"], "n": values})
    with pytest.raises(error, match=match):
        protect(frame, dims=["area"], count="n")


def test_duplicate_cells_and_unprotected_audit_are_errors():
    frame = pl.DataFrame({"area": ["a", "a"], "n": [7, 8]})
    with pytest.raises(ShapeError, match="appears twice"):
        protect(frame, dims=["area"], count="n")
    with pytest.raises(ShapeError, match="protect"):
        audit(pl.DataFrame({"area": ["a"], "n": [7]}), dims=["area"], count="n")


def test_audit_uses_the_denominator_as_an_upper_bound_for_proportion_tables():
    # a = 3 of 3 people: primary (count and denominator small). b closes the relation. Since
    # every count is at most its denominator, the attacker knows a <= 3, so a in [1, 3] and
    # b = 13 - a in [10, 12].
    frame = pl.DataFrame({"area": ["a", "b", "T"], "n": [3, 10, 13], "pop": [3, 20, 23]})
    hier = {"area": {"T": ["a", "b"]}}
    out = protect(frame, dims=["area"], count="n", denominator="pop", hierarchies=hier)
    assert _suppressed(out, ["area"]) == {("a",): "primary", ("b",): "secondary"}
    got = _intervals(out, ["area"], count="n", denominator="pop", hierarchies=hier)
    assert got == {("a",): (1, 3), ("b",): (10, 12)}


# ------------------------------------------------------------------- pinned complements


def _rate_table(seed: int):
    """Rows of a proportion (numerator and denominator, published together) over a city of
    four districts of three areas each, by sex with its total."""
    rng = np.random.default_rng(seed)
    districts = {f"d{i}": [f"d{i}a{j}" for j in range(3)] for i in range(4)}
    leaves = [a for kids in districts.values() for a in kids]
    sexes = [(("sex", "men"),), (("sex", "women"),)]
    den = {(a, g): int(rng.integers(20, 400)) for a in leaves for g in sexes}
    num = {k: int(rng.binomial(v, rng.uniform(0.005, 0.05))) for k, v in den.items()}
    parents = {**districts, "city": list(districts)}

    def total(store, area, group):
        if group == ():
            return sum(total(store, area, g) for g in sexes)
        if area in parents:
            return sum(total(store, kid, group) for kid in parents[area])
        return store[(area, group)]

    keys, counts, rows = [], [], []
    for area in [*leaves, *districts, "city"]:
        for group in [(), *sexes]:
            row = []
            for q, store in (("num", num), ("den", den)):
                row.append(len(keys))
                keys.append((q, area, group, 2023))
                counts.append(float(total(store, area, group)))
            rows.append(row)
    area_children = {p: [kids] for p, kids in parents.items()}
    relations = disclosure.cell_relations(keys, counts, area_children=area_children)
    return keys, np.array(counts), relations, rows


@pytest.mark.parametrize("seed", range(6))
def test_a_complement_the_published_cells_pin_is_published_with_its_row(seed):
    """A complement whose value the published cells already fix hides nothing; it is published
    again, unless it is published only together with a cell that is not fixed. Primary cells
    keep their whole range all the same."""
    keys, counts, relations, rows = _rate_table(seed)
    policy = disclosure.Policy(threshold=5)
    primary_row = [counts[r[0]] < 5 and counts[r[0]] > 0 for r in rows]
    hidden = np.zeros(len(keys), dtype=bool)
    upper = np.full(len(keys), np.nan)
    for row, small in zip(rows, primary_row, strict=True):
        if small:
            hidden[row] = True
            upper[row[0]] = 4
    kinds = np.array([disclosure.PRIMARY if h else None for h in hidden], dtype=object)
    sup, kind = disclosure.protect_cells(
        counts,
        relations,
        policy,
        keys=keys,
        hidden=hidden,
        kinds=kinds,
        upper=upper,
        linked=rows,
    )
    assert sup[hidden].all() and (kind[hidden] == disclosure.PRIMARY).all()
    assert not sup.all()  # the city's totals at least stay published
    audit = {
        c: (lo, hi, req, dis)
        for c, lo, hi, req, dis in disclosure.audit_cells(
            counts, relations, policy, sup, kind, upper=upper
        )
    }
    assert not any(dis for c, (_lo, _hi, _req, dis) in audit.items() if kind[c] == "primary")
    partner = {c: [m for m in row if m != c] for row in rows for c in row}
    for c, (lo, hi, _req, _dis) in audit.items():
        if kind[c] == disclosure.SECONDARY and hi - lo < 1e-7:
            # pinned: kept hidden only for a partner that is hidden and not pinned
            others = [audit[m] for m in partner[c] if sup[m]]
            assert others and any(o[1] - o[0] >= 1e-7 for o in others), keys[c]
