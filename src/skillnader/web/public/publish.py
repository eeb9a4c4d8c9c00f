"""Building at publication what no request should wait for: the city report.

As soon as new data are committed (:data:`~skillnader.web.data.models.data_committed`: an
import, a publication or a withdrawal, an edit in the admin), a job on the web process's small
background pool (:mod:`skillnader.web.background`) builds the city report of the latest year as
PDF, in Swedish and then in English, through the same
:func:`~skillnader.web.public.reports_views.city_report_file` as the download: a request that
arrives during the build waits for that same build (the file lock shared by the worker
processes), and every later request is served the finished file. Data committed by another
process (the ``skillnader`` command) are noticed by the cache warmer (:mod:`.warm`), which
schedules the same job.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from skillnader.web import background

log = logging.getLogger(__name__)

#: The city report's languages, in the order they are built (the site's default first).
LANGUAGES = ("sv", "en")
_DISPATCH_UID = "skillnader-city-report-at-publication"

_lock = threading.Lock()
_queued = False  # a build job waits for a thread of the pool
_running = False  # a build job runs in this process
_again = False  # the data changed while it ran: it builds once more before it ends


def schedule() -> background.Job | None:
    """Queue a build of the city report for the data as they are now. Returns None when a build
    is already queued and has not started (it reads the newest data when it starts), or when
    one is running (it builds again for the newest data before it ends): one pool thread at
    most, whatever the number of commits."""
    global _queued, _again
    with _lock:
        if _running:
            _again = True
            return None
        if _queued:
            return None
        _queued = True
    try:
        return background.submit(_build)
    except Exception:
        with _lock:
            _queued = False
        raise


def _build(job: background.Job) -> list[Path]:
    global _queued, _running, _again
    from django.db import connections

    with _lock:
        _queued, _running, _again = False, True, False
    try:
        while True:
            built = _build_now(job)
            with _lock:
                if not _again:
                    _running = False
                    return built
                _again = False
    except Exception:
        log.exception("building the city report after new data failed")
        with _lock:
            _running = _again = False
        raise
    finally:
        connections.close_all()


def _build_now(job: background.Job) -> list[Path]:
    from skillnader.reports import data
    from skillnader.web.public.reports_views import city_report_file

    if not data.years_with_data():
        return []
    built = []
    for i, lang in enumerate(LANGUAGES):
        job.report(f"city report ({lang})", i / len(LANGUAGES))
        path, _year = city_report_file(None, lang, "pdf")
        built.append(path)
    job.report("done", 1.0)
    return built


def _on_data_committed(sender, **kwargs) -> None:
    schedule()


def enable() -> None:
    """Build the city report whenever this process commits new data (the web processes)."""
    from skillnader.web.data.models import data_committed

    data_committed.connect(_on_data_committed, dispatch_uid=_DISPATCH_UID, weak=False)


def disable() -> None:
    from skillnader.web.data.models import data_committed

    data_committed.disconnect(dispatch_uid=_DISPATCH_UID)
