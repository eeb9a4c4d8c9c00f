"""Warming the caches so that the first visitor after a start or an import does not wait.

The headline findings analyse every published observation, and the first request of a fresh
process also pays for importing the analysis libraries: seconds, where a page otherwise takes
milliseconds. :func:`start_watcher` runs a daemon thread in the web process that checks the
data version every :data:`~skillnader.web.public.queries.VERSION_SECONDS` and, whenever it
changes (at start, after an import or a publication change), computes the findings, the city's series
and each indicator's differences between areas before visitors ask for them. With the production cache directory shared by the
workers, one worker warms and the others find the results.
"""

from __future__ import annotations

import logging
import threading

from django.core.cache import cache
from django.db import connection

from skillnader.web.public import queries

logger = logging.getLogger(__name__)


def warm() -> str:
    """Compute and cache what the start page, the findings API and the indicator pages share;
    return the data version they were computed for."""
    version = queries.data_version()
    queries.findings()
    queries.city_cells()
    queries.group_labels()
    queries.search_index()
    # Each indicator page's default view: its differences between areas, year by year.
    from skillnader.web.data.models import Indicator
    from skillnader.web.public.views import _default_selection

    for indicator_id in Indicator.objects.filter(published=True).values_list("id", flat=True):
        sel = _default_selection(queries.coverage(indicator_id))
        if sel is not None:
            queries.inequality_series(indicator_id, sel["level"], sel["vintage"], sel["group"])
    return version


class Watcher(threading.Thread):
    """The warming thread; :meth:`stop` ends it after its current round."""

    def __init__(self, target) -> None:
        super().__init__(target=target, name="skillnader-cache-warmer", daemon=True)
        self.stopped = threading.Event()

    def stop(self, timeout: float | None = 30) -> None:
        self.stopped.set()
        self.join(timeout)


def start_watcher(interval: float | None = None) -> Watcher:
    """Start the warming thread (a daemon: it also ends with the process)."""
    every = queries.VERSION_SECONDS if interval is None else interval

    def run() -> None:
        last = None
        while not thread.stopped.is_set():
            try:
                version = queries.data_version()
                # ``add`` is a no-op when another worker already claimed this version.
                if version != last and cache.add(f"skillnader:warming:{version}", 1, 3600):
                    warm()
                last = version
            except Exception:
                logger.exception("warming the caches failed")
            finally:
                connection.close()
            thread.stopped.wait(every)

    thread = Watcher(run)
    thread.start()
    return thread
