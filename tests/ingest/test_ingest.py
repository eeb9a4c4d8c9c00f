"""The ingest steps without a database: a small table and its mapping read into records, the
records resolved against a vocabulary given as dictionaries, checked, given intervals and judged
by the primary rule; and the bundle builder finishing its observations with the same steps."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from skillnader import ingest
from skillnader.errors import AggregationError, InputError, UnknownAreaError, VintageError
from skillnader.geography import vintage_in_force


@dataclasses.dataclass(frozen=True)
class Ind:
    id: str
    measure: str
    multiplier: float = 1.0
    publication_threshold: int = 5
    suppress_zeros: bool = False


@dataclasses.dataclass(frozen=True)
class Vintage:
    code: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    def covers_year(self, year: int) -> bool:
        return vintage_in_force(self.valid_from, self.valid_to, year)


TABLE = """område;år;födda
0180;2022;12
0114;2022;3
0180;2023;0
"""

MAPPING = """\
source: {id: test-births, name: "Födda"}
area: {column: område, level: kommun}
period: {column: år}
indicator: {value: births}
values: {column: födda}
"""


@pytest.fixture
def table(tmp_path):
    (tmp_path / "births.csv").write_text(TABLE, encoding="utf-8")
    (tmp_path / "births.yaml").write_text(MAPPING, encoding="utf-8")
    return tmp_path / "births.csv", tmp_path / "births.yaml"


def _resolver(path: str) -> ingest.Resolver:
    v2020 = Vintage("2020", dt.date(2020, 1, 1), None)
    areas = {"2020": {"0180": 1, "0114": 2}}
    return ingest.Resolver(
        path,
        indicators={"births": Ind("births", "count"), "share": Ind("share", "proportion", 100.0)},
        levels=["kommun"],
        vintages={"kommun": [v2020]},
        areas_of=lambda v: areas[v.code],
        dim_values={"sex": {"men": 1, "women": 2}},
    )


def test_a_table_and_its_mapping_become_checked_records_with_intervals(table):
    path, mapping = table
    records, spec, kind = ingest.read_records(path, mapping=mapping)
    assert kind == "csv"
    assert spec["source"] == {"id": "test-births", "name": "Födda"}
    got = sorted((r.period, r.area_code, r.indicator, r.value, r.level) for r in records)
    assert got == [
        ("2022", "0114", "births", 3.0, "kommun"),
        ("2022", "0180", "births", 12.0, "kommun"),
        ("2023", "0180", "births", 0.0, "kommun"),
    ]
    records.sort(key=lambda r: (r.period, r.area_code != "0180"))
    res = _resolver(str(path))
    pairs = []
    for rec in records:
        ind = res.indicator(rec)
        assert res.area(rec, ingest.year_of(rec.period)) == {"0180": 1, "0114": 2}[rec.area_code]
        assert res.group_key(rec) == ""
        ingest.check(rec, ind, str(path))
        pairs.append((rec, ind))
    ingest.add_intervals(pairs)
    # Byar's interval for 12 events (Breslow & Day 1987): 6.19 to 20.96; below 10 events the
    # exact Poisson limits (3: 0.62 to 8.77; 0: 0 to 3.69)
    assert records[0].lower == pytest.approx(6.1935, abs=1e-4)
    assert records[0].upper == pytest.approx(20.9629, abs=1e-4)
    assert records[1].lower == pytest.approx(0.6187, abs=1e-4)
    assert records[1].upper == pytest.approx(8.7673, abs=1e-4)
    assert (records[2].lower, round(records[2].upper, 4)) == (0.0, 3.6889)
    # the primary rule of the catalogue's default policy: fewer than 5 is hidden, 0 is not
    mask = ingest.primary_mask(Ind("births", "count"), value=[r.value for r in records])
    assert mask.tolist() == [False, True, False]
    assert ingest.primary_suppressed(records[1], Ind("births", "count"))


def test_the_resolver_names_an_unknown_area_and_a_year_outside_the_vintage(table):
    res = _resolver("t.csv")
    rec = ingest.Record("births", "9999", "2022", 1.0, level="kommun", location="line 2")
    with pytest.raises(UnknownAreaError) as err:
        res.area(rec, 2022)
    assert err.value.value == "9999" and err.value.location == "line 2"
    old = ingest.Record("births", "0180", "2019", 1.0, level="kommun", vintage="2020")
    with pytest.raises(VintageError):
        res.area(old, 2019)
    grouped = ingest.Record("births", "0180", "2022", 1.0, group={"sex": "women"})
    assert res.group_key(grouped) == "sex=women"
    assert res.new_groups == {"sex=women": {"sex": "women"}}


def test_a_proportion_gets_its_value_and_wilson_interval_from_its_counts():
    share = Ind("share", "proportion", 100.0)
    rec = ingest.Record("share", "0180", "2022", None, numerator=30, denominator=100)
    ingest.complete(rec, share, "t.csv")
    # Wilson's score interval for 30 of 100 (hand-computed): 21.89 % to 39.58 %
    assert rec.value == pytest.approx(30.0)
    assert rec.lower == pytest.approx(21.8949, abs=1e-4)
    assert rec.upper == pytest.approx(39.5849, abs=1e-4)
    bad = ingest.Record("share", "0180", "2022", None, numerator=7, denominator=5, location="x")
    with pytest.raises(InputError, match="numerator larger than denominator"):
        ingest.check(bad, share, "t.csv")


def test_summing_a_proportion_is_refused_with_the_measures_the_caller_gives(tmp_path):
    (tmp_path / "t.csv").write_text("område;år;andel\n0180;2022;10\n0180;2022;20\n")
    (tmp_path / "t.yaml").write_text(
        "area: {column: område, level: kommun}\nperiod: {column: år}\n"
        "indicator: {value: share}\nvalues: {column: andel}\naggregate: sum\n"
    )
    asked = []

    def measures(ids):
        asked.append(list(ids))
        return {"share": "proportion"}

    with pytest.raises(AggregationError):
        ingest.read_records(tmp_path / "t.csv", mapping=tmp_path / "t.yaml", measures=measures)
    assert asked == [["share"]]
    # as a count the same rows are summed into one cell
    records, _, _ = ingest.read_records(
        tmp_path / "t.csv", mapping=tmp_path / "t.yaml", measures=lambda ids: {"share": "count"}
    )
    assert [(r.area_code, r.value) for r in records] == [("0180", 30.0)]


def test_the_bundle_finishes_its_observations_with_the_ingest_steps():
    from skillnader.bundle import build
    from skillnader.catalog import catalog_by_id

    spec = dataclasses.replace(
        catalog_by_id()["upper_secondary_eligibility"], publication_threshold=10
    )
    assert spec.measure == "proportion" and spec.interval == "wilson"
    area = ("kommun", "2020", "0180")
    rows = [
        build.ObsRow(spec.id, area, {}, "2022", 2022, "f.csv", numerator=30, denominator=100),
        build.ObsRow(spec.id, area, {}, "2023", 2023, "f.csv", numerator=4, denominator=50),
    ]
    build._compute(spec, rows)
    assert rows[0].value == pytest.approx(30.0)
    assert (rows[0].lower, rows[0].upper) == pytest.approx((21.8949, 39.5849), abs=1e-4)
    ok, lower, upper = ingest.interval_bounds(spec, numerator=[30, 4], denominator=[100, 50])
    assert ok.tolist() == [True, True]
    assert (rows[0].lower, rows[0].upper) == (lower[0], upper[0])
    # 4 of 50 is under the threshold of 10: the primary rule hides it
    assert not rows[0].suppressed
    assert rows[1].suppressed and rows[1].suppression == "primary"
    bad = [build.ObsRow(spec.id, area, {}, "2022", 2022, "f.csv", numerator=60, denominator=50)]
    with pytest.raises(InputError, match="numerator larger than denominator") as err:
        build._compute(spec, bad)
    assert err.value.path == "f.csv" and "0180 2022" in str(err.value.location)


def test_derived_values_keep_a_given_value_and_skip_a_zero_denominator():
    share = Ind("share", "proportion", 100.0)
    out = ingest.derived_values(
        share, value=[None, 12.5, None], numerator=[1, 1, 3], denominator=[4, 4, 0]
    )
    assert out[0] == 25.0 and out[1] == 12.5 and np.isnan(out[2])


def test_check_values_applies_the_record_rules_to_a_column():
    value = np.array([3.0, np.nan, -2.5, 7.0])
    # a negative mean passes, a negative count does not; NaN is unknown
    ingest.check_values(value, counts=[True, True, False, True], path="f.csv")
    with pytest.raises(InputError, match="negative count") as err:
        ingest.check_values(
            value, counts=[True, True, True, True], path="f.csv", location=lambda i: f"line {i + 2}"
        )
    assert (err.value.location, err.value.value) == ("line 4", -2.5)
    # the same rules as ingest.check on one record, in the same order (too large before negative)
    for bad, message in ((np.inf, "infinite"), (-2e15, "too large")):
        with pytest.raises(InputError, match=message):
            ingest.check_values([1.0, bad], counts=[True, True])
        with pytest.raises(InputError, match=message):
            ingest.check(ingest.Record("c", "0180", "2022", bad), Ind("c", "count"), "f.csv")


def test_a_share_with_only_its_count_gets_the_counts_byar_interval_scaled_to_it():
    from skillnader.catalog import load_catalog
    from skillnader.ingest.derivation import interval_bounds
    from skillnader.stats.intervals import byar

    spec = {s.id: s for s in load_catalog()}["social_assistance_share"]
    assert spec.interval == "byar" and spec.measure == "proportion"
    # Rinkeby-Kista 2015 in the yearbook: 8.5 % and 4,137 recipients, no population
    ok, lower, upper = interval_bounds(
        spec, value=[8.5, 2.0, 3.0], numerator=[4137, 0, None], denominator=[None, None, None],
        method=spec.interval,
    )  # fmt: skip
    lo, hi = byar(4137.0)
    assert ok.tolist() == [True, False, False]  # no count, or a count of 0: no scale
    assert (lower[0], upper[0]) == pytest.approx((8.5 * lo / 4137, 8.5 * hi / 4137))
    assert lower[0] == pytest.approx(8.2429, abs=5e-4) and upper[0] == pytest.approx(
        8.7630, abs=5e-4
    )
