"""The site's URLs plus two that fail, for the error page tests."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("an unexpected failure in a view")


urlpatterns = [
    path("api/v1/boom", boom),
    path("boom/", boom),
    path("", include("skillnader.web.urls")),
]

handler404 = "skillnader.web.public.errors.not_found"
handler500 = "skillnader.web.public.errors.server_error"
