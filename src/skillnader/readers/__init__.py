"""Readers for the field's formats. Each turns a file (or API response) into a :class:`Cube`.

Readers are pure: no database, no web. :mod:`skillnader.ingest` maps a cube onto indicators,
areas, groups and periods and validates it; the importer (``skillnader.web.data.importer``)
writes the result in one transaction.
"""

from skillnader.readers.base import Cube, Dimension
from skillnader.readers.detect import detect_format
from skillnader.readers.jsonstat import read_jsonstat, read_jsonstat_metadata
from skillnader.readers.px import read_px
from skillnader.readers.pxweb import read_pxweb_v1

__all__ = [
    "Cube",
    "Dimension",
    "detect_format",
    "read_jsonstat",
    "read_jsonstat_metadata",
    "read_px",
    "read_pxweb_v1",
]
