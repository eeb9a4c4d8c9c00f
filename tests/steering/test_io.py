"""Reading goals files: typed errors that name the file and the place; YAML and XLSX agree."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from skillnader.errors import FormatError
from skillnader.steering.io import (
    SteeringFileError,
    read_file,
    read_xlsx,
    read_yaml,
    write_xlsx,
    write_yaml,
)

from .conftest import PLAN

BUNDLED = "src/skillnader/bundle/data/governance/steering_2015_2018.yaml"


def test_reads_the_plan():
    plan = read_yaml("p.yaml", PLAN)
    assert [g.ref for g in plan.goals] == [
        "2015-2018/kf/1",
        "2015-2018/kf/1.2",
        "2015-2018/skarholmen/1.2.1",
        "2015-2018/bromma/1.2.1",
    ]
    t = plan.goals[1].indicators[0].targets[0]
    assert (t.kind, t.direction, t.year, t.value) == ("level", "decrease", 2017, 5.5)
    assert plan.goals[2].parent_ref == "2015-2018/kf/1.2"


@pytest.mark.parametrize(
    ("change", "location", "fragment"),
    [
        (("value: 5.5, valid_from: 2017-01-01, decision: Budget", "value: fem, valid_from: 2017-01-01, decision: Budget"),
         "goals[1].indicators[0].targets[0].value", "not a number"),
        (("number: \"1.2\"\n", "number: \"1.2\"\n        level: nivå\n"), None, None),
        (("owner: bromma, number", "number"), "goals[3].owner", "nämndmål needs the board"),
        (("year: 2017, value: 5.5, valid_from: 2017-01-01, decision: Budget",
          "year: 2017, value: 5.5, valid_from: 2017-13-01, decision: Budget"),
         "goals[1].indicators[0].targets[0].valid_from", "not a date"),
        (("challenges: [summer_jobs]", "challenges: [summer_jobs], budget_sek: -5"),
         "measures[0].budget_sek", "negative"),
    ],
)  # fmt: skip
def test_yaml_errors_name_the_place(change, location, fragment):
    text = PLAN.replace(*change)
    assert text != PLAN
    if location is None:  # a duplicated key is a YAML error with its line
        with pytest.raises(FormatError) as exc:
            read_yaml("goals.yaml", text)
        assert "goals.yaml: line" in str(exc.value)
        return
    with pytest.raises(SteeringFileError) as exc:
        read_yaml("goals.yaml", text)
    assert exc.value.path == "goals.yaml"
    assert exc.value.location == location
    assert fragment in str(exc.value)


def test_duplicate_goal_and_wrong_format():
    dup = '  - {period: 2015-2018, level: namndmal, owner: bromma, number: "1.2.1", parent: "1.2", title: Igen, valid_from: 2017-01-01}\n'  # noqa: E501
    text = PLAN.replace("measures:\n", dup + "measures:\n")
    assert text != PLAN
    with pytest.raises(SteeringFileError, match="occurs twice"):
        read_yaml("g.yaml", text)
    with pytest.raises(SteeringFileError, match="unknown format"):
        read_yaml("g.yaml", "format: något-annat\n")
    with pytest.raises(SteeringFileError, match="unknown file type"):
        read_file("goals.csv")


def test_bundled_file_round_trips_through_xlsx_and_yaml(tmp_path):
    plan = read_yaml(BUNDLED)
    out = tmp_path / "mal.xlsx"
    write_xlsx(plan, out)
    again = read_xlsx(out)
    assert write_yaml(again) == write_yaml(plan)
    assert write_yaml(read_yaml("x.yaml", write_yaml(plan))) == write_yaml(plan)
    # the revision of Skärholmen's årsmål survives as a row of its own
    wb = load_workbook(out)
    rows = [
        r for r in wb["targets"].iter_rows(values_only=True) if r[0] == "2015-2018/skarholmen/1.2.1"
    ]
    assert [r[8] for r in rows if r[1] == "social_assistance_share"].count("arsmal-2017") == 2


def _workbook(tmp_path, goals_rows, targets_rows=()):
    from skillnader.steering.io import SHEETS

    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("goals")
    ws.append(SHEETS["goals"])
    for r in goals_rows:
        ws.append(r)
    ts = wb.create_sheet("targets")
    ts.append(SHEETS["targets"])
    for r in targets_rows:
        ts.append(r)
    path = tmp_path / "mal.xlsx"
    wb.save(path)
    return path


def test_xlsx_errors_name_sheet_row_and_column(tmp_path):
    good = ["2015-2018", "inriktningsmal", "kf", "1", None, "Ett Stockholm som håller samman",
            None, "2015-01-01"]  # fmt: skip
    bad = ["2015-2018", "verksamhetsomradesmal", "kf", "1.1", "1", "Barn", None, "i fjol"]
    with pytest.raises(SteeringFileError) as exc:
        read_xlsx(_workbook(tmp_path, [good, bad]))
    assert exc.value.location == "sheet goals, row 3, column H (valid_from)"
    assert exc.value.value == "i fjol"
    target = ["2015-2018/kf/1", "social_assistance_share", None, None, None, None, None, None,
              "t1", "level", "decrease", 2017, "5,5x", None, None, None, None, None, None, None,
              "2017-01-01"]  # fmt: skip
    with pytest.raises(SteeringFileError) as exc:
        read_xlsx(_workbook(tmp_path, [good], [target]))
    assert exc.value.location == "sheet targets, row 2, column M (value)"
    target[12] = "5,5"  # a decimal comma is a number
    target[8] = None
    assert read_xlsx(_workbook(tmp_path, [good], [target])).goals[0].indicators[0].targets == []
    missing = ["2015-2018/kf/9", "social_assistance_share"]
    with pytest.raises(SteeringFileError, match="no such goal") as exc:
        read_xlsx(_workbook(tmp_path, [good], [missing]))
    assert exc.value.location.startswith("sheet targets, row 2, column A")


def test_broken_xlsx_is_a_format_error(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FormatError, match="not a readable XLSX"):
        read_xlsx(p)


def test_xlsx_text_is_never_a_formula(tmp_path):
    plan = read_yaml("p.yaml", PLAN.replace("title: Feriejobb", 'title: "=HYPERLINK(1)"'))
    buf = io.BytesIO()
    write_xlsx(plan, buf)
    buf.seek(0)
    wb = load_workbook(buf)
    titles = [r[1] for r in wb["measures"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(1)" in titles
