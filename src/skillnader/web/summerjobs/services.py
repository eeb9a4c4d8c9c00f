"""Between the database and :mod:`skillnader.allocation`: import files, run an allocation, store
the outcome, purge old applications."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from skillnader.allocation import allocate, inputs
from skillnader.allocation.model import Applicant as LibApplicant
from skillnader.allocation.model import Position as LibPosition
from skillnader.allocation.report import build_report
from skillnader.allocation.run import explain_applicant, second_round_options
from skillnader.errors import InputError
from skillnader.web.summerjobs.models import (
    Allocation,
    Application,
    Placement,
    Position,
    Round,
    audit,
)


def to_library(rnd: Round) -> tuple[list[LibApplicant], list[LibPosition], dict[str, Application]]:
    apps = list(rnd.applications.all())
    lib_a = [_lib_applicant(a) for a in apps]
    lib_p = [_lib_position(p) for p in rnd.positions.all()]
    return lib_a, lib_p, {a.pseudonym: a for a in apps}


@transaction.atomic
def import_files(
    rnd: Round, applicants_path: Path | None, positions_path: Path | None, user=None
) -> dict:
    """Read both files fully (typed errors name row and column), then insert in one transaction."""
    lib_a = inputs.read_applicants(applicants_path) if applicants_path else []
    lib_p = inputs.read_positions(positions_path) if positions_path else []
    existing = set(rnd.positions.values_list("code", flat=True))
    for p in lib_p:
        if p.id in existing:
            raise InputError("position already in the round", path=str(positions_path), value=p.id)
    Position.objects.bulk_create(
        Position(
            round=rnd, code=p.id, employer=p.employer, employer_type=p.employer_type, district=p.district,
            inner_city=p.inner_city, category=p.category, period=p.period, capacity=p.capacity,
            min_age=p.min_age, max_age=p.max_age, requirements=";".join(p.requirements),
        )
        for p in lib_p
    )  # fmt: skip
    taken = set(
        Application.objects.filter(pseudonym__in=[a.id for a in lib_a]).values_list(
            "pseudonym", flat=True
        )
    )
    if taken:
        raise InputError(
            "applicant id already used", path=str(applicants_path), value=sorted(taken)[0]
        )
    Application.objects.bulk_create(
        Application(
            round=rnd, pseudonym=a.id, birth_date=a.birth_date, sex=a.sex, born_in_sweden=a.born_in_sweden,
            home_area=a.home_area, home_district=a.home_district, school=a.school,
            social_assistance=a.social_assistance, newly_arrived=a.newly_arrived,
            support_needs=a.support_needs, earlier_summer_job=a.earlier_summer_job,
            choices=";".join(a.choices), languages=";".join(a.languages), source=Application.Source.IMPORT,
        )
        for a in lib_a
    )  # fmt: skip
    audit(user, "create", "import", rnd.slug, f"{len(lib_a)} applications, {len(lib_p)} positions")
    return {"applications": len(lib_a), "positions": len(lib_p)}


def run_allocation(rnd: Round, user=None, mode: str = "stable") -> Allocation:
    """Allocate with the round's published seed and store placements, explanations and report."""
    if not rnd.seed:
        raise InputError("the round has no published seed", location=f"round {rnd.slug}")
    policy = rnd.policy()
    lib_a, lib_p, by_id = to_library(rnd)
    result = allocate(policy, lib_a, lib_p, rnd.seed, mode=mode)
    sq = allocate(policy, lib_a, lib_p, rnd.seed, status_quo=True)
    report = build_report(result, sq)
    report["synthetic"] = bool(lib_a) and all(a.id.startswith("SYN-") for a in lib_a)
    positions = {p.code: p for p in rnd.positions.all()}
    with transaction.atomic():
        alloc = Allocation.objects.create(
            round=rnd, mode=mode, seed=rnd.seed, policy_version=policy.version,
            policy_digest=policy.digest, report=report, created_by=user if user and user.is_authenticated else None,
        )  # fmt: skip
        rows = []
        pb = result.problem
        for i, a in enumerate(pb.applicants):
            e = explain_applicant(result, i)
            if result.match[i] < 0:
                e["second_round"] = second_round_options(result, i)
            rows.append(
                Placement(
                    allocation=alloc,
                    application=by_id[a.id],
                    position=positions[pb.positions[result.match[i]].id]
                    if result.match[i] >= 0
                    else None,
                    choice_rank=result.choice_rank(i),
                    explanation=e,
                )
            )
        Placement.objects.bulk_create(rows, batch_size=1000)
        audit(
            user,
            "allocate",
            "round",
            rnd.slug,
            f"mode {mode}, seed {rnd.seed}, {len(rows)} applicants",
        )
    return alloc


def retention_days() -> int:
    return int(getattr(settings, "SUMMERJOBS_RETENTION_DAYS", 400))


