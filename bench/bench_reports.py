"""Benchmark: the yearly city report and the profiles of all RegSO, from the bundled real data.

Each workload runs in its own process (so that the peak resident memory is its own), with a cold
chart cache:

* ``city``: the full city report as PDF for ``--year``;
* ``city-charts``: the same Vega-Lite specs rendered to SVG by vl-convert alone;
* ``regso``: one profile per RegSO (127 areas, vintage 2020) as PDF;
* ``regso-charts``: the same specs rendered alone.

The ratio report/charts shows where the time goes (chart rendering vs. data, layout and PDF).
Results are written as Markdown to ``bench/results/reports.md``.

    SKILLNADER_HOME=/tmp/sk-bench python bench/bench_reports.py [--year 2023] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillnader.web.settings")
    from skillnader.cli import migrate, setup_django

    setup_django()
    migrate()
    from skillnader.bundle.load import bundle_loaded, load_bundle

    if not bundle_loaded():
        load_bundle()


def _record_specs(store: list) -> None:
    """Wrap the renderer so that every spec it is asked for is kept (for the charts-only run)."""
    from skillnader.reports import render

    original = render.svg

    def recording(spec, lang="sv"):
        store.append({"spec": spec, "lang": lang})
        return original(spec, lang)

    render.svg = recording


def _cold_cache() -> None:
    from django.conf import settings

    from skillnader.reports import render

    shutil.rmtree(Path(settings.DATA_DIR) / "cache" / "report-charts", ignore_errors=True)
    render.clear_memory_cache()


def workload(name: str, year: int, specs_file: Path, out_dir: Path) -> dict:
    _setup()
    from skillnader.reports import render

    _cold_cache()
    t0 = time.perf_counter()
    if name in ("city", "regso"):
        specs: list = []
        _record_specs(specs)
        if name == "city":
            from skillnader.reports.city import city_report

            city_report(year, out_dir / "city.pdf", "sv")
            count = 1
        else:
            from skillnader.reports.area import all_profiles

            count = len(all_profiles(out_dir / "regso", level="regso", vintage="2020", year=year))
        specs_file.write_text(json.dumps(specs), encoding="utf-8")
        extra = {"documents": count, "charts": len(specs), "vl_seconds": render.STATS["seconds"]}
    else:
        import vl_convert

        specs = json.loads(specs_file.read_text(encoding="utf-8"))
        for s in specs:
            printed = {
                **s["spec"],
                "config": {**s["spec"].get("config", {}), **render.PRINT_CONFIG},
            }
            vl_convert.vegalite_to_svg(printed, format_locale=render.FORMAT_LOCALES[s["lang"]])
        extra = {"charts": len(specs)}
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"workload": name, "seconds": seconds, "peak_mb": peak_mb, **extra}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "reports.md"))
    ap.add_argument("--workload", help=argparse.SUPPRESS)
    ap.add_argument("--specs", help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.workload:
        res = workload(args.workload, args.year, Path(args.specs), Path(args.dir))
        print(json.dumps(res))
        return

    tmp = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    results = {}
    for name, specs in (
        ("city", "city.json"),
        ("city-charts", "city.json"),
        ("regso", "regso.json"),
        ("regso-charts", "regso.json"),
    ):
        cmd = [
            sys.executable,
            __file__,
            "--year",
            str(args.year),
            "--workload",
            name,
            "--specs",
            str(tmp / specs),
            "--dir",
            str(tmp),
        ]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        results[name] = json.loads(out.strip().splitlines()[-1])
        print(results[name], flush=True)
    shutil.rmtree(tmp, ignore_errors=True)

    city, cc = results["city"], results["city-charts"]
    reg, rc = results["regso"], results["regso-charts"]
    lines = [
        "# Reports benchmark",
        "",
        f"Command: `SKILLNADER_HOME={os.environ.get('SKILLNADER_HOME', '')} "
        f"python bench/bench_reports.py --year {args.year}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python "
        f"{platform.python_version()}. Each workload in its own process, cold chart cache; "
        "peak = maximum resident set size of that process.",
        "",
        "| workload | documents | charts | seconds | peak MB | vl-convert in report (s) "
        "| charts alone (s) | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| city report {args.year} (PDF) | {city['documents']} | {city['charts']} | "
        f"{city['seconds']:.1f} | {city['peak_mb']:.0f} | {city['vl_seconds']:.1f} | "
        f"{cc['seconds']:.1f} | "
        f"{city['seconds'] / cc['seconds']:.2f} |",
        f"| profiles of all RegSO (2020), {args.year} (PDF) | {reg['documents']} | "
        f"{reg['charts']} | {reg['seconds']:.1f} | {reg['peak_mb']:.0f} | {reg['vl_seconds']:.1f} | "
        f"{rc['seconds']:.1f} | "
        f"{reg['seconds'] / rc['seconds']:.2f} |",
        "",
        f"Target: city report under 60 s — {'met' if city['seconds'] < 60 else 'NOT met'}.",
        "",
        '"Charts alone" renders the very specs the report asked for with vl-convert in a fresh '
        "process; the rest of the report's time is the queries, the analysis, the templates and "
        "WeasyPrint's layout and PDF writing (which has to parse every chart's SVG again).",
        "",
    ]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
