"""Bundled tables imported through the user's import path.

These files are not built by :mod:`skillnader.bundle.build`: each is imported with the mapping
beside it by :func:`skillnader.web.data.importer.import_file`, exactly as
``skillnader import FILE --mapping MAPPING`` would (reader, mapping, aggregation, status flags,
derived indicators, suppression). They are imported after the bundle's areas and catalogue, so
the areas and indicators they refer to exist. Importing them again writes nothing (a release is
identified by the file, its mapping and the options).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from skillnader.bundle.build import DATA_DIR


@dataclass(frozen=True)
class BundledImport:
    file: str  # relative to the bundle's data folder
    mapping: str

    @property
    def path(self) -> Path:
        return DATA_DIR / self.file

    @property
    def mapping_path(self) -> Path:
        return DATA_DIR / self.mapping

    @property
    def level(self) -> str:
        """The area level the mapping writes (``area.level``)."""
        from skillnader.ingest import load_spec

        area = load_spec(self.mapping_path).get("area") or {}
        return str(area.get("level") or "")


IMPORTS: tuple[BundledImport, ...] = (
    BundledImport(
        "health_kommun_mortality/scb_life_expectancy_kommun_5y_1998_2019.xlsx",
        "health_kommun_mortality/life_expectancy_scb.yaml",
    ),
    BundledImport(
        "health_kommun_mortality/scb_deaths_stockholms_lan_2010_2019.xlsx",
        "health_kommun_mortality/deaths_stockholms_lan.yaml",
    ),
    BundledImport(
        "health_kommun_mortality/scb_deaths_sweden_2010_2019.xlsx",
        "health_kommun_mortality/deaths_sweden.yaml",
    ),
    BundledImport(
        "education_kolada_kommun/kolada_kpis_kommun_2010_2024.parquet",
        "education_kolada_kommun/kolada.yaml",
    ),
    # Skolverket's mean merit value in grade 9 per kommun, 2015/16-2024/25: the "Uppgift" rows
    # of one measure, one column per school year
    BundledImport(
        "education_skolverket_kommun/Grundskola - Jämförelse av betygsresultat över tid 2025 Kommun_Åk9.xlsx",
        "education_skolverket_kommun/merit_value.yaml",
    ),
    BundledImport(
        "education_kommun_panel/municip_data.csv",
        "education_kommun_panel/education_kommun.yaml",
    ),
    # SCB's population 25-64 by education level per DeSO 2022, summed through key files to
    # each level (one mapping per level; the same file and source)
    *(
        BundledImport(
            "education_scb_deso/education_demographics_deso.csv", f"education_scb_deso/{level}.yaml"
        )
        for level in ("country", "lan", "kommun", "stadsomrade", "sdo", "regso")
    ),
    # Arbetsförmedlingen's registered unemployed per kommun and month, and summed to Sweden,
    # each with the rate per 1,000 aged 16-64 derived from SCB's population where the bundle has
    # it (skillnader.web.data.derive); the counts stay context
    BundledImport(
        "municipalities_panel/kommun_registered_unemployed_monthly_2018_2022.csv",
        "municipalities_panel/unemployed_kommun.yaml",
    ),
    BundledImport(
        "municipalities_panel/kommun_registered_unemployed_monthly_2018_2022.csv",
        "municipalities_panel/unemployed_sweden.yaml",
    ),
    # SCB's median income 20+ per DeSO 2022: a median does not add up, so only the RegSO that
    # are one DeSO (income_scb_deso/deso_regso_single_DERIVED.csv)
    BundledImport("income_scb_deso/income_demographics_deso.csv", "income_scb_deso/regso.yaml"),
    # Skolverket's grade-9 results per school unit 2024/25, summed over the schools that stand
    # in each RegSO and stadsdelsområde (schools located in the area, not pupils living there)
    *(
        BundledImport(
            "education_skolverket_schools/grade9_counts_2024_25_DERIVED.csv",
            f"education_skolverket_schools/{level}.yaml",
        )
        for level in ("sdo", "regso")
    ),
)


def _digest(item: BundledImport) -> str:
    from skillnader.ingest import release_hash
    from skillnader.readers.detect import detect_format

    kind = detect_format(item.path)
    return release_hash(item.path, item.mapping_path, kind)


def _selected(levels: Collection[str] | None) -> list[BundledImport]:
    return [i for i in IMPORTS if levels is None or i.level in levels]


def imports_loaded(levels: Collection[str] | None = None) -> bool:
    """Whether every bundled import (of ``levels``, or all) is recorded as a release in its
    current version."""
    from skillnader.web.data.models import Release

    have = set(Release.objects.values_list("content_hash", flat=True))
    return all(_digest(i) in have for i in _selected(levels))


def run_imports(progress: bool = False, levels: Collection[str] | None = None) -> list[str]:
    """Import every bundled table (whose mapping writes one of ``levels``, or all) that is not
    imported yet; returns one line per import."""
    from skillnader.web.data.importer import import_file

    out = []
    for item in _selected(levels):
        result = import_file(item.path, mapping=item.mapping_path, user="skillnader init")
        out.append(str(result))
        if progress:
            import sys

            print(str(result), file=sys.stderr)
    return out
