"""Plain ``executemany`` INSERT and UPDATE of observation rows, shared by the importer and the
bundle loader.

``bulk_create`` instantiates a model object per row and, on SQLite, sends one statement per ~58
observations (999 parameters per statement). The rows given here are validated already; the
database's own constraints (one cell per indicator × area × group × period, no numbers on a
suppressed cell) still apply. ``bulk_update`` is slower still: it builds a ``CASE WHEN`` per
field over each batch of rows (most of the time of re-importing a new release went there).
"""

from __future__ import annotations

from collections.abc import Sequence

#: The order of the values in every row passed to :func:`insert_observations`.
OBSERVATION_COLUMNS = (
    "indicator_id",
    "area_id",
    "group_id",
    "period",
    "year",
    "value",
    "lower",
    "upper",
    "numerator",
    "denominator",
    "status",
    "suppressed",
    "provisional",
    "break_in_series",
    "published",
    "note",
    "release_id",
)


def insert_observations(rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (tuples in :data:`OBSERVATION_COLUMNS` order) with one prepared statement."""
    if not rows:
        return
    from django.db import connection

    from skillnader.web.data.models import Observation

    quote = connection.ops.quote_name
    table = quote(Observation._meta.db_table)
    cols = ", ".join(quote(c) for c in OBSERVATION_COLUMNS)
    marks = ", ".join(["%s"] * len(OBSERVATION_COLUMNS))
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def update_observations(rows: Sequence[tuple], columns: Sequence[str]) -> None:
    """Set ``columns`` of observations by primary key, with one prepared statement: each row
    holds the new values in ``columns`` order, then the primary key."""
    if not rows:
        return
    from django.db import connection

    from skillnader.web.data.models import Observation

    quote = connection.ops.quote_name
    table = quote(Observation._meta.db_table)
    sets = ", ".join(f"{quote(c)} = %s" for c in columns)
    pk = quote(Observation._meta.pk.column)
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", rows)
