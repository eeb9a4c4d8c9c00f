"""The persistent vocabulary of the product: domains, areas and their vintages, population groups,
indicators, sources and their releases, and observations."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _lang() -> str:
    return "en" if (get_language() or "sv").startswith("en") else "sv"


class Bilingual(models.Model):
    """Mixin for objects with a Swedish and an English name."""

    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return self.name_en if _lang() == "en" and self.name_en else self.name_sv

    def __str__(self) -> str:
        return self.name


class Domain(Bilingual):
    id = models.CharField(primary_key=True, max_length=20)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class AreaLevel(Bilingual):
    id = models.CharField(primary_key=True, max_length=20)
    order = models.PositiveSmallIntegerField(default=0, help_text=_("Coarse to fine."))

    class Meta:
        ordering = ["order"]
        verbose_name = _("area level")
        verbose_name_plural = _("area levels")


class Vintage(Bilingual):
    """One version of a level's boundaries, valid for a period."""

    level = models.ForeignKey(AreaLevel, on_delete=models.PROTECT, related_name="vintages")
    code = models.CharField(max_length=20)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True, help_text=_("Exclusive; empty if current."))
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["level__order", "valid_from", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="vintage_unique_level_code")
        ]
        verbose_name = _("vintage")
        verbose_name_plural = _("vintages")

    def covers_year(self, year: int) -> bool:
        """Whether the vintage was in force at some time during ``year``
        (:func:`skillnader.geography.vintage_in_force`)."""
        from skillnader.geography import vintage_in_force

        return vintage_in_force(self.valid_from, self.valid_to, year)


class Area(models.Model):
    level = models.ForeignKey(AreaLevel, on_delete=models.PROTECT, related_name="areas")
    vintage = models.ForeignKey(Vintage, on_delete=models.PROTECT, related_name="areas")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    geometry = models.JSONField(null=True, blank=True, help_text=_("GeoJSON geometry in WGS84."))
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["level__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["vintage", "code"], name="area_unique_vintage_code")
        ]
        indexes = [models.Index(fields=["level", "code"])]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AreaLink(models.Model):
    """``source`` contributes ``weight`` of itself to ``target``.

    Hierarchy membership (a RegSO in a stadsdelsområde of each vintage) has basis ``contains``;
    crosswalks between vintages or levels have basis ``area`` or ``population`` weights, or
    ``identity`` when the boundaries are unchanged.
    """

    BASES = [
        ("contains", _("contained in")),
        ("identity", _("identical")),
        ("area", _("area weight")),
        ("population", _("population weight")),
    ]
    source = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="links_in")
    weight = models.FloatField(default=1.0)
    basis = models.CharField(max_length=12, choices=BASES, default="contains")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="arealink_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0) & models.Q(weight__lte=1),
                name="arealink_weight_0_1",
            ),
        ]
        verbose_name = _("area link")
        verbose_name_plural = _("area links")


class Dimension(Bilingual):
    """A population-group dimension: sex, age band, birth region, education, …"""

    id = models.CharField(primary_key=True, max_length=30)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("group dimension")
        verbose_name_plural = _("group dimensions")


class DimensionValue(Bilingual):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="values")
    code = models.CharField(max_length=40)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dimension__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="dimvalue_unique")
        ]


class Group(models.Model):
    """A combination of dimension values, e.g. women aged 18–29. The empty key is everyone."""

    key = models.CharField(max_length=200, unique=True, blank=True)
    values = models.ManyToManyField(DimensionValue, blank=True, related_name="groups")

    class Meta:
        ordering = ["key"]
        verbose_name = _("population group")
        verbose_name_plural = _("population groups")

    @staticmethod
    def make_key(parts: dict[str, str]) -> str:
        return ";".join(f"{k}={parts[k]}" for k in sorted(parts))

    @staticmethod
    def parse_key(key: str) -> dict[str, str]:
        return dict(p.split("=", 1) for p in key.split(";")) if key else {}

    @property
    def label(self) -> str:
        if not self.key:
            return str(_("Everyone"))
        return ", ".join(v.name for v in self.values.all())

    def __str__(self) -> str:
        return self.key or "total"


