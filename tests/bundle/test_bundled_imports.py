"""The tables bundled as files with mappings, imported through the user's import path
(skillnader.bundle.imports) into the bundle's vocabulary of kommuner, Sweden and indicators."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from skillnader.bundle import imports as bundled
from skillnader.bundle.build import DATA_DIR, DIMENSIONS
from skillnader.catalog import load_catalog
from skillnader.web.data import models as m

LE_BANDS = DIMENSIONS["age"]["values"]
#: The levels the vocabulary below holds (the RegSO and district imports need the whole bundle).
KOMMUN_LEVELS = ("country", "lan", "kommun")


@pytest.fixture
def kommun_vocab(db):
    from skillnader.web.data.catalog_sync import sync_catalog

    for i, lv in enumerate(["country", "lan", "kommun"]):
        m.AreaLevel.objects.create(id=lv, name_sv=lv, order=i)
    se_v = m.Vintage.objects.create(level_id="country", code="SE", name_sv="Sverige")
    lan_v = m.Vintage.objects.create(
        level_id="lan", code="1998", name_sv="1998", valid_from=dt.date(1998, 1, 1)
    )
    k_v = m.Vintage.objects.create(
        level_id="kommun", code="2003", name_sv="2003", valid_from=dt.date(2003, 1, 1)
    )
    se = m.Area.objects.create(level_id="country", vintage=se_v, code="SE", name="Sverige")
    lans = {}
    path = DATA_DIR / "municipalities" / "sweden_municipalities_290.csv"
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            c = r["county_code"]
            if c not in lans:
                lans[c] = m.Area.objects.create(
                    level_id="lan", vintage=lan_v, code=c, name=c, parent=se
                )
            m.Area.objects.create(
                level_id="kommun",
                vintage=k_v,
                code=r["municipality_code"],
                name=r["municipality_name_short"],
                parent=lans[c],
            )
    sync_catalog(load_catalog())
    for dim_id, d in DIMENSIONS.items():
        dim = m.Dimension.objects.create(id=dim_id, name_sv=d["name_sv"], order=d["order"])
        for i, (code, sv, _en) in enumerate(d["values"]):
            m.DimensionValue.objects.create(dimension=dim, code=code, name_sv=sv, order=i)
    m.Group.objects.get_or_create(key="")


@pytest.mark.django_db
def test_bundled_tables_import_through_the_user_path(kommun_vocab):
    assert not bundled.imports_loaded(KOMMUN_LEVELS)
    lines = bundled.run_imports(levels=KOMMUN_LEVELS)
    assert len(lines) == len([i for i in bundled.IMPORTS if i.level in KOMMUN_LEVELS])
    assert bundled.imports_loaded(KOMMUN_LEVELS)

    def count(ind, **kw):
        return m.Observation.objects.filter(indicator_id=ind, value__isnull=False, **kw).count()

    # SCB's published life expectancy: 290 kommuner × 2 sexes × 13 periods 2003-2007 … 2015-2019
    assert count("life_expectancy_scb") == 290 * 2 * 13
    sthlm = m.Observation.objects.get(
        indicator_id="life_expectancy_scb",
        area__code="0180",
        group__key="sex=men",
        period="2015-2019",
    )
    assert sthlm.value == 81.04
    # the project's own values from SCB's counts, with intervals, agree with SCB's
    own = m.Observation.objects.get(
        indicator_id="life_expectancy_5y",
        area__code="0180",
        group__key="sex=men",
        period="2015-2019",
    )
    assert own.value == pytest.approx(81.04, abs=0.1) and own.lower < own.value < own.upper
    women = m.Observation.objects.get(
        indicator_id="life_expectancy_5y",
        area__code="0180",
        group__key="sex=women",
        period="2015-2019",
    )
    assert women.value == pytest.approx(84.76, abs=0.1)
    # every kommun of Stockholms län and Sweden, yearly from 2011
    yearly = m.Observation.objects.filter(
        indicator_id="life_expectancy", group__key="", value__isnull=False
    )
    assert set(yearly.values_list("period", flat=True)) == {str(y) for y in range(2011, 2020)}
    assert yearly.filter(area__code="SE").count() == 9
    assert yearly.filter(period="2019").count() >= 20  # the smallest kommuner are suppressed
    se = m.Observation.objects.get(
        indicator_id="mortality_dsr", area__code="SE", group__key="", period="2019"
    )
    assert 700 < se.value < 1000 and se.numerator == 88_766  # SCB: deaths in Sweden 2019
    # Kolada: education, housing, safety for all 290 kommuner; flags never become numbers
    assert (
        count("upper_secondary_eligibility", group__key="", period="2024")
        == 290
        - m.Observation.objects.filter(
            indicator_id="upper_secondary_eligibility",
            group__key="",
            period="2024",
            value__isnull=True,
        ).count()
    )
    elig = m.Observation.objects.get(
        indicator_id="upper_secondary_eligibility", area__code="0180", group__key="", period="2024"
    )
    assert elig.value == pytest.approx(88.66, abs=0.01)
    assert (
        len(
            set(
                m.Observation.objects.filter(
                    indicator_id="upper_secondary_eligibility", area__code="0180", group__key=""
                ).values_list("period", flat=True)
            )
        )
        == 15
    )
    for ind in (
        "upper_secondary_completion_4y",
        "preschool_enrolment_3_5",
        "parents_post_secondary_share",
        "overcrowding_apartments_share",
        "reported_theft_per_1000",
        "reported_vandalism_per_1000",
    ):
        assert count(ind, area__code="0180") >= 8, ind
    assert m.Observation.objects.filter(status="x", suppressed=True).exists()
    assert not m.Observation.objects.filter(status="x", value__isnull=False).exists()
    # a second run writes nothing
    again = bundled.run_imports(levels=KOMMUN_LEVELS)
    assert all("already imported" in line for line in again)

    # The headline analysis over Stockholms län's kommuner, Sweden as the benchmark.
    from skillnader.web.data.regional import regional_findings

    found = {f.indicator: f for f in regional_findings()}
    for f in found.values():
        print(f.indicator, f.headline, "|", f.sentence_sv, "|", f.sentence_en)
    le = found["life_expectancy_5y"]
    (gap,) = [g for g in le.gaps if g.kind == "areas"]
    assert gap.label == "kommun:2003" and gap.periods[-1] == "2015-2019"
    assert all(lo < v < hi for v, lo, hi in zip(gap.values, gap.lower, gap.upper, strict=True))
    assert gap.direction in ("widening", "narrowing", "no_clear_change")
    assert le.level.assessment == "improving"  # Sweden's life expectancy rose 2011-2019
    # counts are context only
    assert found["deaths"].gaps == [] and found["deaths"].level.reason == "raw_count"
    # the size of the gap now, with its interval, then its change
    assert "avståndet mellan 90:e och 10:e percentilen" in le.sentence_sv
    assert "2015-2019; förändring" in le.sentence_sv
    # Kolada's shares have no intervals and Sweden no value: the reason is said
    elig = found["upper_secondary_eligibility"]
    assert elig.headline == "not_assessed"
    assert "osäkerhetsintervall" in elig.sentence_sv or "jämförelsevärdet" in elig.sentence_sv

    # The city report uses these findings for indicators without areas inside the city.
    from skillnader.reports import data as report_data

    inds = list(m.Indicator.objects.filter(published=True))
    report = report_data.findings(2019, report_data.city_config(), inds)
    assert report["life_expectancy_5y"].sentence_en.startswith(
        "Life expectancy at birth (five-year period) in Sverige is improving"
    )
    assert "the gap between the county's municipalities" in report["life_expectancy_5y"].sentence_en

    # and the API gives them as JSON (no NaN)
    import json

    from skillnader.web.data.regional import regional_findings_json

    payload = json.dumps(regional_findings_json(), allow_nan=False)
    assert '"scope"' in payload and "life_expectancy_5y" in payload


@pytest.mark.django_db
def test_a_users_scb_tables_give_the_bundles_life_expectancy(kommun_vocab):
    """SCB's death and population tables for Stockholm, imported by a user with mappings that
    band the ages, give the same life expectancy as the bundle (same path, same numbers)."""
    from pathlib import Path

    from skillnader.web.data.importer import import_file

    bundled.run_imports(levels=KOMMUN_LEVELS)

    def le():
        return {
            (o.indicator_id, o.group.key, o.period): (o.value, o.lower, o.upper)
            for o in m.Observation.objects.filter(
                indicator_id__in=["life_expectancy", "life_expectancy_5y"],
                area__code="0180",
                period__in=["2016", "2017", "2018", "2019", "2015-2019"],
            ).select_related("group")
        }

    before = le()
    assert len(before) == 5 * 3  # 4 years and one five-year period × men, women, both
    fix = Path(__file__).resolve().parents[1] / "fixtures" / "scb_mortality"
    result = import_file(fix / "deaths_0180_0187_2014_2019.xlsx", mapping=fix / "deaths.yaml")
    derived = result.also[1]
    assert derived.release_id is not None and not derived.already_imported
    after = le()
    assert after == before
