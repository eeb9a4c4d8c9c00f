"""The steering chain as plain data: periods, goals, their indicators and targets, measures.

A mandate period holds the council's *inriktningsmål* (direction goals), under them the
*verksamhetsområdesmål* (operational goals) and under those each board's *nämndmål*. A goal is
identified by its period, its owner (``None`` for the city council, else a board id) and its
number: numbers are scoped by period, so "1.1" of 2015–2018 and "1.1" of 2019–2022 are different
goals. Wording and responsible board change over time: each goal has *versions* with a validity
date and the decision that made them. So do targets (an *årsmål* changed by the tertial report's
decision "Förändring av indikatorer, årsmål eller ansvarig nämnd/bolag godkänns").

A target is a *level* (at least / at most a value in a year) or a *direction* (shall increase /
decrease from a base year); either applies to the indicator itself or, when ``gap`` is given, to
a gap: ``range`` (highest minus lowest area of a level), ``groups`` (group ``a`` minus group
``b`` in the goal's area, e.g. girls minus boys) or ``areas`` (area ``a`` minus area ``b``).

:func:`evaluate` applies the rules of :mod:`skillnader.steering.rules` to one target version and
the series it is about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from skillnader.steering import rules
from skillnader.steering.rules import Estimate, Probability, Status, TrendJudgement

LEVELS = ("inriktningsmal", "verksamhetsomradesmal", "namndmal")
KF = "kf"  # owner key of the city council's goals
TARGET_KINDS = ("level", "direction")
GAP_KINDS = ("range", "groups", "areas")
DIRECTIONS = ("increase", "decrease")
MEASURE_STATUSES = ("planned", "ongoing", "completed", "stopped")


def goal_ref(period: str, owner: str | None, number: str) -> str:
    """The stable reference of a goal: ``period/owner/number`` (``kf`` for the council)."""
    return f"{period}/{owner or KF}/{number}"


@dataclass
class PeriodSpec:
    id: str
    name: str
    start: dt.date
    end: dt.date
    note: str = ""


@dataclass
class GoalRevision:
    """A later version of a goal: only the fields that change are set."""

    valid_from: dt.date
    decision: str
    title: str | None = None
    title_en: str | None = None
    responsible: str | None = None
    valid_to: dt.date | None = None


@dataclass
class TargetRevision:
    valid_from: dt.date
    decision: str
    value: float | None = None
    year: int | None = None
    direction: str | None = None
    base_year: int | None = None


@dataclass
class GapSpec:
    kind: str  # range | groups | areas
    level: str = ""  # range: area level of the areas compared
    vintage: str = ""
    a: str = ""  # groups: group keys; areas: area codes
    b: str = ""
    label: str = ""


@dataclass
class TargetSpec:
    key: str
    kind: str  # level | direction
    direction: str
    year: int
    valid_from: dt.date
    decision: str = ""
    value: float | None = None
    base_year: int | None = None
    gap: GapSpec | None = None
    revisions: list[TargetRevision] = field(default_factory=list)
    note: str = ""


@dataclass
class GoalIndicatorSpec:
    indicator: str
    area_level: str = ""  # empty: the city (kommun 0180)
    area_vintage: str = ""
    area_code: str = ""
    group: str = ""
    example: bool = False
    note: str = ""
    targets: list[TargetSpec] = field(default_factory=list)


@dataclass
class GoalSpec:
    period: str
    level: str
    number: str
    title: str
    valid_from: dt.date
    owner: str | None = None  # None: city council
    parent: str | None = None  # number of the parent goal (council's goal for a nämndmål)
    title_en: str = ""
    valid_to: dt.date | None = None
    responsible: str | None = None
    decision: str = ""
    example: bool = False
    sources: list[str] = field(default_factory=list)
    note: str = ""
    revisions: list[GoalRevision] = field(default_factory=list)
    indicators: list[GoalIndicatorSpec] = field(default_factory=list)
    location: str = ""

    @property
    def ref(self) -> str:
        return goal_ref(self.period, self.owner, self.number)

    @property
    def parent_ref(self) -> str | None:
        if not self.parent:
            return None
        # A nämndmål hangs under a council goal; a council goal under a council goal.
        return goal_ref(self.period, None, self.parent)


@dataclass
class MeasureSpec:
    key: str
    title: str
    board: str
    start: dt.date | None = None
    end: dt.date | None = None
    owner: str = ""
    description: str = ""
    budget_sek: float | None = None
    status: str = "ongoing"
    target_group: str = ""
    areas: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)  # goal refs
    indicators: list[str] = field(default_factory=list)
    challenges: list[str] = field(default_factory=list)  # consultation codebook codes
    evaluation: str = ""
    example: bool = False
    location: str = ""


@dataclass
class Plan:
    """Everything one import file holds."""

    periods: list[PeriodSpec] = field(default_factory=list)
    goals: list[GoalSpec] = field(default_factory=list)
    measures: list[MeasureSpec] = field(default_factory=list)
    path: str = ""


# ---------------------------------------------------------------------------------------------
# evaluation


@dataclass(frozen=True)
class TargetVersionView:
    """What :func:`evaluate` needs of a target version."""

    kind: str
    direction: str
    year: int
    value: float | None = None
    base_year: int | None = None


@dataclass(frozen=True)
class TargetResult:
    status: Status
    used: Estimate | None  # the estimate judged (the target year's, else the latest before it)
    base: Estimate | None
    trend: TrendJudgement
    probability: Probability | None
    late: bool = False  # the target year's value is not yet published; the latest was used


def _at_or_before(series: Sequence[Estimate], year: int) -> tuple[Estimate | None, bool]:
    exact = [e for e in series if e.year == year]
    if exact:
        return exact[0], False
    before = [e for e in series if e.year < year]
    return (max(before, key=lambda e: e.year), True) if before else (None, False)


def evaluate(
    target: TargetVersionView, series: Sequence[Estimate], as_of_year: int | None = None
) -> TargetResult:
    """Status, trend judgement and probability of one target version over ``series`` (the
    indicator's or the gap's estimates by year). ``as_of_year`` limits the data to what was
    known then (a tertial report of 2017 cannot use 2018's value)."""
    year = target.year if as_of_year is None else min(target.year, as_of_year)
    known = sorted((e for e in series if e.year <= year), key=lambda e: e.year)
    used, late = _at_or_before(known, target.year)
    base = None
    if target.kind == "level":
        if target.value is None:
            status = Status(rules.NOT_ASSESSABLE, "no_target_value")
        elif late:
            # The target year's value is not published yet: the year cannot be judged.
            status = Status(rules.NOT_ASSESSABLE, "target_year_not_published")
        else:
            status = rules.assess_level(used, target.value, target.direction)
        threshold = target.value
    else:
        base = next((e for e in known if e.year == target.base_year), None)
        status = rules.assess_direction(base, used, target.direction)
        threshold = base.value if base is not None else None
    fitted = [e for e in known if target.base_year is None or e.year >= target.base_year]
    trend = rules.trend_judgement(fitted, target.direction)
    probability = None
    if target.kind != "level" and target.base_year is not None and base is not None:
        probability = rules.probability_of_change(
            fitted, target.base_year, target.year, target.direction
        )
    elif threshold is not None:
        probability = rules.probability_by_year(fitted, target.year, threshold, target.direction)
    return TargetResult(status, used, base, trend, probability, late)
