"""The kommuner of Stockholms län as a level, in a real browser: an indicator published per kommun
opens on the län's kommuner with Stockholm highlighted and Sweden as the benchmark, the
benchmark is chosen with the keyboard, and axe-core finds no serious or critical WCAG 2.1 A/AA
violation on either view."""

from __future__ import annotations

import json

import pytest
from tests.browser.test_pages import run_axe
from tests.web.conftest import square

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def region(world):
    from skillnader.web.data import models as m

    rel, city = world["release"], world["city"]
    everyone = m.Group.objects.get(key="")
    country = m.AreaLevel.objects.create(id="country", name_sv="Riket", name_en="Sweden", order=0)
    v_se = m.Vintage.objects.create(level=country, code="SE", name_sv="Riket")
    se = m.Area.objects.create(level=country, vintage=v_se, code="SE", name="Sverige")
    ind = m.Indicator.objects.create(
        id="life_exp",
        domain_id="health",
        name_sv="Medellivslängd",
        name_en="Life expectancy",
        measure="mean",
        polarity="higher_is_better",
        unit="years",
        decimals=1,
    )
    kommun = m.AreaLevel.objects.get(id="kommun")
    areas = [(city, 82.0)] + [
        (
            m.Area.objects.create(
                level=kommun,
                vintage=city.vintage,
                code=code,
                name=name,
                geometry=square(18.2 + i * 0.05, 59.5),
            ),
            value,
        )
        for i, (code, name, value) in enumerate(
            [
                ("0114", "Upplands Väsby", 80.0),
                ("0162", "Danderyd", 85.0),
                ("0186", "Lidingö", 83.0),
            ]
        )
    ]
    # a kommun outside the län: on the map of all Sweden only
    areas.append(
        (
            m.Area.objects.create(
                level=kommun,
                vintage=city.vintage,
                code="1280",
                name="Malmö",
                geometry=square(13.0, 55.6),
            ),
            80.5,
        )
    )
    for area, value in [*areas, (se, 82.5)]:
        m.Observation.objects.create(
            indicator=ind,
            area=area,
            group=everyone,
            period="2019",
            year=2019,
            value=value,
            lower=value - 0.3,
            upper=value + 0.3,
            release=rel,
        )
    return world


def _axe_clean(page):
    serious = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert not serious, serious


def test_kommun_indicator_opens_on_the_lans_kommuner(page, live_server, region, artifacts):
    page.goto(live_server.url + "/indicator/life_exp/")
    charts = page.locator(".vega-chart")
    for i in range(charts.count()):
        charts.nth(i).locator("svg").first.wait_for(timeout=15000)
    page.screenshot(path=str(artifacts / "browser-region-level.png"), full_page=True)
    assert page.locator("#sel-level").input_value() == "lanskommun"
    names = page.locator("#table tbody th").all_inner_texts()
    assert not any("Malmö" in n for n in names) and len(names) == 4
    marked = page.locator("#table tr.highlight th")
    assert marked.count() == 1 and "Stockholm" in marked.inner_text()
    assert "markerad" in marked.inner_text()
    assert "Sverige" in page.locator("#table tfoot").inner_text()
    # Danderyd 85.0 against Sweden 82.5: better
    danderyd = page.locator("#table tbody tr", has_text="Danderyd")
    assert "Bättre än riket" in danderyd.inner_text()
    _axe_clean(page)


def test_benchmark_chosen_with_the_keyboard(page, live_server, region):
    page.goto(live_server.url + "/indicator/life_exp/")
    page.locator("#sel-benchmark").focus()
    page.keyboard.press("Home")  # the first option: the city
    page.locator("#sel-benchmark").select_option("city")
    page.locator("form.selection button[type=submit]").first.press("Enter")
    page.wait_for_url("**benchmark=city**")
    danderyd = page.locator("#table tbody tr", has_text="Danderyd")
    assert "Bättre än staden" in danderyd.inner_text()
    data = json.loads(
        page.request.get(live_server.url + "/indicator/life_exp.json?benchmark=city").text()
    )
    assert data["benchmark"]["area"]["code"] == "0180"
    _axe_clean(page)
