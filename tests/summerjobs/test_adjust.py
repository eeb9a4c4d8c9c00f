"""An officer adjusts one placement: the rules are checked again, the change is logged (who,
when, from, to, why), and only the officers' role can do it — tried with other roles, other ids
in the URL and other rounds' positions in the form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from skillnader.web.summerjobs.models import (
    Application,
    AuditEvent,
    Placement,
    Position,
    Round,
)


def _url(pseudonym):
    return reverse("summerjobs:officer-adjust", args=[pseudonym]) + "?format=json"


def _free_position(alloc, exclude=None):
    for p in alloc.round.positions.order_by("code"):
        if p.code == exclude or p.requirements or p.min_age or p.max_age:
            continue
        if Placement.objects.filter(allocation=alloc, position=p).count() < p.capacity:
            return p
    raise AssertionError("no free place in the fixture")


def _full_position(alloc):
    for p in alloc.round.positions.order_by("code"):
        if Placement.objects.filter(allocation=alloc, position=p).count() >= p.capacity:
            return p
    raise AssertionError("no full position in the fixture")


def _unplaced(alloc):
    return (
        Placement.objects.filter(allocation=alloc, position__isnull=True)
        .select_related("application")
        .order_by("application__pseudonym")
        .first()
    )


def _state(alloc):
    return sorted(
        Placement.objects.filter(allocation=alloc).values_list(
            "application__pseudonym", "position__code"
        ),
        key=lambda r: r[0],
    )


def test_officer_moves_an_unplaced_applicant_and_the_change_is_logged(client, allocated, users):
    client.force_login(users["officer"])
    pl = _unplaced(allocated)
    pos = _free_position(allocated)
    resp = client.post(
        _url(pl.application.pseudonym), {"position": pos.code, "reason": "Andra omgången"}
    )
    assert resp.status_code == 200, resp.content
    pl.refresh_from_db()
    assert pl.position == pos
    change = pl.explanation["officer_changes"][-1]
    assert change["by"] == "handlaggare" and change["from"] is None and change["to"] == pos.code
    assert change["reason"] == "Andra omgången"
    assert pl.explanation["original"]["position"] is None
    ev = AuditEvent.objects.get(action="change", what="placement")
    assert ev.username == "handlaggare" and ev.object_id == pl.application.pseudonym
    assert pos.code in ev.detail and "Andra omgången" in ev.detail
    # and back to the waiting list
    resp = client.post(_url(pl.application.pseudonym), {"position": "", "reason": "Tackade nej"})
    assert resp.status_code == 200
    pl.refresh_from_db()
    assert pl.position is None and len(pl.explanation["officer_changes"]) == 2
    # the detail page shows the history and the form
    page = client.get(reverse("summerjobs:officer-applicant", args=[pl.application.pseudonym]))
    assert b"Tackade nej" in page.content and b'name="reason"' in page.content


def test_rules_are_checked_again_and_nothing_changes_when_one_fails(client, allocated, users):
    client.force_login(users["officer"])
    pl = _unplaced(allocated)
    who = pl.application.pseudonym
    before = _state(allocated)
    full = _full_position(allocated)
    lang = Position.objects.create(
        round=allocated.round, code="LANG-1", employer="Syntetisk arbetsgivare",
        employer_type="board", district=full.district, inner_city=full.inner_city,
        category=full.category, period=full.period, capacity=3, requirements="language:zz",
    )  # fmt: skip
    too_young = Position.objects.create(
        round=allocated.round, code="AGE-1", employer="Syntetisk arbetsgivare",
        employer_type="board", district=full.district, inner_city=full.inner_city,
        category=full.category, period=full.period, capacity=3, min_age=19,
    )  # fmt: skip
    # another round's position with the same kind of code: not a position of this round
    other = Round.objects.create(slug="annan", title="Annan omgång", policy_yaml="x")
    Round.objects.filter(pk=other.pk).update(created_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    Position.objects.create(
        round=other, code="OTHER-1", employer="Annan", employer_type="board",
        district=full.district, inner_city=full.inner_city, category=full.category,
        period=full.period, capacity=5,
    )  # fmt: skip
    free = _free_position(allocated)
    cases = [
        ({"position": full.code, "reason": "x"}, "full"),
        ({"position": lang.code, "reason": "x"}, "language"),
        ({"position": too_young.code, "reason": "x"}, "age"),
        ({"position": "OTHER-1", "reason": "x"}, "no such position"),
        ({"position": "NO-SUCH", "reason": "x"}, "no such position"),
        ({"position": free.code, "reason": "  "}, "reason"),
        ({"position": "", "reason": "x"}, "already on the waiting list"),
    ]
    for form, word in cases:
        resp = client.post(_url(who), form)
        assert resp.status_code == 400, (form, resp.content)
        assert word in resp.json()["error"], (form, resp.json())
    assert _state(allocated) == before
    assert not AuditEvent.objects.filter(action="change").exists()
    # the HTML form shows the reason and changes nothing either
    resp = client.post(
        reverse("summerjobs:officer-adjust", args=[who]), {"position": full.code, "reason": "x"}
    )
    assert resp.status_code == 302
    page = client.get(resp["Location"])
    assert "Inte ändrat".encode() in page.content and b"full" in page.content
    assert _state(allocated) == before


def test_a_full_position_takes_someone_after_a_place_is_freed(client, allocated, users):
    """...and the unplaced applicants with higher priority who listed it are counted."""
    client.force_login(users["officer"])
    unplaced = [
        p
        for p in Placement.objects.filter(allocation=allocated, position__isnull=True)
        .select_related("application")
        .order_by("application__pseudonym")
        if not (p.explanation.get("reason") or "").startswith("age")
    ]

    def listers(code):
        return sorted(
            (
                p
                for p in unplaced
                if any(h["position"] == code for h in p.explanation["positions_ranked_higher"])
            ),
            key=lambda p: p.explanation["priority_rank"],
        )

    full = next(
        p
        for p in allocated.round.positions.order_by("code")
        if not (p.requirements or p.min_age or p.max_age)
        and Placement.objects.filter(allocation=allocated, position=p).count() >= p.capacity
        and len(listers(p.code)) >= 2
    )
    waiting = listers(full.code)
    who = waiting[-1].application.pseudonym  # the lowest priority of those who listed it
    holder = Placement.objects.filter(allocation=allocated, position=full).first()
    assert client.post(_url(who), {"position": full.code, "reason": "x"}).status_code == 400
    resp = client.post(_url(holder.application.pseudonym), {"position": "", "reason": "Slutade"})
    assert resp.status_code == 200
    resp = client.post(_url(who), {"position": full.code, "reason": "Ersätter"})
    assert resp.status_code == 200, resp.content
    assert Placement.objects.filter(allocation=allocated, position=full).count() == full.capacity
    assert resp.json()["higher_priority_unplaced_passed_over"] == len(waiting) - 1
    ev = AuditEvent.objects.filter(action="change", object_id=who).get()
    assert f"passed over: {len(waiting) - 1}" in ev.detail


@pytest.mark.parametrize("who", [None, "other"])
def test_other_roles_cannot_change_and_see_nothing(client, allocated, users, who):
    pl = _unplaced(allocated)
    pos = _free_position(allocated)
    before = _state(allocated)
    if who:
        client.force_login(users[who])
    url = reverse("summerjobs:officer-adjust", args=[pl.application.pseudonym])
    for u in (url, url + "?format=json"):
        resp = client.post(u, {"position": pos.code, "reason": "x"})
        assert resp.status_code == (403 if who else 302)
        assert pl.application.pseudonym.encode() not in resp.content
    assert _state(allocated) == before
    assert not AuditEvent.objects.filter(action="change").exists()


def test_other_ids_in_the_url(client, allocated, users):
    client.force_login(users["officer"])
    pos = _free_position(allocated)
    # unknown pseudonym, and an application of another round: 404, nothing changed
    before = _state(allocated)
    assert client.post(_url("FJ-0000000000"), {"position": pos.code, "reason": "x"}).status_code == 404  # fmt: skip
    other = Round.objects.create(slug="annan", title="Annan omgång", policy_yaml="x")
    Round.objects.filter(pk=other.pk).update(created_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    src = Application.objects.filter(round=allocated.round).first()
    stranger = Application.objects.create(
        round=other, birth_date=src.birth_date, sex=src.sex, home_area=src.home_area,
        home_district=src.home_district, choices=src.choices,
    )  # fmt: skip
    assert client.post(_url(stranger.pseudonym), {"position": pos.code, "reason": "x"}).status_code == 404  # fmt: skip
    # GET does not change anything
    pl = _unplaced(allocated)
    assert client.get(_url(pl.application.pseudonym)).status_code == 405
    assert _state(allocated) == before
