"""Similar areas for the area page: the areas of the same level and boundaries nearest the
area on background indicators (:func:`skillnader.stats.similarity.nearest`, the method of
Kolada's "liknande kommuner": standardised values, Euclidean distance)."""

from __future__ import annotations

from typing import Any

from skillnader.errors import InputError
from skillnader.stats.similarity import nearest
from skillnader.web.data import queries
from skillnader.web.data.models import Area, Indicator

#: A background indicator must have values for this share of the level's areas.
COVERAGE = 0.8
#: Background indicators chosen when the visitor has not chosen any.
DEFAULT_COUNT = 6


def options(level: str, vintage: str) -> list[dict[str, Any]]:
    """Background indicators on offer for a level and vintage: each with the latest year in
    which most areas have a value, and the values by area code. Counts are left out: they
    measure an area's size, not its composition."""

    def compute():
        n_areas = Area.objects.filter(level_id=level, vintage__code=vintage).count()
        out = []
        inds = (
            Indicator.objects.filter(published=True)
            .exclude(measure="count")
            .order_by("domain__order", "order", "id")
        )
        for ind in inds:
            cov = queries.coverage(ind.id)
            lv = next((x for x in cov["levels"] if x["level"] == level), None)
            vint = lv and next((v for v in lv["vintages"] if v["vintage"] == vintage), None)
            if not vint:
                continue
            for year in sorted(vint["years"], reverse=True):
                cells = queries.level_cells(ind.id, level, vintage, year, "")
                values = {c["code"]: c["value"] for c in cells if c["value"] is not None}
                if n_areas and len(values) >= COVERAGE * n_areas and len(values) >= 3:
                    out.append(
                        {
                            "indicator": ind.id,
                            "name_sv": ind.name_sv,
                            "name_en": ind.name_en or ind.name_sv,
                            "year": year,
                            "values": values,
                        }
                    )
                    break
        return out

    return queries.cached("similar-options", level, vintage, compute=compute)


def similar(area: Area, chosen: list[str] | None = None, k: int = 5) -> dict[str, Any]:
    """The ``k`` areas most like ``area`` on the chosen background indicators (default: the
    first :data:`DEFAULT_COUNT` on offer)."""
    opts = options(area.level_id, area.vintage.code)
    by_id = {o["indicator"]: o for o in opts}
    picked = [i for i in (chosen or []) if i in by_id] or [o["indicator"] for o in opts][
        :DEFAULT_COUNT
    ]
    result: dict[str, Any] = {"options": opts, "chosen": picked, "areas": [], "used": []}
    if not picked:
        return result
    codes = set.union(*(set(by_id[i]["values"]) for i in picked)) | {area.code}
    values = {c: [by_id[i]["values"].get(c) for i in picked] for c in sorted(codes)}
    try:
        found, used = nearest(area.code, values, k=k)
    except InputError:
        result["missing"] = True
        return result
    names = {a["code"]: a for a in queries.level_areas(area.level_id, area.vintage.code)}
    result["used"] = [picked[j] for j in used]
    result["areas"] = [
        {"code": n.key, "area": names.get(n.key), "distance": n.distance}
        for n in found
        if n.key in names
    ]
    return result
