"""Who can read and change which response, through every URL the app exposes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern

from skillnader.web.consultation import urls as consultation_urls
from skillnader.web.consultation.models import Consultation

from .conftest import SKARHOLMEN, form_data, login, response_of, save

pytestmark = pytest.mark.django_db

# The URLs that concern one board's response, with what each needs besides slug and board.
RESPONSE_URLS = {
    "response": {},
    "autosave": {},
    "upload": {},
    "submit": {},
    "versions": {},
    "version": {"number": 1},
    "statement": {"pk": None},  # filled with the uploaded statement's id
    "statement-status": {"pk": None},  # the same id: how far its reading has come
}
# The URLs that show every board's answers (analysts; the compilation also after publication).
ANALYST_URLS = {
    "matrix": {},
    "review": {},
    "compilation": {},
    "compilation-download": {"ext": "json"},
    "status": {},
}
PUBLIC_URLS = {"index": {}, "boards": {}, "detail": {}, "document": {"pk": None}}
# Sign-in and sign-out, and the page that creates a consultation (analysts; no slug).
ACCOUNT_URLS = {"login", "logout"}
CREATE_URLS = {"create"}


def test_every_url_pattern_is_covered_here():
    names = {p.name for p in consultation_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == (
        set(RESPONSE_URLS) | set(ANALYST_URLS) | set(PUBLIC_URLS) | ACCOUNT_URLS | CREATE_URLS
    )
    for p in consultation_urls.urlpatterns:
        if "board" in p.pattern.converters:
            assert p.name in RESPONSE_URLS


@pytest.fixture
def draft(client, consultation, users):
    """Skärholmen's unsubmitted draft: one typed version and one uploaded statement."""
    c = consultation
    a1 = login(Client(), users["a1"])
    save(a1, c, "skarholmen", 0, {"q1": "Hemligt utkast från Skärholmen."})
    from django.core.files.uploadedfile import SimpleUploadedFile

    a1.post(
        f"/remiss/{c.slug}/svar/skarholmen/ladda-upp/",
        {
            "base_version": "1",
            "statement": SimpleUploadedFile(SKARHOLMEN.name, SKARHOLMEN.read_bytes()),
        },
    )
    r = response_of(c, "skarholmen")
    assert r.current_version == 2
    return r


def _url(c, name, board, extra, statement_pk):
    path = {
        "response": "",
        "autosave": "autosave/",
        "upload": "ladda-upp/",
        "submit": "skicka/",
        "versions": "versioner/",
        "version": "versioner/1/",
        "statement": f"utlatanden/{statement_pk}/",
        "statement-status": f"utlatanden/{statement_pk}/status/",
    }[name]
    return f"/remiss/{c.slug}/svar/{board}/{path}"


def _posts(name):
    if name in ("response", "autosave"):
        return form_data(2, {"q1": "Överskrivet av fel nämnd."})
    if name == "submit":
        return {"base_version": "2"}
    if name == "upload":
        from django.core.files.uploadedfile import SimpleUploadedFile

        return {
            "base_version": "2",
            "statement": SimpleUploadedFile("x.txt", "Överskrivet.\n".encode()),
        }
    return {}


@pytest.mark.parametrize("who", ["b", "outsider", None])
def test_other_board_cannot_read_or_change_draft(consultation, users, draft, who):
    c = consultation
    client = login(Client(), users[who]) if who else Client()
    stmt = draft.statements.get()
    before = [v.content() for v in draft.versions.order_by("number")]
    for name in RESPONSE_URLS:
        url = _url(c, name, "skarholmen", RESPONSE_URLS[name], stmt.pk)
        got = client.get(url)
        assert got.status_code in (404, 405), (name, got.status_code)
        assert "Hemligt utkast" not in got.content.decode(errors="replace")
        json_twin = client.get(url + "?format=json")
        assert json_twin.status_code in (404, 405)
        posted = client.post(url, _posts(name))
        assert posted.status_code in (403, 404), (name, posted.status_code)
    for name in ANALYST_URLS:
        suffix = {
            "matrix": "matris/",
            "review": "granskning/",
            "compilation": "sammanstallning/",
            "compilation-download": "sammanstallning.json",
            "status": "status/",
        }[name]
        assert client.get(f"/remiss/{c.slug}/{suffix}").status_code in (404, 405), name
        assert client.post(f"/remiss/{c.slug}/{suffix}", {"status": "published"}).status_code in (
            403,
            404,
        ), name
    r = response_of(c, "skarholmen")
    assert [v.content() for v in r.versions.order_by("number")] == before
    assert not r.is_submitted and r.current_version == 2
    assert Consultation.objects.get(pk=c.pk).status == "sent"


