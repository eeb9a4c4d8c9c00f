from django import forms
from django.utils.translation import gettext_lazy as _

KINDS = [
    ("", _("Detect from the content")),
    ("px", "PC-Axis (.px)"),
    ("jsonstat", "JSON-stat 2.0"),
    ("pxweb_v1", "PxWeb v1 JSON"),
    ("csv", "CSV"),
    ("excel", "Excel"),
]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    mapping = forms.FileField(
        label=_("Mapping (YAML)"),
        required=False,
        help_text=_("Required for CSV and Excel; optional for PX and JSON-stat."),
    )
    kind = forms.ChoiceField(label=_("Format"), choices=KINDS, required=False)
    indicator = forms.CharField(label=_("Indicator id"), required=False)
    level = forms.CharField(label=_("Area level"), required=False)
    vintage = forms.CharField(label=_("Vintage"), required=False)
    version = forms.CharField(label=_("Release label"), required=False)
