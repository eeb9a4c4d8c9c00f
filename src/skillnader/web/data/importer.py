"""The one import entry point: file or URL → reader → cube → validated records → one transaction.

Reading, mapping, validation, derivation and the primary disclosure rule are the Django-free
:mod:`skillnader.ingest` (shared with the bundle builder); this module gives ingest the
vocabulary from the database (:class:`_Resolver`, the indicators' measures) and writes what it
gets: the release and its observations in a single transaction, then the disclosure gate over
what the release touched (:func:`protect_release`). On any error nothing is written and the
error names the file, the cell, the value and what was expected.

Re-importing the same content of a source is a no-op (a release is identified by the SHA-256 of
the file, its mapping and options, :func:`skillnader.ingest.release_hash`). A new release of a
source is recorded as a new :class:`Release`; the cells it carries replace the values of the
earlier release and point to the new one.

The import spec (YAML) that maps a cube or a table onto the vocabulary is described in
:mod:`skillnader.ingest.spec`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from skillnader import ingest
from skillnader.errors import DuplicateKeyError, InputError, MappingError

# The pure steps, re-exported under the names callers and tests have used.
from skillnader.ingest import (  # noqa: F401
    ADDITIVE_MEASURES,
    MAX_ABS,
    TOTAL,
    Record,
    Resolver,
    SourceInfo,
    add_intervals,
    check,
    complete,
    cube_records,
    iter_cube_records,
    key_files,
    load_spec,
    primary_suppressed,
    read_cube,
    release_hash,
    year_of,
)
from skillnader.ingest.records import chunks as _chunks
from skillnader.ingest.records import source_info as _source_info
from skillnader.ingest.spec import IMPORT_KEYS as _IMPORT_KEYS
from skillnader.readers import registry
from skillnader.readers.base import Cube
from skillnader.web.data import models as m
from skillnader.web.data.bulk import (
    ObservationRow,
    insert_observations,
    rows_from_columns,
    update_observations,
)
from skillnader.web.data.importlock import exclusive_import


@dataclass
class ImportResult:
    release_id: int | None
    source_id: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    suppressed: int = 0
    already_imported: bool = False
    file: str = ""
    #: Releases written in the same transaction (a companion table, derived indicators).
    also: list[ImportResult] = field(default_factory=list)

    def __str__(self) -> str:
        if self.already_imported:
            text = f"{self.file}: already imported as release {self.release_id} (nothing written)"
        else:
            text = (
                f"{self.file}: release {self.release_id} of {self.source_id}: {self.created} new, "
                f"{self.updated} updated, {self.unchanged} unchanged observations "
                f"({self.suppressed} suppressed)"
            )
        return "\n".join([text, *(str(r) for r in self.also)])


def import_file(
    path: str | Path,
    *,
    kind: str | None = None,
    mapping: str | Path | None = None,
    indicator: str | None = None,
    level: str | None = None,
    vintage: str | None = None,
    source: SourceInfo | None = None,
    version: str = "",
    user: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import one file in one transaction (see the module docstring)."""
    from skillnader.readers.detect import detect_format

    p = Path(path)
    if not p.exists():
        raise InputError("file not found", path=str(p))
    kind = kind or detect_format(p)
    if mapping is not None and registry.get(kind).shape == "table":
        from skillnader.web.data import derive

        derive_spec = derive.parse_spec(load_spec(mapping).get("derive"), Path(mapping))
        if derive_spec is not None:
            # Counts from which indicators are computed at import (skillnader.web.data.derive).
            return derive.import_and_derive(
                p,
                Path(mapping),
                derive_spec,
                kind=kind,
                indicator=indicator,
                level=level,
                vintage=vintage,
                source=source,
                version=version,
                user=user,
            )
    digest = release_hash(p, mapping, kind, indicator, level, vintage)
    if kind == "csv" and mapping is not None and p.stat().st_size > STREAM_BYTES:
        raw = load_spec(mapping)
        # Sums over rows need the whole file: a mapping that aggregates is not streamed.
        if "numerator" not in raw and "denominator" not in raw and "aggregate" not in raw:
            return _import_stream(
                p, raw, mapping, indicator, level, vintage, digest, version, user, progress, source
            )
    if registry.get(kind).shape == "cube":
        # A PC-Axis file's numbers are read as its cells are reached, a JSON-stat or PxWeb cube
        # is held as one array; either way records are made and written a batch at a time, so
        # memory does not grow with the number of cells.
        def read() -> tuple[Cube, dict[str, Any], Iterator[Record]]:
            cube, spec = read_cube(
                p, kind=kind, mapping=mapping, indicator=indicator, level=level, vintage=vintage
            )
            mapping_path = None if mapping is None else str(mapping)
            return cube, spec, iter_cube_records(cube, spec, path=str(p), mapping_path=mapping_path)

        cube, spec, cells = read()
        return write_batches(
            _chunks(cells, CUBE_ROWS),
            source=source or _source_info(spec.get("source"), p),
            content_hash=digest,
            file_name=p.name,
            kind=kind,
            version=version,
            user=user,
            path=str(p),
            progress=progress,
            total=len(cube),
            cache_mib=page_cache_mib(len(cube), p.stat().st_size),
            # a streamed cube is read once: the file is read again if an error needs it
            records_again=lambda: read()[2],
        )
    records, spec, kind = read_records(
        p, kind=kind, mapping=mapping, indicator=indicator, level=level, vintage=vintage
    )
    if source is None:
        source = _source_info(spec.get("source"), p)
    return write_records(
        records,
        source=source,
        content_hash=digest,
        file_name=p.name,
        kind=kind,
        version=version,
        user=user,
        path=str(p),
        progress=progress,
    )