class Indicator(Bilingual):
    MEASURES = [
        ("count", _("count")),
        ("proportion", _("proportion")),
        ("rate", _("rate per N")),
        ("mean", _("mean")),
        ("median", _("median")),
        ("standardised_rate", _("standardised rate")),
        ("index", _("index")),
    ]
    POLARITIES = [
        ("higher_is_better", _("higher is better")),
        ("lower_is_better", _("lower is better")),
        ("no_judgement", _("no judgement")),
    ]
    id = models.CharField(primary_key=True, max_length=60)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="indicators")
    measure = models.CharField(max_length=20, choices=MEASURES)
    polarity = models.CharField(max_length=20, choices=POLARITIES)
    unit = models.CharField(max_length=40, help_text=_("e.g. percent, persons, SEK thousand"))
    multiplier = models.FloatField(default=1.0, help_text=_("100 for percent, 1000 per 1000 …"))
    decimals = models.PositiveSmallIntegerField(default=1)
    definition_sv = models.TextField(blank=True)
    definition_en = models.TextField(blank=True)
    numerator = models.TextField(blank=True)
    denominator = models.TextField(blank=True)
    source = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    external_ids = models.JSONField(default=dict, blank=True, help_text=_("Kolada/SCB ids."))
    publication_threshold = models.PositiveIntegerField(default=5)
    suppress_zeros = models.BooleanField(
        default=False, help_text=_("Also suppress true zeros (publication policy).")
    )
    rounding_base = models.PositiveIntegerField(
        default=1,
        help_text=_(
            "Published counts are rounded to a multiple of this (1: exact); at most the "
            "publication threshold (publication policy)."
        ),
    )
    interval_note_sv = models.TextField(
        blank=True, help_text=_("Why the indicator has no confidence interval, when it has none.")
    )
    interval_note_en = models.TextField(blank=True)
    catalogue_version = models.CharField(max_length=20, blank=True)
    published = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["domain__order", "order", "id"]
        constraints = [
            # 1 (exact), or a base no larger than the threshold: every non-zero count that is
            # published at all is then at least the base and never rounds to 0.
            models.CheckConstraint(
                condition=models.Q(rounding_base=1)
                | (
                    models.Q(rounding_base__gt=1)
                    & models.Q(publication_threshold__gte=models.F("rounding_base"))
                ),
                name="indicator_rounding_base_within_threshold",
                violation_error_message=_(
                    "The rounding base must be 1 or between 2 and the publication threshold."
                ),
            ),
        ]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    @property
    def definition(self) -> str:
        return self.definition_en if _lang() == "en" and self.definition_en else self.definition_sv

    @property
    def interval_note(self) -> str:
        if _lang() == "en" and self.interval_note_en:
            return self.interval_note_en
        return self.interval_note_sv or self.interval_note_en


class Source(models.Model):
    id = models.SlugField(primary_key=True, max_length=80)
    name = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class Release(models.Model):
    """One imported release of a source, identified by the hash of its content."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="releases")
    content_hash = models.CharField(max_length=64)
    version = models.CharField(max_length=100, blank=True)
    file_name = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    kind = models.CharField(max_length=20, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.CharField(max_length=150, blank=True)
    cells = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "content_hash"], name="release_unique_hash")
        ]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return f"{self.source_id} {self.version or self.content_hash[:10]}"


class Observation(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="observations")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="observations")
    period = models.CharField(max_length=20, help_text=_("2022, 2022-03, 2015H1 …"))
    year = models.PositiveSmallIntegerField(db_index=True)
    value = models.FloatField(null=True, blank=True)
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    status = models.CharField(
        max_length=10, blank=True, help_text=_("Missing-value symbol from the source, e.g. '..'")
    )
    suppressed = models.BooleanField(default=False)
    #: Why a suppressed cell is suppressed: "primary" (small count or denominator, or withheld
    #: by the source) or "secondary" (hidden to protect another cell); "" when published.
    suppression = models.CharField(
        max_length=10,
        blank=True,
        default="",
        db_default="",
        choices=[("", ""), ("primary", "primary"), ("secondary", "secondary")],
    )
    provisional = models.BooleanField(default=False)
    break_in_series = models.BooleanField(default=False)
    published = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="observations")

    class Meta:
        ordering = ["indicator", "period", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "group", "period"], name="observation_unique_cell"
            ),
            # A suppressed cell keeps no number at all, so nothing downstream can leak it.
            models.CheckConstraint(
                condition=models.Q(suppressed=False)
                | (
                    models.Q(value__isnull=True)
                    & models.Q(lower__isnull=True)
                    & models.Q(upper__isnull=True)
                    & models.Q(numerator__isnull=True)
                    & models.Q(denominator__isnull=True)
                ),
                name="observation_suppressed_has_no_numbers",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "year"]),
            models.Index(fields=["area", "indicator"]),
        ]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area.code} {self.group.key or 'total'} {self.period}"


#: Cache key of the token that identifies the published data (see ``public.queries``).
DATA_VERSION_KEY = "skillnader:data-version"


class DataVersion(models.Model):
    """The version of the published data: one row whose counter goes up in the same transaction
    as every change of data (import, publication, withdrawal, edit in the admin).

    Pages and API answers are cached under ``"<epoch>-<counter>"``. The counter only grows, so a
    version once left never returns (unlike a fingerprint of counts and maximum ids, which came
    back to an earlier value after a withdrawal and another publication); ``epoch`` is drawn at
    random whenever the row is created, so an emptied and reloaded database starts a new series.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    counter = models.BigIntegerField(default=0)
    epoch = models.CharField(max_length=32)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.epoch}-{self.counter}"


