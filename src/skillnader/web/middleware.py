"""Site-wide middleware."""

from __future__ import annotations

from django.conf import settings


class SwedishFirstMiddleware:
    """Swedish is the site's language unless the visitor chose another one.

    A public-sector site in Sweden speaks Swedish by default whatever the browser's preferred
    language; English is chosen explicitly (the language switch sets Django's language cookie).
    Removing ``Accept-Language`` before :class:`~django.middleware.locale.LocaleMiddleware` runs
    makes it fall back on ``LANGUAGE_CODE`` unless the cookie says otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
