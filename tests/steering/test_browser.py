"""In a real browser: a board writer judges its own nämndmål and cannot reach another board's
edit pages, not even by typing their URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from skillnader.web.steering.models import Goal, Judgement

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = (Path(__file__).parents[1] / "browser" / "vendor" / "axe.min.js").read_text(encoding="utf-8")


def serious_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations of impact serious or critical."""
    page.add_script_tag(content=AXE)
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_board_writer_in_the_browser(transactional_db, live_server, browser, users):
    session = Client()
    sign_in(session, users["sk"])
    cookie = session.cookies["sessionid"].value
    own = Goal.objects.get(owner_id="skarholmen")
    other = Goal.objects.get(owner_id="bromma")
    context = browser.new_context(locale="sv-SE", bypass_csp=True)  # axe is injected
    try:
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/mal/2015-2018/skarholmen/1.2.1/?year=2017")
        assert page.locator("html").get_attribute("lang") == "sv"
        expect(page.get_by_text("Exempel").first).to_be_visible()
        page.get_by_role("link", name="Skriv en bedömning").click()
        page.select_option("#id_year", "2017")
        page.select_option("#id_report", "t1")
        page.fill("#id_as_of", "2017-04-30")
        page.select_option("#id_status", "delvis")
        page.fill("#id_analysis", "Andelen minskar men målet nås inte helt.")
        page.get_by_role("button", name="Spara").click()
        page.wait_for_url("**/mal/2015-2018/skarholmen/1.2.1/**")
        expect(page.get_by_text("Andelen minskar men målet nås inte helt.")).to_be_visible()
        expect(page.get_by_role("heading", name="Beräknat när bedömningen skrevs")).to_be_visible()
        for path in (
            "/mal/2015-2018/skarholmen/1.2.1/?year=2017",
            "/mal/2015-2018/?year=2017",
            "/mal/2015-2018/namnd/skarholmen/2017/",
            "/mal/atgarder/",
            f"/mal/andra/bedomning/{own.pk}/",
        ):
            page.goto(live_server.url + path)
            charts = page.locator(".vega-chart")
            for i in range(charts.count()):
                charts.nth(i).locator("svg").first.wait_for(timeout=15000)
            assert serious_violations(page) == [], path
        # another board's goal: readable, no edit links, and the edit URL is refused
        page.goto(f"{live_server.url}/mal/2015-2018/bromma/1.2.1/?year=2017")
        assert page.get_by_role("link", name="Skriv en bedömning").count() == 0
        assert (
            page.get_by_role("link", name="Ny version (lydelse eller ansvarig nämnd)").count() == 0
        )
        response = page.goto(f"{live_server.url}/mal/andra/bedomning/{other.pk}/")
        assert response.status == 403
        response = page.goto(f"{live_server.url}/mal/atgarder/br-laxhjalp/andra/")
        assert response.status == 403
    finally:
        context.close()
    assert Judgement.objects.filter(goal=own, report="t1").count() == 1
    assert not Judgement.objects.filter(goal=other).exists()
