"""SCB's death and population tables (xlsx with merged-cell blocks) imported with mappings that
band single ages; life expectancy and standardised mortality derived at import."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from skillnader.errors import AggregationError
from skillnader.readers.tabular import read_tabular
from skillnader.web.data import models as m
from skillnader.web.data.importer import import_file

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "scb_mortality"
DEATHS = FIX / "deaths_0180_0187_2014_2019.xlsx"
POP = FIX / "population_0180_0187_2014_2019.xlsx"
BANDS = ["0", "1-4", *[f"{a}-{a + 4}" for a in range(5, 90, 5)], "90+"]


@pytest.fixture
def mortality_vocab(vocab):
    kommun = m.Vintage.objects.get(level_id="kommun")
    lan = m.Area.objects.get(level_id="lan", code="01")
    m.Area.objects.create(
        level_id="kommun", vintage=kommun, code="0187", name="Vaxholm", parent=lan
    )
    m.Domain.objects.create(id="health", name_sv="Hälsa", order=5)
    sex = m.Dimension.objects.get(id="sex")
    for i, c in enumerate(["men", "women"]):
        m.DimensionValue.objects.create(dimension=sex, code=c, name_sv=c, order=10 + i)
    age = m.Dimension.objects.get(id="age")
    for i, b in enumerate(BANDS):
        m.DimensionValue.objects.create(dimension=age, code=b, name_sv=b, order=10 + i)
    m.Indicator.objects.create(
        id="deaths", domain_id="health", name_sv="Döda", measure="count",
        polarity="no_judgement", unit="persons", publication_threshold=3,
    )  # fmt: skip
    for ind, measure in [
        ("life_expectancy", "mean"),
        ("life_expectancy_5y", "mean"),
        ("mortality_dsr", "standardised_rate"),
    ]:
        m.Indicator.objects.create(
            id=ind, domain_id="health", name_sv=ind, measure=measure,
            polarity="higher_is_better", unit="years", publication_threshold=0,
        )  # fmt: skip


def test_scb_xlsx_blocks_are_filled_down_and_ages_banded():
    cube = read_tabular(DEATHS, _plain(FIX / "deaths.yaml"))
    assert [d.code for d in cube.dimensions] == ["indicator", "area", "sex", "age", "period"]
    assert cube.dimension("area").codes == ["0180", "0187"]
    assert cube.dimension("area").labels == ["Stockholm", "Vaxholm"]
    assert cube.dimension("age").codes == BANDS
    assert cube.dimension("period").codes == [str(y) for y in range(2014, 2020)]
    # SCB's footer is metadata, not data
    assert cube.meta["footer_meta"]["Internal reference code"] == "BE0101D9"
    assert cube.meta["footer_meta"]["Units"] == "number"
    # Stockholm, men, 2019: infants (age 0) 8 deaths; 1-4 is the sum of ages 1..4
    assert cube.value(indicator="deaths", area="0180", sex="men", age="0", period="2019") == 8
    total = sum(
        cube.value(indicator="deaths", area="0180", sex="men", age=b, period="2019") for b in BANDS
    )
    assert total == _raw_sum(DEATHS, "0180", "1", "2019") == 3000
    assert len(_raw_ages(DEATHS)) == 101  # 0 … 100+, summed into 20 bands


def _raw_rows(path: Path):
    """The sheet's data rows read plainly (no reader): region and age carried down by hand."""
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    years = [str(c) for c in rows[2][6:] if c]
    reg = age = None
    for r in rows[3:]:
        if r[4] is None:
            continue
        reg = r[0] or reg
        age = r[2] if r[2] is not None else age
        yield reg, age, r[4], dict(zip(years, r[6:], strict=False))


def _raw_sum(path: Path, region: str, sex: str, year: str) -> float:
    return sum(v[year] for reg, _a, s, v in _raw_rows(path) if reg == region and s == sex)


def _raw_ages(path: Path) -> set[str]:
    return {a for _r, a, _s, _v in _raw_rows(path)}


def _plain(mapping: Path) -> dict:
    """The mapping without the importer's keys (source, derive), for the reader alone."""
    import yaml

    data = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in ("source", "derive")}


