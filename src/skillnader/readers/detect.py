"""Which reader a file needs, decided from its content first and its extension second.

Content wins because files arrive renamed (``table.txt`` holding PC-Axis, ``data.json`` holding
GeoJSON); the extension only breaks ties for text that is not recognisably anything else.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path

from skillnader.errors import FormatError, InputError
from skillnader.readers import registry

__all__ = ["FORMATS", "detect_format"]

#: The built-in formats (every registered one: :func:`skillnader.readers.registry.names`).
FORMATS = ("px", "jsonstat", "pxweb_v1", "csv", "excel", "parquet", "geojson", "geopackage")

_HEAD = 1 << 16
_FULL_JSON_LIMIT = 32 << 20  # parse whole JSON documents up to this size to look at their keys

_EXTENSIONS = {
    ".px": "px",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".ods": "excel",
    ".geojson": "geojson",
    ".gpkg": "geopackage",
    ".parquet": "parquet",
}

# Keywords that open real PX files; any of them as the first statement makes the text PX.
_PX_FIRST = {
    "CHARSET",
    "AXIS-VERSION",
    "CODEPAGE",
    "LANGUAGE",
    "LANGUAGES",
    "CREATION-DATE",
    "MATRIX",
    "DECIMALS",
    "SUBJECT-CODE",
    "SUBJECT-AREA",
    "TITLE",
    "CONTENTS",
    "UNITS",
    "STUB",
    "HEADING",
    "TABLEID",
    "DESCRIPTION",
}
_PX_STMT = re.compile(r"\s*([A-Z][A-Z0-9\-]*)(?:\[[^\]]*\])?(?:\([^)]*\))?\s*=")
_GEOJSON_TYPES = {
    "FeatureCollection",
    "Feature",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


def detect_format(path: str | os.PathLike[str]) -> str:
    """Return the format of the file at ``path``: one of :data:`FORMATS`.

    Sniffs magic bytes (SQLite/GeoPackage, ZIP-based and OLE2 spreadsheets, Parquet), JSON top-level keys
    (JSON-stat ``class``/``dimension``, PxWeb v1 ``columns``/``data``, GeoJSON ``type``), PX
    keyword syntax and delimited text, and falls back on the extension. Raises
    :class:`~skillnader.errors.FormatError` when neither content nor extension identifies the
    format.
    """
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            head = fh.read(_HEAD)
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot open file: {exc.strerror}", path=str(p)) from exc
    ext = p.suffix.lower()
    if not head.strip():
        raise FormatError("the file is empty", path=str(p), expected="a data file")
    # Formats registered with a content test of their own come first: they are more specific.
    for fmt in registry.sniffers():
        if fmt.sniff is not None and fmt.sniff(head):
            return fmt.name

    if head.startswith(b"SQLite format 3\x00"):
        app_id = head[68:72]
        if app_id in (b"GPKG", b"GP10", b"GP11") or ext == ".gpkg":
            return "geopackage"
        raise FormatError(
            "an SQLite database that is not a GeoPackage",
            path=str(p),
            location="byte 68 (application_id)",
            value=app_id,
            expected="GPKG",
        )
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "excel"  # OLE2 compound file: legacy .xls
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(p, ext)
    if head.startswith(b"PAR1"):
        return "parquet"  # Apache Parquet (also ends with PAR1)

    text_head = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text_head = head.decode("utf-16").encode("utf-8", "replace")
        except UnicodeDecodeError:
            text_head = b""
    if b"\x00" in text_head:
        return _by_extension(p, ext, "binary content of an unknown kind")

    stripped = text_head.lstrip()
    if stripped[:1] in (b"{", b"["):
        return _json_kind(p, size, stripped)

    text = text_head.decode("latin-1")
    m = _PX_STMT.match(text)
    if m and (m.group(1) in _PX_FIRST or re.search(r"^(STUB|HEADING)\s*=", text, re.M)):
        return "px"
    if _looks_delimited(text):
        return "csv"
    return _by_extension(p, ext, "text that is neither PX, JSON nor delimited")


def _by_extension(p: Path, ext: str, why: str) -> str:
    kind = _EXTENSIONS.get(ext)
    if kind is None:
        kind = next((f.name for f in registry.formats() if ext and ext in f.extensions), None)
    if kind is None:
        raise FormatError(
            f"unknown file format ({why})",
            path=str(p),
            value=ext or "(no extension)",
            expected="PX, JSON-stat, PxWeb JSON, CSV, Excel, GeoJSON or GeoPackage",
        )
    return kind


def _zip_kind(p: Path, ext: str) -> str:
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" in names:
                return "excel"
            if "mimetype" in names:
                mime = zf.read("mimetype")[:100]
                if b"opendocument.spreadsheet" in mime:
                    return "excel"
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        NotImplementedError,
        ValueError,
        KeyError,
    ) as exc:
        raise FormatError(
            "a damaged ZIP container", path=str(p), expected="an .xlsx or .ods workbook"
        ) from exc
    raise FormatError(
        "a ZIP archive that is not a spreadsheet",
        path=str(p),
        value=ext or "(no extension)",
        expected="an .xlsx or .ods workbook",
    )


def _json_kind(p: Path, size: int, head: bytes) -> str:
    obj = None
    if size <= _FULL_JSON_LIMIT:
        try:
            raw = p.read_bytes()
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            obj = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise FormatError(
                "the file starts like JSON but is not valid JSON",
                path=str(p),
                location=f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else None,
                expected="a JSON document",
            ) from exc
    if isinstance(obj, dict):
        keys = set(obj)
        cls = obj.get("class")
        if cls in ("dataset", "collection", "bundle") or {"dimension", "value"} <= keys:
            return "jsonstat"
        if {"columns", "data"} <= keys:
            return "pxweb_v1"
        if obj.get("type") in _GEOJSON_TYPES:
            return "geojson"
        if obj and all(isinstance(v, dict) and "dimension" in v for v in obj.values()):
            return "jsonstat"  # JSON-stat 1.x bundle
        if "variables" in keys and "title" in keys:
            raise FormatError(
                "a PxWeb v1 table metadata response, not data",
                path=str(p),
                location="variables",
                expected="the data response (POST with a query)",
            )
        raise FormatError(
            "JSON of an unknown kind",
            path=str(p),
            location="top level",
            value=sorted(keys)[:8],
            expected='JSON-stat ("class"), PxWeb ("columns", "data") or GeoJSON ("type")',
        )
    if obj is not None:
        raise FormatError(
            "JSON whose top level is not an object",
            path=str(p),
            location="top level",
            value=type(obj).__name__,
            expected="a JSON object",
        )
    # Too large to parse just for sniffing: look at the keys near the start.
    text = head.decode("utf-8", "replace")
    if re.search(r'"class"\s*:\s*"(dataset|collection|bundle)"', text) or '"dimension"' in text:
        return "jsonstat"
    if re.search(r'"type"\s*:\s*"(FeatureCollection|Feature)"', text):
        return "geojson"
    if '"columns"' in text:
        return "pxweb_v1"
    return _by_extension(p, p.suffix.lower(), "large JSON without recognisable keys")


def _looks_delimited(text: str) -> bool:
    # Not str.splitlines(): it also breaks on \x85, a byte of UTF-8 "Å" decoded as Latin-1.
    lines = [ln for ln in re.split(r"\r\n|\r|\n", text)[:40] if ln.strip()][:20]
    if len(lines) > 1 and len(text) >= _HEAD:
        lines = lines[:-1]  # the last line may be cut by the read limit
    if not lines:
        return False
    for sep in (";", "\t", ",", "|"):
        counts = [ln.count(sep) for ln in lines]
        if counts[0] >= 1 and sum(c == counts[0] for c in counts) >= max(1, len(counts) * 0.6):
            return True
    return False
