"""Forms for the steering chain. Errors are linked to their fields for assistive technology
(the consultation's :class:`AccessibleForm`)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from skillnader.web.consultation.forms import AccessibleForm
from skillnader.web.steering import access
from skillnader.web.steering.models import (
    Goal,
    GoalVersion,
    Judgement,
    Measure,
    Target,
    TargetVersion,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalVersionForm(AccessibleForm):
    """A new wording or responsible board of a goal, from a date, with its decision."""

    title_sv = forms.CharField(label=_("Title (Swedish)"), max_length=400)
    title_en = forms.CharField(label=_("Title (English)"), max_length=400, required=False)
    responsible = forms.ModelChoiceField(
        label=_("Responsible board"), queryset=None, required=False
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    decision = forms.CharField(
        label=_("Decision"), max_length=400,
        help_text=_("The decision that made the change, e.g. the tertial report and its item."),
    )  # fmt: skip

    def __init__(self, *args, goal: Goal, user, current: GoalVersion | None, **kwargs):
        if current is not None:
            kwargs.setdefault("initial", {"title_sv": current.title_sv,
                                          "title_en": current.title_en,
                                          "responsible": current.responsible_id})  # fmt: skip
        super().__init__(*args, **kwargs)
        self.goal = goal
        self.current = current
        self.fields["responsible"].queryset = access.editable_boards(user)

    def clean_valid_from(self):
        day = self.cleaned_data["valid_from"]
        if self.goal.versions.filter(valid_from=day).exists():
            raise forms.ValidationError(_("A version from this date exists; choose a later date."))
        if self.current and day < self.current.valid_from:
            raise forms.ValidationError(_("A new version cannot start before the current one."))
        if not self.goal.period.start <= day <= self.goal.period.end:
            raise forms.ValidationError(_("The date is outside the goal's period."))
        return day

    def save(self, goal: Goal, user) -> GoalVersion:
        d = self.cleaned_data
        number = max(goal.versions.values_list("number", flat=True), default=0) + 1
        return GoalVersion.objects.create(
            goal=goal, number=number, valid_from=d["valid_from"],
            valid_to=self.current.valid_to if self.current else None, title_sv=d["title_sv"],
            title_en=d["title_en"], responsible=d["responsible"], decision=d["decision"],
            created_by=user,
        )  # fmt: skip


class TargetVersionForm(AccessibleForm):
    """A changed target (e.g. an årsmål changed by a tertial report), from a date."""

    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("increase", _("increase")), ("decrease", _("decrease"))]
    )
    year = forms.IntegerField(label=_("Target year"), min_value=1900, max_value=2100)
    value = forms.FloatField(label=_("Target value"), required=False)
    base_year = forms.IntegerField(label=_("Base year"), required=False, min_value=1900)
    decision = forms.CharField(label=_("Decision"), max_length=400)

    def __init__(self, *args, target: Target, **kwargs):
        cur = target.current_version()
        if cur is not None:
            kwargs.setdefault("initial", {"direction": cur.direction, "year": cur.year,
                                          "value": cur.value, "base_year": cur.base_year})  # fmt: skip
        super().__init__(*args, **kwargs)
        self.target = target
        self.current = cur

    def clean(self):
        d = super().clean()
        if self.errors:
            return d
        if self.target.kind == "level" and d.get("value") is None:
            self.add_error("value", _("A level target needs a value."))
        if self.target.kind == "direction" and d.get("base_year") is None:
            self.add_error("base_year", _("A direction target needs a base year."))
        if d.get("base_year") is not None and d["base_year"] >= d["year"]:
            self.add_error("base_year", _("The base year must be before the target year."))
        day = d.get("valid_from")
        if day and self.target.versions.filter(valid_from=day).exists():
            self.add_error("valid_from", _("A version from this date exists; choose another."))
        if day and self.current and day < self.current.valid_from:
            self.add_error("valid_from", _("A new version cannot start before the current one."))
        return d

    def save(self, target: Target, user) -> TargetVersion:
        d = self.cleaned_data
        number = max(target.versions.values_list("number", flat=True), default=0) + 1
        return TargetVersion.objects.create(
            target=target, number=number, valid_from=d["valid_from"], direction=d["direction"],
            year=d["year"], value=d["value"] if target.kind == "level" else d.get("value"),
            base_year=d.get("base_year"), decision=d["decision"], created_by=user,
        )  # fmt: skip


class JudgementForm(AccessibleForm):
    """The board's own judgement of a goal in a tertial or annual report."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    report = forms.ChoiceField(label=_("Report"), choices=Judgement.Report.choices)
    as_of = forms.DateField(
        label=_("As of"), widget=DATE,
        help_text=_("The date the report describes (end of the tertial or year): the goal and "
                    "targets in force that day are the ones judged."),
    )  # fmt: skip
    status = forms.ChoiceField(label=_("Judgement"), choices=Judgement.Status.choices)
    analysis = forms.CharField(label=_("Analysis"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, goal: Goal, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        self.fields["year"].choices = [(y, y) for y in goal.period.years()]

    def clean(self):
        d = super().clean()
        if "as_of" in d and "year" in d and d["as_of"].year != d["year"]:
            self.add_error("as_of", _("The date must fall in the judged year."))
        if (
            "as_of" in d
            and not self.goal.version_on(d["as_of"])
            and not self.goal.version_in_year(d.get("year") or d["as_of"].year)
        ):
            self.add_error("as_of", _("The goal has no version in force on that date."))
        return d


class BoardGoalForm(AccessibleForm):
    """A new nämndmål of a board under one of the council's goals of the period."""

    parent = forms.ModelChoiceField(label=_("Under the council's goal"), queryset=None)
    number = forms.RegexField(
        label=_("Number"), regex=r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$", max_length=20,
        help_text=_("e.g. 1.2.1"),
    )  # fmt: skip
    title_sv = forms.CharField(label=_("Title (Swedish)"), max_length=400)
    title_en = forms.CharField(label=_("Title (English)"), max_length=400, required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE, required=False)
    decision = forms.CharField(label=_("Decision"), max_length=400)
    example = forms.BooleanField(label=_("Example (not a real decision)"), required=False)

    def __init__(self, *args, period, board, **kwargs):
        super().__init__(*args, **kwargs)
        self.period, self.board = period, board
        self.fields["parent"].queryset = Goal.objects.filter(period=period, owner__isnull=True)

    def clean(self):
        d = super().clean()
        if (
            d.get("number")
            and Goal.objects.filter(
                period=self.period, owner=self.board, number=d["number"]
            ).exists()
        ):
            self.add_error("number", _("The board already has a goal with this number."))
        for key in ("valid_from", "valid_to"):
            day = d.get(key)
            if day and not self.period.start <= day <= self.period.end:
                self.add_error(key, _("The date is outside the goal's period."))
        if d.get("valid_to") and d.get("valid_from") and d["valid_to"] < d["valid_from"]:
            self.add_error("valid_to", _("The goal ends before it starts."))
        return d

    def save(self, user) -> Goal:
        d = self.cleaned_data
        goal = Goal.objects.create(period=self.period, level=Goal.Level.BOARD,
                                   number=d["number"], owner=self.board, parent=d["parent"],
                                   example=d["example"])  # fmt: skip
        GoalVersion.objects.create(goal=goal, number=1, valid_from=d["valid_from"],
                                   valid_to=d["valid_to"], title_sv=d["title_sv"],
                                   title_en=d["title_en"], responsible=self.board,
                                   decision=d["decision"], created_by=user)  # fmt: skip
        return goal


class NewTargetForm(AccessibleForm):
    """A new indicator link with a target for a goal (a target on a gap when a gap is chosen)."""

    indicator = forms.ChoiceField(label=_("Indicator"), choices=())
    area = forms.CharField(
        label=_("Area"), required=False,
        help_text=_("level/vintage/code, e.g. sdo/2007/0180-sdo-skarholmen; empty: the city"),
    )  # fmt: skip
    group = forms.CharField(label=_("Group"), required=False, help_text=_("e.g. sex=women"))
    key = forms.SlugField(label=_("Target id"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=Target.Kind.choices)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("increase", _("increase")), ("decrease", _("decrease"))]
    )
    year = forms.IntegerField(label=_("Target year"), min_value=1900, max_value=2100)
    value = forms.FloatField(label=_("Target value"), required=False)
    base_year = forms.IntegerField(label=_("Base year"), required=False, min_value=1900)
    gap_kind = forms.ChoiceField(label=_("Gap"), choices=Target.GapKind.choices, required=False)
    gap_a = forms.CharField(
        label=_("Gap: a"), required=False,
        help_text=_("groups: a group key; areas: level/vintage/code; range: the area level"),
    )  # fmt: skip
    gap_b = forms.CharField(label=_("Gap: b"), required=False,
                            help_text=_("groups or areas: the other side; range: the vintage"))  # fmt: skip
    gap_label = forms.CharField(label=_("Gap: label"), required=False, max_length=200)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    decision = forms.CharField(label=_("Decision"), max_length=400)

    def __init__(self, *args, goal: Goal, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        self.fields["indicator"].choices = _indicators()

    def _area_ok(self, ref: str) -> bool:
        from skillnader.web.steering.importer import _area_exists

        parts = ref.split("/")
        return len(parts) == 3 and _area_exists(*parts)

    def clean(self):
        d = super().clean()
        if self.errors:
            return d
        if d["area"] and not self._area_ok(d["area"]):
            self.add_error("area", _("No such area: give level/vintage/code."))
        if d["kind"] == "level" and d.get("value") is None:
            self.add_error("value", _("A level target needs a value."))
        if d["kind"] == "direction" and d.get("base_year") is None:
            self.add_error("base_year", _("A direction target needs a base year."))
        if d.get("base_year") is not None and d["base_year"] >= d["year"]:
            self.add_error("base_year", _("The base year must be before the target year."))
        gap = d.get("gap_kind")
        if gap in ("groups", "areas") and not (d["gap_a"] and d["gap_b"]):
            self.add_error("gap_a", _("A gap between two groups or areas needs both sides."))
        if gap == "areas":
            for side in ("gap_a", "gap_b"):
                if d[side] and not self._area_ok(d[side]):
                    self.add_error(side, _("No such area: give level/vintage/code."))
        if gap == "range" and not d["gap_a"]:
            self.add_error("gap_a", _("A range gap needs the area level it compares."))
        if not self.goal.period.start <= d["valid_from"] <= self.goal.period.end:
            self.add_error("valid_from", _("The date is outside the goal's period."))
        return d

    def save(self, user) -> Target:
        from skillnader.web.steering.models import GoalIndicator

        d = self.cleaned_data
        level, vintage, code = d["area"].split("/") if d["area"] else ("", "", "")
        link, _created = GoalIndicator.objects.get_or_create(
            goal=self.goal, indicator=d["indicator"], area_level=level, area_vintage=vintage,
            area_code=code, group=d["group"].strip(),
        )  # fmt: skip
        if link.targets.filter(key=d["key"]).exists():
            raise forms.ValidationError(_("The target id is taken for this indicator."))
        gap = d.get("gap_kind") or ""
        target = Target.objects.create(
            goal_indicator=link, key=d["key"], kind=d["kind"], gap_kind=gap,
            gap_level=d["gap_a"] if gap == "range" else "",
            gap_vintage=d["gap_b"] if gap == "range" else "",
            gap_a=d["gap_a"] if gap in ("groups", "areas") else "",
            gap_b=d["gap_b"] if gap in ("groups", "areas") else "",
            gap_label=d["gap_label"],
        )  # fmt: skip
        TargetVersion.objects.create(
            target=target, number=1, valid_from=d["valid_from"], direction=d["direction"],
            year=d["year"], value=d.get("value"), base_year=d.get("base_year"),
            decision=d["decision"], created_by=user,
        )  # fmt: skip
        return target


class ImportForm(AccessibleForm):
    file = forms.FileField(
        label=_("File"), help_text=_("YAML or XLSX in the format of the export.")
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".yaml", ".yml", ".xlsx")):
            raise forms.ValidationError(_("Choose a .yaml or .xlsx file."))
        return f


class ReviewForm(AccessibleForm):
    review_note = forms.CharField(
        label=_("Review note"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


def _codes():
    from skillnader.remiss.codebook import load_codebook

    return [(c.id, c.label_sv or c.id) for c in load_codebook().codes]


def _indicators():
    from skillnader.web.data.models import Indicator

    return [(i.id, f"{i.name_sv} ({i.id})") for i in Indicator.objects.all()]


class MeasureForm(forms.ModelForm):
    """A measure of a board the user may write for; goals are the council's or that board's."""

    areas_text = forms.CharField(
        label=_("Areas"), required=False,
        help_text=_("Area codes separated by semicolons, e.g. 0180-sdo-skarholmen."),
    )  # fmt: skip
    indicators = forms.MultipleChoiceField(label=_("Indicators"), required=False, choices=())
    challenges = forms.MultipleChoiceField(
        label=_("Consultation challenges"), required=False, choices=()
    )

    class Meta:
        model = Measure
        fields = ["key", "title", "board", "owner", "description", "start", "end", "budget_sek",
                  "status", "target_group", "goals", "evaluation", "example"]  # fmt: skip
        widgets = {"start": DATE, "end": DATE}

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        boards = access.editable_boards(user)
        self.fields["board"].queryset = boards
        mine = list(boards.values_list("id", flat=True))
        self.fields["goals"].queryset = Goal.objects.filter(
            Q(owner__isnull=True) | Q(owner_id__in=mine)
        )
        self.fields["goals"].required = False
        self.fields["indicators"].choices = _indicators()
        self.fields["challenges"].choices = _codes()
        if self.instance.pk:
            self.fields["key"].disabled = True
            self.initial["areas_text"] = ";".join(self.instance.areas)
            self.initial["indicators"] = list(self.instance.indicators)
            self.initial["challenges"] = list(self.instance.challenges)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def clean(self):
        d = super().clean()
        if d.get("start") and d.get("end") and d["end"] < d["start"]:
            self.add_error("end", _("The measure ends before it starts."))
        if d.get("budget_sek") is not None and d["budget_sek"] < 0:
            self.add_error("budget_sek", _("A budget cannot be negative."))
        board = d.get("board")
        for g in d.get("goals") or []:
            if g.owner_id is not None and board is not None and g.owner_id != board.id:
                self.add_error("goals", _("A measure can answer the council's goals and its own "
                                          "board's goals only."))  # fmt: skip
                break
        return d

    def save(self, commit=True):
        m = super().save(commit=False)
        m.areas = [a.strip() for a in self.cleaned_data.get("areas_text", "").split(";")
                   if a.strip()]  # fmt: skip
        m.indicators = list(self.cleaned_data.get("indicators") or [])
        m.challenges = list(self.cleaned_data.get("challenges") or [])
        m.save()
        self.save_m2m()
        return m

    @staticmethod
    def from_json(body: dict) -> QueryDict:
        """Form data from an API body (lists as repeated keys; goals by id or reference)."""
        from skillnader.web.steering.views import goal_by_ref

        q = QueryDict(mutable=True)
        for k, v in body.items():
            if k == "areas":
                q["areas_text"] = ";".join(v or []) if isinstance(v, list) else str(v or "")
            elif k == "goals":
                for g in v or []:
                    if isinstance(g, str) and "/" in g:
                        obj = goal_by_ref(g)
                        q.appendlist("goals", str(obj.pk) if obj else "0")
                    else:
                        q.appendlist("goals", str(g))
            elif isinstance(v, list):
                for x in v:
                    q.appendlist(k, str(x))
            elif isinstance(v, bool):
                if v:
                    q[k] = "on"
            elif v is not None:
                q[k] = str(v)
        return q
