"""Forms. Errors are linked to their fields with ``aria-describedby`` and ``aria-invalid``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from skillnader.web.consultation.models import Board, Consultation, Question
from skillnader.web.consultation.services import RESERVATION_KINDS, UPLOAD_SUFFIXES

RESERVATION_LABELS = {
    "reservation": _("Reservation"),
    "sarskilt_uttalande": _("Special statement (särskilt uttalande)"),
}


class AccessibleForm(forms.Form):
    """Marks fields with errors for assistive technology: ``aria-invalid`` and a pointer to the
    error list, whose id the templates render as ``<field id>-error``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                ids = [f"{self[name].auto_id}-error"]
                if self.fields[name].help_text:
                    ids.append(f"{self[name].auto_id}_helptext")
                attrs["aria-describedby"] = " ".join(ids)


class ResponseForm(AccessibleForm):
    """The per-question answers, the board's decision and the reservations of one response.

    ``base_version`` carries the version the form was loaded from (optimistic concurrency)."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, consultation: Consultation, reservations: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(consultation.questions.all())
        for q in self.questions:
            self.fields[f"answer_{q.qid}"] = forms.CharField(
                label=f"{q.number}. {q.text}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 8}),
            )
        self.fields["decision_differs"] = forms.BooleanField(
            label=_("The board's decision differs from the administration's proposal"),
            required=False,
        )
        self.fields["board_decision"] = forms.CharField(
            label=_("The board's decision"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_("Only when the board decided otherwise than the administration proposed."),
        )
        self.reservation_rows = max(reservations, 0) + 1
        for i in range(self.reservation_rows):
            self.fields[f"res_{i}_group"] = forms.CharField(
                label=_("Political group"), required=False, max_length=200
            )
            self.fields[f"res_{i}_kind"] = forms.ChoiceField(
                label=_("Kind"),
                choices=[(k, RESERVATION_LABELS[k]) for k in RESERVATION_KINDS],
                required=False,
            )
            self.fields[f"res_{i}_text"] = forms.CharField(
                label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4})
            )

    def answer_fields(self):
        return [self[f"answer_{q.qid}"] for q in self.questions]

    def reservation_fields(self):
        return [
            (self[f"res_{i}_group"], self[f"res_{i}_kind"], self[f"res_{i}_text"])
            for i in range(self.reservation_rows)
        ]

    def clean(self):
        data = super().clean()
        if data.get("board_decision", "").strip() and not data.get("decision_differs"):
            self.add_error(
                "decision_differs",
                _("Tick this box when you record a decision of the board."),
            )
        for i in range(self.reservation_rows):
            group = (data.get(f"res_{i}_group") or "").strip()
            text = (data.get(f"res_{i}_text") or "").strip()
            if text and not group:
                self.add_error(f"res_{i}_group", _("Name the political group."))
            if group and not text:
                self.add_error(f"res_{i}_text", _("Enter the text of the reservation."))
        return data

    def content(self) -> dict:
        """The form's content as stored in a version."""
        d = self.cleaned_data
        reservations = []
        for i in range(self.reservation_rows):
            group = (d.get(f"res_{i}_group") or "").strip()
            text = (d.get(f"res_{i}_text") or "").strip()
            if group and text:
                kind = d.get(f"res_{i}_kind") or RESERVATION_KINDS[0]
                reservations.append({"group": group, "kind": kind, "text": text})
        return {
            "answers": {q.qid: d.get(f"answer_{q.qid}", "") for q in self.questions},
            "decision_differs": bool(d.get("decision_differs")),
            "board_decision": (d.get("board_decision") or "").strip(),
            "reservations": reservations,
        }

    @staticmethod
    def initial_from(content: dict, version: int) -> dict:
        initial = {"base_version": version}
        for qid, text in content["answers"].items():
            initial[f"answer_{qid}"] = text
        initial["decision_differs"] = content["decision_differs"]
        initial["board_decision"] = content["board_decision"]
        for i, r in enumerate(content["reservations"]):
            initial[f"res_{i}_group"] = r["group"]
            initial[f"res_{i}_kind"] = r["kind"]
            initial[f"res_{i}_text"] = r["text"]
        return initial


