"""The city report at publication on the bundled real data: after a publication commits, the
report of the latest year appears without any request and the first request is served from it
in under a second. Prints the measured times (``-s``) for ``bench/results/speed.md``."""

from __future__ import annotations

import time

import pytest
from tests.web.test_publish_report import _Admin, _report_file, _wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_publication_on_the_bundle_builds_the_city_report_before_the_first_request(
    bundle_db, client, settings, tmp_path
):
    from skillnader.web.data import admin, queries
    from skillnader.web.data import models as m
    from skillnader.web.public import publish

    settings.DATA_DIR = tmp_path
    indicator = m.Indicator.objects.filter(published=True).order_by("id").first()
    publish.enable()
    try:
        started = time.monotonic()
        admin.publish(_Admin(), None, m.Indicator.objects.filter(pk=indicator.pk))
        committed = time.monotonic() - started
        version = queries.data_version()
        built_sv = _wait_for(_report_file("sv"), 600)
        built_en = _wait_for(_report_file("en"), 600)
    finally:
        publish.disable()
    started = time.monotonic()
    resp = client.get("/report/city/?lang=sv")
    body = b"".join(resp.streaming_content)
    served = time.monotonic() - started
    print(
        f"\npublication committed in {committed:.2f} s; city report (sv) ready "
        f"{built_sv:.1f} s later, (en) {built_en:.1f} s after that; first request "
        f"{served * 1000:.0f} ms, {len(body)} bytes"
    )
    assert resp.status_code == 200 and body == _report_file("sv").read_bytes()
    assert queries.data_version() == version
    assert served < 1.0
