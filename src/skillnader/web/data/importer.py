"""The one import entry point: file or URL → reader → cube → validated records → one transaction.

Every format has one reader (``skillnader.readers``); this module maps the reader's cube onto
indicators, areas, groups and periods, validates every cell before anything is written, and
writes the release and its observations in a single transaction. On any error nothing is written
and the error names the file, the cell, the value and what was expected.

Re-importing the same content of a source is a no-op (a release is identified by the SHA-256 of
the file). A new release of a source is recorded as a new :class:`Release`; the cells it carries
replace the values of the earlier release and point to the new one.

An *import spec* (YAML) tells how a cube from PX, JSON-stat or PxWeb maps onto the vocabulary::

    source: {id: scb-be0101, name: "SCB, Befolkningsstatistik", url: ..., licence: CC0}
    indicator: population                      # a constant id, or
    # indicator: {dimension: ContentsCode, values: {BE0101N1: population}}
    area: {dimension: Region, level: kommun}    # optional vintage; optional values: recoding
    period: {dimension: Tid}                    # or {value: "2022"}
    groups:
      sex: {dimension: Kon, values: {"1": men, "2": women, "1+2": total}}
    filter: {Alder: [totalt]}                   # keep only these codes of unmapped dimensions
    value: numerator                            # or value (default) / denominator

CSV and Excel files use the tabular mapping of :mod:`skillnader.readers.mapping`, which may carry
the same ``source`` block.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from skillnader import safeyaml
from skillnader.errors import (
    DuplicateKeyError,
    InputError,
    MappingError,
    UnknownAreaError,
    UnknownIndicatorError,
    VintageError,
)
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

TOTAL = "total"
_YEAR = re.compile(r"^(\d{4})")


@dataclass
class Record:
    """One cell on its way to becoming an :class:`~skillnader.web.data.models.Observation`."""

    indicator: str
    area_code: str
    period: str
    value: float | None
    group: dict[str, str] = field(default_factory=dict)
    level: str | None = None
    vintage: str | None = None
    numerator: float | None = None
    denominator: float | None = None
    lower: float | None = None
    upper: float | None = None
    status: str = ""
    provisional: bool = False
    note: str = ""
    location: str = ""
    #: The producer withheld the value to protect individuals (Skolverket "~100", Kolada
    #: "Privacy"): imported as suppressed, never as a number.
    withheld: bool = False


@dataclass
class SourceInfo:
    id: str
    name: str = ""
    publisher: str = ""
    url: str = ""
    licence: str = ""


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


def content_hash(path: str | Path, *extra: str | Path | None) -> str:
    """SHA-256 of the file and of whatever else decides what the import writes (the mapping file,
    the options), so the same table imported with a corrected mapping is a new release."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    for e in extra:
        h.update(b"\0")
        if isinstance(e, Path):
            h.update(e.read_bytes())
        elif e is not None:
            h.update(str(e).encode())
    return h.hexdigest()


def key_files(mapping: str | Path | None) -> list[Path]:
    """The key files a tabular mapping looks codes up in (``key:`` of its fields)."""
    if mapping is None:
        return []
    raw = load_spec(mapping)
    specs = [raw.get(k) for k in ("area", "period", "indicator")]
    groups = raw.get("groups")
    if isinstance(groups, dict):
        specs.extend(groups.values())
    out: list[Path] = []
    for spec in specs:
        steps = spec.get("key") if isinstance(spec, dict) else None
        for step in steps if isinstance(steps, list) else [steps]:
            if isinstance(step, dict) and step.get("file"):
                path = (Path(mapping).parent / str(step["file"])).resolve()
                if path.exists():
                    out.append(path)
    return out


def release_hash(
    path: str | Path,
    mapping: str | Path | None,
    kind: str,
    indicator: str | None = None,
    level: str | None = None,
    vintage: str | None = None,
) -> str:
    """The identity of a release: the file, its mapping, the options and the key files the
    mapping looks codes up in (a corrected key is a new release)."""
    m_path = None if mapping is None else Path(mapping)
    return content_hash(path, m_path, kind, indicator, level, vintage, *key_files(mapping))


