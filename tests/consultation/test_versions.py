"""Every save is kept as a version; concurrent edits are detected, never overwritten."""

from __future__ import annotations

import json

import pytest

from skillnader.web.consultation.models import ResponseVersion

from .conftest import form_data, login, response_of, response_url, save

pytestmark = pytest.mark.django_db


def test_every_save_is_a_version(client, consultation, users):
    c = consultation
    login(client, users["a1"])
    page = client.get(response_url(c, "skarholmen"))
    assert page.status_code == 200
    assert 'name="base_version" value="0"' in page.content.decode()
    r1 = save(client, c, "skarholmen", 0, {"q1": "Första utkastet."})
    assert r1.status_code == 302
    r2 = save(client, c, "skarholmen", 1, {"q1": "Andra utkastet.", "q2": "Bostadsbristen."})
    assert r2.status_code == 302
    r = response_of(c, "skarholmen")
    assert r.current_version == 2
    versions = list(r.versions.order_by("number"))
    assert [v.answers["q1"] for v in versions] == ["Första utkastet.", "Andra utkastet."]
    assert [v.kind for v in versions] == ["save", "save"]
    assert versions[1].based_on == 1 and versions[1].created_by == users["a1"]
    listing = client.get(response_url(c, "skarholmen", "versioner/") + "?format=json").json()
    assert [v["number"] for v in listing["versions"]] == [1, 2]
    old = client.get(response_url(c, "skarholmen", "versioner/1/"))
    assert "Första utkastet." in old.content.decode()


def test_board_decision_and_reservations_are_kept_apart(client, consultation, users):
    c = consultation
    login(client, users["a1"])
    resp = save(
        client,
        c,
        "skarholmen",
        0,
        {"q2": "Förvaltningens text."},
        decision_differs="on",
        board_decision="Nämnden beslutar att även lyfta fritidsgårdarna.",
        res_0_group="(M)",
        res_0_kind="reservation",
        res_0_text="Vi yrkar avslag.",
    )
    assert resp.status_code == 302
    v = response_of(c, "skarholmen").current()
    assert v.answers["q2"] == "Förvaltningens text."
    assert v.decision_differs and v.board_decision.startswith("Nämnden beslutar")
    assert v.reservations == [{"group": "(M)", "kind": "reservation", "text": "Vi yrkar avslag."}]
    # A reservation without its group is refused with the error linked to the field.
    bad = save(
        client,
        c,
        "skarholmen",
        1,
        {},
        res_1_group="",
        res_1_kind="reservation",
        res_1_text="Text utan parti.",
        res_0_group="(M)",
        res_0_text="Vi yrkar avslag.",
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'aria-describedby="id_res_1_group-error"' in html
    assert 'aria-invalid="true"' in html and 'id="id_res_1_group-error"' in html
    assert response_of(c, "skarholmen").current_version == 1


def test_concurrent_edit_is_detected_not_overwritten(client, consultation, users):
    c = consultation
    from django.test import Client

    one, two = login(Client(), users["a1"]), login(Client(), users["a2"])
    save(one, c, "skarholmen", 0, {"q1": "Grund."})
    # Both writers open version 1; the first one saves.
    assert save(one, c, "skarholmen", 1, {"q1": "Text av a1."}).status_code == 302
    clash = save(
        two,
        c,
        "skarholmen",
        1,
        {"q1": "Text av a2."},
        res_0_group="(S)",
        res_0_kind="reservation",
        res_0_text="Reservation skriven av a2.",
    )
    assert clash.status_code == 409
    html = clash.content.decode()
    assert "Text av a1." in html and "Text av a2." in html
    assert 'role="alert"' in html and "(S): Reservation skriven av a2." in html
    r = response_of(c, "skarholmen")
    assert r.current_version == 2 and r.current().answers["q1"] == "Text av a1."
    kept = r.versions.get(number=3)
    assert kept.kind == ResponseVersion.Kind.CONFLICT and kept.answers["q1"] == "Text av a2."
    assert kept.based_on == 1 and kept.created_by == users["a2"]
    # The reloaded form builds on version 2 and holds a2's text, so saving again resolves it.
    assert 'name="base_version" value="2"' in html
    assert kept.reservations[0]["text"] == "Reservation skriven av a2."
    assert save(two, c, "skarholmen", 2, {"q1": "Text av a2."}).status_code == 302
    assert response_of(c, "skarholmen").current().answers["q1"] == "Text av a2."
    data = two.get(response_url(c, "skarholmen") + "?format=json").json()
    assert data["current_version"] == 4


def test_autosave(client, consultation, users):
    c = consultation
    login(client, users["a1"])
    url = response_url(c, "skarholmen", "autosave/")
    first = client.post(url, form_data(0, {"q1": "Skrivet utan att spara."}))
    assert first.status_code == 200 and first.json()["saved"] is True
    assert first.json()["version"] == 1
    same = client.post(url, form_data(1, {"q1": "Skrivet utan att spara."}))
    assert same.json() == {**same.json(), "saved": False, "version": 1}
    r = response_of(c, "skarholmen")
    assert r.versions.count() == 1 and r.current().kind == "autosave"
    stale = client.post(url, form_data(0, {"q1": "Gammal bas."}))
    assert stale.status_code == 409
    body = json.loads(stale.content)
    assert body["conflict"] is True and body["kept_version"] == 2 and body["current_version"] == 1
    assert response_of(c, "skarholmen").current().answers["q1"] == "Skrivet utan att spara."
    page = client.get(response_url(c, "skarholmen")).content.decode()
    assert 'data-autosave-url="/remiss/' in page and "consultation/autosave.js" in page
