"""The words for levels and groups in sentences come from one place for the findings and the
reports."""

from __future__ import annotations

import ast
from pathlib import Path

from skillnader.geography import LEVELS, level_plural
from skillnader.groups import group_pair

SRC = Path(__file__).resolve().parents[2] / "src" / "skillnader"


def test_every_area_level_has_a_plural_in_both_languages():
    for lv in LEVELS:
        if lv.id == "country":
            continue
        assert lv.plural_sv and lv.plural_en, lv.id
    assert level_plural("regso", "sv") == "RegSO-områdena"
    assert level_plural("regso", "en") == "RegSO areas"
    assert level_plural("no-such-level", "sv") == "no-such-level"
    assert group_pair("sex", "en") == "women and men"
    assert group_pair("birth_region", "sv") == "utrikes och inrikes födda"
    assert group_pair("age", "sv") == "age"


def test_no_other_module_spells_out_the_level_plurals():
    # a second copy of "stadsdelsområdena"/"RegSO-områdena" in a dict is how the findings and the
    # reports came to name the same level differently
    owners = {SRC / "geography.py", SRC / "groups.py"}
    copies = []
    for path in SRC.rglob("*.py"):
        if path in owners or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in {
                "RegSO-områdena",
                "stadsdelsområdena",
                "kvinnor och män",
                "women and men",
            }:
                copies.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert copies == []
