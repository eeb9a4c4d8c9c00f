"""Income per DeSO 2022 and grade-9 results of school units in the bundle, imported through the
user's import path: SCB's DeSO median income (published only where a RegSO is one DeSO: a median
does not add up) and Skolverket's school-unit results 2024/25 summed over the schools that stand
in each RegSO and stadsdelsområde. Checked against the raw files in ``../shared``."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pytest
from shapely.geometry import Point, shape
from tests.conftest import shared_file

from skillnader.bundle import deso_keys, schools
from skillnader.bundle.build import DATA_DIR, sdo_code
from skillnader.stats import intervals

SCHOOLS = "data/education_skolverket_schools"
OFFICIAL = f"{SCHOOLS}/official_file_2024_25/Grundskola - Slutbetyg årskurs 9, samtliga elever 2025 Skolenhet.csv"
POSITIONS = f"{SCHOOLS}/api_cache_stockholm_lan/stockholm-grade9-schools.json"
INCOME = "data/deso_2022/income_demographics_deso.csv"
SHARE_COLUMNS = {
    "grade9_all_subjects_passed_schools_in_area": schools.SHARES["passed_all_subjects"],
    "grade9_eligible_vocational_schools_in_area": schools.SHARES["eligible_vocational"],
}


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _official_raw():
    """The school rows of Skolverket's file in ../shared, read here without the bundle code."""
    lines = shared_file(OFFICIAL).read_text(encoding="utf-8-sig").splitlines()
    start = [i for i, line in enumerate(lines) if line.startswith("Skola;")][0]
    rows = csv.DictReader(io.StringIO("\n".join(lines[start:])), delimiter=";")
    return [r for r in rows if r["Skol-enhetskod"].isdigit()]


def _obs(indicator, level, period, **kw):
    from skillnader.web.data.models import Observation

    return Observation.objects.filter(
        indicator_id=indicator, area__level_id=level, period=period, group__key="", **kw
    ).select_related("area", "area__vintage")


# --- the copied and derived files ---------------------------------------------------------


def test_copied_files_are_the_shared_files_byte_for_byte():
    folder = DATA_DIR / "education_skolverket_schools"
    assert schools.OFFICIAL.read_bytes() == shared_file(OFFICIAL).read_bytes()
    assert schools.COORDINATES.read_bytes() == shared_file(POSITIONS).read_bytes()
    assert (folder / "SOURCES.md").exists()
    income = DATA_DIR / "income_scb_deso" / "income_demographics_deso.csv"
    assert income.read_bytes() == shared_file(INCOME).read_bytes()


def test_derived_files_are_what_the_documented_code_makes():
    rows = schools.read_official()
    assert len(rows) == 1714 and len(rows) == len(_official_raw())
    assert _rows(schools.KEY) == schools.place_schools(rows)
    assert _rows(schools.COUNTS) == schools.derive_counts(rows)
    assert _rows(deso_keys.SINGLE_KEY) == deso_keys.single_deso_key()


def test_counts_give_back_every_published_share():
    """Each derived count, divided by the pupils, rounds to the share Skolverket printed; a
    marker stays a marker."""
    counts = {r["skolenhetskod"]: r for r in _rows(schools.COUNTS)}
    checked = 0
    for r in _official_raw():
        c = counts[r["Skol-enhetskod"]]
        for name, column in schools.SHARES.items():
            share, pupils = r[column], r["Antal elever"]
            if pupils in ("..", "."):
                assert c[name] == pupils
            elif share in ("..", ".", "~100"):
                assert c[name] == share
            else:
                decimals = len(share.split(",")[1]) if "," in share else 0
                got = 100 * int(c[name]) / int(pupils)
                half = 0.5 * 10**-decimals + 1e-9  # the share's rounding (halves go up)
                assert abs(got - float(share.replace(",", "."))) <= half, (r["Skola"], name)
                checked += 1
    assert checked > 2000
    # Akalla grundskola F-9: 35 of 43 pupils eligible, Skolverket's 81,4 %
    akalla = counts["37796564"]
    assert (akalla["pupils"], akalla["eligible_vocational"]) == ("43", "35")


def test_a_share_that_is_no_whole_number_of_pupils_is_refused():
    assert schools.count_from_share("81,4", "43") == "35"
    assert schools.count_from_share("~100", "43") == "~100"
    assert schools.count_from_share("..", "..") == ".."
    with pytest.raises(ValueError, match="no whole number"):
        schools.count_from_share("81,5", "43")
    with pytest.raises(ValueError, match="1000 pupils"):
        schools.count_from_share("50,0", "1000")


