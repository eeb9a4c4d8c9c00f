import json

from skillnader.allocation import allocate
from skillnader.allocation.run import (
    explain_applicant,
    explain_position,
    explanations_jsonl,
    positions_jsonl,
    second_round_options,
)

from .helpers import applicant, policy, position


def _instance():
    # Södermalm (inner) has 3 places, one reserved for the outer city; Järva 1 place.
    pos = [
        position(0, "Södermalm", 3),
        position(1, "Järva", 1),
        position(2, "Bromma", 2, category="kultur"),
    ]
    apps = [
        applicant(1, "Södermalm", ["P00", "P01"], tier=1),
        applicant(2, "Södermalm", ["P00"], tier=1),
        applicant(3, "Södermalm", ["P00", "P01"], tier=2),
        applicant(4, "Järva", ["P00", "P01"], tier=3),
        applicant(5, "Järva", ["P00", "P01"], tier=3),
        applicant(6, "Järva", ["park/juni/*"], tier=3, age=15),
    ]
    return policy(outer=0.34), apps, pos


def test_applicant_explanations_name_tier_holders_and_grounds():
    pol, apps, pos = _instance()
    r = allocate(pol, apps, pos, "seed-1")
    a = r.assignment()
    # the outer-city mixing place goes to the better of A004/A005 by lottery
    assert a["A001"] == a["A002"] == "P00"
    winner = next(x for x in ("A004", "A005") if a[x] == "P00")
    loser = "A005" if winner == "A004" else "A004"
    i_w = [x.id for x in r.problem.applicants].index(winner)
    ew = explain_applicant(r, i_w)
    assert (
        ew["ground"] == "place reserved for youths from the outer city" and ew["choice_rank"] == 1
    )
    i3 = [x.id for x in r.problem.applicants].index("A003")
    e3 = explain_applicant(r, i3)
    # A003 (tier 2) lost P00 to the outer-city place although its holder has lower priority
    assert e3["position"] == "P01" and e3["tier"] == 2
    held = e3["positions_ranked_higher"][0]
    assert held["position"] == "P00"
    assert held["reserved_places"] == [[winner, 3, ew["priority_rank"], "outer"]]
    assert held["last_open_place"][0] in ("A001", "A002")
    i_l = [x.id for x in r.problem.applicants].index(loser)
    el = explain_applicant(r, i_l)
    assert el["position"] is None and len(el["positions_ranked_higher"]) == 2
    i6 = [x.id for x in r.problem.applicants].index("A006")
    assert "outside the policy's 16-18" in explain_applicant(r, i6)["reason"]
    # the JSON lines are the same explanations
    lines = [json.loads(x) for x in explanations_jsonl(r)]
    assert lines == [explain_applicant(r, i) for i in range(len(apps))]
    # second round: the unplaced youth is offered Bromma's free places (another category last)
    opts = second_round_options(r, i_l)
    assert [o["position"] for o in opts] == ["P02"] and opts[0]["free_places"] == 2
    assert second_round_options(r, i6) == []


def test_position_explanation_lists_who_was_considered():
    pol, apps, pos = _instance()
    r = allocate(pol, apps, pos, "seed-1")
    e = explain_position(r, 0)
    assert e["free_places"] == 0
    assert {c["applicant"] for c in e["considered"]} == {"A001", "A002", "A003", "A004", "A005"}
    assert sum(c["placed_here"] for c in e["considered"]) == 3
    anon = explain_position(r, 0, show_ids=False)
    assert "applicant" not in json.dumps(anon)
    # the position lines the CLI writes are exactly the dictionaries serialised, in both modes
    for mode in ("stable", "optimise"):
        r = allocate(pol, apps, pos, "seed-1", mode=mode)
        for ids in (True, False):
            assert list(positions_jsonl(r, show_ids=ids)) == [
                json.dumps(explain_position(r, j, show_ids=ids), ensure_ascii=False)
                for j in range(len(pos))
            ]
