"""``skillnader compute --publish``: an engine run on person-level records becomes a release the
site shows, through the importer's checks and the joint disclosure gate.

The records are the SYNTHETIC population (for a future year no real data covers), published into
the test database with the bundled areas; nothing here is a real statistic.
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from click.testing import CliRunner

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

YEAR = 2024  # RegSO 2020 and the districts of 2023 are in force; no real data yet
SPEC = """indicators:
  - id: employment_rate
    measure: proportion
    numerator: employed
    min_age: 20
    max_age: 64
    threshold: 5
"""


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    from skillnader.engine import synthetic

    folder = tmp_path_factory.mktemp("publish")
    path = folder / "persons.parquet"
    synthetic.generate(30_000, years=[YEAR], seed=3).write_parquet(path)
    spec = folder / "indicators.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return folder, spec, path


def _compute(folder, spec, path, *extra):
    from skillnader.cli import main

    out = folder / "observations.parquet"
    args = ["compute", str(spec), str(path), "--age", "age", "--group-set", "sex"]
    args += ["--hierarchy", "areas", "--out", str(out), "--json", *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False), out


def _unprotected(spec, path) -> pl.DataFrame:
    """The engine's numbers before any suppression (the truth the attacker is checked against)."""
    from skillnader.engine import RecordLayout, compute, load_specs
    from skillnader.web.data.engine_release import hierarchy_from_areas

    return compute(
        str(path),
        load_specs(spec),
        hierarchy_from_areas(),
        layout=RecordLayout(area="regso", period="year", groups=("sex",), age="age"),
        group_sets=((), ("sex",)),
        disclosure_control="none",
    )


def _attack(by_key, raw, threshold):
    """Every suppressed count of the release against a linear attacker who knows every
    published cell, that the city and each district are the sums of their RegSO (the engine's
    own hierarchy) and that the total is women plus men."""
    from tests.stats.attacker import attack

    from skillnader.web.data.engine_release import hierarchy_from_areas

    truth, cells, lower, upper = {}, {}, {}, {}
    for r in raw.iter_rows(named=True):
        vintage = {"regso": "2020", "kommun": "2003"}.get(r["level"], r["vintage"])
        o = by_key[(r["level"], vintage, r["area_code"], r["group"])]
        for q, v, shown in (
            ("num", r["numerator"], o.numerator),
            ("den", r["denominator"], o.denominator),
        ):
            key = (q, r["level"], r["area_code"], r["group"])
            truth[key] = v
            cells[key] = None if o.suppressed else shown
            if o.suppressed and o.suppression == "primary" and q == "num":
                # what the rule tells a reader: the numerator is small (itself, or as a part of
                # a small denominator); the denominator may be any size
                upper[key] = threshold - 1
    lookup = hierarchy_from_areas().lookup.filter(pl.col("vintage") == "2023")
    relations = []
    for group in ("", "sex=women", "sex=men"):
        for q in ("num", "den"):
            regso = [(q, "regso", c, group) for c in lookup.get_column("regso").unique().sort()]
            relations.append(((q, "kommun", "0180", group), regso))
            for sdo, part in lookup.group_by("sdo"):
                kids = [(q, "regso", c, group) for c in part.get_column("regso")]
                relations.append(((q, "sdo", sdo[0], group), kids))
    for q, level, code, group in list(truth):
        if group == "":
            relations.append(
                ((q, level, code, ""), [(q, level, code, "sex=men"), (q, level, code, "sex=women")])
            )
    relations = [
        (p, kids)
        for p, kids in relations
        if all(k in truth for k in (p, *kids)) and truth[p] == sum(truth[k] for k in kids)
    ]
    assert len(relations) > 200
    found = attack(cells, relations, lower, upper)
    for c, (lo, hi) in found.items():
        assert lo - 1e-6 <= truth[c] <= hi + 1e-6, (c, lo, hi, truth[c])
        if c in upper:  # a small numerator keeps the whole range the rule gives it
            assert hi - lo >= threshold - 2 - 1e-6, (c, lo, hi, truth[c])
    for c in found:
        if c[0] == "num" and c not in upper:
            # a cell hidden to protect another: its count of persons 20-64 (the denominator)
            # is publishable in itself and may be worked out, but never both of its counts,
            # or the share would be known
            width = [found[(q, *c[1:])][1] - found[(q, *c[1:])][0] for q in ("num", "den")]
            assert max(width) >= 1 - 1e-6, (c, found[c], truth[c])


