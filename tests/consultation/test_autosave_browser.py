"""The autosave script in a real browser: typing is saved without pressing the button."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import login, response_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_autosave_posts_changes(
    transactional_db, live_server, browser, consultation, users, settings
):
    settings.REMISS_AUTOSAVE_SECONDS = 1
    c = consultation
    from playwright.sync_api import expect

    session = login(Client(), users["a1"]).cookies["sessionid"].value
    url = f"{live_server.url}/remiss/{c.slug}/svar/skarholmen/"
    context = browser.new_context()
    try:
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(url)
        page.fill("#id_answer_q1", "Skrivet i webbläsaren.")
        # (A locator, not wait_for_function: the site's CSP forbids evaluating strings.)
        expect(page.locator("#autosave-status")).to_contain_text("version 1", timeout=15000)
        assert page.input_value("#id_base_version") == "1"
        assert page.input_value("#upload_base_version") == "1"
        # Another edit builds on the saved version: no conflict, a second version.
        page.fill("#id_answer_q1", "Skrivet i webbläsaren, igen.")
        # (A locator, not wait_for_function: the site's CSP forbids evaluating strings.)
        expect(page.locator("#autosave-status")).to_contain_text("version 2", timeout=15000)
    finally:
        context.close()
    r = response_of(c, "skarholmen")
    assert r.current_version == 2 and r.current().kind == "autosave"
    assert r.current().answers["q1"] == "Skrivet i webbläsaren, igen."
