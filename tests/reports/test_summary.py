"""The summary of the city report for a finding where the city improves while the gap widens.

The bundled real data hold no such finding, so this module builds one from a small synthetic
series (clearly synthetic: one indicator, eight areas, five years) run through the real
analysis, and renders the real template with it. No database is needed.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import polars as pl
import pytest

from skillnader.analysis.findings import IndicatorInfo, analyse
from skillnader.reports import render
from skillnader.reports.city import evidence, summary, template_words
from skillnader.reports.data import CityConfig
from skillnader.reports.text import number


@pytest.fixture(scope="module")
def finding():
    rows = []
    for t, year in enumerate(range(2016, 2021)):
        v = 60 + 2 * t
        rows.append(("x", "kommun", "2003", "0180", "", str(year), v, v - 0.3, v + 0.3))
        for k in range(8):
            v = 50 + (k - 3.5) * (2 + 1.5 * t)
            rows.append(("x", "sdo", "2023", f"a{k}", "", str(year), v, v - 0.4, v + 0.4))
    cols = ["indicator", "level", "vintage", "area_code", "group", "period", "value"]
    frame = pl.DataFrame(rows, schema=[*cols, "lower", "upper"], orient="row")
    info = IndicatorInfo("x", "Syntetisk andel", "Synthetic share", "higher_is_better", "percent")
    (f,) = analyse(frame, {"x": info}, benchmark="0180", benchmark_name="Stockholm")
    assert f.headline == "improves_while_gap_widens"
    return f


IND = SimpleNamespace(
    id="x",
    name_sv="Syntetisk andel",
    name_en="Synthetic share",
    decimals=1,
    polarity="higher_is_better",
)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_summary_states_the_finding_with_its_evidence(finding, lang):
    headline, others = summary([finding], [IND], lang)
    assert others == []
    assert [h["id"] for h in headline] == ["x"]
    html = render.render_template(
        "city.html",
        {
            "lang": lang,
            "title": "t",
            "subtitle": "s",
            "city": CityConfig(),
            "headline": headline,
            "others": others,
            "chapters": [],
            "thresholds": [],
            "vintages": [],
            "sources": [],
            "w": template_words(lang),
            "summary_intro": "",
        },
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    sentence = finding.sentence_sv if lang == "sv" else finding.sentence_en
    assert sentence in text
    assert (
        "medan skillnaden mellan stadsdelsområdena ökar"
        if lang == "sv"
        else "while the gap between district council areas is widening"
    ) in text
    # The evidence table holds the analysis' own numbers: the gap change and its interval.
    gap = next(g for g in finding.gaps if g.direction == "widening")
    for value in (gap.change, gap.change_lower, gap.change_upper, gap.values[-1]):
        assert number(value, 1, lang) in text
    assert any(
        e["assessment"] == ("ökar" if lang == "sv" else "widening")
        for e in evidence(finding, IND, lang)
    )
