"""The public site's remaining items in Chromium, as a visitor uses them: the same rounded number
in the table, on the map and on the bars; the compare page with the city, a chart and any year;
similar areas carried into a comparison; the overview chosen by keyboard; search by an inflected
word; the CSV for Swedish Excel behind the page's link; a trend that says why it is missing."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _charts_drawn(page) -> None:
    charts = page.locator(".vega-chart")
    for i in range(charts.count()):
        charts.nth(i).locator("svg").first.wait_for(timeout=15000)


def test_table_map_and_bars_show_the_same_number(page, live_server, world):
    from skillnader.web.data.models import Observation

    # A value whose first decimal a truncation would change (86,06 -> 86,1, not 86,0).
    Observation.objects.filter(
        indicator_id="employment", area__code="11", area__vintage__code="2023", year=2023
    ).update(value=86.06, lower=85.56, upper=86.56)
    page.goto(live_server.url + "/indicator/employment/")
    _charts_drawn(page)
    table = dict(
        page.evaluate(
            "Array.from(document.querySelectorAll('#table tbody tr'))"
            ".map(r => [r.cells[0].innerText.trim(), r.cells[1].innerText.trim()])"
        )
    )
    assert table["Norra innerstaden"] == "86,1"
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('.vega-chart [role=graphics-symbol][aria-label]'))"
        ".map(m => m.getAttribute('aria-label'))"
    )
    for name, value in table.items():
        if not re.fullmatch(r"[\d,]+", value):
            continue
        spoken = [label for label in labels if label.startswith(name)]
        assert len(spoken) >= 2, (name, labels)  # the map's area and the area's bar
        assert all(f" {value} " in f" {s} ".replace(":", " ") for s in spoken), (value, spoken)


def test_compare_with_the_city_over_time_and_any_year(page, live_server, world):
    page.goto(live_server.url + "/compare/")
    hint = page.locator("#cmp-hint").inner_text()
    assert "Ctrl" in hint
    page.select_option("#cmp-areas", ["sdo/2023/11", "sdo/2023/12"])
    with page.expect_navigation():
        page.click("form.selection button[type=submit] >> nth=0")
    _charts_drawn(page)
    heads = page.locator("table.data").first.locator("thead th").all_inner_texts()
    assert "Stockholm" in heads and "Norra innerstaden" in heads and "Södermalm" in heads
    legend = page.locator(".vega-chart").first.inner_text()
    trend = page.evaluate(
        "Array.from(document.querySelectorAll('.vega-chart [aria-label]'))"
        ".map(m => m.getAttribute('aria-label')).join('\\n')"
    )
    assert "Stockholm" in trend + legend and "Södermalm" in trend + legend
    # Any year: the year chosen is the year shown.
    page.goto(live_server.url + "/compare/?a=sdo/2023/11&a=sdo/2023/12&year=2023")
    assert "Varje indikator år 2023" in page.locator("main").inner_text()


def test_similar_areas_lead_to_a_comparison(page, live_server, world):
    page.goto(live_server.url + "/area/sdo/2023/12/")
    rows = page.locator("#alike-table tbody th").all_inner_texts()
    assert rows and "Södermalm" not in rows
    with page.expect_navigation():
        page.click("text=Jämför området med de liknande områdena")
    assert page.url.startswith(live_server.url + "/compare/")
    heads = " ".join(page.locator("table.data").first.locator("thead th").all_inner_texts())
    assert all(name in heads for name in ["Södermalm", *rows])


def test_overview_chosen_by_keyboard(page, live_server, world):
    page.goto(live_server.url + "/overview/")
    assert page.locator("#rug tbody tr").count() == 2
    page.focus("select[name=domain]")
    page.select_option("select[name=domain]", "housing")
    page.locator("main form button[type=submit]").first.press("Enter")
    page.wait_for_url("**domain=housing**")
    names = page.locator("#rug tbody th").all_inner_texts()
    assert len(names) == 1 and names[0].startswith("Trångboddhet")
    # Each cell is told without colour: a symbol and, for screen readers, the words.
    cell = page.locator("#rug tbody td").first.inner_text()
    assert re.search(r"[+=−×–]", cell) and "staden" in cell


def test_search_by_an_inflected_word(page, live_server, world):
    page.goto(live_server.url + "/")
    page.fill("#site-search", "trångboddheten")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/search/**")
    assert page.locator("main a", has_text="Trångboddhet").count() >= 1
    # A definite form that Snowball stems apart from its base word.
    page.fill("#site-search", "förvärvsfrekvensen")
    page.press("#site-search", "Enter")
    page.wait_for_url("**q=f*rv*rvsfrekvensen**")
    assert page.locator("main a", has_text="Förvärvsfrekvens").count() >= 1


def test_swedish_excel_csv_behind_the_pages_link(page, live_server, world):
    page.goto(live_server.url + "/indicator/employment/")
    href = page.locator("a", has_text="CSV för svenskt Excel").get_attribute("href")
    body = page.request.get(live_server.url + href).body()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert ";" in header and "," not in header
    assert re.search(r";\d+,\d+;", first + ";"), first


def test_a_missing_trend_says_why(page, live_server, world):
    from skillnader.web.data.models import Observation

    Observation.objects.filter(indicator_id="employment", area__code="02").update(
        lower=None, upper=None
    )
    page.goto(live_server.url + "/area/sdo/2020/02/")
    assert (
        "Trenden kan inte beräknas: indikatorn saknar intervall"
        in page.locator("main").inner_text()
    )
