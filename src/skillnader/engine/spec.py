"""Declarative indicator specifications for the person-level engine.

An indicator file is YAML::

    indicators:
      - id: employment_rate_20_64
        measure: proportion          # proportion | count | rate | mean | median
        numerator: employed          # boolean expression over record columns
        population: "not student"    # who is in the denominator (default: everyone)
        min_age: 20                  # optional, inclusive
        max_age: 64                  # optional, inclusive
        weight: weight               # optional weight column (surveys)
        threshold: 5                 # publication threshold (default 5)
      - id: social_assistance_per_1000
        measure: rate
        per: 1000
        numerator: social_assistance
      - id: mean_wage_income
        measure: mean
        value: wage_income           # numeric column for mean / median
        min_age: 20

Expressions use the whitelist grammar of :mod:`skillnader.engine.expression`; nothing in a
specification is passed to SQL as text. Every problem raises :class:`SpecError` (a
:class:`~skillnader.errors.MappingError`) naming the file and the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from skillnader.engine.expression import Expression, ExpressionError, parse_expression
from skillnader.errors import MappingError

__all__ = [
    "MEASURES",
    "IndicatorSpec",
    "SpecError",
    "load_specs",
    "parse_specs",
]

MEASURES = ("proportion", "count", "rate", "mean", "median")
_ALLOWED_KEYS = {
    "id",
    "measure",
    "numerator",
    "population",
    "value",
    "weight",
    "min_age",
    "max_age",
    "per",
    "threshold",
    "label",
}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULT_THRESHOLD = 5


class SpecError(MappingError):
    """An indicator specification is invalid or does not fit the records."""


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator: what is counted, among whom, and how it is summarised.

    ``numerator`` is set for proportion, count and rate; ``value`` for mean and median.
    ``population`` restricts the denominator (``None`` = every record). ``per`` scales rates
    (events per ``per`` persons) and is 1 for the other measures. ``threshold`` is the smallest
    count or denominator that may be published; 0 turns suppression off, for internal analyses
    whose output is never published. ``source`` is the file the spec came from.
    """

    id: str
    measure: str
    numerator: Expression | None = None
    population: Expression | None = None
    value: str | None = None
    weight: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    per: float = 1.0
    threshold: int = DEFAULT_THRESHOLD
    label: str | None = None
    source: str | None = None
    position: int | None = None

    @property
    def location(self) -> str:
        """Where this spec sits in its file, for error messages."""
        index = "" if self.position is None else f"[{self.position}]"
        return f"indicators{index} (id {self.id})"

    def columns(self) -> set[str]:
        """Record columns the indicator reads (the age column is added by the compiler)."""
        used: set[str] = set()
        for expr in (self.numerator, self.population):
            if expr is not None:
                used |= expr.columns
        for name in (self.value, self.weight):
            if name is not None:
                used.add(name)
        return used


def _error(message: str, path: str | None, location: str, value=None, expected=None) -> SpecError:
    return SpecError(message, path=path, location=location, value=value, expected=expected)


def _expression(raw, path, location) -> Expression:
    if isinstance(raw, bool):
        raise _error(
            "expression must be text", path, location, raw, 'e.g. "employed and age >= 20"'
        )
    try:
        return parse_expression(str(raw))
    except ExpressionError as exc:
        raise _error(
            f"invalid expression: {exc}", path, location, raw, "the filter grammar"
        ) from exc


def _column(raw, path, location) -> str:
    if not isinstance(raw, str) or not _COLUMN.match(raw):
        raise _error("not a column name", path, location, raw, "letters, digits and _")
    return raw


