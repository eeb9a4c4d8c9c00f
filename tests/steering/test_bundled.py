"""The bundled goals on the bundled real data: the four inriktningsmål, goal 1's sub-goals of
2017, example nämndmål of two boards, and gap targets computed from real observations."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from skillnader.web.steering.importer import load_bundled_steering
from skillnader.web.steering.models import Goal, GoalIndicator

pytestmark = pytest.mark.django_db


def byar(x: float, z: float) -> tuple[float, float]:
    """Byar's limits for a Poisson count (Breslow & Day 1987, p. 69), written out again."""
    lo = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    hi = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lo, hi


@pytest.fixture
def loaded(bundle_db):
    text = load_bundled_steering()
    assert "16 new goals" in text
    assert "already loaded" in load_bundled_steering()


def test_real_skeleton_and_examples(loaded, client):
    kf = Goal.objects.filter(owner__isnull=True, period_id="2015-2018")
    top = {g.number: g.current_version().title_sv for g in kf.filter(level="inriktningsmal")}
    assert top == {
        "1": "Ett Stockholm som håller samman",
        "2": "Ett klimatsmart Stockholm",
        "3": "Ett ekonomiskt hållbart Stockholm",
        "4": "Ett demokratiskt hållbart Stockholm",
    }
    in_2017 = sorted(g.number for g in kf.filter(parent__number="1") if g.active_in(2017))
    assert in_2017 == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"]
    assert not any(g.example for g in kf)  # the council's goals are real ...
    assert all(link.example for link in GoalIndicator.objects.filter(goal__in=kf))  # ... links not
    boards = Goal.objects.filter(level="namndmal")
    assert sorted(boards.values_list("owner_id", flat=True)) == ["skarholmen", "spanga_tensta"]
    assert all(g.example for g in boards)
    for g in boards:
        targets = [t for link in g.indicators.all() for t in link.targets.all()]
        assert any(t.gap_kind for t in targets)
    html = client.get("/mal/2015-2018/?year=2017").content.decode()
    for title in top.values():
        assert title in html
    assert "Alla äldre har en trygg ålderdom" in html


def test_gap_target_from_real_observations(loaded, client):
    data = client.get("/mal/2015-2018/kf/1.2/?year=2017&format=json").json()
    (entry,) = [e for e in data["indicators"] if e["indicator"] == "social_assistance_share"]
    # the bundle carries the Byar interval of the count scaled to the share (the catalogue's
    # interval for a share published without its population): the goal uses it as published
    assert entry["interval_method"] == "published"
    gap = next(t for t in entry["targets"] if t["gap"] == "range")
    # Bundled: Rinkeby-Kista 8.5 % (4,137 persons) 2015 and 7.2 % (3,604) 2017 the highest;
    # Norrmalm/Östermalm 0.5 % 2015 and Östermalm 0.3 % (260) 2017 the lowest.
    assert gap["used"]["year"] == 2017 and gap["used"]["label"] == "Rinkeby-Kista – Östermalm"
    assert gap["used"]["value"] == pytest.approx(6.9)
    assert gap["base"]["value"] == pytest.approx(8.0)
    z = stats.norm.ppf(0.975)
    hl, hu = (7.2 * b / 3604 for b in byar(3604, z))
    ll, lu = (0.3 * b / 260 for b in byar(260, z))
    assert gap["used"]["lower"] == pytest.approx(6.9 - math.hypot(7.2 - hl, lu - 0.3))
    assert gap["used"]["upper"] == pytest.approx(6.9 + math.hypot(hu - 7.2, 0.3 - ll))
    assert gap["checked"]["value"] == pytest.approx(-1.1)
    assert gap["checked"]["upper"] < 0  # the whole interval of the change is below zero
    assert gap["status"] == "met" and gap["trend"]["judgement"] == "helt"
    p = gap["probability"]
    assert p["year"] == 2018 and 0.99 < p["probability"] <= 1 and p["se"] > 0
    html = client.get("/mal/2015-2018/kf/1.2/?year=2017").content.decode()
    assert "Rinkeby-Kista – Östermalm" in html
    assert "&gt; 99 %" in html or "> 99 %" in html


def test_board_page_and_gap_against_the_city(loaded, client):
    data = client.get("/mal/2015-2018/namnd/skarholmen/2017/?format=json").json()
    (goal,) = data["goals"]
    assert goal["example"] and goal["parent"]["number"] == "1.2"
    gap = next(t for t in goal["targets"] if t["gap"] == "areas")
    assert gap["status"] in ("met", "not_met", "not_assessable")
    assert gap["probability"] is not None
    detail = client.get("/mal/2015-2018/skarholmen/1.2.1/?year=2017&format=json").json()
    t = next(t for e in detail["indicators"] for t in e["targets"] if t["gap"] == "areas")
    # Skärholmen 6.2 -> 5.1 %, the city 2.7 -> 2.7 %: the gap fell from 3.5 to 2.4 points
    assert t["base"]["value"] == pytest.approx(3.5) and t["used"]["value"] == pytest.approx(2.4)
    assert t["status"] == "met"
    # the årsmål in force at the end of 2017 is the revised one (example T2 decision)
    level = next(t for e in detail["indicators"] for t in e["targets"] if t["kind"] == "level")
    assert (level["target_version"], level["value"]) == (2, 5.0)
    # Spånga-Tensta's girls-boys target names an indicator without bundled data yet
    st = client.get("/mal/2015-2018/spanga_tensta/1.2.1/?year=2017&format=json").json()
    eligibility = next(
        e for e in st["indicators"] if e["indicator"] == "upper_secondary_eligibility"
    )
    assert eligibility["targets"][0]["status"] == "not_assessable"
    assert client.get("/mal/2015-2018/namnd/skarholmen/2017/").status_code == 200


