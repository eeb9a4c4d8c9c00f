"""Consultations, the boards they go to, the boards' responses and their versions.

A response is never edited in place: every save (explicit, automatic or from an uploaded
statement) adds a :class:`ResponseVersion`, and :attr:`Response.current_version` points at the
latest accepted one. A save that was based on an older version is stored too, as a ``conflict``
version that does not become current, so that nothing a user typed is lost while the conflict is
shown to them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ANALYST_GROUP = "Analytiker"
ANALYST_PERMISSION = "consultation.analyse_consultation"


class Board(models.Model):
    """A recipient of consultations: district council, specialist board, company or the city
    executive office, as listed in the bundled registry (``data/boards.yaml``)."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District council")
        SPECIALIST = "specialist", _("Specialist board")
        COMPANY = "company", _("Company")
        EXECUTIVE = "executive", _("City executive office")

    id = models.SlugField(primary_key=True, max_length=64)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    area = models.CharField(_("district"), max_length=100, blank=True)
    vintages = models.JSONField(_("vintages"), default=list, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("board")
        verbose_name_plural = _("boards")

    def __str__(self) -> str:
        return self.name

    def valid_on(self, day: dt.date) -> bool:
        """Whether the board existed on ``day`` (unknown bounds count as open)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class BoardMembership(models.Model):
    """A user who writes the responses of a board."""

    class Role(models.TextChoices):
        WRITER = "writer", _("Writer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_memberships"
    )
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.WRITER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "board"], name="one_membership_per_board")
        ]
        verbose_name = _("board membership")
        verbose_name_plural = _("board memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.board}"


class Consultation(models.Model):
    """A consultation (*remiss*): referred documents, ordered questions, recipients, deadline."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        CLOSED = "closed", _("Closed")
        COMPILED = "compiled", _("Compiled")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(unique=True, max_length=100)
    title = models.CharField(_("title"), max_length=300)
    sender = models.CharField(_("sender"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    recipients = models.ManyToManyField(Board, related_name="consultations", blank=True)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # The codebook the answers are coded with, as YAML; review decisions replace it with the
    # next version. Empty means the library's bundled codebook.
    codebook_yaml = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deadline", "title"]
        permissions = [("analyse_consultation", "Can read all answers and compile")]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Boards can still write and submit."""
        return self.status == self.Status.SENT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def is_late(self, when: dt.datetime) -> bool:
        """An answer is late when it arrives after the deadline day (local time)."""
        return timezone.localtime(when).date() > self.deadline


class Question(models.Model):
    """One question of a consultation; ``qid`` is the stable id used in answers and exports."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    qid = models.SlugField(_("id"), max_length=32)
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("question"))
    short_sv = models.CharField(max_length=200, blank=True)
    short_en = models.CharField(max_length=200, blank=True)

    class QuestionRole(models.TextChoices):
        OWN_WORK = "own_work", _("The board's own work")
        MAIN_CHALLENGES = "main_challenges", _("Main challenges")
        ADDITIONAL_CHALLENGES = "additional_challenges", _("Challenges beyond the report")

    role = models.CharField(max_length=32, blank=True, choices=QuestionRole.choices)

    class Meta:
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "qid"], name="unique_question_id"),
            models.UniqueConstraint(
                fields=["consultation", "number"], name="unique_question_number"
            ),
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"

    def short(self, language: str | None) -> str:
        """The short label in ``language`` (Swedish by default), else the question."""
        if language == "en" and self.short_en:
            return self.short_en
        return self.short_sv or self.text


