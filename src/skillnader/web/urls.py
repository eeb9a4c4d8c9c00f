"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("skillnader.web.api.urls")),
    path("remiss/", include("skillnader.web.consultation.urls")),
    path("mal/", include("skillnader.web.steering.urls")),
    path("feriejobb/", include("skillnader.web.summerjobs.urls")),
    path("", include("skillnader.web.public.urls")),
]

handler404 = "skillnader.web.public.errors.not_found"
handler500 = "skillnader.web.public.errors.server_error"
