"""Cases kept out of development: a workbook with a change of responsible board and wording,
a gap between two groups computed from hand-made observations with intervals, and a judgement
written through the API on the day a new årsmål starts."""

from __future__ import annotations

import json
import math

import pytest
from openpyxl import Workbook

from skillnader.steering.io import SHEETS
from skillnader.web.steering.importer import import_file
from skillnader.web.steering.models import Goal, Judgement, Target

from .conftest import sign_in


def _book(path):
    wb = Workbook()
    wb.remove(wb.active)
    rows = {
        "periods": [["2019-2022", "Mandatperioden 2019–2022", "2019-01-01", "2022-12-31"]],
        "goals": [
            ["2019-2022", "inriktningsmal", "kf", "1", None, "En modern storstad", None,
             "2019-01-01"],
            ["2019-2022", "verksamhetsomradesmal", "kf", "1.1", "1", "Barn når sin potential",
             None, "2019-01-01", None, "utbildningsnamnden", "Budget 2019"],
        ],
        "goal_revisions": [
            ["2019-2022/kf/1.1", "2020-07-01", "Tertialrapport 1 2020, beslut 2",
             "I Stockholm når barn sin fulla potential", None, "skarholmen"],
        ],
        "targets": [
            ["2019-2022/kf/1.1", "turnout_riksdag", None, None, None, None, False, None,
             "kon", "level", "decrease", 2022, 1.5, None, "groups", None, None, "sex=women",
             "sex=men", "Kvinnor minus män", "2019-01-01", "Budget 2019"],
            ["2019-2022/kf/1.1", "turnout_riksdag", None, None, None, None, False, None,
             "kon", "level", "decrease", 2022, 3.0, None, None, None, None, None, None, None,
             "2022-05-01", "Tertialrapport 1 2022"],
        ],
    }  # fmt: skip
    for name, data in rows.items():
        ws = wb.create_sheet(name)
        ws.append(SHEETS[name])
        for r in data:
            ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def sex_data(world):
    from skillnader.web.data import models as m

    m.Indicator.objects.get_or_create(
        id="turnout_riksdag",
        defaults=dict(name_sv="Valdeltagande", domain_id="work", measure="proportion",
                      polarity="higher_is_better", unit="percent", multiplier=100.0),
    )  # fmt: skip
    city = m.Area.objects.get(code="0180")
    release = m.Release.objects.first()
    for key, year, v, lo, hi in [
        ("sex=women", 2018, 90.0, 89.8, 90.2), ("sex=men", 2018, 88.0, 87.8, 88.2),
        ("sex=women", 2022, 87.0, 86.8, 87.2), ("sex=men", 2022, 85.0, 84.8, 85.2),
    ]:  # fmt: skip
        g, _ = m.Group.objects.get_or_create(key=key)
        m.Observation.objects.create(
            indicator_id="turnout_riksdag", area=city, group=g, period=str(year), year=year,
            value=v, lower=lo, upper=hi, release=release,
        )  # fmt: skip


@pytest.mark.django_db
def test_workbook_group_gap_and_api_judgement(client, users, sex_data, tmp_path):
    result = import_file(_book(tmp_path / "mal.xlsx"))
    assert result.goals_created == ["2019-2022/kf/1", "2019-2022/kf/1.1"]
    goal = Goal.objects.get(period_id="2019-2022", number="1.1")
    v1, v2 = goal.versions.order_by("number")
    assert (v1.responsible_id, v2.responsible_id) == ("utbildningsnamnden", "skarholmen")
    assert v2.title_sv == "I Stockholm når barn sin fulla potential"
    target = Target.objects.get(goal_indicator__goal=goal)
    assert [v.value for v in target.versions.order_by("number")] == [1.5, 3.0]

    data = client.get("/mal/2019-2022/kf/1.1/?year=2022&format=json").json()
    (t,) = data["indicators"][0]["targets"]
    # 2022: 87.0 - 85.0 = 2.0, MOVER half-widths sqrt(0.2^2 + 0.2^2)
    assert t["used"]["value"] == pytest.approx(2.0)
    assert t["used"]["lower"] == pytest.approx(2.0 - math.hypot(0.2, 0.2))
    assert (t["target_version"], t["value"], t["status"]) == (2, 3.0, "met")
    assert t["probability"]["probability"] is not None
    assert data["goal"]["title"] == "I Stockholm når barn sin fulla potential"

    sign_in(client, users["office"])
    body = {"year": 2022, "report": "t1", "as_of": "2022-05-01", "status": "helt",
            "analysis": "Skillnaden är oförändrad."}  # fmt: skip
    r = client.post(f"/mal/api/goals/{goal.pk}/judgements/", data=json.dumps(body),
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 201, r.content
    j = Judgement.objects.get(goal=goal)
    assert [v.value for v in j.target_versions.all()] == [3.0]  # in force from that day
    assert j.goal_version == v2
    # a Skärholmen writer is responsible for 1.1 from mid-2020 but does not own a council goal
    sign_in(client, users["sk"])
    r = client.post(f"/mal/api/goals/{goal.pk}/judgements/", data=json.dumps(body),
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 403
