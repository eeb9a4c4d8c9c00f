"""Property tests: any bytes either read or raise an InputError subclass (never another
exception), and a generated valid PX file reads back exactly what was written."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillnader.errors import InputError
from skillnader.readers.base import Cube
from skillnader.readers.detect import FORMATS, detect_format
from skillnader.readers.jsonstat import read_jsonstat
from skillnader.readers.px import PX_SYMBOLS, read_px
from skillnader.readers.pxweb import read_pxweb_v1

FMT = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
REAL_PX = {p.name: p.read_bytes() for p in sorted((FMT / "px").glob("*.px"))}
REAL_JSON = {
    p.name: p.read_bytes()
    for p in [
        FMT / "jsonstat2" / "pxwebpy_TAB6471_data.json",
        FMT / "pxweb_v1_json" / "scb_v1_BefolkningNy_civilstand_2017_response.json",
        FMT / "pxweb_v1_json" / "scb_v1_ME0104T24_personroster_response.json",
    ]
}
# The small real files; BE0101A1 (134 KB) makes each example too slow for many mutations.
SMALL_PX = {k: v for k, v in REAL_PX.items() if len(v) < 50_000}

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reads_or_input_error(fn, arg) -> Cube | InputError:
    try:
        return fn(arg)
    except InputError as exc:
        return exc


@st.composite
def mutated(draw, originals: dict[str, bytes]) -> bytes:
    data = bytearray(originals[draw(st.sampled_from(sorted(originals)))])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "flip", "truncate", "duplicate"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if kind == "delete":
            del data[i : i + draw(st.integers(1, 40))]
        elif kind == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=20))
        elif kind == "flip":
            data[i] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[i:]
        else:
            j = draw(st.integers(i, min(len(data), i + 200)))
            data[j:j] = data[i:j]
    return bytes(data)


PX_TOKENS = st.sampled_from(
    [
        b"DATA=",
        b'VALUES("a")=',
        b'STUB="a";',
        b'HEADING="b";',
        b'"',
        b";",
        b",",
        b"\n",
        b'CODEPAGE="utf-8";',
        b"1 2 3",
        b'".."',
        b"\xe5",
        b"\x00",
        b"(",
        b")",
        b"[sv]",
        b"=",
    ]
)


@PROPS
@given(st.one_of(st.binary(max_size=300), st.lists(PX_TOKENS, max_size=30).map(b"".join)))
def test_random_bytes_px(raw):
    reads_or_input_error(read_px, raw)


@PROPS
@given(mutated(SMALL_PX))
def test_mutated_real_px(raw):
    result = reads_or_input_error(read_px, raw)
    if isinstance(result, Cube):
        assert result.values.size == math.prod(result.shape)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated_json(draw) -> object:
    """A real JSON-stat/PxWeb document with one node replaced by arbitrary JSON."""
    doc = json.loads(REAL_JSON[draw(st.sampled_from(sorted(REAL_JSON)))])
    node = doc
    for _ in range(draw(st.integers(0, 5))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            if draw(st.booleans()) or not isinstance(node[key], (dict, list)):
                node[key] = draw(JSON_VALUES)
                break
            node = node[key]
        elif isinstance(node, list) and node:
            i = draw(st.integers(0, len(node) - 1))
            if draw(st.booleans()) or not isinstance(node[i], (dict, list)):
                node[i] = draw(JSON_VALUES)
                break
            node = node[i]
        else:
            break
    return doc


@PROPS
@given(mutated_json())
def test_mutated_json_documents(doc):
    reads_or_input_error(read_jsonstat, doc)
    reads_or_input_error(read_pxweb_v1, doc)


@PROPS
@given(st.one_of(st.binary(max_size=200), mutated(REAL_JSON)))
def test_random_json_bytes(raw):
    reads_or_input_error(read_jsonstat, raw)
    reads_or_input_error(read_pxweb_v1, raw)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_detect_random_files(tmp_path_factory, raw):
    p = tmp_path_factory.mktemp("d") / "file.dat"
    p.write_bytes(raw)
    result = reads_or_input_error(detect_format, p)
    assert isinstance(result, InputError) or result in FORMATS


# ---- round trip --------------------------------------------------------------------------------
LABEL = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters='"', max_codepoint=0x2FFF
    ),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s and s != "*")
CODE = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+", min_size=1, max_size=6)
CELL = st.one_of(
    st.integers(-(10**12), 10**12).map(float),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from(sorted(PX_SYMBOLS)),
)


@st.composite
def px_tables(draw):
    ndims = draw(st.integers(1, 4))
    names = draw(st.lists(LABEL, min_size=ndims, max_size=ndims, unique=True))
    dims = []
    for name in names:
        n = draw(st.integers(1, 4))
        labels = draw(st.lists(LABEL, min_size=n, max_size=n, unique=True))
        codes = draw(st.lists(CODE, min_size=n, max_size=n, unique=True))
        dims.append((name, codes, labels))
    nstub = draw(st.integers(0, ndims))
    cells = draw(
        st.lists(
            CELL,
            min_size=math.prod(len(d[1]) for d in dims),
            max_size=math.prod(len(d[1]) for d in dims),
        )
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-8-bom", "windows-1252"]))
    per_line = draw(st.integers(1, 7))
    return dims, nstub, cells, encoding, per_line


def write_px(dims, nstub, cells, encoding, per_line) -> bytes:
    def q(items):
        return ",".join(f'"{x}"' for x in items)

    lines = ['CHARSET="ANSI";', 'LANGUAGE="sv";', 'TITLE="Rundtur; test";']
    if encoding != "utf-8-bom":
        lines.append(f'CODEPAGE="{encoding}";')
    names = [d[0] for d in dims]
    if nstub:
        lines.append(f"STUB={q(names[:nstub])};")
    if nstub < len(names):
        lines.append(f"HEADING={q(names[nstub:])};")
    for name, codes, labels in dims:
        # split long lists over several lines the way PX writers do
        lines.append(f'VALUES("{name}")=' + ",\n".join(f'"{lb}"' for lb in labels) + ";")
        lines.append(f'CODES("{name}")={q(codes)};')
    lines.append("DATA=")
    tokens = [f'"{c}"' if isinstance(c, str) else repr(c) for c in cells]
    for i in range(0, len(tokens), per_line):
        lines.append(" ".join(tokens[i : i + per_line]))
    text = "\r\n".join(lines) + ";\r\n"
    if encoding == "utf-8-bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


def encodable(dims, encoding):
    if encoding != "windows-1252":
        return True
    try:
        for name, _, labels in dims:
            (name + "".join(labels)).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@settings(max_examples=200, deadline=None)
@given(px_tables())
def test_generated_px_round_trips(table):
    dims, nstub, cells, encoding, per_line = table
    if not encodable(dims, encoding):
        encoding = "utf-8"
    cube = read_px(write_px(dims, nstub, cells, encoding, per_line))
    assert [d.code for d in cube.dimensions] == [d[0] for d in dims]
    assert [d.codes for d in cube.dimensions] == [d[1] for d in dims]
    assert [d.labels for d in cube.dimensions] == [d[2] for d in dims]
    assert cube.meta["title"] == "Rundtur; test"
    flat = cube.values.reshape(-1)
    assert flat.size == len(cells)
    for i, c in enumerate(cells):
        if isinstance(c, str):
            assert np.isnan(flat[i]) and cube.symbols[i] == c
        else:
            assert flat[i] == c and i not in cube.symbols
    assert len(cube.symbols) == sum(isinstance(c, str) for c in cells)


DECIMAL = st.builds(
    lambda sign, whole, frac: f"{sign}{whole}{'.' if frac is not None else ''}{frac or ''}",
    st.sampled_from(["", "-"]),
    st.text(alphabet="0123456789", min_size=0, max_size=8),
    st.none() | st.text(alphabet="0123456789", min_size=0, max_size=7),
).filter(lambda t: any(ch.isdigit() for ch in t))


@settings(max_examples=150, deadline=None)
@given(st.lists(DECIMAL, min_size=1, max_size=60), st.sampled_from([" ", "\n", "\t", "  ", "\r\n"]))
def test_vectorised_decimals_equal_float(tokens, sep):
    """The byte-level DATA parser gives the same double as Python's float() for every token."""
    from skillnader.readers.px import _parse_plain

    out = _parse_plain(sep.join(tokens).encode(), 0, {})
    assert out is not None
    assert out.tolist() == [float(t) for t in tokens]
    assert [math.copysign(1, v) for v in out] == [math.copysign(1, float(t)) for t in tokens]
