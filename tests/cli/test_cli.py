"""The command line against a real SQLite file built from the bundled data."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

FORMATS = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    r = run(home, "init")
    assert r.returncode == 0, r.stderr
    assert "Total observations" in r.stdout
    return home


def run(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SKILLNADER_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "skillnader.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def db(home: Path) -> Path:
    return home / "skillnader.sqlite3"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_init_is_idempotent(home):
    before = sha(db(home))
    r = run(home, "init")
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db(home))
    assert con.execute("select count(*) from data_area where level_id='regso'").fetchone()[0] == 127
    assert before  # the file exists; counts are unchanged:
    assert (
        con.execute("select count(*) from data_release").fetchone()[0]
        == con.execute("select count(distinct content_hash) from data_release").fetchone()[0]
    )


def test_areas_lists_levels_and_the_2023_district_councils(home):
    r = run(home, "areas", "--json")
    levels = {(row["level"], row["vintage"]): row["areas"] for row in json.loads(r.stdout)}
    assert levels[("sdo", "2007")] == 14 and levels[("sdo", "2020")] == 13
    assert levels[("sdo", "2023")] == 11 and levels[("regso", "2020")] == 127
    r = run(home, "areas", "--level", "sdo", "--vintage", "2023", "--json")
    names = {row["name"] for row in json.loads(r.stdout)}
    assert {"Järva", "Norra innerstaden", "Hägersten-Älvsjö"} <= names and len(names) == 11
    r = run(home, "areas", "--level", "sdo", "--vintage", "2023")
    assert r.returncode == 0 and "Järva" in r.stdout


def test_indicators_show_real_data_in_every_domain(home):
    rows = json.loads(run(home, "indicators", "--json").stdout)
    by_domain = {}
    for row in rows:
        by_domain.setdefault(row["domain"], []).append(row["observations"])
    assert set(by_domain) == {"health", "education", "work", "housing", "democracy"}
    # at least three indicators with observations in each of the five domains
    for domain, counts in by_domain.items():
        assert sum(n > 0 for n in counts) >= 3, domain
    # education level from SCB's DeSO table 2022: 127 RegSO, 13 stadsdelsområden, 3 stadsområden,
    # 290 kommuner, 21 län and Sweden; the kommun panel: 290 kommuner in 5 years
    obs = {row["id"]: row["observations"] for row in rows}
    for ind in (
        "post_secondary_education_share",
        "post_secondary_3y_share",
        "primary_education_only_share",
    ):
        assert obs[ind] == 127 + 13 + 3 + 290 + 21 + 1, ind
    assert obs["post_secondary_share_16_74"] == 290 * 5


def test_observations_csv_matches_the_database(home):
    r = run(
        home,
        "observations",
        "--indicator",
        "born_abroad_share",
        "--area-level",
        "regso",
        "--format",
        "csv",
    )
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    con = sqlite3.connect(db(home))
    expected = con.execute(
        "select a.code, o.period, o.value from data_observation o join data_area a on "
        "a.id=o.area_id join data_group g on g.id=o.group_id where o.indicator_id="
        "'born_abroad_share' and a.level_id='regso' and o.published"
    ).fetchall()
    assert len(rows) == len(expected) > 127
    got = {(r["area_code"], r["period"]): r["value"] for r in rows}
    for code, period, value in expected[:50]:
        assert float(got[(code, period)]) == pytest.approx(value)


def test_bad_import_exits_2_names_the_place_and_leaves_the_file_untouched(home, tmp_path):
    bad = tmp_path / "broken.px"
    bad.write_bytes((FORMATS / "px" / "BE0101F1datasymbols.px").read_bytes()[:-60])
    before = sha(db(home))
    r = run(home, "import", str(bad), "--indicator", "population", "--area-level", "kommun")
    assert r.returncode == 2
    assert "broken.px" in r.stderr and r.stderr.startswith("error: ")
    assert sha(db(home)) == before


def test_unknown_indicator_exits_2(home):
    r = run(home, "observations", "--indicator", "no_such_indicator")
    assert r.returncode == 2 and "no_such_indicator" in r.stderr


def test_export_parquet_and_jsonstat(home, tmp_path):
    import polars as pl

    out = tmp_path / "o.parquet"
    r = run(
        home,
        "export",
        "--format",
        "parquet",
        "--out",
        str(out),
        "--indicator",
        "dwellings_rental_share",
    )
    assert r.returncode == 0, r.stderr
    df = pl.read_parquet(out)
    assert df.height > 0 and set(df["indicator"].unique()) == {"dwellings_rental_share"}
    js = tmp_path / "o.json"
    r = run(
        home,
        "export",
        "--format",
        "jsonstat",
        "--out",
        str(js),
        "--indicator",
        "dwellings_rental_share",
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(js.read_text())
    n = 1
    for s in doc["size"]:
        n *= s
    assert doc["class"] == "dataset" and len(doc["value"]) == n
    r = run(home, "export", "--format", "jsonstat", "--out", str(tmp_path / "x.json"))
    assert r.returncode == 2 and not (tmp_path / "x.json").exists()
