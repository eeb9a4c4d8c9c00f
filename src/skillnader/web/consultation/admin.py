"""Admin: the registry, consultations with their questions and documents, memberships, and
read-only views of responses, versions and review decisions (these are written by the app)."""

from django.contrib import admin

from skillnader.web.consultation import models as m


@admin.register(m.Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "kind", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("id", "name")


class QuestionInline(admin.TabularInline):
    model = m.Question
    extra = 0


class DocumentInline(admin.TabularInline):
    model = m.ReferredDocument
    extra = 0


@admin.register(m.Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("title", "deadline", "status")
    list_filter = ("status",)
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("recipients",)
    inlines = [QuestionInline, DocumentInline]
    exclude = ("codebook_yaml",)


@admin.register(m.BoardMembership)
class BoardMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "board", "role")
    list_filter = ("board",)
    autocomplete_fields = ("board",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("consultation", "board", "current_version", "submitted_at", "late")
    list_filter = ("consultation", "late")


@admin.register(m.ResponseVersion)
class ResponseVersionAdmin(ReadOnlyAdmin):
    list_display = ("response", "number", "kind", "created_by", "created_at")
    list_filter = ("kind",)


@admin.register(m.Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "response", "status", "uploaded_by", "uploaded_at")
    list_filter = ("status",)


@admin.register(m.ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    list_display = ("consultation", "candidate", "action", "code", "decided_by", "decided_at")
    list_filter = ("action",)
