"""The optimising mode's flow solver next to the disclosure control's HiGHS, and its time limit."""

from __future__ import annotations

import pytest

from skillnader.allocation import allocate
from skillnader.errors import MethodError

from .helpers import applicant, policy, position


def _instance():
    pos = [position(k, d, 2) for k, d in enumerate(["Järva", "Södermalm", "Bromma"])]
    apps = [
        applicant(k, d, ["P00", "P01", "P02"], tier=1 + k % 3)
        for k, d in enumerate(["Järva", "Södermalm", "Bromma", "Kungsholmen"] * 3)
    ]
    return policy(r1=0.5, outer=0.5, dmin=0.3), apps, pos


def test_optimise_runs_in_a_process_that_has_loaded_highspy():
    # OR-Tools' bundled HiGHS and highspy cannot share a process; the flow runs in a child
    highspy = pytest.importorskip("highspy")
    highspy.Highs()
    pol, apps, pos = _instance()
    r = allocate(pol, apps, pos, "s", mode="optimise")
    assert r.info["method"] == "min-cost flow"
    assert sum(1 for j in r.match if j >= 0) == 6  # every place filled: 12 applicants, 6 places


def test_time_limit_gives_a_method_error():
    pol, apps, pos = _instance()
    with pytest.raises(MethodError, match="no allocation within"):
        allocate(pol, apps, pos, "s", mode="optimise", time_limit=1e-6)
