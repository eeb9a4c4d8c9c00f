"""Importing area boundaries (GeoJSON, GeoPackage) as one vintage of a level, in one transaction.

The geometry is reprojected to WGS84 by :mod:`skillnader.readers.geo` (from SWEREF 99 TM,
the Stockholm grid EPSG:3011, RT90 …). A vintage is a set of boundaries valid for a period; an
existing vintage is updated in place (names and geometries of its areas), never mixed with
another: codes that the vintage has but the file lacks are reported, not deleted. A boundary with
more vertices than an area may have is simplified to fit and named in the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.db import transaction

from skillnader.errors import DuplicateKeyError, MappingError, UnknownAreaError
from skillnader.web.data import models as m


@dataclass
class AreaImportResult:
    level: str
    vintage: str
    created: int
    updated: int
    missing_from_file: list[str]
    #: Areas whose boundary had more vertices than an area may have and was simplified to fit:
    #: ``(code, vertices before, vertices after, tolerance in metres)``.
    simplified: list[tuple[str, int, int, float]] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.level} {self.vintage}: {self.created} areas created, {self.updated} updated"
        if self.missing_from_file:
            text += f"; {len(self.missing_from_file)} areas of the vintage are not in the file"
        if self.simplified:
            from skillnader.readers.geo import MAX_VERTICES

            text += (
                f"\n{len(self.simplified)} areas had more than {MAX_VERTICES:,} vertices and were "
                "simplified to fit (topology kept, no vertex moved further than the tolerance):"
            )
            for code, before, after, tolerance in self.simplified:
                text += f"\n  {code}: {before:,} → {after:,} vertices at {tolerance:g} m"
        return text


def import_areas(
    path: str | Path,
    *,
    level: str,
    vintage: str,
    code_field: str,
    name_field: str,
    parent_field: str | None = None,
    parent_level: str | None = None,
    parent_vintage: str | None = None,
    crs: str | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    simplify: float | None = None,
) -> AreaImportResult:
    from shapely.geometry import shape

    from skillnader.readers.geo import read_areas

    p = Path(path)
    features = read_areas(
        p,
        code_field=code_field,
        name_field=name_field,
        crs=crs,
        parent_field=parent_field,
        simplify_tolerance=simplify,
    )
    seen: dict[str, int] = {}
    for i, f in enumerate(features):
        if f.code in seen:
            raise DuplicateKeyError(
                "two features with the same area code",
                path=str(p),
                location=f"feature {i + 1}",
                value=f.code,
                expected=f"unique codes (also in feature {seen[f.code] + 1})",
            )
        seen[f.code] = i
    with transaction.atomic(), m.deferred_version_bump():
        lv = m.AreaLevel.objects.filter(id=level).first()
        if lv is None:
            raise MappingError(
                "unknown area level",
                path=str(p),
                value=level,
                expected=f"one of {sorted(m.AreaLevel.objects.values_list('id', flat=True))}",
            )
        vin, _ = m.Vintage.objects.get_or_create(
            level=lv,
            code=vintage,
            defaults={
                "name_sv": f"{lv.name_sv} {vintage}",
                "name_en": f"{lv.name_en} {vintage}",
                "valid_from": valid_from,
                "valid_to": valid_to,
            },
        )
        parents: dict[str, m.Area] = {}
        if parent_field:
            if not parent_level:
                raise MappingError(
                    "a parent field needs the parent's level",
                    path=str(p),
                    expected="--parent-level LEVEL",
                )
            qs = m.Area.objects.filter(level_id=parent_level)
            if parent_vintage:
                qs = qs.filter(vintage__code=parent_vintage)
            parents = {a.code: a for a in qs}
        existing = {a.code: a for a in m.Area.objects.filter(vintage=vin)}
        created = updated = 0
        for i, f in enumerate(features):
            parent = None
            if parent_field and f.parent_code is not None:
                parent = parents.get(f.parent_code)
                if parent is None:
                    raise UnknownAreaError(
                        f"parent area not found at level {parent_level}",
                        path=str(p),
                        location=f"feature {i + 1} ({f.code})",
                        value=f.parent_code,
                        expected=f"a code listed by 'skillnader areas --level {parent_level}'",
                    )
            c = shape(f.geometry).representative_point()
            values = {
                "name": f.name,
                "geometry": f.geometry,
                "centroid_lon": c.x,
                "centroid_lat": c.y,
                "parent": parent,
                "level": lv,
            }
            area = existing.get(f.code)
            if area is None:
                m.Area.objects.create(vintage=vin, code=f.code, **values)
                created += 1
            else:
                for k, v in values.items():
                    setattr(area, k, v)
                area.save()
                updated += 1
                if parent is not None:
                    m.AreaLink.objects.update_or_create(
                        source=area, target=parent, defaults={"weight": 1.0, "basis": "contains"}
                    )
        missing = sorted(set(existing) - set(seen))
        # Names and boundaries are in cached pages, maps and API answers that the data version
        # does not track: once the new boundaries are visible, every cached answer goes.
        transaction.on_commit(cache.clear)
        m.data_changed()
    simplified = [
        (f.code, f.reduced.before, f.reduced.after, f.reduced.tolerance_m)
        for f in features
        if f.reduced is not None
    ]
    return AreaImportResult(level, vintage, created, updated, missing, simplified)


def assigned_parents() -> dict[tuple[int, str, int], tuple[float, int]]:
    """``{(area id, coarser level, its vintage id): (weight, parent area id)}`` from the
    ``contains`` links:
    each area is assigned to the one area of largest weight per coarser level and vintage (a
    RegSO to the stadsdelsområde it overlaps most; the weight is that overlap). The one rule
    the disclosure gate and the engine's hierarchy both roll areas up by."""
    best: dict[tuple[int, str, int], tuple[float, int]] = {}
    links = m.AreaLink.objects.filter(basis="contains").values_list(
        "source_id", "target_id", "weight", "target__level_id", "target__vintage_id"
    )
    for source, target, weight, level, vintage in links:
        k = (source, level, vintage)
        if k not in best or weight > best[k][0]:
            best[k] = (weight, target)
    return best
