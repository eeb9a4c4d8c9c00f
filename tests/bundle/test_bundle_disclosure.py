"""The attacker against the ACTUAL published bundle: everything the API publishes (every level,
vintage, group, period and indicator), every additive relation a reader can know (parent links,
the area links of every vintage, group margins, the same count published by two indicators,
tenure parts adding up to all dwellings), a linear program per suppressed cell and an integer
program per primary cell.

The relations are built here from the API's output and the area links, not by the module that
protects; the true values of the in-memory build are used only to keep the relations that hold
exactly (the strongest attacker knows all of those) and to check that the truth is inside every
interval.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from tests.stats.attacker import attack, margins

pytestmark = pytest.mark.django_db

#: Denominators that are, by their definitions in the catalogue, another indicator's count.
SAME = {
    "dwellings_rental_share": "dwellings",
    "dwellings_tenant_owned_share": "dwellings",
    "dwellings_owner_occupied_share": "dwellings",
    "born_abroad_share": "population",
}
TENURE = [
    "dwellings_rental_share",
    "dwellings_tenant_owned_share",
    "dwellings_owner_occupied_share",
]


def _group(key: str) -> tuple:
    return tuple(sorted(tuple(p.split("=", 1)) for p in key.split(";"))) if key else ()


def _quantities(measure, indicator, numerator, denominator, value):
    if measure == "count":
        return [(indicator, numerator if numerator is not None else value)]
    out = [(f"{indicator}:num", numerator)]
    out.append((SAME.get(indicator, f"{indicator}:den"), denominator))
    return out


@pytest.fixture(scope="module")
def published(bundle_db, django_db_blocker):
    """Every observation and area as the API serves them."""
    from django.test import Client

    client = Client()
    rows = []
    url = "/api/v1/observations?limit=5000"
    with django_db_blocker.unblock():
        while url:
            body = client.get(url).json()
            rows.extend(body["results"])
            url = body["next"]
            if url:
                url = url[url.index("/api/") :]
        areas = client.get("/api/v1/areas").json()["results"]
        from skillnader.web.data.models import AreaLink, Indicator

        links = list(
            AreaLink.objects.values_list(
                "source__level_id",
                "source__vintage__code",
                "source__code",
                "target__level_id",
                "target__vintage__code",
                "target__code",
            )
        )
        indicators = {i.id: (i.measure, i.publication_threshold) for i in Indicator.objects.all()}
    return rows, areas, links, indicators


@pytest.fixture(scope="module")
def truth():
    """The bundle's counts before suppression (the in-memory build)."""
    from skillnader.bundle import build as b
    from skillnader.catalog import catalog_by_id

    specs = catalog_by_id()
    builder = b._Builder(specs)
    b._build_all(builder)
    out = {}
    for okey, r in builder.obs.items():
        spec = specs[r.indicator]
        value = r.value
        if spec.measure == "proportion" and r.numerator is not None and r.denominator:
            value = r.numerator / r.denominator
        for q, v in _quantities(spec.measure, r.indicator, r.numerator, r.denominator, value):
            if v is not None:
                out[(q, r.area, okey[2], r.period)] = v
    return out


def _cells(rows, indicators):
    """``{cell: value or None}``, with the a-priori bounds a reader knows of hidden cells."""
    cells: dict[tuple, float | None] = {}
    lower: dict[tuple, float] = {}
    upper: dict[tuple, float] = {}
    kind: dict[tuple, str] = {}
    for r in rows:
        measure, t = indicators[r["indicator"]]
        area = (r["level"], r["vintage"], r["area"])
        hidden = r["status"] == "suppressed"
        for q, v in _quantities(
            measure, r["indicator"], r["numerator"], r["denominator"], r["value"]
        ):
            key = (q, area, _group(r["group"]), r["period"])
            if hidden:
                if cells.get(key) is None:
                    cells[key] = None
                    kind[key] = r["suppression"]
                    if r["suppression"] == "primary" and t > 0:
                        if measure == "count":
                            lower[key], upper[key] = 1.0, t - 1.0
                        elif q.endswith(":num") and measure == "proportion":
                            upper[key] = t - 1.0
            elif v is not None:
                cells[key] = float(v)
                kind.pop(key, None)
                lower.pop(key, None)
                upper.pop(key, None)
    return cells, lower, upper, kind


