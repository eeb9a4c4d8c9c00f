"""Running the engine's statements on DuckDB under a watchdog.

:func:`fetch` runs one statement and returns its result as a polars frame. While it runs, a
watchdog thread checks two things every half second:

* the statement has run longer than ``timeout`` seconds → it is interrupted and
  :class:`EngineTimeoutError` is raised;
* the process has used (almost) no CPU time for ``stall`` seconds → DuckDB is waiting for work
  that will never come (every worker idle, the main thread in ``Executor::WaitForTask``); the
  statement is interrupted and :class:`EngineStalledError` is raised.

Both name the statement's stage and what to do, instead of leaving the caller waiting forever.
:func:`run_stages` runs the staged form of a computation (:func:`~skillnader.engine.compile.
compile_stages`): each stage into a temporary table, then the final statement, and drops the
tables afterwards.

Defaults come from the environment: ``SKILLNADER_ENGINE_TIMEOUT`` (seconds, default 3600, ``0``
for none) and ``SKILLNADER_ENGINE_STALL`` (seconds without CPU use, default 120, ``0`` for none).
"""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from skillnader.errors import SkillnaderError

__all__ = [
    "EngineMemoryError",
    "EngineStalledError",
    "EngineTimeoutError",
    "Watchdog",
    "fetch",
    "run_stages",
]


class EngineTimeoutError(SkillnaderError):
    """An engine statement ran longer than its time limit and was stopped."""

    exit_code = 5

    def __init__(self, message: str, *, stage: str, seconds: float) -> None:
        self.stage = stage
        self.seconds = seconds
        super().__init__(message)


class EngineMemoryError(SkillnaderError):
    """A statement needed more working memory than DuckDB may use (``memory_limit``) and could
    not spill the rest to disk."""

    exit_code = 5


class EngineStalledError(EngineTimeoutError):
    """An engine statement stopped using CPU (DuckDB waited for work that never came)."""


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        return default


@dataclass(frozen=True)
class Watchdog:
    """Limits for one statement: total seconds (``timeout``) and seconds without CPU use
    (``stall``); ``None`` or 0 switches a limit off. ``idle_cpu`` is the CPU time (seconds, all
    threads of the process) below which a ``poll`` interval counts as idle."""

    timeout: float | None = None
    stall: float | None = None
    poll: float = 0.5
    idle_cpu: float = 0.02

    @classmethod
    def from_environment(cls) -> Watchdog:
        return cls(
            timeout=_float_env("SKILLNADER_ENGINE_TIMEOUT", 3600.0) or None,
            stall=_float_env("SKILLNADER_ENGINE_STALL", 120.0) or None,
        )


def _process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fetch(
    connection: duckdb.DuckDBPyConnection,
    sql: str,
    *,
    watchdog: Watchdog | None = None,
    stage: str = "statement",
) -> pl.DataFrame:
    """Run ``sql`` on ``connection`` under ``watchdog`` and return the result as a polars frame."""
    return _guarded(
        connection, watchdog, stage, lambda: pl.from_arrow(connection.sql(sql).to_arrow_table())
    )


def execute(
    connection: duckdb.DuckDBPyConnection,
    sql: str,
    *,
    watchdog: Watchdog | None = None,
    stage: str = "statement",
) -> None:
    """Run a statement without a result (``CREATE TEMP TABLE … AS …``) under ``watchdog``."""
    _guarded(connection, watchdog, stage, lambda: connection.execute(sql).fetchall())


def _guarded(connection, watchdog: Watchdog | None, stage: str, work):
    watchdog = watchdog or Watchdog.from_environment()
    if not watchdog.timeout and not watchdog.stall:
        return work()
    done = threading.Event()
    verdict: list[str] = []
    started = time.monotonic()

    def watch() -> None:
        last_cpu = _process_cpu()
        idle_since = time.monotonic()
        while not done.wait(watchdog.poll):
            now = time.monotonic()
            cpu = _process_cpu()
            if cpu - last_cpu > watchdog.idle_cpu:
                idle_since = now
            last_cpu = cpu
            if watchdog.timeout and now - started > watchdog.timeout:
                verdict.append("timeout")
            elif watchdog.stall and now - idle_since > watchdog.stall:
                verdict.append("stall")
            if verdict:
                connection.interrupt()
                return

    thread = threading.Thread(target=watch, name="skillnader-engine-watchdog", daemon=True)
    thread.start()
    try:
        return work()
    except duckdb.InterruptException as exc:
        if not verdict:
            raise
        seconds = time.monotonic() - started
        if verdict[0] == "timeout":
            raise EngineTimeoutError(
                f"the engine's {stage} ran longer than {watchdog.timeout:g} s and was stopped "
                "(raise SKILLNADER_ENGINE_TIMEOUT, or compute fewer indicators, levels or "
                "group combinations at a time)",
                stage=stage,
                seconds=seconds,
            ) from exc
        raise EngineStalledError(
            f"the engine's {stage} used no CPU for {watchdog.stall:g} s and was stopped: DuckDB "
            "was waiting for work that never came. Run it again from a Parquet file or a DuckDB "
            "table, and report the DuckDB version "
            f"({duckdb.__version__}) and the size of the records",
            stage=stage,
            seconds=seconds,
        ) from exc
    finally:
        done.set()
        thread.join()


def run_stages(
    connection: duckdb.DuckDBPyConnection,
    stages: Sequence[tuple[str, str]],
    final: str,
    *,
    watchdog: Watchdog | None = None,
) -> pl.DataFrame:
    """Run each ``(name, select)`` of ``stages`` into a temporary table ``name``, then ``final``.

    The temporary tables are dropped afterwards, also when a statement fails. A temporary table
    of the same name that already exists in ``connection`` is an error (it is not overwritten).
    """
    created: list[str] = []
    try:
        for name, select in stages:
            execute(
                connection,
                f'CREATE TEMP TABLE "{name}" AS\n{select}',
                watchdog=watchdog,
                stage=f"stage {name}",
            )
            created.append(name)
        return fetch(connection, final, watchdog=watchdog, stage="final statement")
    finally:
        for name in reversed(created):
            connection.execute(f'DROP TABLE IF EXISTS temp."{name}"')
