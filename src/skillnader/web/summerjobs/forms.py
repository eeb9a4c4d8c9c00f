"""The youth-facing application form: plain Swedish, one question at a time, labels on every
field, errors summarised at the top and named at the field."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from skillnader.allocation import geography

YES_NO = [("ja", _("Yes")), ("nej", _("No"))]
ANY = "*"


def area_choices():
    names = geography.regso_names()
    by_d: dict[str, list] = {}
    for code, d in sorted(geography.regso_district().items(), key=lambda kv: names[kv[0]]):
        by_d.setdefault(d, []).append((code, names[code]))
    return [("", _("Choose where you live"))] + [(d, by_d[d]) for d in sorted(by_d)]


def place_choices():
    return [
        (ANY, _("Anywhere in Stockholm")),
        ("inner", _("The inner city")),
        ("outer", _("The outer city")),
    ] + [(d, d) for d in geography.districts()]


class ApplicationForm(forms.Form):
    first_name = forms.CharField(
        label=_("Your first name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    contact = forms.CharField(
        label=_("Mobile number or e-mail"),
        max_length=200,
        help_text=_("We use it only to tell you if you got a job."),
        widget=forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        help_text=_("For example 2010-05-31."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
    )
    sex = forms.ChoiceField(
        label=_("Gender"),
        choices=[
            ("female", _("Girl")),
            ("male", _("Boy")),
            ("other", _("Other or do not want to say")),
        ],
        widget=forms.RadioSelect,
    )
    born_in_sweden = forms.ChoiceField(
        label=_("Were you born in Sweden?"),
        choices=YES_NO + [("", _("Do not want to say"))],
        required=False,
        widget=forms.RadioSelect,
    )
    home_area = forms.ChoiceField(label=_("Where do you live?"), choices=())
    school = forms.CharField(label=_("Your school"), max_length=200, required=False)
    social_assistance = forms.ChoiceField(
        label=_("Does your family get financial support (ekonomiskt bistånd) from the city?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    newly_arrived = forms.ChoiceField(
        label=_("Did you come to Sweden in the last four years?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    support_needs = forms.ChoiceField(
        label=_("Do you need extra support at work?"),
        help_text=_("For example because of a disability. You do not have to say why."),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    earlier_summer_job = forms.ChoiceField(
        label=_("Have you had a summer job before?"), choices=YES_NO, widget=forms.RadioSelect
    )
    languages = forms.CharField(
        label=_("Languages you speak besides Swedish"),
        required=False,
        help_text=_("Separate with commas, for example: arabiska, engelska."),
    )
    consent = forms.BooleanField(
        label=_("I have read how my information is used and I agree."),
        error_messages={"required": _("You must agree before you can apply.")},
    )

    def __init__(self, *args, categories: list[str], periods: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_area"].choices = area_choices()
        for k in (1, 2, 3):
            req = k == 1
            self.fields[f"category_{k}"] = forms.ChoiceField(
                label=_("Kind of job"),
                choices=([] if req else [("", _("No more choices"))])
                + [(c, c) for c in categories],
                required=req,
            )
            self.fields[f"period_{k}"] = forms.ChoiceField(
                label=_("When"),
                choices=[(ANY, _("Any period"))] + [(p, p) for p in periods],
                required=False,
            )
            self.fields[f"place_{k}"] = forms.ChoiceField(
                label=_("Where"), choices=place_choices(), required=False
            )

    def clean_birth_date(self):
        d = self.cleaned_data["birth_date"]
        if d > dt.date.today() or d.year < 1990:
            raise forms.ValidationError(_("Write a real date of birth, for example 2010-05-31."))
        return d

    def choice_rows(self):
        return [
            (k, self[f"category_{k}"], self[f"period_{k}"], self[f"place_{k}"]) for k in (1, 2, 3)
        ]

    def choices_text(self) -> str:
        out = []
        for k in (1, 2, 3):
            c = self.cleaned_data.get(f"category_{k}")
            if c:
                out.append(
                    f"{c}/{self.cleaned_data.get(f'period_{k}') or ANY}/{self.cleaned_data.get(f'place_{k}') or ANY}"
                )
        return ";".join(dict.fromkeys(out))
