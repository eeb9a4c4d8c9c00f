"""From the database to the library and back: the series a target is about, and its follow-up.

Observations are read through :func:`skillnader.web.data.models.public_observations` only
(suppressed cells carry no numbers and count as missing). Annual periods only: a goal's year is
a calendar year. An observation without published limits gets the interval
:func:`skillnader.steering.rules.observation_interval` derives from its counts (and says so).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict

from skillnader.steering import rules
from skillnader.steering.model import TargetVersionView, evaluate
from skillnader.steering.rules import Estimate
from skillnader.web.steering.models import Goal, GoalIndicator, Period, Target, TargetVersion

CITY = ("kommun", "", "0180")


def _areas(level: str, vintage: str, code: str = ""):
    from skillnader.web.data.models import Area

    qs = Area.objects.filter(level_id=level)
    if vintage:
        qs = qs.filter(vintage__code=vintage)
    if code:
        qs = qs.filter(code=code)
    return qs


def link_area(link: GoalIndicator):
    """The area a goal indicator is about (the city when none is named)."""
    level, vintage, code = (
        (link.area_level, link.area_vintage, link.area_code) if link.area_code else CITY
    )
    return _areas(level, vintage, code).order_by("-vintage__valid_from").first()


def _indicator(indicator_id: str):
    from skillnader.web.data.models import Indicator

    return Indicator.objects.filter(pk=indicator_id).first()


def series_by_area(indicator_id: str, area_ids: list[int], group: str) -> dict[int, list[Estimate]]:
    """Annual estimates of an indicator per area for one group (suppressed cells left out)."""
    from skillnader.web.data.models import (
        PUBLIC_NUMBER_FIELDS,
        public_numbers,
        public_observations,
    )

    ind = _indicator(indicator_id)
    if ind is None or not area_ids:
        return {}
    qs = public_observations().filter(
        indicator_id=indicator_id, area_id__in=area_ids, group__key=group, suppressed=False
    )
    out: dict[int, list[Estimate]] = {a: [] for a in area_ids}
    # the numbers as published (counts rounded by the indicator's rounding base)
    for row in qs.values("area_id", "period", "year", *PUBLIC_NUMBER_FIELDS):
        n = public_numbers(row)
        if row["period"] != str(row["year"]) or n["value"] is None:
            continue
        lo, hi, _method = rules.observation_interval(
            n["value"], n["lower"], n["upper"], n["numerator"], n["denominator"],
            ind.multiplier, ind.measure,
        )  # fmt: skip
        out[row["area_id"]].append(Estimate(int(row["year"]), n["value"], lo, hi))
    for v in out.values():
        v.sort(key=lambda e: e.year)
    return out


def interval_method(indicator_id: str, area_id: int | None = None) -> str:
    """How the intervals of an indicator's observations (in one area) are obtained, for the
    page's note: ``published``, ``wilson``, ``byar`` or ``none``."""
    from skillnader.web.data.models import (
        PUBLIC_NUMBER_FIELDS,
        public_numbers,
        public_observations,
    )

    ind = _indicator(indicator_id)
    qs = public_observations().filter(
        indicator_id=indicator_id, suppressed=False, value__isnull=False
    )
    if area_id is not None:
        qs = qs.filter(area_id=area_id)
    row = qs.values(*PUBLIC_NUMBER_FIELDS).first()
    if ind is None or row is None:
        return "none"
    o = public_numbers(row)
    return rules.observation_interval(
        o["value"], o["lower"], o["upper"], o["numerator"], o["denominator"],
        ind.multiplier, ind.measure,
    )[2]  # fmt: skip


def indicator_series(link: GoalIndicator) -> list[Estimate]:
    area = link_area(link)
    if area is None:
        return []
    return series_by_area(link.indicator, [area.id], link.group).get(area.id, [])


def gap_series(target: Target) -> list[Estimate]:
    """The gap a target is about, year by year (see :mod:`skillnader.steering.rules`)."""
    link = target.goal_indicator
    kind = target.gap_kind
    if kind == "range":
        areas = list(_areas(target.gap_level, target.gap_vintage).values_list("id", "name"))
        names = dict(areas)
        by_area = series_by_area(link.indicator, list(names), link.group)
        years = sorted({e.year for s in by_area.values() for e in s})
        out = []
        for y in years:
            est = [
                (names[a], next((e for e in s if e.year == y), None)) for a, s in by_area.items()
            ]
            g = rules.range_gap(y, est)
            if g is not None:
                out.append(g)
        return out
    if kind == "groups":
        area = link_area(link)
        if area is None:
            return []
        a = series_by_area(link.indicator, [area.id], target.gap_a).get(area.id, [])
        b = series_by_area(link.indicator, [area.id], target.gap_b).get(area.id, [])
    elif kind == "areas":
        sides = []
        for ref in (target.gap_a, target.gap_b):
            level, vintage, code = ref.split("/")
            area = _areas(level, vintage, code).first()
            sides.append(
                [] if area is None
                else series_by_area(link.indicator, [area.id], link.group).get(area.id, [])
            )  # fmt: skip
        a, b = sides
    else:
        return indicator_series(link)
    bm = {e.year: e for e in b}
    out = []
    for e in a:
        g = rules.group_gap(e.year, e, bm.get(e.year), target.gap_label)
        if g is not None:
            out.append(g)
    return out


