"""One import at a time on SQLite: a second import is refused at once with a clear message.

SQLite has one writer at a time. Without this, a second import waited for the first one's write
lock and then died with a raw ``database is locked`` traceback (exit 1) — or, once the first one
finished, found its own work half-checked against data that had changed. Here the import takes
the write lock at its start (inside its transaction), waiting at most :data:`WAIT_SECONDS`, and
otherwise raises :class:`ImportBusyError` (exit 2) naming its file.

PostgreSQL could run imports side by side, but every import ends with the joint protection over
everything published for its indicators and periods: two imports deciding at once would each miss
the other's cells, and the two together could give away what each protects. So one import runs
at a time there too: a transaction-scoped advisory lock, waited for at most :data:`WAIT_SECONDS`.
"""

from __future__ import annotations

import contextlib
import time

from django.db import OperationalError, connection

from skillnader.errors import InputError

#: How long an import waits for another one's write lock before it is refused.
WAIT_SECONDS = 2.0


#: The key of PostgreSQL's advisory lock held by a running import (any fixed 64-bit number).
_PG_LOCK_KEY = 0x534B494C4C  # "SKILL"


class ImportBusyError(InputError):
    """Another import (or another writer) holds the database's write lock."""


def _advisory_lock(path: str) -> None:
    """Take the import's advisory lock for the current transaction (released by its commit or
    rollback), or raise :class:`ImportBusyError` after :data:`WAIT_SECONDS`."""
    deadline = time.monotonic() + WAIT_SECONDS
    with connection.cursor() as cur:
        while True:
            cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
            if cur.fetchone()[0]:
                return
            if time.monotonic() >= deadline:
                raise ImportBusyError(
                    "another import is running",
                    path=path,
                    expected="one import at a time: try again when the other has finished",
                )
            time.sleep(0.1)


@contextlib.contextmanager
def exclusive_import(path: str):
    """Take the import's lock for the current transaction (SQLite's write lock, PostgreSQL's
    advisory lock) or raise :class:`ImportBusyError`.

    Must be entered inside ``transaction.atomic()``; the lock is released by its commit or
    rollback.
    """
    if connection.vendor == "postgresql":
        _advisory_lock(path)
        yield
        return
    if connection.vendor != "sqlite":
        yield
        return
    from skillnader.web.data.models import DataVersion

    table = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cur:
        cur.execute("PRAGMA busy_timeout")
        before = int(cur.fetchone()[0])
        cur.execute(f"PRAGMA busy_timeout = {int(WAIT_SECONDS * 1000)}")
        try:
            # A write that changes nothing takes the write (RESERVED) lock until the commit.
            cur.execute(f"UPDATE {table} SET counter = counter WHERE id = 1")
        except OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            raise ImportBusyError(
                "another import is running",
                path=path,
                value=str(exc),
                expected="one import at a time: try again when the other has finished",
            ) from exc
        finally:
            cur.execute(f"PRAGMA busy_timeout = {before}")
    yield
