"""Benchmark of the streaming CSV reader: throughput and peak memory on a ~1 GB long-format file
written the Swedish way (semicolons, decimal commas, UTF-8 with BOM, ``\\r\\n``), side by side
with ``pandas.read_csv`` on a slice of the same file.

Run:  PYTHONPATH=src nice python bench/bench_csv.py [--size-mb 1024] [--slice-mb 200]
      [--pandas-full] [--out bench/results/csv.md]

Each measurement runs in a fresh child process so that its peak resident memory
(``VmHWM`` in ``/proc/self/status``) belongs to that read alone. pandas reads the whole slice into memory
(about 5–10 times the file size as Python strings), so by default it gets the slice and not the
whole file; ``--pandas-full`` tries the whole file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

MAPPING = {
    "area": {"column": "regso_kod", "level": "regso", "vintage": "2020"},
    "indicator": {"column": "indikator"},
    "groups": {
        "sex": {"column": "kön", "values": {"män": "male", "kvinnor": "female", "totalt": "total"}}
    },
    "period": {"column": "månad"},
    "values": {"column": "värde"},
}


def generate(path: Path, size_mb: int, seed: int = 7) -> tuple[int, int]:
    """Write the file block by block (bounded memory); returns (rows, bytes).

    Rows are RegSO × indicator × sex × month with values that have two decimals, about one in
    200 replaced by the missing-value symbol "..".
    """
    rng = np.random.default_rng(seed)
    areas = [f"{k:04d}R{r:03d}" for k in (180, 114, 1480, 1280, 380) for r in range(1, 673)]
    indicators = [f"indikator_{i:02d}" for i in range(1, 21)]
    sexes = ["män", "kvinnor", "totalt"]
    months = [f"{y}-{m:02d}" for y in range(2015, 2025) for m in range(1, 13)]
    target = size_mb * 1024 * 1024
    rows = 0
    with open(path, "wb") as fh:
        fh.write("\ufeffregso_kod;indikator;kön;månad;värde\r\n".encode())
        block = 500_000
        while fh.tell() < target:
            n = block
            i = np.arange(rows, rows + n)
            month = i % len(months)
            rest = i // len(months)
            sex = rest % len(sexes)
            rest //= len(sexes)
            ind = rest % len(indicators)
            area = (rest // len(indicators)) % len(areas)
            values = np.round(rng.gamma(2.0, 500.0, n), 2)
            df = pl.DataFrame(
                {
                    "regso_kod": np.array(areas)[area],
                    "indikator": np.array(indicators)[ind],
                    "kön": np.array(sexes)[sex],
                    "månad": np.array(months)[month],
                    "värde": values,
                }
            )
            missing = rng.random(n) < 0.005
            df = df.with_columns(
                pl.when(pl.Series(missing))
                .then(pl.lit(".."))
                .otherwise(pl.col("värde").cast(pl.String).str.replace(".", ",", literal=True))
                .alias("värde")
            )
            buf = df.write_csv(separator=";", include_header=False, line_terminator="\r\n")
            fh.write(buf.encode())
            rows += n
        size = fh.tell()
    return rows, size


def slice_file(src: Path, dst: Path, size_mb: int) -> None:
    """The header and the first whole lines up to ``size_mb``."""
    limit = size_mb * 1024 * 1024
    with open(src, "rb") as a, open(dst, "wb") as b:
        chunk = a.read(limit)
        b.write(chunk[: chunk.rfind(b"\n") + 1])


def _peak_rss_kb() -> int:
    """Peak resident memory of this process (VmHWM; unlike ru_maxrss it restarts at exec)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(kind: str, path: str) -> None:
    """Run one measurement in this process and print a JSON line."""
    sys.path.insert(0, str(SRC))
    t0 = time.perf_counter()
    if kind == "stream":
        from skillnader.readers.tabular import iter_tabular_rows

        rows = 0
        missing = 0
        total = 0.0
        stream = iter_tabular_rows(path, MAPPING, chunk_rows=100_000)
        for frame in stream:
            rows += frame.height
            missing += frame["symbol"].is_not_null().sum()
            total += frame["value"].sum()
        extra = {"missing": int(missing), "value_sum": round(total, 2)}
    elif kind == "pandas":
        import pandas as pd

        df = pd.read_csv(
            path,
            sep=";",
            decimal=",",
            encoding="utf-8-sig",
            na_values=[".."],
            keep_default_na=False,
            dtype={"regso_kod": str, "månad": str},
        )
        rows = len(df)
        extra = {
            "missing": int(df["värde"].isna().sum()),
            "value_sum": round(float(df["värde"].sum()), 2),
        }
    else:
        raise SystemExit(f"unknown kind {kind}")
    secs = time.perf_counter() - t0
    peak_kb = _peak_rss_kb()
    print(
        json.dumps(
            {"kind": kind, "rows": rows, "seconds": secs, "peak_rss_mb": peak_kb / 1024, **extra}
        )
    )


