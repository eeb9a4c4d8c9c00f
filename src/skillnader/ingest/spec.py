"""The mapping file (import spec, YAML) and the identity of a release.

An *import spec* tells how a cube from PX, JSON-stat or PxWeb maps onto the vocabulary::

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
the same ``source`` block and the keys of :data:`IMPORT_KEYS`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from skillnader import safeyaml
from skillnader.errors import MappingError
from skillnader.readers.base import Cube

#: Keys an import adds to the reader's tabular mapping (skillnader.readers.mapping).
IMPORT_KEYS = ("source", "numerator", "denominator", "value", "derive")


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


def spec_field(spec: dict, key: str, mapping_path: str | None) -> dict | None:
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


def guess_role(cube: Cube, role: str) -> str | None:
    for d in cube.dimensions:
        if d.role == role:
            return d.code
    return None
