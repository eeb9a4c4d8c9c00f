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


class RejectNulMiddleware:
    """Answer 400 to a request whose query string or form fields contain a NUL character.

    No valid parameter of the site holds one, and PostgreSQL cannot store or compare text with
    NUL bytes, so such input would otherwise end in a server error deep in a query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest, JsonResponse

        def has_nul(params) -> bool:
            return any("\x00" in k or any("\x00" in v for v in vs) for k, vs in params.lists())

        if (
            "\x00" in request.path
            or has_nul(request.GET)
            or (
                request.method == "POST"
                and request.content_type != "multipart/form-data"
                and has_nul(request.POST)
            )
        ):
            message = "Parameters must not contain NUL characters."
            if request.path.startswith("/api/"):
                return JsonResponse({"error": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain")
        return self.get_response(request)
