"""Residential segregation of one population group over the areas of a city.

Inputs are, per area, the number of people in the group (``group``, e.g. born abroad) and the
area's total population (``total``). With ``x_i`` the group count, ``t_i`` the total,
``p_i = x_i / t_i``, ``X = sum x``, ``T = sum t`` and ``P = X / T``:

* :func:`dissimilarity` -- Duncan & Duncan's index of dissimilarity
  ``D = sum_i t_i |p_i - P| / (2 T P (1 - P))``, the share of the group (or of the rest) that
  would have to move to give every area the city's composition.
* :func:`isolation` -- Bell's isolation index ``xPx* = sum_i (x_i / X)(x_i / t_i)``, the group
  share in the area of the average group member; with :func:`isolation_eta2` the version
  corrected for the group's overall share, ``(xPx* - P) / (1 - P)``.
* :func:`entropy_index` -- Theil's information-theory index
  ``H = sum_i t_i (E - E_i) / (T E)`` with ``E = P ln(1/P) + (1 - P) ln(1/(1 - P))``
  (and ``E_i`` the same for ``p_i``), the relative reduction in diversity from the city to its
  areas.

All three are 0 when every area has the city's composition and 1 under complete segregation
(isolation: 1 when every group member lives in an area with only group members).

As in :mod:`skillnader.stats.inequality`, a method that cannot be applied raises
:class:`skillnader.errors.MethodError`: fewer than 2 areas, a group count above its total,
negative counts, or a group that is absent from (or makes up all of) the city, where ``P`` is 0
or 1 and every index is 0/0.

Reference: Massey D.S. & Denton N.A. (1988), The dimensions of residential segregation,
*Social Forces* 67:281-315 (definitions of D, xPx*, eta^2 and H); Duncan O.D. & Duncan B.
(1955), *American Sociological Review* 20:210-217; Theil H. & Finizza A.J. (1971), *Journal of
Mathematical Sociology* 1:187-194.
"""

from __future__ import annotations

import numpy as np

from skillnader.errors import MethodError

__all__ = ["dissimilarity", "entropy_index", "isolation", "isolation_eta2"]


def _inputs(group, total):
    x = np.asarray(group, dtype=float)
    t = np.asarray(total, dtype=float)
    if x.ndim != 1 or x.shape != t.shape:
        raise MethodError(
            f"group and total must be one value per area and of equal length; got shapes "
            f"{x.shape} and {t.shape}"
        )
    if np.isnan(x).any() or np.isnan(t).any():
        raise MethodError("group or total counts are missing for some areas")
    if x.size < 2:
        raise MethodError(f"a segregation index needs at least 2 areas; got {x.size}")
    if (x < 0).any() or (t < 0).any():
        raise MethodError("counts must be non-negative")
    over = np.flatnonzero(x > t)
    if over.size:
        raise MethodError(
            f"the group count exceeds the area total in {over.size} area(s) "
            f"(first at position {int(over[0])}: {x[over[0]]:g} > {t[over[0]]:g})"
        )
    keep = t > 0  # an area without population carries no information
    x, t = x[keep], t[keep]
    big_p = x.sum() / t.sum() if t.sum() > 0 else np.nan
    if not 0 < big_p < 1:
        raise MethodError(
            "the group must be present in the city but not make up all of it "
            f"(overall share P = {big_p!r}); every segregation index is 0/0 otherwise"
        )
    return x, t, big_p


def dissimilarity(group, total) -> float:
    """Index of dissimilarity ``D = sum t_i |p_i - P| / (2 T P (1 - P))``.

    Equivalent to ``1/2 sum_i |x_i / X - (t_i - x_i) / (T - X)|`` (Duncan & Duncan 1955).
    """
    x, t, big_p = _inputs(group, total)
    p = x / t
    return float(np.sum(t * np.abs(p - big_p)) / (2 * t.sum() * big_p * (1 - big_p)))


def isolation(group, total) -> float:
    """Isolation index ``xPx* = sum_i (x_i / X)(x_i / t_i)`` (Bell 1954; Massey & Denton 1988).

    Depends on the group's overall share ``P``: it equals ``P`` without segregation.
    """
    x, t, _ = _inputs(group, total)
    return float(np.sum((x / x.sum()) * (x / t)))


def isolation_eta2(group, total) -> float:
    """Isolation corrected for the group's share, ``eta^2 = (xPx* - P) / (1 - P)``.

    0 without segregation, 1 under complete segregation (Massey & Denton 1988, p. 288).
    """
    x, t, big_p = _inputs(group, total)
    xpx = np.sum((x / x.sum()) * (x / t))
    return float((xpx - big_p) / (1 - big_p))


def _entropy(p):
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -(p * np.log(p)) - (1 - p) * np.log(1 - p)
    # 0 ln 0 = 0: a homogeneous area has no diversity
    return np.where((p <= 0) | (p >= 1), 0.0, e)


def entropy_index(group, total) -> float:
    """Theil's entropy index ``H = sum_i t_i (E - E_i) / (T E)``, natural logarithms.

    ``E`` is the city's entropy of the two-way split (group / rest), ``E_i`` each area's.
    """
    x, t, big_p = _inputs(group, total)
    e_city = float(_entropy(big_p))
    e_area = _entropy(x / t)
    return float(np.sum(t * (e_city - e_area)) / (t.sum() * e_city))
