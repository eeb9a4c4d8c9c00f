"""An indicator's ``rounding_base`` (a catalogue setting) rounds the counts it publishes, in
every place a reader sees them: the indicator page and its CSV twin, the API (JSON and CSV), the
CSV, JSON, Parquet and JSON-stat exports, the city report's data and the frame the findings are
computed from. The database keeps the exact numbers, and the disclosure gate protects those."""

from __future__ import annotations

import csv
import io
import json
import re

import polars as pl
import pytest
import yaml
from django.test import Client
from tests.stats.attacker import attack, margins

from skillnader.catalog import load_catalog
from skillnader.stats.intervals import byar
from skillnader.web.data import models as m
from skillnader.web.data.catalog_sync import sync_catalog
from skillnader.web.data.importer import import_file

pytestmark = pytest.mark.django_db

_COMMON = {
    "domain": "work",
    "polarity": "no_judgement",
    "definition": {"sv": "Provindikator.", "en": "Test indicator."},
    "source": "Testregistret",
}
CATALOGUE = {
    "catalogue_version": "test",
    "domain": "work",
    "indicators": [
        {
            **_COMMON,
            "id": "newcomers",
            "name": {"sv": "Nyinflyttade", "en": "Newcomers"},
            "unit": "persons",
            "measure": "count",
            "multiplier": 1,
            "decimals": 0,
            "publication_threshold": 5,
            "rounding_base": 5,
            "interval": "byar",
        },
        {
            **_COMMON,
            "id": "newcomer_share",
            "name": {"sv": "Andel nyinflyttade", "en": "Share of newcomers"},
            "unit": "percent",
            "measure": "proportion",
            "multiplier": 100,
            "decimals": 1,
            "publication_threshold": 10,
            "rounding_base": 5,
            "interval": "wilson",
        },
    ],
}

COUNT_MAPPING = """\
source: {id: test-register, name: "Test register"}
area: {column: area, level: %s}
period: {column: year}
indicator: {value: newcomers}
groups:
  sex: {column: sex, values: {T: total, M: male, K: female}}
values: {column: n}
"""
SHARE_MAPPING = """\
source: {id: test-register, name: "Test register"}
area: {column: area, level: sdo}
period: {column: year}
indicator: {value: newcomer_share}
numerator: n
denominator: pop
"""

#: Newcomers by district (2023 boundaries) and sex, and the city; women in Älvsjö (13) are 3.
EXACT = {
    ("11", "total"): 62, ("11", "male"): 30, ("11", "female"): 32,
    ("12", "total"): 48, ("12", "male"): 26, ("12", "female"): 22,
    ("13", "total"): 37, ("13", "male"): 34, ("13", "female"): 3,
    ("0180", "total"): 147, ("0180", "male"): 90, ("0180", "female"): 57,
}  # fmt: skip
#: The same counts rounded to a multiple of 5, halves away from zero (worked out by hand).
ROUNDED = {
    ("11", "total"): 60, ("11", "male"): 30, ("11", "female"): 30,
    ("12", "total"): 50, ("12", "male"): 25, ("12", "female"): 20,
    ("13", "total"): 35, ("13", "male"): 35, ("13", "female"): 5,
    ("0180", "total"): 145, ("0180", "male"): 90, ("0180", "female"): 55,
}  # fmt: skip
#: newcomer_share: numerator and denominator per district, exact and rounded to 5.
SHARE = {"11": (62, 1234), "12": (48, 2003), "13": (37, 998)}
SHARE_ROUNDED = {"11": (60, 1235), "12": (50, 2005), "13": (35, 1000)}
SEX = {"total": "T", "male": "M", "female": "K"}