#: CSV files larger than this (2 MB) are imported in streamed batches (memory bounded by the batch).
STREAM_BYTES = 2 << 20
STREAM_ROWS = 50_000
#: Records made from a cube per batch (a record is a Python object: this bounds their memory).
CUBE_ROWS = 10_000


def _import_stream(
    p, raw, mapping, indicator, level, vintage, digest, version, user, progress, source
):
    """Import a large CSV in batches of 50,000 rows inside one transaction."""
    from skillnader.readers.mapping import Mapping
    from skillnader.readers.tabular import iter_tabular_rows

    base = {k: v for k, v in raw.items() if k not in _IMPORT_KEYS}
    if indicator and "indicator" not in base:
        base["indicator"] = {"value": indicator}
    mp = Mapping.from_dict(base, path=str(mapping))
    groups = [g.name for g in mp.groups]
    size = p.stat().st_size
    state = {"bytes": 0}

    def on_bytes(done: int, total: int) -> None:
        state["bytes"] = done

    def batches(report: bool = True):
        for chunk in iter_tabular_rows(p, mp, chunk_rows=STREAM_ROWS, progress=on_bytes):
            if "indicator" not in chunk.columns:
                raise MappingError(
                    "no indicator given",
                    path=str(mapping),
                    location="indicator",
                    expected="'indicator:' in the mapping or --indicator ID",
                )
            yield _FrameBatch(chunk, groups, level or mp.area.level, vintage or mp.area.vintage)
            if progress and report:
                progress(state["bytes"], size)

    def records_again() -> Iterator[Record]:
        for batch in batches(report=False):
            yield from batch.records()

    return write_batches(
        batches(),
        source=source or _source_info(raw.get("source"), p),
        content_hash=digest,
        file_name=p.name,
        kind="csv",
        version=version,
        user=user,
        path=str(p),
        # about 50 bytes a row in a Swedish CSV
        cache_mib=page_cache_mib(p.stat().st_size // 50),
        records_again=records_again,
    )


# --------------------------------------------------------------------------------------------
# Validation and writing


def _db_measures(ids):
    """The measures of the indicators in the database (:data:`skillnader.ingest.MeasureLookup`)."""
    return dict(m.Indicator.objects.filter(id__in=list(ids)).values_list("id", "measure"))


def read_records(
    path: str | Path,
    *,
    kind: str | None = None,
    mapping: str | Path | None = None,
    indicator: str | None = None,
    level: str | None = None,
    vintage: str | None = None,
) -> tuple[list[Record], dict[str, Any], str]:
    """:func:`skillnader.ingest.read_records`, with the indicators' measures from the database."""
    return ingest.read_records(
        path,
        kind=kind,
        mapping=mapping,
        indicator=indicator,
        level=level,
        vintage=vintage,
        measures=_db_measures,
    )


class _Resolver(Resolver):
    """The ingest :class:`~skillnader.ingest.resolve.Resolver` filled from the database once per
    import; new groups are created in it by :meth:`create_groups`."""

    def __init__(self, path: str) -> None:
        vintages: dict[str, list[m.Vintage]] = {}
        for v in m.Vintage.objects.all():
            vintages.setdefault(v.level_id, []).append(v)
        dim_values: dict[str, dict[str, int]] = {}
        for dv in m.DimensionValue.objects.all():
            dim_values.setdefault(dv.dimension_id, {})[dv.code] = dv.pk
        self._areas: dict[int, dict[str, int]] = {}
        super().__init__(
            path,
            indicators={i.id: i for i in m.Indicator.objects.all()},
            levels=m.AreaLevel.objects.values_list("id", flat=True),
            vintages=vintages,
            areas_of=self._db_areas_of,
            dim_values=dim_values,
            groups=dict(m.Group.objects.values_list("key", "pk")),
        )

    def _db_areas_of(self, vintage: m.Vintage) -> dict[str, int]:
        if vintage.pk not in self._areas:
            self._areas[vintage.pk] = dict(
                m.Area.objects.filter(vintage=vintage).values_list("code", "pk")
            )
        return self._areas[vintage.pk]

    def create_groups(self) -> None:
        for key, parts in self.new_groups.items():
            g = m.Group.objects.create(key=key)
            g.values.set([self.dim_values[d][c] for d, c in parts.items()])
            self.groups[key] = g.pk
        self.new_groups.clear()


def write_records(
    records: Iterable[Record],
    *,
    source: SourceInfo,
    content_hash: str,
    file_name: str = "",
    kind: str = "",
    version: str = "",
    user: str = "",
    url: str = "",
    path: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate and write records as one release in one transaction."""
    return write_batches(
        [list(records)],
        source=source,
        content_hash=content_hash,
        file_name=file_name,
        kind=kind,
        version=version,
        user=user,
        url=url,
        path=path,
        progress=progress,
    )


_LOOKUP_CHUNK = 500


@contextmanager
def _large_page_cache(mib: int = 256):
    """On SQLite, let the connection cache up to ``mib`` MiB of pages while an import runs.

    The default (2 MiB) is far smaller than the observation table's indexes once a few million
    cells are in, and every insert then reads index pages back from the file.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = {-mib * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(before)}")


def page_cache_mib(rows: int, file_bytes: int | None = None) -> int:
    """SQLite page cache for an import of about ``rows`` cells: 1 MiB per 80,000, 16-256 MiB.
    The observation table's indexes grow with the rows, and once they outgrow the cache every
    insert reads index pages back from the file; a small import needs little.

    With ``file_bytes``, at most a quarter of the file (but 4 MiB at least): a PC-Axis file
    holds about 200,000 cells a megabyte, so by its cells alone the cache would outgrow the file
    it imports. A smaller cache costs some speed, not correctness (pages are written out and
    read back)."""
    mib = min(256, max(16, rows // 80_000))
    if file_bytes is not None:
        mib = min(mib, max(4, file_bytes // (4 << 20)))
    return mib


#: What a repeated cell's error expects when the first of the two was in an earlier batch.
_REPEAT_EARLIER = "one cell only (the other is earlier in the same file)"


@contextmanager
def _naming_the_first_of_a_repeat(records_again: Callable[[], Iterable[Record]] | None, path: str):
    """A cell repeated across batches is found when its second record is written; outside the
    (by then rolled back) transaction, read the import's records again to name the first."""
    try:
        yield
    except DuplicateKeyError as err:
        if records_again is None or err.expected != _REPEAT_EARLIER:
            raise
        try:
            first = _first_location(records_again(), err.value, path)
        except InputError:  # the file changed since: say what is known
            first = None
        if first is None:
            raise
        raise DuplicateKeyError(
            err.message,
            path=err.path,
            location=err.location,
            value=err.value,
            expected=f"one cell only (the other is {first})",
        ) from None


def _first_location(records: Iterable[Record], value: tuple, path: str) -> str | None:
    """Where the first record addressing the cell ``value`` (indicator, area code, group key or
    total, period, as a repeated cell's error gives it) is."""
    res = _Resolver(path)
    for rec in records:
        if (
            rec.period == value[3]
            and rec.area_code == value[1]
            and (res.indicator(rec).id, res.group_key(rec) or TOTAL) == (value[0], value[2])
        ):
            return rec.location
    return None


def write_batches(
    batches: Iterable[list[Record]],
    *,
    source: SourceInfo,
    content_hash: str,
    file_name: str = "",
    kind: str = "",
    version: str = "",
    user: str = "",
    url: str = "",
    path: str = "",
    progress: Callable[[int, int], None] | None = None,
    total: int = 0,
    cache_mib: int = 256,
    records_again: Callable[[], Iterable[Record]] | None = None,
) -> ImportResult:
    """Validate and write batches of records as one release, all in one transaction.

    Memory is bounded by the batch: nothing of an earlier batch is kept. A cell that two records
    of the same import address is found exactly: within a batch by its key, across batches by
    the database's unique constraint (or because the row it would update already belongs to
    this very release); ``records_again``, a fresh pass over the import's records, then finds
    where the first of the two was, for the error.
    """
    path = path or file_name
    with (
        _naming_the_first_of_a_repeat(records_again, path),
        transaction.atomic(),
        exclusive_import(file_name or path),
        m.deferred_version_bump(),
        _large_page_cache(cache_mib),
    ):
        src, _ = m.Source.objects.get_or_create(
            id=source.id,
            defaults={
                "name": source.name or source.id,
                "publisher": source.publisher,
                "url": source.url,
                "licence": source.licence,
            },
        )
        existing = m.Release.objects.filter(source=src, content_hash=content_hash).first()
        if existing is not None:
            return ImportResult(existing.pk, src.id, already_imported=True, file=file_name)
        res = _Resolver(path)
        release = m.Release.objects.create(
            source=src,
            content_hash=content_hash,
            version=version,
            file_name=file_name,
            url=url,
            kind=kind,
            imported_by=user,
        )
        result = ImportResult(release.pk, src.id, file=file_name)
        had_data: dict[str, bool] = {}
        done = 0
        for batch in batches:
            if isinstance(batch, _FrameBatch):
                _write_frame(batch, res, release, result, had_data, path)
            else:
                _write_batch(batch, res, release, result, had_data, path)
            done += len(batch)
            if progress:
                progress(done, total or done)
        if done == 0:
            # Rolled back with the transaction: no release is recorded for an empty import.
            raise InputError(
                "nothing to import: no cell is left once the mapping is applied",
                path=file_name,
                expected="cells matching the mapping's indicator, areas, periods and filter",
            )
        release.cells = done
        release.save(update_fields=["cells"])
        # The disclosure gate over everything published for these indicators and periods
        # (secondary suppression), before anything of this import becomes visible.
        result.suppressed += protect_release(release)
        # Raw-SQL writes send no signals: the data version goes up here, in this transaction.
        m.data_changed()
    return result


def protect_release(release) -> int:
    """Secondary suppression (:mod:`skillnader.web.data.protection`) over the indicators and
    periods a release wrote; returns the number of cells it hid."""
    from skillnader.web.data.protection import protect_published

    touched: dict[str, set[str]] = {}
    for ind, period in (
        m.Observation.objects.filter(release=release)
        .values_list("indicator_id", "period")
        # without the model's ordering: DISTINCT would otherwise run over the ordering's joined
        # columns too (every area's name), which PostgreSQL took minutes over for one release
        .order_by()
        .distinct()
    ):
        touched.setdefault(ind, set()).add(period)
    return sum(protect_published([ind], periods) for ind, periods in touched.items())


_FIELDS = ("value", "lower", "upper", "numerator", "denominator", "status", "suppressed")
_NUMBERS = {"value", "lower", "upper", "numerator", "denominator"}


def _num(x):
    return None if x is None else float(x)


def _write_batch(batch, res, release, result, had_data, path) -> None:
    seen: dict[tuple, str] = {}
    rows = []
    for rec in batch:
        ind = res.indicator(rec)
        year = year_of(rec.period, path=path, location=rec.location)
        area_pk = res.area(rec, year)
        gkey = res.group_key(rec)
        key = (ind.id, area_pk, gkey, rec.period)
        if key in seen:
            raise DuplicateKeyError(
                "two cells for the same indicator, area, group and period",
                path=path,
                location=rec.location,
                value=(ind.id, rec.area_code, gkey or TOTAL, rec.period),
                expected=f"one cell only (the other is {seen[key]})",
            )
        seen[key] = rec.location
        check(rec, ind, path)
        if ind.id not in had_data:
            had_data[ind.id] = m.Observation.objects.filter(indicator=ind).exists()
        rows.append((rec, ind, area_pk, gkey, year))
    res.create_groups()
    add_intervals([(r[0], r[1]) for r in rows])

    # Existing cells, looked up only for indicators that had data before this import. For the
    # others every cell is new, and one that an earlier batch of this import already wrote is
    # caught by the database's unique constraint below.
    # cell key -> (pk, release id, *_FIELDS)
    current: dict[tuple, tuple] = {}
    by_ind: dict[str, tuple[set, set]] = {}
    for rec, ind, area_pk, _g, _y in rows:
        if had_data[ind.id]:
            areas, periods = by_ind.setdefault(ind.id, (set(), set()))
            areas.add(area_pk)
            periods.add(rec.period)
    for ind_id, (areas, periods) in by_ind.items():
        area_list = sorted(areas)
        for i in range(0, len(area_list), _LOOKUP_CHUNK):
            qs = m.Observation.objects.filter(
                indicator_id=ind_id,
                area_id__in=area_list[i : i + _LOOKUP_CHUNK],
                period__in=sorted(periods),
            )
            for row in qs.values_list(
                "indicator_id", "area_id", "group_id", "period", "pk", "release_id", *_FIELDS
            ):
                current[row[:4]] = row[4:]

    to_create, to_update, to_reassign = [], [], []
    for rec, ind, area_pk, gkey, year in rows:
        suppressed = rec.withheld or primary_suppressed(rec, ind)
        result.suppressed += suppressed
        values = {
            "value": None if suppressed else rec.value,
            "lower": None if suppressed else rec.lower,
            "upper": None if suppressed else rec.upper,
            "numerator": None if suppressed else rec.numerator,
            "denominator": None if suppressed else rec.denominator,
            "status": rec.status,
            "suppressed": suppressed,
        }
        gpk = res.groups[gkey]
        old = current.get((ind.id, area_pk, gpk, rec.period))
        if old is None:
            to_create.append(
                ObservationRow(
                    indicator_id=ind.id,
                    area_id=area_pk,
                    group_id=gpk,
                    period=rec.period,
                    year=year,
                    value=_num(values["value"]),
                    lower=_num(values["lower"]),
                    upper=_num(values["upper"]),
                    numerator=_num(values["numerator"]),
                    denominator=_num(values["denominator"]),
                    status=values["status"],
                    suppressed=suppressed,
                    provisional=rec.provisional,
                    break_in_series=False,
                    published=True,
                    note=rec.note,
                    release_id=release.pk,
                )
            )
            continue
        pk, old_release, *old_values = old
        if old_release == release.pk:
            raise DuplicateKeyError(
                "two cells for the same indicator, area, group and period",
                path=path,
                location=rec.location,
                value=(ind.id, rec.area_code, gkey or TOTAL, rec.period),
                expected=_REPEAT_EARLIER,
            )
        new_values = [_num(values[k]) if k in _NUMBERS else values[k] for k in _FIELDS]
        # Every cell the release holds now points to it; only changed cells get new numbers.
        if old_values == new_values:
            result.unchanged += 1
            to_reassign.append((release.pk, pk))
        else:
            result.updated += 1
            to_update.append((*new_values, release.pk, pk))
    _insert_new_cells(
        to_create,
        lambda: [
            (i.id, a, res.groups[g], r.period, r.area_code, g, r.location) for r, i, a, g, _ in rows
        ],
        release,
        path,
    )
    update_observations(to_update, [*_FIELDS, "release_id"])
    update_observations(to_reassign, ["release_id"])
    result.created += len(to_create)


# --------------------------------------------------------------------------------------------
# Streamed CSV batches, validated and written column-wise


@dataclass
class _FrameBatch:
    """One chunk of a streamed CSV as the tabular reader yields it (a polars DataFrame with
    ``indicator``, ``area``, ``period``, ``value``, ``symbol``, ``line`` and one column per
    group dimension), with the level and vintage that the mapping or the command line gave."""

    df: Any
    groups: list[str]
    level: str | None
    vintage: str | None

    def __len__(self) -> int:
        return self.df.height

    def record(self, row: dict) -> Record:
        return Record(
            indicator=row["indicator"],
            area_code=row["area"],
            period=row.get("period") or "",
            value=row["value"],
            group={g: row[g] for g in self.groups if row[g] not in (None, TOTAL)},
            level=self.level,
            vintage=self.vintage,
            status=row.get("symbol") or "",
            location=f"line {row['line']}",
        )

    def records(self) -> list[Record]:
        return [self.record(row) for row in self.df.iter_rows(named=True)]


def _write_frame(batch: _FrameBatch, res, release, result, had_data, path) -> None:
    """Validate and insert one streamed batch with the same rules and errors as
    :func:`_write_batch`, but resolving each distinct indicator, period, area and group once
    and computing checks, intervals and suppression on whole columns.

    Batches whose indicators already had observations before this import go through
    :func:`_write_batch`, which updates existing cells. Otherwise every cell is new, and a cell
    that an earlier batch of the same file already wrote is caught by the database's unique
    constraint inside a savepoint and reported with its line.
    """
    import numpy as np
    import polars as pl

    df = batch.df
    if "period" not in df.columns:
        df = df.with_columns(period=pl.lit("", dtype=pl.String))
    if "symbol" not in df.columns:
        df = df.with_columns(symbol=pl.lit(None, dtype=pl.String))
    df = df.with_columns(
        pl.col("period").cast(pl.String).fill_null(""),
        pl.col("value").cast(pl.Float64),
        *[
            pl.when(pl.col(g) == TOTAL).then(None).otherwise(pl.col(g)).alias(g)
            for g in batch.groups
        ],
    )

    def first_rows(keys: list[str]) -> list[dict]:
        """Each distinct combination of ``keys`` with the first row it appears on."""
        return (
            df.group_by(keys, maintain_order=True)
            .agg(pl.col("line").first(), pl.col("period").first().alias("_period"))
            .to_dicts()
        )

    # Indicators, in the order they first appear.
    inds: dict[Any, m.Indicator] = {}
    for row in first_rows(["indicator"]):
        rec = Record(row["indicator"], "", "", None, location=f"line {row['line']}")
        inds[row["indicator"]] = res.indicator(rec)
    for ind in inds.values():
        if ind.id not in had_data:
            had_data[ind.id] = m.Observation.objects.filter(indicator=ind).exists()
    if any(had_data[ind.id] for ind in inds.values()):
        _write_batch(batch.records(), res, release, result, had_data, path)
        return

    years = {
        row["period"]: year_of(row["period"], path=path, location=f"line {row['line']}")
        for row in first_rows(["period"])
    }
    df = df.with_columns(year=pl.col("period").replace_strict(years, return_dtype=pl.Int64))

    area_rows = []
    for row in first_rows(["area", "year"]):
        rec = Record(
            "",
            row["area"],
            row["_period"],
            None,
            level=batch.level,
            vintage=batch.vintage,
            location=f"line {row['line']}",
        )
        area_rows.append((row["area"], row["year"], res.area(rec, row["year"])))
    areas = pl.DataFrame(
        area_rows, schema={"area": pl.String, "year": pl.Int64, "area_id": pl.Int64}, orient="row"
    )
    df = df.join(areas, on=["area", "year"], how="left", nulls_equal=True, maintain_order="left")

    if batch.groups:
        group_rows = []
        for row in first_rows(batch.groups):
            parts = {g: row[g] for g in batch.groups if row[g] is not None}
            rec = Record("", "", "", None, group=parts, location=f"line {row['line']}")
            group_rows.append((*(row[g] for g in batch.groups), res.group_key(rec)))
        res.create_groups()
        gframe = pl.DataFrame(
            [(*r[:-1], r[-1], res.groups[r[-1]]) for r in group_rows],
            schema={
                **{g: pl.String for g in batch.groups},
                "gkey": pl.String,
                "group_id": pl.Int64,
            },
            orient="row",
        )
        df = df.join(gframe, on=batch.groups, how="left", nulls_equal=True, maintain_order="left")
    else:
        key = res.group_key(Record("", "", "", None))
        res.create_groups()
        df = df.with_columns(gkey=pl.lit(key), group_id=pl.lit(res.groups[key], dtype=pl.Int64))

    cell = ["indicator", "area_id", "group_id", "period"]
    dup = df.filter(pl.struct(cell).is_duplicated())
    if dup.height:
        second = (
            dup.group_by(cell)
            .agg(pl.col("line").sort().slice(0, 2).alias("lines"), pl.col("area").first())
            .with_columns(pl.col("lines").list.get(1).alias("at"))
            .sort("at")
            .row(0, named=True)
        )
        raise DuplicateKeyError(
            "two cells for the same indicator, area, group and period",
            path=path,
            location=f"line {second['at']}",
            value=(
                second["indicator"],
                second["area"],
                dup.filter(pl.col("line") == second["at"])["gkey"][0] or TOTAL,
                second["period"],
            ),
            expected=f"one cell only (the other is line {second['lines'][0]})",
        )

    value = df["value"].to_numpy().astype(float)  # nulls and NaN are unknown
    ind_col = df["indicator"].to_numpy()
    lines = df["line"].to_list()
    # The value rules of ingest.check, column-wise.
    ingest.check_values(
        value,
        counts=np.isin(ind_col, [k for k, i in inds.items() if i.measure == "count"]),
        path=path,
        location=lambda i: f"line {lines[i]}",
    )
    lower = np.full(df.height, np.nan)
    upper = np.full(df.height, np.nan)
    # Intervals (skillnader.ingest.interval_bounds: Byar for whole counts; the streamed file
    # gives values only) and the one primary rule, indicator by indicator.
    suppressed = np.zeros(df.height, dtype=bool)
    for key, ind in inds.items():
        rows_of = ind_col == key
        _ok, lower[rows_of], upper[rows_of] = ingest.interval_bounds(ind, value=value[rows_of])
        suppressed[rows_of] = ingest.primary_mask(ind, value=value[rows_of])
    for arr in (value, lower, upper):
        arr[suppressed] = np.nan
    result.suppressed += int(suppressed.sum())

    def floats(arr):
        return [None if x != x else x for x in arr.tolist()]

    n = df.height
    rows = rows_from_columns(
        {
            "indicator_id": df["indicator"].to_list(),
            "area_id": df["area_id"].to_list(),
            "group_id": df["group_id"].to_list(),
            "period": df["period"].to_list(),
            "year": df["year"].to_list(),
            "value": floats(value),
            "lower": floats(lower),
            "upper": floats(upper),
            "numerator": [None] * n,
            "denominator": [None] * n,
            "status": [s or "" for s in df["symbol"].to_list()],
            "suppressed": suppressed.tolist(),
            "provisional": [False] * n,
            "break_in_series": [False] * n,
            "published": [True] * n,
            "note": [""] * n,
            "release_id": [release.pk] * n,
        }
    )
    _insert_new_cells(
        rows,
        lambda: df.select(
            "indicator",
            "area_id",
            "group_id",
            "period",
            "area",
            "gkey",
            pl.format("line {}", "line"),
        ).rows(),
        release,
        path,
    )
    result.created += n


def _insert_new_cells(
    rows: list[tuple], cells: Callable[[], list[tuple]], release, path: str
) -> None:
    """Insert the rows of a batch's new cells inside a savepoint. If one of them was already
    written by an earlier batch of the same import, the unique constraint refuses the insert and
    the first such cell of the batch is named. ``cells`` gives, only then, the batch's cells as
    (indicator, area id, group id, period, area code, group key, location), in file order."""
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            insert_observations(rows)
    except IntegrityError:
        _raise_repeated_cell(cells(), release, path)
        raise


def _raise_repeated_cell(cells: list[tuple], release, path: str) -> None:
    """Name the first of ``cells`` that an earlier batch of the same import already wrote."""
    written = set()
    periods = sorted({c[3] for c in cells})
    for ind in sorted({c[0] for c in cells}):
        written.update(
            m.Observation.objects.filter(
                release=release, indicator_id=ind, period__in=periods
            ).values_list("indicator_id", "area_id", "group_id", "period")
        )
    for cell in cells:
        if cell[:4] in written:
            raise DuplicateKeyError(
                "two cells for the same indicator, area, group and period",
                path=path,
                location=cell[6],
                value=(cell[0], cell[4], cell[5] or TOTAL, cell[3]),
                expected=_REPEAT_EARLIER,
            )
