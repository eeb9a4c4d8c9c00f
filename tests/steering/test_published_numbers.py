"""The goals read the observations as they are published: counts rounded by the indicator's
rounding base, as on every page (``models.public_numbers``)."""

from __future__ import annotations

import pytest

from skillnader.steering import rules
from skillnader.web.data import models as m
from skillnader.web.steering import services

from .conftest import SERIES

pytestmark = pytest.mark.django_db


def test_a_goal_series_uses_the_published_rounded_counts(world):
    city = m.Area.objects.get(code="0180")
    exact = services.series_by_area("social_assistance_share", [city.id], "")[city.id]
    m.Indicator.objects.filter(pk="social_assistance_share").update(
        rounding_base=5, publication_threshold=5
    )
    rounded = services.series_by_area("social_assistance_share", [city.id], "")[city.id]
    assert [e.year for e in rounded] == [year for year, _v, _n in SERIES]
    for (_year, value, persons), before, after in zip(SERIES, exact, rounded, strict=True):
        assert after.value == before.value == value  # a share keeps its value
        published = 5 * int(persons / 5 + 0.5)  # 2219 -> 2220, 2073 -> 2075, 1876 -> 1875
        assert published != persons
        lo, hi, how = rules.observation_interval(value, None, None, published, None, 100.0,
                                                 "proportion")  # fmt: skip
        assert how == "byar" and (after.lower, after.upper) == pytest.approx((lo, hi))
        assert (after.lower, after.upper) != pytest.approx((before.lower, before.upper))
    assert services.interval_method("social_assistance_share", city.id) == "byar"
