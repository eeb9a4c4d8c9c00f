"""Goals, their versions, indicators and targets, the boards' judgements, and measures.

Nothing that the city decided is edited in place: a change of wording, responsible board or
target adds a version with its validity date and the decision behind it, so that a judgement
made against the old årsmål keeps pointing at the old version (:class:`Judgement` records the
goal version and the target versions it used). The computed status is stored with the judgement
as it was when the judgement was written, and shown next to the board's own judgement.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from skillnader.steering.model import goal_ref
from skillnader.web.consultation.models import Board

EDIT_KF_PERMISSION = "steering.edit_kf_goals"
CITY_OFFICE_GROUP = "Stadsledningskontoret"


def _en() -> bool:
    return (get_language() or "sv").startswith("en")


class Period(models.Model):
    """A mandate period (e.g. 2015–2018); goal numbers are unique within it."""

    id = models.SlugField(primary_key=True, max_length=20)
    name = models.CharField(_("name"), max_length=200)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("mandate period")
        verbose_name_plural = _("mandate periods")

    def __str__(self) -> str:
        return self.name

    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))


class Goal(models.Model):
    """A goal: the council's inriktningsmål or verksamhetsområdesmål (``owner`` empty) or a
    board's nämndmål. Its wording and responsible board live in its versions."""

    class Level(models.TextChoices):
        DIRECTION = "inriktningsmal", _("Direction goal (inriktningsmål)")
        OPERATIONAL = "verksamhetsomradesmal", _("Operational goal (verksamhetsområdesmål)")
        BOARD = "namndmal", _("Board goal (nämndmål)")

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="goals")
    level = models.CharField(_("level"), max_length=24, choices=Level.choices)
    number = models.CharField(_("number"), max_length=20)
    owner = models.ForeignKey(
        Board,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="steering_goals",
        verbose_name=_("board"),
        help_text=_("Empty for the city council's goals."),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    example = models.BooleanField(
        _("example"), default=False, help_text=_("Not a real decision of the city.")
    )
    sources = models.JSONField(default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["period", "number", "owner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "number"],
                condition=Q(owner__isnull=True),
                name="steering_goal_unique_kf_number",
            ),
            models.UniqueConstraint(
                fields=["period", "owner", "number"],
                condition=Q(owner__isnull=False),
                name="steering_goal_unique_board_number",
            ),
        ]
        permissions = [("edit_kf_goals", "Can edit the city council's goals and review")]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        v = self.current_version()
        return f"{self.number} {v.title if v else ''}".strip()

    @property
    def ref(self) -> str:
        return goal_ref(self.period_id, self.owner_id, self.number)

    @property
    def is_kf(self) -> bool:
        return self.owner_id is None

    def version_on(self, day: dt.date) -> GoalVersion | None:
        """The version in force on ``day`` (the latest that started on or before it)."""
        return (
            self.versions.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .order_by("-valid_from", "-number")
            .first()
        )

    def version_in_year(self, year: int) -> GoalVersion | None:
        """The version in force at the end of ``year`` (else the last one that began in it)."""
        v = self.version_on(dt.date(year, 12, 31))
        if v is None:
            v = (
                self.versions.filter(valid_from__year=year)
                .order_by("-valid_from", "-number")
                .first()
            )
        return v

    def current_version(self) -> GoalVersion | None:
        versions = list(self.versions.all())
        return max(versions, key=lambda v: (v.valid_from, v.number)) if versions else None

    def active_in(self, year: int) -> bool:
        return self.version_in_year(year) is not None


class GoalVersion(models.Model):
    """One wording and responsible board of a goal, valid from a date, and who decided it."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    title_sv = models.CharField(_("title (Swedish)"), max_length=400)
    title_en = models.CharField(_("title (English)"), max_length=400, blank=True)
    responsible = models.ForeignKey(
        Board,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible board"),
    )
    decision = models.CharField(_("decision"), max_length=400, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["goal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "number"], name="steering_goalversion_number")
        ]
        verbose_name = _("goal version")
        verbose_name_plural = _("goal versions")

    def __str__(self) -> str:
        return f"{self.goal.number} v{self.number}"

    @property
    def title(self) -> str:
        return self.title_en if _en() and self.title_en else self.title_sv


class GoalIndicator(models.Model):
    """An indicator that measures a goal, for an area (empty: the city) and a group.

    The indicator is referred to by its catalogue id, not a foreign key, so that a goal can name
    an indicator whose data are not imported yet."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.CharField(_("indicator"), max_length=60)
    area_level = models.CharField(max_length=20, blank=True)
    area_vintage = models.CharField(max_length=20, blank=True)
    area_code = models.CharField(max_length=40, blank=True)
    group = models.CharField(max_length=200, blank=True)
    example = models.BooleanField(_("example"), default=False)
    note = models.TextField(_("note"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["goal", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "indicator", "area_level", "area_vintage", "area_code", "group"],
                name="steering_goalindicator_unique",
            )
        ]
        verbose_name = _("goal indicator")
        verbose_name_plural = _("goal indicators")

    def __str__(self) -> str:
        return f"{self.goal.number}: {self.indicator}"


class Target(models.Model):
    """A target of a goal indicator; its value, year and direction live in its versions."""

    class Kind(models.TextChoices):
        LEVEL = "level", _("Level (årsmål)")
        DIRECTION = "direction", _("Direction")

    class GapKind(models.TextChoices):
        NONE = "", _("The indicator itself")
        RANGE = "range", _("Highest minus lowest area")
        GROUPS = "groups", _("Between two groups")
        AREAS = "areas", _("Between two areas")

    goal_indicator = models.ForeignKey(
        GoalIndicator, on_delete=models.CASCADE, related_name="targets"
    )
    key = models.SlugField(max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    gap_kind = models.CharField(
        _("gap"), max_length=8, choices=GapKind.choices, blank=True, default=""
    )
    gap_level = models.CharField(max_length=20, blank=True)
    gap_vintage = models.CharField(max_length=20, blank=True)
    gap_a = models.CharField(max_length=200, blank=True)
    gap_b = models.CharField(max_length=200, blank=True)
    gap_label = models.CharField(max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["goal_indicator", "key"]
        constraints = [
            models.UniqueConstraint(fields=["goal_indicator", "key"], name="steering_target_key")
        ]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.goal_indicator} – {self.key}"

    @property
    def goal(self) -> Goal:
        return self.goal_indicator.goal

    def version_on(self, day: dt.date) -> TargetVersion | None:
        return self.versions.filter(valid_from__lte=day).order_by("-valid_from", "-number").first()

    def current_version(self) -> TargetVersion | None:
        return self.versions.order_by("-valid_from", "-number").first()


class TargetVersion(models.Model):
    """The value, year, direction (and base year) of a target from a date, with its decision."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    valid_from = models.DateField(_("valid from"))
    direction = models.CharField(
        _("direction"),
        max_length=10,
        choices=[("increase", _("increase")), ("decrease", _("decrease"))],
    )
    year = models.PositiveSmallIntegerField(_("target year"))
    value = models.FloatField(_("target value"), null=True, blank=True)
    base_year = models.PositiveSmallIntegerField(_("base year"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=400, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["target", "number"]
        constraints = [
            models.UniqueConstraint(fields=["target", "number"], name="steering_targetversion_no")
        ]
        verbose_name = _("target version")
        verbose_name_plural = _("target versions")

    def __str__(self) -> str:
        return f"{self.target} v{self.number}"


class Judgement(models.Model):
    """A board's (or for council goals, the city office's) judgement of a goal in a report.

    ``computed`` is the product's computed status of every target at the time of writing,
    stored as it was; ``goal_version`` and ``target_versions`` are the versions it judged."""

    class Report(models.TextChoices):
        T1 = "t1", _("Tertial report 1")
        T2 = "t2", _("Tertial report 2")
        ANNUAL = "annual", _("Annual report")

    class Status(models.TextChoices):
        FULLY = "helt", _("Fully met (uppfyllt)")
        PARTLY = "delvis", _("Partly met (delvis uppfyllt)")
        NOT_MET = "ej", _("Not met (ej uppfyllt)")
        NOT_ASSESSABLE = "not_assessable", _("Cannot be assessed (kan ej bedömas)")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="judgements")
    board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.PROTECT, related_name="steering_judgements"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    report = models.CharField(_("report"), max_length=8, choices=Report.choices)
    as_of = models.DateField(_("as of"))
    status = models.CharField(_("judgement"), max_length=16, choices=Status.choices)
    analysis = models.TextField(_("analysis"), blank=True)
    goal_version = models.ForeignKey(
        GoalVersion, on_delete=models.PROTECT, related_name="judgements"
    )
    target_versions = models.ManyToManyField(TargetVersion, blank=True, related_name="judgements")
    computed = models.JSONField(default=dict, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["goal", "year", "report"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "year", "report"], name="steering_one_judgement_per_report"
            )
        ]
        verbose_name = _("judgement")
        verbose_name_plural = _("judgements")

    def __str__(self) -> str:
        return f"{self.goal} {self.year} {self.report}: {self.status}"


class Measure(models.Model):
    """A measure (*åtgärd/insats*) a board takes, linked to the goals, indicators and
    consultation challenges (codebook codes) it should answer."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    key = models.SlugField(unique=True, max_length=100)
    title = models.CharField(_("title"), max_length=300)
    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="measures", verbose_name=_("board")
    )
    owner = models.CharField(_("owner"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    budget_sek = models.FloatField(_("budget (SEK)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ONGOING
    )
    target_group = models.CharField(_("target group"), max_length=300, blank=True)
    areas = models.JSONField(_("areas"), default=list, blank=True)
    goals = models.ManyToManyField(Goal, blank=True, related_name="measures")
    indicators = models.JSONField(_("indicators"), default=list, blank=True)
    challenges = models.JSONField(_("challenges"), default=list, blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    example = models.BooleanField(_("example"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["board", "title"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.title


class LoadedFile(models.Model):
    """A steering file loaded by ``skillnader init`` (by content hash), so loading is idempotent."""

    name = models.CharField(max_length=300, unique=True)
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(default=timezone.now)