def purge(now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Delete applications (and their placements) older than the retention period."""
    now = now or timezone.now()
    old = Application.objects.filter(created_at__lt=now - dt.timedelta(days=retention_days()))
    n = old.count()
    if not dry_run and n:
        with transaction.atomic():
            old.delete()
            audit(
                None,
                "delete",
                "retention",
                "",
                f"{n} applications older than {retention_days()} days",
            )
    return n


def _lib_applicant(a: Application) -> LibApplicant:
    return LibApplicant(
        id=a.pseudonym,
        birth_date=a.birth_date,
        sex=a.sex,
        born_in_sweden=a.born_in_sweden,
        home_area=a.home_area,
        home_district=a.home_district,
        school=a.school,
        social_assistance=a.social_assistance,
        newly_arrived=a.newly_arrived,
        support_needs=a.support_needs,
        earlier_summer_job=a.earlier_summer_job,
        choices=tuple(c for c in a.choices.split(";") if c),
        languages=tuple(x for x in a.languages.split(";") if x),
    )


def _lib_position(p: Position) -> LibPosition:
    return LibPosition(
        id=p.code,
        employer=p.employer,
        employer_type=p.employer_type,
        district=p.district,
        inner_city=p.inner_city,
        category=p.category,
        period=p.period,
        capacity=p.capacity,
        min_age=p.min_age,
        max_age=p.max_age,
        requirements=tuple(x for x in p.requirements.split(";") if x),
    )


@transaction.atomic
def adjust_placement(
    alloc: Allocation, app: Application, position_code: str, reason: str, user
) -> dict:
    """An officer moves one applicant to another position of the round, or to the waiting list
    (``position_code`` empty), with a reason. The rules are checked again — the position belongs
    to the round, the policy's age rule and the position's age, period and language rules, a free
    place (the applicant keeps one placement) — and the change is logged (who, when, from, to,
    why) in the audit log and on the placement. A move can pass over applicants with higher
    priority; they are counted and the count is logged and returned.

    Raises :class:`InputError` (nothing changed) when a rule does not hold."""
    from skillnader.allocation.prepare import ineligibility

    reason = reason.strip()
    if not reason:
        raise InputError("a reason is required", location="reason")
    if app.round_id != alloc.round_id:
        raise InputError("the applicant is not in this allocation's round", location="applicant")
    placement = Placement.objects.select_for_update().get(allocation=alloc, application=app)
    old = placement.position.code if placement.position else None
    pos = None
    code = position_code.strip()
    if code:
        pos = (
            Position.objects.select_for_update().filter(round_id=alloc.round_id, code=code).first()
        )
        if pos is None:
            raise InputError("no such position in this round", location="position", value=code)
        if pos.code == old:
            raise InputError("the applicant already has this position", location="position")
        policy = alloc.round.policy()
        la = _lib_applicant(app)
        age = la.age_on(policy.reference_date)
        if not policy.min_age <= age <= policy.max_age:
            raise InputError(
                f"age {age} is outside the policy's {policy.min_age}-{policy.max_age}",
                location="position",
            )
        why = ineligibility(la, _lib_position(pos), age, policy)
        if why:
            raise InputError(f"not eligible: {why}", location="position", value=code)
        taken = (
            Placement.objects.filter(allocation=alloc, position=pos)
            .exclude(pk=placement.pk)
            .count()
        )
        if taken >= pos.capacity:
            raise InputError(
                f"the position is full ({taken} of {pos.capacity} places)",
                location="position",
                value=code,
            )
    elif old is None:
        raise InputError("the applicant is already on the waiting list", location="position")
    # applicants with higher priority who listed the position and have no place
    e = placement.explanation or {}
    rank = e.get("priority_rank")
    passed_over = 0
    if pos is not None and rank is not None:
        for other in (
            Placement.objects.filter(
                allocation=alloc, position__isnull=True, explanation__priority_rank__lt=rank
            )
            .exclude(pk=placement.pk)
            .only("explanation")
        ):
            oe = other.explanation or {}
            if (oe.get("priority_rank") or 0) < rank and any(
                h.get("position") == pos.code for h in oe.get("positions_ranked_higher") or []
            ):
                passed_over += 1
    now = timezone.now()
    change = {
        "at": now.isoformat(),
        "by": user.get_username() if user is not None else "",
        "from": old,
        "to": pos.code if pos else None,
        "reason": reason[:300],
        "higher_priority_unplaced_passed_over": passed_over,
    }
    e = dict(e)
    e.setdefault("original", {"position": e.get("position"), "ground": e.get("ground")})
    e["officer_changes"] = [*(e.get("officer_changes") or []), change]
    e["position"] = pos.code if pos else None
    e["choice_rank"] = None
    e["ground"] = "changed by an officer: " + change["reason"] if pos else None
    if pos is None:
        e["reason"] = "moved to the waiting list by an officer: " + change["reason"]
    placement.position = pos
    placement.choice_rank = None
    placement.explanation = e
    placement.save(update_fields=["position", "choice_rank", "explanation"])
    audit(
        user,
        "change",
        "placement",
        app.pseudonym,
        f"allocation {alloc.id}: {old or 'waiting list'} -> {change['to'] or 'waiting list'}; "
        f"higher-priority unplaced passed over: {passed_over}; reason: {change['reason']}",
    )
    return change
