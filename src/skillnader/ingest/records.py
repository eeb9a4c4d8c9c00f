"""What an import carries from a file to the writer: one :class:`Record` per cell, and the
:class:`SourceInfo` of the release."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillnader.errors import InputError

TOTAL = "total"
_YEAR = re.compile(r"^(\d{4})")


@dataclass
class Record:
    """One cell on its way to becoming an observation (written by :mod:`skillnader.web.data.importer`)."""

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


def chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for rec in records:
        batch.append(rec)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def source_info(spec_source: Any, p: Path) -> SourceInfo:
    src = spec_source or {}
    if isinstance(src, str):
        src = {"id": src}
    return SourceInfo(
        id=str(src.get("id") or slug(p.stem)),
        name=str(src.get("name") or p.name),
        publisher=str(src.get("publisher") or ""),
        url=str(src.get("url") or ""),
        licence=str(src.get("licence") or ""),
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "source"
