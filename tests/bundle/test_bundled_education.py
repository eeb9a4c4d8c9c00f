"""Education level in the bundle, imported through the user's import path: SCB's population
25-64 by education level per DeSO 2022 summed through key files to RegSO, stadsdelsområde,
stadsområde, kommun, län and Sweden, and the kommun panel's share with post-secondary education
16-74 (2005-2021). Checked against the raw files in ``../shared``."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
from tests.conftest import shared_file

from skillnader.bundle.build import DATA_DIR, sdo_code
from skillnader.stats import intervals

pytestmark = pytest.mark.django_db

LEVELS = ["middle_school", "gymnasium", "post_gymnasium_less_than_3"]
LEVELS += ["post_gymnasium_more_than_3", "education_missing"]
NUMERATORS = {
    "post_secondary_education_share": ["post_gymnasium_less_than_3", "post_gymnasium_more_than_3"],
    "post_secondary_3y_share": ["post_gymnasium_more_than_3"],
    "primary_education_only_share": ["middle_school"],
}


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def deso_sums():
    """Counts per RegSO, kommun and Sweden summed here from the shared raw files, independently
    of the importer: {area code: {column: count}}."""
    edu = _rows(shared_file("data/deso_2022/education_demographics_deso.csv"))
    key = {
        r["DeSO_2018"]: r
        for r in _rows(shared_file("data/regso_sweden/koppling_deso2018_regso2020.csv"))
    }
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LEVELS, 0))
    for r in edu:
        k = key[r["deso"]]
        targets = ["SE", k["Kommun"]]
        if k["Kommun"] == "0180":
            targets.append(k["RegSOkod_2020"])
        for t in targets:
            for c in LEVELS:
                sums[t][c] += int(r[c])
    return {"rows": len(edu), "sums": sums}


def _obs(indicator, level, **kw):
    from skillnader.web.data.models import Observation

    return Observation.objects.filter(
        indicator_id=indicator, area__level_id=level, period="2022", group__key="", **kw
    ).select_related("area", "area__vintage")


def test_every_stockholm_regso_equals_the_sum_of_its_deso(bundle_db, deso_sums):
    sums = deso_sums["sums"]
    regso = {c: s for c, s in sums.items() if len(c) == 8 and c.startswith("0180R")}
    assert len(regso) == 127
    for ind, cols in NUMERATORS.items():
        obs = {o.area.code: o for o in _obs(ind, "regso")}
        assert set(obs) == set(regso), ind  # the 127 RegSO, and only Stockholm's
        for code, o in obs.items():
            s = regso[code]
            assert (o.numerator, o.denominator) == (sum(s[c] for c in cols), sum(s.values()))
            assert o.value == pytest.approx(100 * o.numerator / o.denominator)
            lo, hi = intervals.wilson(o.numerator, o.denominator)
            assert (o.lower, o.upper) == (pytest.approx(100 * lo), pytest.approx(100 * hi))
            assert o.lower < o.value < o.upper and not o.suppressed
    # the RegSO together hold exactly Stockholm's DeSO
    total = sum(o.denominator for o in _obs("post_secondary_education_share", "regso"))
    assert total == sum(sums["0180"].values())


def test_known_values_of_the_source(bundle_db):
    """The folder's SOURCES.md states the range of the share with three years or more of
    post-secondary education: 12.0 % in Rinkeby, 74.0 % in Södra Ängby."""
    text = shared_file("data/deso_2022/SOURCES.md").read_text(encoding="utf-8")
    assert "12.0 % (Rinkeby) ... 74.0 % (Södra Ängby)" in text
    obs = {o.area.name: o for o in _obs("post_secondary_3y_share", "regso")}
    assert round(obs["Rinkeby"].value, 1) == 12.0
    assert round(obs["Södra Ängby"].value, 1) == 74.0
    assert min(obs.values(), key=lambda o: o.value).area.name == "Rinkeby"
    assert max(obs.values(), key=lambda o: o.value).area.name == "Södra Ängby"
    # and its total: 567 561 persons aged 25-64 in Stockholm
    (city,) = _obs("post_secondary_education_share", "kommun", area__code="0180")
    assert city.denominator == 567_561


def test_districts_and_larger_areas_are_sums_of_the_same_counts(bundle_db, deso_sums):
    sums = deso_sums["sums"]
    lookup = _rows(DATA_DIR / "stockholm_districts" / "stockholm_regso_to_sdo_lookup_DERIVED.csv")
    by_sdo: dict[str, list[str]] = defaultdict(list)
    for r in lookup:
        by_sdo[sdo_code(r["sdo_from_2020_07"])].append(r["regsokod"])
    for ind, cols in NUMERATORS.items():
        sdo = {o.area.code: o for o in _obs(ind, "sdo")}
        # the 13 stadsdelsområden in force on 31 December 2022
        assert len(sdo) == 13 and {o.area.vintage.code for o in sdo.values()} == {"2020"}
        assert set(sdo) == set(by_sdo)
        for code, o in sdo.items():
            parts = [sums[r] for r in by_sdo[code]]
            assert o.numerator == sum(p[c] for p in parts for c in cols)
            assert o.denominator == sum(sum(p.values()) for p in parts)
            assert o.lower < o.value < o.upper
        city = _obs(ind, "kommun", area__code="0180").get()
        so = list(_obs(ind, "stadsomrade"))
        assert len(so) == 3
        for part in (list(sdo.values()), so):
            assert sum(o.numerator for o in part) == city.numerator
            assert sum(o.denominator for o in part) == city.denominator
        # every kommun, each län the sum of its kommuner, Sweden the sum of every DeSO
        kommun = {o.area.code: o for o in _obs(ind, "kommun")}
        assert len(kommun) == 290
        for code, o in kommun.items():
            assert o.denominator == sum(sums[code].values())
        lan = list(_obs(ind, "lan"))
        assert len(lan) == 21
        sthlm_lan = next(o for o in lan if o.area.code == "01")
        assert sthlm_lan.denominator == sum(
            o.denominator for c, o in kommun.items() if o.area.parent.code == "01"
        )
        se = _obs(ind, "country").get()
        assert se.numerator == sum(o.numerator for o in lan)
        assert se.denominator == sum(sums["SE"].values())
    assert deso_sums["rows"] == 5984


def test_the_kommun_panel_gives_a_sixteen_year_series(bundle_db):
    """The panel's year t is the education level on 31 December t-1."""
    from skillnader.web.data.models import Observation

    raw = _rows(shared_file("data/kommun_panel_2002_2022/municip_data.csv"))
    qs = Observation.objects.filter(
        indicator_id="post_secondary_share_16_74", group__key="", value__isnull=False
    )
    assert sorted(set(qs.values_list("period", flat=True))) == [
        "2005",
        "2009",
        "2013",
        "2017",
        "2021",
    ]
    years = sorted(set(qs.values_list("year", flat=True)))
    assert years[-1] - years[0] + 1 >= 10
    assert qs.filter(period="2021").count() == 290
    for r in raw:
        if r["municip_code"] in ("180", "114", "2584") and r["year"] != "2002":
            o = qs.get(area__code=r["municip_code"].zfill(4), period=str(int(r["year"]) - 1))
            assert o.value == pytest.approx(100 * float(r["share_tertiary_school"]))
            assert o.lower is None and o.numerator is None  # a share without counts
    # the 2002 row (31 Dec 2001, before the bundle's kommun boundaries of 2003) is left out
    assert not Observation.objects.filter(indicator_id="post_secondary_share_16_74", year__lt=2005)


