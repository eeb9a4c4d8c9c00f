"""The production stack under abuse, on loopback (issue 16, item 4): the shipped nginx front
(``deploy/nginx.conf``) before gunicorn with four workers on a file database.

* Four crawlers walking distinct combinations (uncached renders, each from its own loopback
  address) do not push the cached start page's 95th percentile over 100 ms.
* Slow-header connections (a "slowloris") do not block the site: nginx holds them.

Bounded: at most ``CRAWL_REQUESTS`` requests per crawler, 20 a second each, and
``CRAWL_SECONDS`` seconds; every connection is to 127.0.0.x. The 100 ms bound needs a quiet
machine: when the cached page alone takes over 25 ms (other processes on the host), the bound is
skipped with the measured figures and only the limits are checked."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CRAWL_SECONDS = 15
CRAWL_REQUESTS = 300
#: The visitor measuring the start page stays under nginx's per-address rate (10 a second).
MEASURE_PAUSE = 0.12

pytestmark = pytest.mark.slow

WORLD = """
from skillnader.web.bootstrap import setup_django, migrate
setup_django(); migrate()
from tests.web.conftest import make_world
make_world()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_config(tmp: Path, port: int, redirect_port: int, app_port: int) -> Path:
    """The shipped configuration with the TLS parts and the system paths replaced for a test."""
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith(("ssl_", "http2 ")) or s.startswith("listen [::]"):
            continue
        line = line.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
        line = line.replace("listen 80;", f"listen 127.0.0.1:{redirect_port};")
        line = line.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}")
        line = line.replace(
            "/etc/nginx/skillnader_proxy.conf", str(DEPLOY / "skillnader_proxy.conf")
        )
        line = line.replace("/srv/skillnader/static/", f"{tmp}/static/")
        out.append(line)
    site = tmp / "site.conf"
    site.write_text("\n".join(out), encoding="utf-8")
    (tmp / "static").mkdir(exist_ok=True)
    main = tmp / "nginx.conf"
    main.write_text(
        f"""user root;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
daemon off;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
""",
        encoding="utf-8",
    )
    return main


def wait_for(port: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/")
            c.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing answers on port {port}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed (apt-get install nginx)")
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the load test runs on a file SQLite database")
    tmp = tmp_path_factory.mktemp("stack")
    home = tmp / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        SKILLNADER_HOME=str(home),
        SKILLNADER_CACHE_DIR=str(tmp / "cache"),
        SKILLNADER_WARM="0",
        PYTHONPATH=str(ROOT),
    )
    r = subprocess.run([sys.executable, "-c", WORLD], env=env, cwd=ROOT, capture_output=True)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    app_port, port, redirect_port = free_port(), free_port(), free_port()
    app = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "skillnader.web.wsgi", "--bind",
         f"127.0.0.1:{app_port}", "--workers", "4", "--timeout", "60"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    conf = nginx_config(tmp, port, redirect_port, app_port)
    test = subprocess.run(["nginx", "-t", "-c", str(conf)], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    front = subprocess.Popen(["nginx", "-c", str(conf)], stderr=subprocess.DEVNULL)
    try:
        wait_for(app_port)
        wait_for(port)
        yield {"port": port, "app_port": app_port}
    finally:
        front.send_signal(signal.SIGQUIT)
        app.send_signal(signal.SIGTERM)
        for p in (front, app):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path, headers={"Host": "localhost"})
    resp = conn.getresponse()
    resp.read()
    return resp.status


def crawler(port: int, source: str, index: int, stop, out) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    paths = []
    for i in range(CRAWL_REQUESTS):
        k = index * 10_000 + i
        paths.append(
            [
                f"/search/?q=omr{k}",
                f"/indicator/employment/?year={2021 + k % 3}&level=sdo&group=&colour={k}",
                f"/compare/?a=sdo/2023/11&a=sdo/2023/{12 + k % 2}&x={k}",
                f"/api/v1/observations?indicator=employment&period={2021 + k % 3}&n={k}",
            ][i % 4]
        )
    codes: dict[int, int] = {}
    for path in paths:
        if stop.is_set():
            break
        try:
            status = get(conn, path)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=30, source_address=(source, 0)
            )
            status = -1
        codes[status] = codes.get(status, 0) + 1
        time.sleep(0.05)  # at most 20 requests a second each: aggressive, not a flood
    out[source] = codes


def test_four_crawlers_do_not_slow_the_cached_start_page(stack):
    port = stack["port"]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    assert get(conn, "/") == 200  # in the page cache from here on
    idle = []
    for _ in range(40):
        t0 = time.perf_counter()
        assert get(conn, "/") == 200
        idle.append(time.perf_counter() - t0)
        time.sleep(MEASURE_PAUSE)
    idle.sort()
    idle_p95 = idle[int(0.95 * (len(idle) - 1))]
    # Crawlers in their own processes, so that their client work does not share this
    # process's interpreter lock with the measurement.
    ctx = multiprocessing.get_context("fork")
    manager = ctx.Manager()
    stop = manager.Event()
    results = manager.dict()
    crawlers = [
        ctx.Process(target=crawler, args=(port, f"127.0.0.{i + 2}", i, stop, results))
        for i in range(4)
    ]
    for t in crawlers:
        t.start()
    latencies = []
    deadline = time.monotonic() + CRAWL_SECONDS
    while time.monotonic() < deadline and any(t.is_alive() for t in crawlers):
        t0 = time.perf_counter()
        assert get(conn, "/") == 200
        latencies.append(time.perf_counter() - t0)
        time.sleep(MEASURE_PAUSE)
    stop.set()
    for t in crawlers:
        t.join(timeout=60)
        if t.is_alive():
            t.kill()
    results = dict(results)
    manager.shutdown()
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    p50 = latencies[len(latencies) // 2]
    done = sum(sum(c.values()) for c in results.values())
    limited = sum(c.get(429, 0) for c in results.values())
    print(f"idle p95 {idle_p95 * 1000:.1f} ms; "
          f"start page p50 {p50 * 1000:.1f} ms p95 {p95 * 1000:.1f} ms over {len(latencies)} "
          f"requests; crawlers {done} requests, {limited} refused with 429: {results}")  # fmt: skip
    assert len(latencies) >= 30
    assert limited > 0  # the crawlers were slowed by the limits
    if idle_p95 >= 0.025:
        # Other processes keep the machine so busy that the cached page takes over 25 ms
        # without any crawler (on a quiet machine: a few ms): the 100 ms bound cannot be
        # measured here.
        pytest.skip(f"machine too busy to measure: idle p95 {idle_p95 * 1000:.0f} ms")
    assert p95 < 0.100, f"p95 {p95 * 1000:.0f} ms (idle {idle_p95 * 1000:.0f} ms)"


def test_slow_header_connections_do_not_block_the_site(stack):
    port = stack["port"]
    slow = []
    for i in range(12):
        s = socket.create_connection(("127.0.0.1", port), source_address=(f"127.0.1.{i + 1}", 0))
        s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")  # and never the end of the headers
        slow.append(s)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(10):
            t0 = time.perf_counter()
            assert get(conn, "/") == 200
            assert time.perf_counter() - t0 < 2.0
    finally:
        for s in slow:
            s.close()


def test_the_shipped_config_drops_a_forged_forwarded_for():
    text = (DEPLOY / "skillnader_proxy.conf").read_text(encoding="utf-8")
    assert re.search(r"proxy_set_header X-Forwarded-For \$remote_addr;", text)
    assert "proxy_buffering on;" in text and "proxy_request_buffering on;" in text
