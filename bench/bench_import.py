"""Benchmark: importing a large CSV into the database through the real importer.

Generates a Swedish-style CSV (semicolons, decimal comma, thousands separators with spaces) of
about ``--mb`` megabytes: synthetic count indicators (``bench_count_NN``, created in the benchmark
database only and clearly named as such) × Stockholm's 127 RegSO × two sexes × daily periods.
The file is imported into a fresh SQLite database (the embedded default) that holds the bundled
vocabulary, in streamed batches inside one transaction, and the benchmark reports rows per second
and peak memory (RSS) against the file size. Side by side: what a user would otherwise write,
``pandas.read_csv`` + ``DataFrame.to_sql`` into a SQLite table (no validation, no intervals).

    python bench/bench_import.py --mb 1000      # the 1 GB run
    python bench/bench_import.py --mb 100       # quicker
    python bench/bench_import.py --px-cells 1000000   # a PC-Axis file instead

With ``--px-cells`` the file is a PC-Axis table of about that many cells: synthetic count
indicators (a stub variable) × the 127 RegSO × two sexes × the 60 months of 2020-2024 (heading,
``TIMEVAL`` monthly), imported through ``skillnader import`` with a mapping. Side by side: the
PC-Axis reader alone, and ``pyaxis`` + ``DataFrame.to_sql`` (what a user might otherwise do).
With ``--new-release`` a newer release of the same table (every tenth row of numbers changed)
is imported after it, as a user does when the source publishes again: every cell is looked up,
changed cells updated, and all of them recorded as the new release's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generate(path: Path, mb: int, n_ind: int) -> int:
    codes = regso_codes()
    target = mb * 1_000_000
    rows = 0
    day = dt.date(2020, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("indikator;regso;kön;datum;antal\n")
        size = 0
        while size < target:
            if day.year > 2024:
                # RegSO 2020 boundaries are in force until the end of 2024: the importer refuses
                # later periods for them, as it should.
                sys.exit("file too large for the RegSO 2020 period: raise --indicators")
            d = day.isoformat()
            lines = []
            for k in range(n_ind):
                for c in codes:
                    for sex in ("män", "kvinnor"):
                        v = (hash((k, c, sex, d)) % 90_000) + 10
                        lines.append(
                            f"bench_count_{k:02d};{c};{sex};{d};{v // 1000} {v % 1000:03d}\n"
                        )
            chunk = "".join(lines)
            fh.write(chunk)
            size += len(chunk.encode())
            rows += len(lines)
            day += dt.timedelta(days=1)
    return rows


def regso_codes() -> list[str]:
    import csv

    lookup = (
        "src/skillnader/bundle/data/stockholm_districts/stockholm_regso_to_sdo_lookup_DERIVED.csv"
    )
    with (ROOT / lookup).open(encoding="utf-8") as fh:
        return sorted({row["regsokod"] for row in csv.DictReader(fh)})


MONTHS = [f"{y}M{m:02d}" for y in range(2020, 2025) for m in range(1, 13)]


def generate_px(path: Path, cells: int) -> tuple[int, int]:
    """A PC-Axis table of about ``cells`` cells; returns (cells, indicators)."""
    import numpy as np

    codes = regso_codes()
    per_indicator = len(codes) * 2 * len(MONTHS)
    n_ind = max(1, -(-cells // per_indicator))
    ind = [f"bench_count_{k:02d}" for k in range(n_ind)]

    def values(name: str, items: list[str]) -> str:
        return f'VALUES("{name}")=' + ",".join(f'"{x}"' for x in items) + ";"

    def codes_of(name: str, items: list[str]) -> str:
        return f'CODES("{name}")=' + ",".join(f'"{x}"' for x in items) + ";"

    header = [
        'CHARSET="ANSI";',
        'CODEPAGE="iso-8859-1";',
        'AXIS-VERSION="2013";',
        'LANGUAGE="sv";',
        'TITLE="Syntetiska antal efter indikator, RegSO, kön och månad (genererad)";',
        'CONTENTS="Syntetiska antal";',
        'UNITS="antal";',
        'STUB="indikator","regso","kön";',
        'HEADING="månad";',
        values("indikator", [f"Syntetiskt antal {k}" for k in range(n_ind)]),
        codes_of("indikator", ind),
        values("regso", codes),
        values("kön", ["män", "kvinnor"]),
        codes_of("kön", ["1", "2"]),
        values("månad", MONTHS),
        'TIMEVAL("månad")=TLIST(M1),' + ",".join(f'"{m}"' for m in MONTHS) + ";",
        "DATA=",
    ]
    rng = np.random.default_rng(7)
    rows = n_ind * len(codes) * 2
    with path.open("wb") as fh:
        fh.write("\n".join(header).encode("latin-1") + b"\n")
        for start in range(0, rows, 20000):
            n = min(20000, rows - start)
            block = rng.integers(0, 5000, size=(n, len(MONTHS)))
            fh.write(("\n".join(" ".join(map(str, r)) for r in block.tolist()) + "\n").encode())
        fh.write(b";\n")
    return rows * len(MONTHS), n_ind


PX_MAPPING = """\
source: {id: bench-synthetic-px, name: "Synthetic benchmark data (not real statistics)"}
indicator: {dimension: indikator}
area: {dimension: regso, level: regso, vintage: "2020"}
period: {dimension: månad}
groups:
  sex: {dimension: kön, values: {"1": men, "2": women}}
