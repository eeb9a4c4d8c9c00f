"""Per-client rate limits (issue 16, item 4): a client walking distinct combinations is slowed
to the render limit, while cached pages stay free for everybody; the API has its own limit."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def limits(settings):
    settings.SKILLNADER_RATE_RENDER = "5/60"
    settings.SKILLNADER_RATE_API = "20/60"
    return settings


def crawl(client, ip: str, n: int, start: int = 0):
    """``n`` distinct uncached URLs (distinct query strings) from one client behind the proxy."""
    return [
        client.get(
            f"/search/?q=omr{i}",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=ip,
        )
        for i in range(start, start + n)
    ]


def test_uncached_renders_are_limited_per_client(world, client, limits):
    statuses = [r.status_code for r in crawl(client, "203.0.113.10", 8)]
    assert statuses[:5].count(429) == 0
    assert statuses[5:] == [429, 429, 429]
    refused = crawl(client, "203.0.113.10", 1, start=50)[0]
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 61
    assert "lang=" in refused.content.decode()
    # Another visitor is not affected ...
    assert crawl(client, "198.51.100.7", 1, start=60)[0].status_code != 429
    # ... and a page in the cache is still served to the crawler.
    first = client.get("/search/?q=omr0", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert first.status_code != 429


def test_a_forged_forwarded_for_does_not_escape_the_limit(world, client, limits):
    """Behind the proxy the rightmost address is the proxy's view of the client: a header sent by
    the client itself is only ever further left."""
    statuses = []
    for i in range(8):
        r = client.get(
            f"/search/?q=falsk{i}",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, 203.0.113.11",
        )
        statuses.append(r.status_code)
    assert statuses[5:] == [429, 429, 429]


def test_the_api_is_limited_per_client_with_json(world, client, limits):
    codes = []
    for i in range(24):
        r = client.get(
            f"/api/v1/indicators?i={i % 3}",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.5",
        )
        codes.append(r.status_code)
    assert codes[:20].count(429) == 0 and codes[20:] == [429] * 4
    assert r["Content-Type"] == "application/json"
    body = json.loads(r.content)
    assert body["status"] == 429 and int(r["Retry-After"]) > 0


def test_the_machine_itself_is_not_limited(world, client, limits):
    """Health checks and local scripts reach the application directly on loopback."""
    assert all(client.get(f"/search/?q=lokal{i}").status_code != 429 for i in range(8))