def _int(raw, path, location, minimum: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
        raise _error("not a whole number", path, location, raw, f"an integer >= {minimum}")
    return raw


def _one(entry, index: int, path: str | None) -> IndicatorSpec:
    where = f"indicators[{index}]"
    if not isinstance(entry, Mapping):
        raise _error("an indicator must be a mapping of keys", path, where, entry)
    raw_id = entry.get("id")
    if not isinstance(raw_id, str) or not _ID.match(raw_id):
        raise _error(
            "missing or invalid id", path, f"{where}.id", raw_id, "lower-case letters, digits, _"
        )
    where = f"indicators[{index}] (id {raw_id})"
    unknown = sorted(set(map(str, entry)) - _ALLOWED_KEYS)
    if unknown:
        raise _error(
            "unknown key",
            path,
            f"{where}.{unknown[0]}",
            unknown[0],
            ", ".join(sorted(_ALLOWED_KEYS)),
        )
    measure = entry.get("measure")
    if measure not in MEASURES:
        raise _error("unknown measure", path, f"{where}.measure", measure, " | ".join(MEASURES))

    numerator = population = None
    value = weight = None
    if measure in ("proportion", "count", "rate"):
        if "numerator" not in entry:
            raise _error(f"a {measure} needs a numerator", path, f"{where}.numerator")
        if "value" in entry:
            raise _error(f"a {measure} has no value column", path, f"{where}.value", entry["value"])
        numerator = _expression(entry["numerator"], path, f"{where}.numerator")
    else:
        if "value" not in entry:
            raise _error(f"a {measure} needs a value column", path, f"{where}.value")
        if "numerator" in entry:
            raise _error(
                f"a {measure} has no numerator", path, f"{where}.numerator", entry["numerator"]
            )
        value = _column(entry["value"], path, f"{where}.value")
    if "population" in entry:
        population = _expression(entry["population"], path, f"{where}.population")
    if "weight" in entry:
        weight = _column(entry["weight"], path, f"{where}.weight")
        if measure == "median":
            raise _error(
                "weighted medians are not supported", path, f"{where}.weight", weight, "no weight"
            )

    per = 1.0
    if "per" in entry:
        if measure != "rate":
            raise _error("only a rate has 'per'", path, f"{where}.per", entry["per"])
        raw_per = entry["per"]
        if isinstance(raw_per, bool) or not isinstance(raw_per, int | float) or raw_per <= 0:
            raise _error("invalid 'per'", path, f"{where}.per", raw_per, "a positive number")
        per = float(raw_per)
    elif measure == "rate":
        raise _error("a rate needs 'per' (e.g. 1000)", path, f"{where}.per")

    min_age = _int(entry["min_age"], path, f"{where}.min_age", 0) if "min_age" in entry else None
    max_age = _int(entry["max_age"], path, f"{where}.max_age", 0) if "max_age" in entry else None
    if min_age is not None and max_age is not None and min_age > max_age:
        raise _error("min_age is above max_age", path, f"{where}.max_age", max_age, f">= {min_age}")
    threshold = (
        _int(entry["threshold"], path, f"{where}.threshold", 0)
        if "threshold" in entry
        else DEFAULT_THRESHOLD
    )
    label = entry.get("label")
    if label is not None and not isinstance(label, str):
        raise _error("label must be text", path, f"{where}.label", label)
    return IndicatorSpec(
        id=raw_id,
        measure=measure,
        numerator=numerator,
        population=population,
        value=value,
        weight=weight,
        min_age=min_age,
        max_age=max_age,
        per=per,
        threshold=threshold,
        label=label,
        source=path,
        position=index,
    )


def parse_specs(document, *, path: str | None = None) -> tuple[IndicatorSpec, ...]:
    """Validate an already-loaded YAML document (``{"indicators": [...]}``) into specs."""
    if not isinstance(document, Mapping) or "indicators" not in document:
        raise _error("the file must have a top-level 'indicators' list", path, "top level")
    extra = sorted(set(map(str, document)) - {"indicators"})
    if extra:
        raise _error("unknown top-level key", path, extra[0], extra[0], "indicators")
    entries = document["indicators"]
    if not isinstance(entries, list) or not entries:
        raise _error("'indicators' must be a non-empty list", path, "indicators", entries)
    specs = tuple(_one(entry, i, path) for i, entry in enumerate(entries))
    seen: dict[str, int] = {}
    for spec in specs:
        if spec.id in seen:
            raise _error(
                f"duplicate id (first at indicators[{seen[spec.id]}])",
                path,
                f"{spec.location}.id",
                spec.id,
                "unique ids",
            )
        seen[spec.id] = spec.position or 0
    return specs


def load_specs(source: str | Path) -> tuple[IndicatorSpec, ...]:
    """Read and validate an indicator YAML file (a path, or YAML text containing a newline)."""
    if isinstance(source, Path) or "\n" not in str(source):
        path = str(source)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise _error(f"cannot read the file: {exc.strerror}", path, "file") from exc
    else:
        path, text = None, str(source)
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        location = f"line {mark.line + 1}" if mark is not None else "YAML"
        raise _error(f"not valid YAML: {getattr(exc, 'problem', exc)}", path, location) from exc
    return parse_specs(document, path=path)


def check_columns(
    specs: Iterable[IndicatorSpec], available: Mapping[str, str], *, age_column: str | None
) -> None:
    """Raise :class:`SpecError` if a spec reads a column the records do not have.

    ``available`` maps column name to its SQL type (as DuckDB reports it). A bare column used as
    a numerator or population must be BOOLEAN, and value/weight columns must be numeric.
    """
    numeric: tuple[str, ...] = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
    numeric += ("FLOAT", "DOUBLE", "DECIMAL", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
    for spec in specs:
        for key in ("numerator", "population"):
            expr = getattr(spec, key)
            if expr is None:
                continue
            for name in sorted(expr.columns):
                if name not in available:
                    raise _error(
                        f"unknown column {name!r}",
                        spec.source,
                        f"{spec.location}.{key}",
                        expr.text,
                        "one of " + ", ".join(sorted(available)),
                    )
            if expr.is_bare_column and available[next(iter(expr.columns))] != "BOOLEAN":
                raise _error(
                    "a bare column must be boolean",
                    spec.source,
                    f"{spec.location}.{key}",
                    expr.text,
                    f'a comparison such as "{expr.text} = 1"',
                )
        for key in ("value", "weight"):
            name = getattr(spec, key)
            if name is None:
                continue
            kind = available.get(name)
            if kind is None:
                raise _error(
                    f"unknown column {name!r}", spec.source, f"{spec.location}.{key}", name
                )
            if not kind.startswith(numeric):
                raise _error(
                    "column is not numeric", spec.source, f"{spec.location}.{key}", kind, "numbers"
                )
        if (spec.min_age is not None or spec.max_age is not None) and (
            age_column is None or age_column not in available
        ):
            raise _error(
                "age filter but the records have no age column",
                spec.source,
                f"{spec.location}.min_age",
                age_column,
                "an age column in the records",
            )
