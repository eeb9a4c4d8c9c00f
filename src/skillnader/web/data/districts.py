"""One district across boundary vintages, and the areas inside it.

A district council area (stadsdelsområde) keeps its page when the city redraws the districts:
where the crosswalk between two vintages says the district's boundary did not change (basis
``identity``) — or maps it whole by population (basis ``population``, weight 1, stated on the
page) — the series of the earlier vintages continue the district's own. Values are never
re-estimated: each year's cell is the one its source published, for boundaries recorded as the
same. Districts that were split or merged get no continued series (their links are ``area``
or ``population`` with a partial weight) and keep the boundary-change note of the indicator
page.

The areas inside a district (RegSO, stadsdelar, basområden) come from the ``contains`` links.
"""

from __future__ import annotations

from typing import Any

from skillnader.web.data import queries
from skillnader.web.data.models import Area, AreaLink

#: Link bases under which a district's boundary counts as unchanged between vintages.
CONTINUING_BASES = ("identity", "population")
#: A population-based link continues the series only when it maps the whole area.
WHOLE = 0.999


def _continuing_links() -> list[tuple[int, int, str]]:
    def compute():
        rows = AreaLink.objects.filter(basis__in=CONTINUING_BASES, weight__gte=WHOLE).values_list(
            "source_id", "target_id", "basis", "source__level_id", "target__level_id"
        )
        return [(s, t, b) for s, t, b, ls, lt in rows if ls == lt and s != t]

    return queries.cached("continuing-links", compute=compute)


def chains() -> dict[int, list[int]]:
    """Every area id that belongs to a chain -> the chain's area ids (oldest vintage first)."""

    def compute():
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for s, t, _b in _continuing_links():
            parent[find(s)] = find(t)
        groups: dict[int, list[int]] = {}
        for x in list(parent):
            groups.setdefault(find(x), []).append(x)
        order = {
            a["id"]: (
                a["vintage__valid_from"] is None,
                a["vintage__valid_from"],
                a["vintage__code"],
            )
            for a in Area.objects.filter(id__in=list(parent)).values(
                "id", "vintage__valid_from", "vintage__code"
            )
        }
        out: dict[int, list[int]] = {}
        for members in groups.values():
            members.sort(key=lambda i: order.get(i, (True, None, "")))
            for m in members:
                out[m] = members
        return out

    return queries.cached("area-chains", compute=compute)


def chain_areas(area: Area) -> list[dict[str, Any]]:
    """The areas that continue ``area`` across vintages (itself included), oldest first, each
    with its vintage's name and the basis of the link that joins it."""
    ids = chains().get(area.id, [area.id])
    bases = {}
    for s, t, b in _continuing_links():
        if s in ids and t in ids:
            bases[s] = bases.get(s) or b
            bases[t] = bases.get(t) or b
    areas = {a.id: a for a in Area.objects.filter(id__in=ids).select_related("vintage", "level")}
    return [
        {
            "id": i,
            "code": areas[i].code,
            "level": areas[i].level_id,
            "vintage": areas[i].vintage.code,
            "vintage_name": areas[i].vintage.name,
            "name": areas[i].name,
            "basis": bases.get(i, ""),
            "self": i == area.id,
        }
        for i in ids
        if i in areas
    ]


def continued_cells(area: Area) -> dict[str, list[dict[str, Any]]]:
    """The area's cells per indicator, continued by the cells of the areas in its chain.

    For a year published for more than one vintage the page's own area wins, then the newer
    vintage. Each cell keeps its ``vintage`` so that ranks and spreads are taken among the areas
    of the same boundaries."""
    chain = chain_areas(area)
    own = queries.area_cells(area.id)
    if len(chain) < 2:
        return own
    preference = {c["id"]: (0 if c["self"] else 1, -k) for k, c in enumerate(chain)}
    merged: dict[str, dict[int, dict[str, Any]]] = {}
    for c in chain:
        for ind, cells in queries.area_cells(c["id"]).items():
            by_year = merged.setdefault(ind, {})
            for cell in cells:
                old = by_year.get(cell["year"])
                if old is None or preference[cell["area_id"]] < preference[old["area_id"]]:
                    by_year[cell["year"]] = cell
    return {ind: [by_year[y] for y in sorted(by_year)] for ind, by_year in merged.items()}


#: Levels shown as the parts of a district, finest last.
PART_LEVELS = ("stadsdel", "regso", "basomrade", "deso")


