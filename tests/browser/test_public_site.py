"""The public site as its visitors use it, in Chromium: the selection form, error pages,
numbers, phones and language."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_changing_the_level_shows_the_new_levels_data(page, live_server, world):
    page.goto(live_server.url + "/indicator/employment/?level=sdo&vintage=2020&year=2021")
    page.select_option("#sel-level", "kommun")
    with page.expect_navigation():
        page.click(".selection button[type=submit]")
    assert page.locator("h1").inner_text() == "Förvärvsfrekvens"
    assert page.locator("#sel-level").input_value() == "kommun"
    assert page.locator("#sel-vintage").input_value() == "1971"
    assert "Sidan finns inte" not in page.content()
    # And back, by keyboard only: the district level's latest boundaries and year.
    page.focus("#sel-level")
    page.keyboard.press("ArrowDown")  # the next level in the list
    page.select_option("#sel-level", "sdo")
    page.focus(".selection button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#sel-level").input_value() == "sdo"
    assert page.locator("#sel-vintage").input_value() == "2023"
    assert page.locator("#table tbody tr").count() == 3


def test_not_found_page_has_the_sites_layout(page, live_server, world):
    resp = page.goto(live_server.url + "/indicator/employment/?level=nope")
    assert resp.status == 404
    assert page.locator("h1").inner_text() == "Sidan finns inte"
    assert page.locator("header.site-header nav a").count() >= 3
    page.click("text=Arbete och försörjning")
    page.wait_for_url(live_server.url + "/domain/work/")


def test_indicator_table_sorts_by_a_column(page, live_server, world):
    page.goto(live_server.url + "/indicator/overcrowding/")
    names = "Array.from(document.querySelectorAll('#table tbody th')).map(t => t.innerText)"
    value = page.locator("#table thead th").nth(1)
    value.locator("button").click()
    assert value.get_attribute("aria-sort") == "ascending"
    assert page.evaluate(names) == ["Norra innerstaden", "Södermalm", "Älvsjö"]  # 6,0 12,3 20,5
    value.locator("button").focus()
    page.keyboard.press("Enter")
    assert value.get_attribute("aria-sort") == "descending"
    assert page.evaluate(names) == ["Älvsjö", "Södermalm", "Norra innerstaden"]