def _new_epoch() -> str:
    import secrets

    return secrets.token_hex(8)


def current_data_version() -> str:
    """The current data version as ``"<epoch>-<counter>"`` (creates the row if missing)."""
    row = DataVersion.objects.filter(pk=1).values_list("epoch", "counter").first()
    if row is None:
        obj, _ = DataVersion.objects.get_or_create(pk=1, defaults={"epoch": _new_epoch()})
        row = (obj.epoch, obj.counter)
    return f"{row[0]}-{row[1]}"


def bump_data_version() -> None:
    """Add one to the data version inside the current transaction."""
    from django.db.models import F
    from django.utils import timezone

    now = timezone.now()
    if not DataVersion.objects.filter(pk=1).update(counter=F("counter") + 1, changed_at=now):
        DataVersion.objects.get_or_create(
            pk=1, defaults={"epoch": _new_epoch(), "counter": 1, "changed_at": now}
        )


_deferred = threading.local()
#: The data version read once per request (``RequestDataVersionMiddleware`` turns it on for a
#: request's thread; :func:`data_changed` forgets it): a page makes many cached lookups.
version_memo = threading.local()


class deferred_version_bump:
    """Within this block, saves of observations, releases and indicators do not bump the data
    version one by one; the block's owner bumps it once with :func:`data_changed` in the same
    transaction (imports, the bundle load). Keeps a long import from holding the version row's
    lock from its first save to its commit."""

    def __enter__(self):
        _deferred.depth = getattr(_deferred, "depth", 0) + 1
        return self

    def __exit__(self, *exc):
        _deferred.depth -= 1
        return False


#: Sent once the transaction in which :func:`data_changed` bumped the data version has committed
#: (imports, publication and withdrawal, edits in the admin), in the process that committed it;
#: receivers start what should follow new data at once, such as building the city report
#: (:mod:`skillnader.web.public.publish`). A receiver's error is logged, never raised.
data_committed = Signal()


def _announce_commit() -> None:
    import logging

    for receiver, result in data_committed.send_robust(sender=DataVersion):
        if isinstance(result, Exception):
            logging.getLogger(__name__).error(
                "a receiver of new data failed: %r", receiver, exc_info=result
            )


def data_changed() -> None:
    """Bump the data version in the current transaction, so that pages and API responses
    cached for the old data are stale as soon as it commits (imports, publication and withdrawal,
    edits in the admin). Call it wherever data change, also after raw SQL."""
    from django.core.cache import cache

    bump_data_version()
    version_memo.value = None
    # The version is read from the database; the cache key is kept for older readers.
    cache.delete(DATA_VERSION_KEY)
    transaction.on_commit(lambda: cache.delete(DATA_VERSION_KEY))
    transaction.on_commit(_announce_commit)


def public_observations(qs=None):
    """The only filter through which pages, downloads and the API see observations (their
    numbers then through :func:`public_numbers`, which rounds the published counts).

    Unpublished cells and cells of unpublished indicators are dropped. Suppressed cells stay (so a
    page can say "suppressed" rather than show a gap) but carry no numbers: the database constraint
    ``observation_suppressed_has_no_numbers`` guarantees that.
    """
    if qs is None:
        qs = Observation.objects.all()
    return qs.filter(published=True, indicator__published=True)