@pytest.mark.django_db
def test_life_expectancy_from_scb_counts_reproduces_scb(mortality_vocab):
    result = import_file(DEATHS, mapping=FIX / "deaths.yaml")
    deaths_r, pop_r, derived_r = result, *result.also
    assert deaths_r.created == 2 * 2 * 20 * 6  # kommuner × sexes × bands × years
    assert pop_r.created == 2 * 2 * 20 * 6
    assert derived_r.created > 0
    le5 = {
        o.group.key: o
        for o in m.Observation.objects.filter(
            indicator_id="life_expectancy_5y", area__code="0180", period="2015-2019"
        ).select_related("group")
    }
    # SCB's published life expectancy 2015-2019 for Stockholm: men 81.04, women 84.76.
    assert le5["sex=men"].value == pytest.approx(81.04, abs=0.1)
    assert le5["sex=women"].value == pytest.approx(84.76, abs=0.1)
    for o in le5.values():
        assert o.lower < o.value < o.upper and o.upper - o.lower < 1.0
    both = le5[""]
    assert le5["sex=men"].value < both.value < le5["sex=women"].value
    # yearly values from 2015 (2014 has no population at the end of 2013)
    years = sorted(
        m.Observation.objects.filter(
            indicator_id="life_expectancy", area__code="0180", group__key=""
        ).values_list("period", flat=True)
    )
    assert years == [str(y) for y in range(2015, 2020)]
    # Vaxholm (about 11,900 people, 5,900 men): a one-year life table of 5,000 or fewer people
    # is suppressed by the method; the five-year one is not.
    vax = m.Observation.objects.get(
        indicator_id="life_expectancy_5y", area__code="0187", group__key="", period="2015-2019"
    )
    assert vax.value is not None and vax.upper - vax.lower > 1.0
    dsr = m.Observation.objects.get(
        indicator_id="mortality_dsr", area__code="0180", group__key="", period="2019"
    )
    assert 600 < dsr.value < 1200 and dsr.lower < dsr.value < dsr.upper
    cube = read_tabular(DEATHS, _plain(FIX / "deaths.yaml"))
    women = sum(
        cube.value(indicator="deaths", area="0180", sex="women", age=b, period="2019")
        for b in BANDS
    )
    # every death, also those in cells suppressed for publication
    assert dsr.numerator == women + _raw_sum(DEATHS, "0180", "1", "2019")
    # Importing the same two tables again writes nothing.
    again = import_file(DEATHS, mapping=FIX / "deaths.yaml")
    assert again.already_imported and all(r.already_imported for r in again.also)


@pytest.mark.django_db
def test_small_death_counts_are_suppressed_but_still_feed_the_life_table(mortality_vocab):
    import_file(DEATHS, mapping=FIX / "deaths.yaml")
    small = m.Observation.objects.filter(indicator_id="deaths", area__code="0187", suppressed=True)
    assert small.exists()
    assert not small.exclude(value__isnull=True).exists()
    # The five-year life expectancy of Vaxholm was computed from the unsuppressed counts.
    assert (
        m.Observation.objects.filter(
            indicator_id="life_expectancy_5y", area__code="0187", value__isnull=False
        ).count()
        == 3
    )  # men, women, both


@pytest.mark.django_db
def test_summing_a_rate_is_refused(mortality_vocab, tmp_path):
    mapping = tmp_path / "rate.yaml"
    mapping.write_text(
        (FIX / "population.yaml")
        .read_text(encoding="utf-8")
        .replace("indicator: {value: population}", "indicator: {value: mortality_dsr}"),
        encoding="utf-8",
    )
    with pytest.raises(AggregationError) as err:
        import_file(POP, mapping=mapping)
    assert "standardised_rate" in str(err.value) and "rate.yaml" in str(err.value)
    assert not m.Observation.objects.exists()


@pytest.mark.django_db
def test_summing_a_dimension_away(mortality_vocab, tmp_path):
    # Sex left unmapped: men and women are summed into the total.
    text = (FIX / "population.yaml").read_text(encoding="utf-8")
    text = text.replace('  sex: {column: E, values: {"1": men, "2": women}}\n', "")
    mapping = tmp_path / "both.yaml"
    mapping.write_text(text, encoding="utf-8")
    shutil.copy(POP, tmp_path / POP.name)
    import_file(tmp_path / POP.name, mapping=mapping)
    total = sum(
        m.Observation.objects.filter(
            indicator_id="population", area__code="0180", period="2019"
        ).values_list("value", flat=True)
    )
    assert total == 974_073  # Stockholm's population on 31 December 2019 (SCB)
