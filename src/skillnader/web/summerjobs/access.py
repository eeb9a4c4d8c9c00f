"""Who may see what. Officers of the summer-job unit (the permission
``summerjobs.handle_applications``, given to the group "Feriejobbshandläggare") see applications,
placements and explanations. Everyone else: the policy, the protected report and, with the
unguessable link they were given, their own application."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from skillnader.web.summerjobs.models import OFFICER_GROUP, OFFICER_PERMISSION


def officer_group():
    """The officers' group with its permission (made by migration 0002; again after a flush)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    ct, _ = ContentType.objects.get_or_create(app_label="summerjobs", model="round")
    perm, _ = Permission.objects.get_or_create(
        content_type=ct,
        codename="handle_applications",
        defaults={"name": "Can see and handle summer-job applications"},
    )
    group, _ = Group.objects.get_or_create(name=OFFICER_GROUP)
    group.permissions.add(perm)
    return group


def is_officer(user) -> bool:
    return bool(user.is_authenticated and user.has_perm(OFFICER_PERMISSION))


def officer_required(view):
    """Anonymous users are sent to sign in; signed-in users without the role get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_officer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
