"""Static rendering: Vega-Lite specs to SVG, HTML templates to HTML files and PDFs.

Charts are the specs of :mod:`skillnader.charts.vegalite` (the same the web pages draw),
rendered by vl-convert to SVG and embedded as images with the spec's description as alternative
text. Rendered charts are cached in memory and on disk under the hash of the spec, so a profile
run over many areas renders each distinct chart once.

Files are written to a temporary file next to the target and renamed into place, so an error
half-way never leaves a partial report behind.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from skillnader import numbers

logger = logging.getLogger(__name__)

_MEMORY: dict[str, str] = {}
#: Seconds spent in vl-convert since the process started (for the benchmark).
STATS = {"charts": 0, "cached": 0, "seconds": 0.0}


def spec_hash(spec: dict[str, Any]) -> str:
    """A stable hash of a spec (sorted keys)."""
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _cache_dir() -> Path | None:
    try:
        from django.conf import settings

        path = Path(settings.DATA_DIR) / "cache" / "report-charts"
        path.mkdir(parents=True, exist_ok=True)
        return path
    except (ImportError, OSError, AttributeError):
        return None


#: d3-format locales for the axis labels: Swedish decimal comma, narrow no-break space between
#: thousands and the true minus sign (Svenska skrivregler), as in the report's text.
FORMAT_LOCALES: dict[str, dict[str, Any]] = {
    "sv": numbers.d3_locale("sv"),
    "en": numbers.d3_locale("en"),
}


#: One concrete font for the charts: vl-convert measures label widths with the font it resolves
#: and WeasyPrint draws the SVG text with the font *it* resolves; a generic family list
#: ("system-ui, …, sans-serif") resolves differently in the two, and right-aligned axis labels
#: then run off the left edge. DejaVu Sans is the report's text font as well.
PRINT_CONFIG = {"font": "DejaVu Sans"}
#: Part of the cache key: bump when the rendering itself changes.
RENDER_VERSION = 2


def svg(spec: dict[str, Any], lang: str = "sv") -> str:
    """The spec as SVG text (vl-convert, numbers in ``lang``'s format), cached by spec hash in
    memory and on disk."""
    key = spec_hash({"spec": spec, "lang": lang, "config": PRINT_CONFIG, "v": RENDER_VERSION})
    if key in _MEMORY:
        STATS["cached"] += 1
        return _MEMORY[key]
    cache = _cache_dir()
    target = cache / f"{key}.svg" if cache else None
    if target is not None and target.exists():
        text = target.read_text(encoding="utf-8")
        STATS["cached"] += 1
    else:
        import vl_convert

        t0 = time.perf_counter()
        # The spec's own config wins over vl-convert's ``config`` argument, so the print font
        # goes into a copy of the spec's config.
        printed = {**spec, "config": {**spec.get("config", {}), **PRINT_CONFIG}}
        text = vl_convert.vegalite_to_svg(printed, format_locale=FORMAT_LOCALES[lang])
        STATS["seconds"] += time.perf_counter() - t0
        STATS["charts"] += 1
        if target is not None:
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, target)
    _MEMORY[key] = text
    return text


def clear_memory_cache() -> None:
    """Forget the in-memory charts (the disk cache stays)."""
    _MEMORY.clear()


def chart(spec: dict[str, Any] | None, lang: str = "sv") -> dict[str, str] | None:
    """A chart ready for a template: ``{"src": data URI of the SVG, "alt": description}``."""
    if spec is None:
        return None
    text = svg(spec, lang)
    return {
        "src": "data:image/svg+xml;base64," + base64.b64encode(text.encode()).decode(),
        "alt": spec.get("description") or spec.get("title") or "",
    }


def render_template(name: str, context: dict[str, Any]) -> str:
    """Render one of the report templates (Django template language, autoescaped)."""
    from django.template import Context

    engine = _engine()
    return engine.get_template(name).render(Context(context))


_ENGINE = None


def _engine():
    global _ENGINE
    if _ENGINE is None:
        from django.template import Engine

        _ENGINE = Engine(
            dirs=[str(Path(__file__).parent / "templates")],
            autoescape=True,
            libraries={},
        )
    return _ENGINE


def pdf_bytes(html: str, *, title: str, lang: str) -> bytes:
    """The HTML printed to PDF by WeasyPrint: tagged (PDF/UA-1 when the installed WeasyPrint
    offers it, else plain tags), with the document title and language in its metadata."""
    from weasyprint import HTML

    doc = HTML(string=html, base_url=str(Path(__file__).parent / "templates")).render()
    doc.metadata.title = title
    doc.metadata.lang = lang
    for options in ({"pdf_variant": "pdf/ua-1"}, {"pdf_tags": True}, {}):
        try:
            return doc.write_pdf(**options)
        except (TypeError, ValueError, KeyError) as exc:
            # Older WeasyPrint versions lack the option; some content cannot meet PDF/UA.
            logger.warning("PDF written without %s: %s", options, exc)
    raise AssertionError("unreachable")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def output_kind(out: Path) -> str:
    """``"pdf"`` or ``"html"`` from the file suffix; anything else is an InputError."""
    from skillnader.errors import InputError

    suffix = Path(out).suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise InputError(
            "unknown report format", path=str(out), value=suffix, expected=".pdf or .html"
        )
    return "pdf" if suffix == ".pdf" else "html"


def write_report(html: str, out: Path, *, title: str, lang: str) -> Path:
    """Write the report as HTML or PDF (by ``out``'s suffix), atomically."""
    kind = output_kind(out)
    data = pdf_bytes(html, title=title, lang=lang) if kind == "pdf" else html.encode("utf-8")
    write_atomic(Path(out), data)
    return Path(out)