class ReferredDocument(models.Model):
    """A document the consultation refers to the boards (the report itself, appendices)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to="remiss/documents/")

    class Meta:
        ordering = ["consultation", "id"]
        verbose_name = _("referred document")
        verbose_name_plural = _("referred documents")

    def __str__(self) -> str:
        return self.title


class Response(models.Model):
    """A board's response to a consultation; its content lives in its versions."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="responses")
    current_version = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_version = models.PositiveIntegerField(null=True, blank=True)
    late = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "board"], name="one_response_per_board")
        ]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.board} – {self.consultation}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def current(self) -> ResponseVersion | None:
        """The latest accepted version (None before the first save)."""
        if not self.current_version:
            return None
        return self.versions.get(number=self.current_version)

    def published_version(self) -> ResponseVersion | None:
        """The version that was submitted (what the public and the compilation see)."""
        if self.submitted_version is None:
            return None
        return self.versions.get(number=self.submitted_version)


class Statement(models.Model):
    """An uploaded official statement (*tjänsteutlåtande*) and what the library made of it.

    A rejected file (``status="rejected"``) is not kept: only its name, checksum, the
    library's message and error type remain, and the draft does not change.

    A file that takes long to read is read in the background (``status="processing"``):
    ``stage`` and ``progress`` (per cent) say how far it has come, ``updated_at`` when it last
    reported, ``based_on`` the version the pre-filled answers will be based on."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("Being read")
        PARSED = "parsed", _("Read")
        REJECTED = "rejected", _("Rejected")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="statements")
    file = models.FileField(upload_to="remiss/statements/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices)
    error = models.TextField(blank=True)
    error_type = models.CharField(max_length=64, blank=True)
    parsed = models.JSONField(null=True, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    stage = models.CharField(max_length=16, blank=True)
    progress = models.PositiveSmallIntegerField(default=100)
    based_on = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["response", "uploaded_at"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return self.original_name


class ResponseVersion(models.Model):
    """One saved state of a response.

    ``answers`` maps question ids to the administration's text; ``board_decision`` is the
    board's own decision when it differs from the administration's proposal; ``reservations``
    holds the political groups' reservations and statements (``group``, ``kind``, ``text``),
    kept apart from the administration's text. ``prefill`` (for versions made from an uploaded
    statement) keeps, per question, the mapped passages with their page references."""

    class Kind(models.TextChoices):
        SAVE = "save", _("Saved")
        AUTOSAVE = "autosave", _("Saved automatically")
        UPLOAD = "upload", _("From uploaded statement")
        CONFLICT = "conflict", _("Not saved: edited by someone else meanwhile")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    based_on = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    answers = models.JSONField(default=dict)
    decision_differs = models.BooleanField(default=False)
    board_decision = models.TextField(blank=True)
    reservations = models.JSONField(default=list)
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="versions"
    )
    prefill = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["response", "number"]
        constraints = [
            models.UniqueConstraint(fields=["response", "number"], name="unique_version_number")
        ]
        verbose_name = _("response version")
        verbose_name_plural = _("response versions")

    def __str__(self) -> str:
        return f"{self.response} v{self.number}"

    def content(self) -> dict:
        """The editable content, for comparing two versions."""
        return {
            "answers": self.answers,
            "decision_differs": self.decision_differs,
            "board_decision": self.board_decision,
            "reservations": self.reservations,
        }


class ReviewDecision(models.Model):
    """An analyst's decision on a candidate additional challenge, as returned by the library's
    review functions (``accept``, ``merge``, ``create_code``), with who and when.

    ``merge`` is either a candidate merged into an existing code (the code learns a term from
    it) or, without a candidate, one code merged into another (``details["merged"]``)."""

    class Action(models.TextChoices):
        ACCEPT = "accept", _("Accepted")
        MERGE = "merge", _("Merged into an existing code")
        CREATE_CODE = "create_code", _("New code created")
        REJECT = "reject", _("Rejected: not an additional challenge")
        RECODE = "recode", _("Re-coded")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="review_decisions"
    )
    # Empty for a decision on the codebook itself (merging two codes).
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    candidate = models.CharField(max_length=64, blank=True)
    candidate_text = models.TextField(blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    code = models.CharField(max_length=64)
    version_before = models.CharField(max_length=32)
    version_after = models.CharField(max_length=32)
    details = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["consultation", "decided_at"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")

    def __str__(self) -> str:
        return f"{self.action} {self.candidate} → {self.code}"
