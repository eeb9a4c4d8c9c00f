"""A first-time city: boards registered at first use, a consultation created and sent from the
consultation pages with question roles, a board writer (not staff) signing in on the
consultation's own sign-in page, review decisions that reject and re-code, and the
compilation's HTML download."""

from __future__ import annotations

import pytest
from django.test import Client

from skillnader.web.consultation.access import analyst_group
from skillnader.web.consultation.models import Board, BoardMembership, Consultation

from .conftest import login

pytestmark = pytest.mark.django_db


def test_boards_are_registered_at_first_use(client):
    assert not Board.objects.exists()
    assert client.get("/remiss/").status_code == 200
    assert Board.objects.filter(pk="skarholmen").exists()
    assert "Skärholmens stadsdelsnämnd" in client.get("/remiss/namnder/").content.decode()


def test_analyst_creates_and_sends_a_consultation(django_user_model):
    analyst = django_user_model.objects.create_user("analytiker", password="Hemligt-lösen-1")
    analyst.groups.add(analyst_group())
    client = Client()
    page = client.get("/remiss/logga-in/")
    assert page.status_code == 200 and 'name="username"' in page.content.decode()
    assert (
        client.post(
            "/remiss/logga-in/", {"username": "analytiker", "password": "Hemligt-lösen-1"}
        ).status_code
        == 302
    )
    form = client.get("/remiss/ny/").content.decode()
    assert "Nämndens eget arbete" in form and "Utmaningar utöver rapporten" in form
    bad = client.post("/remiss/ny/", {"title": "", "slug": "x"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.content.decode()
    resp = client.post(
        "/remiss/ny/",
        {
            "title": "Remiss om trygghet i parker",
            "slug": "trygghet-i-parker",
            "sender": "Kommunstyrelsen",
            "deadline": "2031-03-01",
            "recipients": ["farsta", "skarholmen"],
            "q1_text": "Hur arbetar nämnden för tryggare parker?",
            "q1_role": "own_work",
            "q2_text": "Vilka utmaningar ser nämnden?",
            "q2_role": "main_challenges",
            "send": "on",
        },
    )
    assert resp.status_code == 302 and resp["Location"] == "/remiss/trygghet-i-parker/"
    c = Consultation.objects.get(slug="trygghet-i-parker")
    assert c.status == "sent"
    assert [(q.qid, q.role) for q in c.questions.order_by("number")] == [
        ("q1", "own_work"),
        ("q2", "main_challenges"),
    ]
    assert sorted(c.recipients.values_list("pk", flat=True)) == ["farsta", "skarholmen"]


def test_a_board_writer_who_is_not_staff_signs_in(consultation, django_user_model):
    writer = django_user_model.objects.create_user("skriver", password="Skarholmen-2015!")
    assert not writer.is_staff
    BoardMembership.objects.create(user=writer, board_id="skarholmen")
    client = Client()
    # The admin's sign-in refuses a non-staff account; the consultation's does not.
    admin = client.post(
        "/admin/login/?next=/admin/", {"username": "skriver", "password": "Skarholmen-2015!"}
    )
    assert admin.status_code == 200 and "_auth_user_id" not in client.session
    wrong = client.post("/remiss/logga-in/", {"username": "skriver", "password": "fel"})
    assert wrong.status_code == 400
    ok = client.post(
        "/remiss/logga-in/",
        {
            "username": "skriver",
            "password": "Skarholmen-2015!",
            "next": f"/remiss/{consultation.slug}/svar/skarholmen/",
        },
    )
    assert (
        ok.status_code == 302 and ok["Location"] == f"/remiss/{consultation.slug}/svar/skarholmen/"
    )
    page = client.get(ok["Location"])
    assert page.status_code == 200 and "Logga ut" in page.content.decode()
    client.post("/remiss/logga-ut/")
    assert "_auth_user_id" not in client.session


def test_review_rejects_and_recodes(answered, users):
    c = answered
    analyst = login(Client(), users["analyst"])
    queue = analyst.get(f"/remiss/{c.slug}/granskning/?format=json").json()["queue"]
    sk = {i["candidate"] for i in queue if i["board"] == "skarholmen"}
    assert {"p9", "p40"} <= sk
    r1 = analyst.post(
        f"/remiss/{c.slug}/granskning/",
        {"board": "skarholmen", "candidate": "p40", "action": "reject"},
    )
    assert r1.status_code == 302
    r2 = analyst.post(
        f"/remiss/{c.slug}/granskning/",
        {"board": "skarholmen", "candidate": "p9", "action": "recode", "code": "indebtedness"},
    )
    assert r2.status_code == 302
    comp = analyst.get(f"/remiss/{c.slug}/sammanstallning/?format=json").json()
    extra = {(a["board"], a["candidate"]): a for a in comp["additional_challenges"]}
    assert ("skarholmen", "p40") not in extra
    assert extra[("skarholmen", "p9")]["codes"] == ["indebtedness"]
    log = analyst.get(f"/remiss/{c.slug}/granskning/?format=json").json()["decisions"]
    assert [(d["candidate"], d["action"], d["code"]) for d in log] == [
        ("p40", "reject", ""),
        ("p9", "recode", "indebtedness"),
    ]


def test_compilation_html_download(answered, users):
    c = answered
    analyst = login(Client(), users["analyst"])
    resp = analyst.get(f"/remiss/{c.slug}/sammanstallning.html")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/html")
    body = resp.content.decode()
    assert "Remissammanställning" in body and "Utmaningar per nämnd och område" in body
    assert "<script" not in body
    page = analyst.get(f"/remiss/{c.slug}/sammanstallning/").content.decode()
    assert "Översikt" in page and "2 av 22 remissinstanser har svarat." in page
    assert "Utmaningar per nämnd och område" in page and "nämnder som svarat" in page


def test_quotes_cite_the_original_after_the_writer_edits(consultation, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import SKARHOLMEN, response_of, save

    c = consultation
    a1 = login(Client(), users["a1"])
    a1.post(
        f"/remiss/{c.slug}/svar/skarholmen/ladda-upp/",
        {
            "base_version": "0",
            "statement": SimpleUploadedFile(SKARHOLMEN.name, SKARHOLMEN.read_bytes()),
        },
    )
    v1 = response_of(c, "skarholmen").current()
    # The writer replaces question 1 with her own words and keeps the statement's text for 2.
    save(
        a1, c, "skarholmen", 1, {**v1.answers, "q1": "Nämnden arbetar med förskolan och parkerna."}
    )
    a1.post(f"/remiss/{c.slug}/svar/skarholmen/skicka/", {"base_version": "2"})
    analyst = login(Client(), users["analyst"])
    comp = analyst.get(f"/remiss/{c.slug}/sammanstallning/?format=json").json()
    q2 = next(q for q in comp["by_question"] if q["question"] == "q2")
    quote = next(b for b in q2["boards"] if b["board"] == "skarholmen")["quotes"][0]
    assert (quote["page"], quote["paragraph"]) == (2, 8)  # the statement's, not the form's
    q1 = next(q for q in comp["by_question"] if q["question"] == "q1")
    own = next(b for b in q1["boards"] if b["board"] == "skarholmen")["quotes"][0]
    assert own["text"].startswith("Nämnden arbetar med förskolan") and own["page"] == 1


def test_sign_in_is_locked_after_repeated_failures(consultation, django_user_model, settings):
    django_user_model.objects.create_user("laskare", password="Rätt-lösen-2015")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/remiss/logga-in/", {"username": "laskare", "password": "fel"})
    locked = client.post(
        "/remiss/logga-in/", {"username": "laskare", "password": "Rätt-lösen-2015"}
    )
    assert locked.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
