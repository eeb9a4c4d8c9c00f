"""Import into the database: all or nothing, idempotent, judged versions kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from skillnader.steering.io import SteeringFileError, read_yaml, write_xlsx
from skillnader.web.steering.importer import export_plan, import_file, write_plan
from skillnader.web.steering.models import (
    Goal,
    GoalIndicator,
    GoalVersion,
    Measure,
    Period,
    Target,
    TargetVersion,
)

from .conftest import PLAN, make_data


def _counts():
    return tuple(
        m.objects.count()
        for m in (Period, Goal, GoalVersion, GoalIndicator, Target, TargetVersion, Measure)
    )


@pytest.fixture
def empty(db):
    from skillnader.web.consultation.registry import sync_boards

    sync_boards()
    make_data()


@pytest.mark.parametrize(
    ("change", "location", "fragment"),
    [
        (("indicator: social_assistance_share\n        targets:\n          - key: arsmal\n            kind",
          "indicator: no_such_indicator\n        targets:\n          - key: arsmal\n            kind"),
         "goals[2].indicators[0].indicator", "not in the indicator catalogue"),
        (("owner: bromma", "owner: ingen_namnd"), "goals[3].owner", "unknown board"),
        (("challenges: [summer_jobs]", "challenges: [summer_jobs, inte_en_kod]"),
         "measures[0].challenges", "codebook"),
        (("goals: [2015-2018/bromma/1.2.1]", "goals: [2015-2018/bromma/9.9]"),
         "measures[1].goals", "no such goal"),
        (("parent: \"1.2\"\n    title: Fler", "parent: \"7.7\"\n    title: Fler"),
         "goals[2].parent", "no such council goal"),
    ],
)  # fmt: skip
def test_a_bad_reference_late_in_the_file_leaves_the_database_unchanged(
    empty, change, location, fragment
):
    text = PLAN.replace(*change)
    assert text != PLAN
    before = _counts()
    with pytest.raises(SteeringFileError) as exc:
        write_plan(read_yaml("mal.yaml", text))
    assert exc.value.location == location and fragment in str(exc.value)
    assert exc.value.path == "mal.yaml"
    assert _counts() == before == (0, 0, 0, 0, 0, 0, 0)


def test_failure_after_writing_rolls_back(empty):
    """A conflict found only while writing (a judged version changed) undoes everything."""
    write_plan(read_yaml("mal.yaml", PLAN))
    from django.contrib.auth import get_user_model

    from skillnader.web.steering.views import save_judgement

    goal = Goal.objects.get(owner_id="skarholmen")
    save_judgement(goal, {"year": 2017, "report": "t1", "as_of": dt.date(2017, 4, 30),
                          "status": "delvis", "analysis": "Text"},
                   get_user_model().objects.create_user("u"))  # fmt: skip
    before = _counts()
    changed = PLAN.replace(
        "value: 5.5\n            valid_from: 2017-01-01",
        "value: 4.0\n            valid_from: 2017-01-01",
    )
    # written before the conflict is found: council goals are written first
    changed = changed.replace("livschanser för alla", "livschanser för alla (ny lydelse)")
    assert changed != PLAN
    with pytest.raises(SteeringFileError, match="judged target version cannot change"):
        write_plan(read_yaml("mal.yaml", changed))
    assert _counts() == before
    kf = Goal.objects.get(owner__isnull=True, number="1.2").current_version()
    assert kf.title_sv.endswith("livschanser för alla")
    assert TargetVersion.objects.get(target__goal_indicator__goal=goal).value == 5.5


def test_import_is_idempotent_and_export_reads_back(empty, tmp_path):
    first = write_plan(read_yaml("mal.yaml", PLAN))
    assert len(first.goals_created) == 4 and first.target_versions_created == 2
    counts = _counts()
    again = write_plan(read_yaml("mal.yaml", PLAN))
    assert again.goals_created == [] and again.versions_created == 0
    assert _counts() == counts
    # export -> XLSX -> import into the same database: nothing new
    out = tmp_path / "export.xlsx"
    write_xlsx(export_plan(), out)
    third = import_file(out)
    assert third.versions_created == 0 and third.target_versions_created == 0
    assert _counts() == counts
    m = Measure.objects.get(key="sk-feriejobb")
    assert [g.ref for g in m.goals.all()] == ["2015-2018/skarholmen/1.2.1"]


def test_cli_import_reports_a_bad_file_with_exit_code_2(empty, tmp_path):
    from click.testing import CliRunner

    from skillnader.cli import main

    bad = tmp_path / "mal.yaml"
    bad.write_text(PLAN.replace("owner: bromma", "owner: ingen_namnd"), encoding="utf-8")
    r = CliRunner().invoke(main, ["goals", "import", str(bad)])
    assert r.exit_code == 2
    assert "goals[3].owner: unknown board" in r.output
    assert Goal.objects.count() == 0
    good = tmp_path / "ok.yaml"
    good.write_text(PLAN, encoding="utf-8")
    r = CliRunner().invoke(main, ["goals", "import", str(good)])
    assert r.exit_code == 0, r.output
    assert "4 new goals" in r.output
    r = CliRunner().invoke(
        main, ["goals", "status", "2015-2018/kf/1.2", "--year", "2017", "--json"]
    )
    assert r.exit_code == 0, r.output
    assert '"status": "met"' in r.output  # 5.1 (Byar interval) at most 5.5
    r = CliRunner().invoke(main, ["measures", "--challenge", "summer_jobs", "--json"])
    assert '"sk-feriejobb"' in r.output and '"br-laxhjalp"' not in r.output
    call_command("check")


@pytest.mark.django_db
def test_web_export_and_import_by_the_city_office(client, users, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import sign_in

    xlsx = client.get("/mal/2015-2018/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    yaml_text = client.get("/mal/2015-2018/export.yaml").content.decode()
    assert "Fler blir självförsörjande" in yaml_text
    # only the city office imports
    sign_in(client, users["sk"])
    assert client.get("/mal/importera/").status_code == 403
    sign_in(client, users["office"])
    before = _counts()
    bad = yaml_text.replace("owner: bromma", "owner: ingen_namnd")
    r = client.post("/mal/importera/", {"file": SimpleUploadedFile("mal.yaml", bad.encode())})
    assert r.status_code == 400
    page = r.content.decode()
    assert "mal.yaml: goals[" in page and "].owner: unknown board" in page
    assert _counts() == before
    changed = yaml_text.replace("Brommas mål", "Brommas mål, ny lydelse")
    r = client.post("/mal/importera/", {"file": SimpleUploadedFile("mal.xlsx", xlsx.content)})
    assert r.status_code == 200 and _counts() == before  # the same content: nothing new
    r = client.post("/mal/importera/", {"file": SimpleUploadedFile("mal.yaml", changed.encode())})
    assert r.status_code == 200
    assert Goal.objects.get(owner_id="bromma").current_version().title_sv.endswith("ny lydelse")
    r = client.post("/mal/importera/", {"file": SimpleUploadedFile("mal.csv", b"a,b")})
    assert r.status_code == 200 and 'aria-invalid="true"' in r.content.decode()
