"""Personal data only for summer-job officers: tried with every officer URL, other ids in URLs,
and the youth's own link."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from skillnader.web.summerjobs.models import Application, AuditEvent, Placement


def _officer_urls(app, position):
    return [
        reverse("summerjobs:officer"),
        reverse("summerjobs:officer") + "?format=json",
        reverse("summerjobs:officer") + "?format=csv",
        reverse("summerjobs:officer-applicant", args=[app.pseudonym]),
        reverse("summerjobs:officer-applicant", args=[app.pseudonym]) + "?format=json",
        reverse("summerjobs:officer-unplaced"),
        reverse("summerjobs:officer-unplaced") + "?format=csv",
        reverse("summerjobs:employer-export", args=[position.code]),
        reverse("summerjobs:officer-audit"),
    ]


def test_anonymous_and_other_roles_never_see_personal_data(client, allocated, users):
    app = Application.objects.order_by("pseudonym").first()
    position = allocated.round.positions.first()
    for url in _officer_urls(app, position):
        resp = client.get(url)
        assert resp.status_code == 302, url
        assert resp["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next="), url
    client.force_login(users["other"])
    for url in _officer_urls(app, position):
        resp = client.get(url)
        assert resp.status_code == 403, url
        assert app.pseudonym.encode() not in resp.content
    assert client.post(reverse("summerjobs:officer-allocate")).status_code == 403
    assert not AuditEvent.objects.filter(action="view").exists()


def test_officer_sees_and_every_view_is_logged(client, allocated, users):
    client.force_login(users["officer"])
    app = Application.objects.order_by("pseudonym").first()
    resp = client.get(
        reverse("summerjobs:officer-applicant", args=[app.pseudonym]) + "?format=json"
    )
    assert resp.status_code == 200
    data = resp.json()
    assert data["pseudonym"] == app.pseudonym and data["explanation"]["applicant"] == app.pseudonym
    ev = AuditEvent.objects.filter(action="view", what="application").get()
    assert ev.username == "handlaggare" and ev.object_id == app.pseudonym
    # another id: an unknown one is 404, not someone else's record
    assert (
        client.get(reverse("summerjobs:officer-applicant", args=["FJ-0000000000"])).status_code
        == 404
    )
    resp = client.get(reverse("summerjobs:officer") + "?format=csv")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    assert resp.content.decode().count("\n") == 301


def test_youth_sees_only_their_own_application(client, rnd):
    a, b = Application.objects.order_by("pseudonym")[:2]
    resp = client.get(reverse("summerjobs:status", args=[a.status_token]) + "?format=json")
    assert resp.status_code == 200 and resp.json()["reference"] == a.pseudonym
    # changing the token, or using the pseudonym instead, finds nothing
    for token in (
        a.status_token[:-1] + ("A" if a.status_token[-1] != "A" else "B"),
        a.pseudonym,
        str(a.id),
        b.pseudonym,
    ):
        assert client.get(reverse("summerjobs:status", args=[token])).status_code == 404


def test_employer_export_is_pseudonymised(client, allocated, users):
    client.force_login(users["officer"])
    placed = (
        Placement.objects.filter(allocation=allocated, position__isnull=False)
        .select_related("application", "position")
        .first()
    )
    resp = client.get(reverse("summerjobs:employer-export", args=[placed.position.code]))
    text = resp.content.decode()
    assert text.splitlines()[0] == "position,employer,period,reference,age,languages"
    assert placed.application.pseudonym in text
    a = placed.application
    for secret in (a.home_area, a.school, a.birth_date.isoformat()):
        assert secret and secret not in text
    assert AuditEvent.objects.filter(action="export", object_id=placed.position.code).exists()
    # a position of no round is 404
    assert client.get(reverse("summerjobs:employer-export", args=["NO-SUCH"])).status_code == 404


@pytest.mark.parametrize("fmt", ["", "?format=json", "?format=csv"])
def test_public_report_has_only_protected_aggregates(client, allocated, fmt):
    resp = client.get(reverse("summerjobs:report") + fmt)
    assert resp.status_code == 200
    body = resp.content.decode()
    for app in Application.objects.all()[:50]:
        assert app.pseudonym not in body
    assert "SYN-A" not in body
    rep = allocated.report
    for row in rep["groups"]["district"]:
        if row["suppressed"]:
            assert "placed" not in row
        else:
            assert row["applicants"] >= 5
