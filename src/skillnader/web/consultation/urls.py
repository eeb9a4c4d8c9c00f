"""Consultation URLs (mounted at ``/remiss/``). Every page answers ``?format=json`` too."""

from django.urls import path

from skillnader.web.consultation import views

app_name = "consultation"
R = "<slug:slug>/svar/<slug:board>/"
urlpatterns = [
    path("", views.index, name="index"),
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("logga-ut/", views.logout_view, name="logout"),
    path("ny/", views.create, name="create"),
    path("namnder/", views.boards, name="boards"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/status/", views.set_status, name="status"),
    path("<slug:slug>/dokument/<int:pk>/", views.document, name="document"),
    path(R, views.response, name="response"),
    path(R + "autosave/", views.autosave, name="autosave"),
    path(R + "ladda-upp/", views.upload, name="upload"),
    path(R + "skicka/", views.submit, name="submit"),
    path(R + "versioner/", views.versions, name="versions"),
    path(R + "versioner/<int:number>/", views.version, name="version"),
    path(R + "utlatanden/<int:pk>/", views.statement, name="statement"),
    path(R + "utlatanden/<int:pk>/status/", views.statement_status, name="statement-status"),
    path("<slug:slug>/matris/", views.matrix, name="matrix"),
    path("<slug:slug>/granskning/", views.review, name="review"),
    path("<slug:slug>/sammanstallning/", views.compilation, name="compilation"),
    path(
        "<slug:slug>/sammanstallning.<str:ext>",
        views.compilation_download,
        name="compilation-download",
    ),
]
