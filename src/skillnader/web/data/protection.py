"""The disclosure gate over the database: secondary suppression across everything published.

An import decides the primary rule cell by cell as it writes
(:func:`skillnader.stats.disclosure.primary_suppressed`). Once every cell of the import is
written, and inside the same transaction, :func:`protect_published` takes every published cell
of the indicators and periods concerned (all levels, vintages and groups, old releases
included) and runs :func:`skillnader.stats.disclosure.protect_cells` over them with the
relations a reader can know: an area is the sum of its children (``Area.parent`` and the
areas ``AreaLink`` ``contains`` links assign to it, per level and vintage of the children, where
the published cells do not contradict it), and a group margin is the sum over every value of one
group dimension. Cells hidden by it become
``suppression = "secondary"`` and lose their numbers, so nothing unprotected is ever visible.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from skillnader.errors import MethodError
from skillnader.stats import disclosure
from skillnader.web.data import models as m
from skillnader.web.data.areas import assigned_parents


def _group(key: str) -> tuple:
    if not key:
        return ()
    return tuple(sorted(tuple(p.split("=", 1)) for p in key.split(";")))


def _area_children(area_ids: set[int]) -> tuple[dict[int, list[list[int]]], set[tuple]]:
    """``{parent: [[children of one level and vintage], ...]}`` over the whole area table, and
    the ``(parent, children)`` lists that are not certain to add up.

    Children are the areas whose ``Area.parent`` it is, and the areas a ``contains`` link
    assigns to it: each area to the one target of largest weight per level and vintage (a RegSO
    lies in the stadsdelsområde it overlaps most). A list with a link of weight below 1 may or
    may not add up (an area is assigned to the district it overlaps most, but the district's
    own statistics may count its true territory): such lists are used only where the published
    cells show that they do (:func:`_structural`).
    """
    parts: dict[int, dict[tuple, set[int]]] = defaultdict(lambda: defaultdict(set))
    for pk, parent, level, vintage in m.Area.objects.filter(parent__isnull=False).values_list(
        "pk", "parent_id", "level_id", "vintage_id"
    ):
        parts[parent][("parent", level, vintage)].add(pk)
    partial: set[tuple[int, int]] = set()
    level_vintage = {
        pk: (level, vintage)
        for pk, level, vintage in m.Area.objects.values_list("pk", "level_id", "vintage_id")
    }
    for (source, _tl, _tv), (weight, target) in assigned_parents().items():
        parts[target][("link", *level_vintage[source])].add(source)
        if weight < 1.0:
            partial.add((target, source))
    out: dict[int, list[list[int]]] = {}
    uncertain: set[tuple] = set()
    for parent, by in parts.items():
        if parent not in area_ids:
            continue
        lists = []
        for kids in by.values():
            kids_sorted = sorted(kids)
            if kids_sorted in lists:
                continue
            lists.append(kids_sorted)
            if any((parent, k) in partial for k in kids_sorted):
                uncertain.add((parent, tuple(kids_sorted)))
        out[parent] = lists
    return out, uncertain


def _structural(keys, counts, relations, uncertain: set[tuple], assume: bool = True) -> list:
    """The relations a reader can rely on.

    An area relation (a parent over a list of children) holds for every cell of the table or
    for none: it is a fact of the boundaries. It is dropped when a cell whose parts are all
    published shows it does not add up. An uncertain list (:func:`_area_children`) that no
    published cell confirms or refutes is kept when ``assume`` (a relation the protection
    assumes and a reader lacks only makes the protection stricter) and dropped otherwise (when
    assuming it makes the published cells inconsistent). Group margins are kept as they are.
    """
    count = np.asarray(counts, dtype=float)
    verdict: dict[tuple, bool] = {}

    def structure(p, kids):
        return (keys[p][1], tuple(sorted({keys[k][1] for k in kids})))

    for p, kids in relations:
        s = structure(p, kids)
        if s[1] == (s[0],):
            continue
        vals = count[[p, *kids]]
        if np.isnan(vals).any():
            continue
        verdict[s] = verdict.get(s, True) and abs(vals[0] - vals[1:].sum()) <= 1e-6
    kept = []
    for p, kids in relations:
        s = structure(p, kids)
        if s[1] != (s[0],):
            if verdict.get(s) is False:
                continue
            if not assume and s in uncertain and s not in verdict:
                continue
        kept.append((p, kids))
    return kept


def _quantities(measure: str, value, num, den) -> list[tuple[str, float | None, bool]]:
    """The counts one published cell gives a reader: ``(name, count, known small when
    hidden by the primary rule)``.

    A hidden cell's numbers are not stored, so what a reader knows of it is what the rule says:
    a count, or the numerator of a proportion or rate, is at most ``threshold - 1`` (it is small
    itself, or its denominator is and it is a part of it); the denominator of a proportion
    hidden for its small numerator may be any size, and so may the sum behind a mean. For means
    and medians the number of persons (the denominator) is the count the rule judges.
    """
    if measure == "count":
        return [("n", num if num is not None else value, True)]
    if measure in ("proportion", "rate"):
        return [("num", num, True), ("den", den, False)]
    return [("num", num, False), ("den", den, True)]


def protect_published(indicator_ids, periods=None) -> int:
    """Secondary suppression over the published cells of ``indicator_ids`` (in ``periods``,
    or all). Returns the number of cells newly suppressed. Call inside the transaction that
    wrote the cells."""
    hidden_now = 0
    for ind in m.Indicator.objects.filter(pk__in=list(indicator_ids)):
        policy = disclosure.policy_for(ind)
        qs = m.Observation.objects.filter(indicator=ind, published=True)
        if periods is not None:
            qs = qs.filter(period__in=list(periods))
        # label the primary cells the import wrote
        qs.filter(suppressed=True, suppression="").update(suppression="primary")
        if not policy.active or not qs.filter(suppressed=True).exists():
            continue
        rows = list(
            qs.values_list(
                "pk",
                "area_id",
                "group__key",
                "period",
                "value",
                "numerator",
                "denominator",
                "suppressed",
                "suppression",
            ).order_by("pk")  # the same cells in the same order on every database
        )
        keys: list[tuple] = []
        counts: list[float] = []
        hidden: list[bool] = []
        kinds: list[str | None] = []
        index: dict[tuple, int] = {}
        cells_of: dict[int, list[int]] = defaultdict(list)
        for pk, area, gkey, period, value, num, den, sup, kind in rows:
            for q, v, small in _quantities(ind.measure, value, num, den):
                if v is None and not sup:
                    continue  # not published: no relation can use it
                key = (q, area, _group(gkey), period)
                if key in index:
                    continue
                index[key] = len(keys)
                keys.append(key)
                counts.append(np.nan if sup else float(v))
                hidden.append(bool(sup))
                if not sup:
                    kinds.append(None)
                elif kind == disclosure.SECONDARY or not small:
                    kinds.append(disclosure.SECONDARY)
                else:
                    kinds.append(disclosure.PRIMARY)
                cells_of[pk].append(index[key])
        if not keys:
            continue
        area_children, uncertain = _area_children({k[1] for k in keys})
        relations = disclosure.cell_relations(
            keys, counts, area_children=area_children, exact=False
        )
        try:
            sup, _kind = disclosure.protect_cells(
                counts,
                _structural(keys, counts, relations, uncertain, assume=True),
                policy,
                hidden=np.array(hidden),
                kinds=np.array(kinds, dtype=object),
                keys=keys,
            )
        except MethodError:
            # an assumed relation does not hold for the hidden cells: without the unconfirmed
            # ones (a reader cannot know them either)
            sup, _kind = disclosure.protect_cells(
                counts,
                _structural(keys, counts, relations, uncertain, assume=False),
                policy,
                hidden=np.array(hidden),
                kinds=np.array(kinds, dtype=object),
                keys=keys,
            )
        newly = [
            pk
            for pk, _a, _g, _p, _v, _n, _d, was, _k in rows
            if not was and any(sup[c] for c in cells_of.get(pk, ()))
        ]
        for i in range(0, len(newly), 500):
            m.Observation.objects.filter(pk__in=newly[i : i + 500]).update(
                suppressed=True,
                suppression=disclosure.SECONDARY,
                value=None,
                lower=None,
                upper=None,
                numerator=None,
                denominator=None,
            )
        hidden_now += len(newly)
    return hidden_now
