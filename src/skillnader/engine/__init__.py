"""Person-level records → observations, computed in one SQL statement on DuckDB.

Typical use::

    from skillnader.engine import RecordLayout, compute, load_specs, synthetic

    records = synthetic.generate(100_000, years=4, seed=1)   # SYNTHETIC, never publish
    observations = compute(
        records,
        load_specs("indicators.yaml"),
        synthetic.stockholm_hierarchy(),
        layout=RecordLayout(area="regso", period="year", groups=("sex", "age_band"), age="age"),
        group_sets=[("sex",), ("age_band",), ("sex", "age_band")],
    )
"""

from skillnader.engine.compile import RecordLayout, compile_sql
from skillnader.engine.hierarchy import AreaHierarchy
from skillnader.engine.run import OBSERVATION_SCHEMA, compute
from skillnader.engine.spec import IndicatorSpec, SpecError, load_specs, parse_specs

__all__ = [
    "OBSERVATION_SCHEMA",
    "AreaHierarchy",
    "IndicatorSpec",
    "RecordLayout",
    "SpecError",
    "compile_sql",
    "compute",
    "load_specs",
    "parse_specs",
]
