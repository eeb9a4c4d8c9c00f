"""Every public page type in Chromium, on a desktop and on a phone (390 px): no horizontal
overflow, no English words or internals on a Swedish page (text and what screen readers are
told), and axe-core finds no WCAG 2.1 A/AA violations."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")

PAGES = {
    "start": "/",
    "domain": "/domain/work/",
    "domain-empty": "/domain/health/",
    "indicator": "/indicator/overcrowding/",
    "indicator-values": "/indicator/employment/?level=sdo&vintage=2020&year=2021&colour=value",
    "indicator-without-data": "/indicator/life_expectancy/",
    "area": "/area/sdo/2023/12/",
    "compare": "/compare/?a=sdo/2023/11&a=sdo/2023/12",
    "compare-empty": "/compare/",
    "search": "/search/?q=soder",
    "overview": "/overview/",
    "overview-housing": "/overview/?domain=housing&benchmark=country",
    "not-found": "/indicator/no-such-thing/",
}

#: English words and internals that must not reach a Swedish page. Whole words, any case.
ENGLISH = [
    "percent",
    "thousand",
    "SEK",
    "identity",
    "identical",
    "numerator",
    "denominator",
    "not found",
    "axis",
    "scale",
    "title text",
    "geoshape",
    "mark",
    "container",
    "visualization",
    "group",
    "bundle",
    "paketet",
    "persons",
    "dwellings",
    "overcrowded",
    "value",
    "year",
    "area",
    "areas",
    "city",
    "compared",
    "trend",
    "none",
    "null",
    "undefined",
    "nan",
    "the",
    "and",
    "of",
    "with",
    "by",
    "error",
    "page",
]
INTERNALS = [r"skillnader\.\w+", r"\b\w+_\w+\b(?<!_sv)"]

VISIBLE_AND_SPOKEN = """() => {
  const parts = [document.body.innerText, document.title];
  document.querySelectorAll('[aria-label],[aria-roledescription],[title],[alt],[aria-description]')
    .forEach(e => ['aria-label', 'aria-roledescription', 'title', 'alt', 'aria-description']
      .forEach(a => { if (e.getAttribute(a)) { parts.push(e.getAttribute(a)); } }));
  return parts.join('\\n');
}"""


def english_in(text: str) -> list[str]:
    found = []
    for word in ENGLISH:
        for m in re.finditer(rf"(?<![\w/.-]){re.escape(word)}(?![\w/.-])", text, re.I):
            found.append(f"{word}: …{text[max(m.start() - 30, 0) : m.end() + 30]}…")
            break
    for pattern in INTERNALS:
        found += re.findall(pattern, text)
    return found


def run_axe(page) -> list[dict]:
    # Evaluated rather than added as a script tag, which the Content-Security-Policy refuses.
    page.evaluate(AXE)
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )


@pytest.fixture
def catalogued(world):
    """The fixture indicators with the catalogue's English unit key and numerator."""
    from skillnader.web.data.models import Indicator

    Indicator.objects.filter(id="overcrowding").update(
        unit="percent",
        numerator="Persons in overcrowded dwellings",
        denominator="Persons in households",
    )
    Indicator.objects.filter(id="employment").update(unit="SEK thousand")
    return world


@pytest.mark.parametrize("width", [1366, 390])
def test_every_page_type(browser, live_server, catalogued, artifacts, width):
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    problems = {}
    try:
        for name, url in PAGES.items():
            page.goto(live_server.url + url)
            charts = page.locator(".vega-chart")
            for i in range(charts.count()):
                charts.nth(i).locator("svg").first.wait_for(timeout=15000)
            # Charts as wide as the screen are drawn again after a resize; their marks are
            # described anew a moment later.
            with contextlib.suppress(Exception):  # reported below as English words
                page.wait_for_function(
                    "() => !document.querySelector('[aria-roledescription$=\"container\"]')",
                    timeout=15000,
                )
            page.screenshot(path=str(artifacts / f"site-{name}-{width}.png"), full_page=True)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems[f"{name}: overflow"] = overflow
            words = english_in(page.evaluate(VISIBLE_AND_SPOKEN))
            if words:
                problems[f"{name}: English"] = sorted(set(words))
            violations = run_axe(page)
            if violations:
                problems[f"{name}: axe"] = violations
    finally:
        context.close()
    assert not problems, problems


def test_phone_header_is_compact(browser, live_server, world):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/indicator/employment/")
    height = page.locator("header.site-header").bounding_box()["height"]
    context.close()
    assert height <= 844 * 0.15, height


def test_charts_fit_a_phone(browser, live_server, world):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/indicator/employment/")
    charts = page.locator(".vega-chart svg")
    charts.first.wait_for(timeout=15000)
    widths = page.evaluate(
        "Array.from(document.querySelectorAll('.vega-chart svg'))"
        ".map(s => s.getBoundingClientRect().right)"
    )
    context.close()
    assert widths and max(widths) <= 390, widths
