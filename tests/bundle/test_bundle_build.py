"""The pure parts of the bundle builder (no database)."""

from __future__ import annotations

import csv
import datetime as dt

from skillnader.bundle.build import (
    DATA_DIR,
    FILES,
    VINTAGES,
    sdo_vintage_for,
    slug,
    stadsdel_code,
)


def test_readable_codes():
    assert slug("Hägersten-Älvsjö") == "hagersten-alvsjo"
    assert slug("Enskede-Årsta-Vantör") == "enskede-arsta-vantor"
    assert slug("ULVSUNDA INDUSTRIOMR") == "ulvsunda-industriomr"
    assert stadsdel_code("SKARPNÄCKS GÅRD") == "0180-sd-skarpnacks-gard"


def test_sdo_vintage_on_a_date():
    assert sdo_vintage_for(2019) == "2007"
    assert sdo_vintage_for(2020, 6, 30) == "2007"
    assert sdo_vintage_for(2020) == "2020"  # 31 December 2020
    assert sdo_vintage_for(2023, 6, 30) == "2020"
    assert sdo_vintage_for(2023) == "2023"


def test_vintage_validity_matches_the_reorganisations():
    sdo = {v.code: v for v in VINTAGES if v.level == "sdo"}
    assert sdo["2007"].valid_to == sdo["2020"].valid_from == dt.date(2020, 7, 1)
    assert sdo["2020"].valid_to == sdo["2023"].valid_from == dt.date(2023, 7, 1)
    assert sdo["2023"].valid_to is None
    # a vintage that ends on 1 July still covers that year, one that ends on 1 January does not
    assert sdo["2007"].covers_year(2020) and not sdo["2007"].covers_year(2021)
    vd = {v.code: v for v in VINTAGES if v.level == "valdistrikt"}
    assert not vd["2018"].covers_year(2022) and not vd["2022"].covers_year(2018)


def test_every_bundled_file_exists_and_has_provenance():
    for _source, rel in FILES.values():
        path = DATA_DIR / rel
        assert path.is_file(), rel
        assert (path.parent / "SOURCES.md").is_file(), rel
    assert (DATA_DIR / "SOURCES.md").is_file()


def test_scb_turnout_totals_agree_between_the_two_files():
    """The sex totals appear in both SCB files; the loader keeps one, so they must agree."""

    def totals(name, col, everyone):
        rows = csv.DictReader((DATA_DIR / "elections" / name).open(encoding="utf-8"))
        return {
            (r["municipality"], r["gender"]): (
                r["eligibleVoters2018"],
                r["votersPercent2018"],
                r["eligibleVoters2022"],
                r["votersPercent2022"],
            )
            for r in rows
            if r[col] == everyone
        }

    age = totals("kommun_turnout_riksdag_by_age_sex_2018_2022.csv", "age", "samtliga åldrar")
    edu = totals(
        "kommun_turnout_riksdag_by_education_sex_2018_2022.csv",
        "educationLevel",
        "samtliga utbildningsnivåer",
    )
    assert len(age) == 290 * 3
    assert age == edu
