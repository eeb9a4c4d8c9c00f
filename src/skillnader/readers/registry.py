"""The registry of file formats: what each format is called, what it holds, how it is read.

Everything that offers a choice of formats (``skillnader import --kind``, the admin's import
form, the importer's dispatch, :func:`skillnader.readers.detect.detect_format`) asks this
registry, so a new format is one reader module plus one :func:`register` call::

    from skillnader.readers.registry import Format, register

    register(Format("sdmx_csv", "SDMX-CSV", "cube", (".sdmx.csv",), "mypkg.sdmx:read_sdmx",
                    sniff=lambda head: head.startswith(b"DATAFLOW,")))

``shape`` says what the reader returns and so which import path the file takes: ``"cube"`` — a
:class:`~skillnader.readers.base.Cube` of cells over dimensions, mapped onto observations by an
optional mapping; ``"table"`` — rows read by :mod:`skillnader.readers.tabular`, which always
needs a mapping; ``"areas"`` — boundaries for ``skillnader import-areas``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from skillnader.errors import InputError

__all__ = ["Format", "formats", "get", "names", "register", "sniffers", "unregister"]

Shape = Literal["cube", "table", "areas"]


@dataclass(frozen=True)
class Format:
    """One file format. ``reader`` is ``"module:function"`` (imported when first used) taking a
    path; ``sniff``, for formats the built-in detection does not know, looks at the file's first
    64 KiB and says whether they are this format."""

    name: str
    label: str
    shape: Shape
    extensions: tuple[str, ...] = ()
    reader: str | None = None
    sniff: Callable[[bytes], bool] | None = None

    def read(self, path: str | Path) -> Any:
        if self.reader is None:
            raise InputError(f"the format {self.name!r} has no reader of its own", path=str(path))
        module, _, function = self.reader.partition(":")
        return getattr(importlib.import_module(module), function)(Path(path))


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format, *, replace: bool = False) -> Format:
    """Add ``fmt``; a second format of the same name is refused unless ``replace``."""
    if fmt.shape not in ("cube", "table", "areas"):
        raise InputError("unknown shape", value=fmt.shape, expected="cube, table or areas")
    if fmt.name in _REGISTRY and not replace:
        raise InputError("a format of that name is registered", value=fmt.name)
    _REGISTRY[fmt.name] = fmt
    return fmt


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def get(name: str) -> Format:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError("unknown file format", value=name, expected=", ".join(_REGISTRY)) from None


def formats(*shapes: Shape) -> list[Format]:
    """The registered formats (of the given shapes), in registration order."""
    return [f for f in _REGISTRY.values() if not shapes or f.shape in shapes]


def names(*shapes: Shape) -> tuple[str, ...]:
    return tuple(f.name for f in formats(*shapes))


def sniffers() -> list[Format]:
    """Formats that bring their own content test (consulted before the built-in detection)."""
    return [f for f in _REGISTRY.values() if f.sniff is not None]


for _fmt in (
    Format("px", "PC-Axis (.px)", "cube", (".px",), "skillnader.readers.px:stream_px"),
    Format("jsonstat", "JSON-stat 2.0", "cube", (), "skillnader.readers.jsonstat:read_jsonstat"),
    Format("pxweb_v1", "PxWeb v1 JSON", "cube", (), "skillnader.readers.pxweb:read_pxweb_v1"),
    Format("csv", "CSV", "table", (".csv", ".tsv", ".txt")),
    Format("excel", "Excel", "table", (".xlsx", ".xlsm", ".xls", ".ods")),
    Format("parquet", "Parquet", "table", (".parquet",)),
    Format("geojson", "GeoJSON", "areas", (".geojson",)),
    Format("geopackage", "GeoPackage", "areas", (".gpkg",)),
):
    register(_fmt)
