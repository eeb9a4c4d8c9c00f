"""On the synthetic population, the city-wide allocation raises the placement rate of the
highest-need tier in the outer districts compared with district-by-district allocation."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from skillnader.allocation import allocate, load_policy, synthetic
from skillnader.allocation.report import build_report, render_markdown
from skillnader.stats.intervals import wilson

POLICY = Path(__file__).resolve().parents[2] / "src/skillnader/allocation/data/policy_example.yaml"


@cache
def _run():
    pol = load_policy(POLICY)
    apps = synthetic.applicants(6000, seed=11)
    pos = synthetic.positions(4200, 600, seed=11)
    city = allocate(pol, apps, pos, "2027-04-01/feriejobb")
    sq = allocate(pol, apps, pos, "2027-04-01/feriejobb", status_quo=True)
    return pol, city, sq, build_report(city, sq)


def test_synthetic_population_follows_the_real_aggregates():
    apps = synthetic.applicants(6000, seed=11)
    assert all(a.id.startswith("SYN-") for a in apps)
    share = synthetic.social_assistance_children_share()
    assert share["Rinkeby-Kista"] > 5 * share["Östermalm"]  # the real gap the generator carries
    jarva = [a for a in apps if a.home_district == "Järva"]
    ostermalm = [a for a in apps if a.home_district == "Norra innerstaden"]
    sa_j = sum(a.social_assistance for a in jarva) / len(jarva)
    sa_o = sum(a.social_assistance for a in ostermalm) / len(ostermalm)
    assert sa_j > 3 * sa_o
    jobs = synthetic.jobs_by_district()
    assert jobs["Norra innerstaden"] > 10 * jobs["Skarpnäck"]


def test_city_wide_raises_highest_need_tier_in_outer_districts():
    pol, city, sq, rep = _run()
    top = f"outer/{pol.tiers[0].id}"
    row = next(r for r in rep["status_quo"]["by_side_and_tier"] if r["group"] == top)
    cw, dd, diff = row["city_wide"], row["district_by_district"], row["difference"]
    # the intervals are the project's Wilson intervals
    lo, hi = wilson(cw["placed"], cw["applicants"])
    assert (cw["lower"], cw["upper"]) == pytest.approx((lo, hi))
    assert cw["rate"] > dd["rate"]
    assert diff["lower"] > 0, diff
    md = render_markdown(rep, synthetic=True)
    assert "SYNTETISKA DATA" in md and "ytterstad, nivå 1" in md


def test_report_is_protected_and_consistent():
    pol, city, sq, rep = _run()
    for row in rep["groups"]["district"]:
        assert row["suppressed"] or row["applicants"] >= pol.disclosure_threshold
    total = rep["ledger"][-1]
    assert total["district"] == "Alla"
    assert total["given_to_other_districts"] == total["received_from_other_districts"]
    placed = sum(1 for j in city.match if j >= 0)
    assert total["to_own_youths"] + total["given_to_other_districts"] == placed
    assert rep["blocking_pairs"] == 0
    m = rep["mixing"]["inner_city_places"]
    assert m["lower"] <= m["share"] <= m["upper"]
