"""Who may see and change what.

- A board's writers read and write their own board's response while the consultation is open
  and the response is not submitted; afterwards they read it.
- Analysts (the ``analyse_consultation`` permission, given to the group "Analytiker") read every
  response, draft or submitted, and see the completeness matrix, the review queue and the
  compilation. Being an analyst does not make one a writer for any board.
- Everyone else sees a consultation once it is published, and then only submitted responses.

Anything a user may not read answers 404, so that URLs do not reveal whether another board has
started a draft; a response that may be read but not changed answers 403 to a change.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from skillnader.web.consultation.models import (
    ANALYST_PERMISSION,
    Board,
    Consultation,
    Response,
)


def analyst_group():
    """The group "Analytiker" with the analyst permission (made by migration 0002; made again
    here when a database was flushed, as transactional tests do)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    ct, _ = ContentType.objects.get_or_create(app_label="consultation", model="consultation")
    perm, _ = Permission.objects.get_or_create(
        content_type=ct,
        codename="analyse_consultation",
        defaults={"name": "Can read all answers and compile"},
    )
    group, _ = Group.objects.get_or_create(name="Analytiker")
    group.permissions.add(perm)
    return group


def is_analyst(user) -> bool:
    """Whether ``user`` may read all answers and compile."""
    return bool(user.is_authenticated and user.has_perm(ANALYST_PERMISSION))


def board_ids(user) -> set[str]:
    """The boards ``user`` writes for."""
    if not user.is_authenticated:
        return set()
    return set(user.board_memberships.values_list("board_id", flat=True))


def visible_consultations(user) -> QuerySet[Consultation]:
    """Consultations ``user`` may see."""
    qs = Consultation.objects.all()
    if is_analyst(user):
        return qs
    mine = board_ids(user)
    cond = Q(status=Consultation.Status.PUBLISHED)
    if mine:
        cond |= Q(recipients__in=mine) & ~Q(status=Consultation.Status.DRAFT)
    return qs.filter(cond).distinct()


def get_consultation(user, slug: str) -> Consultation:
    """The consultation ``slug`` if ``user`` may see it, else 404."""
    c = visible_consultations(user).filter(slug=slug).first()
    if c is None:
        raise Http404("no such consultation")
    return c


def require_analyst(user) -> None:
    if not is_analyst(user):
        raise Http404("not found")


def can_read(user, response: Response) -> bool:
    if is_analyst(user) or response.board_id in board_ids(user):
        return True
    return response.consultation.is_published and response.is_submitted


def can_write(user, response: Response) -> bool:
    return (
        response.board_id in board_ids(user)
        and response.consultation.is_open
        and not response.is_submitted
    )


def get_response(user, consultation: Consultation, board_id: str, *, write: bool = False):
    """The response of ``board_id`` to ``consultation`` as ``user`` may see it.

    A writer of the board gets the response created on first visit. Raises 404 when the user
    may not read it (or it does not exist) and 403 when ``write`` is asked for but not allowed.
    """
    response = (
        Response.objects.select_related("consultation", "board")
        .filter(consultation=consultation, board_id=board_id)
        .first()
    )
    if response is None:
        is_member = board_id in board_ids(user)
        is_recipient = consultation.recipients.filter(pk=board_id).exists()
        if not (is_member and is_recipient and consultation.status != Consultation.Status.DRAFT):
            raise Http404("no such response")
        response, _ = Response.objects.get_or_create(
            consultation=consultation, board=Board.objects.get(pk=board_id)
        )
    if not can_read(user, response):
        raise Http404("no such response")
    if write and not can_write(user, response):
        raise PermissionDenied("this response cannot be changed")
    return response