def test_every_placed_school_lies_in_its_regso_polygon():
    with open(shared_file(POSITIONS), encoding="utf-8") as fh:
        pos = {s["schoolUnitCode"]: s for s in json.load(fh)["schools"]}
    with open(schools.REGSO, encoding="utf-8") as fh:
        polygons = {
            f["properties"]["regsokod"]: shape(f["geometry"]) for f in json.load(fh)["features"]
        }
    assert len(polygons) == 127
    key = _rows(schools.KEY)
    sthlm = [r for r in key if r["kommunkod"] == "0180"]
    placed = [r for r in key if r["placed"] == "yes"]
    assert len(sthlm) == 149
    assert {r["kommunkod"] for r in placed} == {"0180"}
    assert len(placed) == 138
    for r in placed:
        s = pos[r["skolenhetskod"]]
        assert polygons[r["regsokod"]].covers(Point(s["lng"], s["lat"]))
    for r in key:
        if r["placed"] == "outside":
            s = pos[r["skolenhetskod"]]
            assert not any(p.covers(Point(s["lng"], s["lat"])) for p in polygons.values())
        elif r["placed"] == "no coordinates":
            assert r["skolenhetskod"] not in pos
    # a known place: Akalla grundskola F-9 stands in Akalla
    by_code = {r["skolenhetskod"]: r["regsokod"] for r in placed}
    assert by_code["37796564"] == "0180R002"
    # coverage: the schools stand in 80 of the 127 RegSO; the other 47 have no grade-9 school
    assert len(set(by_code.values())) == 80


# --- the imported observations -----------------------------------------------------------


@pytest.fixture(scope="module")
def school_sums():
    """{indicator: {regso: (numerator, pupils, status)}} summed here from ../shared's raw file
    and the key; status '' (a number), 'missing' or 'suppressed'."""
    key = {r["skolenhetskod"]: r for r in _rows(schools.KEY)}
    out: dict[str, dict] = {}
    for ind, column in SHARE_COLUMNS.items():
        parts = defaultdict(list)
        for r in _official_raw():
            k = key[r["Skol-enhetskod"]]
            if k["placed"] == "yes":
                parts[k["regsokod"]].append((r["Antal elever"], r[column]))
        sums = {}
        for regso, ps in parts.items():
            # a withheld part (~100) makes the sum suppressed, else a missing part missing
            if any(s == "~100" for _, s in ps):
                sums[regso] = (None, None, "suppressed")
            elif any(n in ("..", ".") or s in ("..", ".") for n, s in ps):
                sums[regso] = (None, None, "missing")
            else:
                num = sum(round(float(s.replace(",", ".")) * int(n) / 100) for n, s in ps)
                sums[regso] = (num, sum(int(n) for n, _ in ps), "")
        out[ind] = sums
    return out


@pytest.mark.django_db
def test_regso_values_are_sums_over_the_schools_in_them(bundle_db, school_sums):
    for ind, sums in school_sums.items():
        obs = {o.area.code: o for o in _obs(ind, "regso", "2024/25")}
        assert set(obs) == set(sums) and len(obs) == 80, ind
        for code, o in obs.items():
            num, den, status = sums[code]
            if status == "missing":
                assert o.value is None and o.numerator is None and not o.suppressed
            elif status == "suppressed":
                assert o.suppressed and o.value is None and o.numerator is None
            elif o.suppressed:  # the catalogue's primary rule (threshold 10) on a small cell
                assert min(num, den - num) < 10 and o.value is None
            else:
                assert (o.numerator, o.denominator) == (num, den)
                assert o.value == pytest.approx(100 * num / den)
                lo, hi = intervals.wilson(num, den)
                assert (o.lower, o.upper) == (pytest.approx(100 * lo), pytest.approx(100 * hi))
        # markers never became zeros
        assert not [o for o in obs.values() if o.numerator == 0 and sums[o.area.code][0] != 0]
    passed = school_sums["grade9_all_subjects_passed_schools_in_area"]
    assert sum(1 for v in passed.values() if v[2] == "") == 67
    eligible = school_sums["grade9_eligible_vocational_schools_in_area"]
    assert sum(1 for v in eligible.values() if v[2] == "suppressed") == 37