def _catalogue(tmp_path, **override):
    doc = json.loads(json.dumps(CATALOGUE))
    for entry in doc["indicators"]:
        entry.update(override)
    folder = tmp_path / "catalogue"
    folder.mkdir(exist_ok=True)
    (folder / "work.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    sync_catalog(load_catalog(folder))


def _import(tmp_path, base=5):
    _catalogue(tmp_path, rounding_base=base)
    for level, codes in (("kommun", ["0180"]), ("sdo", ["11", "12", "13"])):
        lines = ["area,year,sex,n"] + [
            f"{code},2023,{SEX[sex]},{EXACT[(code, sex)]}" for code in codes for sex in SEX
        ]
        data = tmp_path / f"newcomers-{level}.csv"
        data.write_text("\n".join(lines) + "\n", encoding="utf-8")
        mapping = tmp_path / f"newcomers-{level}.yaml"
        mapping.write_text(COUNT_MAPPING % level, encoding="utf-8")
        import_file(data, mapping=mapping, vintage="2023" if level == "sdo" else None)
    lines = ["area,year,n,pop"] + [f"{c},2023,{n},{d}" for c, (n, d) in SHARE.items()]
    data = tmp_path / "share.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = tmp_path / "share.yaml"
    mapping.write_text(SHARE_MAPPING, encoding="utf-8")
    import_file(data, mapping=mapping, vintage="2023")


def _key(code: str, group: str) -> tuple[str, str]:
    return code, (group.split("=")[1] if group else "total")


def _api(indicator: str) -> dict[tuple[str, str], dict]:
    url = f"/api/v1/observations?indicator={indicator}&limit=5000"
    rows = Client().get(url).json()["results"]
    return {_key(r["area"], r["group"]): r for r in rows}


def _stored(indicator: str) -> dict[tuple[str, str], m.Observation]:
    return {
        _key(o.area.code, o.group.key): o
        for o in m.Observation.objects.filter(indicator_id=indicator).select_related(
            "area", "group"
        )
    }


@pytest.fixture
def imported(world, tmp_path):
    _import(tmp_path)
    return _api("newcomers")


def test_the_database_keeps_the_exact_counts(imported):
    stored = _stored("newcomers")
    assert set(stored) == set(EXACT)
    for key, o in stored.items():
        if not o.suppressed:
            assert o.value == EXACT[key], key
    # the small count is suppressed by the gate and keeps no number
    assert stored[("13", "female")].suppressed and stored[("13", "female")].value is None
    share = _stored("newcomer_share")
    assert (share[("11", "total")].numerator, share[("11", "total")].denominator) == (62, 1234)
    assert m.Indicator.objects.get(pk="newcomers").rounding_base == 5


def test_the_api_publishes_the_rounded_counts(imported):
    published = {k: r for k, r in imported.items() if r["status"] == "ok"}
    # the totals of every area stay published, and the small cell is hidden
    assert {("11", "total"), ("12", "total"), ("0180", "total")} <= set(published)
    assert imported[("13", "female")]["status"] == "suppressed"
    for key, r in published.items():
        assert r["value"] == ROUNDED[key], key
        assert r["value"] % 5 == 0
        o = m.Observation.objects.get(
            indicator_id="newcomers", area__code=key[0], group__key=_group(key[1])
        )
        # the interval of the count is that of its rounding band (every count that rounds to
        # the published one): it holds the exact count's interval and the published value
        assert r["lower"] == pytest.approx(byar(r["value"] - 2.5)[0])
        assert r["upper"] == pytest.approx(byar(r["value"] + 2.5)[1])
        assert r["lower"] < o.lower and r["upper"] > o.upper
        assert r["lower"] <= r["value"] <= r["upper"]
    assert published[("11", "total")]["value"] == 60 != EXACT[("11", "total")]


def _group(sex: str) -> str:
    return "" if sex == "total" else f"sex={sex}"


def test_the_api_tells_how_an_indicator_is_published(imported):
    ind = Client().get("/api/v1/indicators/newcomers").json()
    assert (ind["publication_threshold"], ind["suppress_zeros"], ind["rounding_base"]) == (
        5,
        False,
        5,
    )


def test_a_proportion_keeps_its_value_and_rounds_its_numerator_and_denominator(imported):
    rows = _api("newcomer_share")
    for code, (num, den) in SHARE.items():
        r = rows[(code, "total")]
        assert (r["numerator"], r["denominator"]) == SHARE_ROUNDED[code]
        # the rate and its interval come from the exact counts
        assert r["value"] == pytest.approx(num / den * 100)
        o = m.Observation.objects.get(indicator_id="newcomer_share", area__code=code)
        assert (r["lower"], r["upper"]) == pytest.approx((o.lower, o.upper))


def _numbers(r: dict) -> tuple:
    """value, lower, upper of a row (CSV text or JSON numbers) as floats or None."""
    return tuple(None if r[k] in (None, "") else float(r[k]) for k in ("value", "lower", "upper"))


def test_the_api_csv_and_every_export_show_the_same_rounded_numbers(imported, tmp_path):
    from skillnader.web.data.export import export_observations, jsonstat, observation_rows

    expected = {k: _numbers(r) for k, r in imported.items()}
    assert expected[("11", "total")][0] == 60
    # the API's CSV form
    body = Client().get("/api/v1/observations?indicator=newcomers&format=csv")
    api_csv = {
        _key(r["area"], r["group"]): _numbers(r)
        for r in csv.DictReader(io.StringIO(body.content.decode("utf-8-sig")))
    }
    assert api_csv == expected
    # the exports, in each format
    files = {}
    for fmt in ("csv", "json", "parquet"):
        files[fmt] = tmp_path / f"export.{fmt}"
        export_observations(files[fmt], fmt=fmt, indicator="newcomers")
    from_csv = {
        _key(r["area_code"], r["group"]): _numbers(r)
        for r in csv.DictReader(io.StringIO(files["csv"].read_text(encoding="utf-8")))
    }
    from_json = {
        _key(r["area_code"], r["group"]): _numbers(r)
        for r in json.loads(files["json"].read_text(encoding="utf-8"))
    }
    from_parquet = {
        _key(r["area_code"], r["group"]): _numbers(r)
        for r in pl.read_parquet(files["parquet"]).to_dicts()
    }
    assert from_csv == from_json == from_parquet == expected
    # numerators and denominators of the proportion, in the export rows
    rows = {r["area_code"]: r for r in observation_rows("newcomer_share")}
    for code, pair in SHARE_ROUNDED.items():
        assert (rows[code]["numerator"], rows[code]["denominator"]) == pair
    # JSON-stat: value[i] of area × group × period, the limits in its extension
    doc = jsonstat("newcomers")
    areas = doc["dimension"]["area"]["category"]["index"]
    groups = doc["dimension"]["group"]["category"]["index"]
    from_jsonstat = {}
    for a, area in enumerate(areas):
        for g, group in enumerate(groups):
            i = a * len(groups) + g
            if doc["value"][i] is not None or doc["status"].get(str(i)) == "suppressed":
                from_jsonstat[_key(area.split(":")[2], group)] = _numbers(
                    {
                        "value": doc["value"][i],
                        "lower": doc["extension"]["lower"][i],
                        "upper": doc["extension"]["upper"][i],
                    }
                )
    assert from_jsonstat == expected


def _table_rows(body: str) -> dict[str, list[str]]:
    table = re.search(r'<table[^>]*id="table"[^>]*>(.*?)</table>', body, re.S).group(1)
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_page_its_csv_twin_and_the_report_show_the_rounded_counts(imported):
    from skillnader.reports.data import analysis_frame, indicator_section

    url = "/indicator/newcomers/?level=sdo&vintage=2023&year=2023"
    resp = Client().get(url)
    assert resp.status_code == 200
    rows = _table_rows(resp.content.decode())
    names = {"11": "Norra innerstaden", "12": "Södermalm", "13": "Älvsjö"}
    for code, name in names.items():
        r = imported[(code, "total")]
        assert rows[name][0] == f"{r['value']:.0f}", name
        # the interval column shows the published (rounding band's) limits
        assert rows[name][1] == f"{r['lower']:.0f}–{r['upper']:.0f}", name
    assert rows["Norra innerstaden"][0] == "60"
    twin = Client().get("/indicator/newcomers.csv?level=sdo&vintage=2023&year=2023")
    assert twin.status_code == 200
    twin_rows = {
        r["area"]: r for r in csv.DictReader(io.StringIO(twin.content.decode("utf-8-sig")))
    }
    for code in names:
        assert float(twin_rows[code]["value"]) == imported[(code, "total")]["value"]
    ind = m.Indicator.objects.get(pk="newcomers")
    sec = indicator_section(ind, 2023, "sv")
    assert {r["code"]: r["value"] for r in sec.rows} == {
        code: imported[(code, "total")]["value"] for code in names
    }
    assert sec.city["value"] == imported[("0180", "total")]["value"] == 145
    # the frame the findings are computed from (pages and reports)
    frame = analysis_frame(2023).filter(
        (pl.col("indicator") == "newcomers") & (pl.col("group") == "")
    )
    assert dict(zip(frame["area_code"], frame["value"], strict=True)) == {
        code: imported[(code, "total")]["value"] for code in (*names, "0180")
    }


def test_the_gate_decides_on_the_exact_counts(world, tmp_path):
    """The same import without rounding hides exactly the same cells: rounding happens at
    publication, after protection, and leaves the gate's input alone."""
    _import(tmp_path, base=1)
    exact = _api("newcomers")
    assert exact[("11", "total")]["value"] == 62
    pattern = {k: r["suppression"] for k, r in exact.items()}
    m.Observation.objects.all().delete()
    m.Release.objects.all().delete()
    _import(tmp_path, base=5)
    rounded = _api("newcomers")
    assert {k: r["suppression"] for k, r in rounded.items()} == pattern
    assert "secondary" in pattern.values()


def _relations(cells):
    rels = margins(
        list(cells),
        lambda c: () if c[1] == "total" else (("sex", c[1]),),
        lambda c: ("n", c[0]),
    )
    for sex in SEX:
        rels.append((("0180", sex), [(code, sex) for code in ("11", "12", "13")]))
    return rels


def test_rounded_counts_tell_an_attacker_no_more_than_the_exact_ones(imported):
    """Every published y says only x in [y - 2, y + 2] (base 5): each hidden cell's feasible
    range given the rounded counts contains its range given the exact ones, which the gate
    made wide enough."""
    hidden = {k for k, r in imported.items() if r["status"] == "suppressed"}
    assert ("13", "female") in hidden and len(hidden) >= 2
    small = {k for k in hidden if imported[k]["suppression"] == "primary"}
    lower = {k: 1.0 for k in small}
    upper = {k: 4.0 for k in small}
    with_exact = attack(
        {k: (None if k in hidden else float(EXACT[k])) for k in EXACT},
        _relations(EXACT),
        lower,
        upper,
    )
    published = {k: r["value"] for k, r in imported.items() if k not in hidden}
    for k, y in published.items():
        lower[k], upper[k] = max(y - 2.0, 0.0), y + 2.0
    with_rounded = attack(dict.fromkeys(EXACT), _relations(EXACT), lower, upper, targets=hidden)
    for k in hidden:
        lo, hi = with_exact[k]
        rlo, rhi = with_rounded[k]
        assert rlo - 1e-6 <= EXACT[k] <= rhi + 1e-6
        assert rlo <= lo + 1e-6 and rhi >= hi - 1e-6, k
        assert hi - lo >= 1.0 - 1e-6  # the gate's protection holds for the exact counts


def test_the_database_refuses_a_rounding_base_above_the_threshold(world):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    ind = m.Indicator.objects.get(pk="employment")
    ind.publication_threshold, ind.rounding_base = 3, 5
    with pytest.raises(ValidationError, match="rounding base"):
        ind.full_clean()  # what the admin's form runs
    with pytest.raises(IntegrityError), transaction.atomic():
        ind.save()
    ind.rounding_base = 0
    with pytest.raises(IntegrityError), transaction.atomic():
        ind.save()
    ind.rounding_base = 3
    ind.full_clean()
    ind.save()
    assert m.Indicator.objects.get(pk="employment").rounding_base == 3
