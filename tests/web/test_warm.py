"""The cache warmer computes the findings before the first visitor asks, and again after an
import changes the data."""

from __future__ import annotations

import time

import pytest

from skillnader.web.data import queries
from skillnader.web.public import warm


@pytest.mark.django_db(transaction=True)
def test_warmer_computes_findings_at_start_and_after_new_data(world, monkeypatch):
    calls = []
    real = queries.findings

    def counting(indicator_id=None):
        version = queries.data_version()
        out = real(indicator_id)
        calls.append(version)  # once computed and cached
        return out

    monkeypatch.setattr(queries, "findings", counting)
    watcher = warm.start_watcher(interval=0.05, reports=False)
    try:
        _check(world, monkeypatch, calls, counting, real)
    finally:
        watcher.stop()
    assert not watcher.is_alive()


def _check(world, monkeypatch, calls, counting, real):
    deadline = time.monotonic() + 20
    while not calls and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(calls) == 1
    first = calls[0]

    # A visitor now finds the findings cached: the analysis is not run again.
    from skillnader.analysis import findings as analysis

    monkeypatch.setattr(analysis, "analyse", lambda *a, **k: pytest.fail("not cached"))
    assert real() == real()

    # New data (as an import writes them): the warmer notices the new version and recomputes.
    from skillnader.web.data import models as m

    monkeypatch.undo()
    monkeypatch.setattr(queries, "findings", counting)
    m.Observation.objects.create(
        indicator=world["overcrowding"],
        area=world["a23"]["11"],
        group=m.Group.objects.get(key=""),
        period="2022",
        year=2022,
        value=7.0,
        release=world["release"],
    )
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(calls) == 2 and calls[1] != first


def test_warming_computes_each_indicator_pages_differences_between_areas(world, monkeypatch):
    computed = []
    real = queries.inequality_series

    def spy(*args):
        computed.append(args)
        return real(*args)

    monkeypatch.setattr(queries, "inequality_series", spy)
    warm.warm()
    assert ("employment", "sdo", "2023", "") in computed
    # the indicator page then finds them cached: the measures are not computed again
    from django.test import Client

    from skillnader.analysis import tables

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(queries, "inequality_series", real)
    monkeypatch.setattr(tables, "area_inequality", refuse)
    body = Client().get("/indicator/employment/").content.decode()
    assert 'id="inequality-table"' in body


def test_preload_imports_what_the_warmer_and_the_first_requests_share(tmp_path):
    """In a fresh interpreter: after ``preload`` (run before the warming thread starts) the
    analysis and statistics modules and every view module are imported, so the thread and the
    first request never import them at the same moment."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import os, sys, django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'skillnader.web.settings')\n"
        "django.setup()\n"
        "wanted = ['skillnader.analysis.tables', 'skillnader.analysis.findings',\n"
        "          'skillnader.stats.trend', 'skillnader.web.api.views',\n"
        "          'skillnader.web.public.views']\n"
        "before = [m for m in wanted if m in sys.modules]\n"
        "from skillnader.web.public.warm import preload\n"
        "preload()\n"
        "import json; print(json.dumps([before, [m for m in wanted if m not in sys.modules]]))\n"
    )
    env = {**os.environ, "SKILLNADER_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    before, missing = json.loads(out.splitlines()[-1])
    assert missing == []
    # the view and analysis modules were not loaded by Django's start, so preload loaded them
    # (the statistics modules may be, since the goals app uses them)
    assert not {m for m in before if not m.startswith("skillnader.stats.")}
