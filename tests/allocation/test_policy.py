from pathlib import Path

import pytest

from skillnader.allocation.policy import PolicyError, load_policy, parse_policy

EXAMPLE = Path(__file__).resolve().parents[2] / "src/skillnader/allocation/data/policy_example.yaml"


def test_example_policy_reads_and_counts_reserved_places():
    p = load_policy(EXAMPLE)
    assert p.version == "2027.1"
    assert [t.id for t in p.tiers] == [1, 2, 3, 4]
    assert len(p.digest) == 64
    # 10 places in the inner city: 3 mixing places (30 %), 2 for tier 1 (20 %), 1 for tier 3 (10 %)
    slots = p.reserved_slots(10, inner_city=True)
    assert slots.count(("home_inner", False)) == 3
    assert slots.count(("tier", 1)) == 2
    assert slots.count(("tier", 3)) == 1
    assert p.reserved_slots(1, inner_city=False) == []  # 10 % of 1 rounds to 0
    assert p.district_minimum("Järva", 101) == 26  # ceil(0.25 * 101)
    assert p.public_dict()["lottery"]["seed_published"] == "2027-04-01"


@pytest.mark.parametrize(
    "change, key",
    [
        (("any: [support_needs]", "any: [support_need]"), "tiers[1].any"),
        (("reserve: 0.2", "reserve: 0.95"), "tiers"),
        (("age: {min: 16, max: 18}", "age: {min: 19, max: 18}"), "age"),
        (
            (
                "  - id: 4\n    label: Övriga sökande\n",
                "  - id: 4\n    label: Övriga\n    any: [newly_arrived]\n",
            ),
            "tiers[3]",
        ),
        (
            ("outer_share_of_inner_places: 0.3", "outer_share_of_inner_places: 30"),
            "mixing.outer_share_of_inner_places",
        ),
        (("reference_date: 2027-06-15", "reference_date: midsommar"), "reference_date"),
    ],
)
def test_bad_policy_names_the_key(change, key):
    text = EXAMPLE.read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(PolicyError) as exc:
        parse_policy(text.replace(change[0], change[1]), source="p.yaml")
    assert exc.value.location == f"key {key}"
    assert "p.yaml" in str(exc.value)


def test_tier_is_first_match():
    from .helpers import applicant, policy

    pol = policy()
    assert pol.tier_of(applicant(1, "Järva", ["park"], tier=1, support_needs=True)).id == 1
    assert pol.tier_of(applicant(2, "Järva", ["park"], tier=2)).id == 2
    assert pol.tier_of(applicant(3, "Järva", ["park"], newly_arrived=True)).id == 1
    assert pol.tier_of(applicant(4, "Järva", ["park"])).id == 3
