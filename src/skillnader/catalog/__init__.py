"""The indicator catalogue: what each indicator measures, how, from which source.

The catalogue is a set of versioned YAML files, one per domain, in
``src/skillnader/catalog/indicators/<domain>.yaml``::

    catalogue_version: "2026.1"
    domain: work
    indicators:
      - id: social_assistance_share
        name: {sv: ..., en: ...}
        domain: work
        unit: percent
        measure: proportion        # count, proportion, rate, mean, median, standardised_rate, index
        multiplier: 100            # value = numerator / denominator * multiplier
        decimals: 1
        polarity: lower_is_better  # higher_is_better, lower_is_better, no_judgement
        definition: {sv: ..., en: ...}
        numerator: ...             # in English; numerator_sv/denominator_sv in Swedish
        denominator: ...
        source: ...
        source_url: https://...
        external_ids: {kolada: N..., scb: ...}   # only identifiers that were verified
        publication_threshold: 5   # cells with a denominator (or count) below are suppressed
        suppress_zeros: false      # also suppress true zeros (optional, default false)
        rounding_base: 1           # published counts rounded to a multiple of this (optional,
                                   # default 1 = exact; at most publication_threshold)
        interval: wilson           # wilson, byar or none
        interval_note: ...         # why there is no interval, when there is none (English)
        interval_note_sv: ...      # the same in Swedish

:func:`load_catalog` reads and validates every file and raises :class:`CatalogError` (an
:class:`~skillnader.errors.InputError`) naming the file and the entry. :func:`skillnader.web.data.catalog_sync.sync_catalog` writes
the catalogue to the ``Indicator`` table.

Observation values follow the convention of the English public-health tools
(PHEindicatormethods): ``value = numerator / denominator * multiplier``, and ``lower``/``upper``
are on the same scale as ``value``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from skillnader.domains import DOMAIN_IDS
from skillnader.errors import InputError

__all__ = [
    "CATALOG_DIR",
    "MEASURES",
    "POLARITIES",
    "INTERVALS",
    "CatalogError",
    "IndicatorSpec",
    "load_catalog",
]

CATALOG_DIR = Path(__file__).resolve().parent / "indicators"

MEASURES = ("count", "proportion", "rate", "mean", "median", "standardised_rate", "index")
POLARITIES = ("higher_is_better", "lower_is_better", "no_judgement")
INTERVALS = ("wilson", "byar", "none")

_REQUIRED = (
    "id",
    "name",
    "domain",
    "unit",
    "measure",
    "multiplier",
    "decimals",
    "polarity",
    "definition",
    "source",
    "publication_threshold",
)
_OPTIONAL = (
    "numerator",
    "denominator",
    "numerator_sv",
    "denominator_sv",
    "source_url",
    "external_ids",
    "interval",
    "interval_note",
    "interval_note_sv",
    "published",
    "note",
    "suppress_zeros",
    "rounding_base",
)


class CatalogError(InputError):
    """An indicator catalogue file is invalid. ``path`` is the file, ``location`` the entry/key."""


@dataclass(frozen=True)
class IndicatorSpec:
    """One catalogue entry (see the module docstring for the meaning of each field)."""

    id: str
    name_sv: str
    name_en: str
    domain: str
    unit: str
    measure: str
    multiplier: float
    decimals: int
    polarity: str
    definition_sv: str
    definition_en: str
    numerator: str
    denominator: str
    source: str
    source_url: str
    external_ids: dict = field(default_factory=dict)
    publication_threshold: int = 5
    #: The rest of the publication policy (:class:`skillnader.stats.disclosure.Policy`).
    suppress_zeros: bool = False
    #: Published counts are rounded to a multiple of this (1: exact), see
    #: :func:`skillnader.stats.disclosure.published_numbers`.
    rounding_base: int = 1
    interval: str = "none"
    interval_note: str = ""
    interval_note_sv: str = ""
    published: bool = True
    #: Swedish wording of the numerator and denominator (``numerator`` is English).
    numerator_sv: str = ""
    denominator_sv: str = ""
    catalogue_version: str = ""
    order: int = 0
    path: str = ""


def _bilingual(entry: dict, key: str, path: Path, where: str) -> tuple[str, str]:
    val = entry.get(key)
    if not isinstance(val, dict) or not str(val.get("sv") or "").strip():
        raise CatalogError(
            f"{key!r} needs a Swedish text",
            path=str(path),
            location=f"{where}, key {key!r}",
            value=val,
            expected="a mapping {sv: ..., en: ...} with a non-empty 'sv'",
        )
    unknown = set(val) - {"sv", "en"}
    if unknown:
        raise CatalogError(
            f"{key!r} has unknown languages",
            path=str(path),
            location=f"{where}, key {key!r}",
            value=sorted(unknown),
            expected="only 'sv' and 'en'",
        )
    return str(val["sv"]).strip(), str(val.get("en") or "").strip()


def _choice(entry: dict, key: str, choices: tuple, path: Path, where: str) -> str:
    val = entry.get(key)
    if val not in choices:
        raise CatalogError(
            f"invalid {key}",
            path=str(path),
            location=f"{where}, key {key!r}",
            value=val,
            expected=" / ".join(choices),
        )
    return val


def _number(entry: dict, key: str, path: Path, where: str, *, integer: bool) -> float | int:
    val = entry.get(key)
    ok = isinstance(val, int) if integer else isinstance(val, (int, float))
    if isinstance(val, bool) or not ok or val < 0:
        raise CatalogError(
            f"invalid {key}",
            path=str(path),
            location=f"{where}, key {key!r}",
            value=val,
            expected="a non-negative integer" if integer else "a non-negative number",
        )
    return val


def _flag(entry: dict, key: str, path: Path, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise CatalogError(
            f"invalid {key}",
            path=str(path),
            location=f"{where}, key {key!r}",
            value=value,
            expected="true or false",
        )
    return value


def _rounding_base(entry: dict, path: Path, where: str) -> int:
    """The indicator's ``rounding_base``: a whole number of at least 1 (default 1, no rounding),
    and at most the publication threshold, so that every non-zero count published at all is at
    least the base and never rounds to 0."""
    base = entry.get("rounding_base", 1)
    if isinstance(base, bool) or not isinstance(base, int) or base < 1:
        raise CatalogError(
            "invalid rounding_base",
            path=str(path),
            location=f"{where}, key 'rounding_base'",
            value=base,
            expected="a whole number of at least 1 (1: counts are published exactly)",
        )
    threshold = entry.get("publication_threshold")
    if base > 1 and isinstance(threshold, int) and threshold < base:
        raise CatalogError(
            "rounding_base above the publication threshold: small published counts would "
            "round to 0",
            path=str(path),
            location=f"{where}, key 'rounding_base'",
            value=base,
            expected=f"at most publication_threshold ({threshold}), or 1",
        )
    return base


def _parse_entry(entry: object, path: Path, index: int, domain: str, version: str) -> IndicatorSpec:
    where = f"indicator #{index + 1}"
    if not isinstance(entry, dict):
        raise CatalogError(
            "an indicator entry must be a mapping",
            path=str(path),
            location=where,
            value=entry,
            expected="key: value pairs",
        )
    ident = entry.get("id")
    if ident:
        where = f"indicator {ident!r}"
    for key in _REQUIRED:
        if key not in entry or entry[key] in (None, ""):
            raise CatalogError(
                f"missing required key {key!r}",
                path=str(path),
                location=where,
                expected=f"keys {', '.join(_REQUIRED)}",
            )
    unknown = set(entry) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise CatalogError(
            "unknown keys",
            path=str(path),
            location=where,
            value=sorted(unknown),
            expected=f"only {', '.join(_REQUIRED + _OPTIONAL)}",
        )
    if not isinstance(ident, str) or not ident.replace("_", "").isalnum() or len(ident) > 60:
        raise CatalogError(
            "invalid id",
            path=str(path),
            location=where,
            value=ident,
            expected="letters, digits and underscores, at most 60 characters",
        )
    entry_domain = entry.get("domain")
    if entry_domain not in DOMAIN_IDS:
        raise CatalogError(
            "unknown domain",
            path=str(path),
            location=f"{where}, key 'domain'",
            value=entry_domain,
            expected=" / ".join(DOMAIN_IDS),
        )
    if entry_domain != domain:
        raise CatalogError(
            "indicator is in the file of another domain",
            path=str(path),
            location=f"{where}, key 'domain'",
            value=entry_domain,
            expected=domain,
        )
    name_sv, name_en = _bilingual(entry, "name", path, where)
    def_sv, def_en = _bilingual(entry, "definition", path, where)
    measure = _choice(entry, "measure", MEASURES, path, where)
    polarity = _choice(entry, "polarity", POLARITIES, path, where)
    interval = entry.get("interval", "none")
    if interval not in INTERVALS:
        raise CatalogError(
            "invalid interval",
            path=str(path),
            location=f"{where}, key 'interval'",
            value=interval,
            expected=" / ".join(INTERVALS),
        )
    if interval == "wilson" and measure != "proportion":
        raise CatalogError(
            "a Wilson interval applies to proportions only",
            path=str(path),
            location=f"{where}, key 'interval'",
            value=measure,
            expected="measure: proportion",
        )
    if interval == "none" and not str(entry.get("interval_note") or "").strip():
        raise CatalogError(
            "an indicator without interval must say why",
            path=str(path),
            location=f"{where}, key 'interval_note'",
            expected="a short reason",
        )
    ext = entry.get("external_ids") or {}
    if not isinstance(ext, dict) or not all(isinstance(v, str) for v in ext.values()):
        raise CatalogError(
            "external_ids must map a system to an identifier",
            path=str(path),
            location=f"{where}, key 'external_ids'",
            value=ext,
            expected="e.g. {kolada: N00925}",
        )
    return IndicatorSpec(
        id=ident,
        name_sv=name_sv,
        name_en=name_en,
        domain=domain,
        unit=str(entry["unit"]),
        measure=measure,
        multiplier=float(_number(entry, "multiplier", path, where, integer=False)),
        decimals=int(_number(entry, "decimals", path, where, integer=True)),
        polarity=polarity,
        definition_sv=def_sv,
        definition_en=def_en,
        numerator=str(entry.get("numerator") or ""),
        denominator=str(entry.get("denominator") or ""),
        source=str(entry["source"]).strip(),
        source_url=str(entry.get("source_url") or ""),
        external_ids=dict(ext),
        publication_threshold=int(
            _number(entry, "publication_threshold", path, where, integer=True)
        ),
        suppress_zeros=_flag(entry, "suppress_zeros", path, where),
        rounding_base=_rounding_base(entry, path, where),
        interval=interval,
        interval_note=str(entry.get("interval_note") or "").strip(),
        interval_note_sv=str(entry.get("interval_note_sv") or "").strip(),
        published=bool(entry.get("published", True)),
        numerator_sv=str(entry.get("numerator_sv") or "").strip(),
        denominator_sv=str(entry.get("denominator_sv") or "").strip(),
        catalogue_version=version,
        order=index,
        path=str(path),
    )


def _load_file(path: Path) -> list[IndicatorSpec]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CatalogError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            path=str(path),
            location=f"line {mark.line + 1}" if mark else None,
        ) from None
    if not isinstance(doc, dict):
        raise CatalogError(
            "a catalogue file must be a mapping",
            path=str(path),
            expected="keys catalogue_version, domain, indicators",
        )
    domain = doc.get("domain")
    if domain not in DOMAIN_IDS:
        raise CatalogError(
            "unknown domain",
            path=str(path),
            location="key 'domain'",
            value=domain,
            expected=" / ".join(DOMAIN_IDS),
        )
    if path.stem != domain:
        raise CatalogError(
            "file name and domain differ",
            path=str(path),
            location="key 'domain'",
            value=domain,
            expected=path.stem,
        )
    version = doc.get("catalogue_version")
    if not isinstance(version, str) or not version.strip():
        raise CatalogError(
            "missing catalogue_version",
            path=str(path),
            location="key 'catalogue_version'",
            value=version,
            expected='a quoted version string, e.g. "2026.1"',
        )
    entries = doc.get("indicators")
    if not isinstance(entries, list):
        raise CatalogError(
            "missing list of indicators",
            path=str(path),
            location="key 'indicators'",
            value=entries,
            expected="a list of indicator entries",
        )
    return [_parse_entry(e, path, i, domain, version) for i, e in enumerate(entries)]


def load_catalog(directory: str | Path | None = None) -> list[IndicatorSpec]:
    """Read and validate every ``<domain>.yaml`` in ``directory`` (default: the bundled one).

    Raises :class:`CatalogError` naming the file and the entry for an unknown domain, measure
    or polarity, a missing name, an id used twice (in one file or across files), and other
    malformed entries.
    """
    directory = Path(directory) if directory is not None else CATALOG_DIR
    specs: list[IndicatorSpec] = []
    seen: dict[str, str] = {}
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogError("no catalogue files", path=str(directory), expected="<domain>.yaml")
    for path in files:
        for spec in _load_file(path):
            if spec.id in seen:
                raise CatalogError(
                    "duplicate indicator id",
                    path=str(path),
                    location=f"indicator {spec.id!r}",
                    value=spec.id,
                    expected=f"an id not already used in {seen[spec.id]}",
                )
            seen[spec.id] = str(path)
            specs.append(spec)
    return specs


def catalog_by_id(directory: str | Path | None = None) -> dict[str, IndicatorSpec]:
    """The catalogue as a mapping from indicator id to :class:`IndicatorSpec`."""
    return {s.id: s for s in load_catalog(directory)}