def test_an_engine_run_is_published_and_shown(bundle_db, records, client):
    from skillnader.web.data.models import Indicator, Observation, Release

    folder, spec, path = records
    result, out = _compute(folder, spec, path, "--publish", "--allow-synthetic")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[0])
    release = Release.objects.get(pk=summary["release"])
    assert release.kind == "engine"
    note = json.loads(release.note)
    assert note["synthetic"] is True and len(note["spec_sha256"]) == 64
    assert note["vintages"] == ["2007", "2020", "2023"]

    raw = _unprotected(spec, path)
    # the districts of 2007 and 2020 were no longer in force in 2024: computed, not published
    old = raw.filter((pl.col("level") == "sdo") & (pl.col("vintage") != "2023"))
    assert old.height > 0 and note["cells_outside_their_vintage"] == old.height
    raw = raw.filter((pl.col("level") != "sdo") | (pl.col("vintage") == "2023"))
    # a RegSO or city cell is in the output once per district vintage, and published once
    raw = raw.unique(["level", "area_code", "group", "period"])
    published = Observation.objects.filter(release=release)
    assert published.count() == raw.height
    by_key = {
        (o.area.level_id, o.area.vintage.code, o.area.code, o.group.key): o
        for o in published.select_related("area__vintage", "group")
    }
    levels = {(lv, vi) for lv, vi, _c, _g in by_key}
    assert levels == {("regso", "2020"), ("sdo", "2023"), ("kommun", "2003")}
    threshold = Indicator.objects.get(id="employment_rate").publication_threshold
    assert threshold > 5  # the catalogue's rule, not the spec's, decides
    n_shown = 0
    for r in raw.iter_rows(named=True):
        vintage = {"regso": "2020", "kommun": "2003"}.get(r["level"], r["vintage"])
        o = by_key[(r["level"], vintage, r["area_code"], r["group"])]
        assert o.period == str(YEAR)
        small = 0 < r["denominator"] < threshold or 0 < r["numerator"] < threshold
        if small:  # the primary rule of the catalogue
            assert o.suppressed and o.suppression == "primary"
        if o.suppressed:
            assert o.value is None and o.numerator is None and o.denominator is None
            continue
        # published cells carry the engine's numbers unchanged
        assert o.value == pytest.approx(r["value"]) and o.denominator == r["denominator"]
        assert o.lower == pytest.approx(r["lower"]) and o.upper == pytest.approx(r["upper"])
        n_shown += 1
    assert n_shown > 100
    assert published.filter(suppression="secondary").exists()
    # the file written is what the database publishes
    written = pl.read_parquet(out)
    assert written.height == raw.height
    assert written.get_column("suppressed").sum() == published.filter(suppressed=True).count()

    _attack(by_key, raw, threshold)

    # the site shows them: the API and the indicator page's machine-readable twin
    api = client.get(
        f"/api/v1/observations?indicator=employment_rate&level=sdo&vintage=2023&year={YEAR}"
    ).json()
    rows = [r for r in api["results"] if r["group"] == ""]
    shown = {r["area"]: r["value"] for r in rows if r["status"] != "suppressed"}
    want = {
        code: o.value
        for (lv, vi, code, g), o in by_key.items()
        if (lv, vi, g) == ("sdo", "2023", "") and not o.suppressed
    }
    assert shown and shown == pytest.approx(want)

    # the same run published again writes nothing
    again, _ = _compute(folder, spec, path, "--publish", "--allow-synthetic")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output.strip().splitlines()[0])["already_published"] is True
    assert Observation.objects.filter(release=release).count() == raw.height


def test_synthetic_records_are_not_published_unless_asked(bundle_db, records):
    from skillnader.web.data.models import Release

    folder, spec, path = records
    before = Release.objects.count()
    result, _ = _compute(folder, spec, path, "--publish")
    assert result.exit_code == 2
    assert "synthetic" in result.output and "--allow-synthetic" in result.output
    assert Release.objects.count() == before


def test_publishing_needs_the_sites_areas(records):
    from skillnader.cli import main

    folder, spec, path = records
    result = CliRunner().invoke(
        main, ["compute", str(spec), str(path), "--publish", "--allow-synthetic"]
    )
    assert result.exit_code == 2 and "--hierarchy areas" in result.output
