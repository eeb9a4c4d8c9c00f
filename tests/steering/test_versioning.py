"""Versions: a target (årsmål) or a goal's wording changed mid-year leaves the judgements made
before the change tied to the versions they judged."""

from __future__ import annotations

import pytest

from skillnader.web.steering.models import Goal, Judgement, Target

from .conftest import sign_in


def _judge(client, goal, report, as_of, status="delvis", analysis="Analys."):
    return client.post(
        f"/mal/andra/bedomning/{goal.pk}/",
        {"year": as_of[:4], "report": report, "as_of": as_of, "status": status,
         "analysis": analysis},
    )  # fmt: skip


@pytest.mark.django_db
def test_changed_arsmal_keeps_the_old_judgement_on_the_old_version(client, users):
    sign_in(client, users["sk"])
    goal = Goal.objects.get(owner_id="skarholmen")
    target = Target.objects.get(goal_indicator__goal=goal, key="arsmal")
    assert _judge(client, goal, "t1", "2017-04-30").status_code == 302

    # Tertial report 2 changes the årsmål from 5.5 to 5.0 from 14 September.
    r = client.post(f"/mal/andra/malvarde/{target.pk}/", {
        "valid_from": "2017-09-14", "direction": "decrease", "year": 2017, "value": "5.0",
        "decision": "Tertialrapport 2 2017: förändring av årsmål godkänns",
    })  # fmt: skip
    assert r.status_code == 302
    assert [v.value for v in target.versions.order_by("number")] == [5.5, 5.0]
    # ... and a new wording of the goal from 1 June
    r = client.post(f"/mal/andra/mal/{goal.pk}/", {
        "title_sv": "Fler skärholmsbor blir självförsörjande", "valid_from": "2017-06-01",
        "decision": "Nämndbeslut juni 2017", "responsible": "skarholmen",
    })  # fmt: skip
    assert r.status_code == 302, r.content

    assert _judge(client, goal, "t2", "2017-08-31").status_code == 302
    assert _judge(client, goal, "annual", "2017-12-31", status="ej").status_code == 302

    t1, t2, annual = (Judgement.objects.get(goal=goal, report=k) for k in ("t1", "t2", "annual"))
    assert [v.value for v in t1.target_versions.all()] == [5.5]
    assert [v.value for v in t2.target_versions.all()] == [5.5]  # before 14 September
    assert [v.value for v in annual.target_versions.all()] == [5.0]
    assert (t1.goal_version.number, t2.goal_version.number, annual.goal_version.number) == (1, 2, 2)
    # the computed status stored with each judgement is the one against its own target:
    # 5.1 (Byar interval 4.87-5.34) is within "at most 5.5" but straddles "at most 5.0"
    (snap1,) = [t for e in t1.computed["targets"] for t in e["targets"]]
    (snap3,) = [t for e in annual.computed["targets"] for t in e["targets"]]
    assert (snap1["value"], snap1["status"]) == (5.5, "met")
    assert (snap3["value"], snap3["status"]) == (5.0, "not_assessable")

    # Rewriting the T1 text later keeps its versions and its stored computation.
    assert _judge(client, goal, "t1", "2017-04-30", analysis="Ny text.").status_code == 302
    t1.refresh_from_db()
    assert t1.analysis == "Ny text." and [v.value for v in t1.target_versions.all()] == [5.5]

    # The goal page shows both, side by side with the written judgements.
    data = client.get("/mal/2015-2018/skarholmen/1.2.1/?year=2017&format=json").json()
    by_report = {j["report"]: j for j in data["judgements"]}
    assert by_report["t1"]["target_versions"] == [
        {"target": "arsmal", "number": 1, "value": 5.5, "year": 2017}
    ]
    assert by_report["annual"]["target_versions"][0]["number"] == 2
    assert by_report["annual"]["status"] == "ej"
    # today's follow-up uses the version in force at the end of the year
    (now,) = data["indicators"][0]["targets"]
    assert (now["target_version"], now["status"]) == (2, "not_assessable")
    html = client.get("/mal/2015-2018/skarholmen/1.2.1/?year=2017").content.decode()
    assert "Tertialrapport 2 2017: förändring av årsmål godkänns" in html
    assert "Fler skärholmsbor blir självförsörjande" in html


@pytest.mark.django_db
def test_a_version_cannot_start_on_an_existing_date_or_go_back(client, users):
    sign_in(client, users["sk"])
    goal = Goal.objects.get(owner_id="skarholmen")
    target = Target.objects.get(goal_indicator__goal=goal)
    r = client.post(f"/mal/andra/malvarde/{target.pk}/", {
        "valid_from": "2017-01-01", "direction": "decrease", "year": 2017, "value": "4",
        "decision": "x"})  # fmt: skip
    assert r.status_code == 200 and 'aria-invalid="true"' in r.content.decode()
    r = client.post(f"/mal/andra/malvarde/{target.pk}/", {
        "valid_from": "2016-12-31", "direction": "decrease", "year": 2017, "value": "4",
        "decision": "x"})  # fmt: skip
    assert r.status_code == 200
    assert target.versions.count() == 1