def year_of(period: str, *, path: str | None = None, location: str | None = None) -> int:
    match = _YEAR.match(str(period))
    if not match:
        raise InputError(
            "period does not start with a year",
            path=path,
            location=location,
            value=period,
            expected="a period such as 2022, 2022-03, 2022M03 or 2015H1",
        )
    return int(match.group(1))


# --------------------------------------------------------------------------------------------
# Import spec for cubes


def load_spec(path: str | Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    p = Path(path)
    try:
        # Bounded alias expansion: a few hundred bytes of nested aliases must not grow to
        # gigabytes when the spec is walked or printed.
        data = safeyaml.load(p.read_text(encoding="utf-8-sig"), path=str(p))
    except FileNotFoundError:
        raise MappingError("mapping file not found", path=str(p)) from None
    except yaml.YAMLError as exc:
        raise MappingError(f"not valid YAML: {exc}", path=str(p)) from None
    if not isinstance(data, dict):
        raise MappingError(
            "the mapping must be a YAML mapping",
            path=str(p),
            value=type(data).__name__,
            expected="keys such as area, period, indicator, groups",
        )
    return data


def _spec_field(spec: dict, key: str, mapping_path: str | None) -> dict | None:
    f = spec.get(key)
    if f is None:
        return None
    if isinstance(f, str | int | float):
        return {"value": str(f)}
    if isinstance(f, dict) and f and set(f) <= {"level", "vintage"}:
        # Only the level or vintage (e.g. from --area-level): the dimension is found by its role.
        return None
    if not isinstance(f, dict) or not ({"dimension", "column", "value"} & set(f)):
        raise MappingError(
            f"'{key}' must be a constant or have 'dimension' or 'value'",
            path=mapping_path,
            location=key,
            value=f,
        )
    return f


def _guess_role(cube: Cube, role: str) -> str | None:
    for d in cube.dimensions:
        if d.role == role:
            return d.code
    return None


def cube_records(
    cube: Cube, spec: dict[str, Any], *, path: str, mapping_path: str | None = None
) -> list[Record]:
    """Map a cube onto records according to an import spec (see the module docstring)."""
    return list(iter_cube_records(cube, spec, path=path, mapping_path=mapping_path))


def iter_cube_records(
    cube: Cube, spec: dict[str, Any], *, path: str, mapping_path: str | None = None
) -> Iterator[Record]:
    """As :func:`cube_records`, one record at a time: the mapping is checked at once (its errors
    are raised by this call), the cells as they are reached."""
    dims = {d.code: d for d in cube.dimensions}
    fields: dict[str, dict | None] = {
        k: _spec_field(spec, k, mapping_path) for k in ("area", "period", "indicator")
    }
    # Fall back on the roles the format declares (PX TIMEVAL, JSON-stat role.time/geo).
    for key, role in (("area", "geo"), ("period", "time")):
        if fields[key] is None:
            guessed = _guess_role(cube, role) or (key if key in dims else None)
            if guessed is None:
                raise MappingError(
                    f"cannot tell which dimension is the {key}",
                    path=mapping_path or path,
                    location=key,
                    expected=f"'{key}: {{dimension: ...}}' naming one of {sorted(dims)}",
                )
            given = spec.get(key) if isinstance(spec.get(key), dict) else {}
            fields[key] = {**given, "dimension": guessed}
    if fields["indicator"] is None:
        if "indicator" in dims:
            fields["indicator"] = {"dimension": "indicator"}
        else:
            raise MappingError(
                "no indicator given",
                path=mapping_path or path,
                location="indicator",
                expected="an indicator id (--indicator ID or 'indicator:' in the mapping)",
            )
    groups: dict[str, dict] = {}
    for name, g in (spec.get("groups") or {}).items():
        g = g if isinstance(g, dict) else {"dimension": g}
        if "column" in g and "dimension" not in g:
            g = {**g, "dimension": g["column"]}
        groups[name] = g
    for key, f in fields.items():
        if f and "column" in f and "dimension" not in f:
            fields[key] = {**f, "dimension": f["column"]}
    used = {f["dimension"] for f in [*fields.values(), *groups.values()] if f and "dimension" in f}
    for u in used:
        if u not in dims:
            raise MappingError(
                "the mapping names a dimension the file does not have",
                path=mapping_path or path,
                value=u,
                expected=f"one of {sorted(dims)}",
            )
    filters = {
        k: {str(x) for x in (v if isinstance(v, list) else [v])}
        for k, v in (spec.get("filter") or {}).items()
    }
    for k in filters:
        if k not in dims:
            raise MappingError(
                "filter names a dimension the file does not have",
                path=mapping_path or path,
                location="filter",
                value=k,
                expected=f"one of {sorted(dims)}",
            )
        # A filter value the dimension does not have is a typo, and a filter that matches
        # nothing would import no cell and still record a release.
        unknown = sorted(filters[k] - set(map(str, dims[k].codes)))
        if unknown:
            codes = list(map(str, dims[k].codes))
            raise MappingError(
                f"filter value not among the codes of dimension {k!r}"
                + ("; the filter matches nothing" if len(unknown) == len(filters[k]) else ""),
                path=mapping_path or path,
                location=f"filter.{k}",
                value=unknown if len(unknown) > 1 else unknown[0],
                expected="one of " + ", ".join(codes[:10]) + (", ..." if len(codes) > 10 else ""),
            )
    unmapped = [d for d in dims if d not in used and d not in filters and len(dims[d]) > 1]
    if unmapped:
        raise MappingError(
            "dimensions with several values are neither mapped nor filtered",
            path=mapping_path or path,
            value=unmapped,
            expected="each under 'groups:' or 'filter:' in the mapping",
        )
    target = spec.get("value", "value")
    if target not in ("value", "numerator", "denominator"):
        raise MappingError(
            "'value' must be value, numerator or denominator",
            path=mapping_path,
            location="value",
            value=target,
        )

    def resolve(f: dict, coords: dict[str, str], what: str, loc: str) -> str:
        if "value" in f and "dimension" not in f:
            return str(f["value"])
        code = coords[f["dimension"]]
        recode = f.get("values")
        if recode is not None:
            if code not in recode:
                raise MappingError(
                    f"{what} code not listed in the mapping's values",
                    path=mapping_path or path,
                    location=loc,
                    value=code,
                    expected=f"one of {sorted(map(str, recode))}",
                )
            mapped = recode[code]
            return TOTAL if mapped is None else str(mapped)
        return code

    level = (fields["area"] or {}).get("level") or spec.get("level")
    vintage = (fields["area"] or {}).get("vintage") or spec.get("vintage")
    return _cube_cells(cube, fields, groups, filters, target, level, vintage, resolve)


def _cube_cells(cube, fields, groups, filters, target, level, vintage, resolve):
    for flat, (coords, value, symbol) in enumerate(cube.cells()):
        if value is None and symbol is None:
            # No number and no missing-value symbol: the source has no such cell (a long table
            # lists only the combinations it has), so there is nothing to record.
            continue
        if any(coords[k] not in allowed for k, allowed in filters.items()):
            continue
        loc = "cell (" + ", ".join(f"{k}={v}" for k, v in coords.items()) + ")"
        group = {}
        for name, g in groups.items():
            gv = resolve(g, coords, name, loc)
            if gv != TOTAL:
                group[name] = gv
        rec = Record(
            indicator=resolve(fields["indicator"], coords, "indicator", loc),
            area_code=resolve(fields["area"], coords, "area", loc),
            period=resolve(fields["period"], coords, "period", loc),
            value=None,
            group=group,
            level=level,
            vintage=None if vintage is None else str(vintage),
            status=symbol or "",
            note=cube.notes.get(flat, ""),
            location=loc,
        )
        if target == "value":
            rec.value = value
        elif target == "numerator":
            rec.numerator = value
        else:
            rec.denominator = value
        yield rec


# --------------------------------------------------------------------------------------------
# Reading files


def read_records(
    path: str | Path,
    *,
    kind: str | None = None,
    mapping: str | Path | None = None,
    indicator: str | None = None,
    level: str | None = None,
    vintage: str | None = None,
) -> tuple[list[Record], dict[str, Any], str]:
    """Read a file with the reader for its format and map it onto records.

    Returns ``(records, spec, kind)``; the spec may carry a ``source`` block.
    """
    from skillnader.readers.detect import detect_format

    p = Path(path)
    if not p.exists():
        raise InputError("file not found", path=str(p))
    kind = kind or detect_format(p)
    spec: dict[str, Any]
    if registry.get(kind).shape == "table":
        if mapping is None:
            raise MappingError(
                "a CSV, Excel or Parquet file needs a mapping file",
                path=str(p),
                expected="--mapping FILE.yaml naming the area, period and value columns",
            )
        records, spec = _tabular_records(p, mapping, indicator)
        for rec in records:
            rec.level = level or rec.level
            rec.vintage = vintage or rec.vintage
        return records, spec, kind
    cube, spec = read_cube(
        p, kind=kind, mapping=mapping, indicator=indicator, level=level, vintage=vintage
    )
    records = cube_records(
        cube, spec, path=str(p), mapping_path=None if mapping is None else str(mapping)
    )
    return records, spec, kind


def read_cube(
    p: Path,
    *,
    kind: str,
    mapping: str | Path | None = None,
    indicator: str | None = None,
    level: str | None = None,
    vintage: str | None = None,
) -> tuple[Cube, dict[str, Any]]:
    """Read a PC-Axis, JSON-stat or PxWeb file as a cube, with its import spec completed by the
    command line's indicator, level and vintage."""
    spec: dict[str, Any]
    if registry.get(kind).shape == "cube":
        spec = load_spec(mapping)
        # The registered reader; PC-Axis numbers are read as the cells are imported (memory
        # bounded by a chunk).
        cube = registry.get(kind).read(p)
        if indicator and "indicator" not in spec:
            spec["indicator"] = indicator
    else:
        raise InputError(
            f"files of kind {kind!r} hold areas, not observations",
            path=str(p),
            expected="skillnader import-areas for GeoJSON/GeoPackage boundaries",
        )
    if level:
        spec.setdefault("area", {})
        if isinstance(spec["area"], dict):
            spec["area"]["level"] = level
    if vintage and isinstance(spec.get("area"), dict):
        spec["area"]["vintage"] = vintage
    return cube, spec


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


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for rec in records:
        batch.append(rec)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


#: CSV files larger than this (2 MB) are imported in streamed batches (memory bounded by the batch).
STREAM_BYTES = 2 << 20
STREAM_ROWS = 50_000
#: Records made from a cube per batch (a record is a Python object: this bounds their memory).
CUBE_ROWS = 10_000


def _source_info(spec_source: Any, p: Path) -> SourceInfo:
    src = spec_source or {}
    if isinstance(src, str):
        src = {"id": src}
    return SourceInfo(
        id=str(src.get("id") or _slug(p.stem)),
        name=str(src.get("name") or p.name),
        publisher=str(src.get("publisher") or ""),
        url=str(src.get("url") or ""),
        licence=str(src.get("licence") or ""),
    )


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


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "source"


# Keys an import adds to the reader's tabular mapping (skillnader.readers.mapping).
_IMPORT_KEYS = ("source", "numerator", "denominator", "value", "derive")

#: Measures whose values add up: only these may be summed by a mapping (``aggregate: sum``).
ADDITIVE_MEASURES = ("count",)


def _tabular_records(
    p: Path, mapping: str | Path, indicator: str | None
) -> tuple[list[Record], dict[str, Any]]:
    """Read a CSV/Excel file with its mapping.

    Besides the reader's keys, the mapping may name ``numerator`` and ``denominator`` columns
    (instead of ``values``) for proportions and rates: the file is then read once per column and
    the cubes joined cell by cell. Each may be a list of columns, whose counts are added in every
    row (``[post_gymnasium_less_than_3, post_gymnasium_more_than_3]``: all with post-secondary
    education); a part that is missing makes the sum missing. When the mapping fixes no
    indicator, ``numerator`` may give the columns per indicator
    (``{post_secondary_education_share: [...], post_secondary_3y_share: [...]}``), and the one
    ``denominator`` serves them all.
    """
    from skillnader.readers.mapping import WITHHELD, Mapping
    from skillnader.readers.tabular import read_tabular

    raw = load_spec(mapping)
    base = {k: v for k, v in raw.items() if k not in _IMPORT_KEYS}
    if indicator and "indicator" not in base:
        base["indicator"] = {"value": indicator}
    # (target, indicator fixed by the part or None, the reader's mapping)
    parts: list[tuple[str, str | None, dict]] = []
    if "numerator" in raw or "denominator" in raw:
        if "values" in raw:
            raise MappingError(
                "give either 'values' or 'numerator'/'denominator', not both",
                path=str(mapping),
                location="values",
            )
        num = raw.get("numerator")
        if isinstance(num, dict) and "column" not in num:
            if "indicator" in base:
                raise MappingError(
                    "numerator columns per indicator need a mapping without 'indicator'",
                    path=str(mapping),
                    location="numerator",
                    expected="either indicator: {value: ID} and numerator: COLUMNS, or "
                    "numerator: {ID: COLUMNS} and no indicator",
                )
            per_indicator = {str(k): v for k, v in num.items()}
        else:
            per_indicator = {"": num}
        for ind_id, num_cols in per_indicator.items():
            data = dict(base)
            if ind_id:
                data["indicator"] = {"value": ind_id}
            for target, spec_cols in (
                ("numerator", num_cols),
                ("denominator", raw.get("denominator")),
            ):
                for col in _columns_of(spec_cols, target, mapping):
                    parts.append((target, ind_id or None, {**data, "values": {"column": col}}))
    else:
        parts.append((str(raw.get("value", "value")), None, base))
    merged: dict[tuple, Record] = {}
    seen: set[tuple[tuple, str]] = set()
    spec: dict[str, Any] = {"source": raw.get("source")}
    for target, _ind, data in parts:
        mp = Mapping.from_dict(data, path=str(mapping))
        cube = read_tabular(p, mp)
        dims = [d.code for d in cube.dimensions]
        cube_spec = {
            "area": {"dimension": "area", "level": mp.area.level, "vintage": mp.area.vintage},
            "period": {"dimension": "period"} if "period" in dims else None,
            "indicator": {"dimension": "indicator"} if "indicator" in dims else indicator,
            "groups": {g.name: {"dimension": g.name} for g in mp.groups},
            "value": target,
        }
        cube_spec = {k: v for k, v in cube_spec.items() if v is not None}
        if mp.aggregate is not None:
            _check_additive(cube, target, indicator, mp, mapping)
        for rec in cube_records(cube, cube_spec, path=str(p), mapping_path=str(mapping)):
            rec.withheld = rec.status in mp.format.suppressed or (
                mp.status is not None and rec.status == WITHHELD
            )
            key = (rec.indicator, rec.area_code, tuple(sorted(rec.group.items())), rec.period)
            other = merged.get(key)
            if other is None:
                merged[key] = rec
            elif (key, target) in seen:
                # another column of the same numerator or denominator: the counts add up, and
                # an unknown part makes the sum unknown
                a, b = getattr(other, target), getattr(rec, target)
                setattr(other, target, None if a is None or b is None else a + b)
            else:
                setattr(other, target, getattr(rec, target))
            if other is not None:
                other.status = other.status or rec.status
                other.withheld = other.withheld or rec.withheld
            seen.add((key, target))
    return list(merged.values()), spec


def _columns_of(spec: Any, target: str, mapping: str | Path) -> list[str]:
    """The column names a ``numerator`` or ``denominator`` entry gives (one, or a list)."""
    if spec is None:
        return []
    if isinstance(spec, dict):
        spec = spec.get("column")
    cols = spec if isinstance(spec, list) else [spec]
    if not cols or any(c is None or isinstance(c, (dict, list)) for c in cols):
        raise MappingError(
            f"'{target}' must name a column or a list of columns",
            path=str(mapping),
            location=target,
            value=spec,
            expected=f"{target}: COLUMN or {target}: [COLUMN, COLUMN]",
        )
    return [str(c) for c in cols]


def _check_additive(cube: Cube, target: str, indicator: str | None, mp, mapping) -> None:
    """Refuse a mapping that sums values of a measure that does not add up.

    Numerators and denominators are counts and may always be summed (the value is then
    recomputed from the sums); a value column may be summed only for a count indicator.
    """
    from skillnader.errors import AggregationError

    if target in ("numerator", "denominator"):
        return
    dims = [d.code for d in cube.dimensions]
    ids = cube.dimension("indicator").codes if "indicator" in dims else [indicator]
    known = m.Indicator.objects.filter(id__in=[i for i in ids if i])
    measures = dict(known.values_list("id", "measure"))
    for ind_id in ids:
        measure = measures.get(ind_id)
        if measure is not None and measure not in ADDITIVE_MEASURES:
            raise AggregationError(
                f"the mapping sums values of {ind_id!r}, a {measure}: a {measure} does not add "
                "up over areas, ages or groups",
                path=str(mapping),
                location="aggregate",
                value=measure,
                expected="aggregate only counts; for a proportion or rate map its numerator and "
                "denominator columns (they are summed and the value recomputed), or import the "
                "table without aggregation",
            )


# --------------------------------------------------------------------------------------------
# Validation and writing


class _Resolver:
    """Looks up indicators, areas and groups once per import, with errors that name the cell."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.indicators = {i.id: i for i in m.Indicator.objects.all()}
        self.vintages: dict[str, list[m.Vintage]] = {}
        for v in m.Vintage.objects.all():
            self.vintages.setdefault(v.level_id, []).append(v)
        self._areas: dict[int, dict[str, int]] = {}
        self.levels = set(m.AreaLevel.objects.values_list("id", flat=True))
        self.dim_values: dict[str, dict[str, int]] = {}
        for dv in m.DimensionValue.objects.all():
            self.dim_values.setdefault(dv.dimension_id, {})[dv.code] = dv.pk
        self.groups = dict(m.Group.objects.values_list("key", "pk"))
        self.new_groups: dict[str, dict[str, str]] = {}

    def indicator(self, rec: Record) -> m.Indicator:
        ind = self.indicators.get(rec.indicator)
        if ind is None:
            raise UnknownIndicatorError(
                "indicator not in the catalogue",
                path=self.path,
                location=rec.location,
                value=rec.indicator,
                expected="an id listed by 'skillnader indicators' (add it to the catalogue first)",
            )
        return ind

    def areas_of(self, vintage: m.Vintage) -> dict[str, int]:
        if vintage.pk not in self._areas:
            self._areas[vintage.pk] = dict(
                m.Area.objects.filter(vintage=vintage).values_list("code", "pk")
            )
        return self._areas[vintage.pk]

    def area(self, rec: Record, year: int) -> int:
        if not rec.level:
            raise MappingError(
                "the area level is not given",
                path=self.path,
                location=rec.location,
                expected="--area-level LEVEL or 'level:' under 'area:' in the mapping",
            )
        if rec.level not in self.levels:
            raise MappingError(
                "unknown area level",
                path=self.path,
                location=rec.location,
                value=rec.level,
                expected=f"one of {sorted(self.levels)}",
            )
        candidates = self.vintages.get(rec.level, [])
        if rec.vintage:
            chosen = [v for v in candidates if v.code == rec.vintage]
            if not chosen:
                raise VintageError(
                    "unknown vintage for this level",
                    path=self.path,
                    location=rec.location,
                    value=rec.vintage,
                    expected=f"one of {[v.code for v in candidates]}",
                )
            vintage = chosen[0]
            if not vintage.covers_year(year):
                raise VintageError(
                    f"the {rec.level} boundaries of vintage {vintage.code} were not in force "
                    f"in {year}",
                    path=self.path,
                    location=rec.location,
                    value=rec.period,
                    expected="a period within the vintage's validity, or a crosswalked series",
                )
        else:
            covering = [v for v in candidates if v.covers_year(year)]
            holding = [v for v in covering if rec.area_code in self.areas_of(v)]
            if len(holding) > 1:
                # More than one vintage was in force that year (a mid-year reorganisation) and
                # the code exists in both: the file must say which boundaries it uses.
                raise VintageError(
                    "ambiguous vintage: the area code exists in several vintages in force that "
                    "year",
                    path=self.path,
                    location=rec.location,
                    value=rec.area_code,
                    expected=f"--vintage one of {[v.code for v in holding]}",
                )
            if not holding:
                raise UnknownAreaError(
                    f"unknown {rec.level} code for {year}",
                    path=self.path,
                    location=rec.location,
                    value=rec.area_code,
                    expected=f"a code listed by 'skillnader areas --level {rec.level}'",
                )
            vintage = holding[0]
        pk = self.areas_of(vintage).get(rec.area_code)
        if pk is None:
            raise UnknownAreaError(
                f"unknown {rec.level} code in vintage {vintage.code}",
                path=self.path,
                location=rec.location,
                value=rec.area_code,
                expected=f"a code listed by 'skillnader areas --level {rec.level} "
                f"--vintage {vintage.code}'",
            )
        return pk

    def group_key(self, rec: Record) -> str:
        for dim, code in rec.group.items():
            known = self.dim_values.get(dim)
            if known is None:
                raise MappingError(
                    "unknown group dimension",
                    path=self.path,
                    location=rec.location,
                    value=dim,
                    expected=f"one of {sorted(self.dim_values)}",
                )
            if code not in known:
                raise MappingError(
                    f"unknown value of group dimension {dim!r}",
                    path=self.path,
                    location=rec.location,
                    value=code,
                    expected=f"one of {sorted(known)}",
                )
        key = m.Group.make_key(rec.group)
        if key not in self.groups:
            self.new_groups[key] = dict(rec.group)
        return key

    def create_groups(self) -> None:
        for key, parts in self.new_groups.items():
            g = m.Group.objects.create(key=key)
            g.values.set([self.dim_values[d][c] for d, c in parts.items()])
            self.groups[key] = g.pk
        self.new_groups.clear()


#: The largest magnitude a statistic may have: far above any count of people or kronor a city
#: publishes, far below where a typo of many digits (or a 300-digit "count") ends up.
MAX_ABS = 1e15


def _finite(x: float | None, rec: Record, what: str, path: str) -> float | None:
    if x is None:
        return None
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None if math.isnan(x) else _raise_inf(rec, what, path, x)
    if abs(x) > MAX_ABS:
        raise InputError(
            f"{what} is too large to be a statistic",
            path=path,
            location=rec.location,
            value=x,
            expected=f"a number of at most {MAX_ABS:.0e} in magnitude",
        )
    return float(x)


def _raise_inf(rec: Record, what: str, path: str, x: float):
    raise InputError(
        f"{what} is infinite", path=path, location=rec.location, value=x, expected="a finite number"
    )


def check(rec: Record, ind: m.Indicator, path: str) -> None:
    """Check that a record's numbers are finite and consistent with the indicator's measure, and
    derive the value from numerator and denominator where the source gave counts."""
    rec.value = _finite(rec.value, rec, "value", path)
    rec.numerator = _finite(rec.numerator, rec, "numerator", path)
    rec.denominator = _finite(rec.denominator, rec, "denominator", path)
    for what in ("numerator", "denominator"):
        v = getattr(rec, what)
        if v is not None and v < 0:
            raise InputError(
                f"negative {what}",
                path=path,
                location=rec.location,
                value=v,
                expected="a count of zero or more",
            )
    if ind.measure == "proportion" and rec.numerator is not None and rec.denominator:
        if rec.numerator > rec.denominator:
            raise InputError(
                "numerator larger than denominator",
                path=path,
                location=rec.location,
                value=(rec.numerator, rec.denominator),
                expected="numerator ≤ denominator",
            )
        if rec.value is None:
            rec.value = rec.numerator / rec.denominator * ind.multiplier
    elif ind.measure == "count" and rec.value is not None and rec.value < 0:
        raise InputError(
            "negative count",
            path=path,
            location=rec.location,
            value=rec.value,
            expected="a count of zero or more",
        )
    elif (
        ind.measure == "rate"
        and rec.numerator is not None
        and rec.denominator
        and rec.value is None
    ):
        rec.value = rec.numerator / rec.denominator * ind.multiplier


def add_intervals(pairs: list[tuple[Record, m.Indicator]]) -> None:
    """95 % intervals where the source gave none, vectorised over a batch: Wilson for
    proportions, Byar (exact Poisson below 10) for counts and for the numerators of rates."""
    import numpy as np

    from skillnader.stats import intervals

    wil, cnt, rte = [], [], []
    for rec, ind in pairs:
        if rec.lower is not None or rec.upper is not None:
            continue
        if ind.measure == "proportion" and rec.numerator is not None and rec.denominator:
            wil.append((rec, ind))
        elif ind.measure == "count" and rec.value is not None and float(rec.value).is_integer():
            cnt.append((rec, ind))
        elif ind.measure == "rate" and rec.numerator is not None and rec.denominator:
            rte.append((rec, ind))
    if wil:
        x = np.array([r.numerator for r, _ in wil])
        n = np.array([r.denominator for r, _ in wil])
        lo, hi = intervals.wilson(x, n)
        for (rec, ind), a, b in zip(wil, np.atleast_1d(lo), np.atleast_1d(hi), strict=True):
            rec.lower, rec.upper = float(a) * ind.multiplier, float(b) * ind.multiplier
    if cnt:
        lo, hi = intervals.byar(np.array([r.value for r, _ in cnt]))
        for (rec, _), a, b in zip(cnt, np.atleast_1d(lo), np.atleast_1d(hi), strict=True):
            rec.lower, rec.upper = float(a), float(b)
    if rte:
        lo, hi = intervals.byar(np.array([r.numerator for r, _ in rte]))
        for (rec, ind), a, b in zip(rte, np.atleast_1d(lo), np.atleast_1d(hi), strict=True):
            rec.lower = float(a) / rec.denominator * ind.multiplier
            rec.upper = float(b) / rec.denominator * ind.multiplier


def complete(rec: Record, ind: m.Indicator, path: str) -> None:
    """:func:`check` and :func:`add_intervals` for one record."""
    check(rec, ind, path)
    add_intervals([(rec, ind)])


def primary_suppressed(rec: Record, ind: m.Indicator) -> bool:
    """Whether a cell falls under the indicator's primary suppression rule
    (:func:`skillnader.stats.disclosure.primary_suppressed`, the one rule of every path)."""
    from skillnader.stats import disclosure

    return bool(
        disclosure.primary_suppressed(
            disclosure.policy_for(ind),
            ind.measure,
            value=[rec.value],
            numerator=[rec.numerator],
            denominator=[rec.denominator],
        )[0]
    )


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

    from skillnader.stats import disclosure, intervals

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

    meta = pl.DataFrame(
        {
            "indicator": list(inds),
            "_measure": [i.measure for i in inds.values()],
        },
        schema_overrides={"indicator": df.schema["indicator"]},
    )
    df = df.join(meta, on="indicator", how="left", maintain_order="left")
    df = df.with_columns(
        pl.when(pl.col("value").is_nan()).then(None).otherwise("value").alias("value")
    )
    bad = df.filter(pl.col("value").is_infinite())
    if bad.height:
        raise InputError(
            "value is infinite",
            path=path,
            location=f"line {bad['line'][0]}",
            value=bad["value"][0],
            expected="a finite number",
        )
    bad = df.filter(pl.col("value").abs() > MAX_ABS)
    if bad.height:
        raise InputError(
            "value is too large to be a statistic",
            path=path,
            location=f"line {bad['line'][0]}",
            value=bad["value"][0],
            expected=f"a number of at most {MAX_ABS:.0e} in magnitude",
        )
    bad = df.filter((pl.col("_measure") == "count") & (pl.col("value") < 0))
    if bad.height:
        raise InputError(
            "negative count",
            path=path,
            location=f"line {bad['line'][0]}",
            value=bad["value"][0],
            expected="a count of zero or more",
        )

    value = df["value"].to_numpy().astype(float)  # nulls become NaN
    lower = np.full(df.height, np.nan)
    upper = np.full(df.height, np.nan)
    counted = (df["_measure"] == "count").to_numpy() & ~np.isnan(value) & (np.floor(value) == value)
    if counted.any():
        lo, hi = intervals.byar(value[counted])
        lower[counted], upper[counted] = lo, hi
    # The one primary rule (skillnader.stats.disclosure), indicator by indicator.
    suppressed = np.zeros(df.height, dtype=bool)
    ind_col = df["indicator"].to_numpy()
    for key, ind in inds.items():
        rows_of = ind_col == key
        suppressed[rows_of] = disclosure.primary_suppressed(
            disclosure.policy_for(ind), ind.measure, value=value[rows_of]
        )
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
