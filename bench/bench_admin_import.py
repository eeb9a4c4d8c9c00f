"""Benchmark: a large CSV uploaded through the admin's import page under gunicorn's production
timeout. Generates the synthetic CSV of ``bench_import.py`` (``--mb`` megabytes; synthetic count
indicators ``bench_count_NN`` × the 127 RegSO × two sexes × days), starts gunicorn
(``--workers 4 --timeout 30``) on loopback over a SQLite database set up by ``bench_import``'s
recipe (``--home``: made if missing, which loads the bundle), signs in as an analyst, uploads
the file with its mapping, and measures how long the upload request takes and how long until
the job's status page (``?format=json``) says done, polling once a second.

    python bench/bench_admin_import.py --mb 35 --home /tmp/bench-admin-home
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_import import MAPPING, generate  # noqa: E402

SETUP = r"""
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "skillnader.web.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from skillnader.bundle.load import load_bundle
load_bundle()
from skillnader.web.data import models as m
for k in range(int(sys.argv[1])):
    m.Indicator.objects.get_or_create(id=f"bench_count_{k:02d}", defaults=dict(
        domain_id="work", name_sv=f"Syntetiskt antal {k}", measure="count",
        polarity="no_judgement", unit="persons", publication_threshold=0))
from django.contrib.auth import get_user_model
get_user_model().objects.create_superuser("analytiker", "a@example.org", sys.argv[2])
"""
PASSWORD = "bench-pw-8472-xyz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(a, env, log_fh, csv_path: Path, mapping: Path):
    """Start gunicorn, sign in, upload, poll until done; stop gunicorn."""
    import requests

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "skillnader.web.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", "4", "--timeout", str(a.timeout)],
        env=env, stdout=subprocess.DEVNULL, stderr=log_fh,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        s = requests.Session()
        for _ in range(100):
            try:
                s.get(base + "/admin/login/", timeout=60)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        r = s.post(
            base + "/admin/login/?next=/admin/",
            data={
                "username": "analytiker",
                "password": PASSWORD,
                "csrfmiddlewaretoken": s.cookies["csrftoken"],
                "next": "/admin/",
            },
            headers={"Referer": base + "/admin/login/"},
        )
        assert r.ok and "/admin/login/" not in r.url, r.status_code
        url = base + "/admin/data/observation/import/"
        s.get(url)
        t0 = time.perf_counter()
        with csv_path.open("rb") as fh, mapping.open("rb") as mh:
            r = s.post(
                url,
                data={"csrfmiddlewaretoken": s.cookies["csrftoken"]},
                files={"file": (csv_path.name, fh), "mapping": ("mapping.yaml", mh)},
                headers={"Referer": url},
                allow_redirects=False,
            )
        t_upload = time.perf_counter() - t0
        assert r.status_code == 302, (r.status_code, r.text[-2000:])
        status = base + r.headers["Location"]
        seen = []
        while True:
            data = s.get(status + "?format=json", timeout=30).json()
            if not seen or seen[-1][1:] != (data["stage"], data["progress"]):
                seen.append((round(time.perf_counter() - t0), data["stage"], data["progress"]))
            if data["done"]:
                break
            time.sleep(1)
        t_done = time.perf_counter() - t0
        page = s.get(status).text
    finally:
        server.terminate()
        server.wait(30)
    return t_upload, t_done, data, seen, page


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=35)
    ap.add_argument("--indicators", type=int, default=50)
    ap.add_argument("--home", required=True, help="SKILLNADER_HOME of the benchmark database")
    ap.add_argument("--timeout", type=int, default=30, help="gunicorn's --timeout")
    a = ap.parse_args()
    env = {**os.environ, "SKILLNADER_HOME": a.home}
    env.pop("DATABASE_URL", None)
    if not (Path(a.home) / "skillnader.sqlite3").exists():
        Path(a.home).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-c", SETUP, str(a.indicators), PASSWORD], env=env, check=True
        )
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, mapping = Path(tmp) / "folkbokförda.csv", Path(tmp) / "mapping.yaml"
        mapping.write_text(MAPPING, encoding="utf-8")
        rows = generate(csv_path, a.mb, a.indicators)
        size = csv_path.stat().st_size
        log = Path(tmp) / "gunicorn.log"
        with log.open("w") as log_fh:
            t_upload, t_done, data, seen, page = run(a, env, log_fh, csv_path, mapping)
        killed = len(re.findall(r"WORKER TIMEOUT", log.read_text()))
    print(f"file: {size / 1e6:.1f} MB, {rows:,} rows; gunicorn 4 workers, --timeout {a.timeout}")
    print(f"upload request answered in {t_upload:.1f} s (302 to the status page)")
    print(f"import done after {t_done:.0f} s: {data['status']}, result {data['result']}")
    print(f"error: {data['error']}")
    print(f"stages seen (s, stage, %): {seen}")
    print(f"worker timeouts in gunicorn's log: {killed}; status page 200: {'<table' in page}")


if __name__ == "__main__":
    main()
