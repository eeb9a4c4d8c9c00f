"""The disclosure gate over the database: secondary suppression across everything published.

An import decides the primary rule cell by cell as it writes
(:func:`skillnader.stats.disclosure.primary_suppressed`). Once every cell of the import is
written, and inside the same transaction, :func:`protect_published` takes every published cell
of the indicators and periods concerned (all levels, vintages and groups, old releases
included) and runs :func:`skillnader.stats.disclosure.protect_cells` over them with the
relations a reader can know: an area is the sum of its children (``Area.parent`` and
``AreaLink`` ``contains`` links of weight 1, per level and vintage of the children), and a
group margin is the sum over every value of one group dimension. Cells hidden by it become
``suppression = "secondary"`` and lose their numbers, so nothing unprotected is ever visible.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from skillnader.stats import disclosure
from skillnader.web.data import models as m


def _group(key: str) -> tuple:
    if not key:
        return ()
    return tuple(sorted(tuple(p.split("=", 1)) for p in key.split(";")))


def _area_children(area_ids: set[int]) -> dict[int, list[list[int]]]:
    """``{parent: [[children of one level and vintage], ...]}`` over the whole area table."""
    parts: dict[int, dict[tuple, set[int]]] = defaultdict(lambda: defaultdict(set))
    for pk, parent, level, vintage in m.Area.objects.filter(parent__isnull=False).values_list(
        "pk", "parent_id", "level_id", "vintage_id"
    ):
        parts[parent][(level, vintage)].add(pk)
    links = m.AreaLink.objects.filter(basis="contains", weight=1.0).values_list(
        "source_id", "target_id", "source__level_id", "source__vintage_id"
    )
    for source, target, level, vintage in links:
        parts[target][(level, vintage)].add(source)
    return {
        parent: [sorted(kids) for kids in by.values()]
        for parent, by in parts.items()
        if parent in area_ids
    }


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
            )
        )
        keys: list[tuple] = []
        counts: list[float] = []
        hidden: list[bool] = []
        kinds: list[str | None] = []
        index: dict[tuple, int] = {}
        cells_of: dict[int, list[int]] = defaultdict(list)
        for pk, area, gkey, period, value, num, den, sup, kind in rows:
            if ind.measure == "count":
                quantities = [("n", num if num is not None else value)]
            else:
                quantities = [("num", num), ("den", den)]
            for q, v in quantities:
                if v is None and not sup:
                    continue  # not published: no relation can use it
                key = (q, area, _group(gkey), period)
                if key in index:
                    continue
                index[key] = len(keys)
                keys.append(key)
                counts.append(np.nan if sup else float(v))
                hidden.append(bool(sup))
                kinds.append((kind or disclosure.PRIMARY) if sup else None)
                cells_of[pk].append(index[key])
        if not keys:
            continue
        area_children = _area_children({k[1] for k in keys})
        relations = disclosure.cell_relations(keys, counts, area_children=area_children)
        sup, _kind = disclosure.protect_cells(
            counts,
            relations,
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