class UploadForm(AccessibleForm):
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    statement = forms.FileField(
        label=_("Official statement (PDF, DOCX, ODT or TXT)"),
        help_text=_("The answers are pre-filled from the statement as a new draft version."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statement"].widget.attrs["accept"] = ",".join(f".{s}" for s in UPLOAD_SUFFIXES)


class SubmitForm(AccessibleForm):
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class StatusForm(AccessibleForm):
    status = forms.ChoiceField(label=_("Status"), choices=Consultation.Status.choices)


class ReviewForm(AccessibleForm):
    """One decision on a candidate additional challenge."""

    ACTIONS = [
        ("accept", _("Accept under its suggested code")),
        ("merge", _("Merge into an existing code")),
        ("create_code", _("Create a new code")),
        ("recode", _("Re-code: the automatic code is wrong")),
        ("reject", _("Reject: not an additional challenge")),
    ]

    board = forms.CharField(widget=forms.HiddenInput)
    candidate = forms.CharField(widget=forms.HiddenInput)
    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS, widget=forms.RadioSelect)
    code = forms.ChoiceField(label=_("Code"), required=False)
    add_term = forms.CharField(
        label=_("Term to add to the code"),
        required=False,
        help_text=_("Words from the passage; later answers with them are coded directly."),
    )
    new_code_id = forms.SlugField(label=_("Id of the new code"), required=False)
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    label_sv = forms.CharField(label=_("Label in Swedish"), required=False)
    label_en = forms.CharField(label=_("Label in English"), required=False)
    terms = forms.CharField(
        label=_("Terms"), required=False, help_text=_("Separate terms with commas.")
    )

    def __init__(self, *args, codebook, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", "—")] + [
            (c.id, f"{c.label_sv} ({c.id})") for c in codebook.codes
        ]
        self.fields["domain"].choices = [("", "—")] + [(d.id, d.label_sv) for d in codebook.domains]

    def clean(self):
        d = super().clean()
        action = d.get("action")
        if action in ("accept", "merge", "recode") and not d.get("code"):
            self.add_error("code", _("Choose a code."))
        if action == "create_code":
            for name in ("new_code_id", "domain", "label_sv", "label_en"):
                if not d.get(name):
                    self.add_error(name, _("This field is required for a new code."))
        return d


class MergeCodesForm(AccessibleForm):
    """Merge one code of the codebook into another."""

    source = forms.ChoiceField(label=_("Code to merge"))
    target = forms.ChoiceField(label=_("Merge into"))

    def __init__(self, *args, codebook, **kwargs):
        kwargs.setdefault("auto_id", "merge_%s")
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(c.id, f"{c.label_sv} ({c.id})") for c in codebook.codes]
        self.fields["source"].choices = choices
        self.fields["target"].choices = choices

    def clean(self):
        d = super().clean()
        if d.get("source") and d.get("source") == d.get("target"):
            self.add_error("target", _("Choose a different code."))
        return d


class ConsultationForm(AccessibleForm):
    """A new consultation: title, sender, deadline, recipients and up to five questions, each
    with its role (what the compilation does with its answers)."""

    title = forms.CharField(label=_("Title"), max_length=300)
    slug = forms.SlugField(
        label=_("Short name in the address"),
        max_length=80,
        help_text=_("Letters, digits, hyphens."),
    )
    sender = forms.CharField(label=_("Sender"), max_length=200, initial="Kommunstyrelsen")
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}), help_text="ÅÅÅÅ-MM-DD"
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipients"), queryset=Board.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    send = forms.BooleanField(label=_("Send to the recipients at once"), required=False)

    QUESTIONS = 5

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [("", _("No role"))] + list(Question.QuestionRole.choices)
        for i in range(1, self.QUESTIONS + 1):
            self.fields[f"q{i}_text"] = forms.CharField(
                label=_("Question %(n)s") % {"n": i},
                required=i == 1,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"q{i}_role"] = forms.ChoiceField(
                label=_("Role of question %(n)s") % {"n": i}, choices=roles, required=False
            )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Consultation.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A consultation with this short name exists."))
        return slug

    def questions(self) -> list[tuple[str, str]]:
        """The filled-in questions as (text, role)."""
        out = []
        for i in range(1, self.QUESTIONS + 1):
            text = (self.cleaned_data.get(f"q{i}_text") or "").strip()
            if text:
                out.append((text, self.cleaned_data.get(f"q{i}_role") or ""))
        return out