def sub_areas(area: Area) -> list[dict[str, Any]]:
    """The areas inside ``area`` (any vintage of the chain) by level: ``[{"level", "level_name",
    "vintage", "areas": [{code, name, ...}]}]``, RegSO and stadsdelar before basområden."""
    ids = [c["id"] for c in chain_areas(area)]
    # Two steps down: basområden lie in stadsdelar, which lie in the district.
    first = list(
        AreaLink.objects.filter(target_id__in=ids, basis="contains", weight__gte=0.5)
        .exclude(source__level_id=area.level_id)
        .values_list("source_id", flat=True)
    )
    rows = (
        AreaLink.objects.filter(target_id__in=ids + first, basis="contains", weight__gte=0.5)
        .exclude(source__level_id=area.level_id)
        .values(
            "source_id",
            "source__code",
            "source__name",
            "source__name_en",
            "source__level_id",
            "source__level__name_sv",
            "source__level__name_en",
            "source__level__order",
            "source__vintage__code",
        )
        .order_by("source__level__order", "source__name")
    )
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    seen = set()
    for r in rows:
        if r["source__level_id"] not in PART_LEVELS or r["source_id"] in seen:
            continue
        seen.add(r["source_id"])
        key = (r["source__level_id"], r["source__vintage__code"])
        g = groups.setdefault(
            key,
            {
                "level": r["source__level_id"],
                "level_name": (
                    r["source__level__name_en"] or r["source__level__name_sv"]
                    if queries.lang() == "en"
                    else r["source__level__name_sv"]
                ),
                "vintage": r["source__vintage__code"],
                "order": r["source__level__order"],
                "areas": [],
            },
        )
        g["areas"].append(
            {
                "id": r["source_id"],
                "code": r["source__code"],
                "name_sv": r["source__name"],
                "name_en": r["source__name_en"] or r["source__name"],
                "level": r["source__level_id"],
                "vintage": r["source__vintage__code"],
            }
        )
    return sorted(groups.values(), key=lambda g: (g["order"], g["level"], g["vintage"]))


def part_cells(group: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The latest published cell of each part of ``group`` (from :func:`sub_areas`) per
    indicator: ``{indicator: [cell, ...]}`` for indicators that at least two parts have."""
    out: dict[str, list[dict[str, Any]]] = {}
    for a in group["areas"]:
        for ind, cells in queries.area_cells(a["id"]).items():
            latest = next((c for c in reversed(cells) if c["value"] is not None), None)
            if latest is not None:
                out.setdefault(ind, []).append(latest)
    return {k: v for k, v in out.items() if len(v) >= 2}


def merges(area: Area) -> dict[str, list[dict[str, Any]]]:
    """Areas of the same level that a boundary change merged into ``area`` (``formed_from``:
    Rinkeby-Kista and Spånga-Tensta for Järva) and the area it was merged into (``part_of``),
    from the ``contains`` links between vintages of one level. Their series are not continued
    (the boundaries differ); the pages link each other."""
    ids = [c["id"] for c in chain_areas(area)]
    fields = (
        "code",
        "name",
        "name_en",
        "level_id",
        "vintage__code",
        "vintage__name_sv",
        "vintage__name_en",
    )

    def rows(links, side: str) -> list[dict[str, Any]]:
        seen, out = set(), []
        values = links.values(*(f"{side}__{f}" for f in fields)).order_by(
            f"{side}__vintage__code", f"{side}__name"
        )
        for r in values:
            r = {f: r[f"{side}__{f}"] for f in fields}
            key = (r["vintage__code"], r["code"])
            if key in seen:
                continue
            seen.add(key)
            out.append(
                {
                    "code": r["code"],
                    "name_sv": r["name"],
                    "name_en": r["name_en"] or r["name"],
                    "level": r["level_id"],
                    "vintage": r["vintage__code"],
                    "vintage_name": (
                        r["vintage__name_en"] or r["vintage__name_sv"]
                        if queries.lang() == "en"
                        else r["vintage__name_sv"]
                    ),
                }
            )
        return out

    same_level = {"basis": "contains", "weight__gte": 0.5}
    formed_from = AreaLink.objects.filter(
        target_id__in=ids, source__level_id=area.level_id, **same_level
    ).exclude(source_id__in=ids)
    part_of = AreaLink.objects.filter(
        source_id__in=ids, target__level_id=area.level_id, **same_level
    ).exclude(target_id__in=ids)
    return {"formed_from": rows(formed_from, "source"), "part_of": rows(part_of, "target")}
