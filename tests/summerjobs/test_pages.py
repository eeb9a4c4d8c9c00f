from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from skillnader.web.summerjobs.models import Application, AuditEvent, Placement


def test_policy_page_and_twins(client, rnd):
    resp = client.get(reverse("summerjobs:policy"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Hushåll med ekonomiskt bistånd" in html and 'lang="sv"' in html
    assert "2027-04-01" in html  # when the seed will be published
    data = client.get(reverse("summerjobs:policy") + "?format=json").json()
    assert data["policy"]["version"] == "2027.1" and len(data["policy"]["digest"]) == 64
    assert data["seed"] is None
    csv = client.get(reverse("summerjobs:policy") + "?format=csv").content.decode()
    assert csv.splitlines()[0] == "id,label,any,all,weight,reserve" and len(csv.splitlines()) == 5


def _form(**kw):
    data = {
        "first_name": "Sara", "contact": "sara@example.se", "birth_date": "2010-05-31", "sex": "female",
        "born_in_sweden": "nej", "home_area": "0180R002", "school": "Rinkebyskolan",
        "social_assistance": "ja", "newly_arrived": "nej", "support_needs": "nej", "earlier_summer_job": "nej",
        "languages": "arabiska, engelska", "category_1": "park", "period_1": "juli", "place_1": "inner",
        "category_2": "kultur", "period_2": "*", "place_2": "*", "consent": "on",
    }  # fmt: skip
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_application_form_writes_the_same_records(client, rnd):
    resp = client.get(reverse("summerjobs:apply"))
    assert resp.status_code == 200 and "Ansök om feriejobb" in resp.content.decode()
    resp = client.post(reverse("summerjobs:apply"), _form())
    assert resp.status_code == 302
    app = Application.objects.get(first_name="Sara")
    assert resp["Location"] == reverse("summerjobs:status", args=[app.status_token])
    assert app.home_district == "Järva" and app.social_assistance and app.born_in_sweden is False
    assert app.choices == "park/juli/inner;kultur/*/*" and app.languages == "sv;arabiska;engelska"
    assert app.consent_at is not None and app.source == "form"
    assert AuditEvent.objects.filter(action="create", object_id=app.pseudonym).exists()
    # the record goes into the allocation like an imported one
    rnd.seed = "s"
    rnd.save()
    from skillnader.web.summerjobs.services import run_allocation

    alloc = run_allocation(rnd)
    p = Placement.objects.get(allocation=alloc, application=app)
    assert p.explanation["tier"] == 1 and p.explanation["choices"] == [
        "park/juli/inner",
        "kultur/*/*",
    ]


def test_application_form_errors_are_named_and_nothing_saved(client, rnd):
    before = Application.objects.count()
    resp = client.post(
        reverse("summerjobs:apply"), _form(consent=None, birth_date="31/5", home_area="")
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'role="alert"' in html and "Du måste godkänna" in html
    assert 'href="#id_birth_date"' in html and 'href="#id_home_area"' in html
    assert Application.objects.count() == before


def test_english_second(client, rnd):
    client.cookies["django_language"] = "en"
    resp = client.get(reverse("summerjobs:apply"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Apply for a summer job" in resp.content.decode()


def test_report_page_shows_intervals_and_comparison(client, allocated):
    html = client.get(reverse("summerjobs:report")).content.decode()
    assert "95" in html and "Distrikt för distrikt" in html
    data = client.get(reverse("summerjobs:report") + "?format=json").json()
    assert data["seed"] == "publicerat-2027-04-01" and data["synthetic"] is True
    assert "SYNTETISKA DATA" in html
    pdf = client.get(reverse("summerjobs:report") + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_unplaced_view_lists_nearest_options(client, allocated, users):
    client.force_login(users["officer"])
    data = client.get(reverse("summerjobs:officer-unplaced") + "?format=json").json()
    unplaced = Placement.objects.filter(allocation=allocated, position__isnull=True).count()
    assert len(data["unplaced"]) == unplaced > 0
    tiers = [r["tier"] for r in data["unplaced"]]
    assert tiers == sorted(tiers)
    assert any(r["options"] for r in data["unplaced"])


def test_officer_runs_allocation(client, rnd, users):
    client.force_login(users["officer"])
    resp = client.post(reverse("summerjobs:officer-allocate"), {"mode": "stable"}, follow=True)
    assert (
        "lottfrö" in resp.content.decode() or "seed" in resp.content.decode()
    )  # no seed published yet
    assert not rnd.allocations.exists()
    rnd.seed = "x1"
    rnd.save()
    client.post(reverse("summerjobs:officer-allocate"), {"mode": "stable"})
    alloc = rnd.allocations.get()
    assert alloc.placements.count() == 300 and alloc.seed == "x1"
    assert AuditEvent.objects.filter(action="allocate").exists()


def test_retention_purge(rnd):
    old = Application.objects.order_by("pseudonym")[:10]
    ids = [a.id for a in old]
    Application.objects.filter(id__in=ids).update(
        created_at=timezone.now() - dt.timedelta(days=401)
    )
    call_command("summerjobs_purge", "--dry-run")
    assert Application.objects.count() == 300
    call_command("summerjobs_purge")
    assert (
        Application.objects.count() == 290 and not Application.objects.filter(id__in=ids).exists()
    )
    ev = AuditEvent.objects.get(action="delete")
    assert "10 applications" in ev.detail


def test_demonstration_round_from_the_command(db, client):
    from pathlib import Path

    policy = (
        Path(__file__).resolve().parents[2] / "src/skillnader/allocation/data/policy_example.yaml"
    )
    call_command(
        "summerjobs_import", "--round", "demo", "--policy", str(policy), "--synthetic", "200",
        "--seed", "demo-seed", "--allocate",
    )  # fmt: skip
    assert Application.objects.filter(pseudonym__startswith="SYN-").count() == 200
    html = client.get(reverse("summerjobs:report")).content.decode()
    assert "SYNTETISKA DATA" in html and "demo-seed" in html


def test_officer_list_shows_tier_and_position(client, allocated, users):
    client.force_login(users["officer"])
    rows = client.get(reverse("summerjobs:officer") + "?format=json").json()["applications"]
    placed = {
        p.application.pseudonym: p
        for p in Placement.objects.filter(allocation=allocated).select_related(
            "application", "position"
        )
    }
    assert len(rows) == len(placed) == 300
    for r in rows:
        p = placed[r["pseudonym"]]
        assert r["tier"] == p.explanation["tier"] and isinstance(r["tier"], int)
        assert r["position"] == (p.position.code if p.position else None)
        assert r["choice_rank"] == p.choice_rank
