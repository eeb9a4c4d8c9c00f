"""Every page type in a real browser: charts render from the vendored libraries (no outside
requests), keyboard focus on map areas shows the values, and axe-core finds no serious or
critical WCAG 2.1 A/AA violations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")

PAGES = {
    "start": "/",
    "domain": "/domain/work/",
    "indicator": "/indicator/employment/",
    "indicator-en": "/indicator/overcrowding/?colour=value",
    "area": "/area/sdo/2023/11/",
    "compare": "/compare/?a=sdo/2023/11&a=sdo/2023/12",
    "search": "/search/?q=soder",
}


def run_axe(page) -> list[dict]:
    # Evaluated, not added as a script tag: the Content-Security-Policy refuses inline scripts.
    page.evaluate(AXE)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return result


@pytest.mark.parametrize("name", list(PAGES))
def test_page_in_browser(page, live_server, world, artifacts, name):
    if name == "indicator-en":
        page.goto(live_server.url + "/")
        page.click("button[name=language][value=en]")
        page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + PAGES[name])
    charts = page.locator(".vega-chart")
    for i in range(charts.count()):
        charts.nth(i).locator("svg").first.wait_for(timeout=15000)
    page.screenshot(path=str(artifacts / f"browser-{name}.png"), full_page=True)
    outside = [u for u in page.requests_seen if not u.startswith(live_server.url)]
    assert not outside, outside
    violations = run_axe(page)
    (artifacts / f"axe-{name}.json").write_text(json.dumps(violations, indent=2))
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious


def test_keyboard_focus_on_map_shows_value(page, live_server, world):
    page.goto(live_server.url + "/indicator/employment/")
    page.locator("#map-spec").wait_for(state="attached")
    mark = page.locator('.vega-chart [role="graphics-symbol"][tabindex="0"]').first
    mark.wait_for(timeout=15000)
    label = mark.get_attribute("aria-label")
    mark.focus()
    tip = page.locator("#chart-tooltip")
    assert tip.is_visible()
    assert tip.inner_text() == label
    # The label carries the name, the value with its interval and the comparison.
    assert any(label.startswith(name) for name in ("Norra innerstaden", "Södermalm", "Älvsjö"))
    assert "Bättre än staden" in label or "Sämre än staden" in label or "Prickad" in label
    # One tab stop per chart; the arrow keys move to the next area.
    chart = page.locator(".vega-chart").first
    assert chart.locator('[role="graphics-symbol"][tabindex="0"]').count() == 1
    page.keyboard.press("ArrowRight")
    second = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert second != label and tip.inner_text() == second


def test_skip_link_moves_focus_to_main(page, live_server, world):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
