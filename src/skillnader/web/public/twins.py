"""HTML pages with JSON and CSV twins, in the style of datasette.

Every page view returns a :class:`Page`; :func:`respond` renders it as HTML, JSON or CSV
depending on ``?format=json|csv`` or a ``.json``/``.csv`` suffix in the URL. The JSON twin is the
page's data (not its presentation), the CSV twin its main table. Output is deterministic (fixed
key order, no timestamps in the body) so that ``ETag``s from ``ConditionalGetMiddleware`` are
stable, and ``Last-Modified`` is the time of the latest imported release.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.http import http_date

from skillnader.safecsv import safe_cell, safe_row
from skillnader.web import ratelimit
from skillnader.web.data import queries

FORMATS = ("html", "json", "csv", "csv-sv")
#: URL suffixes of the formats (``/indicator/x.sv.csv`` is the "Svensk Excel" CSV).
SUFFIXES = {"json": "json", "csv": "csv", "sv.csv": "csv-sv"}


@dataclass
class Page:
    """What a page view produces: template context, JSON data and the CSV table."""

    template: str
    context: dict[str, Any]
    data: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] | None = None
    filename: str = "data"


def requested_format(request: HttpRequest, fmt: str | None) -> str:
    """The output format from the URL suffix or the ``format`` parameter (default HTML)."""
    fmt = SUFFIXES.get(fmt, fmt) if fmt else (request.GET.get("format") or "html")
    if fmt not in FORMATS:
        raise Http404(f"unknown format {fmt!r}")
    return fmt


def json_bytes(data: Any) -> bytes:
    """Deterministic UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def csv_text(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """CSV with a header row; ``None`` becomes an empty field, floats keep full precision, and
    text a spreadsheet would run as a formula is neutralised (:mod:`skillnader.safecsv`)."""
    cols = columns or (list(rows[0].keys()) if rows else [])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(safe_row(cols))
    for r in rows:
        writer.writerow(safe_row(r.get(c) for c in cols))
    return buf.getvalue()


def excel_csv_text(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """CSV as Excel set to Swedish opens it: ``;`` between fields, decimal comma, full precision
    (:func:`skillnader.numbers.excel_number`); text guarded against formulas as in
    :func:`csv_text`."""
    from skillnader.numbers import excel_number

    cols = columns or (list(rows[0].keys()) if rows else [])
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(safe_row(cols))
    for r in rows:
        values = [r.get(c) for c in cols]
        writer.writerow(
            [
                excel_number(v)
                if isinstance(v, int | float) and not isinstance(v, bool)
                else safe_cell(v)
                for v in values
            ]
        )
    return buf.getvalue()


def _stamp(response: HttpResponse) -> HttpResponse:
    modified = queries.last_modified()
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    return response


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """A deterministic JSON response with ``Last-Modified``."""
    resp = HttpResponse(json_bytes(data), content_type="application/json", status=status)
    return _stamp(resp)


def csv_response(
    rows: list[dict[str, Any]], columns: list[str] | None, filename: str
) -> HttpResponse:
    """A CSV download (UTF-8 with BOM so that spreadsheet programs detect the encoding)."""
    body = "\ufeff" + csv_text(rows, columns)
    resp = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return _stamp(resp)


def respond(request: HttpRequest, page: Page, fmt: str | None) -> HttpResponse:
    """Render ``page`` in the requested format."""
    fmt = requested_format(request, fmt)
    if fmt == "json":
        return json_response(page.data)
    if fmt == "csv":
        return csv_response(page.rows, page.columns, page.filename)
    if fmt == "csv-sv":
        body = "\ufeff" + excel_csv_text(page.rows, page.columns)
        resp = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{page.filename}-excel.csv"'
        return _stamp(resp)
    return _stamp(render(request, page.template, page.context))


_CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = "__CSRF_TOKEN__"
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Link")


#: Query parameters that can change a public page or an API response: every parameter the
#: views read. Any other (``utm_source``, ``fbclid``, cache busters) is dropped before the view
#: runs, so it neither changes the page nor makes a new cache entry.
PAGE_PARAMETERS = frozenset(
    {
        "a",
        "after",
        "area",
        "benchmark",
        "bg",
        "board",
        "breakdown",
        "colour",
        "domain",
        "example",
        "format",
        "group",
        "indicator",
        "lang",
        "level",
        "limit",
        "period",
        "q",
        "scope",
        "trend",
        "vintage",
        "year",
    }
)


def page_query(request: HttpRequest) -> QueryDict:
    """The request's query restricted to :data:`PAGE_PARAMETERS`, in a canonical order."""
    kept = QueryDict(mutable=True)
    for name in sorted(request.GET):
        if name in PAGE_PARAMETERS:
            kept.setlist(name, request.GET.getlist(name))
    kept._mutable = False
    return kept


def cached_page(view):
    """Cache a page view's successful GET responses per URL, language and data version.

    The URL of the key is the path and the query restricted to :data:`PAGE_PARAMETERS` (the
    view sees only those too), so junk parameters neither grow the cache nor miss it.

    Pages are pure functions of their URL, the language and the published data, so a cached
    body is served until the next import changes :func:`queries.data_version`. The one
    per-visitor part, the CSRF token of the language form, is replaced on every hit. The host is
    part of the key because API responses carry absolute ``next`` links.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        request.GET = page_query(request)
        query = request.GET.urlencode()
        path = request.path + ("?" + query if query else "")
        host = request.get_host()
        digest = hashlib.sha256(
            f"{view.__module__}.{view.__name__}|{host}|{path}".encode()
        ).hexdigest()
        key = f"skillnader:page:{queries.lang()}:{queries.data_version()}:{digest}"
        hit = cache.get(key)
        if hit is None:
            # Making a page costs; serving a cached one does not: only misses are rate-limited.
            refused = ratelimit.check(request, "render")
            if refused is not None:
                return refused
            with ratelimit.render_slot(request) as busy:
                if busy is not None:
                    return busy
                response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            body = response.content
            if response["Content-Type"].startswith("text/html"):
                body = _CSRF_FIELD.sub(rf"\g<1>{_CSRF_PLACEHOLDER}\g<2>", body.decode()).encode()
            headers = {h: response[h] for h in _KEPT_HEADERS if h in response}
            cache.set(key, (body, headers), queries.CACHE_SECONDS)
            if not response["Content-Type"].startswith("text/html"):
                return response
            hit = (body, headers)
        body, headers = hit
        if headers.get("Content-Type", "").startswith("text/html"):
            body = body.replace(_CSRF_PLACEHOLDER.encode(), get_token(request).encode())
        response = HttpResponse(body)
        for h, v in headers.items():
            response[h] = v
        return _stamp(response)

    return wrapper