@pytest.mark.django_db
def test_districts_are_sums_of_their_regso(bundle_db, school_sums):
    lookup = _rows(DATA_DIR / "stockholm_districts" / "stockholm_regso_to_sdo_lookup_DERIVED.csv")
    sdo_of = {r["regsokod"]: sdo_code(r["sdo_from_2023_07"]) for r in lookup}
    for ind, sums in school_sums.items():
        by_sdo = defaultdict(list)
        for regso, s in sums.items():
            by_sdo[sdo_of[regso]].append(s)
        obs = {o.area.code: o for o in _obs(ind, "sdo", "2024/25")}
        assert set(obs) == set(by_sdo) and len(obs) == 11
        assert {o.area.vintage.code for o in obs.values()} == {"2023"}
        for code, o in obs.items():
            parts = by_sdo[code]
            if any(p[2] == "suppressed" for p in parts):
                assert o.suppressed and o.value is None
            elif any(p[2] == "missing" for p in parts):
                assert o.value is None and not o.suppressed
            else:
                assert o.numerator == sum(p[0] for p in parts)
                assert o.denominator == sum(p[1] for p in parts)
                assert o.lower < o.value < o.upper


@pytest.mark.django_db
def test_summing_school_shares_is_refused(bundle_db, tmp_path):
    """Summing the schools' published shares into RegSO is refused: shares do not add up."""
    from skillnader.errors import AggregationError
    from skillnader.web.data.importer import import_file
    from skillnader.web.data.models import Observation, Release

    mapping = tmp_path / "andel.yaml"
    mapping.write_text(
        "area:\n  column: Skol-enhetskod\n  level: regso\n"
        f"  key: {{file: {schools.KEY}, from: skolenhetskod, to: regsokod,"
        " where: {placed: 'yes'}}\n"
        "period: {value: '2024/25'}\n"
        "indicator: {value: grade9_all_subjects_passed_schools_in_area}\n"
        f"values: {{column: '{schools.SHARES['passed_all_subjects']}'}}\naggregate: sum\n",
        encoding="utf-8",
    )
    before = (Release.objects.count(), Observation.objects.count())
    with pytest.raises(AggregationError) as err:
        import_file(schools.OFFICIAL, mapping=mapping)
    assert "grade9_all_subjects_passed_schools_in_area" in str(err.value)
    assert (Release.objects.count(), Observation.objects.count()) == before


@pytest.mark.django_db
def test_median_income_only_where_a_regso_is_one_deso(bundle_db):
    raw = {r["deso"]: r for r in _rows(shared_file(INCOME)) if len(r["deso"]) == 9}
    assert len(raw) == 5984
    key = _rows(shared_file("data/regso_sweden/koppling_deso2018_regso2020.csv"))
    deso_of = defaultdict(list)
    for r in key:
        if r["Kommun"] == "0180":
            deso_of[r["RegSOkod_2020"]].append(r["DeSO_2018"])
    assert len(deso_of) == 127
    single = {regso: d[0] for regso, d in deso_of.items() if len(d) == 1}
    obs = {o.area.code: o for o in _obs("median_income_20plus", "regso", "2022")}
    assert set(obs) == set(single) and len(obs) == 20
    for code, o in obs.items():
        assert o.value == float(raw[single[code]]["Median income tkr"])
        assert o.lower is None and o.upper is None and not o.suppressed
    # a known value: Södra Ängby is one DeSO, with the highest of these medians
    assert obs["0180R099"].area.name == "Södra Ängby"
    assert obs["0180R099"].value == 647.0
    assert max(obs.values(), key=lambda o: o.value).area.code == "0180R099"
    # nothing at other levels: the median is not summed to districts or the kommun
    from skillnader.web.data.models import Observation

    assert set(
        Observation.objects.filter(indicator_id="median_income_20plus").values_list(
            "area__level_id", flat=True
        )
    ) == {"regso"}


@pytest.mark.django_db
def test_summing_median_income_is_refused(bundle_db, tmp_path):
    """The bundled mapping with the RegSO of several DeSO let in and ``aggregate: sum`` is
    refused: a median does not add up."""
    from skillnader.errors import AggregationError
    from skillnader.web.data.importer import import_file
    from skillnader.web.data.models import Observation, Release

    folder = DATA_DIR / "income_scb_deso"
    text = (folder / "regso.yaml").read_text(encoding="utf-8")
    summed = text.replace(
        "{file: deso_regso_single_DERIVED.csv, from: DeSO_2018, to: RegSOkod_2020, "
        'where: {Kommun: "0180", deso_in_regso: "1"}}',
        f"{{file: {deso_keys.SINGLE_KEY}, from: DeSO_2018, to: RegSOkod_2020, "
        'where: {Kommun: "0180"}}',
    )
    assert summed != text
    mapping = tmp_path / "summed_median.yaml"
    mapping.write_text(summed + "aggregate: sum\n", encoding="utf-8")
    before = (Release.objects.count(), Observation.objects.count())
    with pytest.raises(AggregationError) as err:
        import_file(folder / "income_demographics_deso.csv", mapping=mapping)
    assert "median_income_20plus" in str(err.value) and "median" in str(err.value)
    assert (Release.objects.count(), Observation.objects.count()) == before
