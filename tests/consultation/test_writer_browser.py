"""End to end in a real browser: a board writer who is not staff signs in on the consultation's
sign-in page, uploads the board's statement, edits an answer and submits; the analyst's
compilation then quotes the statement's own pages."""

from __future__ import annotations

import pytest
from django.test import Client

from skillnader.web.consultation.models import BoardMembership

from .conftest import SKARHOLMEN, login, response_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_non_staff_writer_signs_in_uploads_and_submits(
    transactional_db, live_server, browser, consultation, users, django_user_model
):
    c = consultation
    writer = django_user_model.objects.create_user("skribent", password="Skarholmen-2015!")
    assert not writer.is_staff and not writer.is_superuser
    BoardMembership.objects.create(user=writer, board_id="skarholmen")
    context = browser.new_context(locale="sv-SE")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/remiss/")
        page.click("text=Logga in")
        page.fill("#id_username", "skribent")
        page.fill("#id_password", "fel lösenord")
        page.click("button:has-text('Logga in')")
        assert page.locator("[role=alert]").count() == 1
        page.fill("#id_username", "skribent")
        page.fill("#id_password", "Skarholmen-2015!")
        page.click("button:has-text('Logga in')")
        page.wait_for_url(f"{live_server.url}/remiss/")
        assert "Inloggad som skribent" in page.content()
        page.goto(f"{live_server.url}/remiss/{c.slug}/svar/skarholmen/")
        page.set_input_files("#upload_statement", str(SKARHOLMEN))
        page.click("button:has-text('Ladda upp och läs')")
        page.wait_for_load_state()
        assert page.input_value("#id_answer_q2").startswith("De huvudsakliga utmaningarna")
        page.click("button:has-text('Skicka in svaret')")
        page.wait_for_load_state()
    finally:
        context.close()
    r = response_of(c, "skarholmen")
    assert r.is_submitted and r.submitted_by == writer
    analyst = login(Client(), users["analyst"])
    comp = analyst.get(f"/remiss/{c.slug}/sammanstallning/?format=json").json()
    q2 = next(q for q in comp["by_question"] if q["question"] == "q2")
    sk = next(b for b in q2["boards"] if b["board"] == "skarholmen")
    # The quote points into the uploaded statement: its page 2, paragraph 8.
    assert (sk["quotes"][0]["page"], sk["quotes"][0]["paragraph"]) == (2, 8)
