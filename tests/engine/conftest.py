from __future__ import annotations

from pathlib import Path

import pytest

from skillnader.engine import RecordLayout, compute, load_specs, synthetic

HERE = Path(__file__).parent
LAYOUT = RecordLayout(
    area="regso", period="year", groups=("sex", "age_band", "birth_region"), age="age"
)
GROUP_SETS = [("sex",), ("age_band",), ("sex", "age_band"), ("birth_region",)]


@pytest.fixture(scope="session")
def population():
    """40,000 synthetic residents per year, 2022 and 2023 (synthetic: never publish)."""
    return synthetic.generate(40_000, [2022, 2023], seed=7)


@pytest.fixture(scope="session")
def hierarchy():
    return synthetic.stockholm_hierarchy(["sdo_from_2023_07"])


@pytest.fixture(scope="session")
def specs():
    return load_specs(HERE / "indicators.yaml")


@pytest.fixture(scope="session")
def observations(population, specs, hierarchy):
    # The numbers of every cell (the primary rule only): the protected default is tested in
    # test_engine_disclosure.py on runs small enough for its linear programs.
    return compute(
        population,
        specs,
        hierarchy,
        layout=LAYOUT,
        group_sets=GROUP_SETS,
        disclosure_control="primary",
    )