"""


MAPPING = """\
source: {id: bench-synthetic, name: "Synthetic benchmark data (not real statistics)"}
area: {column: regso, level: regso, vintage: "2020"}
period: {column: datum}
indicator: {column: indikator}
groups:
  sex: {column: kön, values: {män: men, kvinnor: women}}
values: {column: antal}
"""


CHILD = r"""
import os, sys, time
sys.path.insert(0, os.path.join(sys.argv[1], "src"))
os.environ["DJANGO_SETTINGS_MODULE"] = "skillnader.web.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from skillnader.bundle.load import load_bundle
load_bundle()
from skillnader.web.data import models as m
for k in range(int(sys.argv[4])):
    m.Indicator.objects.get_or_create(id=f"bench_count_{k:02d}", defaults=dict(
        domain_id="work", name_sv=f"Syntetiskt antal {k}", measure="count",
        polarity="no_judgement", unit="persons", publication_threshold=0))
from skillnader.web.data.importer import import_file
import gc


def status(key):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(key + ":"))


# Import a file: the result, its time, and the peak and starting resident set (KiB). Linux:
# writing 5 to clear_refs resets the peak resident set (VmHWM) to the current one, so the peak
# read afterwards is the import's own, not the set-up's.
def measured(path):
    gc.collect()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    base = status("VmRSS")
    t0 = time.perf_counter()
    r = import_file(path, mapping=sys.argv[3])
    return r, time.perf_counter() - t0, status("VmHWM"), base


r, t, peak, base = measured(sys.argv[2])
print(f"RESULT {t:.3f} {r.created} {peak} {base}")
if len(sys.argv) > 5:  # a new release of the same table
    r, t, peak, base = measured(sys.argv[5])
    print(f"RELEASE {t:.3f} {r.created} {r.updated} {r.unchanged} {peak} {base}")
