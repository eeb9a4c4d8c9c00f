"""Cases written apart from the development of the allocation and run only at the end."""

from __future__ import annotations

import datetime as dt

import openpyxl

from skillnader.allocation import allocate, inputs
from skillnader.allocation.report import build_report
from skillnader.allocation.run import district_minimum_status, explain_applicant

from .helpers import applicant, blocking, policy, position


def test_applicants_from_xlsx_with_real_date_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        ["id", "birth_date", "sex", "home_area", "choices", "social_assistance", "born_in_sweden"]
    )
    ws.append(["a-1", dt.datetime(2010, 7, 1), "M", "Skärholmen", "park/*/*", "JA", None])
    ws.append(["a-2", dt.date(2011, 1, 2), "k", "0180r010", "P1;P2", 0, "nej"])
    wb.save(tmp_path / "a.xlsx")
    a = inputs.read_applicants(tmp_path / "a.xlsx")
    assert (
        a[0].birth_date == dt.date(2010, 7, 1)
        and a[0].social_assistance
        and a[0].born_in_sweden is None
    )
    assert (
        a[1].home_area == "0180R010"
        and a[1].choices == ("P1", "P2")
        and a[1].born_in_sweden is False
    )


def test_unmeetable_district_minimum_is_reported_not_hidden():
    # Skärholmen's youths all want the one Järva place; half of them are guaranteed, but the
    # guaranteed Järva youth of tier 1 comes first among the guaranteed
    pol = policy(dmin=0.5)
    apps = [applicant(k, "Skärholmen", ["P00"]) for k in range(6)] + [
        applicant(9, "Järva", ["P00"], tier=1)
    ]
    r = allocate(pol, apps, [position(0, "Järva", 1)], "s")
    st = {d["district"]: d for d in district_minimum_status(r)}
    assert (
        st["Skärholmen"]["minimum"] == 3
        and st["Skärholmen"]["placed"] == 0
        and not st["Skärholmen"]["met"]
    )
    assert st["Järva"]["minimum"] == 1 and st["Järva"]["met"]
    assert blocking(r) == []
    rep = build_report(r)
    assert [(d["district"], d["met"]) for d in rep["district_minimum"]] == [
        ("Järva", True),
        ("Skärholmen", False),
    ]


def test_all_of_criteria_and_unknown_position_ids():
    text = policy().text.replace("any: [support_needs]", "all: [support_needs, no_earlier_job]")
    from skillnader.allocation.policy import parse_policy

    pol = parse_policy(text)
    a1 = applicant(1, "Järva", ["P99", "P00"], support_needs=True)
    a2 = applicant(2, "Järva", ["P00"], support_needs=True, earlier_summer_job=True)
    r = allocate(pol, [a1, a2], [position(0, "Järva", 1)], "s")
    assert r.problem.tier == [2, 3]
    e = explain_applicant(r, 0)
    assert e["position"] == "P00" and e["choice_rank"] == 1 and e["choices"] == ["P99", "P00"]
    assert explain_applicant(r, 1)["reason"].startswith("every eligible position listed was full")


def test_language_requirement_and_period_outside_policy():
    apps = [applicant(1, "Järva", ["P00", "P01", "P02"])]
    pos = [
        position(0, "Järva", 1, requirements=("language:so",)),
        position(1, "Järva", 1, period="december"),
        position(2, "Järva", 1),
    ]
    r = allocate(policy(), apps, pos, "s")
    e = explain_applicant(r, 0)
    assert e["position"] == "P02"
    reasons = {x["position"]: x["reason"] for x in e["chosen_but_ineligible"]}
    assert "language 'so'" in reasons["P00"] and "december" in reasons["P01"]


def test_optimising_mode_without_a_solution_says_so():
    import pytest

    from skillnader.errors import MethodError

    apps = [applicant(k, "Järva", ["park"]) for k in range(400)]
    pos = [position(k, "Järva", 3) for k in range(60)]
    with pytest.raises(MethodError, match="no allocation"):
        allocate(policy(r1=0.3, outer=0.3), apps, pos, "s", mode="optimise", time_limit=1e-6)
