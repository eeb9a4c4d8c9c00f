"""The autosave script in a real browser: typing is saved without pressing the button."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client

from .conftest import login, response_of

CHROMIUM = "/usr/bin/chromium"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
def test_autosave_posts_changes(transactional_db, live_server, consultation, users, settings):
    from playwright.sync_api import sync_playwright

    settings.REMISS_AUTOSAVE_SECONDS = 1
    c = consultation
    session = login(Client(), users["a1"]).cookies["sessionid"].value
    url = f"{live_server.url}/remiss/{c.slug}/svar/skarholmen/"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(url)
        page.fill("#id_answer_q1", "Skrivet i webbläsaren.")
        page.wait_for_function(
            "document.getElementById('autosave-status').textContent.includes('version 1')",
            timeout=15000,
        )
        assert page.input_value("#id_base_version") == "1"
        assert page.input_value("#upload_base_version") == "1"
        # Another edit builds on the saved version: no conflict, a second version.
        page.fill("#id_answer_q1", "Skrivet i webbläsaren, igen.")
        page.wait_for_function(
            "document.getElementById('autosave-status').textContent.includes('version 2')",
            timeout=15000,
        )
        browser.close()
    r = response_of(c, "skarholmen")
    assert r.current_version == 2 and r.current().kind == "autosave"
    assert r.current().answers["q1"] == "Skrivet i webbläsaren, igen."
