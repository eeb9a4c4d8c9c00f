"""Error pages in the site's own layout and language (Swedish first), with its navigation.

Django's defaults are bare English pages without a way back; with ``DEBUG`` on they even list
the URL patterns. These handlers render the public base layout so a visitor who followed a stale
link or mistyped an address can search or go to a domain from where they are.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader

from skillnader.domains import DOMAINS

log = logging.getLogger(__name__)


def _domains(lang: str) -> list[dict[str, str]]:
    # The domain ids and names come from the code, not the database: an error page must render
    # when the database is the problem.
    return [{"id": d.id, "name": d.name(lang)} for d in DOMAINS]


def _render(request: HttpRequest, template: str, status: int) -> HttpResponse:
    from django.utils.translation import get_language

    lang = "en" if (get_language() or "sv").startswith("en") else "sv"
    body = loader.get_template(template).render(
        {"domains": _domains(lang), "error_path": request.path}, request
    )
    return HttpResponse(body, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: the address has no page (or the selection in it has no data)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "not found", "path": request.path}, status=404)
    return _render(request, "public/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: something broke; the visitor gets the layout and a way on, never a traceback
    (JSON for the API, whose clients are programs)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "internal server error", "status": 500}, status=500)
    try:
        return _render(request, "public/500.html", 500)
    except Exception:  # the layout itself failed: fall back to a plain Swedish line
        log.exception("the styled 500 page could not be rendered")
        return HttpResponseServerError(
            "<!DOCTYPE html><html lang=sv><title>Fel</title><p>Något gick fel. Försök igen senare.",
            content_type="text/html; charset=utf-8",
        )
