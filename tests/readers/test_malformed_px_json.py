"""Malformed PX, JSON-stat and PxWeb v1 inputs: each raises one exact error class whose message
names the file and the place (line, keyword, JSON path)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from skillnader.errors import (
    DuplicateKeyError,
    EncodingError,
    FormatError,
    InputError,
    ShapeError,
    ValueFormatError,
)
from skillnader.readers.jsonstat import MetadataOnlyError, read_jsonstat
from skillnader.readers.px import (
    DuplicateKeywordError,
    EmptyFileError,
    MissingDataError,
    MissingValuesError,
    NotPxError,
    TruncatedFileError,
    read_px,
)
from skillnader.readers.pxweb import read_pxweb_v1

FMT = Path(__file__).resolve().parents[1] / "fixtures" / "formats"

GOOD = (
    'CHARSET="ANSI";\n'  # line 1
    'LANGUAGE="sv";\n'  # 2
    'TITLE="Befolkning";\n'  # 3
    'STUB="område";\n'  # 4
    'HEADING="år";\n'  # 5
    'VALUES("område")="Järva","Skärholmen";\n'  # 6
    'VALUES("år")="2022","2023";\n'  # 7
    'CODES("område")="J","S";\n'  # 8
    "DATA=\n"  # 9
    "1 2\n"  # 10
    "3 4;\n"  # 11
)


def write(tmp_path: Path, content: str | bytes, name: str = "table.px") -> Path:
    p = tmp_path / name
    p.write_bytes(content.encode("cp1252") if isinstance(content, str) else content)
    return p


def check(exc_info, cls, path: Path | str, *parts: str) -> None:
    err = exc_info.value
    assert type(err) is cls, f"{type(err).__name__} raised, {cls.__name__} expected: {err}"
    text = str(err)
    assert str(path) in text, text
    for part in parts:
        assert part in text, f"{part!r} not in {text!r}"


def test_good_baseline_reads(tmp_path):
    assert read_px(write(tmp_path, GOOD)).values.tolist() == [[1, 2], [3, 4]]


# ---- PX ----------------------------------------------------------------------------------------
PX_CASES = [
    # (id, content, error class, fragments the message must contain)
    ("empty", b"", EmptyFileError, ["empty"]),
    ("only-whitespace", b"  \r\n\n\t ", EmptyFileError, ["empty"]),
    ("binary", bytes(range(256)) * 8, NotPxError, ["line 1", "binary"]),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), NotPxError, ["binary"]),
    ("missing-DATA", GOOD.split("DATA=")[0], MissingDataError, ["DATA"]),
    (
        "unterminated-string-in-header",
        GOOD.split('VALUES("år")')[0] + 'VALUES("år")="2022","2023\n',
        TruncatedFileError,
        ["line 7", "VALUES"],
    ),
    (
        "truncated-data",
        GOOD.replace("3 4;\n", "3"),
        TruncatedFileError,
        ["line 11", "3 of 4 cells", "2 × 2"],
    ),
    ("too-few-cells", GOOD.replace("3 4;", "3;"), ShapeError, ["line 9", "3 cells", "need 4"]),
    ("too-many-cells", GOOD.replace("3 4;", "3 4 5 6 7;"), ShapeError, ["7 cells", "need 4"]),
    (
        "non-numeric-token",
        GOOD.replace("3 4;", "3 x4;"),
        ValueFormatError,
        ["line 11", "'x4'"],
    ),
    ("decimal-comma", GOOD.replace("1 2", "1,5 2"), ValueFormatError, ["line 10", "'1,5'"]),
    ("nan-token", GOOD.replace("1 2", "nan 2"), ValueFormatError, ["line 10", "'nan'"]),
    ("infinite-number", GOOD.replace("1 2", "1e999 2"), ValueFormatError, ["'1e999'"]),
    ("unknown-symbol", GOOD.replace("1 2", '"x" 2'), ValueFormatError, ["line 10", "'\"x\"'"]),
    (
        "duplicate-keyword",
        GOOD.replace('HEADING="år";\n', 'HEADING="år";\nTITLE="Igen";\n'),
        DuplicateKeywordError,
        ["line 6", "TITLE", "first on line 3"],
    ),
    (
        "duplicate-values",
        GOOD.replace("DATA=", 'VALUES("år")="2024","2025";\nDATA='),
        DuplicateKeywordError,
        ["line 9", 'VALUES("år")'],
    ),
    (
        "missing-values-stub",
        GOOD.replace('VALUES("område")="Järva","Skärholmen";\n', ""),
        MissingValuesError,
        ["line 4", 'VALUES("område")', "STUB"],
    ),
    (
        "missing-values-heading",
        GOOD.replace('VALUES("år")="2022","2023";\n', ""),
        MissingValuesError,
        ["line 5", 'VALUES("år")', "HEADING"],
    ),
    (
        "wrong-codepage",
        GOOD.replace('LANGUAGE="sv";', 'CODEPAGE="utf-8";'),
        EncodingError,
        ["line 4", "utf-8", "omr\\xe5de"],  # STUB="område" is the first non-ASCII text
    ),
    (
        "unknown-codepage",
        GOOD.replace('LANGUAGE="sv";', 'CODEPAGE="klingon-1";'),
        FormatError,
        ["line 2", "CODEPAGE", "klingon-1"],
    ),
    (
        "no-equals-sign",
        GOOD.replace('TITLE="Befolkning";', 'TITLE "Befolkning";'),
        FormatError,
        ["line 3", "unknown keyword syntax"],
    ),
    (
        "space-in-keyword",
        GOOD.replace("TITLE=", "TIT LE="),
        FormatError,
        ["line 3", "unknown keyword syntax"],
    ),
    (
        "no-stub-or-heading",
        GOOD.replace('STUB="område";\n', "").replace('HEADING="år";\n', ""),
        FormatError,
        ["STUB", "HEADING"],
    ),
    (
        "codes-length",
        GOOD.replace('CODES("område")="J","S";', 'CODES("område")="J";'),
        ShapeError,
        ["line 8", "CODES", "1 items", "2"],
    ),
    (
        "duplicate-codes",
        GOOD.replace('CODES("område")="J","S";', 'CODES("område")="J","J";'),
        FormatError,
        ["line 8", "same code", "'J'"],
    ),
    ("text-after-data", GOOD + 'NOTE="late";\n', FormatError, ["line 11", "after", "NOTE"]),
    (
        "cellnote-subkey-count",
        GOOD.replace("DATA=", 'CELLNOTE("Järva")="x";\nDATA='),
        FormatError,
        ["line 9", "CELLNOTE", "1 sub-keys", "2 variables"],
    ),
    (
        "cellnote-unknown-value",
        GOOD.replace("DATA=", 'CELLNOTE("Kista","*")="x";\nDATA='),
        FormatError,
        ["line 9", "'Kista'"],
    ),
    (
        "decimals-not-integer",
        GOOD.replace('TITLE="Befolkning";', "DECIMALS=two;"),
        FormatError,
        ["line 3", "DECIMALS", "'two'"],
    ),
    (
        "keys-layout",
        GOOD.replace("DATA=", 'KEYS("område")=CODES;\nDATA='),
        FormatError,
        ["line 9", "KEYS"],
    ),
    (
        "contvariable-unknown",
        GOOD.replace("DATA=", 'CONTVARIABLE="typ";\nDATA='),
        FormatError,
        ["line 9", "CONTVARIABLE", "'typ'"],
    ),
    (
        "unquoted-subkey",
        GOOD.replace('VALUES("år")', "VALUES(år)"),
        FormatError,
        ["line 7", "quoted"],
    ),
    (
        "bom-with-latin1-codepage",
        b"\xef\xbb\xbf" + GOOD.replace('LANGUAGE="sv";', 'CODEPAGE="iso-8859-1";').encode(),
        EncodingError,
        ["line 2", "byte-order mark"],
    ),
    (
        "language-not-in-languages",
        GOOD.replace('LANGUAGE="sv";', 'LANGUAGE="sv";\nLANGUAGES="en","fi";'),
        FormatError,
        ["line 3", "LANGUAGES", "'sv'"],
    ),
]


@pytest.mark.parametrize(
    ("content", "cls", "parts"), [c[1:] for c in PX_CASES], ids=[c[0] for c in PX_CASES]
)
def test_malformed_px(tmp_path, content, cls, parts):
    p = write(tmp_path, content)
    with pytest.raises(cls) as exc:
        read_px(p)
    check(exc, cls, p, *parts)


def test_too_many_cells_counted_across_chunks(tmp_path, monkeypatch):
    import skillnader.readers.px as pxmod

    monkeypatch.setattr(pxmod, "_CHUNK", 64)
    content = GOOD.replace("3 4;", "3 4 " + " ".join(["7"] * 500) + ";")
    p = write(tmp_path, content)
    with pytest.raises(ShapeError) as exc:
        read_px(p)
    check(exc, ShapeError, p, "504 cells", "need 4")


def test_missing_file():
    with pytest.raises(InputError) as exc:
        read_px("/nonexistent/dir/table.px")
    assert type(exc.value) is InputError
    assert "/nonexistent/dir/table.px" in str(exc.value)


def test_truncated_real_file(tmp_path):
    raw = (FMT / "px" / "BE0101A1.px").read_bytes()
    p = write(tmp_path, raw[: len(raw) * 2 // 3])
    with pytest.raises(TruncatedFileError) as exc:
        read_px(p)
    check(exc, TruncatedFileError, p, "of 33936 cells", "21 × 4 × 101 × 2 × 2")


# ---- JSON-stat ---------------------------------------------------------------------------------
BASE_DS = {
    "version": "2.0",
    "class": "dataset",
    "id": ["area", "year"],
    "size": [2, 3],
    "dimension": {
        "area": {"category": {"index": ["0180", "0114"]}},
        "year": {"category": {"index": {"2021": 0, "2022": 1, "2023": 2}}},
    },
    "value": [1, 2, 3, 4, 5, 6],
}


def mutate(fn):
    doc = copy.deepcopy(BASE_DS)
    fn(doc)
    return doc


JS_CASES = [
    (
        "value-length",
        mutate(lambda d: d["value"].pop()),
        ShapeError,
        ["value", "5 cells", "2 × 3", "needs 6"],
    ),
    (
        "unknown-dimension-in-id",
        mutate(lambda d: d["id"].__setitem__(1, "tid")),
        FormatError,
        ["dimension.tid", "'tid'"],
    ),
    ("id-size-length", mutate(lambda d: d["size"].append(1)), ShapeError, ["size", "3"]),
    (
        "category-count",
        mutate(lambda d: d["size"].__setitem__(0, 3)),
        ShapeError,
        ["dimension.area.category.index", "2 categories", "size says 3"],
    ),
    (
        "index-position",
        mutate(lambda d: d["dimension"]["year"]["category"]["index"].__setitem__("2023", 7)),
        FormatError,
        ["dimension.year.category.index.2023", "7"],
    ),
    (
        "string-value",
        mutate(lambda d: d["value"].__setitem__(3, "n/a")),
        ValueFormatError,
        ["value[3]", "'n/a'"],
    ),
    (
        "boolean-value",
        mutate(lambda d: d["value"].__setitem__(2, True)),
        ValueFormatError,
        ["value[2]", "True"],
    ),
    (
        "status-length",
        mutate(lambda d: d.__setitem__("status", ["a", "b"])),
        ShapeError,
        ["status", "2 entries", "6 cells"],
    ),
    (
        "sparse-key",
        mutate(lambda d: d.__setitem__("value", {"0": 1, "9": 2})),
        ShapeError,
        ["value.9", "0-5"],
    ),
    ("class", mutate(lambda d: d.__setitem__("class", "table")), FormatError, ["class", "'table'"]),
    (
        "metadata-only",
        mutate(lambda d: d.__setitem__("value", [])),
        MetadataOnlyError,
        ["value", "6 cells"],
    ),
    ("size-not-integers", mutate(lambda d: d.__setitem__("size", [2, "3"])), FormatError, ["size"]),
    (
        "duplicate-category",
        mutate(lambda d: d["dimension"]["area"]["category"].__setitem__("index", ["0180", "0180"])),
        FormatError,
        ["dimension.area.category.index", "'0180'"],
    ),
]


@pytest.mark.parametrize(
    ("doc", "cls", "parts"), [c[1:] for c in JS_CASES], ids=[c[0] for c in JS_CASES]
)
def test_malformed_jsonstat(tmp_path, doc, cls, parts):
    p = tmp_path / "data.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(cls) as exc:
        read_jsonstat(p)
    check(exc, cls, p, *parts)


@pytest.mark.parametrize(
    ("raw", "cls", "parts"),
    [
        (b'{"class": "dataset",\n "id": [1, }', FormatError, ["line 2, column", "invalid JSON"]),
        (b"", FormatError, ["empty"]),
        (b"[1, 2]", FormatError, ["top level", "list"]),
        (b'{"class": "dataset", "label": "\xe5r"}', EncodingError, ["UTF-8", "byte"]),
    ],
    ids=["invalid-json", "empty", "top-level-list", "not-utf8"],
)
def test_malformed_json_text(tmp_path, raw, cls, parts):
    p = tmp_path / "data.json"
    p.write_bytes(raw)
    with pytest.raises(cls) as exc:
        read_jsonstat(p)
    check(exc, cls, p, *parts)


# ---- PxWeb v1 ----------------------------------------------------------------------------------
V1 = json.loads(
    (FMT / "pxweb_v1_json" / "scb_v1_BefolkningNy_civilstand_2017_response.json").read_text("utf-8")
)


def v1(fn):
    doc = copy.deepcopy(V1)
    fn(doc)
    return doc


V1_CASES = [
    (
        "key-length",
        v1(lambda d: d["data"][1]["key"].pop()),
        ShapeError,
        ["data[1].key", "1 items", "2 key columns"],
    ),
    (
        "values-length",
        v1(lambda d: d["data"][2]["values"].append("1")),
        ShapeError,
        ["data[2].values", "2 items"],
    ),
    (
        "non-numeric",
        v1(lambda d: d["data"][3]["values"].__setitem__(0, "4356x")),
        ValueFormatError,
        ["data[3].values[0]", "'4356x'"],
    ),
    ("no-columns", {"data": []}, FormatError, ["columns"]),
    (
        "duplicate-key",
        v1(lambda d: d["data"].append(copy.deepcopy(d["data"][0]))),
        DuplicateKeyError,
        ["data[4].key", "'OG'"],
    ),
    ("no-content-column", v1(lambda d: d["columns"].pop()), FormatError, ["type"]),
]


@pytest.mark.parametrize(
    ("doc", "cls", "parts"), [c[1:] for c in V1_CASES], ids=[c[0] for c in V1_CASES]
)
def test_malformed_pxweb_v1(tmp_path, doc, cls, parts):
    p = tmp_path / "response.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(cls) as exc:
        read_pxweb_v1(p)
    check(exc, cls, p, *parts)


def test_pxweb_v1_code_missing_from_metadata(tmp_path):
    md = json.loads((FMT / "pxweb_v1_json" / "scb_v1_ME0104T24_metadata.json").read_text("utf-8"))
    resp = json.loads(
        (FMT / "pxweb_v1_json" / "scb_v1_ME0104T24_personroster_response.json").read_text("utf-8")
    )
    resp["data"][1]["key"][0] = "PIRAT"
    p = tmp_path / "response.json"
    p.write_text(json.dumps(resp), encoding="utf-8")
    with pytest.raises(FormatError) as exc:
        read_pxweb_v1(p, metadata=md)
    check(exc, FormatError, p, "columns[0]", "'PIRAT'", "'Parti'")
