"""Faults: while the database cannot be reached, visitors get 503 with ``Retry-After`` — a page in
the site's layout and language, or JSON for the API — instead of a 500 with a traceback page;
pages cached under the last data version are still served (see ``queries.data_version``).

A database error can surface in a view or in a middleware (sessions, sign-in); Django turns the
latter into the 500 handler's response before an outer middleware sees it, so the error is noted
on the request by a ``got_request_exception`` receiver and the 500 replaced here.
"""

from __future__ import annotations

import logging
import sys

from django.core.signals import got_request_exception
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30


def _database_down(exc: BaseException | None) -> bool:
    from skillnader.web.data.queries import DatabaseUnavailable

    return isinstance(exc, DatabaseError | DatabaseUnavailable)


def unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON under ``/api/``, else the styled page (plain text if even that fails)."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "error": "The database is temporarily unavailable; try again later.",
                "status": 503,
                "retry_after": RETRY_AFTER,
            },
            status=503,
        )
    else:
        try:
            body = loader.get_template("public/503.html").render({}, request)
            response = HttpResponse(body, status=503)
        except Exception:  # the layout itself failed: a plain Swedish line
            log.exception("the styled 503 page could not be rendered")
            response = HttpResponse(
                "Tjänsten är tillfälligt otillgänglig. Försök igen om en stund.",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


@receiver(got_request_exception, dispatch_uid="skillnader-database-down")
def _note_database_error(sender, request=None, **kwargs) -> None:
    if request is not None and _database_down(sys.exc_info()[1]):
        request._skillnader_database_down = True


class DatabaseUnavailableMiddleware:
    """Outermost middleware: a database failure anywhere in the request becomes a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 500 and getattr(request, "_skillnader_database_down", False):
            log.error("database unavailable: answered %s with 503", request.path)
            return unavailable(request)
        return response

    def process_exception(self, request, exception):
        if _database_down(exception):
            request._skillnader_database_down = True
            return unavailable(request)
        return None
