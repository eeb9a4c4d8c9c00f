"""Write a :class:`~skillnader.steering.model.Plan` into the database, all or nothing.

Everything the file names is checked against the database first (boards, indicators of the
catalogue, areas, parent goals, consultation codes, goals referred to by measures); any problem
raises :class:`~skillnader.steering.io.SteeringFileError` naming the file and the place, and the
transaction leaves the database as it was.

Importing the same file again changes nothing. A version (of a goal or a target) is matched by
its validity date: an unchanged one is kept, a changed one is updated only while no judgement
refers to it — a judged version is history, and a change needs a new revision with its decision.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from skillnader.steering.io import SteeringFileError, read_file, read_yaml
from skillnader.steering.model import KF, Plan, goal_ref
from skillnader.web.steering.models import (
    Goal,
    GoalIndicator,
    GoalVersion,
    LoadedFile,
    Measure,
    Period,
    Target,
    TargetVersion,
)

BUNDLED = Path(__file__).resolve().parents[2] / "bundle" / "data" / "governance"
BUNDLED_FILES = ("steering_2015_2018.yaml",)


@dataclass
class ImportResult:
    periods: int = 0
    goals_created: list[str] = field(default_factory=list)
    versions_created: int = 0
    targets_created: int = 0
    target_versions_created: int = 0
    measures: int = 0

    def __str__(self) -> str:
        return (
            f"{self.periods} periods, {len(self.goals_created)} new goals, "
            f"{self.versions_created} new goal versions, {self.targets_created} new targets, "
            f"{self.target_versions_created} new target versions, {self.measures} measures"
        )


def _err(plan: Plan, location: str, message: str, value=None, expected=None):
    raise SteeringFileError(
        message, path=plan.path, location=location, value=value, expected=expected
    )


def _area_exists(level: str, vintage: str, code: str) -> bool:
    from skillnader.web.data.models import Area

    qs = Area.objects.filter(level_id=level, code=code)
    if vintage:
        qs = qs.filter(vintage__code=vintage)
    return qs.exists()


def _check(plan: Plan) -> None:
    """Every reference in ``plan`` resolves (see the module docstring)."""
    from skillnader.remiss.codebook import load_codebook
    from skillnader.web.consultation.models import Board
    from skillnader.web.data.models import Indicator

    boards = set(Board.objects.values_list("id", flat=True))
    indicators = set(Indicator.objects.values_list("id", flat=True))
    periods = {p.id for p in plan.periods} | set(Period.objects.values_list("id", flat=True))
    in_file = {g.ref: g for g in plan.goals}
    codes = {c.id for c in load_codebook().codes}
    for g in plan.goals:
        at = g.location
        if g.period not in periods:
            _err(
                plan, f"{at}.period", "unknown period", g.period, "a period of the file or database"
            )
        for who, key in ((g.owner, "owner"), (g.responsible, "responsible")):
            if who and who not in boards:
                _err(plan, f"{at}.{key}", "unknown board", who, "a board id of the registry")
        for r in g.revisions:
            if r.responsible and r.responsible not in boards:
                _err(plan, f"{at}.revisions", "unknown board", r.responsible, "a board id")
        if g.parent:
            ref = g.parent_ref
            parent = in_file.get(ref)
            exists = (
                parent is not None
                or Goal.objects.filter(
                    period_id=g.period, owner__isnull=True, number=g.parent
                ).exists()
            )
            if not exists:
                _err(plan, f"{at}.parent", "no such council goal in the period", g.parent,
                     "the number of a council goal (inriktningsmål or verksamhetsområdesmål)")  # fmt: skip
        for i, gi in enumerate(g.indicators):
            ia = f"{at}.indicators[{i}]"
            if gi.indicator not in indicators:
                _err(plan, f"{ia}.indicator", "not in the indicator catalogue", gi.indicator,
                     "an indicator id (skillnader indicators)")  # fmt: skip
            if gi.area_code and not _area_exists(gi.area_level, gi.area_vintage, gi.area_code):
                _err(plan, f"{ia}.area", "no such area",
                     f"{gi.area_level}/{gi.area_vintage}/{gi.area_code}", "level/vintage/code")  # fmt: skip
            for k, t in enumerate(gi.targets):
                if t.gap and t.gap.kind == "areas":
                    for side in (t.gap.a, t.gap.b):
                        parts = side.split("/")
                        if len(parts) != 3 or not _area_exists(*parts):
                            _err(plan, f"{ia}.targets[{k}].gap", "no such area", side,
                                 "level/vintage/code of an area")  # fmt: skip
                if t.gap and t.gap.kind == "range":
                    from skillnader.web.data.models import Area

                    qs = Area.objects.filter(level_id=t.gap.level)
                    if t.gap.vintage:
                        qs = qs.filter(vintage__code=t.gap.vintage)
                    if qs.count() < 2:
                        _err(plan, f"{ia}.targets[{k}].gap", "fewer than two areas to compare",
                             f"{t.gap.level}/{t.gap.vintage}", "an area level and vintage")  # fmt: skip
    for m in plan.measures:
        at = m.location
        if m.board not in boards:
            _err(plan, f"{at}.board", "unknown board", m.board, "a board id of the registry")
        for ref in m.goals:
            period, owner, number = ref.split("/")
            if ref in in_file:
                continue
            qs = Goal.objects.filter(period_id=period, number=number)
            qs = qs.filter(owner__isnull=True) if owner == KF else qs.filter(owner_id=owner)
            if not qs.exists():
                _err(plan, f"{at}.goals", "no such goal", ref, "period/owner/number")
        for ind in m.indicators:
            if ind not in indicators:
                _err(plan, f"{at}.indicators", "not in the indicator catalogue", ind)
        for code in m.challenges:
            if code not in codes:
                _err(plan, f"{at}.challenges", "not a code of the consultation codebook", code,
                     "a challenge code, e.g. summer_jobs")  # fmt: skip


def _goal_versions(plan: Plan, g, goal: Goal, user, result: ImportResult) -> None:
    """The first version and the revisions of ``g``, each one carrying the fields before it."""
    state = {
        "valid_from": g.valid_from,
        "valid_to": g.valid_to,
        "title_sv": g.title,
        "title_en": g.title_en,
        "responsible_id": g.responsible,
        "decision": g.decision,
    }
    wanted = [dict(state)]
    for r in sorted(g.revisions, key=lambda r: r.valid_from):
        state = dict(state)
        state.update(valid_from=r.valid_from, decision=r.decision)
        if r.title:
            state["title_sv"] = r.title
        if r.title_en is not None:
            state["title_en"] = r.title_en
        if r.responsible:
            state["responsible_id"] = r.responsible
        state["valid_to"] = r.valid_to or g.valid_to
        wanted.append(state)
    existing = {v.valid_from: v for v in goal.versions.all()}
    number = max((v.number for v in existing.values()), default=0)
    for w in wanted:
        v = existing.get(w["valid_from"])
        if v is None:
            number += 1
            GoalVersion.objects.create(goal=goal, number=number, created_by=user, **w)
            result.versions_created += 1
        elif any(getattr(v, k) != val for k, val in w.items()):
            if v.judgements.exists():
                _err(plan, g.location, "a judged goal version cannot change",
                     f"{goal.ref} from {w['valid_from']}",
                     "a revision with a new valid_from and its decision")  # fmt: skip
            for k, val in w.items():
                setattr(v, k, val)
            v.save()


def _target_versions(plan: Plan, t, target: Target, user, result, at: str) -> None:
    state = {
        "valid_from": t.valid_from,
        "direction": t.direction,
        "year": t.year,
        "value": t.value,
        "base_year": t.base_year,
        "decision": t.decision,
    }
    wanted = [dict(state)]
    for r in sorted(t.revisions, key=lambda r: r.valid_from):
        state = dict(state)
        state.update(valid_from=r.valid_from, decision=r.decision)
        for k in ("value", "year", "direction", "base_year"):
            if getattr(r, k) is not None:
                state[k] = getattr(r, k)
        wanted.append(state)
    existing = {v.valid_from: v for v in target.versions.all()}
    number = max((v.number for v in existing.values()), default=0)
    for w in wanted:
        v = existing.get(w["valid_from"])
        if v is None:
            number += 1
            TargetVersion.objects.create(target=target, number=number, created_by=user, **w)
            result.target_versions_created += 1
        elif any(getattr(v, k) != val for k, val in w.items()):
            if v.judgements.exists():
                _err(plan, at, "a judged target version cannot change",
                     f"{t.key} from {w['valid_from']}",
                     "a revision with a new valid_from and its decision")  # fmt: skip
            for k, val in w.items():
                setattr(v, k, val)
            v.save()


def write_plan(plan: Plan, user=None) -> ImportResult:
    """Check and write ``plan`` in one transaction (module docstring)."""
    result = ImportResult()
    with transaction.atomic():
        _check(plan)
        for p in plan.periods:
            Period.objects.update_or_create(
                id=p.id, defaults={"name": p.name, "start": p.start, "end": p.end, "note": p.note}
            )
            result.periods += 1
        # Parents first: council goals by depth of their number, then the boards' goals.
        order = sorted(plan.goals, key=lambda g: (g.owner is not None, g.number.count(".")))
        for g in order:
            parent = None
            if g.parent:
                parent = Goal.objects.get(period_id=g.period, owner__isnull=True, number=g.parent)
            goal, created = Goal.objects.get_or_create(
                period_id=g.period,
                owner_id=g.owner,
                number=g.number,
                defaults={"level": g.level, "parent": parent, "example": g.example},
            )
            if created:
                result.goals_created.append(g.ref)
            elif goal.level != g.level:
                _err(plan, f"{g.location}.level", "the goal exists with another level",
                     g.level, goal.level)  # fmt: skip
            goal.parent, goal.example = parent, g.example
            goal.sources, goal.note = g.sources, g.note
            goal.save()
            _goal_versions(plan, g, goal, user, result)
            for i, gi in enumerate(g.indicators):
                link, _ = GoalIndicator.objects.update_or_create(
                    goal=goal,
                    indicator=gi.indicator,
                    area_level=gi.area_level,
                    area_vintage=gi.area_vintage,
                    area_code=gi.area_code,
                    group=gi.group,
                    defaults={"example": gi.example, "note": gi.note, "order": i},
                )
                for k, t in enumerate(gi.targets):
                    at = f"{g.location}.indicators[{i}].targets[{k}]"
                    gap = t.gap
                    fields = {
                        "kind": t.kind,
                        "gap_kind": gap.kind if gap else "",
                        "gap_level": gap.level if gap else "",
                        "gap_vintage": gap.vintage if gap else "",
                        "gap_a": gap.a if gap else "",
                        "gap_b": gap.b if gap else "",
                        "gap_label": gap.label if gap else "",
                        "note": t.note,
                    }
                    target = Target.objects.filter(goal_indicator=link, key=t.key).first()
                    if target is None:
                        target = Target.objects.create(goal_indicator=link, key=t.key, **fields)
                        result.targets_created += 1
                    else:
                        judged = TargetVersion.objects.filter(
                            target=target, judgements__isnull=False
                        ).exists()
                        changed = any(
                            getattr(target, f) != fields[f] for f in fields if f != "note"
                        )
                        if changed and judged:
                            _err(plan, at, "a judged target cannot change its kind or gap", t.key,
                                 "a new target key")  # fmt: skip
                        for f, val in fields.items():
                            setattr(target, f, val)
                        target.save()
                    _target_versions(plan, t, target, user, result, at)
        for m in plan.measures:
            obj, _ = Measure.objects.update_or_create(
                key=m.key,
                defaults={
                    "title": m.title,
                    "board_id": m.board,
                    "owner": m.owner,
                    "description": m.description,
                    "start": m.start,
                    "end": m.end,
                    "budget_sek": m.budget_sek,
                    "status": m.status,
                    "target_group": m.target_group,
                    "areas": m.areas,
                    "indicators": m.indicators,
                    "challenges": m.challenges,
                    "evaluation": m.evaluation,
                    "example": m.example,
                },
            )
            goals = []
            for ref in m.goals:
                period, owner, number = ref.split("/")
                qs = Goal.objects.filter(period_id=period, number=number)
                qs = qs.filter(owner__isnull=True) if owner == KF else qs.filter(owner_id=owner)
                goals.append(qs.get())
            obj.goals.set(goals)
            result.measures += 1
    return result


def import_file(path: str | Path, user=None) -> ImportResult:
    """Read a YAML or XLSX file and write it (all or nothing)."""
    return write_plan(read_file(path), user=user)


def export_plan(period: str | None = None) -> Plan:
    """The database's goals, targets and measures as a :class:`Plan` (for YAML/XLSX export)."""
    from skillnader.steering.model import (
        GapSpec,
        GoalIndicatorSpec,
        GoalRevision,
        GoalSpec,
        MeasureSpec,
        PeriodSpec,
        TargetRevision,
        TargetSpec,
    )

    plan = Plan()
    periods = Period.objects.all() if period is None else Period.objects.filter(id=period)
    for p in periods.order_by("start"):
        plan.periods.append(PeriodSpec(p.id, p.name, p.start, p.end, p.note))
    goals = Goal.objects.filter(period__in=periods).select_related("parent")
    for goal in sorted(goals, key=lambda g: (g.owner_id is not None, g.number, g.owner_id or "")):
        versions = list(goal.versions.order_by("valid_from", "number"))
        if not versions:
            continue
        first = versions[0]
        spec = GoalSpec(
            period=goal.period_id, level=goal.level, number=goal.number, title=first.title_sv,
            valid_from=first.valid_from, owner=goal.owner_id,
            parent=goal.parent.number if goal.parent else None, title_en=first.title_en,
            valid_to=first.valid_to, responsible=first.responsible_id, decision=first.decision,
            example=goal.example, sources=list(goal.sources), note=goal.note,
        )  # fmt: skip
        prev = first
        for v in versions[1:]:
            spec.revisions.append(GoalRevision(
                valid_from=v.valid_from, decision=v.decision,
                title=v.title_sv if v.title_sv != prev.title_sv else None,
                title_en=v.title_en if v.title_en != prev.title_en else None,
                responsible=v.responsible_id if v.responsible_id != prev.responsible_id else None,
                valid_to=v.valid_to if v.valid_to != spec.valid_to else None,
            ))  # fmt: skip
            prev = v
        for link in goal.indicators.all():
            gi = GoalIndicatorSpec(link.indicator, link.area_level, link.area_vintage,
                                   link.area_code, link.group, link.example, link.note)  # fmt: skip
            for t in link.targets.all():
                tv = list(t.versions.order_by("valid_from", "number"))
                if not tv:
                    continue
                f = tv[0]
                gap = None
                if t.gap_kind:
                    gap = GapSpec(t.gap_kind, t.gap_level, t.gap_vintage, t.gap_a, t.gap_b,
                                  t.gap_label)  # fmt: skip
                ts = TargetSpec(t.key, t.kind, f.direction, f.year, f.valid_from, f.decision,
                                f.value, f.base_year, gap, note=t.note)  # fmt: skip
                p0 = f
                for v in tv[1:]:
                    ts.revisions.append(TargetRevision(
                        v.valid_from, v.decision,
                        value=v.value if v.value != p0.value else None,
                        year=v.year if v.year != p0.year else None,
                        direction=v.direction if v.direction != p0.direction else None,
                        base_year=v.base_year if v.base_year != p0.base_year else None,
                    ))  # fmt: skip
                    p0 = v
                gi.targets.append(ts)
            spec.indicators.append(gi)
        plan.goals.append(spec)
    for m in Measure.objects.filter(goals__period__in=periods).distinct().order_by("key"):
        plan.measures.append(MeasureSpec(
            key=m.key, title=m.title, board=m.board_id, start=m.start, end=m.end, owner=m.owner,
            description=m.description, budget_sek=m.budget_sek, status=m.status,
            target_group=m.target_group, areas=list(m.areas),
            goals=sorted(goal_ref(g.period_id, g.owner_id, g.number) for g in m.goals.all()),
            indicators=list(m.indicators), challenges=list(m.challenges),
            evaluation=m.evaluation, example=m.example,
        ))  # fmt: skip
    return plan


def load_bundled_steering() -> str:
    """Load the bundled goals (idempotent by content hash); boards are synced first if the
    registry has not been loaded."""
    from skillnader.web.consultation.models import Board
    from skillnader.web.consultation.registry import sync_boards

    lines = []
    with transaction.atomic():
        if not Board.objects.exists():
            sync_boards()
        for name in BUNDLED_FILES:
            path = BUNDLED / name
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            done = LoadedFile.objects.filter(name=name, content_hash=digest).exists()
            if done:
                lines.append(f"Goals: {name} already loaded")
                continue
            plan = read_yaml(f"skillnader/bundle/data/governance/{name}", data.decode("utf-8"))
            result = write_plan(plan)
            LoadedFile.objects.update_or_create(name=name, defaults={"content_hash": digest})
            lines.append(f"Goals: {name}: {result}")
    return "\n".join(lines)
