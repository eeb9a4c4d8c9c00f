"""Who may change what in the steering chain.

Everything is public to read. Changes:

- the city office (the permission ``steering.edit_kf_goals``, given to the group
  "Stadsledningskontoret") edits the council's goals and their targets, writes the judgements of
  council goals, reviews every judgement, and may edit any board's items;
- a board's writers (:class:`~skillnader.web.consultation.models.BoardMembership`, the same
  roles as in the consultation) edit their own board's nämndmål, targets, judgements and
  measures, and nothing of another board's;
- nobody else changes anything.

A refused change answers 403; an object that does not exist answers 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from skillnader.web.consultation.access import board_ids
from skillnader.web.steering.models import CITY_OFFICE_GROUP, EDIT_KF_PERMISSION, Goal, Measure


def city_office_group():
    """The group "Stadsledningskontoret" with the permission (made again after a flush)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    ct, _ = ContentType.objects.get_or_create(app_label="steering", model="goal")
    perm, _ = Permission.objects.get_or_create(
        content_type=ct,
        codename="edit_kf_goals",
        defaults={"name": "Can edit the city council's goals and review"},
    )
    group, _ = Group.objects.get_or_create(name=CITY_OFFICE_GROUP)
    group.permissions.add(perm)
    return group


def is_city_office(user) -> bool:
    return bool(user.is_authenticated and user.has_perm(EDIT_KF_PERMISSION))


def can_edit_board(user, board_id: str | None) -> bool:
    """Whether ``user`` may change items of ``board_id`` (``None``: the council's)."""
    if not user.is_authenticated:
        return False
    if is_city_office(user):
        return True
    return board_id is not None and board_id in board_ids(user)


def can_edit_goal(user, goal: Goal) -> bool:
    return can_edit_board(user, goal.owner_id)


def can_judge(user, goal: Goal) -> bool:
    """Council goals are judged by the city office, a nämndmål by its board."""
    return can_edit_board(user, goal.owner_id)


def can_edit_measure(user, measure: Measure) -> bool:
    return can_edit_board(user, measure.board_id)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("not allowed to change this")


def editable_boards(user):
    """Boards ``user`` may create measures for."""
    from skillnader.web.consultation.models import Board

    if is_city_office(user):
        return Board.objects.all()
    return Board.objects.filter(pk__in=board_ids(user))
