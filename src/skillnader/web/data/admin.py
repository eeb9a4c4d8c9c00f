"""The analysts' administration: catalogue, areas, releases, publishing and imports.

Only staff reach it (Django admin's login); the public site is read-only. Imports uploaded here
run the same transactional importer as ``skillnader import``, in the background
(:mod:`skillnader.web.data.jobs`), and show its errors with the uploaded file's own name.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from skillnader.errors import SkillnaderError
from skillnader.web.data import jobs
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
            path(
                "import/<int:pk>/",
                self.admin_site.admin_view(self.import_status_view),
                name="data_observation_import_status",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not jobs.may_import(request.user):
            messages.error(request, _("You may not import data."))
            return redirect("admin:index")
        error = None
        status = 200
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                d = form.cleaned_data
                options = {
                    "kind": d.get("kind") or None,
                    "indicator": d.get("indicator") or None,
                    "level": d.get("level") or None,
                    "vintage": d.get("vintage") or None,
                    "version": d.get("version") or "",
                }
                try:
                    job = jobs.start(d["file"], d.get("mapping"), options, request.user)
                except SkillnaderError as exc:
                    error, status = str(exc), 409
                else:
                    return redirect("admin:data_observation_import_status", pk=job.pk)
            else:
                status = 400
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "error": error,
            "recent": m.ImportJob.objects.filter(user=request.user)[:10],
            "title": _("Import a file"),
            "opts": self.model._meta,
        }
        return render(request, "admin/data/import.html", context, status=status)

    def import_status_view(self, request, pk):
        """How far an import has come, then its result or typed error (``?format=json``: the
        same as data). Only the user who started the import sees it, and only while they may
        import; anyone else gets 404, whether or not the job exists."""
        if not jobs.may_import(request.user):
            raise Http404("no such import")
        job = get_object_or_404(m.ImportJob, pk=pk, user=request.user)
        job = jobs.expire_stale(job)
        running = job.status == m.ImportJob.Status.RUNNING
        stage, share = "", 1.0
        if running:
            stage, share, _age = jobs.read_progress(job)
        error = job.error
        if job.error_type in GENERIC_ERRORS:
            error = str(GENERIC_ERRORS[job.error_type])
        percent = round(100 * share)
        result = job.result or {}
        data = {
            "id": job.pk,
            "file": job.file_name,
            "mapping": job.mapping_name or None,
            "status": job.status,
            "done": not running,
            "stage": stage or None,
            "stage_label": str(IMPORT_STAGES.get(stage, "")) if running else None,
            "progress": percent,
            "started": job.created_at.isoformat(),
            "finished": job.finished_at.isoformat() if job.finished_at else None,
            "result": job.result,
            "error": error or None,
            "error_type": job.error_type or None,
        }
        if request.GET.get("format") == "json":
            return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        context = {
            **self.admin_site.each_context(request),
            "job": job,
            "running": running,
            "stage_label": IMPORT_STAGES.get(stage, ""),
            "percent": percent,
            "error": error,
            "result": result,
            "releases": [result, *result.get("also", [])] if result else [],
            "title": _("Import of %(name)s") % {"name": job.file_name},
            "opts": self.model._meta,
        }
        return render(request, "admin/data/import_status.html", context)


IMPORT_STAGES = {
    "queued": _("Waiting for its turn"),
    "reading": _("Reading the file"),
    "writing": _("Checking and writing the cells"),
    "checking": _("Protecting small numbers and checking the release"),
    "saving": _("Saving the result"),
}

GENERIC_ERRORS = {
    "Interrupted": _(
        "The import stopped before it was done (the server was restarted). Nothing was written; "
        "upload the file again."
    ),
    "InternalError": _(
        "The import failed because of an error in the service. Nothing was written."
    ),
}
