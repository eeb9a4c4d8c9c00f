"""Every indicator page stays under the page-weight budget (500 KB of HTML with its inline map
and chart data) at every area level that has data in the bundled real data: every published
indicator is opened at every level it has data for, in Swedish and in English, and the heaviest
page of each level is measured."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

BUDGET = 500 * 1000


@pytest.fixture(autouse=True)
def _bundle(bundle_db):
    from django.core.cache import cache

    cache.clear()
    yield bundle_db
    cache.clear()


def _levels_with_data() -> dict[str, list[str]]:
    """Level -> the published indicators with a value at that level."""
    from skillnader.web.data.models import public_observations

    out: dict[str, set[str]] = {}
    pairs = (
        public_observations()
        .filter(value__isnull=False)
        .values_list("area__level_id", "indicator_id")
        .distinct()
    )
    for level, indicator in pairs:
        out.setdefault(level, set()).add(indicator)
    return {k: sorted(v) for k, v in out.items()}


def _inline_data(body: str) -> dict[str, int]:
    """Bytes of each chart's inline spec (the map's boundaries included)."""
    return {
        m.group(1): len(m.group(2).encode())
        for m in re.finditer(
            r'<script id="([a-z]+-spec)" type="application/json">(.*?)</script>', body, re.S
        )
    }


def _heaviest(client, levels: dict[str, list[str]]) -> dict[str, tuple[int, str, dict]]:
    report = {}
    for level, indicators in sorted(levels.items()):
        heaviest: tuple[int, str, dict] = (0, "", {})
        for indicator in indicators:
            resp = client.get(f"/indicator/{indicator}/?level={level}")
            if resp.status_code == 404:  # the indicator's level is only a link to another
                continue
            assert resp.status_code == 200, (indicator, level)
            if len(resp.content) > heaviest[0]:
                heaviest = (len(resp.content), indicator, _inline_data(resp.content.decode()))
        assert heaviest[1], f"no indicator page at level {level}"
        report[level] = heaviest
    return report


def test_every_indicator_page_is_under_500_kb_at_every_level(client):
    levels = _levels_with_data()
    # The bundle has data from the country down to basområden and valdistrikt.
    assert {"kommun", "regso", "basomrade", "sdo", "valdistrikt"} <= set(levels), levels
    report = {"sv": _heaviest(client, levels)}
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    report["en"] = _heaviest(client, levels)
    # The heaviest level carries a map with hundreds of areas: the test measures real weight.
    assert max(size for size, _i, _d in report["sv"].values()) > 100_000
    if os.environ.get("SKILLNADER_PAGE_WEIGHT_REPORT"):
        Path(os.environ["SKILLNADER_PAGE_WEIGHT_REPORT"]).write_text(json.dumps(report, indent=1))
    over = {
        (language, level): found
        for language, levels_found in report.items()
        for level, found in levels_found.items()
        if found[0] >= BUDGET
    }
    assert not over, over
