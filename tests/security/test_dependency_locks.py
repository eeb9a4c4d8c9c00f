"""The hashed production lock (requirements.hashes.txt) names the versions of requirements.lock,
has a hash for every package and covers every run-time dependency (issue 16, item 10)."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check_locks():
    spec = importlib.util.spec_from_file_location(
        "check_locks", ROOT / "scripts" / "check_locks.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_hashed_lock_is_in_step_with_requirements_lock():
    cl = _check_locks()
    hashed = (ROOT / "requirements.hashes.txt").read_text(encoding="utf-8")
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert cl.differences(hashed, lock) == []
    pins = cl.pins(hashed)
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    for requirement in runtime:
        name = cl._name(re.match(r"[A-Za-z0-9._-]+", requirement).group(0))
        assert name in pins, requirement
    # Only what runs in production: the test extra is not in it.
    assert "pytest" not in pins and "playwright" not in pins
    assert all(n >= 1 for _v, n in pins.values())


def test_a_lock_out_of_step_is_reported():
    cl = _check_locks()
    lock = "django==5.2.20\n    # via skillnader\npyyaml==6.0.4\n"
    h = "--hash=sha256:" + "a" * 64
    ok = f"django==5.2.20 \\\n    {h}\npyyaml==6.0.4 \\\n    {h}\n"
    assert cl.differences(ok, lock) == []
    assert cl.differences(ok.replace("5.2.20", "5.2.19"), lock) == [
        "django: 5.2.19 in the hashed lock, 5.2.20 in requirements.lock"
    ]
    assert cl.differences(ok + f"duckdb==2.0.1 \\\n    {h}\n", lock) == [
        "duckdb==2.0.1 is in the hashed lock but not in requirements.lock"
    ]
    assert cl.differences(f"django==5.2.20\npyyaml==6.0.4 \\\n    {h}\n", lock) == [
        "django==5.2.20 has no --hash"
    ]
    assert cl.differences("", lock) == ["the hashed lock pins no package"]
