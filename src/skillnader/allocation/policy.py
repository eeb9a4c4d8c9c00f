"""The allocation policy as data: a versioned YAML file shown on the public page.

A policy names its priority tiers by need (over the criteria in
:data:`~skillnader.allocation.model.NEED_CRITERIA`), the share of each workplace's places reserved
for a tier, the minimum number of youths from every home district, the mixing rule between the
inner and the outer city, the age and period rules, and the lottery that orders applicants of one
tier. See ``src/skillnader/allocation/data/policy_example.yaml`` for an annotated example.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from skillnader.allocation.model import NEED_CRITERIA, Applicant
from skillnader.errors import InputError


class PolicyError(InputError):
    """The policy file is not valid: names the key and what was expected."""


@dataclass(frozen=True)
class Tier:
    id: int
    label: str
    any_of: tuple[str, ...]
    all_of: tuple[str, ...]
    weight: float
    reserve: float

    def matches(self, a: Applicant) -> bool:
        return self.matches_criteria(a.criteria())

    def matches_criteria(self, crit: dict[str, bool]) -> bool:
        """As :meth:`matches`, given the applicant's :meth:`~Applicant.criteria`."""
        if self.all_of and not all(crit[c] for c in self.all_of):
            return False
        return not self.any_of or any(crit[c] for c in self.any_of)


