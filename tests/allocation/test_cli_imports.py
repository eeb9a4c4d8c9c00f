"""``skillnader allocate`` imports only what it needs: no Django (no database), no readers, no
PDF/report printer unless ``--pdf``, no scipy.stats or scipy.optimize (the report's intervals and
disclosure control need them not; ``scipy.sparse`` only when a table needs a linear program, as
on this small instance)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from skillnader.allocation import inputs, synthetic

POLICY = Path(__file__).resolve().parents[2] / "src/skillnader/allocation/data/policy_example.yaml"

SCRIPT = """
import json, sys
from skillnader.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    mods = sorted(sys.modules)
    print("MODULES=" + json.dumps(mods))
"""


def test_allocate_imports_no_django_readers_printer_or_scipy_stats(tmp_path):
    inputs.write_applicants(synthetic.applicants(300, 1), tmp_path / "a.csv")
    inputs.write_positions(synthetic.positions(210, 30, 1), tmp_path / "p.csv")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            "allocate",
            "--policy",
            str(POLICY),
            "--applicants",
            str(tmp_path / "a.csv"),
            "--positions",
            str(tmp_path / "p.csv"),
            "--seed",
            "s",
            "--out",
            str(tmp_path / "out"),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("MODULES="))
    mods = set(json.loads(line.removeprefix("MODULES=")))
    assert (tmp_path / "out" / "report.json").exists()
    assert "skillnader.allocation.report" in mods  # the command did run
    web = sorted(
        m for m in mods if m.startswith("skillnader.web.") and not m.endswith(".bootstrap")
    )
    assert not web, web[:5]
    for prefix in (
        "django",
        "scipy.stats",
        "scipy.optimize",
        "skillnader.readers",
        "skillnader.reports",
    ):
        loaded = sorted(m for m in mods if m == prefix or m.startswith(prefix + "."))
        assert not loaded, (prefix, loaded[:5])
