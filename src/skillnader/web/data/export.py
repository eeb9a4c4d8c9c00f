"""Export published observations: CSV, Parquet, JSON and JSON-stat 2.0.

Everything goes through :func:`~skillnader.web.data.models.public_observations`, so nothing
unpublished and no number of a suppressed cell can leave the database this way, and the numbers
through :func:`~skillnader.web.data.models.public_numbers` (counts rounded by the indicator's
``rounding_base``, as on the pages and in the API).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from skillnader.errors import InputError
from skillnader.safecsv import safe_dict_writer

COLUMNS = [
    "indicator",
    "level",
    "vintage",
    "area_code",
    "area_name",
    "group",
    "period",
    "value",
    "lower",
    "upper",
    "numerator",
    "denominator",
    "suppressed",
    "suppression",
    "status",
    "release",
]


def observation_rows(
    indicator: str | None = None,
    *,
    level: str | None = None,
    vintage: str | None = None,
    area: str | None = None,
    group: str | None = None,
    period: str | None = None,
):
    """Published observations as plain dicts (the columns of :data:`COLUMNS`), in a stable order:
    indicator, level, area code, group, period."""
    from skillnader.web.data.models import (
        PUBLIC_NUMBER_FIELDS,
        Observation,
        public_numbers,
        public_observations,
    )

    qs = public_observations(Observation.objects.all())
    filters = {
        "indicator_id": indicator,
        "area__level_id": level,
        "area__vintage__code": vintage,
        "area__code": area,
        "period": period,
    }
    qs = qs.filter(**{k: v for k, v in filters.items() if v})
    if group is not None:
        qs = qs.filter(group__key=group)
    order = ("indicator_id", "area__level__order", "area__code", "group__key", "period")
    fields = (
        "indicator_id",
        "area__level_id",
        "area__vintage__code",
        "area__code",
        "area__name",
        "group__key",
        "period",
        *PUBLIC_NUMBER_FIELDS,
        "suppression",
        "status",
        "release_id",
    )
    for o in qs.order_by(*order).values(*fields).iterator(chunk_size=5000):
        yield {
            "indicator": o["indicator_id"],
            "level": o["area__level_id"],
            "vintage": o["area__vintage__code"],
            "area_code": o["area__code"],
            "area_name": o["area__name"],
            "group": o["group__key"],
            "period": o["period"],
            **public_numbers(o),
            "suppressed": o["suppressed"],
            # why: "primary" (a small number) or "secondary" (hidden to protect another cell)
            "suppression": (o["suppression"] or "primary") if o["suppressed"] else None,
            "status": o["status"],
            "release": o["release_id"],
        }


def jsonstat(indicator: str) -> dict:
    """One indicator as a JSON-stat 2.0 dataset over area × group × period, with the interval
    limits and the reason of each suppression as extra values in ``extension``."""
    from skillnader.web.data.models import Indicator

    ind = Indicator.objects.get(id=indicator)
    rows = list(observation_rows(indicator))
    areas = sorted({(r["level"], r["vintage"], r["area_code"], r["area_name"]) for r in rows})
    groups = sorted({r["group"] for r in rows})
    periods = sorted({r["period"] for r in rows})
    akey = [f"{lv}:{vi}:{code}" for lv, vi, code, _ in areas]
    aidx = {k: i for i, k in enumerate(akey)}
    gidx = {g: i for i, g in enumerate(groups)}
    pidx = {p: i for i, p in enumerate(periods)}
    n = len(akey) * len(groups) * len(periods)
    value: list = [None] * n
    lower: list = [None] * n
    upper: list = [None] * n
    status: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for r in rows:
        i = (
            aidx[f"{r['level']}:{r['vintage']}:{r['area_code']}"] * len(groups) + gidx[r["group"]]
        ) * len(periods) + pidx[r["period"]]
        value[i], lower[i], upper[i] = r["value"], r["lower"], r["upper"]
        if r["suppressed"]:
            status[str(i)] = "suppressed"
            reasons[str(i)] = r["suppression"]
        elif r["status"]:
            status[str(i)] = r["status"]
    return {
        "version": "2.0",
        "class": "dataset",
        "label": ind.name_sv,
        "source": ind.source,
        "id": ["area", "group", "period"],
        "size": [len(akey), len(groups), len(periods)],
        "role": {"geo": ["area"], "time": ["period"]},
        "dimension": {
            "area": {
                "label": "område",
                "category": {
                    "index": akey,
                    "label": {k: a[3] for k, a in zip(akey, areas, strict=True)},
                },
            },
            "group": {
                "label": "grupp",
                "category": {"index": groups, "label": {g: g or "totalt" for g in groups}},
            },
            "period": {"label": "period", "category": {"index": periods}},
        },
        "value": value,
        "status": status,
        "extension": {
            "lower": lower,
            "upper": upper,
            # per suppressed value: "primary" (small) or "secondary" (protects another value)
            "suppression": reasons,
            "unit": ind.unit,
            "measure": ind.measure,
            "polarity": ind.polarity,
        },
    }


def export_observations(out: str | Path, *, fmt: str = "csv", indicator: str | None = None) -> int:
    """Write the export to ``out`` atomically (a temporary file renamed into place), so a failed
    export never leaves a partial file behind. Returns the number of observations written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    try:
        if fmt == "jsonstat":
            if not indicator:
                raise InputError("JSON-stat export needs one indicator", expected="--indicator ID")
            doc = jsonstat(indicator)
            Path(tmp).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            n = sum(v is not None for v in doc["value"]) + len(
                [s for s in doc["status"].values() if s == "suppressed"]
            )
        elif fmt == "parquet":
            import polars as pl

            rows = list(observation_rows(indicator))
            schema = {c: pl.Utf8 for c in COLUMNS}
            schema.update(
                {c: pl.Float64 for c in ("value", "lower", "upper", "numerator", "denominator")}
            )
            schema.update({"suppressed": pl.Boolean, "release": pl.Int64})
            pl.DataFrame(rows, schema=schema, orient="row").write_parquet(tmp)
            n = len(rows)
        elif fmt == "json":
            rows = list(observation_rows(indicator))
            Path(tmp).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            n = len(rows)
        elif fmt == "csv":
            n = 0
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                w = safe_dict_writer(fh, COLUMNS, lineterminator="\n")
                w.writeheader()
                for row in observation_rows(indicator):
                    w.writerow(row)
                    n += 1
        else:
            raise InputError(
                "unknown export format", value=fmt, expected="csv, parquet, json or jsonstat"
            )
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return n
