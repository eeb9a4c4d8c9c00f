"""The page cache cannot be grown by query strings, and it is bounded in bytes.

Query parameters that no view reads (``utm_source``, ``fbclid``, cache busters) are dropped
before the view runs and are not part of the cache key; the process-local cache drops its least
recently used pages when it holds more than its byte budget.
"""

from __future__ import annotations

import gc
import json
import os

from django.core.cache import cache

from skillnader.web.cache import BoundedLocMemCache


def _rss_bytes() -> int:
    with open(f"/proc/{os.getpid()}/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _page_keys() -> list[str]:
    return [k for k in cache._cache if ":skillnader:page:" in k]


def test_junk_query_strings_share_one_entry_and_do_not_grow_memory(client, world):
    first = client.get("/indicator/employment/")
    assert first.status_code == 200
    keys = _page_keys()
    assert len(keys) == 1
    gc.collect()
    before = _rss_bytes()
    for i in range(10_000):
        resp = client.get(f"/indicator/employment/?utm_source=campaign{i}&fbclid=x{i * 7919}")
        assert resp.status_code == 200
    gc.collect()
    grown = _rss_bytes() - before
    assert _page_keys() == keys
    assert grown < 50 * 2**20, f"memory grew by {grown / 2**20:.1f} MB"
    # The page is the same with or without the junk.
    plain = client.get("/indicator/employment/").content
    junk = client.get("/indicator/employment/?utm_medium=mail").content
    assert b"csrfmiddlewaretoken" in plain
    assert len(plain) == len(junk)


def test_parameters_that_change_the_page_are_kept(client, world):
    a = client.get("/indicator/employment/?level=sdo&vintage=2023")
    b = client.get("/indicator/employment/?level=sdo&vintage=2020")
    assert a.status_code == b.status_code == 200
    assert len(_page_keys()) == 2
    # Order of parameters does not matter.
    client.get("/indicator/employment/?vintage=2023&level=sdo&gclid=1")
    assert len(_page_keys()) == 2


def test_api_next_links_carry_no_junk(client, world):
    resp = client.get("/api/v1/observations?limit=1&utm_source=newsletter")
    assert resp.status_code == 200
    data = json.loads(resp.content)
    assert data["next"] and "limit=1" in data["next"]
    assert "utm_source" not in data["next"]


def test_the_local_cache_is_bounded_in_bytes():
    store = BoundedLocMemCache("bounded-test", {"OPTIONS": {"MAX_BYTES": 200_000}})
    store.clear()
    page = b"x" * 30_000
    for i in range(100):
        store.set(f"page{i}", page)
        assert store.bytes_held <= 200_000
    # The most recent pages are kept, the oldest dropped.
    assert store.get("page99") == page
    assert store.get("page0") is None
    # A page read recently outlives older ones.
    store.get("page95")
    for i in range(100, 104):
        store.set(f"page{i}", page)
    assert store.get("page95") == page
    assert store.get("page96") is None
    store.clear()
    assert store.bytes_held == 0
