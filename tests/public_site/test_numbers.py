"""One number format for people: Swedish rounding, grouping and minus sign, everywhere."""

from __future__ import annotations

import pytest

from skillnader.numbers import excel_number, format_interval, format_number, round_half_away

NNBSP = "\u202f"
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "decimals", "sv", "en"),
    [
        (67.25, 1, "67,3", "67.3"),  # the web page said 67,2 and the report 67,3
        (54.35, 1, "54,4", "54.4"),  # 54.35 is 54.34999… in binary; people read 54,35
        (0.15, 1, "0,2", "0.2"),
        (2.5, 0, "3", "3"),  # not the banker's 2
        (-2.5, 0, f"{MINUS}3", f"{MINUS}3"),  # away from zero on the negative side too
        (-0.05, 1, f"{MINUS}0,1", f"{MINUS}0.1"),
        (-0.04, 1, "0,0", "0.0"),  # no signed zero
        (988943, 0, f"988{NNBSP}943", "988,943"),
        (1234567.891, 2, f"1{NNBSP}234{NNBSP}567,89", "1,234,567.89"),
        (-1234.55, 1, f"{MINUS}1{NNBSP}234,6", f"{MINUS}1,234.6"),
        (12, 2, "12,00", "12.00"),
        (81.19999999, 1, "81,2", "81.2"),
    ],
)
def test_format_number(value, decimals, sv, en):
    assert format_number(value, decimals, "sv") == sv
    assert format_number(value, decimals, "en") == en


def test_missing_and_non_finite_values_are_empty():
    for v in (None, float("nan"), float("inf"), "", "abc"):
        assert format_number(v, 1) == ""


def test_rounding_differs_from_truncation_and_from_python():
    # Truncation (what Django's number_format did) gives 54,3; format() gives 2 for 2.5.
    assert str(round_half_away(54.39, 1)) == "54.4"
    assert f"{2.5:.0f}" == "2" and format_number(2.5, 0) == "3"


def test_interval():
    assert format_interval(1.25, 2.35, 1) == "1,3–2,4"
    assert format_interval(-1.25, 2.0, 1, "en") == f"{MINUS}1.3–2.0"
    assert format_interval(None, 2.0, 1) == ""


def test_excel_numbers_keep_full_precision_with_a_decimal_comma():
    assert excel_number(0.1 + 0.2) == "0,30000000000000004"
    assert excel_number(-12.5) == "-12,5"
    assert excel_number(3.0) == "3"
    assert excel_number(1e-7) == "0,0000001"
    assert excel_number(42) == "42"
    assert excel_number(None) == ""


def test_every_formatter_of_the_product_agrees():
    """Charts, reports and findings print what the web pages print."""
    from skillnader.analysis.findings import _fmt
    from skillnader.charts.vegalite import format_number as chart_number
    from skillnader.reports.text import number as report_number

    for value, decimals in [(67.25, 1), (54.35, 1), (-1234.55, 1), (988943.0, 0), (0.15, 1)]:
        expected = format_number(value, decimals, "sv")
        assert chart_number(value, decimals, ",") == expected
        assert report_number(value, decimals, "sv") == expected
        assert _fmt(value, decimals, "sv") == expected
        assert report_number(value, decimals, "en") == format_number(value, decimals, "en")
