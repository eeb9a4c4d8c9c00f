"""Every public page type on the bundled real data in Chromium, on a desktop and on a phone:
no horizontal overflow, no page taller than 20,000 px on the desktop (the 573 valdistrikt once
made one 34,554 px tall), no English words or internals on the Swedish pages (the areas' own
names aside: Skarpa by, Mark), and axe-core finds no WCAG 2.1 A/AA violations."""

from __future__ import annotations

import contextlib

import pytest
from tests.browser.test_district_page import bundle_live  # noqa: F401  (fixture)
from tests.browser.test_public_site_all_pages import VISIBLE_AND_SPOKEN, english_in, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = [
    "/",
    "/domain/work/",
    "/domain/education/",
    "/domain/democracy/",
    "/indicator/turnout_riksdag/",
    "/indicator/population/?level=basomrade&vintage=2016",
    "/indicator/life_expectancy/",
    "/area/kommun/2003/0180/",
    "/area/regso/2020/0180R079/",
    "/area/sdo/2023/0180-sdo-jarva/",
    "/area/sdo/2020/0180-sdo-rinkeby-kista/",
    "/overview/",
    "/compare/?a=sdo/2023/0180-sdo-skarholmen&a=sdo/2023/0180-sdo-jarva",
    "/search/?q=Skärholmen",
]
TALLEST = 20000


def _without_area_names(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, " ")
    return text


def test_bundled_pages(browser, live_server, bundle_live):  # noqa: F811
    from skillnader.web.data.models import Area

    names = sorted(set(Area.objects.values_list("name", flat=True)), key=len, reverse=True)
    problems: dict[str, object] = {}
    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 844})
        page = context.new_page()
        try:
            for url in PAGES:
                page.goto(live_server.url + url)
                charts = page.locator(".vega-chart")
                for i in range(charts.count()):
                    charts.nth(i).locator("svg").first.wait_for(timeout=20000)
                with contextlib.suppress(Exception):  # reported below as English words
                    page.wait_for_function(
                        "() => !document.querySelector('[aria-roledescription$=\"container\"]')",
                        timeout=15000,
                    )
                key = f"{url} at {width}"
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    problems[f"{key}: overflow"] = overflow
                height = page.evaluate("document.documentElement.scrollHeight")
                if width == 1366 and height > TALLEST:
                    problems[f"{key}: height"] = height
                text = _without_area_names(page.evaluate(VISIBLE_AND_SPOKEN), names)
                words = english_in(text)
                if words:
                    problems[f"{key}: English"] = sorted(set(words))[:5]
                violations = run_axe(page)
                if violations:
                    problems[f"{key}: axe"] = violations
        finally:
            context.close()
    assert not problems, problems
