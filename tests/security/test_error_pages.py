"""Styled Swedish error pages in the site's layout (issue 16, item 8): 404 and 500 never show
Django's English page or a traceback; the API answers in JSON."""

from __future__ import annotations

import json

import pytest


def test_404_is_swedish_in_the_layout(world, client):
    r = client.get("/finns-inte/alls/")
    assert r.status_code == 404
    body = r.content.decode()
    assert '<html lang="sv">' in body and 'class="site-header"' in body
    assert "Not Found" not in body and "/finns-inte/alls/" in body
    assert "'unsafe-inline'" not in r["Content-Security-Policy"]


def test_404_of_the_api_is_json(world, client):
    r = client.get("/api/v1/finns-inte")
    assert r.status_code == 404 and r["Content-Type"] == "application/json"
    assert json.loads(r.content)["error"]


@pytest.fixture
def faulty(settings, client):
    settings.ROOT_URLCONF = "tests.security.urls_fault"
    client.raise_request_exception = False
    return client


def test_500_is_swedish_in_the_layout_without_a_traceback(world, faulty):
    r = faulty.get("/boom/")
    assert r.status_code == 500
    body = r.content.decode()
    assert '<html lang="sv">' in body and 'class="site-header"' in body
    assert "RuntimeError" not in body and "Traceback" not in body
    assert "Server Error" not in body


def test_500_of_the_api_is_json(world, faulty):
    r = faulty.get("/api/v1/boom")
    assert r.status_code == 500 and r["Content-Type"] == "application/json"
    assert json.loads(r.content) == {"error": "internal server error", "status": 500}
