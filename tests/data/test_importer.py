"""The import entry point: real files in, exact observations out, one transaction, typed errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from tests.data.conftest import snapshot

from skillnader import errors
from skillnader.readers.px import read_px
from skillnader.stats.intervals import byar
from skillnader.web.data import models as m
from skillnader.web.data.importer import import_file

FORMATS = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
PX = FORMATS / "px" / "BE0101F1datasymbols.px"

SPEC = """
source: {id: scb-be0101f1, name: "SCB, Flyttningar", licence: CC0}
indicator: inmigrated
area: {dimension: region, level: kommun}
period: {dimension: period}
groups:
  sex: {dimension: sex, values: {"1": male, "2": female}}
  age: {dimension: age}
filter: {region: ["0114", "0115"]}
"""


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def spec(tmp_path):
    return write(tmp_path / "spec.yaml", SPEC)


def obs(area, sex, age, period="2003", indicator="inmigrated"):
    return m.Observation.objects.get(
        indicator_id=indicator,
        area__code=area,
        period=period,
        group__key=m.Group.make_key({"sex": sex, "age": age}),
    )


def test_real_px_imports_every_cell_with_intervals(vocab, spec):
    result = import_file(PX, mapping=spec)
    # 2 kommuner × 3 ages × 1 year × 2 sexes
    assert (result.created, result.updated, result.suppressed) == (12, 0, 0)
    assert m.Observation.objects.count() == 12
    cube = read_px(PX)
    for area in ("0114", "0115"):
        for age in ("20", "21", "22"):
            for code, sex in (("1", "male"), ("2", "female")):
                o = obs(area, sex, age)
                assert o.value == cube.value(region=area, age=age, period="2003", sex=code)
    o = obs("0114", "female", "20")
    assert o.value == 38
    lo, hi = byar(38)
    assert (o.lower, o.upper) == pytest.approx((lo, hi))
    assert o.release.source.name == "SCB, Flyttningar"
    assert o.release.kind == "px"
    assert m.Group.objects.get(key="age=21;sex=male").values.count() == 2


def test_missing_symbols_are_kept_not_zero(vocab, tmp_path):
    spec = write(
        tmp_path / "s.yaml",
        SPEC.replace('["0114", "0115"]', '["00"]').replace("level: kommun", "level: country"),
    )
    import_file(PX, mapping=spec)
    o = obs("00", "female", "20")
    assert o.value is None and o.status == "."
    assert obs("00", "female", "22").status == "..."
    assert obs("00", "male", "21").value == 613


def test_reimport_is_idempotent_and_new_release_is_recorded(vocab, spec, tmp_path):
    first = import_file(PX, mapping=spec)
    before = snapshot()
    again = import_file(PX, mapping=spec)
    assert again.already_imported and again.release_id == first.release_id
    assert snapshot() == before
    # A corrected release of the same table: one cell changes from 14 to 15.
    text = PX.read_bytes().replace(b"\n14 38", b"\n15 38", 1)
    assert text != PX.read_bytes()
    newer = tmp_path / "BE0101F1datasymbols.px"
    newer.write_bytes(text)
    second = import_file(newer, mapping=spec, version="2004-03-01")
    assert (second.created, second.updated, second.unchanged) == (0, 1, 11)
    assert m.Release.objects.filter(source_id="scb-be0101f1").count() == 2
    assert m.Observation.objects.count() == 12
    o = obs("0114", "male", "20")
    assert o.value == 15 and o.release_id == second.release_id
    # the changed cell's interval follows its new count; every cell now points to the release
    # that holds it last, also the eleven unchanged ones
    from skillnader.stats import intervals

    lo, hi = intervals.byar(np.array([15.0]))
    assert (o.lower, o.upper) == pytest.approx((lo[0], hi[0]))
    assert set(m.Observation.objects.values_list("release_id", flat=True)) == {second.release_id}


def test_small_counts_are_suppressed_and_keep_no_numbers(vocab, spec, tmp_path):
    small = tmp_path / "small.px"
    small.write_bytes(PX.read_bytes().replace(b"\n14 38", b"\n2 38", 1))
    result = import_file(small, mapping=spec)
    assert result.suppressed == 1
    o = obs("0114", "male", "20")
    assert o.suppressed and o.value is None and o.lower is None and o.numerator is None


def test_csv_with_numerator_and_denominator_gives_proportions_with_wilson(vocab, tmp_path):
    from skillnader.stats.intervals import wilson

    data = write(
        tmp_path / "bistand.csv",
        """\
        stadsdelsområde;år;kön;antal;befolkning
        bromma;2022;män;1 234;31 200
        bromma;2022;kvinnor;1 100;32 050
        järva;2023;män;4 002;34 900
        """,
    )
    mapping = write(
        tmp_path / "map.yaml",
        """\
        source: {id: sthlm-bistand, name: Stockholms stad}
        area: {column: stadsdelsområde, level: sdo}
        period: {column: år}
        indicator: {value: social_assistance_share}
        groups:
          sex: {column: kön, values: {män: male, kvinnor: female}}
        numerator: antal
        denominator: befolkning
        """,
    )
    result = import_file(data, mapping=mapping)
    assert result.created == 3
    o = m.Observation.objects.get(area__code="bromma", group__key="sex=male")
    # 2022 lies inside the 2020 vintage only; Järva exists only in the 2023 vintage.
    assert o.area.vintage.code == "2020"
    assert m.Observation.objects.get(area__code="järva").area.vintage.code == "2023"
    assert (o.numerator, o.denominator) == (1234, 31200)
    assert o.value == pytest.approx(1234 / 31200 * 100)
    lo, hi = wilson(1234, 31200)
    assert (o.lower, o.upper) == pytest.approx((lo * 100, hi * 100))


def test_code_in_two_vintages_in_force_the_same_year_is_ambiguous(vocab, tmp_path):
    # Bromma exists in the 2020 and the 2023 vintage, both in force during 2023.
    data = write(tmp_path / "b.csv", "sdo;år;antal;bef\nbromma;2023;1 300;75 000\n")
    mapping = write(
        tmp_path / "m.yaml",
        """\
        area: {column: sdo, level: sdo}
        period: {column: år}
        indicator: {value: social_assistance_share}
        numerator: antal
        denominator: bef
        """,
    )
    with pytest.raises(errors.VintageError, match="ambiguous"):
        import_file(data, mapping=mapping)
    result = import_file(data, mapping=mapping, vintage="2023")
    assert result.created == 1


# ---------------------------------------------------------------------------------------------
# Malformed input: every case gives its typed error and leaves the database exactly as it was.

PX_TEXT = PX.read_bytes()


def _px(tmp, data: bytes, name="t.px"):
    p = tmp / name
    p.write_bytes(data)
    return p


def _spec(tmp, text=SPEC):
    return write(tmp / "spec.yaml", text)


def case_px(mutate, spec_text=SPEC, name="t.px"):
    def make(tmp):
        return _px(tmp, mutate(PX_TEXT), name), {"mapping": _spec(tmp, spec_text)}

    return make


def case_csv(text, mapping_text, **kw):
    def make(tmp):
        p = tmp / "data.csv"
        p.write_bytes(text if isinstance(text, bytes) else textwrap.dedent(text).encode())
        mp = None if mapping_text is None else write(tmp / "map.yaml", mapping_text)
        return p, {"mapping": mp, **kw}

    return make


CSV_MAP = """\
source: {id: t}
area: {column: kod, level: kommun}
period: {column: år}
indicator: {value: population}
values: {column: antal}
"""
CSV_OK = "kod;år;antal\n0114;2020;47 000\n0115;2020;34 000\n"

data_start = PX_TEXT.index(b"DATA=")

MALFORMED = {
    # PC-Axis: the file itself
    "px-empty": (case_px(lambda b: b""), errors.FormatError),
    "px-binary-garbage": (case_px(lambda b: bytes(range(256)) * 20), errors.FormatError),
    "px-truncated-in-data": (case_px(lambda b: b[: len(b) - 40]), errors.FormatError),
    "px-truncated-in-header": (case_px(lambda b: b[: data_start // 2]), errors.FormatError),
    "px-no-data-keyword": (case_px(lambda b: b[:data_start]), errors.FormatError),
    "px-too-few-cells": (case_px(lambda b: b.replace(b"\n14 38", b"\n38", 1)), errors.ShapeError),
    "px-too-many-cells": (
        case_px(lambda b: b.replace(b"\n14 38", b"\n14 15 38", 1)),
        errors.ShapeError,
    ),
    "px-non-numeric-cell": (
        case_px(lambda b: b.replace(b"\n14 38", b"\n1x4 38", 1)),
        errors.ValueFormatError,
    ),
    "px-wrong-codepage": (
        case_px(
            lambda b: (
                b'CODEPAGE="utf-8";\r\n' + b.replace(b"Sweden", "Sw\u00e9den".encode("latin-1"))
            )
        ),
        errors.EncodingError,
    ),
    "px-duplicate-keyword": (
        case_px(lambda b: b.replace(b"MATRIX=", b'UNITS="x";\r\nMATRIX=', 1)),
        errors.FormatError,
    ),
    "px-stub-without-values": (
        case_px(lambda b: b.replace(b'VALUES("age")', b'VALUEZ("age")')),
        errors.FormatError,
    ),
    "px-unterminated-string": (
        case_px(lambda b: b.replace(b'CONTENTS="Inmigrated";', b'CONTENTS="Inmigrated;')),
        errors.FormatError,
    ),
    # The import spec
    "spec-not-yaml": (case_px(lambda b: b, "area: [unclosed"), errors.MappingError),
    "spec-not-a-mapping": (case_px(lambda b: b, "- a\n- b\n"), errors.MappingError),
    "spec-unknown-dimension": (
        case_px(lambda b: b, SPEC.replace("dimension: region", "dimension: regio")),
        errors.MappingError,
    ),
    "spec-filter-unknown-dimension": (
        case_px(lambda b: b, SPEC.replace("filter: {region", "filter: {län")),
        errors.MappingError,
    ),
    "spec-unmapped-dimension": (
        case_px(lambda b: b, SPEC.replace("  age: {dimension: age}\n", "")),
        errors.MappingError,
    ),
    "spec-incomplete-recoding": (
        case_px(lambda b: b, SPEC.replace(', "2": female', "")),
        errors.MappingError,
    ),
    "spec-bad-value-target": (case_px(lambda b: b, SPEC + "value: median\n"), errors.MappingError),
    "spec-no-indicator": (
        case_px(lambda b: b, SPEC.replace("indicator: inmigrated\n", "")),
        errors.MappingError,
    ),
    "spec-bad-field": (
        case_px(lambda b: b, SPEC.replace("period: {dimension: period}", "period: {dim: period}")),
        errors.MappingError,
    ),
    # The vocabulary
    "unknown-indicator": (
        case_px(lambda b: b, SPEC.replace("indicator: inmigrated", "indicator: outmigrated")),
        errors.UnknownIndicatorError,
    ),
    "unknown-area-code": (
        case_px(lambda b: b, SPEC.replace('"0115"]', '"01"]')),
        errors.UnknownAreaError,
    ),
    "unknown-level": (
        case_px(lambda b: b, SPEC.replace("level: kommun", "level: socken")),
        errors.MappingError,
    ),
    "no-level": (case_px(lambda b: b, SPEC.replace(", level: kommun", "")), errors.MappingError),
    "unknown-vintage": (
        case_px(lambda b: b, SPEC.replace("level: kommun", "level: kommun, vintage: '1971'")),
        errors.VintageError,
    ),
    "vintage-not-in-force": (
        case_px(
            lambda b: b.replace(b'"2003"', b'"2002"'),
            SPEC.replace("level: kommun", "level: kommun, vintage: '2003'"),
        ),
        errors.VintageError,
    ),
    "unknown-group-dimension": (
        case_px(lambda b: b, SPEC.replace("  age: {dimension: age}", "  ålder: {dimension: age}")),
        errors.MappingError,
    ),
    "unknown-group-value": (
        case_px(lambda b: b, SPEC.replace("female}", "kvinna}")),
        errors.MappingError,
    ),
    "duplicate-cells": (
        case_px(lambda b: b, SPEC.replace('"2": female', '"2": male')),
        errors.DuplicateKeyError,
    ),
    # CSV and mappings
    "csv-without-mapping": (case_csv(CSV_OK, None), errors.MappingError),
    "csv-mapping-missing-file": (lambda tmp: (tmp / "x.csv", {}), errors.InputError),
    "csv-non-numeric": (
        case_csv("kod;år;antal\n0114;2020;många\n", CSV_MAP),
        errors.ValueFormatError,
    ),
    "csv-unknown-column": (
        case_csv(CSV_OK, CSV_MAP.replace("column: antal", "column: värde")),
        errors.MappingError,
    ),
    "csv-duplicate-rows": (
        case_csv(CSV_OK + "0114;2020;46 000\n", CSV_MAP),
        errors.DuplicateKeyError,
    ),
    "csv-empty": (case_csv(b"", CSV_MAP), errors.InputError),
    "csv-header-only": (case_csv("kod;år;antal\n", CSV_MAP), errors.InputError),
    "csv-unknown-area": (case_csv(CSV_OK + "9999;2020;5\n", CSV_MAP), errors.UnknownAreaError),
    "csv-bad-period": (case_csv("kod;år;antal\n0114;tjugo;5\n", CSV_MAP), errors.InputError),
    "csv-mixed-vintages": (
        case_csv(
            "kod;år;antal\nbromma;2015;70000\njärva;2015;70000\n",
            CSV_MAP.replace("level: kommun", "level: sdo"),
        ),
        errors.UnknownAreaError,
    ),
    "csv-period-before-vintage": (
        case_csv("kod;år;antal\n0114;1990;40 000\n", CSV_MAP),
        errors.UnknownAreaError,
    ),
    "csv-negative-count": (case_csv("kod;år;antal\n0114;2020;-4\n", CSV_MAP), errors.InputError),
    "csv-undecodable": (
        case_csv(b"kod;\xe5r;antal\n0114;2020;\xff\xfe\x00\x01\n", CSV_MAP),
        errors.InputError,
    ),
    "csv-ragged-middle": (
        case_csv("kod;år;antal\n0114;2020\n0115;2020;3;4;5\n0180;2020;9\n", CSV_MAP),
        errors.FormatError,
    ),
    # JSON
    "json-invalid": (
        lambda tmp: (
            write(tmp / "d.json", '{"version": "2.0", "class": '),
            {"indicator": "population", "level": "kommun"},
        ),
        errors.InputError,
    ),
    "jsonstat-size-mismatch": (
        lambda tmp: (
            write(
                tmp / "d.json",
                json.dumps(
                    {
                        "version": "2.0",
                        "class": "dataset",
                        "id": ["region", "tid"],
                        "size": [2, 1],
                        "dimension": {
                            "region": {"category": {"index": ["0114", "0115"]}},
                            "tid": {"category": {"index": ["2020"]}},
                        },
                        "role": {"geo": ["region"], "time": ["tid"]},
                        "value": [1, 2, 3],
                    }
                ),
            ),
            {"indicator": "population", "level": "kommun"},
        ),
        errors.ShapeError,
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_input_gives_typed_error_and_writes_nothing(vocab, tmp_path, name):
    make, expected = MALFORMED[name]
    # A good import first, so that the database holds observations that must stay untouched.
    good = tmp_path / "good"
    good.mkdir()
    import_file(PX, mapping=write(good / "spec.yaml", SPEC))
    before = snapshot()
    path, kwargs = make(tmp_path)
    with pytest.raises(expected) as info:
        import_file(path, **kwargs)
    assert snapshot() == before
    message = str(info.value)
    assert path.name in message or (info.value.path and Path(info.value.path).name in message)


def test_there_are_at_least_forty_malformed_cases():
    assert len(MALFORMED) >= 40


def test_a_cube_is_written_in_batches_with_progress(vocab, spec, monkeypatch):
    """Cube records are made and written a batch at a time (memory bounded by the batch), and
    give exactly the cells of a single batch."""
    from skillnader.web.data import importer

    import_file(PX, mapping=spec)
    whole = {
        (o.area.code, o.group.key, o.period): (o.value, o.lower, o.upper)
        for o in m.Observation.objects.select_related("area", "group")
    }
    m.Observation.objects.all().delete()
    m.Release.objects.all().delete()
    monkeypatch.setattr(importer, "CUBE_ROWS", 5)
    seen = []
    result = import_file(PX, mapping=spec, progress=lambda done, total: seen.append((done, total)))
    assert result.created == 12
    batched = {
        (o.area.code, o.group.key, o.period): (o.value, o.lower, o.upper)
        for o in m.Observation.objects.select_related("area", "group")
    }
    assert batched == whole
    # three batches (5 + 5 + 2 records) out of the cube's cells
    assert [d for d, _ in seen] == [5, 10, 12]
    assert len({t for _, t in seen}) == 1 and seen[0][1] == len(read_px(PX))


def test_an_error_in_a_later_batch_leaves_nothing_written(vocab, tmp_path, monkeypatch):
    from skillnader.web.data import importer

    # Age 22 is not in the mapping's values: its first cell, the fifth of the file, is refused
    # after two batches of two cells have been written.
    spec = write(
        tmp_path / "ages.yaml",
        SPEC.replace(
            "age: {dimension: age}", 'age: {dimension: age, values: {"20": "20", "21": "21"}}'
        ),
    )
    monkeypatch.setattr(importer, "CUBE_ROWS", 2)
    written = []
    real = importer._write_batch

    def counting(batch, *args):
        written.append(len(batch))
        return real(batch, *args)

    monkeypatch.setattr(importer, "_write_batch", counting)
    before = snapshot()
    with pytest.raises(errors.MappingError) as err:
        import_file(PX, mapping=spec)
    assert written == [2, 2]
    assert err.value.value == "22" and "age=22" in err.value.location
    assert snapshot() == before


def test_area_level_without_a_mapping(vocab, tmp_path):
    """``skillnader import FILE.px --indicator ID --area-level LEVEL`` with no mapping: the area
    and period dimensions are found by their names or roles, and the level is kept; when the area
    cannot be found the error says so and names the file."""

    def px(stub: str) -> Path:
        text = (
            'CHARSET="ANSI";\nAXIS-VERSION="2013";\nLANGUAGE="sv";\nCONTENTS="Inflyttade";\n'
            f'UNITS="antal";\nSTUB="{stub}";\nHEADING="år";\nVALUES("{stub}")="0114","0115";\n'
            'VALUES("år")="2003";\nTIMEVAL("år")=TLIST(A1),"2003";\nDATA=\n38\n41\n;\n'
        )
        path = tmp_path / f"{stub}.px"
        path.write_bytes(text.encode("latin-1"))
        return path

    result = import_file(px("area"), indicator="inmigrated", level="kommun")
    assert result.created == 2
    o = m.Observation.objects.get(area__code="0115", period="2003")
    assert o.value == 41 and o.area.level_id == "kommun"
    with pytest.raises(errors.MappingError, match="cannot tell which dimension is the area") as err:
        import_file(px("region"), indicator="inmigrated", level="kommun")
    assert err.value.path.endswith("region.px")


def test_page_cache_follows_the_size_of_the_import():
    from skillnader.web.data.importer import page_cache_mib

    assert page_cache_mib(30_000) == 16
    assert page_cache_mib(5_000_000) == 62
    assert page_cache_mib(20_675_600) == 256
    # a dense PC-Axis file: 5 million cells in 24 MB get 6 MiB, not 62; a small file 4 MiB
    assert page_cache_mib(5_000_000, 24_000_000) == 5
    assert page_cache_mib(5_000_000, 25 << 20) == 6
    assert page_cache_mib(300_000, 1_000_000) == 4
    assert page_cache_mib(30_000, 1 << 30) == 16


@pytest.mark.parametrize("rows", [2, 50])
def test_a_cell_repeated_in_a_later_batch_is_refused_by_name(vocab, tmp_path, monkeypatch, rows):
    """A mapping that sends ages 20 and 21 to one group makes cells twice. Whether the repeat
    is in a later batch (two cells a batch: the unique constraint catches it, and the file is
    read again to find the first) or the same one, the import stops at its first repeat with
    the cell and the places of both in the cube, and nothing is written."""
    from skillnader.web.data import importer

    reread = []
    first_location = importer._first_location
    monkeypatch.setattr(
        importer, "_first_location", lambda *a: reread.append(a) or first_location(*a)
    )

    spec = write(
        tmp_path / "twice.yaml",
        SPEC.replace(
            "age: {dimension: age}",
            'age: {dimension: age, values: {"20": "20", "21": "20", "22": "22"}}',
        ),
    )
    monkeypatch.setattr(importer, "CUBE_ROWS", rows)
    before = snapshot()
    with pytest.raises(errors.DuplicateKeyError) as err:
        import_file(PX, mapping=spec)
    assert err.value.path.endswith(PX.name)
    assert err.value.value == ("inmigrated", "0114", "age=20;sex=male", "2003")
    assert err.value.location == "cell (region=0114, age=21, period=2003, sex=1)"
    assert err.value.expected == (
        "one cell only (the other is cell (region=0114, age=20, period=2003, sex=1))"
    )
    assert len(reread) == (1 if rows == 2 else 0)
    assert snapshot() == before
