"""Sign-in protection and the client's address: lockout after failed sign-ins (django-axes), the
page shown while locked out, and the address that rate limits and lockouts count by.

Behind the shipped proxy (``deploy/nginx.conf``) every request comes from loopback; the visitor's
address is then the last one the proxy appended to ``X-Forwarded-For``. The header is believed only
when the request comes from a trusted proxy (``SKILLNADER_TRUSTED_PROXIES``, default loopback),
so a visitor who reaches the application directly cannot choose the address counted.
"""

from __future__ import annotations

import ipaddress
import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader


def _trusted(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    for net in getattr(settings, "SKILLNADER_TRUSTED_PROXIES", ("127.0.0.1/32", "::1/128")):
        if ip in ipaddress.ip_network(net, strict=False):
            return True
    return False


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent ``request`` (see the module docstring)."""
    # No peer address: a Unix socket (a proxy on the same host) or a call inside the process.
    remote = request.META.get("REMOTE_ADDR") or ""
    if remote and not _trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    # The rightmost address that is not one of our proxies is the one our proxy saw.
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        if not _trusted(hop):
            return hop
    # No peer at all: this machine (an address, as sign-in records store addresses).
    return remote or "127.0.0.1"


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """429 with ``Retry-After`` and a page in the site's language while sign-in is locked."""
    from django.utils.translation import get_language

    cooloff = settings.AXES_COOLOFF_TIME
    seconds = int(cooloff.total_seconds()) if cooloff else 3600
    minutes = max(1, math.ceil(seconds / 60))
    lang = "en" if (get_language() or "sv").startswith("en") else "sv"
    body = loader.get_template("public/locked.html").render(
        {"minutes": minutes, "domains": _domains(lang)}, request
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _domains(lang: str) -> list[dict[str, str]]:
    from skillnader.domains import DOMAINS

    return [{"id": d.id, "name": d.name(lang)} for d in DOMAINS]