def test_summing_a_share_is_refused(bundle_db, tmp_path):
    """A mapping that sums the shares of DeSO into RegSO is refused: shares do not add up."""
    from skillnader.errors import AggregationError
    from skillnader.web.data.importer import import_file
    from skillnader.web.data.models import Observation, Release

    src = DATA_DIR / "education_scb_deso" / "education_demographics_deso.csv"
    table = tmp_path / "andel.csv"
    with open(src, encoding="utf-8-sig", newline="") as fh, open(table, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["deso", "andel"])
        for r in csv.DictReader(fh):
            n = sum(int(r[c]) for c in LEVELS)
            w.writerow([r["deso"], round(100 * int(r["post_gymnasium_more_than_3"]) / n, 1)])
    key = DATA_DIR / "regso_sweden" / "koppling_deso2018_regso2020.csv"
    mapping = tmp_path / "andel.yaml"
    mapping.write_text(
        "area:\n  column: deso\n  level: regso\n"
        f"  key: {{file: {key}, from: DeSO_2018, to: RegSOkod_2020, where: {{Kommun: '0180'}}}}\n"
        "period: {value: '2022'}\nindicator: {value: post_secondary_3y_share}\n"
        "values: {column: andel}\naggregate: sum\n",
        encoding="utf-8",
    )
    before = (Release.objects.count(), Observation.objects.count())
    with pytest.raises(AggregationError) as err:
        import_file(table, mapping=mapping)
    assert "post_secondary_3y_share" in str(err.value) and "proportion" in str(err.value)
    assert (Release.objects.count(), Observation.objects.count()) == before


