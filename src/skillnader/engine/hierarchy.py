"""Area hierarchies and vintages for the engine.

The engine rolls records up from the finest area code on each record (basområde, DeSO, RegSO …)
to every coarser level. It takes the hierarchy as one flat lookup: for every vintage and every
code that appears in the data, the code of the area it belongs to on each level, and a weight.
The weight is 1 when the data's areas nest in the vintage; a crosswalk between vintages
(``from_code, to_code, weight``) splits a record's weight over the target areas, so results can
be produced for several vintages in the same pass without mixing them: every output row carries
its vintage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from skillnader.errors import MappingError

__all__ = ["AreaHierarchy"]

_WEIGHT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class AreaHierarchy:
    """Levels (finest first) and the flat lookup ``vintage, source_code, weight, <levels…>``."""

    levels: tuple[str, ...]
    lookup: pl.DataFrame

    def __post_init__(self) -> None:
        expected = ["vintage", "source_code", "weight", *self.levels]
        if list(self.lookup.columns) != expected:
            raise MappingError(
                "area lookup has the wrong columns",
                location="hierarchy",
                value=self.lookup.columns,
                expected=", ".join(expected),
            )
        if len(set(self.levels)) != len(self.levels) or not self.levels:
            raise MappingError(
                "level names must be distinct", location="hierarchy", value=self.levels
            )
        nulls = self.lookup.select(pl.all().is_null().sum()).row(0, named=True)
        for column, count in nulls.items():
            if count:
                raise MappingError(
                    f"{count} areas have no code on this level",
                    location=f"hierarchy column {column}",
                    expected="every area to have a parent on every level",
                )
        sums = (
            self.lookup.group_by("vintage", "source_code")
            .agg(pl.col("weight").sum())
            .filter((pl.col("weight") - 1.0).abs() > _WEIGHT_TOLERANCE)
        )
        if sums.height:
            row = sums.row(0, named=True)
            raise MappingError(
                "crosswalk weights of an area do not sum to 1",
                location=f"vintage {row['vintage']}, area {row['source_code']}",
                value=row["weight"],
                expected="weights summing to 1 for every source area",
            )

    @property
    def vintages(self) -> list[str]:
        """The vintages in the lookup, sorted."""
        return sorted(self.lookup.get_column("vintage").unique().to_list())

    @property
    def fractional(self) -> bool:
        """True when some record is split over several areas (a weighted crosswalk)."""
        return bool((self.lookup.get_column("weight") != 1.0).any())

    @classmethod
    def from_columns(
        cls, table: pl.DataFrame, levels: Sequence[str], *, vintage: str = "default"
    ) -> AreaHierarchy:
        """Build from a wide table with one column per level, finest first.

        Each finest code must appear once. A constant top level (e.g. the municipality) may be
        given as a column holding the same code on every row.
        """
        levels = tuple(levels)
        missing = [level for level in levels if level not in table.columns]
        if missing:
            raise MappingError(
                "hierarchy table lacks a level column",
                location=f"column {missing[0]}",
                value=table.columns,
                expected=", ".join(levels),
            )
        wide = table.select([pl.col(level).cast(pl.Utf8) for level in levels]).unique()
        duplicated = wide.filter(pl.col(levels[0]).is_duplicated())
        if duplicated.height:
            raise MappingError(
                "an area has two parents",
                location=f"level {levels[0]}",
                value=duplicated.get_column(levels[0])[0],
                expected="one parent per area per level",
            )
        lookup = wide.select(
            pl.lit(vintage).alias("vintage"),
            pl.col(levels[0]).alias("source_code"),
            pl.lit(1.0).alias("weight"),
            *[pl.col(level) for level in levels],
        )
        return cls(levels, lookup)

    @classmethod
    def from_parents(
        cls, parents: pl.DataFrame, levels: Sequence[str], *, vintage: str = "default"
    ) -> AreaHierarchy:
        """Build from a parent table ``level, child_code, parent_code``.

        ``level`` names the child's level; ``levels`` lists the levels finest first, so the rows
        with ``level == levels[i]`` give each area's parent on ``levels[i + 1]``.
        """
        levels = tuple(levels)
        for column in ("level", "child_code", "parent_code"):
            if column not in parents.columns:
                raise MappingError(
                    "parent table lacks a column",
                    location=f"column {column}",
                    value=parents.columns,
                    expected="level, child_code, parent_code",
                )
        parents = parents.select(pl.col("level", "child_code", "parent_code").cast(pl.Utf8))
        wide = parents.filter(pl.col("level") == levels[0]).select(
            pl.col("child_code").alias(levels[0]), pl.col("parent_code").alias(levels[1])
        )
        for child, parent in zip(levels[1:-1], levels[2:], strict=True):
            step = parents.filter(pl.col("level") == child).select(
                pl.col("child_code").alias(child), pl.col("parent_code").alias(parent)
            )
            if step.get_column(child).is_duplicated().any():
                raise MappingError(
                    "an area has two parents", location=f"level {child}", expected="one parent"
                )
            wide = wide.join(step, on=child, how="left")
        return cls.from_columns(wide, levels, vintage=vintage)

    def crosswalked(self, crosswalk: pl.DataFrame, *, vintage: str) -> AreaHierarchy:
        """This hierarchy's vintage ``vintage`` reached from another vintage's finest codes.

        ``crosswalk`` has ``from_code`` (codes in the data), ``to_code`` (finest codes of this
        hierarchy in ``vintage``) and ``weight`` (share of the from-area in the to-area, e.g. by
        population; weights of one ``from_code`` sum to 1). The result's lookup maps the data's
        codes to this vintage's areas on every level. Fractional weights make counts fractional.
        """
        target = self.lookup.filter(pl.col("vintage") == vintage)
        if not target.height:
            raise MappingError("no such vintage", location="crosswalk", value=vintage)
        for column in ("from_code", "to_code", "weight"):
            if column not in crosswalk.columns:
                raise MappingError(
                    "crosswalk lacks a column",
                    location=f"column {column}",
                    value=crosswalk.columns,
                    expected="from_code, to_code, weight",
                )
        unknown = crosswalk.join(
            target.select(pl.col("source_code").alias("to_code")), on="to_code", how="anti"
        )
        if unknown.height:
            raise MappingError(
                "crosswalk target code not in the hierarchy",
                location=f"vintage {vintage}",
                value=unknown.get_column("to_code")[0],
            )
        joined = crosswalk.select(
            pl.col("from_code").cast(pl.Utf8),
            pl.col("to_code").cast(pl.Utf8),
            pl.col("weight").cast(pl.Float64).alias("cw"),
        ).join(target, left_on="to_code", right_on="source_code")
        lookup = joined.select(
            pl.lit(vintage).alias("vintage"),
            pl.col("from_code").alias("source_code"),
            (pl.col("weight") * pl.col("cw")).alias("weight"),
            *[pl.col(level) for level in self.levels],
        )
        return AreaHierarchy(self.levels, lookup)

    def combine(self, *others: AreaHierarchy) -> AreaHierarchy:
        """One hierarchy holding this one's vintages and those of ``others`` (same levels)."""
        for other in others:
            if other.levels != self.levels:
                raise MappingError(
                    "hierarchies have different levels",
                    location="hierarchy",
                    value=other.levels,
                    expected=str(self.levels),
                )
        lookup = pl.concat([self.lookup, *[other.lookup for other in others]])
        if lookup.select(
            pl.struct("vintage", "source_code", *self.levels).is_duplicated().any()
        ).item():
            raise MappingError("a vintage is given twice", location="hierarchy")
        return AreaHierarchy(self.levels, lookup)

    def select(self, vintages: Sequence[str]) -> AreaHierarchy:
        """Keep only ``vintages`` (each must exist)."""
        known = set(self.vintages)
        for vintage in vintages:
            if vintage not in known:
                raise MappingError(
                    "unknown vintage",
                    location="vintages",
                    value=vintage,
                    expected=", ".join(sorted(known)),
                )
        return AreaHierarchy(
            self.levels, self.lookup.filter(pl.col("vintage").is_in(list(vintages)))
        )