def _relations(cells, areas, links, truth):
    by_code = defaultdict(list)
    for a in areas:
        by_code[a["code"]].append((a["level"], a["vintage"], a["code"]))
    families = defaultdict(list)  # (parent, child level, child vintage) -> children
    for a in areas:
        if a["parent"]:
            for parent in by_code[a["parent"]]:
                families[(parent, a["level"], a["vintage"])].append(
                    (a["level"], a["vintage"], a["code"])
                )
    for sl, sv, sc, tl, tv, tc in links:
        families[((tl, tv, tc), sl, sv)].append((sl, sv, sc))
    by_rest = defaultdict(list)
    for q, area, group, period in cells:
        by_rest[area].append((q, group, period))
    relations = []
    for (parent, _l, _v), kids in families.items():
        kids = sorted(set(kids))
        for q, group, period in by_rest.get(parent, ()):
            members = [(q, k, group, period) for k in kids]
            if all(m in cells for m in members):
                relations.append(((q, parent, group, period), members))
    relations += margins(cells, lambda c: c[2], lambda c: (c[0], c[1], c[3]))
    for key in cells:
        if key[0] == "dwellings":
            parts = [(f"{t}:num", *key[1:]) for t in TENURE]
            if all(p in cells for p in parts):
                relations.append((key, parts))

    def exact(rel):
        p, kids = rel
        if p not in truth or any(k not in truth for k in kids):
            return False
        return abs(truth[p] - sum(truth[k] for k in kids)) < 1e-6

    return [r for r in relations if exact(r)]


def test_no_suppressed_cell_of_the_published_bundle_can_be_narrowed(published, truth):
    rows, areas, links, indicators = published
    cells, lower, upper, kind = _cells(rows, indicators)
    relations = _relations(cells, areas, links, truth)
    hidden = [c for c, v in cells.items() if v is None]
    assert len(hidden) > 1000 and len(relations) > 20_000
    # the relations that matter: every kind of them links hidden cells
    assert sum(1 for p, _k in relations if p[1][0] == "stadsdel") > 1000
    found = attack(cells, relations, lower, upper)
    thresholds = {c: indicators[c[0].split(":")[0]][1] for c in hidden}
    narrowed = []
    for c in hidden:
        lo, hi = found.get(c, (lower.get(c, 0.0), upper.get(c, np.inf)))
        if c in truth:
            assert lo - 1e-6 <= truth[c] <= hi + 1e-6, (c, lo, hi, truth[c])
        required = thresholds[c] - 2 if kind.get(c) == "primary" else 1
        a_priori = upper.get(c, np.inf) - lower.get(c, 0.0)
        if hi - lo < min(required, a_priori) - 1e-6:
            narrowed.append((c, lo, hi, truth.get(c)))
    # a few cells are given away by the rule itself (a total of 2 over two primary cells, each
    # at least 1): hiding every cell around them would not widen them. Anything else fails.
    not_inherent = []
    for c, lo, hi, v in narrowed:
        near = {m for p, kids in relations if c in (p, *kids) for m in (p, *kids)}
        near |= {m for p, kids in relations if near & {p, *kids} for m in (p, *kids)}
        blind = {k: (None if k in near else x) for k, x in cells.items()}
        wide = attack(blind, relations, lower, upper, targets=[c])[c]
        if wide[1] - wide[0] > hi - lo + 1e-6:
            not_inherent.append((c, lo, hi, v, wide))
    assert not not_inherent, not_inherent[:10]


def test_an_integer_attacker_gets_no_further_than_the_linear_one(published, truth):
    """Counts are whole numbers: an attacker who uses that (an integer program per primary
    cell, about half a minute in all) must get no further than the linear one, whose ranges the
    test above holds to the protection range."""
    rows, areas, links, indicators = published
    cells, lower, upper, kind = _cells(rows, indicators)
    relations = _relations(cells, areas, links, truth)
    sample = sorted((c for c, k in kind.items() if k == "primary"), key=repr)
    assert sum(1 for c in sample if c[0] == "population" and len(c[2]) == 2) > 500  # 3-D cells
    lp = attack(cells, relations, lower, upper, targets=sample)
    ip = attack(cells, relations, lower, upper, targets=sample, integer=True)
    for c in sample:
        # the linear range rounded inwards to whole numbers is what integers allow at best
        lo, hi = np.ceil(lp[c][0] - 1e-6), np.floor(lp[c][1] + 1e-6)
        assert ip[c][0] <= lo + 1e-6 and ip[c][1] >= hi - 1e-6, (c, lp[c], ip[c])
        assert lp[c][0] - 1e-6 <= ip[c][0] and ip[c][1] <= lp[c][1] + 1e-6
        if c in truth:
            assert ip[c][0] - 1e-6 <= truth[c] <= ip[c][1] + 1e-6


def test_secondary_cells_are_marked_as_such_in_the_api(published):
    rows, *_ = published
    kinds = {r["suppression"] for r in rows if r["status"] == "suppressed"}
    assert kinds == {"primary", "secondary"}
    assert all(r["suppression"] is None for r in rows if r["status"] != "suppressed")
