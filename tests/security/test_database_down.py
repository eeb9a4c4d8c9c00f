"""Database down: 503 with Retry-After, a Swedish page in the site's layout (JSON for the API),
and pages cached before the failure still served (issue 16, item 8).

The failure is made with Django's own hook for every query (``execute_wrapper``) raising the
error a stopped server gives, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import contextlib
import json

from django.db import OperationalError, connection


def _refuse(execute, sql, params, many, context):
    raise OperationalError(
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    )


@contextlib.contextmanager
def database_down():
    with connection.execute_wrapper(_refuse):
        yield


def test_an_uncached_page_is_a_swedish_503_with_retry_after(world, client):
    with database_down():
        r = client.get("/indicator/employment/")
    assert r.status_code == 503
    assert int(r["Retry-After"]) > 0
    body = r.content.decode()
    assert '<html lang="sv">' in body and "Tillfälligt otillgänglig" in body
    assert 'class="site-header"' in body  # the site's layout, with its navigation
    assert "Traceback" not in body and "OperationalError" not in body
    assert "Content-Security-Policy" in r


def test_the_api_answers_json(world, client):
    with database_down():
        r = client.get("/api/v1/observations?indicator=employment")
    assert r.status_code == 503 and r["Content-Type"] == "application/json"
    assert int(r["Retry-After"]) > 0
    data = json.loads(r.content)
    assert data["status"] == 503 and "unavailable" in data["error"]


def test_pages_cached_before_the_failure_are_still_served(world, client):
    urls = ["/", "/indicator/employment/", "/api/v1/indicators", "/indicator/employment.csv"]
    before = {u: client.get(u) for u in urls}
    assert all(r.status_code == 200 for r in before.values())
    with database_down():
        for u in urls:
            r = client.get(u)
            assert r.status_code == 200, u
            if not u.endswith("/"):
                assert r.content == before[u].content, u
        # ... while a page that was never shown cannot be made.
        assert client.get("/indicator/overcrowding/").status_code == 503


def test_signed_in_pages_and_the_admin_are_503_too(world, staff):
    with database_down():
        r = staff.get("/admin/data/observation/")
    assert r.status_code == 503 and "Tillfälligt otillgänglig" in r.content.decode()


def test_english_visitors_get_the_page_in_english(world, client):
    client.cookies["django_language"] = "en"
    with database_down():
        r = client.get("/area/sdo/2023/11/")
    assert r.status_code == 503 and "Temporarily unavailable" in r.content.decode()
