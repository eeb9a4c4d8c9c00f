"""Goal pages (mounted at ``/mal/``); every page also answers ``?format=json`` and ``?format=csv``."""

from django.urls import path

from skillnader.web.steering import views

app_name = "steering"
urlpatterns = [
    path("", views.index, name="index"),
    path("atgarder/", views.measures_page, name="measures"),
    path("atgarder/ny/", views.measure_edit, name="measure-new"),
    path("atgarder/<slug:key>/", views.measure_page, name="measure"),
    path("atgarder/<slug:key>/andra/", views.measure_edit, name="measure-edit"),
    path("utmaning/<slug:code>/", views.challenge_page, name="challenge"),
    path("andra/mal/<int:pk>/", views.goal_edit, name="goal-edit"),
    path("andra/malvarde/<int:pk>/", views.target_edit, name="target-edit"),
    path("andra/mal/<int:pk>/nytt-malvarde/", views.target_new, name="target-new"),
    path("andra/bedomning/<int:pk>/", views.judgement_edit, name="judgement-edit"),
    path("granska/<int:pk>/", views.judgement_review, name="judgement-review"),
    path("importera/", views.import_upload, name="import"),
    path("api/goals/", views.api_goals, name="api-goals"),
    path("api/goals/<int:pk>/", views.api_goal, name="api-goal"),
    path("api/goals/<int:pk>/versions/", views.api_goal_versions, name="api-goal-versions"),
    path("api/goals/<int:pk>/judgements/", views.api_judgements, name="api-judgements"),
    path("api/targets/<int:pk>/versions/", views.api_target_versions, name="api-target-versions"),
    path("api/measures/", views.api_measures, name="api-measures"),
    path("api/measures/<int:pk>/", views.api_measure, name="api-measure"),
    path("<slug:period>/", views.period_tree, name="period"),
    path("<slug:period>/export.<str:ext>", views.period_export, name="export"),
    path("<slug:period>/namnd/<slug:board>/<int:year>/", views.board_page, name="board"),
    path("<slug:period>/namnd/<slug:board>/nytt-mal/", views.board_goal_new, name="board-goal-new"),
    path(
        "<slug:period>/namnd/<slug:board>/<int:year>/rapport-<slug:kind>.<str:ext>",
        views.board_report_download,
        name="board-report",
    ),
    path("<slug:period>/<slug:owner>/<str:number>/", views.goal_page, name="goal"),
]
