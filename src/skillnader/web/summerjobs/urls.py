"""Summer-job URLs (mounted at ``/feriejobb/``)."""

from django.urls import path

from skillnader.web.summerjobs import views

app_name = "summerjobs"
urlpatterns = [
    path("", views.policy_page, name="policy"),
    path("ansok/", views.apply, name="apply"),
    path("ansokan/<str:token>/", views.status, name="status"),
    path("rapport/", views.report, name="report"),
    path("handlaggare/", views.officer_applicants, name="officer"),
    path("handlaggare/sokande/<str:pseudonym>/", views.officer_applicant, name="officer-applicant"),
    path(
        "handlaggare/sokande/<str:pseudonym>/andra/",
        views.officer_adjust,
        name="officer-adjust",
    ),
    path("handlaggare/oplacerade/", views.officer_unplaced, name="officer-unplaced"),
    path(
        "handlaggare/arbetsplats/<str:code>/export.csv",
        views.employer_export,
        name="employer-export",
    ),
    path("handlaggare/fordela/", views.officer_allocate, name="officer-allocate"),
    path("handlaggare/logg/", views.officer_audit, name="officer-audit"),
]
