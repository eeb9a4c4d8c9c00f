"""The catalogue's public text speaks Swedish (and English) to people: no Python module names,
and a Swedish wording for every numerator and denominator."""

from __future__ import annotations

import re

from skillnader.catalog import load_catalog

DOTTED = re.compile(r"\bskillnader\.[a-z_]+")


def test_no_module_names_in_public_text():
    for s in load_catalog():
        for field in (
            "source",
            "interval_note",
            "interval_note_sv",
            "definition_sv",
            "definition_en",
            "numerator",
            "denominator",
        ):
            assert not DOTTED.search(getattr(s, field) or ""), (s.id, field)


def test_every_numerator_and_denominator_has_a_swedish_wording():
    for s in load_catalog():
        assert bool(s.numerator) <= bool(s.numerator_sv), s.id
        assert bool(s.denominator) <= bool(s.denominator_sv), s.id
