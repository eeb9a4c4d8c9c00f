"""Summer jobs. Applicants are minors: their records live in their own tables
(:class:`Application`, :class:`Placement`), seen only by the summer-job officers
(``summerjobs.handle_applications``), kept for ``SUMMERJOBS_RETENTION_DAYS`` and deleted by
``skillnader manage summerjobs_purge``; every view or change of them is written to
:class:`AuditEvent`. The public sees the policy and the protected report only."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

OFFICER_PERMISSION = "summerjobs.handle_applications"
OFFICER_GROUP = "Feriejobbshandläggare"


class Round(models.Model):
    """One year's allocation: the policy (YAML, versioned) and the lottery seed."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    policy_yaml = models.TextField()
    seed = models.CharField(max_length=200, blank=True, help_text=_("Published before the draw."))
    seed_published_on = models.DateField(null=True, blank=True)
    applications_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("handle_applications", "Can see and handle summer-job applications")]

    def __str__(self) -> str:
        return self.title

    def policy(self):
        from skillnader.allocation.policy import parse_policy

        return parse_policy(self.policy_yaml, source=f"round {self.slug}")


class Position(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="positions")
    code = models.CharField(max_length=64)
    employer = models.CharField(max_length=200)
    employer_type = models.CharField(max_length=20)
    district = models.CharField(max_length=100)
    inner_city = models.BooleanField()
    category = models.CharField(max_length=100)
    period = models.CharField(max_length=100)
    capacity = models.PositiveIntegerField()
    min_age = models.PositiveIntegerField(null=True, blank=True)
    max_age = models.PositiveIntegerField(null=True, blank=True)
    requirements = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="summerjobs_position_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.employer}"


def _pseudonym() -> str:
    return "FJ-" + secrets.token_hex(5).upper()


def _token() -> str:
    return secrets.token_urlsafe(24)


class Application(models.Model):
    """A youth's application (personal data of a minor)."""

    class Source(models.TextChoices):
        FORM = "form", _("application form")
        IMPORT = "import", _("file import")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="applications")
    pseudonym = models.CharField(max_length=64, unique=True, default=_pseudonym)
    status_token = models.CharField(max_length=64, unique=True, default=_token)
    first_name = models.CharField(max_length=100, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    birth_date = models.DateField()
    sex = models.CharField(max_length=10)
    born_in_sweden = models.BooleanField(null=True)
    home_area = models.CharField(max_length=20)
    home_district = models.CharField(max_length=100)
    school = models.CharField(max_length=200, blank=True)
    social_assistance = models.BooleanField(default=False)
    newly_arrived = models.BooleanField(default=False)
    support_needs = models.BooleanField(default=False)
    earlier_summer_job = models.BooleanField(default=False)
    choices = models.TextField(help_text=_("Ranked choices separated by ';'."))
    languages = models.CharField(max_length=200, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pseudonym"]

    def __str__(self) -> str:
        return self.pseudonym


class Allocation(models.Model):
    """One run of the allocation: its seed and policy digest, and the protected report."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="allocations")
    mode = models.CharField(max_length=10, default="stable")
    seed = models.CharField(max_length=200)
    policy_version = models.CharField(max_length=50)
    policy_digest = models.CharField(max_length=64)
    report = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at", "-id"]


class Placement(models.Model):
    """One applicant's outcome in one allocation, with the explanation (personal data)."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="placements")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="placements"
    )
    position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.SET_NULL)
    choice_rank = models.PositiveIntegerField(null=True, blank=True)
    explanation = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "application"], name="summerjobs_one_placement"
            )
        ]


class AuditEvent(models.Model):
    """Who viewed or changed what; holds pseudonyms, never names or contact details."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        EXPORT = "export", _("exported")
        DELETE = "delete", _("deleted")
        ALLOCATE = "allocate", _("allocated")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    what = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100, blank=True)
    detail = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


def audit(user, action: str, what: str, object_id: str = "", detail: str = "") -> AuditEvent:
    authed = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if authed else None,
        username=user.get_username() if authed else "",
        action=action,
        what=what,
        object_id=str(object_id)[:100],
        detail=detail[:400],
    )
