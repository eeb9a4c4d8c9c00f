"""Reports are built once: simultaneous first requests (threads and worker processes) wait for
the one build and all get the complete file; nobody ever reads half a report."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

from skillnader.web.public.reports_views import build_once

BODY = b"%PDF-1.7\n" + b"report " * 50_000 + b"\n%%EOF\n"


def _slow_build(path: Path, log: Path) -> None:
    with open(log, "a") as handle:
        handle.write("build\n")
    with open(path, "wb") as out:
        # Written in pieces over a second, as a real report is: a reader of this file before
        # the rename would see a partial one.
        for i in range(0, len(BODY), len(BODY) // 10 + 1):
            out.write(BODY[i : i + len(BODY) // 10 + 1])
            out.flush()
            time.sleep(0.1)


def _request(target: str, log: str, results) -> None:
    started = time.monotonic()
    path = build_once(Path(target), lambda p: _slow_build(p, Path(log)))
    results.put((Path(path).read_bytes() == BODY, time.monotonic() - started))


def test_four_simultaneous_first_requests_in_four_processes_share_one_build(tmp_path):
    target, log = tmp_path / "city-2023-sv.pdf", tmp_path / "builds.log"
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [
        context.Process(target=_request, args=(str(target), str(log), results)) for _ in range(4)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    outcomes = [results.get(timeout=5) for _ in workers]
    assert all(ok for ok, _ in outcomes), "a request got an incomplete report"
    assert log.read_text().count("build") == 1
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
    # Afterwards the file is served without building: well under a second.
    started = time.monotonic()
    assert build_once(target, lambda p: _slow_build(p, log)) == target
    assert time.monotonic() - started < 1.0
    assert log.read_text().count("build") == 1


def test_threads_of_one_worker_wait_for_the_same_file(tmp_path):
    target, log = tmp_path / "area.html", tmp_path / "builds.log"
    seen: list[bytes] = []

    def request() -> None:
        seen.append(build_once(target, lambda p: _slow_build(p, log)).read_bytes())

    threads = [threading.Thread(target=request) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert seen == [BODY] * 4
    assert log.read_text().count("build") == 1


def test_a_failed_build_leaves_nothing_behind_and_the_next_request_builds(tmp_path):
    target = tmp_path / "city.pdf"

    def broken(path: Path) -> None:
        path.write_bytes(b"%PDF half")
        raise RuntimeError("renderer crashed")

    try:
        build_once(target, broken)
    except RuntimeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("the failure was swallowed")
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
    build_once(target, lambda p: p.write_bytes(BODY))
    assert target.read_bytes() == BODY
