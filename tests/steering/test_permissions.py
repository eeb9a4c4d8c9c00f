"""Object-level permissions: a board writer changes only its own board's goals, targets,
judgements and measures — through the forms and the API, also when ids in URLs are changed."""

from __future__ import annotations

import json

import pytest

from skillnader.web.steering.models import Goal, Judgement, Measure, Target

from .conftest import sign_in


@pytest.fixture
def ids(world):
    return {
        "kf": Goal.objects.get(owner__isnull=True, number="1.2").pk,
        "sk": Goal.objects.get(owner_id="skarholmen").pk,
        "br": Goal.objects.get(owner_id="bromma").pk,
        "kf_target": Target.objects.get(goal_indicator__goal__owner__isnull=True).pk,
        "sk_target": Target.objects.get(goal_indicator__goal__owner_id="skarholmen").pk,
        "sk_measure": Measure.objects.get(key="sk-feriejobb").pk,
        "br_measure": Measure.objects.get(key="br-laxhjalp").pk,
    }


VERSION = {"title_sv": "Ny lydelse", "valid_from": "2017-06-01", "decision": "Beslut"}
JUDGEMENT = {"year": 2017, "report": "t1", "as_of": "2017-04-30", "status": "delvis",
             "analysis": "Text"}  # fmt: skip


@pytest.mark.django_db
def test_board_writer_forms(client, users, ids):
    sign_in(client, users["sk"])
    # own nämndmål: allowed
    assert client.get(f"/mal/andra/mal/{ids['sk']}/").status_code == 200
    assert client.post(f"/mal/andra/mal/{ids['sk']}/", VERSION).status_code == 302
    assert client.post(f"/mal/andra/bedomning/{ids['sk']}/", JUDGEMENT).status_code == 302
    # another board's goal and the council's goal, by changing the id in the URL: refused
    for pk in (ids["br"], ids["kf"]):
        assert client.get(f"/mal/andra/mal/{pk}/").status_code == 403
        assert client.post(f"/mal/andra/mal/{pk}/", VERSION).status_code == 403
        assert client.post(f"/mal/andra/bedomning/{pk}/", JUDGEMENT).status_code == 403
    assert client.post(f"/mal/andra/malvarde/{ids['kf_target']}/", {}).status_code == 403
    assert client.get("/mal/andra/mal/999999/").status_code == 404
    assert Goal.objects.get(pk=ids["br"]).versions.count() == 1
    assert Goal.objects.get(pk=ids["kf"]).versions.count() == 1
    assert not Judgement.objects.filter(goal_id__in=[ids["br"], ids["kf"]]).exists()
    # reviewing is the city office's
    j = Judgement.objects.get(goal_id=ids["sk"])
    assert client.post(f"/mal/granska/{j.pk}/", {"review_note": "ok"}).status_code == 403


@pytest.mark.django_db
def test_board_writer_measures(client, users, ids):
    sign_in(client, users["sk"])
    assert client.get("/mal/atgarder/br-laxhjalp/andra/").status_code == 403
    assert client.post("/mal/atgarder/br-laxhjalp/andra/", {"title": "Kapad"}).status_code == 403
    # moving its own measure to another board, or linking another board's goal: invalid
    base = {"title": "Feriejobb", "board": "skarholmen", "status": "ongoing",
            "goals": [ids["sk"]]}  # fmt: skip
    r = client.post("/mal/atgarder/sk-feriejobb/andra/", {**base, "board": "bromma"})
    assert r.status_code == 200 and 'aria-invalid="true"' in r.content.decode()
    r = client.post("/mal/atgarder/sk-feriejobb/andra/", {**base, "goals": [ids["br"]]})
    assert r.status_code == 200
    assert Measure.objects.get(key="sk-feriejobb").board_id == "skarholmen"
    assert list(Measure.objects.get(key="sk-feriejobb").goals.values_list("pk", flat=True)) == [
        ids["sk"]
    ]
    r = client.post("/mal/atgarder/sk-feriejobb/andra/", {**base, "title": "Feriejobb 2017",
                                                          "challenges": ["summer_jobs"]})  # fmt: skip
    assert r.status_code == 302
    assert Measure.objects.get(key="sk-feriejobb").title == "Feriejobb 2017"
    r = client.post("/mal/atgarder/ny/", {**base, "key": "ny", "board": "bromma"})
    assert r.status_code == 200 and not Measure.objects.filter(key="ny").exists()


