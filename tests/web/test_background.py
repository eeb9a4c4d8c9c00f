"""The background jobs' writes survive a moment of lock contention and nothing else."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from skillnader.web import background


def _failing(times: int, message: str):
    calls = {"n": 0, "undone": 0}

    def fn():
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError(message)
        return "stored"

    return fn, calls


@pytest.mark.parametrize("message", ["database is locked", "database table is locked: x"])
def test_a_locked_database_is_tried_again_and_undone_between(message):
    fn, calls = _failing(2, message)

    def undo():
        calls["undone"] += 1

    assert background.retry_when_busy(fn, pause=0.001, on_retry=undo) == "stored"
    assert calls == {"n": 3, "undone": 2}


def test_other_errors_and_a_lock_that_lasts_are_raised():
    fn, calls = _failing(1, "no such table: x")
    with pytest.raises(OperationalError, match="no such table"):
        background.retry_when_busy(fn, pause=0.001)
    assert calls["n"] == 1
    fn, calls = _failing(100, "database is locked")
    with pytest.raises(OperationalError, match="locked"):
        background.retry_when_busy(fn, attempts=3, pause=0.001)
    assert calls["n"] == 3
    with pytest.raises(ValueError):
        background.retry_when_busy(lambda: int("x"), pause=0.001)
