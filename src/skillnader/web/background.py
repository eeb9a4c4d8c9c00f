"""Work that may take longer than a request should wait: run it in the web process's background
threads, wait a little for it, and hand it over when it is not done by then.

The pattern (used by the consultation upload, meant for any long reading or import):

1. ``job = submit(fn, *args)`` starts ``fn(job, *args)`` on a small pool of threads (at most
   ``SKILLNADER_BACKGROUND_THREADS``, default 2; later jobs queue). ``fn`` should not touch the
   database — it reads and computes — and may call ``job.report(stage, share)`` as it goes.
2. ``job.wait(seconds)``: a short job is finished within the request as before.
3. Otherwise the request stores a record of the job (status, stage, share done) and calls
   ``job.detach(on_progress, on_done)``. From then on ``on_progress(stage, share)`` and, at the
   end, ``on_done(job)`` run in the job's thread — they write the stage and the result to the
   database, where any worker process of the site can read them — and the thread's database
   connections are closed afterwards. ``detach`` returns False when the job finished in the
   meantime; the request then handles the result itself.

A job lives in the memory of one process: if the process ends before the job does, the record
stays "running". Readers of such records treat one that has not reported for a while as
interrupted (see :func:`is_stale`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            n = max(1, int(os.environ.get("SKILLNADER_BACKGROUND_THREADS", "2")))
            _POOL = ThreadPoolExecutor(max_workers=n, thread_name_prefix="skillnader-job")
        return _POOL


class Job:
    """One piece of background work; see the module docstring."""

    def __init__(self) -> None:
        self.stage = "queued"
        self.share = 0.0
        self._lock = threading.Lock()
        self._future: Future | None = None
        self._on_progress: Callable[[str, float], None] | None = None
        self._on_done: Callable[[Job], None] | None = None
        self._finished = threading.Event()

    # --- inside the job -------------------------------------------------------------------

    def report(self, stage: str, share: float) -> None:
        """The job has reached ``stage``; ``share`` (0–1) of the work is done."""
        with self._lock:
            self.stage, self.share = stage, share
            listener = self._on_progress
        if listener is not None:
            try:
                listener(stage, share)
            except Exception:  # a failed progress note must not stop the work
                log.exception("progress report of a background job failed")

    # --- for the request ------------------------------------------------------------------

    def wait(self, seconds: float) -> bool:
        """Whether the job finished within ``seconds``."""
        return self._finished.wait(max(0.0, seconds))

    def result(self) -> Any:
        """The job's return value; raises what the job raised. Only after it finished."""
        assert self._future is not None and self._future.done()
        return self._future.result(timeout=0)

    def detach(
        self, on_progress: Callable[[str, float], None], on_done: Callable[[Job], None]
    ) -> bool:
        """Hand the job over to callbacks run in its thread (see the module docstring).

        Returns False, and registers nothing, when the job has already finished."""
        with self._lock:
            if self._finished.is_set():
                return False
            self._on_progress, self._on_done = on_progress, on_done
            return True

    # --- the thread -----------------------------------------------------------------------

    def _run(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        return fn(self, *args, **kwargs)

    def _done(self, _future: Future) -> None:
        with self._lock:
            self._finished.set()
            on_done = self._on_done
        if on_done is None:
            return
        try:
            on_done(self)
        except Exception:
            log.exception("a background job's result could not be stored")
        finally:
            from django.db import connections

            connections.close_all()


def submit(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Job:
    """Start ``fn(job, *args, **kwargs)`` in a background thread; see the module docstring."""
    job = Job()
    future = _pool().submit(job._run, fn, args, kwargs)
    job._future = future
    future.add_done_callback(job._done)
    return job


def _is_busy(exc: BaseException) -> bool:
    """Whether a database error is another writer holding a lock for a moment (SQLite's
    "database is locked" / "database table is locked", PostgreSQL's lock and serialization
    conflicts): worth trying again, unlike any other error."""
    from django.db import OperationalError

    if not isinstance(exc, OperationalError):
        return False
    text = str(exc).lower()
    code = getattr(getattr(exc, "__cause__", None), "sqlstate", None) or getattr(
        getattr(exc, "__cause__", None), "pgcode", None
    )
    return "locked" in text or "busy" in text or code in ("40001", "40P01", "55P03")


def retry_when_busy(
    fn: Callable[[], Any], *, attempts: int = 6, pause: float = 0.05, on_retry=None
) -> Any:
    """Run ``fn`` (one whole transaction) and run it again, after a growing pause, while the
    database answers that another writer holds a lock. A background job's result must not be
    lost to a moment of contention with the pages reading and writing the same tables.
    ``on_retry()`` undoes anything ``fn`` did outside the database before the next attempt."""
    import time

    for attempt in range(attempts):
        try:
            return fn()
        except Exception as exc:
            if attempt == attempts - 1 or not _is_busy(exc):
                raise
            log.info("database busy, trying the background job's write again: %s", exc)
            if on_retry is not None:
                on_retry()
            time.sleep(pause * 2**attempt)
    raise AssertionError("unreachable")


def is_stale(last_report: dt.datetime | None, *, seconds: float, now: dt.datetime) -> bool:
    """Whether a job record whose last report was at ``last_report`` counts as interrupted."""
    return last_report is None or (now - last_report).total_seconds() > seconds
