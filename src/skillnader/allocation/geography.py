"""Stockholm's districts (*stadsdelsområden*, 2023 division) and RegSO areas, inner or outer city.

Read from the bundled lookups (``bundle/data/stockholm_districts``): RegSO -> district by largest
area overlap, district -> *stadsområde* (Inre staden is the inner city; Västerort and Söderort are
the outer city, *ytterstaden*).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "bundle" / "data" / "stockholm_districts"
INNER = "Inre staden"


@cache
def regso_district() -> dict[str, str]:
    """RegSO code (``0180R001``) -> district name (2023 division)."""
    with open(DATA / "stockholm_regso_to_sdo_lookup_DERIVED.csv", encoding="utf-8") as fh:
        return {r["regsokod"]: r["sdo_from_2023_07"] for r in csv.DictReader(fh)}


@cache
def regso_names() -> dict[str, str]:
    with open(DATA / "stockholm_regso_to_sdo_lookup_DERIVED.csv", encoding="utf-8") as fh:
        return {r["regsokod"]: r["regsonamn"] for r in csv.DictReader(fh)}


@cache
def district_is_inner() -> dict[str, bool]:
    """District name -> True when it lies in the inner city."""
    with open(DATA / "stockholm_stadsdel_to_stadsdelsomrade.csv", encoding="utf-8") as fh:
        return {r["sdo_from_2023_07"]: r["stadsomrade"] == INNER for r in csv.DictReader(fh)}


def districts() -> list[str]:
    return sorted(district_is_inner())


def resolve_area(value: str) -> tuple[str, str] | None:
    """A RegSO code or a district name (case-insensitive) -> (area code or name, district)."""
    v = value.strip()
    if v.upper() in regso_district():
        return v.upper(), regso_district()[v.upper()]
    for name in district_is_inner():
        if name.casefold() == v.casefold():
            return name, name
    return None
