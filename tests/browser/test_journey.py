"""A visitor's path through the site in a real browser: start page → indicator → change boundaries
and year → click an area on the map → its profile → English → download the CSV, whose rows must
equal the published cells in the database."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def submit_choices(page):
    page.locator("#sel-year").locator("xpath=ancestor::form").locator(
        "button[type=submit], input[type=submit]"
    ).first.click()


def test_visitor_journey(page, live_server, world, artifacts):
    from skillnader.web.data.models import Observation, public_observations

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "sv"
    page.locator('a[href="/indicator/employment/"]').first.click()
    page.wait_for_url("**/indicator/employment/**")

    # Older boundaries and an earlier year, chosen in the page and reflected in the URL.
    page.select_option("#sel-vintage", "2020")
    submit_choices(page)
    page.wait_for_url("**vintage=2020**")
    page.select_option("#sel-year", "2021")
    submit_choices(page)
    page.wait_for_url("**year=2021**")
    assert "vintage=2020" in page.url and "level=sdo" in page.url
    table = page.locator("table", has_text="Östermalm").first
    assert "85,0" in table.inner_text()

    # Click Södermalm on the map: its profile opens.
    area = page.locator('.vega-chart [role="graphics-symbol"][aria-label^="Södermalm"]').first
    area.wait_for(timeout=15000)
    page.screenshot(path=str(artifacts / "journey-indicator.png"), full_page=True)
    area.click()
    page.wait_for_url("**/area/sdo/2020/03/**")
    assert page.locator("h1").inner_text().strip() == "Södermalm"

    # Switch to English; the choice sticks on the next page.
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    page.goto(live_server.url + "/indicator/employment/?level=sdo&vintage=2023&year=2023")
    assert page.locator("html").get_attribute("lang") == "en"

    with page.expect_download() as info:
        page.locator('a[type="text/csv"]').first.click()
    text = info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = {
        o.area.code: o
        for o in public_observations(Observation.objects.select_related("area")).filter(
            indicator_id="employment",
            area__level_id="sdo",
            area__vintage__code="2023",
            period="2023",
            group__key="",
        )
    }
    assert {r["area"] for r in rows} == set(expected)
    for r in rows:
        o = expected[r["area"]]
        if o.suppressed:
            assert r["value"] == "" and r["status"] == "suppressed"
        else:
            assert float(r["value"]) == pytest.approx(o.value)
            assert float(r["lower"]) == pytest.approx(o.lower)


def test_enter_on_a_focused_map_area_opens_its_profile(page, live_server, world):
    page.goto(live_server.url + "/indicator/employment/?level=sdo&vintage=2023&year=2023")
    mark = page.locator('.vega-chart [role="graphics-symbol"][tabindex="0"]').first
    mark.wait_for(timeout=15000)
    mark.focus()
    label = mark.get_attribute("aria-label")
    page.keyboard.press("Enter")
    page.wait_for_url("**/area/sdo/2023/**")
    assert label.split(" ")[0] in page.locator("h1").inner_text()