def target_series(target: Target) -> list[Estimate]:
    return gap_series(target) if target.gap_kind else indicator_series(target.goal_indicator)


def _view(v: TargetVersion) -> TargetVersionView:
    return TargetVersionView(
        kind=v.target.kind, direction=v.direction, year=v.year, value=v.value,
        base_year=v.base_year,
    )  # fmt: skip


def _f(x):
    return None if x is None else float(x)


def finite(data):
    """``data`` with every NaN or infinite float replaced by None: JSON (and PostgreSQL's
    jsonb) has no such numbers."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [finite(v) for v in data]
    return data


def _est(e: Estimate | None) -> dict | None:
    if e is None:
        return None
    return {"year": e.year, "value": e.value, "lower": e.lower, "upper": e.upper,
            "label": e.label or None}  # fmt: skip


def follow_up(version: TargetVersion, as_of_year: int | None = None, series=None) -> dict:
    """The computed follow-up of one target version as plain data (for pages, JSON, reports)."""
    target = version.target
    if series is None:
        series = target_series(target)
    r = evaluate(_view(version), series, as_of_year)
    p = r.probability
    return finite({
        "target": target.key,
        "target_id": target.pk,
        "target_version": version.number,
        "target_version_id": version.pk,
        "valid_from": version.valid_from.isoformat(),
        "decision": version.decision,
        "kind": target.kind,
        "gap": target.gap_kind or None,
        "gap_label": target.gap_label or None,
        "direction": version.direction,
        "year": version.year,
        "value": version.value,
        "base_year": version.base_year,
        "status": r.status.status,
        "reason": r.status.reason or None,
        "exact": r.status.exact,
        "checked": {"value": _f(r.status.value), "lower": _f(r.status.lower),
                    "upper": _f(r.status.upper)},  # fmt: skip
        "used": _est(r.used),
        "base": _est(r.base),
        "late": r.late,
        "trend": {k: v for k, v in asdict(r.trend).items()},
        "probability": None if p is None else {
            "probability": p.probability, "year": p.year, "predicted": p.predicted,
            "se": p.se, "n": p.n, "weighted": p.weighted, "reason": p.reason or None,
            "change": _f(p.change), "change_se": _f(p.change_se),
        },
        "series": [_est(e) for e in series],
    })  # fmt: skip


def goal_follow_up(goal: Goal, year: int, as_of: dt.date | None = None) -> list[dict]:
    """Every target of ``goal`` in the version valid on ``as_of`` (default: end of ``year``),
    with its computed follow-up, grouped by indicator."""
    day = as_of or dt.date(year, 12, 31)
    out = []
    for link in goal.indicators.all():
        area = link_area(link)
        entry = {
            "indicator": link.indicator,
            "area": link.area_code or CITY[2],
            "area_name": area.name if area else "",
            "area_level": link.area_level or CITY[0],
            "group": link.group,
            "example": link.example,
            "note": link.note,
            "series": finite([_est(e) for e in indicator_series(link)]),
            "interval_method": interval_method(link.indicator, area.id if area else None),
            "targets": [],
        }
        for t in link.targets.all():
            v = t.version_on(day)
            if v is None:
                continue
            entry["targets"].append(follow_up(v, as_of_year=day.year))
        out.append(entry)
    return out


def computed_goal_status(follow: list[dict]) -> str:
    """One computed status for a goal from its targets' statuses: met when every assessable
    target is met, not met when none is, partly otherwise; not assessable when none can be
    assessed. (A summary for overviews; each target's own status is always shown.)"""
    statuses = [t["status"] for e in follow for t in e["targets"]]
    judged = [s for s in statuses if s != rules.NOT_ASSESSABLE]
    if not judged:
        return "not_assessable"
    if all(s == rules.MET for s in judged):
        return "helt"
    if all(s == rules.NOT_MET for s in judged):
        return "ej"
    return "delvis"


def tree(period: Period, year: int, board: str | None = None) -> list[tuple[Goal, int]]:
    """Goals in force in ``year`` in tree order, with their depth. With ``board``: the council's
    goals above that board's nämndmål and the nämndmål themselves."""
    goals = list(Goal.objects.filter(period=period).select_related("owner", "period"))
    active = {g.pk for g in goals if g.active_in(year)}
    children: dict[int | None, list[Goal]] = {}
    for g in goals:
        if g.pk in active and (board is None or g.owner_id in (None, board)):
            children.setdefault(g.parent_id, []).append(g)

    def key(g: Goal):
        return ([int(x) if x.isdigit() else x for x in g.number.split(".")], g.owner_id or "")

    out: list[tuple[Goal, int]] = []

    def walk(parent, depth):
        for g in sorted(children.get(parent, []), key=key):
            out.append((g, depth))
            walk(g.pk, depth + 1)

    walk(None, 0)
    return out
