"""The five statistical domains of living conditions. Their ids are stable and used everywhere."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    id: str
    name_sv: str
    name_en: str
    order: int

    def name(self, lang: str = "sv") -> str:
        return self.name_en if lang == "en" else self.name_sv


DOMAINS: tuple[Domain, ...] = (
    Domain("health", "Välbefinnande och hälsa", "Well-being and health", 1),
    Domain("education", "Uppväxtvillkor och utbildning", "Growing-up conditions and education", 2),
    Domain("work", "Arbete och försörjning", "Work and livelihood", 3),
    Domain("housing", "Boende och stadsmiljö", "Housing and urban environment", 4),
    Domain("democracy", "Demokrati och trygghet", "Democracy and safety", 5),
)

DOMAIN_IDS: tuple[str, ...] = tuple(d.id for d in DOMAINS)


def get(domain_id: str) -> Domain:
    for d in DOMAINS:
        if d.id == domain_id:
            return d
    raise KeyError(f"unknown domain {domain_id!r}; known: {', '.join(DOMAIN_IDS)}")
