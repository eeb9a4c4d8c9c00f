"""Load the bundled real Stockholm data into the database.

:func:`load_bundle` writes, in one transaction: the five domains and the indicator catalogue,
the area levels and vintages, the areas with simplified WGS84 boundaries, their hierarchy and
crosswalk links, the population-group dimensions, one source per publisher and one release per
bundled file (identified by the SHA-256 of its bytes), and the observations. What is built from
which file, and the area-code scheme, are described in :mod:`skillnader.bundle.build`.

Loading is idempotent: when every bundled file is already recorded as a release with the same
content hash, nothing is written. ``force=True`` replaces the bundle's releases and observations
and updates its areas and links in place (areas keep their ids, so observations that other
imports attached to bundled areas survive).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from contextlib import nullcontext

from skillnader.bundle import build as bundle_build
from skillnader.catalog import CATALOG_DIR, load_catalog
from skillnader.geography import LEVELS
from skillnader.web.data.catalog_sync import sync_catalog

#: ``Release.kind`` of every release the bundle writes.
KIND = "bundle"
BATCH = 2000
CATALOG_SOURCE = {
    "id": "skillnader-catalogue",
    "name": "Skillnader indicator catalogue",
    "publisher": "Skillnader",
    "url": "",
    "licence": "",
}


def _hashes() -> dict[str, tuple[str, str, str]]:
    """file key -> (source id, file name, sha256) of every bundled file and catalogue file.

    The catalogue files count as part of the bundle: a changed publication threshold or
    definition must reload the observations built with it.
    """
    out = {}
    for key, (source, rel) in bundle_build.FILES.items():
        digest = hashlib.sha256((bundle_build.DATA_DIR / rel).read_bytes()).hexdigest()
        out[key] = (source, f"skillnader/bundle/data/{rel}", digest)
    for path in sorted(CATALOG_DIR.glob("*.yaml")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        out[f"catalog_{path.stem}"] = (
            CATALOG_SOURCE["id"],
            f"skillnader/catalog/indicators/{path.name}",
            digest,
        )
    return out


def bundle_loaded() -> bool:
    """Whether every bundled file is already loaded in its current version."""
    from skillnader.web.data.models import Release

    wanted = {(s, h) for s, _rel, h in _hashes().values()}
    have = set(
        Release.objects.filter(kind=KIND)
        .values_list("source_id", "content_hash")
        .order_by()
        .distinct()
    )
    return wanted <= have


def _progress(enabled: bool):
    if not enabled:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=False,
    )


def load_bundle(force: bool = False, progress: bool = False) -> str:
    """Load the bundled data (see the module docstring) and return a summary.

    Returns a text listing the areas per level and vintage and the observations per indicator.
    Raises :class:`~skillnader.catalog.CatalogError` for an invalid catalogue and
    :class:`~skillnader.errors.InputError` subclasses for a bundled file that cannot be read.
    """
    from django.db import transaction

    from skillnader.bundle import imports as bundled_imports

    hashes = _hashes()
    if not force and bundle_loaded():
        if bundled_imports.imports_loaded():
            return "The bundled data are already loaded (no changes).\n" + summary()
        bundled_imports.run_imports(progress=progress)
        return summary()
    specs = load_catalog()
    with _progress(progress) as bar:
        task = bar.add_task("Reading the bundled files", total=None) if bar else None
        bundle = bundle_build.build({s.id: s for s in specs})
        if bar:
            bar.update(task, total=1, completed=1)
        from skillnader.web.data.models import data_changed, deferred_version_bump

        with transaction.atomic(), deferred_version_bump():
            _write(bundle, specs, hashes, bar)
            # The observations are written with raw SQL: bump the data version in the same
            # transaction so that every cached page of the old data is stale at its commit.
            data_changed()
    # Fresh planner statistics after the bulk load, so that the bundled imports' protection
    # queries (and the first pages) are planned on the real table sizes, not on empty tables.
    _analyze()
    # Tables bundled as files with mappings enter through the user's import path.
    bundled_imports.run_imports(progress=progress)
    _analyze()
    return summary()


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def _write(bundle, specs, hashes, bar) -> None:
    from skillnader.web.data.bulk import ObservationRow, insert_observations
    from skillnader.web.data.models import (
        Area,
        AreaLevel,
        AreaLink,
        Dimension,
        DimensionValue,
        Group,
        Observation,
        Release,
        Source,
        Vintage,
    )

    def step(description: str, total: int | None = None):
        return bar.add_task(description, total=total) if bar else None

    def advance(task, n=1):
        if bar:
            bar.advance(task, n)

    t = step("Catalogue, levels, vintages, sources", 4)
    sync_catalog(specs)
    advance(t)
    for lv in LEVELS:
        AreaLevel.objects.update_or_create(
            id=lv.id, defaults={"name_sv": lv.name_sv, "name_en": lv.name_en, "order": lv.order}
        )
    vintages = {}
    for v in bundle.vintages:
        obj, _ = Vintage.objects.update_or_create(
            level_id=v.level,
            code=v.code,
            defaults={
                "name_sv": v.name_sv,
                "name_en": v.name_en,
                "valid_from": v.valid_from,
                "valid_to": v.valid_to,
                "note": v.note,
            },
        )
        vintages[(v.level, v.code)] = obj
    advance(t)
    for s in [*bundle.sources, CATALOG_SOURCE]:
        Source.objects.update_or_create(
            id=s["id"],
            defaults={k: s[k] for k in ("name", "publisher", "url", "licence")},
        )
    # Replace the bundle's releases and their observations.
    old = list(Release.objects.filter(kind=KIND).values_list("id", flat=True))
    if old:
        # Nothing references an observation, so a plain DELETE is safe and avoids collecting
        # tens of thousands of objects the way QuerySet.delete() does.
        _execute_many(
            f"DELETE FROM {_table(Observation)} WHERE release_id = %s", [(pk,) for pk in old]
        )
    Release.objects.filter(kind=KIND).delete()
    releases = {}
    for key, (source, rel, digest) in hashes.items():
        releases[key] = Release.objects.create(
            source_id=source,
            content_hash=digest,
            version=rel.rsplit("/", 1)[-1],
            file_name=rel,
            kind=KIND,
            imported_by="skillnader init",
        )
    advance(t)
    for dim_id, d in bundle.dimensions.items():
        Dimension.objects.update_or_create(
            id=dim_id,
            defaults={"name_sv": d["name_sv"], "name_en": d["name_en"], "order": d["order"]},
        )
        for i, (code, sv, en) in enumerate(d["values"]):
            DimensionValue.objects.update_or_create(
                dimension_id=dim_id, code=code, defaults={"name_sv": sv, "name_en": en, "order": i}
            )
    advance(t)

    # Areas: update in place or create, then parents in a second pass (they need ids).
    t = step("Areas", len(bundle.areas))
    existing = {
        (a.level_id, a.vintage.code, a.code): a
        for a in Area.objects.filter(vintage__in=list(vintages.values())).select_related("vintage")
    }
    create, update = [], []
    for row in bundle.areas:
        values = {
            "name": row.name,
            "name_en": row.name_en,
            "geometry": row.shape.geojson if row.shape else None,
            "centroid_lon": row.shape.lon if row.shape else None,
            "centroid_lat": row.shape.lat if row.shape else None,
            "attributes": row.attributes,
        }
        obj = existing.get(row.key)
        if obj is None:
            create.append(
                Area(
                    level_id=row.level,
                    vintage=vintages[(row.level, row.vintage)],
                    code=row.code,
                    **values,
                )
            )
        else:
            for k, v in values.items():
                setattr(obj, k, v)
            update.append(obj)
    Area.objects.bulk_create(create, batch_size=500)
    if update:
        _execute_many(
            f"UPDATE {_table(Area)} SET name = %s, name_en = %s, geometry = %s, "
            "centroid_lon = %s, centroid_lat = %s, attributes = %s WHERE id = %s",
            [
                (
                    a.name,
                    a.name_en,
                    None if a.geometry is None else json.dumps(a.geometry),
                    a.centroid_lon,
                    a.centroid_lat,
                    json.dumps(a.attributes),
                    a.id,
                )
                for a in update
            ],
        )
    advance(t, len(bundle.areas))
    ids = {
        (lv, vc, code): pk
        for pk, lv, vc, code in Area.objects.filter(
            vintage__in=list(vintages.values())
        ).values_list("id", "level_id", "vintage__code", "code")
    }
    _execute_many(
        f"UPDATE {_table(Area)} SET parent_id = %s WHERE id = %s",
        [(ids[row.parent] if row.parent else None, ids[row.key]) for row in bundle.areas],
    )

    t = step("Links", len(bundle.links))
    bundle_ids = list(ids.values())
    AreaLink.objects.filter(source_id__in=bundle_ids, target_id__in=bundle_ids).delete()
    AreaLink.objects.bulk_create(
        [
            AreaLink(
                source_id=ids[ln.source],
                target_id=ids[ln.target],
                weight=ln.weight,
                basis=ln.basis,
                note=ln.note[:300],
            )
            for ln in bundle.links
        ],
        batch_size=BATCH,
    )
    advance(t, len(bundle.links))

    # Groups
    keys = {Group.make_key(o.group) for o in bundle.observations}
    have = dict(Group.objects.filter(key__in=keys).values_list("key", "id"))
    missing = sorted(keys - set(have))
    if missing:
        Group.objects.bulk_create([Group(key=k) for k in missing])
        values = {(v.dimension_id, v.code): v.id for v in DimensionValue.objects.all()}
        through = Group.values.through
        new = dict(Group.objects.filter(key__in=missing).values_list("key", "id"))
        through.objects.bulk_create(
            [
                through(group_id=new[k], dimensionvalue_id=values[(d, c)])
                for k in missing
                for d, c in Group.parse_key(k).items()
            ]
        )
        have.update(new)

    t = step("Observations", len(bundle.observations))
    cells = Counter()
    rows = []
    for o in bundle.observations:
        rows.append(
            ObservationRow(
                indicator_id=o.indicator,
                area_id=ids[o.area],
                group_id=have[Group.make_key(o.group)],
                period=o.period,
                year=o.year,
                value=o.value,
                lower=o.lower,
                upper=o.upper,
                numerator=o.numerator,
                denominator=o.denominator,
                status=o.status,
                suppressed=o.suppressed,
                provisional=False,
                break_in_series=False,
                published=True,
                note=o.note,
                release_id=releases[o.file].id,
            )
        )
        cells[o.file] += 1
    for i in range(0, len(rows), BATCH * 5):
        insert_observations(rows[i : i + BATCH * 5])
        advance(t, len(rows[i : i + BATCH * 5]))
    for key, rel in releases.items():
        rel.cells = cells.get(key, 0)
    Release.objects.bulk_update(list(releases.values()), ["cells"])
    # Why each suppressed cell is suppressed (the raw insert leaves it blank).
    ours = Observation.objects.filter(release__in=list(releases.values()), suppressed=True)
    ours.filter(note=bundle_build.SECONDARY_NOTE).update(suppression="secondary")
    ours.filter(suppression="").update(suppression="primary")


def _table(model) -> str:
    from django.db import connection

    return connection.ops.quote_name(model._meta.db_table)


def _execute_many(sql: str, rows: list[tuple]) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.executemany(sql, rows)


def summary() -> str:
    """Areas per level and vintage, and bundled observations per indicator, as text."""
    from django.db.models import Count, Q

    from skillnader.web.data.models import Indicator, Vintage

    lines = ["Areas (level, vintage: count):"]
    for v in Vintage.objects.annotate(n=Count("areas")).select_related("level"):
        lines.append(f"  {v.level_id:<12} {v.code:<6} {v.n:>5}")
    lines.append("Observations per indicator (published / suppressed):")
    per = defaultdict(lambda: [0, 0])
    for ind in Indicator.objects.annotate(
        pub=Count("observations", filter=Q(observations__suppressed=False)),
        sup=Count("observations", filter=Q(observations__suppressed=True)),
    ).order_by("domain__order", "order"):
        per[ind.id] = [ind.pub, ind.sup]
        lines.append(f"  {ind.domain_id:<10} {ind.id:<36} {ind.pub:>7} / {ind.sup}")
    total = sum(p + s for p, s in per.values())
    lines.append(f"Total observations: {total}")
    return "\n".join(lines)
