"""Skärholmen's district page (the 2023 stadsdelsområde) on the bundled real data, in Chromium:
at least ten indicators from every domain that has data for the district or its earlier
identical boundaries, the series continuing from the 2007 and 2020 boundaries, readable tables
(no year or value broken over two lines), and on a phone no horizontal overflow, no English
words and no axe-core violations."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from tests.browser.test_public_site_all_pages import VISIBLE_AND_SPOKEN, english_in, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.slow]

URL = "/area/sdo/2023/0180-sdo-skarholmen/"

PROFILE = """() => Array.from(document.querySelectorAll('#profile-table tbody tr')).map(r => ({
  indicator: new URL(r.querySelector('th a').href).pathname.split('/')[2],
  year: r.cells[1].innerText.trim(),
}))"""

#: The trends table: each indicator with the years shown for it.
TRENDS = """() => {
  const out = {};
  let name = null;
  const table = Array.from(document.querySelectorAll('table.data'))
    .find(t => t.querySelector('th[scope=rowgroup]'));
  table.querySelectorAll('tbody tr').forEach(r => {
    const head = r.querySelector('th[scope=rowgroup]');
    if (head) { name = head.firstChild.textContent.trim(); out[name] = []; }
    out[name].push(r.querySelector('td').innerText.trim());
  });
  return out;
}"""

#: Cells of the profile table whose year or number is drawn on more than one line.
BROKEN_CELLS = r"""() => Array.from(document.querySelectorAll('#profile-table tbody td'))
  .filter(td => td.cellIndex === 1 || td.classList.contains('num'))
  .filter(td => /^[\d\u202f\u00a0\u2212,\u2013 ]+$/.test(td.innerText.trim()))
  .filter(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
    return lines.size > 1;
  })
  .map(td => td.innerText)"""


#: The spine chart's x-axis labels and legend labels as (text, left, right), and its right edge.
SPINE = """() => {
  const div = document.querySelector('.vega-chart[data-spec="spine-spec"]');
  const box = t => { const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.right]; };
  const axes = Array.from(div.querySelectorAll('.role-axis-label'))
    .map(g => Array.from(g.querySelectorAll('text')).filter(t => t.getAttribute('opacity') !== '0')
      .map(box));
  return {
    x: axes.find(a => a.some(l => l[0] === 'Staden')) || axes[0],
    legend: Array.from(div.querySelectorAll('.role-legend-label text')).map(box),
    right: div.getBoundingClientRect().right,
  };
}"""


@pytest.fixture
def bundle_live(transactional_db):
    """The bundled data, committed so that the live server's thread reads it."""
    from tests.conftest import wipe_data

    from skillnader.bundle.load import load_bundle

    wipe_data()
    load_bundle()
    cache.clear()
    yield
    wipe_data()
    cache.clear()


def _domains_with_data(chain: list[str]) -> dict[str, set[tuple[str, int]]]:
    """Domain -> the (indicator, year) pairs with a value for Skärholmen under any vintage of
    its chain."""
    from skillnader.web.data.models import Observation

    out: dict[str, set[tuple[str, int]]] = {}
    for domain, indicator, year in Observation.objects.filter(
        published=True,
        value__isnull=False,
        area__level_id="sdo",
        area__code="0180-sdo-skarholmen",
        area__vintage__code__in=chain,
    ).values_list("indicator__domain_id", "indicator_id", "year"):
        out.setdefault(domain, set()).add((indicator, year))
    return out


def test_skarholmen_district_page(browser, live_server, bundle_live, artifacts):
    from skillnader.web.data.models import Indicator

    domain_of = dict(Indicator.objects.values_list("id", "domain_id"))
    names = dict(Indicator.objects.values_list("id", "name_sv"))
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + URL)
        page.locator("#spine-h").wait_for()
        page.screenshot(path=str(artifacts / "browser-district-skarholmen.png"), full_page=True)
        # The earlier identical boundaries are named and linked.
        note = page.locator(".notice").inner_text()
        assert "har behållit sina gränser" in note
        for vintage in ("2007", "2020"):
            link = f'.notice a[href="/area/sdo/{vintage}/0180-sdo-skarholmen/"]'
            assert page.locator(link).count() == 1, vintage
        profile = page.evaluate(PROFILE)
        shown = {domain_of[r["indicator"]] for r in profile}
        assert len(profile) >= 10, profile
        with_data = _domains_with_data(["2007", "2020", "2023"])
        assert {"work", "housing", "education"} <= set(with_data) <= shown
        # Each domain's series: every domain with data shows an indicator of its own, and one
        # with two or more years where the data have them, across the boundary vintages.
        trends = page.evaluate(TRENDS)
        for domain, cells in with_data.items():
            longest = max(len({y for i, y in cells if i == ind}) for ind, _y in cells)
            shown_years = max(
                len(trends.get(names[r["indicator"]], []))
                for r in profile
                if domain_of[r["indicator"]] == domain
            )
            assert shown_years >= min(longest, 2), (domain, shown_years, longest)
        population = trends[names["population"]]
        assert population[0].startswith("2010") and "indelning 2007" in population[0]
        assert population[-1] == "2023"
        # Years and values are never broken over two lines.
        broken = page.evaluate(BROKEN_CELLS)
        assert not broken, broken
    finally:
        context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    try:
        page.goto(live_server.url + URL)
        charts = page.locator(".vega-chart")
        for i in range(charts.count()):
            charts.nth(i).locator("svg").first.wait_for(timeout=15000)
        page.wait_for_function(
            "() => !document.querySelector('[aria-roledescription$=\"container\"]')",
            timeout=15000,
        )
        page.screenshot(path=str(artifacts / "browser-district-skarholmen-390.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, overflow
        # The spine chart fits the phone: its three ends are readable side by side and its
        # legend is not cut off at the chart's edge.
        spine = page.evaluate(SPINE)
        ends = [t for t, _l, _r in spine["x"]]
        assert ends == ["Sämre / lägre", "Staden", "Bättre / högre"], spine["x"]
        for (_a, _l, right), (_b, left, _r) in itertools.pairwise(spine["x"]):
            assert right <= left, spine["x"]
        assert spine["legend"] and all(r <= spine["right"] for _t, _l, r in spine["legend"])
        words = english_in(page.evaluate(VISIBLE_AND_SPOKEN))
        assert not words, words
        assert not run_axe(page)
    finally:
        phone.close()
