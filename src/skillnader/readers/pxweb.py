"""PxWeb API v1 JSON responses (``response: {format: "json"}``).

Many municipal statistics databases (Stockholm's and Göteborg's among them) still run PxWeb with
the v1 API. A data response is ``{"columns": [...], "comments": [...], "data": [{"key": [...],
"values": [...]}], "metadata": [...]}``: one row per combination of the non-content columns
(type ``d`` = dimension, ``t`` = time) and one value per content column (type ``c``). A table
metadata response (``GET`` on the table) is ``{"title", "variables": [{"code", "text",
"values", "valueTexts", "elimination", "time"}]}``.

Reference: SCB, *API för Statistikdatabasen* (PxWeb API v1 documentation, 2014–2020).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from skillnader.errors import DuplicateKeyError, FormatError, ShapeError, ValueFormatError
from skillnader.readers.base import Cube, Dimension
from skillnader.readers.jsonstat import MAX_CELLS, load_json

__all__ = ["read_pxweb_v1"]

_SYMBOLS = {".", "..", "...", "....", ".....", "......", "-", ":"}
CONTENT_CODE = "ContentsCode"


def read_pxweb_v1(source: Any, *, metadata: Any = None) -> Cube:
    """Read a PxWeb v1 JSON data response into a dense :class:`Cube`.

    ``metadata`` (path, bytes or parsed object of the table's v1 metadata response) supplies value
    labels, value order and elimination; without it labels equal codes and values keep the order
    in which they first appear. The content columns (type ``c``) form a last dimension
    ``ContentsCode`` (role ``"content"``). Cells absent from the (sparse) response are NaN without a
    symbol; cells given as a missing-value symbol (``".."``, ``"-"`` …) are NaN with the symbol
    kept in ``Cube.symbols``.
    """
    doc, name = load_json(source, what="a PxWeb v1 data response")
    if not isinstance(doc, dict) or "columns" not in doc or "data" not in doc:
        raise FormatError(
            "not a PxWeb v1 data response",
            path=name,
            location="top level",
            value=sorted(doc) if isinstance(doc, dict) else type(doc).__name__,
            expected='an object with "columns" and "data"',
        )
    variables: dict[str, dict] = {}
    title = None
    md_name = None
    if metadata is not None:
        md, md_name = load_json(metadata, what="a PxWeb v1 metadata response")
        if not isinstance(md, dict) or not isinstance(md.get("variables"), list):
            raise FormatError(
                "not a PxWeb v1 metadata response",
                path=md_name,
                location="variables",
                expected='an object with "variables": [...]',
            )
        for j, v in enumerate(md["variables"]):
            if not isinstance(v, dict):
                raise FormatError(
                    "a variable that is not an object", path=md_name, location=f"variables[{j}]"
                )
            vals, texts = v.get("values"), v.get("valueTexts")
            if not isinstance(vals, list) or not isinstance(texts, list) or len(vals) != len(texts):
                raise ShapeError(
                    "values and valueTexts must be lists of the same length",
                    path=md_name,
                    location=f"variables[{j}]",
                    value=v.get("code"),
                )
            variables[str(v.get("code"))] = v
        title = md.get("title")

    columns = doc["columns"]
    if not isinstance(columns, list) or not all(
        isinstance(c, dict) and "code" in c for c in columns
    ):
        raise FormatError(
            "columns must be a list of objects with a code",
            path=name,
            location="columns",
            expected='[{"code": …, "text": …, "type": "d"|"t"|"c"}]',
        )
    key_cols = [c for c in columns if c.get("type", "d") != "c"]
    val_cols = [c for c in columns if c.get("type") == "c"]
    if not val_cols:
        raise FormatError(
            'no content column (type "c")',
            path=name,
            location="columns",
            expected="at least one column of type c",
        )
    rows = doc["data"]
    if not isinstance(rows, list):
        raise FormatError("data must be a list", path=name, location="data")

    nk = len(key_cols)
    seen: list[dict[str, int]] = [{} for _ in key_cols]
    for i, row in enumerate(rows):
        key = row.get("key") if isinstance(row, dict) else None
        vals = row.get("values") if isinstance(row, dict) else None
        if not isinstance(key, list) or len(key) != nk:
            raise ShapeError(
                f"key has {len(key) if isinstance(key, list) else 'no'} items but there are "
                f"{nk} key columns",
                path=name,
                location=f"data[{i}].key",
                value=key,
                expected=f"{nk} codes",
            )
        if not isinstance(vals, list) or len(vals) != len(val_cols):
            raise ShapeError(
                f"values has {len(vals) if isinstance(vals, list) else 'no'} items but there "
                f"are {len(val_cols)} content columns",
                path=name,
                location=f"data[{i}].values",
                value=vals,
                expected=f"{len(val_cols)} values",
            )
        for j, code in enumerate(key):
            seen[j].setdefault(str(code), len(seen[j]))

    dims: list[Dimension] = []
    for j, col in enumerate(key_cols):
        code = str(col["code"])
        present = list(seen[j])
        var = variables.get(code)
        if var is not None:
            order = [str(x) for x in var["values"]]
            texts = dict(zip(order, (str(t) for t in var["valueTexts"]), strict=True))
            unknown = [c for c in present if c not in texts]
            if unknown:
                raise FormatError(
                    f"column {code!r} has a code that the metadata does not list",
                    path=name,
                    location=f"columns[{columns.index(col)}]",
                    value=unknown[0],
                    expected=f"one of the {len(order)} values in {md_name}",
                )
            rank = {c: k for k, c in enumerate(order)}
            present.sort(key=rank.__getitem__)
            labels = [texts[c] for c in present]
            is_time = bool(var.get("time")) or col.get("type") == "t"
            elim = var.get("elimination")
        else:
            labels = list(present)
            is_time = col.get("type") == "t"
            elim = None
        dims.append(
            Dimension(
                code=code,
                label=str(col.get("text", code)),
                codes=present,
                labels=labels,
                role="time" if is_time else None,
                elimination=elim if isinstance(elim, bool) else None,
            )
        )
    content_var = variables.get(CONTENT_CODE)
    dims.append(
        Dimension(
            code=CONTENT_CODE,
            label=str(content_var.get("text", CONTENT_CODE)) if content_var else CONTENT_CODE,
            codes=[str(c["code"]) for c in val_cols],
            labels=[str(c.get("text", c["code"])) for c in val_cols],
            role="content",
        )
    )
    shape = tuple(len(d) for d in dims)
    n = math.prod(shape)
    if n > MAX_CELLS:
        raise ShapeError(
            f"the response spans {n} cells, more than the {MAX_CELLS} a dense cube may hold",
            path=name,
            location="data",
            value=list(shape),
            expected="a smaller selection",
        )
    out = np.full(n, np.nan, dtype=np.float64)
    filled = np.zeros(n, dtype=bool)
    symbols: dict[int, str] = {}
    index = [{c: k for k, c in enumerate(d.codes)} for d in dims[:-1]]
    strides = [int(np.prod(shape[k + 1 :], dtype=np.int64)) for k in range(len(shape))]
    for i, row in enumerate(rows):
        base = sum(index[j][str(c)] * strides[j] for j, c in enumerate(row["key"]))
        if filled[base]:
            raise DuplicateKeyError(
                "the same key occurs twice",
                path=name,
                location=f"data[{i}].key",
                value=row["key"],
                expected="each combination once",
            )
        for k, v in enumerate(row["values"]):
            flat = base + k
            filled[flat] = True
            out[flat] = _value(v, name, f"data[{i}].values[{k}]", symbols, flat)
    meta: dict[str, object] = {}
    md_list = doc.get("metadata")
    if isinstance(md_list, list) and md_list and isinstance(md_list[0], dict):
        first = md_list[0]
        for key, dest in (
            ("label", "title"),
            ("updated", "updated"),
            ("source", "source"),
            ("infofile", "infofile"),
        ):
            if key in first:
                meta[dest] = first[key]
    if title and "title" not in meta:
        meta["title"] = title
    if doc.get("comments"):
        meta["notes"] = doc["comments"]
    absent = int(n - filled.sum())
    if absent:
        meta["absent_cells"] = absent
    return Cube(
        dimensions=dims,
        values=out.reshape(shape),
        symbols=dict(sorted(symbols.items())),
        meta=meta,
        source=name,
    )


def _value(v: Any, name: str, loc: str, symbols: dict[int, str], flat: int) -> float:
    if v is None:
        return math.nan
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return float(v)
        except OverflowError:
            pass
    elif isinstance(v, str):
        s = v.strip()
        if s in _SYMBOLS:
            symbols[flat] = s
            return math.nan
        try:
            f = float(s)
        except ValueError:
            f = math.nan
        if math.isfinite(f):
            return f
    raise ValueFormatError(
        "a value that is neither a number nor a missing-value symbol",
        path=name,
        location=loc,
        value=v,
        expected='a number (as text) or ".." / "-"',
    )
