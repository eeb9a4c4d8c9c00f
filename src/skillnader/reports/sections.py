"""Chapters of the city report that other parts of the product contribute.

The reports sit below the apps whose data they print: an app that has a chapter to add (the
goals app's "Måluppfyllelse") registers a function here when Django starts
(:meth:`django.apps.AppConfig.ready`), and the city report asks for it by name. The reports
therefore import no app that imports them back, and a product without that app prints the
report without the chapter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: A chapter's provider: (year, language) → the chapter's context, or None when it has nothing
#: for the year.
Provider = Callable[[int, str], "dict[str, Any] | None"]

_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Make ``provider`` the source of the chapter ``name`` (a later registration replaces an
    earlier one, so that a reloaded app does not add a second copy)."""
    _PROVIDERS[name] = provider


def chapter(name: str, year: int, lang: str) -> dict[str, Any] | None:
    """The chapter ``name`` for ``year`` in ``lang``; None when no app provides it."""
    provider = _PROVIDERS.get(name)
    return provider(year, lang) if provider is not None else None


def registered() -> list[str]:
    """The names of the chapters some app provides."""
    return sorted(_PROVIDERS)
