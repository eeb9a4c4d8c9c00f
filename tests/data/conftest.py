"""A small real-shaped vocabulary for importer tests: Stockholm county's first kommuner, the
stadsdelsområden of three vintages, two indicators and two group dimensions."""

from __future__ import annotations

import datetime as dt

import pytest

from skillnader.web.data import models as m


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of the data app, to compare before and after a failed import."""
    out = {}
    for model in (
        m.Domain,
        m.AreaLevel,
        m.Vintage,
        m.Area,
        m.AreaLink,
        m.Dimension,
        m.DimensionValue,
        m.Group,
        m.Indicator,
        m.Source,
        m.Release,
        m.Observation,
    ):
        out[model.__name__] = sorted(
            tuple(str(v) for v in row) for row in model.objects.values_list()
        )
    out["group_values"] = sorted(
        m.Group.values.through.objects.values_list("group_id", "dimensionvalue_id")
    )
    return out


@pytest.fixture
def vocab(db):
    for i, (d, sv, en) in enumerate(
        [
            ("work", "Arbete och försörjning", "Work and livelihood"),
            ("housing", "Boende och stadsmiljö", "Housing"),
        ]
    ):
        m.Domain.objects.create(id=d, name_sv=sv, name_en=en, order=i)
    for i, lv in enumerate(["country", "lan", "kommun", "sdo"]):
        m.AreaLevel.objects.create(id=lv, name_sv=lv, order=i)
    always = dict(valid_from=dt.date(1974, 1, 1))
    v_country = m.Vintage.objects.create(level_id="country", code="current", name_sv="-", **always)
    v_lan = m.Vintage.objects.create(
        level_id="lan", code="1998", name_sv="1998", valid_from=dt.date(1998, 1, 1)
    )
    v_kommun = m.Vintage.objects.create(
        level_id="kommun", code="2003", name_sv="2003", valid_from=dt.date(2003, 1, 1)
    )
    sdo07 = m.Vintage.objects.create(
        level_id="sdo",
        code="2007",
        name_sv="14",
        valid_from=dt.date(2007, 1, 1),
        valid_to=dt.date(2020, 7, 1),
    )
    sdo20 = m.Vintage.objects.create(
        level_id="sdo",
        code="2020",
        name_sv="13",
        valid_from=dt.date(2020, 7, 1),
        valid_to=dt.date(2023, 7, 1),
    )
    sdo23 = m.Vintage.objects.create(
        level_id="sdo", code="2023", name_sv="11", valid_from=dt.date(2023, 7, 1)
    )
    se = m.Area.objects.create(level_id="country", vintage=v_country, code="00", name="Sverige")
    sthlm_lan = m.Area.objects.create(
        level_id="lan", vintage=v_lan, code="01", name="Stockholms län", parent=se
    )
    for code, name in [("0114", "Upplands Väsby"), ("0115", "Vallentuna"), ("0180", "Stockholm")]:
        m.Area.objects.create(
            level_id="kommun", vintage=v_kommun, code=code, name=name, parent=sthlm_lan
        )
    for vintage, names in [
        (sdo07, ["Bromma", "Rinkeby-Kista", "Spånga-Tensta", "Norrmalm", "Östermalm"]),
        (sdo20, ["Bromma", "Rinkeby-Kista", "Spånga-Tensta", "Norrmalm", "Östermalm"]),
        (sdo23, ["Bromma", "Järva", "Norra innerstaden"]),
    ]:
        for name in names:
            m.Area.objects.create(level_id="sdo", vintage=vintage, code=name.lower(), name=name)
    m.Indicator.objects.create(
        id="inmigrated",
        domain_id="work",
        name_sv="Inflyttade",
        name_en="In-migrants",
        measure="count",
        polarity="no_judgement",
        unit="persons",
        publication_threshold=3,
    )
    m.Indicator.objects.create(
        id="social_assistance_share",
        domain_id="work",
        name_sv="Andel med ekonomiskt bistånd",
        measure="proportion",
        polarity="lower_is_better",
        unit="percent",
        multiplier=100,
    )
    m.Indicator.objects.create(
        id="population",
        domain_id="housing",
        name_sv="Folkmängd",
        measure="count",
        polarity="no_judgement",
        unit="persons",
        publication_threshold=0,
    )
    sex = m.Dimension.objects.create(id="sex", name_sv="Kön", name_en="Sex", order=1)
    for i, (c, sv) in enumerate([("male", "Män"), ("female", "Kvinnor")]):
        m.DimensionValue.objects.create(dimension=sex, code=c, name_sv=sv, order=i)
    age = m.Dimension.objects.create(id="age", name_sv="Ålder", name_en="Age", order=2)
    for i, c in enumerate(["20", "21", "22"]):
        m.DimensionValue.objects.create(dimension=age, code=c, name_sv=c, order=i)
    m.Group.objects.create(key="")
    return True
