"""API v1 URLs (no trailing slashes on collections, datasette/REST style)."""

from django.urls import path

from skillnader.web.api import views
from skillnader.web.public import urls as _public_urls  # noqa: F401 - registers converters

app_name = "api"
urlpatterns = [
    path("", views.index, name="index"),
    path("openapi.json", views.openapi, name="openapi"),
    path("domains", views.domains, name="domains"),
    path("domains/<code:domain_id>", views.domain, name="domain"),
    path("indicators", views.indicators, name="indicators"),
    path("indicators/<code:indicator_id>", views.indicator, name="indicator"),
    path("levels", views.levels, name="levels"),
    path("areas", views.areas, name="areas"),
    path("areas/<code:level>/<code:vintage>/<code:code>", views.area, name="area"),
    path("geojson/<code:level>/<code:vintage>", views.geojson, name="geojson"),
    path("observations", views.observations, name="observations"),
    path("comparisons", views.comparisons, name="comparisons"),
    path("inequality", views.inequality, name="inequality"),
    path("findings", views.findings, name="findings"),
]
