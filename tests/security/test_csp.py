"""Content-Security-Policy on every page type, without 'unsafe-inline' or 'unsafe-eval', and no
inline script or style in any page the site renders (issue 16, item 6)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

PAGES = [
    "/",
    "/domain/work/",
    "/indicator/employment/",
    "/area/sdo/2023/11/",
    "/compare/?a=sdo/2023/11&a=sdo/2023/12",
    "/search/?q=s%C3%B6der",
    "/does-not-exist/",
    "/admin/login/",
    "/remiss/",
]
TWINS = [
    "/indicator/employment.json",
    "/indicator/employment.csv",
    "/api/v1/",
    "/api/v1/indicators",
]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_strict(response):
    p = policy(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert p["default-src"] == ["'self'"]
    assert p["script-src"] == ["'self'"] and p["style-src"] == ["'self'"]
    assert p["object-src"] == ["'none'"] and p["frame-ancestors"] == ["'none'"]


class InlineFinder(HTMLParser):
    """Collects inline scripts, style elements, style attributes and event handler attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and not a.get("src") and a.get("type") != "application/json":
            self.found.append(f"inline <script> {attrs}")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style attribute on <{tag}>: {value}")
            if name.startswith("on"):
                self.found.append(f"event handler {name} on <{tag}>")
            if value and re.match(r"\s*javascript:", value, re.I):
                self.found.append(f"javascript: URL on <{tag}>")


@pytest.mark.parametrize("url", PAGES)
def test_every_page_type_has_a_strict_policy_and_no_inline_code(world, client, url):
    r = client.get(url)
    assert r.status_code in (200, 404), (url, r.status_code)
    assert_strict(r)
    finder = InlineFinder()
    finder.feed(r.content.decode())
    assert finder.found == [], (url, finder.found)


@pytest.mark.parametrize("url", TWINS)
def test_twins_and_api_carry_the_policy_too(world, client, url):
    r = client.get(url)
    assert r.status_code == 200
    assert_strict(r)


def test_cached_pages_keep_the_policy(world, client):
    first = client.get("/indicator/employment/")
    again = client.get("/indicator/employment/")
    assert first.content == again.content or first.status_code == again.status_code == 200
    assert_strict(again)


def test_admin_pages_for_staff_have_no_inline_code(world, staff):
    for url in (
        "/admin/",
        "/admin/data/observation/",
        "/admin/data/indicator/employment/change/",
        "/admin/data/observation/import/",
    ):
        r = staff.get(url)
        assert r.status_code == 200, url
        assert_strict(r)
        finder = InlineFinder()
        finder.feed(r.content.decode())
        assert finder.found == [], (url, finder.found)


@pytest.mark.browser
def test_charts_and_maps_draw_under_the_policy_without_violations(browser, live_server):
    """Chromium reports every blocked script, style or eval on the console: none may appear,
    and the chart and the map must still be drawn (Vega's interpreter, no eval)."""
    from django.core.cache import cache
    from tests.web.conftest import make_world

    cache.clear()
    make_world()
    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: violations.append(str(e)))
    try:
        for url in ("/", "/indicator/employment/", "/area/sdo/2023/11/", "/compare/"):
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            if url.startswith("/indicator/"):
                page.wait_for_selector(".vega-chart svg [role='graphics-symbol']", timeout=15000)
                assert page.locator(".vega-chart svg").count() >= 1
        assert violations == []
    finally:
        context.close()
        cache.clear()