def _api(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_api_object_permissions(client, users, ids):
    # anonymous: refused
    assert _api(client, "post", f"/mal/api/goals/{ids['sk']}/versions/", VERSION).status_code == 403
    sign_in(client, users["sk"])
    assert _api(client, "post", f"/mal/api/goals/{ids['sk']}/versions/", VERSION).status_code == 201
    for pk in (ids["br"], ids["kf"]):
        assert _api(client, "post", f"/mal/api/goals/{pk}/versions/", VERSION).status_code == 403
        assert (
            _api(client, "post", f"/mal/api/goals/{pk}/judgements/", JUDGEMENT).status_code == 403
        )
    r = _api(client, "post", f"/mal/api/targets/{ids['kf_target']}/versions/",
             {"valid_from": "2017-09-01", "direction": "decrease", "year": 2017, "value": 1,
              "decision": "x"})  # fmt: skip
    assert r.status_code == 403
    r = _api(client, "post", f"/mal/api/targets/{ids['sk_target']}/versions/",
             {"valid_from": "2017-09-01", "direction": "decrease", "year": 2017, "value": 5,
              "decision": "T2"})  # fmt: skip
    assert r.status_code == 201 and r.json()["version"] == 2
    r = _api(client, "patch", f"/mal/api/measures/{ids['br_measure']}/", {"title": "Kapad"})
    assert r.status_code == 403
    r = _api(client, "patch", f"/mal/api/measures/{ids['sk_measure']}/", {"board": "bromma"})
    assert r.status_code == 400 and "board" in r.json()["fields"]
    r = _api(client, "patch", f"/mal/api/measures/{ids['sk_measure']}/",
             {"goals": ["2015-2018/bromma/1.2.1"]})  # fmt: skip
    assert r.status_code == 400
    r = _api(client, "patch", f"/mal/api/measures/{ids['sk_measure']}/", {"budget_sek": 1000})
    assert r.status_code == 200 and r.json()["budget_sek"] == 1000
    r = _api(client, "post", "/mal/api/measures/", {"key": "x", "title": "X", "board": "bromma",
                                                    "status": "planned"})  # fmt: skip
    assert r.status_code == 400
    r = _api(client, "post", "/mal/api/measures/", {"key": "x", "title": "X",
             "board": "skarholmen", "status": "planned", "goals": ["2015-2018/kf/1.2"],
             "challenges": ["summer_jobs"]})  # fmt: skip
    assert r.status_code == 201 and r.json()["goals"] == ["2015-2018/kf/1.2"]
    assert _api(client, "post", "/mal/api/goals/abc/versions/", VERSION).status_code == 404
    assert Measure.objects.get(pk=ids["br_measure"]).title == "Läxhjälp"
    assert (
        client.post("/mal/api/measures/", data="[1]", content_type="application/json").status_code
        == 400
    )


@pytest.mark.django_db
def test_outsider_and_city_office(client, users, ids):
    sign_in(client, users["outsider"])
    assert client.get(f"/mal/andra/mal/{ids['kf']}/").status_code == 403
    assert client.get("/mal/atgarder/ny/").status_code == 403
    assert client.get("/mal/2015-2018/kf/1.2/").status_code == 200  # reading is public
    sign_in(client, users["office"])
    assert client.post(f"/mal/andra/mal/{ids['kf']}/", VERSION).status_code == 302
    assert client.post(f"/mal/andra/bedomning/{ids['kf']}/", JUDGEMENT).status_code == 302
    j = Judgement.objects.get(goal_id=ids["kf"])
    assert client.post(f"/mal/granska/{j.pk}/", {"review_note": "Granskad"}).status_code == 302
    j.refresh_from_db()
    assert j.reviewed_by == users["office"] and j.review_note == "Granskad"


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, world, ids, settings):
    r = client.get(f"/mal/andra/mal/{ids['sk']}/")
    assert r.status_code == 302 and r["Location"].startswith(settings.LOGIN_URL)
    assert r["Location"].endswith(f"next=/mal/andra/mal/{ids['sk']}/")


@pytest.mark.django_db
def test_api_lists_goals_of_an_indicator_and_a_board(client, world):
    refs = [
        g["ref"]
        for g in client.get("/mal/api/goals/?indicator=social_assistance_share").json()["goals"]
    ]
    assert refs == ["2015-2018/kf/1.2", "2015-2018/skarholmen/1.2.1"]
    refs = [g["ref"] for g in client.get("/mal/api/goals/?board=bromma").json()["goals"]]
    assert refs == ["2015-2018/bromma/1.2.1"]
    assert client.get("/mal/api/goals/?indicator=none").json()["goals"] == []


@pytest.mark.django_db
def test_board_writer_adds_its_own_goal_and_target(client, users, ids):
    sign_in(client, users["sk"])
    new_goal = {"parent": ids["kf"], "number": "1.2.2", "title_sv": "Fler unga har sommarjobb",
                "valid_from": "2017-01-01", "decision": "Nämndbeslut", "example": "on"}  # fmt: skip
    assert client.post("/mal/2015-2018/namnd/bromma/nytt-mal/", new_goal).status_code == 403
    r = client.post("/mal/2015-2018/namnd/skarholmen/nytt-mal/", new_goal)
    assert r.status_code == 302
    goal = Goal.objects.get(owner_id="skarholmen", number="1.2.2")
    assert goal.parent_id == ids["kf"] and goal.example and goal.level == "namndmal"
    again = client.post("/mal/2015-2018/namnd/skarholmen/nytt-mal/", new_goal)
    assert again.status_code == 200 and Goal.objects.filter(number="1.2.2").count() == 1
    target = {"indicator": "social_assistance_share", "key": "mot-staden", "kind": "direction",
              "direction": "decrease", "year": 2018, "base_year": 2015, "gap_kind": "areas",
              "gap_a": "kommun/2003/0180", "gap_b": "kommun/2003/9999",
              "valid_from": "2017-01-01", "decision": "Nämndbeslut"}  # fmt: skip
    r = client.post(f"/mal/andra/mal/{goal.pk}/nytt-malvarde/", target)
    assert r.status_code == 200 and 'aria-invalid="true"' in r.content.decode()  # no such area
    target["gap_kind"], target["gap_a"], target["gap_b"] = "", "", ""
    assert client.post(f"/mal/andra/mal/{ids['br']}/nytt-malvarde/", target).status_code == 403
    assert client.post(f"/mal/andra/mal/{ids['kf']}/nytt-malvarde/", target).status_code == 403
    r = client.post(f"/mal/andra/mal/{goal.pk}/nytt-malvarde/", target)
    assert r.status_code == 302
    data = client.get("/mal/2015-2018/skarholmen/1.2.2/?year=2017&format=json").json()
    (t,) = data["indicators"][0]["targets"]
    # the hand-made city series: 6.2 % in 2015, 5.1 % in 2017 with Byar intervals
    assert (t["target"], t["base"]["value"], t["used"]["value"]) == ("mot-staden", 6.2, 5.1)
    assert t["status"] == "met" and t["checked"]["upper"] < 0
