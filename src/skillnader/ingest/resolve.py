"""Resolving a record's indicator, area and group against what the application knows.

:class:`Resolver` holds the rules (an unknown indicator, level, vintage, area code or group value
is an error that names the cell; an area code is looked up in the boundary vintage in force in
the record's year, :func:`skillnader.geography.vintage_in_force` through ``covers_year``) and is
given the vocabulary as plain data. The web importer fills it from the database
(``skillnader.web.data.importer``); a test or a notebook fills it from dictionaries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Generic, Protocol, TypeVar

from skillnader.errors import MappingError, UnknownAreaError, UnknownIndicatorError, VintageError
from skillnader.ingest.records import Record
from skillnader.ingest.validate import IndicatorLike


class VintageLike(Protocol):
    """A boundary vintage of one area level."""

    @property
    def code(self) -> str: ...

    def covers_year(self, year: int) -> bool: ...


IndT = TypeVar("IndT", bound=IndicatorLike)
VinT = TypeVar("VinT", bound=VintageLike)


def make_group_key(parts: Mapping[str, str]) -> str:
    """The key of a group: ``dimension=value`` pairs sorted by dimension, joined by ``;``
    (``""`` for the total)."""
    return ";".join(f"{k}={parts[k]}" for k in sorted(parts))


class Resolver(Generic[IndT, VinT]):
    """Looks up indicators, areas and groups once per import, with errors that name the cell.

    ``indicators`` by id; ``levels`` the area levels; ``vintages`` each level's vintages;
    ``areas_of`` a vintage's area codes with their ids; ``dim_values`` each group dimension's
    codes (with their ids); ``groups`` the known group keys with their ids. A group key not yet
    known is collected in :attr:`new_groups` for the caller to create.
    """

    def __init__(
        self,
        path: str,
        *,
        indicators: Mapping[str, IndT],
        levels: Iterable[str],
        vintages: Mapping[str, Sequence[VinT]],
        areas_of: Callable[[VinT], Mapping[str, int]],
        dim_values: Mapping[str, Mapping[str, int]],
        groups: Mapping[str, int] | None = None,
    ) -> None:
        self.path = path
        self.indicators = dict(indicators)
        self.levels = set(levels)
        self.vintages: dict[str, list[VinT]] = {k: list(v) for k, v in vintages.items()}
        self._areas_of = areas_of
        self.dim_values = {k: dict(v) for k, v in dim_values.items()}
        self.groups: dict[str, int] = dict(groups or {})
        self.new_groups: dict[str, dict[str, str]] = {}

    def indicator(self, rec: Record) -> IndT:
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

    def areas_of(self, vintage: VinT) -> Mapping[str, int]:
        """The area codes of a vintage, with their ids."""
        return self._areas_of(vintage)

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
        key = make_group_key(rec.group)
        if key not in self.groups:
            self.new_groups[key] = dict(rec.group)
        return key
