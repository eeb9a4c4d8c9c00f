"""Per-client rate limits: what a page costs to make is limited, what is already cached is free.

Three buckets, each counted per client address (:func:`skillnader.web.security.client_ip`) in
fixed windows in the shared cache (the file cache in production, so all workers count together):

* ``render`` — pages and API answers made because they were not in the page cache (a crawler
  walking distinct indicator/level/year/group combinations); cached answers do not count;
* ``api`` — every API request;
* ``report`` — report downloads (a city report takes tens of seconds to make).

Over the limit the client gets 429 with ``Retry-After`` (JSON under ``/api/``, a short page in the
site's language otherwise). Limits are ``"COUNT/SECONDS"`` strings in the settings
``SKILLNADER_RATE_RENDER``, ``SKILLNADER_RATE_API`` and ``SKILLNADER_RATE_REPORT``; ``""`` turns a
bucket off. Requests straight from loopback without ``X-Forwarded-For`` (the machine itself:
health checks, the test client) are not limited; behind the shipped proxy every request carries
the header and is counted by the visitor's address.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

from skillnader.web.security import client_ip

DEFAULTS = {"render": "30/60", "api": "300/60", "report": "6/60"}


def _limit(bucket: str) -> tuple[int, int] | None:
    spec = getattr(settings, f"SKILLNADER_RATE_{bucket.upper()}", DEFAULTS[bucket])
    if not spec:
        return None
    count, _, seconds = str(spec).partition("/")
    return int(count), int(seconds or 60)


def _exempt(request: HttpRequest) -> bool:
    remote = request.META.get("REMOTE_ADDR", "")
    # The machine itself (loopback, or no peer address: a Unix socket or a call in the process).
    return remote in ("127.0.0.1", "::1", "") and not request.META.get("HTTP_X_FORWARDED_FOR")


def check(request: HttpRequest, bucket: str) -> HttpResponse | None:
    """Count one request of ``bucket`` for the client; a 429 response if it is over the limit."""
    limit = _limit(bucket)
    if limit is None or _exempt(request):
        return None
    count, seconds = limit
    now = time.time()
    window = int(now // seconds)
    key = f"skillnader:rate:{bucket}:{client_ip(request)}:{window}"
    cache.add(key, 0, seconds * 2)
    try:
        n = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds * 2)
        n = 1
    if n <= count:
        return None
    retry = max(1, int((window + 1) * seconds - now) + 1)
    return too_many(request, retry)


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "error": "Too many requests from this address; try again later.",
                "status": 429,
                "retry_after": retry_after,
            },
            status=429,
        )
    else:
        lang = "en" if (get_language() or "sv").startswith("en") else "sv"
        text = _("Too many requests from your address. Please wait a minute and try again.")
        response = HttpResponse(
            f'<!DOCTYPE html><html lang="{lang}"><meta charset="utf-8"><title>429</title>'
            f"<p>{text}</p>",
            status=429,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class RateLimitMiddleware:
    """The ``api`` and ``report`` buckets (``render`` is counted by the page cache on a miss)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        bucket = "api" if path.startswith("/api/") else "report" if "/report/" in path else None
        if bucket is not None:
            refused = check(request, bucket)
            if refused is not None:
                return refused
        return self.get_response(request)
