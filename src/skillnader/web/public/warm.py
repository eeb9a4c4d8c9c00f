"""Warming the caches so that the first visitor after a start or an import does not wait.

The headline findings analyse every published observation, and the first request of a fresh
process also pays for importing the analysis libraries: seconds, where a page otherwise takes
milliseconds. :func:`start_watcher` runs a daemon thread in the web process that checks the
data version every :data:`~skillnader.web.data.queries.VERSION_SECONDS` and, whenever it
changes (at start, after an import or a publication change), computes the findings, the city's series
and each indicator's differences between areas before visitors ask for them. With the production cache directory shared by the
workers, one worker warms and the others find the results.
"""

from __future__ import annotations

import logging
import threading

from django.core.cache import cache
from django.db import connection

from skillnader.web.data import queries

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


def preload() -> None:
    """Import, in the calling thread, the modules that the warmer and the first requests would
    otherwise import at the same moment from two threads.

    A thread that imports a package while another imports one of its submodules first can each
    hold the lock the other needs; Python then breaks the deadlock by handing one of them a
    half-initialised module (an ``ImportError`` in the warmer and a failed first request).
    Importing the analysis and statistics packages, the URL configuration (every view module)
    and the views the warmer uses before the thread starts leaves nothing for them to race on.
    """
    import importlib
    import pkgutil

    from django.urls import get_resolver

    import skillnader.analysis
    import skillnader.stats

    for package in (skillnader.analysis, skillnader.stats):
        for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    importlib.import_module("skillnader.web.public.views")
    get_resolver().url_patterns  # noqa: B018 - imports every view module


def start_watcher(interval: float | None = None, reports: bool = True) -> Watcher:
    """Start the warming thread (a daemon: it also ends with the process). With ``reports``,
    the city report is also built in the background whenever the data change: at once when this
    process commits them (:func:`skillnader.web.public.publish.enable`), and when the thread
    sees a new data version committed elsewhere (an import on the command line)."""
    every = queries.VERSION_SECONDS if interval is None else interval
    preload()
    if reports:
        from skillnader.web.public import publish

        publish.enable()

    def run() -> None:
        last = None
        while not thread.stopped.is_set():
            try:
                version = queries.data_version()
                # ``add`` is a no-op when another worker already claimed this version.
                if version != last and cache.add(f"skillnader:warming:{version}", 1, 3600):
                    if reports:
                        from skillnader.web.public import publish

                        publish.schedule()
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
