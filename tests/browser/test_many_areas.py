"""An indicator published for hundreds of areas without boundaries (valdistrikt), in Chromium:
the page stays short — the table is searchable and shown a page at a time, in natural order
(Distrikt 2 before Distrikt 10), and the ranking chart draws the highest and lowest areas only —
while every area stays in the table and the twins. Checked on a desktop and on a phone, with
axe-core and the list of English words."""

from __future__ import annotations

import json

import pytest
from tests.browser.test_public_site_all_pages import VISIBLE_AND_SPOKEN, english_in, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.slow]

N = 200
URL = "/indicator/turnout/"


@pytest.fixture
def districts(world):
    from skillnader.web.data import models as m

    rel, city = world["release"], world["city"]
    vd = m.AreaLevel.objects.create(id="valdistrikt", name_sv="Valdistrikt", order=7)
    v18 = m.Vintage.objects.create(level=vd, code="2018", name_sv="Valdistrikt 2018")
    turnout = m.Indicator.objects.create(
        id="turnout",
        domain_id="democracy",
        name_sv="Valdeltagande",
        measure="proportion",
        polarity="higher_is_better",
        unit="percent",
        multiplier=100,
        decimals=1,
        order=1,
    )
    everyone = m.Group.objects.get(key="")
    cells = [(city, 80.0)]
    for i in range(1, N + 1):
        area = m.Area.objects.create(level=vd, vintage=v18, code=f"V{i:03d}", name=f"Distrikt {i}")
        cells.append((area, 60.0 + (i * 37 % N) / 10))
    for area, value in cells:
        m.Observation.objects.create(
            indicator=turnout,
            area=area,
            group=everyone,
            period="2018",
            year=2018,
            value=value,
            lower=value - 1,
            upper=value + 1,
            release=rel,
        )
    return world


def _names(page) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#table tbody tr'))"
        ".filter(r => !r.hidden && r.offsetParent !== null)"
        ".map(r => r.querySelector('th').innerText.trim())"
    )


def _wait_for_charts(page) -> None:
    charts = page.locator(".vega-chart")
    for i in range(charts.count()):
        charts.nth(i).locator("svg").first.wait_for(timeout=15000)


def test_hundreds_of_areas_make_a_short_searchable_page(browser, live_server, districts, artifacts):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + URL)
        _wait_for_charts(page)
        page.screenshot(path=str(artifacts / "browser-many-areas.png"), full_page=True)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 6000, height
        # One page of the table, in natural order, and where the visitor is.
        assert _names(page)[:3] == ["Distrikt 1", "Distrikt 2", "Distrikt 3"]
        assert len(_names(page)) == 25
        options = page.locator("#trend-areas option").all_inner_texts()
        assert options[:3] == ["Distrikt 1", "Distrikt 2", "Distrikt 3"] and len(options) == N
        status = page.locator("#table-status")
        assert status.inner_text() == f"Visar 1–25 av {N} områden"
        # The next page, by keyboard.
        page.locator("#table-pager button[data-page=next]").focus()
        page.keyboard.press("Enter")
        assert _names(page)[0] == "Distrikt 26" and len(_names(page)) == 25
        assert status.inner_text() == f"Visar 26–50 av {N} områden"
        # Searching finds the areas whose names match, across all pages.
        page.fill("#table-filter", "distrikt 17")
        found = _names(page)
        assert found[:2] == ["Distrikt 17", "Distrikt 170"] and len(found) == 11
        assert status.inner_text() == f"11 av {N} områden matchar; visar 1–11"
        page.fill("#table-filter", "ingen sådan")
        assert _names(page) == [] and "Inget område" in status.inner_text()
        page.fill("#table-filter", "")
        # Sorting by value sorts every area, then shows the first page.
        page.locator("#table thead th").nth(1).locator("button").click()
        values = page.evaluate(
            "Array.from(document.querySelectorAll('#table tbody tr'))"
            ".filter(r => !r.hidden).map(r => r.cells[1].innerText)"
        )
        assert len(values) == 25 and values[0] == "60,0"
        # Every area is one press away.
        page.locator("#table-pager button[data-page=all]").click()
        assert len(_names(page)) == N
        # The ranking chart draws the ten highest and ten lowest, and says so.
        bars = json.loads(page.locator("#bars-spec").text_content())
        drawn = [d["label"] for d in bars["data"]["values"]]
        assert len(drawn) == 20 and drawn[0] == "Distrikt 27"  # 60 + 19,9
        caption = page.locator("#bars-caption")
        assert f"Med {N} områden visar diagrammet de 10 högsta" in caption.inner_text()
        # The twins keep every area.
        data = json.loads(page.request.get(live_server.url + "/indicator/turnout.json").text())
        assert len(data["areas"]) == N
        page.locator("#table-pager button[data-page=all]").click()  # back to pages
        assert not run_axe(page)
    finally:
        context.close()


def test_hundreds_of_areas_on_a_phone(browser, live_server, districts):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server.url + URL)
        _wait_for_charts(page)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, overflow
        assert page.evaluate("document.documentElement.scrollHeight") < 9000
        words = english_in(page.evaluate(VISIBLE_AND_SPOKEN))
        assert not words, words
        assert not run_axe(page)
    finally:
        context.close()
