"""The analysts' administration: catalogue, areas, releases, publishing and imports.

Only staff reach it (Django admin's login); the public site is read-only. Imports uploaded here
run the same transactional importer as ``skillnader import`` and show its errors verbatim.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from skillnader.errors import SkillnaderError
from skillnader.web.data import models as m
from skillnader.web.data.forms import ImportForm

admin.site.site_header = _("Skillnader administration")
admin.site.site_title = _("Skillnader")
admin.site.index_title = _("Statistics and consultation")


@admin.action(description=_("Publish the selected items"))
def publish(modeladmin, request, queryset):
    with transaction.atomic():
        n = queryset.update(published=True)
        # ``update`` sends no signals: the data version goes up in the same transaction.
        m.data_changed()
    modeladmin.message_user(request, _("%(n)d published.") % {"n": n})


@admin.action(description=_("Withdraw the selected items from publication"))
def withdraw(modeladmin, request, queryset):
    with transaction.atomic():
        n = queryset.update(published=False)
        # ``update`` sends no signals: the data version goes up in the same transaction.
        m.data_changed()
    modeladmin.message_user(request, _("%(n)d withdrawn.") % {"n": n})


@admin.register(m.Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["id", "name_sv", "name_en", "order"]


@admin.register(m.Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["id", "name_sv", "domain", "measure", "polarity", "unit", "published"]
    list_filter = ["domain", "measure", "polarity", "published"]
    search_fields = ["id", "name_sv", "name_en"]
    actions = [publish, withdraw]


@admin.register(m.AreaLevel)
class AreaLevelAdmin(admin.ModelAdmin):
    list_display = ["id", "name_sv", "order"]


@admin.register(m.Vintage)
class VintageAdmin(admin.ModelAdmin):
    list_display = ["level", "code", "name_sv", "valid_from", "valid_to"]
    list_filter = ["level"]


@admin.register(m.Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "vintage", "parent"]
    list_filter = ["level", "vintage"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    exclude = ["geometry"]


@admin.register(m.Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "publisher", "licence"]


@admin.register(m.Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["source", "version", "file_name", "kind", "cells", "imported_at", "imported_by"]
    list_filter = ["source", "kind"]
    readonly_fields = [f.name for f in m.Release._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(m.Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = [
        "indicator",
        "area",
        "group",
        "period",
        "value",
        "lower",
        "upper",
        "suppressed",
        "published",
        "release",
    ]
    list_filter = ["indicator", "area__level", "published", "suppressed", "period"]
    search_fields = ["area__name", "area__code", "indicator__id"]
    list_select_related = ["indicator", "area", "group", "release"]
    actions = [publish, withdraw]
    raw_id_fields = ["area", "group", "release"]

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="data_observation_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not request.user.has_perm("data.add_observation"):
            messages.error(request, _("You may not import data."))
            return redirect("admin:index")
        error = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    result = _run_import(form, request.user.get_username())
                except SkillnaderError as exc:
                    error = str(exc)
                else:
                    messages.success(request, str(result))
                    return redirect("admin:data_release_changelist")
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "error": error,
            "title": _("Import a file"),
            "opts": self.model._meta,
        }
        return render(request, "admin/data/import.html", context)


def _run_import(form: ImportForm, user: str):
    from skillnader.web.data.importer import import_file

    with tempfile.TemporaryDirectory() as tmp:
        up = form.cleaned_data["file"]
        target = Path(tmp) / Path(up.name).name
        with open(target, "wb") as fh:
            for chunk in up.chunks():
                fh.write(chunk)
        mapping = None
        if form.cleaned_data.get("mapping"):
            mapping = Path(tmp) / "mapping.yaml"
            mapping.write_bytes(form.cleaned_data["mapping"].read())
        return import_file(
            target,
            kind=form.cleaned_data.get("kind") or None,
            mapping=mapping,
            indicator=form.cleaned_data.get("indicator") or None,
            level=form.cleaned_data.get("level") or None,
            vintage=form.cleaned_data.get("vintage") or None,
            version=form.cleaned_data.get("version") or "",
            user=user,
        )
