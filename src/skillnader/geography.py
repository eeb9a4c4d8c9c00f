"""Area levels and the rules for vintages.

A level is a kind of area (kommun, stadsdelsområde, RegSO, …). Every area belongs to one vintage of
its level: a version of the boundaries valid for a period. Stockholm's stadsdelsområden have three
vintages (14 areas until mid-2020, 13 from 1 July 2020, 11 from 1 July 2023). A series that mixes
vintages is wrong unless a crosswalk bridged it, and the crosswalk is then recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Level:
    id: str
    name_sv: str
    name_en: str
    order: int  # coarse to fine
    #: the level's areas together, as in "the gap between the RegSO areas" (definite plural)
    plural_sv: str = ""
    plural_en: str = ""

    def name(self, lang: str = "sv") -> str:
        return self.name_en if lang == "en" else self.name_sv

    def plural(self, lang: str = "sv") -> str:
        return (self.plural_en if lang == "en" else self.plural_sv) or self.name(lang)


LEVELS: tuple[Level, ...] = (
    Level("country", "Riket", "Sweden", 0),
    Level("lan", "Län", "County", 1, "länen", "the counties"),
    Level("kommun", "Kommun", "Municipality", 2, "länets kommuner", "the county's municipalities"),
    Level("stadsomrade", "Stadsområde", "City part", 3, "stadsområdena", "city parts"),
    Level("sdo", "Stadsdelsområde", "District council area", 4, "stadsdelsområdena",
          "district council areas"),
    Level("stadsdel", "Stadsdel", "District", 5, "stadsdelarna", "districts"),
    Level("regso", "RegSO", "RegSO (regional statistical area)", 6, "RegSO-områdena",
          "RegSO areas"),
    Level("valdistrikt", "Valdistrikt", "Electoral district", 7, "valdistrikten",
          "electoral districts"),
    Level("basomrade", "Basområde", "Basic area", 8, "basområdena", "basic areas"),
    Level("deso", "DeSO", "DeSO (demographic statistical area)", 9, "DeSO-områdena",
          "DeSO areas"),
)  # fmt: skip
LEVEL_IDS = tuple(level.id for level in LEVELS)


def level(level_id: str) -> Level:
    for lv in LEVELS:
        if lv.id == level_id:
            return lv
    raise KeyError(f"unknown area level {level_id!r}; known: {', '.join(LEVEL_IDS)}")


def level_plural(level_id: str, lang: str = "sv") -> str:
    """The definite plural of a level's areas in ``lang`` ("RegSO-områdena"), for sentences in
    the findings and the reports; an unknown id is returned as it is."""
    for lv in LEVELS:
        if lv.id == level_id:
            return lv.plural(lang)
    return level_id


# The weight bases a crosswalk can use.
LINK_BASES = ("contains", "identity", "area", "population")


def vintage_in_force(valid_from: date | None, valid_to: date | None, year: int) -> bool:
    """Whether boundaries valid from ``valid_from`` until ``valid_to`` (exclusive; ``None``:
    open) were in force at some time during ``year``: the one rule of which vintage a yearly
    statistic may be published on. A vintage that ends on 1 January is not in force that year.
    """
    if valid_from is not None and valid_from.year > year:
        return False
    if valid_to is None:
        return True
    return not (
        valid_to.year < year or (valid_to.year == year and (valid_to.month, valid_to.day) == (1, 1))
    )