def measure(kind: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    if out.returncode != 0:
        return {
            "kind": kind,
            "error": (out.stderr or "").strip().splitlines()[-1:] or [f"exit {out.returncode}"],
        }
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--slice-mb", type=int, default=200)
    ap.add_argument("--pandas-full", action="store_true")
    ap.add_argument("--out", default=str(HERE / "results" / "csv.md"))
    ap.add_argument("--child", nargs=2, metavar=("KIND", "PATH"))
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as d:
        big = Path(d) / "long_sv.csv"
        t0 = time.perf_counter()
        rows, size = generate(big, args.size_mb)
        gen_s = time.perf_counter() - t0
        print(f"generated {rows:,} rows, {size / 2**20:,.0f} MiB in {gen_s:.0f} s", flush=True)
        small = Path(d) / "slice.csv"
        slice_file(big, small, args.slice_mb)

        results = {}
        results["stream_full"] = measure("stream", big)
        print(results["stream_full"], flush=True)
        results["stream_slice"] = measure("stream", small)
        print(results["stream_slice"], flush=True)
        results["pandas_slice"] = measure("pandas", small)
        print(results["pandas_slice"], flush=True)
        if args.pandas_full:
            results["pandas_full"] = measure("pandas", big)
            print(results["pandas_full"], flush=True)
        small_size = small.stat().st_size
    load_after = os.getloadavg()[0]

    def rate(r: dict) -> str:
        return f"{r['rows'] / r['seconds']:,.0f}" if "rows" in r else "—"

    def line(name: str, file: str, r: dict) -> str:
        if "error" in r:
            return f"| {name} | {file} | failed: {r['error']} | | | |"
        return (
            f"| {name} | {file} | {r['rows']:,} | {r['seconds']:.1f} | {rate(r)} | "
            f"{r['peak_rss_mb']:,.0f} |"
        )

    ss, ps = results["stream_slice"], results["pandas_slice"]
    ratio = ""
    if "rows" in ss and "rows" in ps:
        ratio = (
            f"pandas.read_csv is {(ps['rows'] / ps['seconds']) / (ss['rows'] / ss['seconds']):.2f}"
            f"× the rows/second of iter_tabular_rows on the slice and needs "
            f"{ps['peak_rss_mb'] / ss['peak_rss_mb']:.1f}× its peak memory."
        )
        if (ss.get("missing"), ss.get("value_sum")) == (ps.get("missing"), ps.get("value_sum")):
            ratio += (
                f" Both found the same {ss['missing']:,} missing cells and the same sum of "
                f"values ({ss['value_sum']:,.2f})."
            )
        else:
            ratio += (
                f" MISMATCH: missing {ss.get('missing')} vs {ps.get('missing')}, "
                f"sum {ss.get('value_sum')} vs {ps.get('value_sum')}."
            )
    cmd = "PYTHONPATH=src nice python bench/bench_csv.py " + " ".join(sys.argv[1:])
    md = [
        "# CSV reader benchmark",
        "",
        f"Command: `{cmd.strip()}`  ",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores shared "
        f"with other work (1-minute load average {load_before:.1f} at the start, "
        f"{load_after:.1f} at the end), Python {platform.python_version()}, "
        f"{platform.system()}. Absolute speeds depend on that load; the ratio to pandas, "
        "measured in the same conditions, is the figure to compare.",
        "",
        f"Generated file: {rows:,} rows, {size / 2**20:,.0f} MiB (semicolons, decimal commas, "
        f'UTF-8 BOM, CRLF, ~0.5 % ".."), written in {gen_s:.0f} s. Slice: first '
        f"{small_size / 2**20:,.0f} MiB.",
        "",
        "| reader | file | rows | seconds | rows/s | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|",
        line(
            "iter_tabular_rows (chunks of 100 000)",
            f"full {size / 2**20:,.0f} MiB",
            results["stream_full"],
        ),
        line("iter_tabular_rows (chunks of 100 000)", "slice", ss),
        line("pandas.read_csv (C engine)", "slice", ps),
    ]
    if "pandas_full" in results:
        md.append(line("pandas.read_csv (C engine)", "full", results["pandas_full"]))
    md += [
        "",
        ratio,
        "",
        "The streaming reader validates every number (Swedish grouping rules, missing-value "
        "symbols), recodes the group column through the mapping and records each row's line "
        "number; pandas does none of that. Its peak memory is bounded by the chunk size, not "
        "the file size.",
        "",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(md), encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
