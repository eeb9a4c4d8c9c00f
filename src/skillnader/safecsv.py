"""Spreadsheet-safe output: text that a spreadsheet program would run as a formula is
neutralised in every CSV and XLSX the product writes (OWASP, *CSV Injection*).

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written
with a leading apostrophe, which spreadsheet programs show as text. Numbers (``int``, ``float``,
``Decimal``) and text that is exactly a plain number (``-3.5``) are written unchanged, so
downloads stay numeric. ``None`` becomes an empty field.

Django-free so that the command line, the web and the consultation compilation share it::

    from skillnader.safecsv import safe_cell, safe_writer, safe_dict_writer, set_xlsx_cell
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_dangerous(value: Any) -> bool:
    """Whether ``value`` is text that a spreadsheet would read as a formula."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    )


def safe_text(value: str) -> str:
    """``value`` with a leading apostrophe if a spreadsheet would run it as a formula."""
    return "'" + value if is_dangerous(value) else value


def safe_cell(value: Any) -> Any:
    """One CSV field: ``None`` as empty, dangerous text neutralised, anything else unchanged."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of CSV fields, each through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]


class _SafeWriter:
    """A ``csv.writer`` whose rows pass through :func:`safe_row`."""

    def __init__(self, fh, **kwargs):
        self._w = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._w.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]):
        for r in rows:
            self.writerow(r)


class _SafeDictWriter(csv.DictWriter):
    """A ``csv.DictWriter`` whose values pass through :func:`safe_cell` (the header too)."""

    def _dict_to_list(self, rowdict: Mapping[str, Any]):  # type: ignore[override]
        return safe_row(super()._dict_to_list(rowdict))

    def writeheader(self):
        header = dict(zip(self.fieldnames, self.fieldnames, strict=True))
        return self.writerow(header)


def safe_writer(fh, **kwargs) -> _SafeWriter:
    """``csv.writer(fh, **kwargs)`` with every field neutralised."""
    return _SafeWriter(fh, **kwargs)


def safe_dict_writer(fh, fieldnames, **kwargs) -> csv.DictWriter:
    """``csv.DictWriter(fh, fieldnames, **kwargs)`` with every field neutralised."""
    return _SafeDictWriter(fh, fieldnames=fieldnames, **kwargs)


def set_xlsx_cell(cell, value: Any):
    """Set an openpyxl cell so that text is never stored as a formula.

    openpyxl stores any string beginning with ``=`` as a formula; the value is written as a
    string with the same leading apostrophe as in CSV, and its type forced to text.
    """
    if isinstance(value, str):
        value = safe_text(value)
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def safe_xlsx_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``Worksheet.append``: text neutralised with :func:`safe_text`.

    ``append`` would still store a string beginning with ``=`` as a formula, but after
    :func:`safe_text` no string begins with ``=`` any more.
    """
    return [safe_text(v) if isinstance(v, str) else v for v in values]