"""


def run_child(
    tmp: Path, data: Path, mapping: Path, indicators: int, release: Path | None = None
) -> tuple[float, int, float, float, str]:
    """Import ``data`` into a fresh database: time, cells, peak and starting RSS (MB). With
    ``release``, then that newer release of the same table too, described in the last item."""
    env = {**os.environ, "SKILLNADER_HOME": str(tmp / "home")}
    env.pop("DATABASE_URL", None)
    args = [str(ROOT), str(data), str(mapping), str(indicators)]
    out = subprocess.run(
        [sys.executable, "-c", CHILD, *args, *([str(release)] if release else [])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if "RESULT " not in out.stdout or (release and "RELEASE " not in out.stdout):
        sys.exit(f"import failed:\n{out.stderr[-3000:]}")
    t, created, peak_kb, base_kb = out.stdout.split("RESULT ")[1].split("\n")[0].split()
    newer = ""
    if release:
        tr, c, u, same, peak2, base2 = out.stdout.split("RELEASE ")[1].split()
        cells = int(c) + int(u) + int(same)
        newer = (
            f"new release of the same table: {int(u):,} cells changed, {int(same):,} unchanged, "
            f"{int(c):,} new, in {float(tr):.1f} s = {cells / float(tr):,.0f} cells/s; "
            f"peak RSS {int(peak2) / 1024:.0f} MB (before {int(base2) / 1024:.0f} MB)"
        )
    return float(t), int(created), int(peak_kb) / 1024, int(base_kb) / 1024, newer


def changed_release(px: Path, out: Path) -> None:
    """A newer release of the generated table: every tenth row of numbers one higher."""
    head, body = px.read_bytes().split(b"DATA=\n", 1)
    lines = body.split(b"\n")
    for i in range(0, len(lines), 10):
        if lines[i] and lines[i] != b";":
            lines[i] = b" ".join(str(int(x) + 1).encode() for x in lines[i].split())
    out.write_bytes(head + b"DATA=\n" + b"\n".join(lines))


def main_px(cells: int, skip_pandas: bool, release: bool = False) -> None:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        tmp = Path(tmp)
        px, mapping = tmp / "big.px", tmp / "mapping.yaml"
        mapping.write_text(PX_MAPPING, encoding="utf-8")
        t0 = time.perf_counter()
        n, n_ind = generate_px(px, cells)
        size = px.stat().st_size
        print(
            f"generated {n:,} cells ({n_ind} indicators), {size / 1e6:.0f} MB in "
            f"{time.perf_counter() - t0:.0f} s"
        )
        newer = None
        if release:
            newer = tmp / "big-newer.px"
            changed_release(px, newer)
        t, created, peak, base, newer_line = run_child(tmp, px, mapping, n_ind, newer)
        print(
            f"skillnader import: {created:,} observations in {t:.1f} s = {created / t:,.0f} "
            f"rows/s; peak RSS {peak:.0f} MB (before import {base:.0f} MB) for a "
            f"{size / 1e6:.0f} MB file"
        )
        if newer_line:
            print(newer_line)
        sys.path.insert(0, str(ROOT / "src"))
        from skillnader.readers.px import read_px

        t0 = time.perf_counter()
        read_px(px)
        tr = time.perf_counter() - t0
        print(f"reader alone (read_px): {tr:.1f} s = {n / tr:,.0f} cells/s")
        if not skip_pandas:
            try:
                from pyaxis import pyaxis
            except ImportError:
                print("pyaxis is not installed (pip install -e '.[bench]'): no comparison")
                return
            t0 = time.perf_counter()
            frame = pyaxis.parse(uri=str(px), encoding="ISO-8859-1")["DATA"]
            con = sqlite3.connect(tmp / "pandas.sqlite3")
            frame.to_sql("observations", con, if_exists="append", index=False, chunksize=500_000)
            con.commit()
            tp = time.perf_counter() - t0
            print(
                f"pyaxis + to_sql (no validation): {tp:.1f} s = {n / tp:,.0f} rows/s; "
                f"ratio skillnader/pyaxis time {t / tp:.1f}x; peak RSS of this process "
                f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=1000)
    ap.add_argument("--indicators", type=int, default=50)
    ap.add_argument("--px-cells", type=int, default=0, help="a PC-Axis file of about N cells")
    ap.add_argument("--skip-pandas", action="store_true")
    ap.add_argument(
        "--new-release",
        action="store_true",
        help="with --px-cells: then import a newer release of the table (every tenth row changed)",
    )
    a = ap.parse_args()
    if a.px_cells:
        main_px(a.px_cells, a.skip_pandas, a.new_release)
        return
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        tmp = Path(tmp)
        csv_path, mapping = tmp / "big.csv", tmp / "mapping.yaml"
        mapping.write_text(MAPPING, encoding="utf-8")
        t0 = time.perf_counter()
        rows = generate(csv_path, a.mb, a.indicators)
        size = csv_path.stat().st_size
        print(f"generated {rows:,} rows, {size / 1e6:.0f} MB in {time.perf_counter() - t0:.0f} s")
        t, created, peak_mb, base_mb, _ = run_child(tmp, csv_path, mapping, a.indicators)
        print(
            f"skillnader import: {created:,} observations in {t:.1f} s = {created / t:,.0f} "
            f"rows/s; peak RSS {peak_mb:.0f} MB (before import "
            f"{base_mb:.0f} MB) for a {size / 1e6:.0f} MB file"
        )
        if not a.skip_pandas:
            import pandas as pd

            t0 = time.perf_counter()
            con = sqlite3.connect(tmp / "pandas.sqlite3")
            for chunk in pd.read_csv(csv_path, sep=";", thousands=" ", chunksize=500_000):
                chunk.to_sql("observations", con, if_exists="append", index=False)
            con.commit()
            tp = time.perf_counter() - t0
            print(
                f"pandas read_csv + to_sql (chunked, no validation): {tp:.1f} s = "
                f"{rows / tp:,.0f} rows/s; ratio skillnader/pandas time {t / tp:.1f}x; "
                f"peak RSS of this process "
                f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
            )


if __name__ == "__main__":
    main()