def test_findings_state_where_the_education_gap_is_largest(bundle_db):
    """The findings name the gap in education level between the city's RegSO and districts with
    its interval, and the areas at either end, from the data (nothing is written in)."""
    from skillnader.web.data import queries
    from skillnader.web.data.models import Observation

    (f,) = queries.findings("post_secondary_3y_share")
    print(f["sentence_sv"], "|", f["sentence_en"])
    gaps = {g["label"]: g for g in f["gaps"] if g["kind"] == "areas"}
    assert {"regso:2020", "sdo:2020"} <= set(gaps)
    for label, level in (("regso:2020", "regso"), ("sdo:2020", "sdo")):
        g = gaps[label]
        assert g["periods"] == ["2022"] and g["direction"] == "not_assessed"
        assert g["reason"] == "too_few_periods"
        assert g["lower"][0] < g["values"][0] < g["upper"][0]
        obs = list(_obs("post_secondary_3y_share", level).filter(value__isnull=False))
        top = max(obs, key=lambda o: o.value)
        bottom = min(obs, key=lambda o: o.value)
        assert (g["highest"]["area"], g["lowest"]["area"]) == (top.area.code, bottom.area.code)
        assert g["highest"]["value"] == top.value and g["lowest"]["upper"] == bottom.upper
        assert g["separated"] == (top.lower > bottom.upper)
        # P90 - P10 of the areas' values
        import numpy as np

        p90, p10 = np.percentile([o.value for o in obs], [90, 10])
        assert g["values"][0] == pytest.approx(p90 - p10)
        for name in (top.area.name, bottom.area.name):
            assert name in f["sentence_sv"] and name in f["sentence_en"]
    assert "skillnaden mellan regso-områdena 2022" in f["sentence_sv"].lower()
    assert "the gap between regso areas in 2022" in f["sentence_en"].lower()
    assert "förändringen bedöms inte" in f["sentence_sv"]
    assert Observation.objects.filter(indicator_id="post_secondary_3y_share").exists()


def test_regional_findings_compare_the_countys_kommuner(bundle_db):
    from skillnader.web.data.regional import regional_findings

    found = {f.indicator: f for f in regional_findings()}
    f = found["post_secondary_education_share"]
    print(f.sentence_sv, "|", f.sentence_en)
    (gap,) = [g for g in f.gaps if g.kind == "areas"]
    assert gap.label == "kommun:2003" and gap.n_areas == [26]
    assert gap.lower[0] < gap.values[0] < gap.upper[0]
    assert gap.highest is not None and gap.highest["name"] in f.sentence_sv
    # the panel's shares have no intervals: the reason is said, not a gap
    panel = found["post_secondary_share_16_74"]
    print(panel.sentence_sv)
    assert "osäkerhetsintervall" in panel.sentence_sv or "jämförelsevärdet" in panel.sentence_sv