@dataclass(frozen=True)
class Policy:
    id: str
    version: str
    title: str
    reference_date: dt.date
    min_age: int
    max_age: int
    periods: tuple[str, ...]
    max_positions: int
    tiers: tuple[Tier, ...]
    outer_share_of_inner: float
    inner_share_of_outer: float
    district_min_share: float
    district_min_places: dict[str, int]
    seed_published: dt.date | None
    disclosure_threshold: int
    text: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """SHA-256 of the policy file's text: the version that was applied, exactly."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def tier_of(self, a: Applicant) -> Tier:
        crit = a.criteria()
        for t in self.tiers:
            if t.matches_criteria(crit):
                return t
        return self.tiers[-1]

    def tier_by_id(self, tid: int) -> Tier:
        return next(t for t in self.tiers if t.id == tid)

    def reserved_slots(self, capacity: int, inner_city: bool) -> list[tuple[str, object]]:
        """The reserved slots of a workplace, in the order they are filled after the open ones.

        Mixing slots first (for youths from the other side of the city), then tier slots. Each
        count is the share times the capacity rounded half up; together at most the capacity.
        """
        slots: list[tuple[str, object]] = []
        share = self.outer_share_of_inner if inner_city else self.inner_share_of_outer
        n_mix = _round_half_up(share * capacity)
        slots += [("home_inner", not inner_city)] * n_mix
        for t in self.tiers:
            slots += [("tier", t.id)] * _round_half_up(t.reserve * capacity)
        return slots[:capacity]

    def district_minimum(self, district: str, eligible_applicants: int) -> int:
        """Youths from ``district`` the policy guarantees a place (at most its eligible ones)."""
        n = self.district_min_places.get(district, self.district_min_places.get("default", 0))
        n = max(n, math.ceil(self.district_min_share * eligible_applicants - 1e-9))
        return min(n, eligible_applicants)

    def public_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "digest": self.digest,
            "reference_date": self.reference_date.isoformat(),
            "age": {"min": self.min_age, "max": self.max_age},
            "periods": list(self.periods),
            "max_positions_per_applicant": self.max_positions,
            "tiers": [
                {
                    "id": t.id,
                    "label": t.label,
                    "any": list(t.any_of),
                    "all": list(t.all_of),
                    "weight": t.weight,
                    "reserve": t.reserve,
                }
                for t in self.tiers
            ],
            "mixing": {
                "outer_share_of_inner_places": self.outer_share_of_inner,
                "inner_share_of_outer_places": self.inner_share_of_outer,
            },
            "district_minimum": {
                "share_of_eligible_applicants": self.district_min_share,
                "places": dict(self.district_min_places),
            },
            "lottery": {
                "seed_published": self.seed_published.isoformat() if self.seed_published else None,
                "method": "sha256(seed:applicant id), ascending",
            },
            "disclosure": {"threshold": self.disclosure_threshold},
        }


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5 + 1e-9))


def load_policy(path: str | Path) -> Policy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read the policy: {exc.strerror}", path=str(path)) from exc
    return parse_policy(text, source=str(path))


def parse_policy(text: str, source: str = "policy") -> Policy:
    """Parse and validate a policy; every error names the key and what was expected."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f"line {mark.line + 1}" if mark else None
        raise PolicyError("not valid YAML", path=source, location=loc) from exc
    if not isinstance(doc, dict):
        raise PolicyError("the policy must be a mapping", path=source, value=type(doc).__name__)

    def err(key, msg, value=None, expected=None):
        return PolicyError(msg, path=source, location=f"key {key}", value=value, expected=expected)

    def need(key, kind, d=doc, where=""):
        if key not in d:
            raise err(where + key, "missing", expected=f"a {kind.__name__}")
        v = d[key]
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, kind) or isinstance(v, bool) and kind is not bool:
            raise err(where + key, "wrong type", value=v, expected=f"a {kind.__name__}")
        return v

    def share(v, key):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
            raise err(key, "not a share", value=v, expected="a number from 0 to 1")
        return float(v)

    pid = str(need("policy", str))
    version = str(doc.get("version", ""))
    if not version:
        raise err("version", "missing", expected="a version label such as '2027.1'")
    ref = doc.get("reference_date")
    if isinstance(ref, str):
        try:
            ref = dt.date.fromisoformat(ref)
        except ValueError:
            raise err("reference_date", "not a date", value=ref, expected="YYYY-MM-DD") from None
    if not isinstance(ref, dt.date):
        raise err("reference_date", "missing or not a date", value=ref, expected="YYYY-MM-DD")
    age = need("age", dict)
    min_age, max_age = age.get("min"), age.get("max")
    if not isinstance(min_age, int) or not isinstance(max_age, int) or min_age > max_age:
        raise err("age", "needs integer min <= max", value=age, expected="{min: 16, max: 18}")
    periods = need("periods", list)
    if not periods or not all(isinstance(p, (str, int)) for p in periods):
        raise err("periods", "needs a list of period names", value=periods)
    tiers_doc = need("tiers", list)
    if not tiers_doc:
        raise err("tiers", "needs at least one tier")
    tiers = []
    seen = set()
    for i, t in enumerate(tiers_doc):
        where = f"tiers[{i}]."
        if not isinstance(t, dict):
            raise err(f"tiers[{i}]", "a tier must be a mapping", value=t)
        tid = t.get("id")
        if not isinstance(tid, int) or isinstance(tid, bool) or tid in seen:
            raise err(where + "id", "needs a unique integer", value=tid)
        seen.add(tid)
        crit = []
        for k in ("any", "all"):
            vals = t.get(k) or []
            if not isinstance(vals, list):
                raise err(where + k, "needs a list of criteria", value=vals)
            for c in vals:
                if c not in NEED_CRITERIA:
                    raise err(
                        where + k, "unknown criterion", value=c, expected=", ".join(NEED_CRITERIA)
                    )
            crit.append(tuple(vals))
        weight = t.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            raise err(where + "weight", "needs a positive number", value=weight)
        tiers.append(
            Tier(
                id=tid,
                label=str(t.get("label", f"Tier {tid}")),
                any_of=crit[0],
                all_of=crit[1],
                weight=float(weight),
                reserve=share(t.get("reserve", 0), where + "reserve"),
            )
        )
    if tiers[-1].any_of or tiers[-1].all_of:
        raise err(f"tiers[{len(tiers) - 1}]", "the last tier must take everyone (no any/all)")
    if sum(t.reserve for t in tiers) > 1 + 1e-9:
        raise err(
            "tiers", "reserved shares add up to more than 1", value=sum(t.reserve for t in tiers)
        )
    mixing = doc.get("mixing") or {}
    if not isinstance(mixing, dict):
        raise err("mixing", "needs a mapping", value=mixing)
    dmin = doc.get("district_minimum") or {}
    if not isinstance(dmin, dict):
        raise err("district_minimum", "needs a mapping", value=dmin)
    places = dmin.get("places") or {}
    if not isinstance(places, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in places.values()
    ):
        raise err("district_minimum.places", "needs district: count", value=places)
    lottery = doc.get("lottery") or {}
    seed_pub = lottery.get("seed_published") if isinstance(lottery, dict) else None
    if isinstance(seed_pub, str):
        try:
            seed_pub = dt.date.fromisoformat(seed_pub)
        except ValueError:
            raise err("lottery.seed_published", "not a date", value=seed_pub) from None
    disclosure = doc.get("disclosure") or {}
    threshold = disclosure.get("threshold", 5) if isinstance(disclosure, dict) else 5
    if not isinstance(threshold, int) or threshold < 1:
        raise err("disclosure.threshold", "needs a positive integer", value=threshold)
    max_positions = doc.get("max_positions_per_applicant", 30)
    if not isinstance(max_positions, int) or max_positions < 1:
        raise err("max_positions_per_applicant", "needs a positive integer", value=max_positions)
    return Policy(
        id=pid,
        version=version,
        title=str(doc.get("title", pid)),
        reference_date=ref,
        min_age=min_age,
        max_age=max_age,
        periods=tuple(str(p) for p in periods),
        max_positions=max_positions,
        tiers=tuple(tiers),
        outer_share_of_inner=share(
            mixing.get("outer_share_of_inner_places", 0), "mixing.outer_share_of_inner_places"
        ),
        inner_share_of_outer=share(
            mixing.get("inner_share_of_outer_places", 0), "mixing.inner_share_of_outer_places"
        ),
        district_min_share=share(
            dmin.get("share_of_eligible_applicants", 0),
            "district_minimum.share_of_eligible_applicants",
        ),
        district_min_places={str(k): v for k, v in places.items()},
        seed_published=seed_pub if isinstance(seed_pub, dt.date) else None,
        disclosure_threshold=threshold,
        text=text,
        source=source,
    )
