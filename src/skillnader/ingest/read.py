"""A file, read with the reader for its format, mapped onto :class:`~skillnader.ingest.records.
Record` objects by its import spec (:mod:`skillnader.ingest.spec`).

Cubes (PC-Axis, JSON-stat, PxWeb) are mapped by :func:`iter_cube_records`; tabular files (CSV,
Excel, Parquet) by the reader's tabular mapping, with numerator and denominator columns joined
cell by cell (:func:`tabular_records`). Nothing here looks anything up in a database: the one
question a mapping may raise about the catalogue (which measure an indicator has, before its
values are summed) is answered by a :data:`MeasureLookup` the caller gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from skillnader.errors import InputError, MappingError
from skillnader.ingest.records import TOTAL, Record
from skillnader.ingest.spec import IMPORT_KEYS, guess_role, load_spec, spec_field
from skillnader.readers import registry
from skillnader.readers.base import Cube

#: The measures of the given indicator ids that are known (unknown ids are left out).
MeasureLookup = Callable[[Sequence[str]], Mapping[str, str]]


def catalogue_measures(ids: Sequence[str]) -> dict[str, str]:
    """The measures of the indicators in the catalogue (:mod:`skillnader.catalog`): the lookup
    used when the caller gives none."""
    from skillnader.catalog import catalog_by_id

    specs = catalog_by_id()
    return {i: specs[i].measure for i in ids if i in specs}


#: Measures whose values add up: only these may be summed by a mapping (``aggregate: sum``).
ADDITIVE_MEASURES = ("count",)


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
        k: spec_field(spec, k, mapping_path) for k in ("area", "period", "indicator")
    }
    # Fall back on the roles the format declares (PX TIMEVAL, JSON-stat role.time/geo).
    for key, role in (("area", "geo"), ("period", "time")):
        if fields[key] is None:
            guessed = guess_role(cube, role) or (key if key in dims else None)
            if guessed is None:
                raise MappingError(
                    f"cannot tell which dimension is the {key}",
                    path=mapping_path or path,
                    location=key,
                    expected=f"'{key}: {{dimension: ...}}' naming one of {sorted(dims)}",
                )
            raw_field = spec.get(key)
            given: dict = raw_field if isinstance(raw_field, dict) else {}
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


def read_records(
    path: str | Path,
    *,
    kind: str | None = None,
    mapping: str | Path | None = None,
    indicator: str | None = None,
    level: str | None = None,
    vintage: str | None = None,
    measures: MeasureLookup | None = None,
) -> tuple[list[Record], dict[str, Any], str]:
    """Read a file with the reader for its format and map it onto records.

    Returns ``(records, spec, kind)``; the spec may carry a ``source`` block. ``measures``
    tells the indicators' measures where a tabular mapping sums values (the catalogue's when
    not given).
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
        records, spec = tabular_records(p, mapping, indicator, measures=measures)
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


def tabular_records(
    p: Path,
    mapping: str | Path,
    indicator: str | None,
    *,
    measures: MeasureLookup | None = None,
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
    from skillnader.readers.mapping import WITHHELD
    from skillnader.readers.mapping import Mapping as TabularMapping
    from skillnader.readers.tabular import read_tabular

    raw = load_spec(mapping)
    base = {k: v for k, v in raw.items() if k not in IMPORT_KEYS}
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
                for col in columns_of(spec_cols, target, mapping):
                    parts.append((target, ind_id or None, {**data, "values": {"column": col}}))
    else:
        parts.append((str(raw.get("value", "value")), None, base))
    merged: dict[tuple, Record] = {}
    seen: set[tuple[tuple, str]] = set()
    spec: dict[str, Any] = {"source": raw.get("source")}
    for target, _ind, data in parts:
        mp = TabularMapping.from_dict(data, path=str(mapping))
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
            check_additive(cube, target, indicator, mapping, measures or catalogue_measures)
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


def columns_of(spec: Any, target: str, mapping: str | Path) -> list[str]:
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


def check_additive(
    cube: Cube,
    target: str,
    indicator: str | None,
    mapping: str | Path,
    measures: MeasureLookup,
) -> None:
    """Refuse a mapping that sums values of a measure that does not add up.

    Numerators and denominators are counts and may always be summed (the value is then
    recomputed from the sums); a value column may be summed only for a count indicator.
    ``measures`` gives the measures of the indicators it knows; an unknown indicator is
    refused later, when the records are resolved.
    """
    from skillnader.errors import AggregationError

    if target in ("numerator", "denominator"):
        return
    dims = [d.code for d in cube.dimensions]
    ids = cube.dimension("indicator").codes if "indicator" in dims else [indicator]
    known = measures([str(i) for i in ids if i])
    for ind_id in ids:
        measure = known.get(str(ind_id)) if ind_id else None
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