def test_chain_both_ways(loaded, client):
    challenge = client.get("/mal/utmaning/summer_jobs/?format=json").json()
    assert [m["key"] for m in challenge["measures"]] == ["skarholmen-feriejobb-2017"]
    refs = {g["ref"] for g in challenge["goals"]}
    assert refs == {"2015-2018/skarholmen/1.2.1", "2015-2018/kf/1.2"}
    measure = client.get("/mal/atgarder/skarholmen-feriejobb-2017/?format=json").json()
    change = measure["chain"][0]["indicators"][0]["change"]
    assert change["from"] == 2016 and change["to"] == 2017
    goal = client.get("/mal/2015-2018/skarholmen/1.2.1/?format=json").json()
    assert "summer_jobs" in goal["measures"][0]["challenges"]
    csv = client.get("/mal/atgarder/?challenge=summer_jobs&format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("id,key,title")
    assert len(csv.splitlines()) == 2


def test_gap_between_girls_and_boys_from_real_data(loaded, client):
    """Goal 1.1's example target: girls minus boys in upper-secondary eligibility at most 2
    points in 2018. The bundled city values have no interval: the value alone decides."""
    from skillnader.web.data.models import Observation

    def value(key, year):
        return Observation.objects.get(
            indicator_id="upper_secondary_eligibility", area__code="0180",
            area__level_id="kommun", group__key=key, period=str(year),
        ).value  # fmt: skip

    gap_2018 = value("sex=women", 2018) - value("sex=men", 2018)
    data = client.get("/mal/2015-2018/kf/1.1/?year=2018&format=json").json()
    entry = next(e for e in data["indicators"] if e["indicator"] == "upper_secondary_eligibility")
    (t,) = entry["targets"]
    assert t["used"]["year"] == 2018 and t["used"]["value"] == pytest.approx(gap_2018)
    assert t["status"] == ("met" if gap_2018 <= 2.0 else "not_met")
    assert t["exact"] is False and t["reason"] == "no_interval"
    assert entry["interval_method"] == "none"
    assert t["probability"]["probability"] is not None and not t["probability"]["weighted"]
    # in 2017 the 2018 target cannot be judged yet
    early = client.get("/mal/2015-2018/kf/1.1/?year=2017&format=json").json()
    e17 = next(e for e in early["indicators"] if e["indicator"] == "upper_secondary_eligibility")
    assert e17["targets"][0]["reason"] == "target_year_not_published"


def test_the_goals_command_lists_the_bundled_tree_and_names_a_wrong_period(loaded):
    import json

    from click.testing import CliRunner

    from skillnader.cli import main

    r = CliRunner().invoke(main, ["goals", "--period", "2015-2018", "--year", "2017", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    refs = [row["ref"] for row in rows]
    assert refs[0] == "2015-2018/kf/1"  # tree order: inriktningsmål 1 first
    assert {"2015-2018/kf/1", "2015-2018/kf/2", "2015-2018/kf/3", "2015-2018/kf/4"} <= set(refs)
    assert any(row["board"] == "skarholmen" and row["example"] for row in rows)
    assert any(row["computed"] for row in rows if row["targets"])
    r = CliRunner().invoke(main, ["goals", "--period", "1999-2002"])
    assert r.exit_code == 2
    assert "1999-2002" in r.output and "2015-2018" in r.output


def test_a_health_gap_target_on_real_life_expectancy(loaded, client):
    """Goal 1.2's example health target: the gap in life expectancy between women and men shall
    decrease from 2015 to 2018, on SCB's deaths and population of the bundle."""
    from skillnader.steering import rules
    from skillnader.web.data.models import Observation

    def cell(key, year):
        return Observation.objects.get(
            indicator_id="life_expectancy", area__code="0180", area__level_id="kommun",
            group__key=key, period=str(year),
        )  # fmt: skip

    data = client.get("/mal/2015-2018/kf/1.2/?year=2018&format=json").json()
    (entry,) = [e for e in data["indicators"] if e["indicator"] == "life_expectancy"]
    (t,) = entry["targets"]
    assert t["gap"] == "groups" and entry["example"]
    for key in ("base", "used"):
        year = t[key]["year"]
        women, men = cell("sex=women", year), cell("sex=men", year)
        assert t[key]["value"] == pytest.approx(women.value - men.value)
        # MOVER: each side's distance from the two groups' own limits
        assert t[key]["lower"] == pytest.approx(
            women.value - men.value - math.hypot(women.value - women.lower, men.upper - men.value)
        )
    assert (t["base"]["year"], t["used"]["year"]) == (2015, 2018)
    assert t["used"]["value"] < t["base"]["value"]  # the gap fell ...
    assert t["checked"]["lower"] < 0 < t["checked"]["upper"]  # ... within its uncertainty
    assert t["status"] == "not_assessable" and t["trend"]["judgement"] == "delvis"
    # the probability is the line's change read one-sided: moderate, as the trend is weak
    series = [rules.Estimate(s["year"], s["value"], s["lower"], s["upper"]) for s in t["series"]]
    fitted = [e for e in series if 2015 <= e.year <= 2018]
    expected = rules.probability_of_change(fitted, 2015, 2018, "decrease").probability
    assert t["probability"]["probability"] == pytest.approx(expected)
    assert 0.5 < expected < 0.975