#: The numbers of an observation, as they are stored and as they are published.
NUMBERS = ("value", "lower", "upper", "numerator", "denominator")
#: The fields :func:`public_numbers` reads from a row of ``public_observations(...).values(...)``
#: (the indicator's measure and rounding base come along the join the filter makes anyway).
PUBLIC_NUMBER_FIELDS = (*NUMBERS, "suppressed", "indicator__measure", "indicator__rounding_base")


def public_numbers(row) -> dict[str, float | None]:
    """The numbers of one observation as every page, API response, export, report and finding
    publishes them: none for a suppressed cell, and the counts rounded by the indicator's
    ``rounding_base`` (:func:`skillnader.stats.disclosure.published_numbers`, the one rounding
    rule). ``row`` is a mapping with :data:`PUBLIC_NUMBER_FIELDS`. The database keeps the exact
    numbers, and the disclosure gate (:mod:`.protection`) protects those."""
    if row["suppressed"]:
        return dict.fromkeys(NUMBERS)
    base = row["indicator__rounding_base"]
    if base == 1:
        return {k: row[k] for k in NUMBERS}
    import math

    from skillnader.stats.disclosure import published_numbers

    out = published_numbers(row["indicator__measure"], base, **{k: row[k] for k in NUMBERS})
    return {k: (None if math.isnan(v) else float(v)) for k, v in out.items()}


def public_frame(frame):
    """:func:`public_numbers` for a polars frame of observations (the analysis frames): the
    columns ``indicator__measure`` and ``indicator__rounding_base`` say how each row's numbers
    are published and are dropped; the number columns of :data:`NUMBERS` present are rounded
    where the base is above 1. Suppressed cells must not be in the frame."""
    import numpy as np
    import polars as pl

    from skillnader.stats.disclosure import published_numbers

    policy = ["indicator__measure", "indicator__rounding_base"]
    cols = [c for c in NUMBERS if c in frame.columns]
    rounded = frame.filter(pl.col("indicator__rounding_base") > 1)
    if rounded.is_empty():
        return frame.drop(policy)
    arrays = {c: frame[c].cast(pl.Float64).to_numpy().copy() for c in cols}
    measures = frame["indicator__measure"].to_numpy()
    bases = frame["indicator__rounding_base"].to_numpy()
    for measure, base in rounded.select(policy).unique().iter_rows():
        rows = (measures == measure) & (bases == base)
        out = published_numbers(measure, int(base), **{c: arrays[c][rows] for c in cols})
        for c in cols:
            arrays[c][rows] = out[c]
    return frame.with_columns(
        pl.Series(c, np.asarray(arrays[c]), dtype=pl.Float64, nan_to_null=True) for c in cols
    ).drop(policy)


def _data_saved(sender, **kwargs) -> None:
    """A saved or deleted row of what pages show (an edit in the admin) makes them stale at once."""
    if getattr(_deferred, "depth", 0) == 0:
        data_changed()


# Not AreaLink: links are written only by imports, which bump the version themselves (a receiver
# would make Django load every link before a bulk delete).
for _model in (
    Observation,
    Indicator,
    Release,
    Source,
    Area,
    AreaLevel,
    Vintage,
    Group,
    Dimension,
    DimensionValue,
    Domain,
):
    post_save.connect(
        _data_saved, sender=_model, dispatch_uid=f"data-version-save-{_model.__name__}"
    )
    post_delete.connect(
        _data_saved, sender=_model, dispatch_uid=f"data-version-delete-{_model.__name__}"
    )


class ImportJob(models.Model):
    """A file uploaded in the admin and imported in the background (:mod:`.jobs`).

    Only the user who started it sees it. While it runs, its stage and share done are kept in a
    small file of its private working directory (``work_dir``), because on SQLite the import's
    own transaction holds the database's write lock until it ends; when it ends, the result (the
    release and its counts) or the typed error is stored here and the directory is removed.
    Messages name the uploaded file by its original name, never by a path on the server."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Being imported")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    file_name = models.CharField(_("file"), max_length=255)
    mapping_name = models.CharField(_("mapping"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    error_type = models.CharField(_("type of error"), max_length=64, blank=True)
    work_dir = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return self.file_name
