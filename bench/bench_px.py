"""Benchmark of the PC-Axis reader: throughput and peak memory on a large generated file, and a
side-by-side comparison with the ``pyaxis`` package (if installed) on a smaller file.

Run:  PYTHONPATH=src python bench/bench_px.py [--regions 6000] [--small-regions 300] [--out FILE]

Each measurement runs in a fresh child process so that its peak resident memory
(``resource.getrusage``) belongs to that read alone. Results are printed and written to
``bench/results/px.md``.
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

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def generate(path: Path, regions: int, ages: int = 101, years: int = 20, seed: int = 1) -> int:
    """Write a PX file region × age × sex (stub) × year (heading); returns the number of cells.

    Values are counts 0-999999 with a missing-value symbol in about one cell in 500, so the
    reader's symbol path is exercised too.
    """
    rng = np.random.default_rng(seed)
    sexes = 2
    header = [
        'CHARSET="ANSI";',
        'CODEPAGE="iso-8859-1";',
        'AXIS-VERSION="2013";',
        'LANGUAGE="sv";',
        'TITLE="Folkmängd efter område, ålder, kön och år (genererad)";',
        'CONTENTS="Folkmängd";',
        'UNITS="antal";',
        'STUB="område","ålder","kön";',
        'HEADING="år";',
        'VALUES("område")=' + ",\n".join(f'"Område {i:05d}"' for i in range(regions)) + ";",
        'CODES("område")=' + ",\n".join(f'"{i:05d}"' for i in range(regions)) + ";",
        'VALUES("ålder")=' + ",".join(f'"{a}"' for a in range(ages)) + ";",
        'VALUES("kön")="män","kvinnor";',
        'VALUES("år")=' + ",".join(f'"{2000 + y}"' for y in range(years)) + ";",
        'TIMEVAL("år")=TLIST(A1),' + ",".join(f'"{2000 + y}"' for y in range(years)) + ";",
        "DATA=",
    ]
    rows = regions * ages * sexes
    with open(path, "wb") as fh:
        fh.write("\n".join(header).encode("latin-1") + b"\n")
        block = 20000
        for start in range(0, rows, block):
            n = min(block, rows - start)
            vals = rng.integers(0, 1_000_000, size=(n, years))
            text = [" ".join(map(str, row)) for row in vals.tolist()]
            missing = rng.random(n) < 0.04
            for i in np.flatnonzero(missing).tolist():
                parts = text[i].split(" ")
                parts[int(rng.integers(0, years))] = '".."'
                text[i] = " ".join(parts)
            fh.write(("\n".join(text) + "\n").encode("ascii"))
        fh.write(b";\n")
    return rows * years


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r})
kind, path = sys.argv[1], sys.argv[2]
if kind == "skillnader":
    from skillnader.readers.px import read_px
else:
    from pyaxis import pyaxis
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if kind == "skillnader":
    cube = read_px(path)
    cells = int(cube.values.size)
else:
    # pyaxis needs the encoding from the caller; the file declares ISO-8859-1
    px = pyaxis.parse(uri=path, encoding="ISO-8859-1")
    cells = int(len(px["DATA"]))
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"cells": cells, "seconds": seconds, "peak_kib": peak, "base_kib": base}}))
"""


def measure(kind: str, path: Path) -> dict:
    code = CHILD.format(src=str(SRC))
    out = subprocess.run(
        [sys.executable, "-c", code, kind, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def has_pyaxis() -> bool:
    out = subprocess.run([sys.executable, "-c", "import pyaxis"], capture_output=True, check=False)
    return out.returncode == 0


def mib(kib: float) -> float:
    return kib / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=6000, help="regions in the large file")
    ap.add_argument("--small-regions", type=int, default=250, help="regions in the small file")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "px.md")
    ap.add_argument("--tmp", type=Path, default=None, help="directory for the generated files")
    args = ap.parse_args()

    command = "PYTHONPATH=src python bench/bench_px.py " + " ".join(sys.argv[1:])
    lines = ["# PC-Axis reader benchmark", "", f"Command: `{command.strip()}`", ""]
    lines.append(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, NumPy {np.__version__}; "
        f"date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average at start "
        f"{os.getloadavg()[0]:.1f} (the machine is shared: timings vary with other work, "
        "peak memory does not)."
    )
    lines.append("")
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        big = Path(tmp) / "large.px"
        t0 = time.perf_counter()
        cells = generate(big, args.regions)
        gen_s = time.perf_counter() - t0
        size_mb = big.stat().st_size / 1e6
        print(f"generated {big.name}: {size_mb:.1f} MB, {cells:,} cells in {gen_s:.1f} s")
        r = measure("skillnader", big)
        if "error" in r:
            raise SystemExit(f"reading the large file failed: {r['error']}")
        assert r["cells"] == cells
        cube_mib = cells * 8 / 2**20
        lines += [
            "## Large file",
            "",
            f"{args.regions} areas × 101 ages × 2 sexes (stub) × 20 years (heading): "
            f"**{cells:,} cells**, file {size_mb:.1f} MB.",
            "",
            "| reader | seconds | cells/second | peak RSS (MiB) | of which the cube (MiB) |",
            "|---|---:|---:|---:|---:|",
            f"| skillnader.read_px | {r['seconds']:.2f} | {cells / r['seconds']:,.0f} | "
            f"{mib(r['peak_kib']):.0f} | {cube_mib:.0f} |",
            "",
            f"Python and NumPy alone take {mib(r['base_kib']):.0f} MiB before reading; the rest "
            f"of the peak is the cube plus the temporaries of one {_chunk_kib()} KiB chunk of "
            "DATA text, not a copy of the file.",
            "",
        ]
        print(lines[-5])

        small = Path(tmp) / "small.px"
        small_cells = generate(small, args.small_regions, seed=2)
        ours = measure("skillnader", small)
        lines += [
            "## Comparison with pyaxis",
            "",
            f"Smaller file: {args.small_regions} areas, **{small_cells:,} cells**, "
            f"{small.stat().st_size / 1e6:.1f} MB.",
            "",
            "| reader | seconds | cells/second | peak RSS (MiB) |",
            "|---|---:|---:|---:|",
            f"| skillnader.read_px | {ours['seconds']:.2f} | "
            f"{small_cells / ours['seconds']:,.0f} | {mib(ours['peak_kib']):.0f} |",
        ]
        if has_pyaxis():
            theirs = measure("pyaxis", small)
            if "error" in theirs:
                lines += ["", f"pyaxis failed: `{theirs['error']}`"]
            else:
                lines.append(
                    f"| pyaxis {_pyaxis_version()} | {theirs['seconds']:.2f} | "
                    f"{small_cells / theirs['seconds']:,.0f} | {mib(theirs['peak_kib']):.0f} |"
                )
                lines += [
                    "",
                    f"Ratio pyaxis / skillnader: time **{theirs['seconds'] / ours['seconds']:.1f}×**"
                    f", peak memory **{theirs['peak_kib'] / ours['peak_kib']:.1f}×** "
                    f"(pyaxis returned {theirs['cells']:,} rows of strings).",
                ]
        else:
            lines += ["", "pyaxis is not installed; no comparison."]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {args.out}")


def _chunk_kib() -> int:
    sys.path.insert(0, str(SRC))
    from skillnader.readers import px

    return px._CHUNK // 1024


def _pyaxis_version() -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import importlib.metadata as m; print(m.version('pyaxis'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or "?"


if __name__ == "__main__":
    main()
