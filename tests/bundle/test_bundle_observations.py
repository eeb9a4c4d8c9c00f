"""Observations of the bundled data checked against the raw files and published figures, and
the loader's idempotence (in this module so that the bundle is loaded once for both)."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from skillnader.bundle.build import DATA_DIR
from skillnader.stats import intervals

pytestmark = pytest.mark.django_db


def _obs(indicator, code, period, group="", level=None, vintage=None):
    from skillnader.web.data.models import Observation

    qs = Observation.objects.filter(
        indicator_id=indicator, area__code=code, period=str(period), group__key=group
    )
    if level:
        qs = qs.filter(area__level_id=level)
    if vintage:
        qs = qs.filter(area__vintage__code=vintage)
    return qs.get()


def _raw_csv(rel):
    text = (DATA_DIR / rel).read_text(encoding="utf-8-sig").replace("\r\r\n", "\n")
    return list(csv.DictReader(text.splitlines()))


def test_born_abroad_share_matches_raw_csv_with_wilson_interval(bundle_db):
    rows = _raw_csv("regso_sweden/regso_population_by_birth_region_2020_2023.csv")
    rinkeby = {
        r["födelseregion"]: int(r["Antal 2023"])
        for r in rows
        if r["region"] == "Stockholm (Rinkeby)"
    }
    assert rinkeby == {"totalt": 17237, "Sverige": 6333}
    abroad, total = rinkeby["totalt"] - rinkeby["Sverige"], rinkeby["totalt"]
    o = _obs("born_abroad_share", "0180R076", 2023)
    lower, upper = intervals.wilson(abroad, total)
    assert (o.numerator, o.denominator) == (10904, 17237)
    assert o.value == pytest.approx(100 * 10904 / 17237)
    assert (o.lower, o.upper) == (pytest.approx(100 * lower), pytest.approx(100 * upper))
    assert o.lower < o.value < o.upper
    assert not o.suppressed


def test_tenure_shares_and_wage_income_spot_values(bundle_db):
    o = _obs("dwellings_rental_share", "0180R001", 2023)  # Abrahamsberg: 1173 of 2075
    assert (o.numerator, o.denominator) == (1173, 1173 + 902)
    assert o.value == pytest.approx(100 * 1173 / 2075)
    assert o.lower is None  # a share of the complete dwelling stock has no interval
    assert _obs("dwellings_owner_occupied_share", "0180R076", 2021).numerator == 139
    w = _obs("mean_wage_income", "0180R076", 2022)
    assert (w.value, w.lower, w.upper, w.denominator) == (173.9, None, None, None)
    assert _obs("socioeconomic_area_type", "0180R076", 2023).value == 1


def test_omradestyp_has_every_stockholm_regso_for_both_years(bundle_db):
    from skillnader.web.data.models import Observation

    qs = Observation.objects.filter(indicator_id="socioeconomic_area_type")
    assert qs.filter(year=2022).count() == qs.filter(year=2023).count() == 127
    assert set(qs.values_list("value", flat=True)) <= {1.0, 2.0, 3.0, 4.0, 5.0}


def test_population_sums_are_consistent_across_levels(bundle_db):
    """Kommun = sum of its RegSO = sum of its stadsdelsområden = sum of the stadsområden."""
    from django.db.models import Sum

    from skillnader.web.data.models import Observation

    pop = Observation.objects.filter(indicator_id="population", group__key="", period="2023")
    kommun = pop.get(area__level_id="kommun", area__code="0180").value
    for level in ("regso", "sdo", "stadsomrade"):
        total = pop.filter(area__level_id=level, area__code__startswith="0180").aggregate(
            s=Sum("value")
        )["s"]
        assert total == kommun, level
    # 2023 is on the 11-area vintage; 2020-2022 on the 13-area vintage
    assert (
        pop.filter(area__level_id="sdo").values_list("area__vintage__code").distinct().count() == 1
    )
    assert pop.filter(area__level_id="sdo").count() == 11
    rows = _raw_csv("regso_sweden/regso_population_by_birth_region_2020_2023.csv")
    sweden = sum(int(r["Antal 2023"]) for r in rows if r["födelseregion"] == "totalt")
    assert pop.get(area__level_id="country").value == sweden


def test_sdo_observations_lie_within_their_vintage(bundle_db):
    """No series of one indicator at level sdo mixes vintages within a year."""
    from skillnader.web.data.models import Observation

    seen = defaultdict(set)
    qs = Observation.objects.filter(area__level_id="sdo").select_related("area__vintage")
    assert qs.exists()
    for o in qs:
        assert o.area.vintage.covers_year(o.year), (o.indicator_id, o.area.code, o.year)
        seen[(o.indicator_id, o.period)].add(o.area.vintage.code)
    assert all(len(v) == 1 for v in seen.values()), seen
    # yearbook values for 2000 and 2005 predate the 14-area division: not at sdo level ...
    assert not qs.filter(year__lt=2007).exists()
    # ... but kept for the stadsområden (Västerort 2005 population 199 618)
    assert _obs("population", "0180-so-vasterort", 2005).value == 199618


def test_yearbook_social_assistance(bundle_db):
    o = _obs("social_assistance_share", "0180-sdo-rinkeby-kista", 2015, vintage="2007")
    assert (o.value, o.numerator, o.denominator) == (8.5, 4137, None)
    # no population in the yearbook: the Byar interval of the 4,137 recipients, scaled to 8.5 %
    lo, hi = intervals.byar(4137.0)
    assert (o.lower, o.upper) == pytest.approx((8.5 * lo / 4137, 8.5 * hi / 4137))
    assert _obs("social_assistance_share", "0180", 2017, level="kommun").numerator == 25228
    child = _obs("social_assistance_share", "0180-sdo-skarholmen", 2017, group="age=0-17")
    assert child.value == 6.8
    fb = _obs("employment_rate_foreign_born", "0180-sdo-bromma", 2007, vintage="2007")
    assert fb.value == 63.9
    inc = _obs("household_disposable_income_mean", "0180-sdo-ostermalm", 2016)
    assert (inc.value, inc.denominator) == (964.4, 36829)


def test_turnout_2018_matches_published_figures(bundle_db):
    se = _obs("turnout_riksdag", "SE", 2018)
    assert se.denominator == 7_495_936  # official number of eligible voters
    assert round(se.value, 2) == 87.18  # official turnout
    sthlm = _obs("turnout_riksdag", "0180", 2018, level="kommun")
    assert (sthlm.numerator, sthlm.denominator) == (614_860, 704_157)
    derived = {
        r["kommunkod"]: r
        for r in csv.DictReader(
            (DATA_DIR / "elections/kommun_turnout_riksdag_2018_DERIVED.csv").open(encoding="utf-8")
        )
    }
    from skillnader.web.data.models import Observation

    kommuner = Observation.objects.filter(
        indicator_id="turnout_riksdag", area__level_id="kommun"
    ).select_related("area")
    assert kommuner.count() == 290
    for o in kommuner:
        assert o.numerator == int(derived[o.area.code]["rostande"])
        assert abs(o.value - float(derived[o.area.code]["valdeltagande_pct"])) <= 0.005 + 1e-9


def test_valdistrikt_turnout_equals_published_percentage(bundle_db):
    from skillnader.web.data.models import Observation

    published = {}
    for r in _raw_csv("elections/valresultat_riksdag_2018_per_valdistrikt_sweden.csv"):
        if (r["LÄNSKOD"], r["KOMMUNKOD"]) == ("1", "80") and int(r["RÖSTBERÄTTIGADE"]) > 0:
            published[f"0180{int(r['VALDISTRIKTSKOD']):04d}"] = float(r["VALDELTAGANDE"])
    obs = Observation.objects.filter(indicator_id="turnout_riksdag", area__level_id="valdistrikt")
    assert obs.count() == len(published) == 573
    assert set(obs.values_list("area__vintage__code", flat=True)) == {"2018"}
    for code, value in obs.values_list("area__code", "value"):
        # the source rounds half up to two decimals (70.625 -> 70.63)
        assert abs(value - published[code]) <= 0.005 + 1e-9, code
    husby = obs.get(area__code="01804220")
    lo, hi = intervals.wilson(husby.numerator, husby.denominator)
    assert (husby.lower, husby.upper) == (pytest.approx(100 * lo), pytest.approx(100 * hi))


def test_scb_turnout_groups(bundle_db):
    men_young = _obs("turnout_riksdag_scb", "0180", 2018, group="age=18-29;sex=men")
    assert (men_young.value, men_young.denominator) == (86, 63291)
    assert _obs("turnout_riksdag_scb", "0180", 2022, group="age=18-29;sex=men").value == 82
    assert (
        _obs(
            "turnout_riksdag_scb", "0180", 2022, group="education=post_secondary", level="kommun"
        ).value
        > _obs("turnout_riksdag_scb", "0180", 2022, group="education=pre_upper_secondary").value
    )
    from skillnader.web.data.models import Observation

    # 290 kommuner x 2 elections x (3 sexes x 5 ages + 3 sexes x 4 levels - 3 shared totals)
    assert Observation.objects.filter(indicator_id="turnout_riksdag_scb").count() == 290 * 2 * 24
    missing = Observation.objects.filter(indicator_id="turnout_riksdag_scb", status="..")
    assert missing.exists() and not missing.exclude(value=None).exists()


def test_registered_unemployed_is_a_count_with_byar_interval(bundle_db):
    o = _obs("registered_unemployed", "0180", "2018-09", level="kommun")
    # imported through the import path (bundle/imports.py): the count is the value
    assert (o.value, o.denominator) == (29926, None)
    assert o.release.kind == "csv" and o.release.source_id == "arbetsformedlingen"
    lo, hi = intervals.byar(29926)
    assert (o.lower, o.upper) == (pytest.approx(lo), pytest.approx(hi))
    from skillnader.web.data.models import Observation

    kommun = Observation.objects.filter(
        indicator_id="registered_unemployed", area__level_id="kommun"
    )
    assert kommun.count() == 290 * 24


def test_small_cells_are_suppressed_without_numbers(bundle_db):
    from skillnader.web.data.models import Observation

    sup = Observation.objects.filter(suppressed=True)
    assert sup.exists()
    assert not sup.exclude(value=None, numerator=None, denominator=None, lower=None).exists()
    # the rule: a count under the indicator's threshold (5 for population), zeros published
    rows = _raw_csv("stockholm/stockholm_basomraden_population_by_sex_age_2014_2016.csv")
    small = [r for r in rows if 0 < int(r["population"]) < 5]
    assert small
    r = small[0]
    sex = {"women": "women", "men": "men"}[r["sex"]]
    o = _obs(
        "population",
        r["nyckelkod"],
        r["year"],
        group=f"age={r['age_group']};sex={sex}",
        level="basomrade",
    )
    assert o.suppressed and o.value is None
    zero = next(r for r in rows if int(r["population"]) == 0)
    z = _obs(
        "population",
        zero["nyckelkod"],
        zero["year"],
        group=f"age={zero['age_group']};sex={zero['sex']}",
        level="basomrade",
    )
    assert (z.suppressed, z.value) == (False, 0)
    big = Observation.objects.filter(
        indicator_id="population", suppressed=False, area__level_id="basomrade"
    ).exclude(value=0)
    assert not big.filter(value__lt=5).exists()


def test_every_domain_has_real_observations(bundle_db):
    from skillnader.web.data.models import Indicator, Observation

    for domain in ("health", "education", "work", "housing", "democracy"):
        with_data = (
            Observation.objects.filter(indicator__domain_id=domain, value__isnull=False)
            .values_list("indicator_id", flat=True)
            .distinct()
        )
        assert len(set(with_data)) >= 3, domain
    assert Indicator.objects.filter(id="life_expectancy", domain_id="health").exists()
    # a health and an education series of ten years or more
    for ind in ("life_expectancy_scb", "upper_secondary_eligibility"):
        years = Observation.objects.filter(indicator_id=ind, value__isnull=False).values_list(
            "year", flat=True
        )
        assert max(years) - min(years) + 1 >= 10, ind


def test_every_release_has_a_content_hash_and_cells(bundle_db):
    from skillnader.web.data.models import Observation, Release

    rels = Release.objects.filter(kind="bundle")
    # bundled files (incl. the suppression pattern) + catalogue; the unemployment table is
    # imported with its mapping instead
    assert rels.count() == 25 + 5
    assert all(len(h) == 64 for h in rels.values_list("content_hash", flat=True))
    assert (
        sum(rels.values_list("cells", flat=True))
        == Observation.objects.filter(release__kind="bundle").count()
    )
    # the tables bundled with mappings are releases of the user's import path
    imported = Release.objects.exclude(kind="bundle")
    assert set(imported.values_list("kind", flat=True)) == {"excel", "parquet", "csv", "derived"}
    assert (
        sum(imported.values_list("cells", flat=True))
        == Observation.objects.exclude(release__kind="bundle").count()
    )


SUPPRESSION_CSV = "stockholm/stockholm_basomraden_population_suppression_DERIVED.csv"


def _raw_csv_lines(rel):
    import csv

    from skillnader.bundle.build import DATA_DIR

    lines = (DATA_DIR / rel).read_text(encoding="utf-8").splitlines()[1:]
    return list(csv.DictReader(lines))


def test_population_tables_have_no_lonely_suppressed_cell(bundle_db):
    """Within each area-year sex × age table no total relation holds exactly one suppressed cell
    (else it could be recomputed by subtraction), and secondary suppression was needed."""
    from skillnader.web.data.models import Observation

    tables = defaultdict(dict)
    qs = Observation.objects.filter(
        indicator_id="population", area__level_id__in=["basomrade", "stadsdel"]
    ).values_list("area__level_id", "area__code", "year", "group__key", "suppressed")
    for level, code, year, key, sup in qs:
        parts = dict(p.split("=") for p in key.split(";")) if key else {}
        tables[(level, code, year)][(parts.get("sex", "total"), parts.get("age", "total"))] = sup
    # Riddarholmen is no basområde's main stadsdel, so 116 stadsdelar get a population
    assert len(tables) == (419 + 116) * 3
    assert ("stadsdel", "0180-sd-riddarholmen", 2016) not in tables
    ages = ["0-5", "6-15", "16-19", "20-44", "45-64", "65-79", "80+"]
    for key, t in tables.items():
        assert len(t) == 3 * 8, key
        for sex in ("women", "men", "total"):
            assert sum(t[(sex, a)] for a in [*ages, "total"]) != 1, (key, sex)
        for age in [*ages, "total"]:
            assert sum(t[(s, age)] for s in ("women", "men", "total")) != 1, (key, age)
    secondary = Observation.objects.filter(
        indicator_id="population", suppressed=True, suppression="secondary"
    )
    stored = _raw_csv_lines(SUPPRESSION_CSV)
    assert secondary.count() >= sum(1 for r in stored if r["indicator"] == "population") > 400


def test_the_stored_suppression_pattern_is_current(bundle_db):
    """The stored joint pattern was computed from the current data files, thresholds and rule
    (its first line is their SHA-256); every cell it names is suppressed as secondary and
    carries no number."""
    from skillnader.bundle import build as b
    from skillnader.catalog import catalog_by_id
    from skillnader.web.data.models import Observation

    builder = b._Builder(catalog_by_id())
    header = (b.DATA_DIR / SUPPRESSION_CSV).read_text(encoding="utf-8").splitlines()[0]
    assert header == b._inputs_digest(builder)
    stored = _raw_csv_lines(SUPPRESSION_CSV)
    got = Observation.objects.filter(suppression="secondary", release__kind="bundle")
    # (the bundled imports' own protection may hide more of the same indicators)
    assert got.count() >= len(stored)
    named = {(r["indicator"], r["code"], r["group"], r["period"]) for r in stored}
    hidden = set(got.values_list("indicator_id", "area__code", "group__key", "period"))
    assert named <= hidden
    assert not got.exclude(value=None).exists() and not got.exclude(numerator=None).exists()


# --------------------------------------------------------------------------------------------
# idempotence


def _counts():
    from django.apps import apps

    return {m.__name__: m.objects.count() for m in apps.get_app_config("data").get_models()}


def test_second_load_creates_nothing(bundle_db):
    from skillnader.bundle.load import bundle_loaded, load_bundle
    from skillnader.web.data.models import Area

    before = _counts()
    ids = set(Area.objects.values_list("id", flat=True))
    assert bundle_loaded()
    text = load_bundle()
    assert text.startswith("The bundled data are already loaded")
    assert _counts() == before
    assert set(Area.objects.values_list("id", flat=True)) == ids


def test_summary_lists_levels_and_indicators(bundle_db):
    assert "sdo          2020      13" in bundle_db
    assert "regso        2020     127" in bundle_db
    assert "born_abroad_share" in bundle_db
    assert "Total observations:" in bundle_db


def test_changed_or_missing_release_means_not_loaded(bundle_db):
    from skillnader.bundle.load import bundle_loaded
    from skillnader.web.data.models import Release

    rel = Release.objects.get(kind="bundle", version="regso_mean_wage_income_tkr_2020_2023.csv")
    rel.content_hash = "0" * 64
    rel.save()
    assert not bundle_loaded()


@pytest.mark.slow
def test_forced_reload_keeps_ids_and_counts(bundle_db):
    from skillnader.bundle.load import load_bundle
    from skillnader.web.data.models import Area, Observation

    before = _counts()
    # Codes repeat across vintages (valdistrikt 2018 and 2022), so key by vintage too.
    ids = {
        (lv, v, c): i
        for lv, v, c, i in Area.objects.values_list("level_id", "vintage__code", "code", "id")
    }
    load_bundle(force=True)
    assert _counts() == before
    assert {
        (lv, v, c): i
        for lv, v, c, i in Area.objects.values_list("level_id", "vintage__code", "code", "id")
    } == ids
    assert Observation.objects.filter(suppressed=True, value__isnull=False).count() == 0
