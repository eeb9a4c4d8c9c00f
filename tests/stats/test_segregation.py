"""Tests for skillnader.stats.segregation: hand-computed examples and alternative formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skillnader.errors import MethodError
from skillnader.stats import segregation as seg

# three areas of 100 people with 10, 40 and 50 group members: X = 100, T = 300, P = 1/3
GROUP = [10, 40, 50]
TOTAL = [100, 100, 100]


def test_dissimilarity_by_hand():
    # sum t|p - P| = 100 (7/30 + 2/30 + 5/30) = 140/3; 2 T P (1 - P) = 400/3
    assert seg.dissimilarity(GROUP, TOTAL) == pytest.approx(0.35)


def test_dissimilarity_equals_half_sum_of_share_differences():
    # second form: 1/2 sum |x_i/X - y_i/Y| with y the rest of the population
    assert 0.5 * (abs(0.10 - 0.45) + abs(0.40 - 0.30) + abs(0.50 - 0.25)) == pytest.approx(0.35)
    rng = np.random.default_rng(12)
    for _ in range(20):
        n = int(rng.integers(2, 40))
        t = rng.integers(1, 5000, n)
        x = rng.binomial(t, rng.uniform(0.01, 0.9, n))
        y = t - x
        if x.sum() == 0 or y.sum() == 0:
            continue
        other = 0.5 * np.abs(x / x.sum() - y / y.sum()).sum()
        assert seg.dissimilarity(x, t) == pytest.approx(other, rel=1e-12)


def test_isolation_by_hand():
    assert seg.isolation(GROUP, TOTAL) == pytest.approx(0.01 + 0.16 + 0.25)
    assert seg.isolation_eta2(GROUP, TOTAL) == pytest.approx((0.42 - 1 / 3) / (2 / 3))


def test_entropy_index_by_hand():
    def e(p):
        return -p * math.log(p) - (1 - p) * math.log(1 - p)

    city = e(1 / 3)
    expected = (3 * city - e(0.1) - e(0.4) - e(0.5)) / (3 * city)
    assert seg.entropy_index(GROUP, TOTAL) == pytest.approx(expected)
    assert seg.entropy_index(GROUP, TOTAL) == pytest.approx(0.114321, abs=1e-6)


def test_no_segregation_and_complete_segregation():
    even_x, even_t = [10, 20, 5], [100, 200, 50]
    assert seg.dissimilarity(even_x, even_t) == pytest.approx(0.0)
    assert seg.entropy_index(even_x, even_t) == pytest.approx(0.0)
    assert seg.isolation(even_x, even_t) == pytest.approx(0.1)  # = P
    assert seg.isolation_eta2(even_x, even_t) == pytest.approx(0.0)
    apart_x, apart_t = [50, 0, 0], [50, 100, 30]
    assert seg.dissimilarity(apart_x, apart_t) == pytest.approx(1.0)
    assert seg.entropy_index(apart_x, apart_t) == pytest.approx(1.0)
    assert seg.isolation(apart_x, apart_t) == pytest.approx(1.0)
    assert seg.isolation_eta2(apart_x, apart_t) == pytest.approx(1.0)


def test_empty_areas_are_ignored():
    assert seg.dissimilarity([10, 40, 50, 0], [100, 100, 100, 0]) == pytest.approx(0.35)


def test_refuses_unsuitable_inputs():
    with pytest.raises(MethodError, match="at least 2 areas"):
        seg.dissimilarity([3], [10])
    with pytest.raises(MethodError, match="exceeds the area total"):
        seg.isolation([30, 5], [20, 10])
    with pytest.raises(MethodError, match="overall share"):
        seg.entropy_index([0, 0], [10, 20])
    with pytest.raises(MethodError, match="overall share"):
        seg.dissimilarity([10, 20], [10, 20])
    with pytest.raises(MethodError, match="equal length"):
        seg.dissimilarity([1, 2, 3], [10, 20])
