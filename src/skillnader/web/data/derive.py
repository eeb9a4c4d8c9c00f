"""Indicators computed at import from imported counts, with the project's own methods.

A user who imports SCB's table of deaths by age and sex (BE0101D9) together with the population
table (BE0101N1) gets life expectancy and age-standardised mortality with honest intervals, in
the same transaction as the counts. The death table's mapping names the population table and the
indicators to derive::

    derive:
      indicators: [life_expectancy, life_expectancy_5y, mortality_dsr]
      population: {file: befolkning.xlsx, mapping: befolkning.yaml}   # relative to this mapping

Both tables must give the counts by ``sex`` (``men``/``women``) and ``age`` in the 20 bands of
the life table (``0``, ``1-4``, ``5-9`` … ``85-89``, ``90+``), which a mapping makes from single
years of age with ``bands: [0, 1, 5, 10, …, 90]`` and ``aggregate: sum``.

* The population at risk in year *t* is the mean of the populations on 31 December of *t - 1*
  and *t* (SCB's mean population); a year without both is not computed.
* ``life_expectancy``: period life expectancy at birth for one year, Chiang II with the Silcocks
  variance (:mod:`skillnader.stats.lifeexpectancy`); ``life_expectancy_5y`` the same over five
  pooled years (period ``2015-2019``), as SCB publishes per kommun. Suppressed (no number) where
  the method says so: a population of 5,000 or less, or a 95 % interval wider than 20 years.
* ``mortality_dsr``: all-cause deaths per 100,000, directly standardised to the European
  Standard Population 2013 with Dobson limits (:mod:`skillnader.stats.standardise`); not computed
  with fewer than 10 deaths.
* men, women, and both sexes (the sum of the two by band).

The derived values form a release of their own (source ``skillnader-derived-mortality``) whose
content hash is that of the two tables and their mappings, so importing the same tables again
writes nothing.

Rates per 1,000 of an age group
-------------------------------
A table of counts and the population table it names give a crude rate with Byar's interval
(:func:`skillnader.stats.intervals.rate`, exact Poisson below 10 events)::

    derive:
      indicators: [registered_unemployed_rate]
      population: {file: befolkning.xlsx, mapping: befolkning_16_64.yaml}

* ``registered_unemployed_rate``: ``registered_unemployed`` (everyone, one cell per area and
  month ``2018-09`` or year) per 1,000 of the population aged 16-64 (group ``age=16-64``, the
  population mapping's ``bands: [0, 16, 65]`` with sex summed away) on 31 December of the year
  before the period: the latest population known at the end of the month. A period without that
  population is not computed. The count stays what it is (context); comparisons use the rate.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from skillnader import ingest
from skillnader.errors import MappingError

#: Rates derived from a count and a population: id -> (count indicator, age band, per).
RATES = {"registered_unemployed_rate": ("registered_unemployed", "16-64", 1000.0)}
#: What can be derived, and what it is derived from.
DERIVABLE = ("life_expectancy", "life_expectancy_5y", "mortality_dsr", *RATES)
DEATHS = "deaths"
POPULATION = "population"
SOURCE_ID = "skillnader-derived-mortality"
RATE_SOURCE_ID = "skillnader-derived-rates"
#: Raised when the method changes, so that derived values are computed again.
METHOD_VERSION = "1"


def life_table_bands() -> list[str]:
    from skillnader.readers.mapping import band_label
    from skillnader.stats.lifeexpectancy import DEFAULT_AGE_BANDS

    return [band_label(DEFAULT_AGE_BANDS, i) for i in range(len(DEFAULT_AGE_BANDS))]


def parse_spec(raw: Any, mapping_path: Path) -> dict[str, Any] | None:
    """The ``derive`` block of a mapping, checked; ``None`` when there is none."""
    if raw is None:
        return None
    where = str(mapping_path)
    if not isinstance(raw, dict):
        raise MappingError("'derive' must be a dictionary", path=where, location="derive")
    inds = raw.get("indicators") or list(DERIVABLE)
    if isinstance(inds, str):
        inds = [inds]
    unknown = [i for i in inds if i not in DERIVABLE]
    if unknown:
        raise MappingError(
            "cannot derive this indicator",
            path=where,
            location="derive.indicators",
            value=unknown[0],
            expected="one of " + ", ".join(DERIVABLE),
        )
    if {i in RATES for i in inds} == {True, False}:
        raise MappingError(
            "rates and life-table indicators come from different tables",
            path=where,
            location="derive.indicators",
            value=list(inds),
            expected="either " + ", ".join(RATES) + " or the life-table indicators",
        )
    pop = raw.get("population")
    if not isinstance(pop, dict) or "file" not in pop or "mapping" not in pop:
        raise MappingError(
            "derive needs the population table and its mapping",
            path=where,
            location="derive.population",
            value=pop,
            expected="population: {file: FILE, mapping: MAPPING.yaml} (relative to this mapping)",
        )
    base = mapping_path.parent
    return {
        "indicators": list(inds),
        "population_file": (base / str(pop["file"])).resolve(),
        "population_mapping": (base / str(pop["mapping"])).resolve(),
    }


def import_and_derive(
    path: Path,
    mapping: Path,
    spec: dict[str, Any],
    *,
    kind: str,
    indicator: str | None,
    level: str | None,
    vintage: str | None,
    source,
    version: str,
    user: str,
):
    """Import the death table and the population table it names, and write the derived
    indicators, in one transaction. Returns the death table's result with the others in
    ``also``."""
    from django.db import transaction

    from skillnader.web.data import importer as imp

    pop_file, pop_mapping = spec["population_file"], spec["population_mapping"]
    with transaction.atomic():
        results = []
        counts: dict[str, list] = {}
        digests = []
        for p, mp, ind in ((path, mapping, indicator), (pop_file, pop_mapping, None)):
            k = kind if p == path else None
            records, raw_spec, k = imp.read_records(
                p, kind=k, mapping=mp, indicator=ind, level=level, vintage=vintage
            )
            # the identity of a release, key files included (as the importer gives it)
            digest = imp.release_hash(p, mp, k, ind, level, vintage)
            digests.append(digest)
            # The counts as read, before any suppression: the methods need every band.
            for rec in records:
                counts.setdefault(rec.indicator, []).append(
                    (rec.level, rec.area_code, rec.vintage, dict(rec.group), rec.period, rec.value)
                )
            results.append(
                imp.write_records(
                    records,
                    source=(source if p == path and source else None)
                    or ingest.source_info(raw_spec.get("source"), Path(p)),
                    content_hash=digest,
                    file_name=Path(p).name,
                    kind=k,
                    version=version,
                    user=user,
                    path=str(p),
                )
            )
        rates = [i for i in spec["indicators"] if i in RATES]
        needed = RATES[rates[0]][0] if rates else DEATHS
        if needed not in counts or POPULATION not in counts:
            raise MappingError(
                f"derive needs {needed} from the imported table and population from the table "
                "it names",
                path=str(mapping),
                location="derive",
                value=sorted(counts),
                expected=f"indicator {needed!r} in one table and {POPULATION!r} in the other",
            )
        if rates:
            derived = []
            for rid in rates:
                derived += rate_records(counts[needed], counts[POPULATION], rid, mapping)
            source_info = imp.SourceInfo(
                id=RATE_SOURCE_ID,
                name="Skillnader: rates computed from imported counts and population",
                publisher="Skillnader",
                licence="as the source tables",
            )
        else:
            derived = derive_records(
                counts[DEATHS], counts[POPULATION], spec["indicators"], mapping
            )
            source_info = imp.SourceInfo(
                id=SOURCE_ID,
                name="Skillnader: life expectancy and age-standardised mortality computed from "
                "imported deaths and population",
                publisher="Skillnader",
                licence="as the source tables",
            )
        h = hashlib.sha256()
        for d in (*digests, METHOD_VERSION, ",".join(spec["indicators"])):
            h.update(d.encode())
            h.update(b"\0")
        derived_result = imp.write_records(
            derived,
            source=source_info,
            content_hash=h.hexdigest(),
            file_name=f"{Path(path).name} + {Path(pop_file).name}",
            kind="derived",
            version=version,
            user=user,
            path=str(path),
        )
    main = results[0]
    main.also = [results[1], derived_result]
    return main


def rate_records(counts: list[tuple], population: list[tuple], indicator: str, mapping):
    """Records of a rate (see "Rates per 1,000 of an age group" in the module docstring)."""
    from skillnader.ingest import Record
    from skillnader.stats.intervals import rate

    count_id, band, per = RATES[indicator]
    pop: dict[tuple, float] = {}
    for level, area, vintage, group, period, value in population:
        if group == {"age": band} and value is not None:
            pop[(level, area, vintage, int(str(period)[:4]))] = float(value)
    if not pop:
        raise MappingError(
            f"the population table gives no population aged {band}",
            path=str(mapping),
            location="derive.population",
            expected=f"a group age={band} (bands: [0, 16, 65] with sex summed away)",
        )
    out = []
    for level, area, vintage, group, period, value in sorted(
        counts, key=lambda r: (str(r[1]), str(r[4]))
    ):
        if group or value is None:
            continue  # the rate is for everyone; a missing count stays missing
        year = int(str(period)[:4])
        n = pop.get((level, area, vintage, year - 1))
        if n is None or n <= 0:
            continue
        est = rate(float(value), n, per=per)
        out.append(
            Record(
                indicator=indicator,
                period=str(period),
                area_code=area,
                group={},
                level=level,
                vintage=vintage,
                value=float(est.value),
                lower=float(est.lower),
                upper=float(est.upper),
                numerator=float(value),
                denominator=n,
                location=f"derived from {count_id} and population {band}, {area} {period}",
            )
        )
    return out


def _by_cell(rows: list[tuple], bands: list[str], what: str, where: str):
    """(level, area, vintage, sex, year) -> {band: value}; sexes summed into ``total``."""
    out: dict[tuple, dict[str, float | None]] = defaultdict(dict)
    for level, area, vintage, group, period, value in rows:
        sex = group.get("sex")
        age = group.get("age")
        if sex is None or age is None or set(group) - {"sex", "age"}:
            continue  # totals over age or sex are not life-table input
        if age not in bands:
            raise MappingError(
                f"{what} by age in bands the life table does not use",
                path=where,
                location="derive",
                value=age,
                expected="the bands " + ", ".join(bands) + " (bands: [0, 1, 5, 10, …, 90])",
            )
        year = int(str(period)[:4])
        out[(level, area, vintage, sex, year)][age] = value
    keys = {(lv, a, vi, y) for (lv, a, vi, s, y) in out}
    for lv, a, vi, y in keys:
        men, women = out.get((lv, a, vi, "men", y)), out.get((lv, a, vi, "women", y))
        if men is None or women is None or (lv, a, vi, "total", y) in out:
            continue
        out[(lv, a, vi, "total", y)] = {
            b: None if men.get(b) is None or women.get(b) is None else men[b] + women[b]
            for b in bands
        }
    return out


def _vector(by_band: dict[str, float | None] | None, bands: list[str]) -> np.ndarray | None:
    if by_band is None or any(by_band.get(b) is None for b in bands):
        return None
    return np.array([float(by_band[b]) for b in bands])


def derive_records(deaths: list[tuple], population: list[tuple], indicators: list[str], mapping):
    """Records of the derived indicators from counts by band (see the module docstring)."""
    from skillnader.ingest import Record
    from skillnader.stats.lifeexpectancy import life_expectancy
    from skillnader.stats.standardise import direct_standardised_rate, esp2013

    bands = life_table_bands()
    where = str(mapping)
    d = _by_cell(deaths, bands, "deaths", where)
    p = _by_cell(population, bands, "population", where)

    def risk(level, area, vintage, sex, year):
        now = _vector(p.get((level, area, vintage, sex, year)), bands)
        before = _vector(p.get((level, area, vintage, sex, year - 1)), bands)
        if now is None or before is None:
            return None
        return (now + before) / 2

    out = []
    for (level, area, vintage, sex, year), by_band in sorted(d.items(), key=lambda kv: kv[0][:5]):
        group = {} if sex == "total" else {"sex": sex}
        ev = _vector(by_band, bands)
        pop = risk(level, area, vintage, sex, year)
        if ev is None or pop is None:
            continue
        base = dict(area_code=area, group=group, level=level, vintage=vintage)
        if "life_expectancy" in indicators:
            out.append(_le_record(life_expectancy(ev, pop), str(year), base, Record))
        if "mortality_dsr" in indicators:
            # The life table's 0 and 1-4 make the ESP 2013's 0-4.
            ev19 = np.concatenate([[ev[0] + ev[1]], ev[2:]])
            pop19 = np.concatenate([[pop[0] + pop[1]], pop[2:]])
            res = direct_standardised_rate(ev19, pop19, esp2013, per=100_000)
            rec = Record(
                indicator="mortality_dsr",
                period=str(year),
                value=None if res.suppressed else float(res.value),
                lower=None if res.suppressed else float(res.lower),
                upper=None if res.suppressed else float(res.upper),
                numerator=float(ev.sum()),
                denominator=float(pop.sum()),
                withheld=bool(res.suppressed),
                note=res.note or "",
                location=f"derived from deaths and population, {area} {sex} {year}",
                **base,
            )
            out.append(rec)
        if "life_expectancy_5y" in indicators:
            years = range(year - 4, year + 1)
            evs = [_vector(d.get((level, area, vintage, sex, y)), bands) for y in years]
            pops = [risk(level, area, vintage, sex, y) for y in years]
            if all(e is not None for e in evs) and all(q is not None for q in pops):
                res = life_expectancy(sum(evs), sum(pops))
                out.append(
                    _le_record(res, f"{year - 4}-{year}", base, Record, "life_expectancy_5y")
                )
    return out


def _le_record(res, period: str, base: dict, Record, indicator: str = "life_expectancy"):
    value, lower, upper = res.at(0)
    suppressed = bool(np.asarray(res.suppressed)[..., 0])
    reason = res.reason if isinstance(res.reason, str) else ""
    return Record(
        indicator=indicator,
        period=period,
        value=None if suppressed else float(value),
        lower=None if suppressed else float(lower),
        upper=None if suppressed else float(upper),
        withheld=suppressed,
        note=reason or "",
        location=f"derived from deaths and population, {base['area_code']} {period}",
        **base,
    )
