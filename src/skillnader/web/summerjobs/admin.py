"""Rounds and positions in the administration. Applications (minors' personal data) are not in
the administration: officers handle them in the summer-job pages, where every view is logged."""

from django.contrib import admin

from skillnader.web.summerjobs.models import Position, Round


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "seed", "seed_published_on", "applications_open"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["code", "employer", "district", "category", "period", "capacity"]
    list_filter = ["round", "district", "category"]
