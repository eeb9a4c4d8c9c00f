"""Download buttons for the reports: the city report and an area profile as PDF (or HTML).

Generating a city report takes tens of seconds, so each file is kept on disk under the data
version (:func:`skillnader.web.data.queries.data_version`), the year and the language. The city
report of the latest year is built in the background as soon as new data are committed
(:mod:`skillnader.web.public.publish`); otherwise the first request makes it (:func:`build_once`: under a lock shared by the worker processes, so
simultaneous first requests wait for that one file instead of each building it), later ones are
served from the file until new data are imported.

URL patterns (to include in the public app's ``urls.py``)::

    path("report/city/", reports_views.city_report, name="report-city"),
    path("report/area/<code:level>/<code:vintage>/<code:code>/", reports_views.area_report,
         name="report-area"),

Query parameters: ``year`` (default: the latest year with data), ``lang`` (``sv``/``en``,
default: the page language) and ``format`` (``pdf`` default, or ``html``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponseBadRequest,
    HttpResponseNotFound,
)
from django.views.decorators.http import require_GET

from skillnader.errors import InputError, UnknownAreaError
from skillnader.web.data import queries


def _cache_dir() -> Path:
    path = Path(settings.DATA_DIR) / "cache" / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _options(request: HttpRequest) -> tuple[int | None, str, str]:
    raw_year = request.GET.get("year") or ""
    if raw_year and not raw_year.isdigit():
        raise InputError("year must be a number", value=raw_year, expected="e.g. 2023")
    year = int(raw_year) if raw_year else None
    lang = request.GET.get("lang") or queries.lang()
    if lang not in ("sv", "en"):
        raise InputError("unknown language", value=lang, expected="sv or en")
    fmt = request.GET.get("format") or "pdf"
    if fmt not in ("pdf", "html"):
        raise InputError("unknown format", value=fmt, expected="pdf or html")
    return year, lang, fmt


def _file(name: str, fmt: str) -> Path:
    digest = hashlib.sha256(f"{queries.data_version()}|{name}".encode()).hexdigest()[:16]
    return _cache_dir() / f"{name}-{digest}.{fmt}"


def build_once(target: Path, build: Callable[[Path], object]) -> Path:
    """Make ``target`` with ``build(path)`` unless it exists; safe across threads and processes.

    The builder writes a temporary file next to ``target`` that is renamed into place when it is
    complete, so no one ever serves half a report. A lock file shared by every worker process
    (``flock``) makes the first request build and the others wait for the same file instead of
    each building it again.
    """
    if target.exists():
        return target
    lock_path = target.with_name(target.name + ".lock")
    with open(lock_path, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not target.exists():
                partial = target.with_name(f".{target.stem}.{os.getpid()}.partial{target.suffix}")
                try:
                    build(partial)
                    os.replace(partial, target)
                finally:
                    partial.unlink(missing_ok=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def _respond(path: Path, filename: str, fmt: str):
    content_type = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    return FileResponse(
        path.open("rb"),
        content_type=content_type,
        as_attachment=fmt == "pdf",
        filename=filename if fmt == "pdf" else None,
    )


def city_report_file(year: int | None, lang: str, fmt: str = "pdf") -> tuple[Path, int]:
    """The city report's file for the current data (``year`` None: the latest year with data),
    built now unless it exists or is being built (then this waits for that build); returns the
    file and the year. The download view and the build at publication (:mod:`.publish`) share
    it, so they name and build the same file."""
    from skillnader.reports import data
    from skillnader.reports.city import city_report as make

    year = year or max(data.years_with_data(), default=0)
    target = build_once(_file(f"city-{year}-{lang}", fmt), lambda path: make(year, path, lang))
    return target, year


@require_GET
def city_report(request: HttpRequest):
    """The yearly city report (``?year=``, ``?lang=``, ``?format=``)."""
    try:
        year, lang, fmt = _options(request)
        target, year = city_report_file(year, lang, fmt)
    except InputError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    return _respond(target, f"skillnader-{year}-{lang}.{fmt}", fmt)


@require_GET
def area_report(request: HttpRequest, level: str, vintage: str, code: str):
    """The profile of one area (``?year=`` default: its latest year with data)."""
    from skillnader.reports import data
    from skillnader.reports.area import area_profile

    try:
        year, lang, fmt = _options(request)
        area = data.find_area(code, level, vintage)
        if year is None:
            cells = queries.area_cells(area.id)
            year = max((c["year"] for cs in cells.values() for c in cs), default=0)
        target = build_once(
            _file(f"area-{level}-{vintage}-{code}-{year}-{lang}", fmt),
            lambda path: area_profile(
                code, path, level=level, vintage=vintage, year=year, lang=lang
            ),
        )
    except UnknownAreaError as exc:
        return HttpResponseNotFound(str(exc), content_type="text/plain; charset=utf-8")
    except InputError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    return _respond(target, f"skillnader-{level}-{vintage}-{code}-{year}.{fmt}", fmt)
