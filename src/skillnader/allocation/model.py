"""Applicants and positions: the records an allocation works on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

#: Need criteria the city uses; a policy's tiers are defined over these names.
NEED_CRITERIA = ("social_assistance", "newly_arrived", "support_needs", "no_earlier_job")
EMPLOYER_TYPES = ("board", "city_company", "association", "private")
SEXES = ("female", "male", "other")


@dataclass(frozen=True)
class Applicant:
    """One youth's application. ``id`` is pseudonymous: no name or personal identity number."""

    id: str
    birth_date: dt.date
    sex: str
    born_in_sweden: bool | None
    home_area: str
    home_district: str
    school: str = ""
    social_assistance: bool = False
    newly_arrived: bool = False
    support_needs: bool = False
    earlier_summer_job: bool = False
    choices: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    @property
    def no_earlier_job(self) -> bool:
        return not self.earlier_summer_job

    def criteria(self) -> dict[str, bool]:
        return {c: bool(getattr(self, c)) for c in NEED_CRITERIA}

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


@dataclass(frozen=True)
class Position:
    """A workplace's places of one kind: ``capacity`` youths can be placed here."""

    id: str
    employer: str
    employer_type: str
    district: str
    inner_city: bool
    category: str
    period: str
    capacity: int
    min_age: int | None = None
    max_age: int | None = None
    requirements: tuple[str, ...] = field(default=())
