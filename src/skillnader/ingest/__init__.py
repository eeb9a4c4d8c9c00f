"""From a source file to validated cells, without a database: the one ingest path.

Reading (the readers of :mod:`skillnader.readers`), mapping (the import spec,
:mod:`~skillnader.ingest.spec`; cube or table onto :class:`Record` objects,
:mod:`~skillnader.ingest.read`), resolving against the vocabulary
(:class:`~skillnader.ingest.resolve.Resolver`, given the vocabulary as data), validation
(:func:`check`), derivation (values from counts and 95 % intervals,
:mod:`~skillnader.ingest.derivation`) and the primary disclosure rule (:func:`primary_mask`, the
rule of :mod:`skillnader.stats.disclosure`).

Two paths use it: the web importer (:mod:`skillnader.web.data.importer`), which fills the
resolver from the database and writes what it is given, and the bundle builder
(:mod:`skillnader.bundle.build`). No module here imports Django.
"""

from skillnader.ingest.derivation import (
    DEFAULT_INTERVALS,
    add_intervals,
    complete,
    derived_values,
    interval_bounds,
)
from skillnader.ingest.read import (
    ADDITIVE_MEASURES,
    MeasureLookup,
    catalogue_measures,
    cube_records,
    iter_cube_records,
    read_cube,
    read_records,
    tabular_records,
)
from skillnader.ingest.records import TOTAL, Record, SourceInfo, chunks, source_info, year_of
from skillnader.ingest.resolve import Resolver, VintageLike, make_group_key
from skillnader.ingest.spec import (
    IMPORT_KEYS,
    content_hash,
    key_files,
    load_spec,
    release_hash,
)
from skillnader.ingest.validate import (
    MAX_ABS,
    IndicatorLike,
    check,
    check_counts,
    check_values,
    primary_mask,
    primary_suppressed,
)

__all__ = [
    "ADDITIVE_MEASURES",
    "DEFAULT_INTERVALS",
    "IMPORT_KEYS",
    "MAX_ABS",
    "TOTAL",
    "IndicatorLike",
    "MeasureLookup",
    "Record",
    "Resolver",
    "SourceInfo",
    "VintageLike",
    "add_intervals",
    "catalogue_measures",
    "check",
    "check_counts",
    "check_values",
    "chunks",
    "complete",
    "content_hash",
    "cube_records",
    "derived_values",
    "interval_bounds",
    "iter_cube_records",
    "key_files",
    "load_spec",
    "make_group_key",
    "primary_mask",
    "primary_suppressed",
    "read_cube",
    "read_records",
    "release_hash",
    "source_info",
    "tabular_records",
    "year_of",
]
