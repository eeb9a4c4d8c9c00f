"""A toy file format for the registry tests: one module, registered by one call."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skillnader.readers import registry
from skillnader.readers.base import Cube, Dimension


def read_toy(path: Path) -> Cube:
    """The toy format: a ``#TOYCUBE`` line, then ``area;period;value`` lines."""
    rows = [ln.split(";") for ln in path.read_text(encoding="utf-8").splitlines()[1:] if ln]
    areas = sorted({r[0] for r in rows})
    periods = sorted({r[1] for r in rows})
    values = np.full((len(areas), len(periods)), np.nan)
    for area, period, value in rows:
        values[areas.index(area), periods.index(period)] = float(value)
    return Cube(
        dimensions=[
            Dimension("area", "Område", areas, areas, role="geo"),
            Dimension("period", "År", periods, periods, role="time"),
        ],
        values=values.ravel(),
        source=str(path),
    )


TOY = registry.Format(
    "toycube",
    "Toy cube",
    "cube",
    (".toy",),
    "tests.readers.toy_format:read_toy",
    sniff=lambda head: head.startswith(b"#TOYCUBE"),
)
