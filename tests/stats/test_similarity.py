"""Standardised Euclidean distance between areas (the "liknande kommuner" method)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skillnader.errors import InputError
from skillnader.stats.similarity import nearest


def test_distance_by_hand():
    values = {"a": [1.0, 10.0], "b": [2.0, 10.0], "c": [3.0, 40.0], "d": [1.0, 20.0]}
    found, used = nearest("a", values, k=3)
    x = np.array(list(values.values()))
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    expected = {k: math.dist(z[i], z[0]) for i, k in enumerate(values) if k != "a"}
    assert used == [0, 1]
    assert [n.key for n in found] == sorted(expected, key=expected.get)
    for n in found:
        assert n.distance == pytest.approx(expected[n.key], rel=1e-12)


def test_scale_does_not_matter():
    # Thousands of kronor and percent weigh the same after standardisation.
    a = {"x": [1.0, 300.0], "y": [2.0, 310.0], "z": [5.0, 200.0]}
    b = {k: [v[0] * 1000, v[1] / 100] for k, v in a.items()}
    assert [n.key for n in nearest("x", a)[0]] == [n.key for n in nearest("x", b)[0]]


def test_incomplete_areas_and_flat_variables():
    values = {"a": [1.0, 5.0], "b": [2.0, 5.0], "c": [None, 5.0], "d": [4.0, 5.0]}
    found, used = nearest("a", values)
    assert [n.key for n in found] == ["b", "d"]  # c lacks a value; it is not ranked
    assert used == [0]  # the second variable has no spread
    with pytest.raises(InputError):
        nearest("c", values)
