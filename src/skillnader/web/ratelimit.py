"""Per-client rate limits: what a page costs to make is limited, what is already cached is free.

Three buckets, each counted per client address (:func:`skillnader.web.security.client_ip`) in
fixed windows in the shared cache (the file cache in production, so all workers count together):

* ``render`` — pages and API answers made because they were not in the page cache (a crawler
  walking distinct indicator/level/year/group combinations); cached answers do not count;
* ``api`` — every API request;
* ``report`` — report downloads (a city report takes tens of seconds to make).

Besides the counts, at most ``SKILLNADER_RENDER_SLOTS`` pages are made outside the cache at
once on the host (:func:`render_slot`), so that walkers cannot occupy every worker.

Over the limit the client gets 429 with ``Retry-After`` (JSON under ``/api/``, a short page in the
site's language otherwise). Limits are ``"COUNT/SECONDS"`` strings in the settings
``SKILLNADER_RATE_RENDER``, ``SKILLNADER_RATE_API`` and ``SKILLNADER_RATE_REPORT``; ``""`` turns a
bucket off. Requests straight from loopback without ``X-Forwarded-For`` (the machine itself:
health checks, the test client) are not limited; behind the shipped proxy every request carries
the header and is counted by the visitor's address.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

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


@contextlib.contextmanager
def render_slot(request: HttpRequest):
    """Hold one of ``SKILLNADER_RENDER_SLOTS`` slots while a page is made outside the cache,
    shared by all processes of the host (``flock`` on slot files, released by the kernel if a
    worker dies). Yields ``None``, or a 429 response when every slot is taken: pages that must be
    made never occupy more than that many workers, so cached pages always find a free one.
    """
    slots = int(getattr(settings, "SKILLNADER_RENDER_SLOTS", 2) or 0)
    if slots <= 0 or _exempt(request):
        yield None
        return
    folder = Path(settings.DATA_DIR) / "render-slots"
    folder.mkdir(parents=True, exist_ok=True)
    held = None
    for i in range(slots):
        fd = os.open(folder / f"slot-{i}", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        held = fd
        break
    if held is None:
        yield too_many(request, 2)
        return
    try:
        yield None
    finally:
        fcntl.flock(held, fcntl.LOCK_UN)
        os.close(held)


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
