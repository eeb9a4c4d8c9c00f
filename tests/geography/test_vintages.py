"""The one rule of which boundary vintage a yearly statistic belongs to, and the two places that
use it (the bundle builder and the database) agreeing on every edge."""

from __future__ import annotations

import datetime as dt

import pytest

from skillnader.geography import vintage_in_force

D = dt.date
CASES = [
    # valid_from, valid_to (exclusive), year, in force
    (D(2007, 1, 1), D(2020, 7, 1), 2006, False),
    (D(2007, 1, 1), D(2020, 7, 1), 2007, True),
    (D(2007, 1, 1), D(2020, 7, 1), 2020, True),  # in force for half of 2020
    (D(2007, 1, 1), D(2020, 7, 1), 2021, False),
    (D(2020, 7, 1), None, 2020, True),
    (D(2020, 7, 1), None, 2040, True),
    (D(2018, 1, 1), D(2022, 1, 1), 2021, True),
    (D(2018, 1, 1), D(2022, 1, 1), 2022, False),  # ends as 2022 begins
    (None, None, 1900, True),
    (None, D(2003, 1, 1), 2003, False),
]


@pytest.mark.parametrize(("valid_from", "valid_to", "year", "expected"), CASES)
def test_the_rule(valid_from, valid_to, year, expected):
    assert vintage_in_force(valid_from, valid_to, year) is expected


@pytest.mark.parametrize(("valid_from", "valid_to", "year", "expected"), CASES)
def test_the_bundle_and_the_database_agree(valid_from, valid_to, year, expected):
    from skillnader.bundle.build import VintageDef
    from skillnader.web.data.models import Vintage

    built = VintageDef("sdo", "x", "x", "x", valid_from, valid_to)
    stored = Vintage(level_id="sdo", code="x", valid_from=valid_from, valid_to=valid_to)
    assert built.covers_year(year) is stored.covers_year(year) is expected
