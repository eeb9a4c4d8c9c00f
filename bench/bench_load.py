"""Server time under concurrent load on loopback: gunicorn serving the bundled data, wrk as the
load (20 connections), on SQLite and on PostgreSQL.

    python bench/bench_load.py --duration 60                 # SQLite (a fresh SKILLNADER_HOME)
    python bench/bench_load.py --duration 60 --postgres      # a throwaway PostgreSQL cluster

Needs Debian's ``wrk`` (and PostgreSQL's binaries for ``--postgres``). Every request goes to
127.0.0.1 only. Reports p50/p95/p99 latency, requests per second and errors per page type,
first with the production page cache answering, then with a unique query parameter on every
request so that each one is a cache miss and runs the view.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "start": "/",
    "indicator": "/indicator/born_abroad_share/?level=regso&vintage=2020&year=2023",
    "area profile": "/area/sdo/2023/0180-sdo-jarva/",
    "observations API": "/api/v1/observations?indicator=dwellings_rental_share&level=regso",
}
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.2f %.2f %.2f %d %d %d %d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.errors.status, summary.duration))
end
"""

# Every request with a query parameter of its own: the page cache never answers, so this
# measures the views themselves (database queries, analysis, templates) under the same load.
LUA_UNCACHED = (
    """
local n = 0
request = function()
  n = n + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "uncached=" .. math.random(1, 1000000000) .. "-" .. n)
end
"""
    + LUA
)


def wait_for(url: str, seconds: float = 120) -> None:
    end = time.time() + seconds
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except urllib.error.HTTPError as err:
            # The server is up and answered with an error: that is a failure, not "not yet".
            raise SystemExit(f"server answered {err.code} at {url}") from err
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer at {url}")


def start_postgres(tmp: Path, port: int) -> tuple[str, list[str]]:
    bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    data = tmp / "pg"
    run_as = []
    if os.geteuid() == 0:
        run_as = ["runuser", "-u", "postgres", "--"]
        tmp.chmod(0o777)
    subprocess.run(
        [
            *run_as,
            f"{bindir}/initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            f"{bindir}/pg_ctl",
            "-D",
            str(data),
            "-l",
            str(tmp / "pg.log"),
            "-w",
            "-o",
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={tmp}",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    stop = [*run_as, f"{bindir}/pg_ctl", "-D", str(data), "-m", "fast", "stop"]
    return f"postgresql://postgres@127.0.0.1:{port}/postgres", stop


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--connections", type=int, default=20)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--port", type=int, default=8765)
    a = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    tmp = Path(tempfile.mkdtemp(prefix="skillnader-load-"))
    env = {
        **os.environ,
        "SKILLNADER_HOME": str(tmp / "home"),
        "SKILLNADER_DEBUG": "0",
        "SKILLNADER_LOG_LEVEL": "ERROR",
        # The page cache shared by the workers, as in production (README): without it each
        # worker fills its own cache and the first requests of every worker are misses.
        "SKILLNADER_CACHE_DIR": str(tmp / "cache"),
    }
    env.pop("DATABASE_URL", None)
    stop = None
    if a.postgres:
        env["DATABASE_URL"], stop = start_postgres(tmp, a.port + 1)
    server = None
    try:
        subprocess.run(
            [sys.executable, "-m", "skillnader.cli", "init"],
            env=env,
            check=True,
            capture_output=True,
        )
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "skillnader.web.wsgi",
                "--bind",
                f"127.0.0.1:{a.port}",
                "--workers",
                str(a.workers),
                "--log-level",
                "error",
            ],
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{a.port}"
        wait_for(base + "/")
        (tmp / "report.lua").write_text(LUA)
        db = "PostgreSQL" if a.postgres else "SQLite"
        print(
            f"{db}, gunicorn {a.workers} workers, wrk {a.connections} connections, "
            f"{a.duration} s per page type, {os.cpu_count()} cores"
        )
        (tmp / "uncached.lua").write_text(LUA_UNCACHED)
        for label, script in (
            ("page cache on", "report.lua"),
            ("every request a cache miss", "uncached.lua"),
        ):
            print(f"\n{label}:\n")
            print("| page | p50 ms | p95 ms | p99 ms | requests/s | errors | non-2xx |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            for name, path in PAGES.items():
                for _ in range(3):  # warm every worker (and, cached, its page cache)
                    urllib.request.urlopen(base + path, timeout=120).read()
                out = subprocess.run(
                    [
                        "wrk",
                        "-t",
                        "2",
                        "-c",
                        str(a.connections),
                        "-d",
                        f"{a.duration}s",
                        "--timeout",
                        "10s",
                        "-s",
                        str(tmp / script),
                        base + path,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                p50, p95, p99, n, errors, status, duration_us = out.split("RESULT ")[1].split()
                rps = int(n) / (int(duration_us) / 1e6)
                print(f"| {name} | {p50} | {p95} | {p99} | {rps:.0f} | {errors} | {status} |")
                if script == "report.lua":
                    size = len(urllib.request.urlopen(base + path, timeout=60).read())
                    print(f"|   ({name} response: {size / 1024:.0f} KB) |||||||")
    finally:
        if server:
            server.terminate()
            server.wait()
        if stop:
            subprocess.run(stop, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
