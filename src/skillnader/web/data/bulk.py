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
from typing import NamedTuple


class ObservationRow(NamedTuple):
    """One observation as every writer hands it to :func:`insert_observations`: the one
    definition of the columns written, their names, types and order (a test holds it to the
    model). Build it by name; it is a plain tuple for the database driver."""

    indicator_id: str
    area_id: int
    group_id: int
    period: str
    year: int
    value: float | None
    lower: float | None
    upper: float | None
    numerator: float | None
    denominator: float | None
    status: str
    suppressed: bool
    provisional: bool
    break_in_series: bool
    published: bool
    note: str
    release_id: int


#: The columns of :class:`ObservationRow`, in order.
OBSERVATION_COLUMNS: tuple[str, ...] = ObservationRow._fields


def rows_from_columns(columns: dict[str, Sequence]) -> list[tuple]:
    """Rows for :func:`insert_observations` from whole columns named as :class:`ObservationRow`'s
    fields (every field given once, all of one length)."""
    missing = set(OBSERVATION_COLUMNS) ^ set(columns)
    if missing:
        raise KeyError(f"observation columns do not match the schema: {sorted(missing)}")
    return list(zip(*(columns[c] for c in OBSERVATION_COLUMNS), strict=True))


def insert_observations(rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (:class:`ObservationRow`, or tuples in its order) with one prepared
    statement."""
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
