"""The city report is built at publication, in the background: after a withdrawal or a
publication commits, the report for the new data appears without any request, and the first
request then gets that finished file at once."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from skillnader.web.data import queries
from skillnader.web.public import publish, reports_views


class _Admin:
    """The admin actions only tell the user how many rows changed."""

    def message_user(self, request, message):
        self.message = message


def _report_file(lang: str) -> Path:
    from skillnader.reports import data

    year = max(data.years_with_data())
    return reports_views._file(f"city-{year}-{lang}", "pdf")


def _wait_for(path: Path, seconds: float = 180) -> float:
    started = time.monotonic()
    while not path.exists():
        assert time.monotonic() - started < seconds, f"{path.name} was not built"
        time.sleep(0.1)
    return time.monotonic() - started


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_builds_the_city_report_and_the_first_request_is_quick(
    world, client, settings, tmp_path
):
    from skillnader.web.data import admin
    from skillnader.web.data import models as m

    settings.DATA_DIR = tmp_path
    publish.enable()
    try:
        before = queries.data_version()
        admin.withdraw(_Admin(), None, m.Indicator.objects.filter(pk="overcrowding"))
        after = queries.data_version()
        assert after != before
        # Built for the new data version, in both languages, with no request made.
        swedish, english = _report_file("sv"), _report_file("en")
        _wait_for(swedish)
        _wait_for(english)
        assert not [p for p in (tmp_path / "cache" / "reports").iterdir() if "partial" in p.name]
    finally:
        publish.disable()
    assert "Förvärvsfrekvens" in _text(swedish)
    assert "Trångboddhet" not in _text(swedish)
    assert "Employment rate" in _text(english)

    started = time.monotonic()
    resp = client.get("/report/city/?lang=sv")
    body = b"".join(resp.streaming_content)
    elapsed = time.monotonic() - started
    assert resp.status_code == 200
    assert body == swedish.read_bytes() and body.startswith(b"%PDF")
    assert elapsed < 1.0, elapsed
    assert queries.data_version() == after
    # One file per language and data version: the request built nothing more.
    assert sorted(p.name for p in (tmp_path / "cache" / "reports").glob("*.pdf")) == sorted(
        [swedish.name, english.name]
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_request_during_the_build_waits_for_the_same_build(world, client, settings, tmp_path):
    from skillnader.reports import city
    from skillnader.web.data import admin
    from skillnader.web.data import models as m

    settings.DATA_DIR = tmp_path
    builds = []
    real = city.city_report

    def counting(year, out, lang="sv"):
        builds.append(lang)
        time.sleep(1.0)  # a slow build: the request below arrives while it runs
        return real(year, out, lang)

    city.city_report = counting
    publish.enable()
    try:
        m.Indicator.objects.filter(pk="overcrowding").update(published=False)
        admin.publish(_Admin(), None, m.Indicator.objects.filter(pk="overcrowding"))
        deadline = time.monotonic() + 30
        while not builds and time.monotonic() < deadline:
            time.sleep(0.05)
        assert builds == ["sv"]  # the background build has started; no file yet
        resp = client.get("/report/city/?lang=sv")
        body = b"".join(resp.streaming_content)
        assert resp.status_code == 200 and body == _report_file("sv").read_bytes()
        _wait_for(_report_file("en"))
    finally:
        publish.disable()
        city.city_report = real
    assert "Trångboddhet" in _text(_report_file("sv"))
    # The request waited for the background build instead of building a second one.
    assert builds == ["sv", "en"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_commits_during_a_build_make_one_more_build_not_one_each(world, settings, tmp_path):
    from django.db import transaction

    from skillnader.reports import city
    from skillnader.web.data import models as m

    settings.DATA_DIR = tmp_path
    builds, running, most = [], [0], [0]
    real = city.city_report

    def counting(year, out, lang="sv"):
        running[0] += 1
        most[0] = max(most[0], running[0])
        builds.append(lang)
        try:
            time.sleep(0.5)
            return real(year, out, lang)
        finally:
            running[0] -= 1

    city.city_report = counting
    publish.enable()
    try:
        for _ in range(5):
            with transaction.atomic():
                m.data_changed()
            time.sleep(0.1)
        newest = queries.data_version()
        _wait_for(_report_file("sv"))
        _wait_for(_report_file("en"))
        deadline = time.monotonic() + 30
        while (running[0] or publish._running) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        publish.disable()
        city.city_report = real
    assert queries.data_version() == newest
    assert most[0] == 1  # one build at a time, on one thread of the pool
    # The first commit's build, then one more for the newest data: never one per commit.
    assert 2 <= len(builds) <= 4, builds
