"""Publishing an engine run: person-level records → observations the site shows.

:mod:`skillnader.engine` turns person-level records into an observation set (every indicator,
area level, vintage, breakdown and period, with intervals and the disclosure gate). This module
is the other half of ``skillnader compute --publish``:

* :func:`hierarchy_from_areas` builds the engine's area hierarchy from the areas the product
  already has (RegSO → stadsdelsområde of every vintage → kommun, following the ``contains``
  links), so every cell the engine writes names an area the site knows;
* :func:`publish_observations` writes the engine's output through the importer's own path
  (:func:`skillnader.web.data.importer.write_records`): one release in one transaction, the same
  checks of indicators, areas, vintages in force and groups, the joint protection of everything
  published for those indicators and periods, and the run's provenance in the release's note.

The engine's output is given unsuppressed (``disclosure_control="none"``, in memory only): the
database's gate decides what is published, by the catalogue's rule for each indicator and jointly
with everything already published for its periods, so there is one rule and one decision. A cell
given as suppressed is imported as withheld (stored without any number).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

import polars as pl

from skillnader.errors import InputError, MappingError

__all__ = ["hierarchy_from_areas", "publish_observations", "release_observations"]


def hierarchy_from_areas(levels: tuple[str, ...] = ("regso", "sdo", "kommun"), vintages=()):
    """The engine's :class:`~skillnader.engine.AreaHierarchy` from the product's areas.

    ``levels`` finest first. The finest level must have one vintage (its codes are what the
    records carry); each coarser level is reached from a finest area through the ``contains``
    links (directly or through areas in between). The hierarchy has one vintage per vintage of
    the coarser level that has several (for Stockholm: the stadsdelsområden of 2007, 2020 and
    2023), named by that vintage's code, so :func:`publish_observations` can tell every output
    row's vintage.
    """
    from skillnader.engine import AreaHierarchy
    from skillnader.web.data.areas import assigned_parents
    from skillnader.web.data.models import Area, Vintage

    if len(levels) < 2:
        raise InputError("a hierarchy needs at least two levels", value=list(levels))
    by_level: dict[str, list[str]] = defaultdict(list)
    for level_id, code in Vintage.objects.filter(level_id__in=levels).values_list(
        "level_id", "code"
    ):
        by_level[level_id].append(code)
    for level in levels:
        if not by_level.get(level):
            raise InputError(
                "no areas of this level in the database",
                value=level,
                expected="a level loaded with 'skillnader init' or imported areas",
            )
    finest = levels[0]
    if len(by_level[finest]) != 1:
        raise InputError(
            "the finest level of the hierarchy must have one boundary vintage",
            value=f"{finest}: {sorted(by_level[finest])}",
        )
    varying = [lv for lv in levels[1:] if len(by_level[lv]) > 1]
    if len(varying) > 1:
        raise InputError("only one level of the hierarchy may have several vintages", value=varying)
    labels = sorted(by_level[varying[0]]) if varying else [by_level[levels[1]][0]]
    if vintages:
        unknown = sorted(set(vintages) - set(labels))
        if unknown:
            raise InputError("unknown vintage", value=unknown[0], expected=", ".join(labels))
        labels = [v for v in labels if v in set(vintages)]

    # every area and every whole-area containment (a RegSO in a stadsdelsområde, that in a
    # stadsområde, that in the kommun): parents are followed through levels not in the hierarchy
    areas = {
        a["id"]: a
        for a in Area.objects.values("id", "level_id", "code", "vintage__code", "parent_id")
    }
    links: dict[int, list[int]] = defaultdict(list)
    for a in areas.values():
        if a["parent_id"] is not None:
            links[a["id"]].append(a["parent_id"])
    # each area's largest-overlap parent on every coarser level (the record belongs wholly to it)
    for (s, _lv, _vi), (_w, t) in assigned_parents().items():
        links[s].append(t)
    wanted = set(levels)

    def ancestors(area_id: int) -> dict[tuple[str, str], str]:
        seen: dict[tuple[str, str], str] = {}
        frontier = [area_id]
        visited = {area_id}
        while frontier:
            nxt = []
            for a in frontier:
                for t in links.get(a, ()):
                    if t in visited:
                        continue
                    visited.add(t)
                    info = areas[t]
                    if info["level_id"] in wanted:
                        seen.setdefault((info["level_id"], info["vintage__code"]), info["code"])
                    nxt.append(t)
            frontier = nxt
        return seen

    rows = []
    for a in areas.values():
        if a["level_id"] != finest:
            continue
        up = ancestors(a["id"])
        for label in labels:
            row: dict[str, Any] = {
                "vintage": label,
                "source_code": a["code"],
                "weight": 1.0,
                finest: a["code"],
            }
            for level in levels[1:]:
                vintage = label if level in varying else by_level[level][0]
                code = up.get((level, vintage))
                if code is None:
                    raise MappingError(
                        "an area is not contained in any area of a coarser level",
                        location=f"{finest} {a['code']}",
                        value=f"{level} {vintage}",
                        expected="a 'contains' link to one area of every coarser level",
                    )
                row[level] = code
            rows.append(row)
    lookup = pl.DataFrame(
        rows,
        schema={"vintage": pl.Utf8, "source_code": pl.Utf8, "weight": pl.Float64}
        | {lv: pl.Utf8 for lv in levels},
        orient="row",
    )
    return AreaHierarchy(levels=tuple(levels), lookup=lookup)


def _db_vintage(level: str, label: str, vintages_of: dict[str, list[str]]) -> str:
    codes = vintages_of.get(level)
    if not codes:
        raise InputError(
            "the engine's output names an area level the database does not have",
            value=level,
            expected=", ".join(sorted(vintages_of)),
        )
    if len(codes) == 1:
        return codes[0]
    if label in codes:
        return label
    raise InputError(
        "the engine's output names a vintage the database does not have",
        value=f"{level} {label}",
        expected=f"one of {sorted(codes)} (compute with --hierarchy areas)",
    )


def _records(frame: pl.DataFrame, vintages_of: dict[str, list[str]], in_force) -> tuple[list, int]:
    """Importer records of the engine's rows, and how many rows were left out because their
    boundaries were not in force in their period (the engine computes every vintage for every
    period; a stadsdelsområde of 2007 is not published for 2024)."""
    from skillnader.ingest import Record, year_of

    seen: dict[tuple, tuple] = {}
    out = []
    outside = 0
    for i, r in enumerate(frame.iter_rows(named=True)):
        level = r["level"]
        vintage = _db_vintage(level, str(r["vintage"]), vintages_of)
        period = str(r["period"])
        if not in_force(level, vintage, year_of(period, location=f"row {i + 1}")):
            outside += 1
            continue
        key = (r["indicator"], level, vintage, r["area_code"], r["group"] or "", period)
        numbers = tuple(
            r[c] for c in ("value", "numerator", "denominator", "lower", "upper", "suppressed")
        )
        if key in seen:
            # a finest-level or city cell appears once per district vintage: the same cell
            if seen[key] != numbers:
                raise InputError(
                    "one cell has different values in two vintages of the engine's output",
                    location=f"row {i + 1}",
                    value=" ".join(map(str, key)),
                )
            continue
        seen[key] = numbers
        suppressed = bool(r["suppressed"])
        group = dict(p.split("=", 1) for p in r["group"].split(";")) if r["group"] else {}
        out.append(
            Record(
                indicator=r["indicator"],
                area_code=r["area_code"],
                period=period,
                value=None if suppressed else r["value"],
                group=group,
                level=level,
                vintage=vintage,
                numerator=None if suppressed else r["numerator"],
                denominator=None if suppressed else r["denominator"],
                lower=None if suppressed else r["lower"],
                upper=None if suppressed else r["upper"],
                location=f"row {i + 1}",
                withheld=suppressed,
            )
        )
    return out, outside


def publish_observations(
    frame: pl.DataFrame,
    *,
    provenance: dict[str, Any],
    source_id: str = "engine",
    source_name: str = "",
    version: str = "",
    user: str = "",
    progress=None,
):
    """Write an engine run's observations as one release (see the module docstring).

    ``frame`` has the columns of :data:`skillnader.engine.OBSERVATION_SCHEMA`. ``provenance``
    (spec file and its hash, records, engine, hierarchy, confidence …) is stored as the
    release's note. Returns the importer's :class:`~skillnader.web.data.importer.ImportResult`;
    the same output published twice is recognised and nothing is written the second time.
    """
    from skillnader.web.data.importer import SourceInfo, write_records
    from skillnader.web.data.models import Release, Vintage

    missing = [
        c
        for c in ("indicator", "level", "vintage", "area_code", "group", "period")
        if c not in frame.columns
    ]
    if missing:
        raise InputError(
            "not an observation set of the engine", value=missing, expected="skillnader compute"
        )
    vintages_of: dict[str, list[str]] = defaultdict(list)
    vintage_rows = {}
    for v in Vintage.objects.all():
        vintages_of[v.level_id].append(v.code)
        vintage_rows[(v.level_id, v.code)] = v

    def in_force(level: str, code: str, year: int) -> bool:
        return vintage_rows[(level, code)].covers_year(year)

    records, outside = _records(frame, vintages_of, in_force)
    if not records:
        raise InputError(
            "no cell of the engine's output lies in boundaries in force in its period",
            value=f"{outside} cells left out",
            expected="periods within the validity of the areas' vintages",
        )
    digest = hashlib.sha256()
    digest.update(json.dumps(provenance, sort_keys=True, default=str).encode())
    for r in records:
        digest.update(repr(r).encode())
    result = write_records(
        records,
        source=SourceInfo(
            id=source_id,
            name=source_name or "Beräknat från individdata (skillnader compute)",
        ),
        content_hash=digest.hexdigest(),
        file_name=str(provenance.get("spec", "")),
        kind="engine",
        version=version,
        user=user,
        progress=progress,
    )
    if not result.already_imported:
        note = dict(provenance, cells_outside_their_vintage=outside)
        Release.objects.filter(pk=result.release_id).update(
            note=json.dumps(note, ensure_ascii=False, sort_keys=True, default=str)
        )
    return result


def release_observations(release_id: int) -> pl.DataFrame:
    """The observations of one release as the database holds them (after the gate), in the
    engine's columns (:data:`skillnader.engine.OBSERVATION_SCHEMA`, the level's own vintage)."""
    from skillnader.web.data.models import Observation

    rows = (
        Observation.objects.filter(release_id=release_id)
        .order_by("indicator_id", "area__level__order", "area__code", "group__key", "period")
        .values_list(
            "indicator_id",
            "indicator__measure",
            "area__vintage__code",
            "area__level_id",
            "area__code",
            "group__key",
            "period",
            "value",
            "numerator",
            "denominator",
            "lower",
            "upper",
            "suppressed",
        )
    )
    schema = {
        "indicator": pl.Utf8,
        "measure": pl.Utf8,
        "vintage": pl.Utf8,
        "level": pl.Utf8,
        "area_code": pl.Utf8,
        "group": pl.Utf8,
        "period": pl.Utf8,
    } | {c: pl.Float64 for c in ("value", "numerator", "denominator", "lower", "upper")}
    schema["suppressed"] = pl.Boolean
    return pl.DataFrame(list(rows), schema=schema, orient="row")