def test_own_board_and_analyst_can_read(consultation, users, draft):
    c = consultation
    own = login(Client(), users["a2"])
    assert "Hemligt utkast" in own.get(f"/remiss/{c.slug}/svar/skarholmen/").content.decode()
    analyst = login(Client(), users["analyst"])
    page = analyst.get(f"/remiss/{c.slug}/svar/skarholmen/?format=json")
    assert page.status_code == 200
    data = page.json()
    assert data["writable"] is False and data["version"]["number"] == 2
    assert analyst.get(f"/remiss/{c.slug}/svar/skarholmen/versioner/1/").status_code == 200
    # Analysts read but do not write for a board.
    assert (
        analyst.post(
            f"/remiss/{c.slug}/svar/skarholmen/", form_data(2, {"q1": "Analytikern skriver."})
        ).status_code
        == 403
    )
    assert analyst.get(f"/remiss/{c.slug}/matris/").status_code == 200
    assert response_of(c, "skarholmen").current_version == 2
    # Bromma's writer can work on Bromma's own response.
    b = login(Client(), users["b"])
    assert save(b, c, "bromma", 0, {"q2": "Brommas svar."}).status_code == 302


def test_public_sees_submitted_answers_only_after_publication(consultation, users, draft):
    c = consultation
    b = login(Client(), users["b"])
    save(b, c, "bromma", 0, {"q2": "Brommas inskickade svar."})
    assert b.post(f"/remiss/{c.slug}/svar/bromma/skicka/", {"base_version": "1"}).status_code == 302
    public = Client()
    assert public.get(f"/remiss/{c.slug}/").status_code == 404
    assert public.get(f"/remiss/{c.slug}/svar/bromma/").status_code == 404
    assert public.get(f"/remiss/{c.slug}/sammanstallning/").status_code == 404
    analyst = login(Client(), users["analyst"])
    analyst.post(f"/remiss/{c.slug}/status/", {"status": "published"})
    assert Consultation.objects.get(pk=c.pk).status == "published"
    page = public.get(f"/remiss/{c.slug}/svar/bromma/")
    assert page.status_code == 200 and "Brommas inskickade svar." in page.content.decode()
    assert public.get(f"/remiss/{c.slug}/svar/bromma/versioner/").status_code == 404
    # Skärholmen never submitted: its draft stays closed to the public and to Bromma.
    assert public.get(f"/remiss/{c.slug}/svar/skarholmen/").status_code == 404
    assert b.get(f"/remiss/{c.slug}/svar/skarholmen/").status_code == 404
    detail = public.get(f"/remiss/{c.slug}/?format=json").json()
    assert [r["board"] for r in detail["responses"]] == ["bromma"]
    assert public.get(f"/remiss/{c.slug}/sammanstallning/").status_code == 200
    index = public.get("/remiss/?format=json").json()
    assert [x["slug"] for x in index["consultations"]] == [c.slug]


def test_referred_documents_and_closing(consultation, users):
    from django.core.files.base import ContentFile

    from skillnader.web.consultation.models import ReferredDocument

    c = consultation
    doc = ReferredDocument(consultation=c, title="Delrapporten")
    doc.file.save("delrapport.txt", ContentFile(b"Skillnadernas Stockholm"), save=True)
    url = f"/remiss/{c.slug}/dokument/{doc.pk}/"
    b = login(Client(), users["b"])
    got = b.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"Skillnadernas Stockholm"
    assert Client().get(url).status_code == 404  # not published yet
    assert login(Client(), users["outsider"]).get(url).status_code == 404
    assert save(b, c, "bromma", 0, {"q1": "Innan stängning."}).status_code == 302
    c.status = Consultation.Status.CLOSED
    c.save()
    assert save(b, c, "bromma", 1, {"q1": "Efter stängning."}).status_code == 403
    assert response_of(c, "bromma").current().answers["q1"] == "Innan stängning."
    assert "Innan stängning." in b.get(f"/remiss/{c.slug}/svar/bromma/").content.decode()


def test_admin_pages_load(consultation, users, admin_client):
    for model in (
        "board",
        "consultation",
        "boardmembership",
        "response",
        "responseversion",
        "statement",
        "reviewdecision",
    ):
        assert admin_client.get(f"/admin/consultation/{model}/").status_code == 200, model
    assert (
        admin_client.get(f"/admin/consultation/consultation/{consultation.pk}/change/").status_code
        == 200
    )


def test_only_analysts_create_consultations(consultation, users):
    before = Consultation.objects.count()
    data = {
        "title": "Smygremiss",
        "slug": "smyg",
        "sender": "x",
        "deadline": "2030-01-01",
        "recipients": ["skarholmen"],
        "q1_text": "Fråga?",
        "send": "on",
    }
    for who in (None, "a1", "b"):
        client = Client()
        if who:
            login(client, users[who])
        assert client.get("/remiss/ny/").status_code == 404
        assert client.post("/remiss/ny/", data).status_code == 404
    assert Consultation.objects.count() == before
