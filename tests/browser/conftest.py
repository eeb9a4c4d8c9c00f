"""Chromium through Playwright against a live server with the web fixture data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import cache

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run in a
# thread with a running loop unless told this is deliberate (the fixtures run before it starts).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(transactional_db):
    from tests.web.conftest import make_world

    cache.clear()
    data = make_world()
    yield data
    cache.clear()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.requests_seen = []
    pg.on("request", lambda req: pg.requests_seen.append(req.url))
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
