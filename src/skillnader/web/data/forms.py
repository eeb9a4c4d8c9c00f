from django import forms
from django.utils.translation import gettext_lazy as _

from skillnader.readers import registry


def kinds() -> list[tuple[str, str]]:
    """The formats of observations the registry knows (read when the form is built)."""
    return [("", _("Detect from the content"))] + [
        (f.name, f.label) for f in registry.formats("cube", "table")
    ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    mapping = forms.FileField(
        label=_("Mapping (YAML)"),
        required=False,
        help_text=_("Required for CSV and Excel; optional for PX and JSON-stat."),
    )
    kind = forms.ChoiceField(label=_("Format"), choices=kinds, required=False)
    indicator = forms.CharField(label=_("Indicator id"), required=False)
    level = forms.CharField(label=_("Area level"), required=False)
    vintage = forms.CharField(label=_("Vintage"), required=False)
    version = forms.CharField(label=_("Release label"), required=False)
