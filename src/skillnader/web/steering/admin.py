"""Administration of the steering chain. Versions are added, not edited: the inlines are
read-only once saved, so that a judged version stays as it was judged."""

from django.contrib import admin

from skillnader.web.steering.models import (
    Goal,
    GoalIndicator,
    GoalVersion,
    Judgement,
    Measure,
    Period,
    Target,
    TargetVersion,
)


class GoalVersionInline(admin.TabularInline):
    model = GoalVersion
    extra = 0
    fields = ["number", "valid_from", "valid_to", "title_sv", "title_en", "responsible",
              "decision"]  # fmt: skip

    def has_change_permission(self, request, obj=None):
        return False


class GoalIndicatorInline(admin.TabularInline):
    model = GoalIndicator
    extra = 0
    fields = ["indicator", "area_level", "area_vintage", "area_code", "group", "example"]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "start", "end"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["number", "__str__", "period", "level", "owner", "example"]
    list_filter = ["period", "level", "owner", "example"]
    inlines = [GoalVersionInline, GoalIndicatorInline]


class TargetVersionInline(admin.TabularInline):
    model = TargetVersion
    extra = 0
    fields = ["number", "valid_from", "direction", "year", "value", "base_year", "decision"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "gap_kind"]
    inlines = [TargetVersionInline]


@admin.register(Judgement)
class JudgementAdmin(admin.ModelAdmin):
    list_display = ["goal", "year", "report", "status", "board", "reviewed_at"]
    list_filter = ["year", "report", "status", "board"]
    readonly_fields = ["goal_version", "computed", "written_by", "written_at"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["title", "board", "status", "start", "end", "budget_sek", "example"]
    list_filter = ["board", "status", "example"]
    search_fields = ["title", "key", "description"]
    filter_horizontal = ["goals"]
