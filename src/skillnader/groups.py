"""The population groups indicators are broken down by, as they are named in sentences.

A group gap compares the two sides of one dimension ("the gap between women and men"); the
findings and the reports name the pair from here.
"""

from __future__ import annotations

#: The two sides of a group dimension, named together, per language.
GROUP_PAIR_NAMES: dict[str, dict[str, str]] = {
    "sv": {"sex": "kvinnor och män", "birth_region": "utrikes och inrikes födda"},
    "en": {"sex": "women and men", "birth_region": "people born abroad and born in Sweden"},
}


def group_pair(dimension: str, lang: str = "sv") -> str:
    """``"sex"`` → ``"kvinnor och män"``; an unknown dimension is returned as it is."""
    return GROUP_PAIR_NAMES.get(lang, GROUP_PAIR_NAMES["sv"]).get(dimension, dimension)
