"""JSON-stat 2.0 reader (the format of SCB's PxWebApi 2.0 and of Eurostat, SSB, CSO …).

Reference: JSON-stat format, version 2.0 (https://json-stat.org/full/). A *dataset* has ``id``
(dimension order), ``size`` (categories per dimension), ``dimension`` (each with a ``category``
whose ``index`` is a list or a code → position object) and ``value`` (a row-major list, last
dimension fastest, or a sparse position → value object). ``status`` marks cells (one string for
all, a list, or a sparse object). A *collection* lists datasets in ``link.item``; a version-1
*bundle* is an object of named datasets.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from skillnader.errors import FormatError, InputError, ShapeError, ValueFormatError
from skillnader.readers.base import Cube, Dimension

__all__ = [
    "JsonStatMetadata",
    "MetadataOnlyError",
    "load_json",
    "read_jsonstat",
    "read_jsonstat_metadata",
]

_ROLE = {"time": "time", "geo": "geo", "metric": "content"}
#: A dense cube larger than this (8 bytes a cell) is refused rather than allocated.
MAX_CELLS = 200_000_000
#: A sparse ``value`` object may leave cells out, but a document declaring more than
#: ``SPARSE_FREE_CELLS`` cells must give at least one value per ``SPARSE_RATIO`` of them.
SPARSE_FREE_CELLS = 1_000_000
SPARSE_RATIO = 100
_SYMBOLS = {".", "..", "...", "....", ".....", "......", "-", ":"}


class MetadataOnlyError(FormatError):
    """A JSON-stat document describes a table but holds no cell values."""


@dataclass
class JsonStatMetadata:
    """Dimensions and table metadata of a JSON-stat document, without cells.

    PxWebApi 2.0 answers ``/tables/{id}/metadata`` with such a document (``value`` empty); the
    client uses it to plan a selection before asking for data.
    """

    dimensions: list[Dimension]
    size: list[int]
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def cell_count(self) -> int:
        n = 1
        for s in self.size:
            n *= s
        return n


def load_json(source: Any, *, what: str = "JSON") -> tuple[Any, str]:
    """Load a JSON document from a path, bytes/str text or an already parsed object.

    Returns ``(object, name)`` where ``name`` is the path (or ``"<object>"``/``"<bytes>"``) used in
    error messages. Invalid JSON raises :class:`FormatError` with line and column.
    """
    if isinstance(source, (dict, list)):
        return source, "<object>"
    if isinstance(source, (bytes, bytearray)):
        name, raw = "<bytes>", bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = str(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot open file: {exc.strerror}", path=name) from exc
    else:
        raise InputError(
            f"cannot read {what} from a {type(source).__name__}",
            expected="a path, bytes or a parsed JSON object",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise FormatError("the file is empty", path=name, expected=what)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        from skillnader.errors import EncodingError

        raise EncodingError(
            "bytes that are not valid UTF-8",
            path=name,
            location=f"byte {exc.start}",
            value=raw[max(0, exc.start - 10) : exc.end + 10],
            expected="JSON in UTF-8",
        ) from exc
    try:
        return json.loads(text), name
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"invalid JSON: {exc.msg}",
            path=name,
            location=f"line {exc.lineno}, column {exc.colno}",
            expected=what,
        ) from exc
    except (RecursionError, ValueError) as exc:  # deep nesting; integers over 4300 digits
        raise FormatError(f"unreadable JSON: {exc}", path=name, expected=what) from exc


def read_jsonstat(source: Any, *, dataset: str | int | None = None) -> Cube:
    """Read a JSON-stat 2.0 dataset into a :class:`Cube`.

    ``source`` is a path, bytes or a parsed object. For a collection or bundle, ``dataset`` picks
    one dataset by its label/name or position; without it the document must hold exactly one.
    Roles map ``time`` → ``"time"``, ``geo`` → ``"geo"``, ``metric`` → ``"content"`` (with the
    category ``unit`` in ``Dimension.units``). Null values become NaN; their ``status`` (if any) is
    kept in ``Cube.symbols`` and every cell's status in ``meta["status"]``.

    Reference: JSON-stat 2.0 specification, https://json-stat.org/full/.
    """
    doc, name = load_json(source, what="a JSON-stat 2.0 document")
    ds, where = _pick_dataset(doc, name, dataset)
    md = _metadata(ds, name, where)
    return _cube(ds, md, name, where)


def read_jsonstat_metadata(source: Any, *, dataset: str | int | None = None) -> JsonStatMetadata:
    """Read the dimensions of a JSON-stat dataset, ignoring (or lacking) its values.

    Used for PxWebApi 2.0 ``/metadata`` responses, whose ``value`` is empty.
    """
    doc, name = load_json(source, what="a JSON-stat 2.0 document")
    ds, where = _pick_dataset(doc, name, dataset)
    return _metadata(ds, name, where)


# ------------------------------------------------------------------------------------------------
def _pick_dataset(doc: Any, name: str, choice: str | int | None) -> tuple[dict, str]:
    if not isinstance(doc, dict):
        raise FormatError(
            "a JSON-stat document is a JSON object",
            path=name,
            location="top level",
            value=type(doc).__name__,
            expected="an object with class, id, size, dimension and value",
        )
    cls = doc.get("class")
    if cls == "dataset" or (cls is None and "dimension" in doc):
        if choice not in (None, 0) and choice != doc.get("label"):
            raise InputError(
                f"dataset {choice!r} asked for, but the document is a single dataset",
                path=name,
                value=choice,
                expected=repr(doc.get("label")),
            )
        return doc, ""
    if cls == "collection":
        link = doc.get("link")
        items = link.get("item") if isinstance(link, dict) else None
        if not isinstance(items, list):
            raise FormatError(
                "a collection without link.item", path=name, location="link", expected="a list"
            )
        datasets = [
            (i, it) for i, it in enumerate(items) if isinstance(it, dict) and "dimension" in it
        ]
        names = [str(it.get("label") or it.get("href") or i) for i, it in datasets]
        where_fmt = "link.item[{}]"
    elif (
        cls is None and doc and all(isinstance(v, dict) and "dimension" in v for v in doc.values())
    ):  # JSON-stat 1.x bundle
        datasets = list(enumerate(doc.values()))
        names = list(doc.keys())
        where_fmt = "{}"
    else:
        raise FormatError(
            "not a JSON-stat dataset, collection or bundle",
            path=name,
            location="class",
            value=cls,
            expected='"dataset" or "collection"',
        )
    if not datasets:
        raise FormatError(
            "the collection holds no embedded dataset", path=name, location="link.item"
        )
    if choice is None:
        if len(datasets) > 1:
            raise InputError(
                "the document holds several datasets; choose one",
                path=name,
                value=names,
                expected="dataset= one of these names or a position",
            )
        pos = 0
    elif isinstance(choice, int):
        if not 0 <= choice < len(datasets):
            raise InputError(
                f"no dataset at position {choice}",
                path=name,
                value=choice,
                expected=f"0-{len(datasets) - 1}",
            )
        pos = choice
    else:
        if choice not in names:
            raise InputError(
                f"no dataset named {choice!r}", path=name, value=choice, expected=", ".join(names)
            )
        pos = names.index(choice)
    idx, ds = datasets[pos]
    key = idx if cls == "collection" else names[pos]
    return ds, where_fmt.format(key) + "."


def _metadata(ds: dict, name: str, where: str) -> JsonStatMetadata:
    dims_obj = ds.get("dimension")
    if not isinstance(dims_obj, dict):
        raise FormatError(
            "no dimension object", path=name, location=f"{where}dimension", expected="an object"
        )
    ids = ds.get("id", dims_obj.get("id"))  # 1.x keeps id/size inside dimension
    size = ds.get("size", dims_obj.get("size"))
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise FormatError(
            "id must be a list of dimension ids",
            path=name,
            location=f"{where}id",
            value=ids,
            expected="a list of strings",
        )
    if not isinstance(size, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in size
    ):
        raise FormatError(
            "size must be a list of non-negative integers",
            path=name,
            location=f"{where}size",
            value=size,
            expected="a list of integers",
        )
    if len(ids) != len(size):
        raise ShapeError(
            f"id names {len(ids)} dimensions but size gives {len(size)}",
            path=name,
            location=f"{where}size",
            value=size,
            expected=f"{len(ids)} sizes",
        )
    if len(set(ids)) != len(ids):
        raise FormatError(
            "a dimension id occurs twice in id", path=name, location=f"{where}id", value=ids
        )
    roles: dict[str, str] = {}
    role_obj = ds.get("role") or dims_obj.get("role") or {}
    if isinstance(role_obj, dict):
        for r, members in role_obj.items():
            for m in members if isinstance(members, list) else []:
                if r in _ROLE and isinstance(m, str):
                    roles[m] = _ROLE[r]
    dims: list[Dimension] = []
    meta: dict[str, object] = {}
    var_notes: dict[str, object] = {}
    value_notes: dict[str, object] = {}
    decimals: dict[str, object] = {}
    for did, n in zip(ids, size, strict=True):
        loc = f"{where}dimension.{did}"
        d = dims_obj.get(did)
        if not isinstance(d, dict):
            raise FormatError(
                f"id names dimension {did!r} but dimension has no such entry",
                path=name,
                location=loc,
                value=did,
                expected=", ".join(k for k in dims_obj if k not in ("id", "size", "role")),
            )
        cat = d.get("category")
        if not isinstance(cat, dict):
            raise FormatError("no category object", path=name, location=f"{loc}.category")
        codes = _category_codes(cat, name, f"{loc}.category")
        if len(codes) != n:
            raise ShapeError(
                f"dimension {did!r} has {len(codes)} categories but size says {n}",
                path=name,
                location=f"{loc}.category.index",
                value=len(codes),
                expected=f"{n} categories",
            )
        label_value = cat.get("label")
        labels_obj: dict = label_value if isinstance(label_value, dict) else {}
        labels = [str(labels_obj.get(c, c)) for c in codes]
        ext_value = d.get("extension")
        ext: dict = ext_value if isinstance(ext_value, dict) else {}
        elimination: str | bool | None = None
        if "eliminationValueCode" in ext:
            elimination = str(ext["eliminationValueCode"])
        elif isinstance(ext.get("elimination"), bool):
            elimination = ext["elimination"]
        units: dict[str, str] = {}
        unit_value = cat.get("unit")
        unit_obj: dict = unit_value if isinstance(unit_value, dict) else {}
        for c, u in unit_obj.items():
            if isinstance(u, dict):
                text = u.get("label") or u.get("base") or u.get("symbol")
                if text is not None:
                    units[c] = str(text)
                if "decimals" in u:
                    decimals[c] = u["decimals"]
        if d.get("note"):
            var_notes[did] = d["note"]
        if isinstance(cat.get("note"), dict):
            value_notes[did] = cat["note"]
        dims.append(
            Dimension(
                code=did,
                label=str(d.get("label", did)),
                codes=codes,
                labels=labels,
                role=roles.get(did),
                elimination=elimination,
                units=units,
            )
        )
    for key in ("label", "source", "updated", "href"):
        if key in ds:
            meta["title" if key == "label" else key] = ds[key]
    if ds.get("note"):
        meta["notes"] = ds["note"]
    if var_notes:
        meta["variable_notes"] = var_notes
    if value_notes:
        meta["value_notes"] = value_notes
    if decimals:
        meta["decimals"] = decimals
    if isinstance(ds.get("extension"), dict):
        meta["extension"] = ds["extension"]
        px = ds["extension"].get("px")
        if isinstance(px, dict):
            if "language" in px:
                meta["language"] = px["language"]
            if "tableid" in px:
                meta["table_id"] = px["tableid"]
    return JsonStatMetadata(dimensions=dims, size=list(size), meta=meta)


def _category_codes(cat: dict, name: str, loc: str) -> list[str]:
    index = cat.get("index")
    if index is None:
        labels = cat.get("label")
        if isinstance(labels, dict) and len(labels) == 1:  # single-category shortcut
            return [str(next(iter(labels)))]
        raise FormatError(
            "category has no index (allowed only with a single label)",
            path=name,
            location=f"{loc}.index",
            expected="a list of codes or a code → position object",
        )
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        n = len(index)
        codes_arr: list[str | None] = [None] * n
        for code, pos in index.items():
            if not isinstance(pos, int) or isinstance(pos, bool) or not 0 <= pos < n:
                raise FormatError(
                    "category index position out of range",
                    path=name,
                    location=f"{loc}.index.{code}",
                    value=pos,
                    expected=f"an integer 0-{n - 1}",
                )
            if codes_arr[pos] is not None:
                raise FormatError(
                    f"two categories at position {pos}",
                    path=name,
                    location=f"{loc}.index.{code}",
                    value=pos,
                    expected="each position once",
                )
            codes_arr[pos] = str(code)
        codes = [c for c in codes_arr if c is not None]
    else:
        raise FormatError(
            "category index must be a list or an object",
            path=name,
            location=f"{loc}.index",
            value=type(index).__name__,
        )
    if len(set(codes)) != len(codes):
        dup = next(c for c in codes if codes.count(c) > 1)
        raise FormatError(
            "a category code occurs twice", path=name, location=f"{loc}.index", value=dup
        )
    return codes


def _number(v: Any, name: str, loc: str, symbols: dict[int, str], i: int) -> float:
    if v is None:
        return math.nan
    if isinstance(v, bool):
        raise ValueFormatError(
            "a boolean where a number was expected",
            path=name,
            location=loc,
            value=v,
            expected="a number or null",
        )
    if isinstance(v, (int, float)):
        try:
            f = float(v)
        except OverflowError:
            f = math.inf
        if not math.isinf(f):
            return f
    elif isinstance(v, str):
        s = v.strip()
        if s in _SYMBOLS:
            symbols[i] = s
            return math.nan
        try:
            f = float(s)
        except ValueError:
            f = math.nan
        if math.isfinite(f):
            return f
    raise ValueFormatError(
        "a value that is neither a number, null nor a missing-value symbol",
        path=name,
        location=loc,
        value=v,
        expected="a number or null",
    )


def _cube(ds: dict, md: JsonStatMetadata, name: str, where: str) -> Cube:
    n = md.cell_count
    if n > MAX_CELLS:
        raise ShapeError(
            f"the dataset declares {n} cells, more than the {MAX_CELLS} a dense cube may hold",
            path=name,
            location=f"{where}size",
            value=md.size,
            expected="a smaller selection",
        )
    value = ds.get("value")
    symbols: dict[int, str] = {}
    if value is None or (isinstance(value, (list, dict)) and len(value) == 0 and n > 0):
        raise MetadataOnlyError(
            f"the document describes {n} cells but holds no values (a metadata response?)",
            path=name,
            location=f"{where}value",
            expected="read_jsonstat_metadata() for metadata, or a data response",
        )
    # The declared size is checked against the values actually given before the cube is
    # allocated: a small document must not make us reserve gigabytes for cells it does not hold.
    if isinstance(value, list) and len(value) != n:
        shape = " × ".join(str(s) for s in md.size)
        raise ShapeError(
            f"value has {len(value)} cells but size ({shape}) needs {n}",
            path=name,
            location=f"{where}value",
            value=len(value),
            expected=f"{n} values",
        )
    if isinstance(value, dict) and n > SPARSE_FREE_CELLS and n > SPARSE_RATIO * len(value):
        shape = " × ".join(str(s) for s in md.size)
        raise ShapeError(
            f"the dataset declares {n} cells ({shape}) but gives only {len(value)} values",
            path=name,
            location=f"{where}size",
            value=md.size,
            expected=f"at most {SPARSE_RATIO} declared cells per given value "
            f"(or at most {SPARSE_FREE_CELLS} cells)",
        )
    out = np.full(n, np.nan, dtype=np.float64)
    if isinstance(value, list):
        plain = all(
            type(v) is float or v is None or (type(v) is int and abs(v) < 2**1023) for v in value
        )
        if plain:
            out[:] = np.array(value, dtype=np.float64)
        if not plain or np.isinf(out).any():
            for i, v in enumerate(value):
                out[i] = _number(v, name, f"{where}value[{i}]", symbols, i)
    elif isinstance(value, dict):
        for k, v in value.items():
            try:
                i = int(k)
            except ValueError:
                i = -1
            if not 0 <= i < n:
                raise ShapeError(
                    "sparse value key is not a cell position",
                    path=name,
                    location=f"{where}value.{k}",
                    value=k,
                    expected=f"an integer 0-{n - 1}",
                )
            out[i] = _number(v, name, f"{where}value.{k}", symbols, i)
    else:
        raise FormatError(
            "value must be a list or an object",
            path=name,
            location=f"{where}value",
            value=type(value).__name__,
        )
    status = _status(ds.get("status"), n, name, where)
    meta = dict(md.meta)
    if status:
        meta["status"] = status
        for i, s in status.items():
            if np.isnan(out[i]) and i not in symbols:
                symbols[i] = s
    return Cube(
        dimensions=md.dimensions,
        values=out.reshape(tuple(md.size)),
        symbols=dict(sorted(symbols.items())),
        meta=meta,
        source=name,
    )


def _status(status: Any, n: int, name: str, where: str) -> dict[int, str]:
    if status is None:
        return {}
    loc = f"{where}status"
    if isinstance(status, str):
        return dict.fromkeys(range(n), status)
    if isinstance(status, list):
        if len(status) == 1 and n != 1:
            return dict.fromkeys(range(n), str(status[0]))
        if len(status) != n:
            raise ShapeError(
                f"status has {len(status)} entries but the dataset has {n} cells",
                path=name,
                location=loc,
                value=len(status),
                expected=f"1 or {n} entries",
            )
        return {i: str(s) for i, s in enumerate(status) if s is not None and s != ""}
    if isinstance(status, dict):
        out = {}
        for k, s in status.items():
            try:
                i = int(k)
            except ValueError:
                i = -1
            if not 0 <= i < n:
                raise ShapeError(
                    "status key is not a cell position",
                    path=name,
                    location=f"{loc}.{k}",
                    value=k,
                    expected=f"an integer 0-{n - 1}",
                )
            if s is not None:
                out[i] = str(s)
        return out
    raise FormatError(
        "status must be a string, a list or an object",
        path=name,
        location=loc,
        value=type(status).__name__,
    )
