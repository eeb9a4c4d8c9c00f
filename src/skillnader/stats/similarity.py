"""Areas most like a given one on a set of background variables.

The method of the Swedish municipal benchmarking database's "liknande kommuner" (RKA, *Kolada:
Liknande kommuner – metodbeskrivning*): each background variable is standardised over all
candidate areas (z-scores: value minus the mean, divided by the standard deviation), and the
areas are ranked by their Euclidean distance to the target area in the standardised space
(Everitt et al. 2011, *Cluster Analysis*, 5th ed., § 3.2). Every variable weighs the same; a
variable without spread (all areas equal) carries no information and is left out. Areas that
lack a value on any chosen variable are not ranked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from skillnader.errors import InputError


@dataclass(frozen=True)
class Neighbour:
    key: str
    distance: float
    #: The standardised difference (area minus target) on each variable used.
    differences: tuple[float, ...]


def nearest(
    target: str,
    values: Mapping[str, Sequence[float | None]],
    k: int = 5,
) -> tuple[list[Neighbour], list[int]]:
    """The ``k`` areas nearest ``target`` by standardised Euclidean distance.

    ``values`` maps each area key to its values on the background variables (same order for
    every area; ``None`` where missing). Returns the neighbours (nearest first, ties by key) and
    the indexes of the variables that were used (those with spread among the complete areas).
    """
    if target not in values:
        raise InputError("the target area has no background values", value=target)
    keys = [key for key, vs in values.items() if all(v is not None for v in vs)]
    if target not in keys:
        raise InputError("the target area lacks a value on a background variable", value=target)
    if len(keys) < 2:
        return [], []
    rows = [[float(v) for v in values[key] if v is not None] for key in keys]
    x = np.array(rows, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] == 0:
        return [], []
    sd = x.std(axis=0, ddof=1)
    used = [j for j in range(x.shape[1]) if np.isfinite(sd[j]) and sd[j] > 0]
    if not used:
        return [], []
    z = (x[:, used] - x[:, used].mean(axis=0)) / sd[used]
    t = z[keys.index(target)]
    diff = z - t
    dist = np.sqrt((diff**2).sum(axis=1))
    order = sorted(
        (i for i, key in enumerate(keys) if key != target), key=lambda i: (dist[i], keys[i])
    )
    return [
        Neighbour(keys[i], float(dist[i]), tuple(float(d) for d in diff[i])) for i in order[:k]
    ], used
