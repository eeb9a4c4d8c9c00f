"""Concurrent imports on SQLite (issue 16, item 8): a second import while one is running is
refused at once with "another import is running" (exit 2, naming its file) instead of a raw
``database is locked`` traceback, writes nothing, and succeeds once the first has finished;
pages are read from the database while an import holds its write lock (WAL).

Real processes on a real SQLite file: the first import is held open in its transaction by a
progress callback that waits for a signal file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

SETUP = """
import datetime as dt
from skillnader.web.bootstrap import setup_django, migrate
setup_django(); migrate()
from skillnader.web.data import models as m
m.Domain.objects.create(id="housing", name_sv="Boende", order=1)
m.AreaLevel.objects.create(id="kommun", name_sv="Kommun", order=2)
v = m.Vintage.objects.create(level_id="kommun", code="2003", name_sv="2003",
                             valid_from=dt.date(2003, 1, 1))
for code, name in [("0114", "Upplands Väsby"), ("0115", "Vallentuna")]:
    m.Area.objects.create(level_id="kommun", vintage=v, code=code, name=name)
m.Indicator.objects.create(id="population", domain_id="housing", name_sv="Folkmängd",
                           measure="count", polarity="no_judgement", unit="persons",
                           publication_threshold=0)
"""

HOLD = """
import sys, time, os
from pathlib import Path
from skillnader.web.bootstrap import setup_django
setup_django()
from skillnader.web.data.importer import import_file
started, release = Path(sys.argv[3]), Path(sys.argv[4])
def progress(done, total):
    started.write_text("holding")
    deadline = time.monotonic() + 60
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
print(import_file(sys.argv[1], mapping=sys.argv[2], progress=progress))
"""

MAP = """\
source: {id: %s}
area: {column: kod, level: kommun}
period: {column: år}
indicator: {value: population}
values: {column: antal}
"""


def env_for(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SKILLNADER_HOME"] = str(home)
    return env


@pytest.fixture
def home(tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("SQLite's single writer; PostgreSQL runs imports side by side")
    home = tmp_path / "home"
    home.mkdir()
    r = subprocess.run(
        [sys.executable, "-c", SETUP], env=env_for(home), capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    return home


def files(tmp: Path, name: str, year: int) -> tuple[Path, Path]:
    data = tmp / f"{name}.csv"
    data.write_text(f"kod;år;antal\n0114;{year};47 000\n0115;{year};34 000\n", encoding="utf-8")
    mapping = tmp / f"{name}.yaml"
    mapping.write_text(textwrap.dedent(MAP % name), encoding="utf-8")
    return data, mapping


def observations(home: Path) -> int:
    con = sqlite3.connect(home / "skillnader.sqlite3")
    try:
        return con.execute("select count(*) from data_observation").fetchone()[0]
    finally:
        con.close()


def test_a_second_import_is_refused_while_one_runs_and_succeeds_after(home, tmp_path):
    first_data, first_map = files(tmp_path, "forsta", 2020)
    second_data, second_map = files(tmp_path, "andra", 2021)
    started, release = tmp_path / "started", tmp_path / "release"
    first = subprocess.Popen(
        [sys.executable, "-c", HOLD, first_data, first_map, started, release],
        env=env_for(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not started.exists():
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first import never started"
            time.sleep(0.05)
        # The first import holds its write lock: readers still read (WAL) ...
        t0 = time.monotonic()
        assert observations(home) == 0
        assert time.monotonic() - t0 < 1.0
        # ... and a second import is refused at once, with exit 2 and its file named.
        t0 = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "skillnader.cli", "import", str(second_data), "--mapping",
             str(second_map)],
            env=env_for(home),
            capture_output=True,
            text=True,
            timeout=120,
        )  # fmt: skip
        waited = time.monotonic() - t0
        assert second.returncode == 2, second.stderr
        assert "another import is running" in second.stderr
        assert "andra.csv" in second.stderr
        assert "Traceback" not in second.stderr
        assert waited < 60
    finally:
        release.write_text("go")
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert observations(home) == 2
    again = subprocess.run(
        [sys.executable, "-m", "skillnader.cli", "import", str(second_data), "--mapping",
         str(second_map)],
        env=env_for(home),
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert observations(home) == 4
