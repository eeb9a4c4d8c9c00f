"""CSV and Excel tables (long or wide) with a mapping file -> :class:`Cube`.

Swedish statistics arrive as CSV exported by many tools: semicolons and decimal commas, thousands
separated by spaces (also U+00A0 and U+202F) or dots, a UTF-8 BOM or cp1252 or UTF-16 bytes,
``\\r\\r\\n`` line endings from Windows tools that write ``\\r\\n`` through a text-mode stream, and
footer lines ("Källa: SCB") after the data. This module reads all of them; what cannot be
detected (which column is what) comes from a :class:`~skillnader.readers.mapping.Mapping`.

Public API:

- :func:`read_tabular` — a whole file as a dense :class:`Cube` over the distinct codes of every
  mapped dimension (NaN for combinations the file does not have).
- :func:`iter_tabular_rows` — the same rows as normalised Polars frames of bounded size, for
  files too large for memory.
- :func:`parse_number` — one Swedish- or English-formatted number.

The file is decoded and its line ends normalised in blocks of 1 MiB. Blocks without a quote
character are split into columns by Polars; blocks with quotes, ragged lines or footer text go
through the standard library's ``csv`` module, which knows quoting and reports exact lines
(``docs/decisions-tabular.md``). Numbers are validated and converted in Polars either way.

Line numbers in errors count ``\\r\\r\\n``, ``\\r\\n``, ``\\n`` and a lone ``\\r`` as one line end
each, and point to the first line of a record (a quoted field may span several lines).
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import operator
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from skillnader.errors import (
    DuplicateKeyError,
    EncodingError,
    FormatError,
    InputError,
    MappingError,
    ShapeError,
    ValueFormatError,
)
from skillnader.readers.base import Cube, Dimension
from skillnader.readers.mapping import Field, Mapping

__all__ = [
    "EmptyFileError",
    "NoDataError",
    "iter_tabular_rows",
    "parse_number",
    "read_tabular",
]

Progress = Callable[[int, int], None]

_READ_BYTES = 1 << 20
# A quoted field longer than this is not waited for: the file is broken, and memory must stay bounded.
_MAX_RECORD_CHARS = 64 << 20
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
# A dense cube beyond this many cells is almost certainly a mapping mistake (e.g. a free-text
# column mapped as a group); the streaming API has no such limit.
MAX_DENSE_CELLS = 50_000_000
_SWEDISH_LETTERS = set("åäöÅÄÖ")
# Characters that cp1252 text from a Swedish producer plausibly contains beyond ASCII.
_PLAUSIBLE_CP1252 = set("åäöÅÄÖéÉèÈüÜæÆøØáÁàíóúñçâêôû\u00a0–—’‘”“§°½´•…±×µ²³")
_SPACES = " \u00a0\u202f"


class EmptyFileError(FormatError):
    """The file has no bytes, or nothing but blank lines."""


class NoDataError(ShapeError):
    """The file has a header but no data rows (after dropping footer lines)."""


# --------------------------------------------------------------------------------------------
# numbers


def _number_regex(decimal: str, thousands: str | None) -> tuple[str, str]:
    """(validation regex, separator class) for one number format.

    The same pattern text serves Python's ``re`` and Polars' Rust regex. Separators are only
    accepted between groups of exactly three digits, so ``1.5`` in a decimal-comma file is an
    error and not silently 15.
    """
    seps = _SPACES
    if decimal == ",":
        seps += "."
    if thousands and thousands not in seps:
        seps += thousands
    sep_class = "[" + "".join(re.escape(c) if c in "-]\\^" else c for c in seps) + "]"
    dec = re.escape(decimal)
    integer = f"(?:[0-9]+|[0-9]{{1,3}}(?:{sep_class}[0-9]{{3}})+)"
    pattern = f"^[+\\-\u2212]?(?:{integer}(?:{dec}[0-9]*)?|{dec}[0-9]+)(?:[eE][+\\-]?[0-9]+)?$"
    return pattern, sep_class


@dataclass(frozen=True)
class _NumberFormat:
    decimal: str
    thousands: str | None
    missing: tuple[str, ...]
    #: markers of withheld values (also in ``missing``), named apart in messages
    suppressed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        pattern, seps = _number_regex(self.decimal, self.thousands)
        object.__setattr__(self, "pattern", pattern)
        object.__setattr__(self, "seps", seps)
        object.__setattr__(self, "_re", re.compile(pattern))
        object.__setattr__(self, "_sep_re", re.compile(seps))

    def expected(self) -> str:
        shown = ", ".join(repr(m) for m in self.missing if m not in self.suppressed)
        if not self.suppressed:
            return (
                f"a number with decimal mark {self.decimal!r}, or a missing-value symbol ({shown})"
            )
        withheld = ", ".join(repr(m) for m in self.suppressed)
        return (
            f"a number with decimal mark {self.decimal!r}, a missing-value symbol ({shown}), "
            f"or a marker of a withheld value ({withheld})"
        )

    def parse(self, text: str) -> float | None:
        """The number, or None when ``text`` is not a number in this format."""
        t = text.strip(_SPACES + "\t\r\n")
        if not self._re.match(t):  # type: ignore[attr-defined]
            return None
        t = self._sep_re.sub("", t).replace(self.decimal, ".").replace("\u2212", "-")  # type: ignore[attr-defined]
        return float(t)


def parse_number(
    text: str,
    *,
    decimal: str = ",",
    thousands: str | None = None,
) -> float:
    """Parse one number written the Swedish (``1 234,5``) or English (``1234.5``) way.

    Spaces, U+00A0 and U+202F are accepted as thousands separators; ``.`` too when the decimal
    mark is ``,``; ``thousands`` adds one more. A Unicode minus (U+2212) is accepted. Raises
    :class:`ValueFormatError` for anything else.
    """
    fmt = _NumberFormat(decimal, thousands, ())
    v = fmt.parse(text)
    if v is None:
        raise ValueFormatError("not a number", value=text, expected=fmt.expected())
    return v


def _sniff_decimal(samples: list[str], delimiter: str | None, thousands: str | None) -> str:
    """Choose the decimal mark under which fewer sampled values fail to parse.

    Ties (integers only) go to ``","`` for semicolon/tab files and ``"."`` otherwise; with
    integers only both give the same numbers unless a dot-grouped ``1.234`` appears.
    """
    bad = {}
    for dec in (",", "."):
        fmt = _NumberFormat(dec, thousands if thousands != dec else None, ())
        bad[dec] = sum(1 for s in samples if s.strip() and fmt.parse(s) is None)
    if bad[","] < bad["."]:
        return ","
    if bad["."] < bad[","]:
        return "."
    has_comma = any(re.search(r"[0-9],[0-9]", s) for s in samples)
    if has_comma:
        return ","
    return "," if delimiter in (";", "\t") else "."


# --------------------------------------------------------------------------------------------
# bytes -> lines


def _detect_encoding(path: Path, head: bytes) -> tuple[str, int]:
    """(codec, BOM length) for a file without an explicit encoding.

    Strict UTF-8 is tried over the whole file first; UTF-16 is recognised only by its BOM; cp1252
    is accepted only when the bytes are not UTF-8 and decode to text whose non-ASCII characters
    look like Swedish.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return ("utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"), 2
    if b"\x00" in head[:4096]:
        raise EncodingError(
            "the file contains NUL bytes: binary data or UTF-16 without a byte-order mark",
            path=str(path),
            location=f"byte {head.index(bytes(1))}",
            expected="text; for UTF-16 without BOM set format.encoding: utf-16-le",
        )
    dec = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    lines = 1
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_READ_BYTES * 4)
            try:
                dec.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                bad_at = offset + exc.start
                line = lines + block.count(b"\n", 0, exc.start)
                return _cp1252_or_fail(path, bad_at, line), 0
            if not block:
                return "utf-8", 0
            lines += block.count(b"\n")
            offset += len(block)


def _cp1252_or_fail(path: Path, bad_at: int, line: int) -> str:
    seen: set[str] = set()
    offset = 0
    lines = 1
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_READ_BYTES * 4)
            if not block:
                break
            try:
                text = block.decode("cp1252")
            except UnicodeDecodeError as exc:
                # five byte values are undefined in cp1252: then it is not cp1252 either
                bad_at = offset + exc.start
                line = lines + block.count(b"\n", 0, exc.start)
                seen.add("\ufffd")
                break
            seen.update(c for c in text if ord(c) > 127)
            if len(seen) > 64:
                break
            offset += len(block)
            lines += block.count(b"\n")
    plausible = seen and seen <= _PLAUSIBLE_CP1252 and seen & _SWEDISH_LETTERS
    if not plausible:
        with open(path, "rb") as fh:
            fh.seek(max(0, bad_at - 10))
            around = fh.read(24)
        raise EncodingError(
            "the bytes are neither UTF-8 nor Swedish text in cp1252",
            path=str(path),
            location=f"line {line} (byte {bad_at})",
            value=around,
            expected="UTF-8 (with or without BOM), UTF-16 with BOM, or cp1252; "
            "set format.encoding in the mapping if you know it",
        )
    return "cp1252"


class _Blocks:
    """Decoded text of a file in blocks of about 1 MiB that hold whole lines ending in ``\\n``.

    ``\\r\\r\\n``, ``\\r\\n`` and a lone ``\\r`` become ``\\n`` so that no empty rows appear and
    line numbers match what a user sees. A block ends only where the number of ``"`` seen so far
    is even, so a quoted field with line breaks never straddles two blocks and every block can be
    parsed on its own.
    """

    def __init__(
        self, path: Path, encoding: str, skip_bytes: int, progress: Progress | None
    ) -> None:
        self.path = path
        self.encoding = encoding
        self.skip_bytes = skip_bytes
        self.progress = progress
        self.total = path.stat().st_size
        self.bytes_read = 0
        self.lines_out = 0

    def __iter__(self) -> Iterator[str]:
        dec = codecs.getincrementaldecoder(self.encoding)("strict")
        carry = ""
        with open(self.path, "rb") as fh:
            if self.skip_bytes:
                fh.read(self.skip_bytes)
                self.bytes_read = self.skip_bytes
            while True:
                block = fh.read(_READ_BYTES)
                final = not block
                try:
                    text = dec.decode(block, final=final)
                except UnicodeDecodeError as exc:
                    line = self.lines_out + carry.count("\n") + 1
                    raise EncodingError(
                        f"bytes that are not valid {self.encoding}",
                        path=str(self.path),
                        location=f"line {line} (byte {self.bytes_read + exc.start})",
                        value=exc.object[max(0, exc.start - 10) : exc.start + 10],
                        expected=f"{self.encoding} text; check format.encoding in the mapping",
                    ) from None
                self.bytes_read += len(block)
                if self.progress is not None:
                    self.progress(self.bytes_read, self.total)
                text = carry + text
                tail = ""
                if not final and text.endswith("\r"):
                    # the rest of a \r\r\n or \r\n may be in the next block
                    stripped = text.rstrip("\r")
                    tail = text[len(stripped) :]
                    text = stripped
                if "\r" in text:
                    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
                if final:
                    if text and not text.endswith("\n"):
                        text += "\n"
                    if text:
                        self.lines_out += text.count("\n")
                        yield text
                    return
                end = text.rfind("\n") + 1
                if text.count('"', 0, end) % 2 and len(text) < _MAX_RECORD_CHARS:
                    # end the block before the unfinished quoted field
                    odd = True
                    while odd and end > 0:
                        start = text.rfind("\n", 0, end - 1) + 1
                        odd = (text.count('"', start, end) % 2) == 0
                        end = start
                carry = text[end:] + tail
                if end:
                    self.lines_out += text.count("\n", 0, end)
                    yield text[:end]


def _raise_unclosed_quote(lines_in: list[str], first: int, path) -> None:
    """Name the line where the quoted field that is never closed begins."""
    odd_since = None
    for i, ln in enumerate(lines_in):
        if ln.count('"') % 2:
            odd_since = None if odd_since is not None else i
    at = odd_since if odd_since is not None else 0
    raise FormatError(
        "a quoted field is never closed: its opening quote runs to the end of the file",
        path=str(path),
        location=f"line {first + at}",
        value=lines_in[at].rstrip("\n")[:60],
        expected='a closing " for every opening " (or no quote in the field)',
    )


def _sniff_delimiter(sample: list[str]) -> str:
    """The candidate delimiter that splits the header into most fields consistently."""
    best = (-1.0, 0, ",")
    for d in (";", ",", "\t", "|"):
        try:
            rows = [r for r in csv.reader(sample, delimiter=d) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        n = len(rows[0])
        if n < 2:
            continue
        body = rows[1:]
        share = sum(1 for r in body if len(r) == n) / len(body) if body else 1.0
        score = (share, n, d)
        if score[:2] > best[:2]:
            best = score
    return best[2]


# --------------------------------------------------------------------------------------------
# header -> plan


@dataclass
class _Plan:
    """Which header positions feed which output columns."""

    dims: list[Field]  # in cube order
    dim_idx: dict[str, int]  # field name -> header index (column fields)
    label_idx: dict[str, int]  # field name -> header index of its label column
    value_cols: list[tuple[int, str, dict[str, str]]]  # (index, header, constants it fixes)
    header: list[str]
    status_idx: int | None = None
    status_values: dict[str, str] | None = None
    fill_idx: tuple[int, ...] = ()
    carry: dict[int, Any] = field(default_factory=dict)  # fill-down values across chunks
    scale: float | None = None  # every number multiplied (values.scale)
    filter_idx: dict[int, tuple[str, ...]] = field(default_factory=dict)  # mapping's filter

    @property
    def needed(self) -> list[int]:
        idx = list(self.dim_idx.values()) + list(self.label_idx.values())
        idx += [i for i, _, _ in self.value_cols]
        if self.status_idx is not None:
            idx.append(self.status_idx)
        idx += [i for i in self.fill_idx if i not in idx]
        idx += [i for i in self.filter_idx if i not in idx]
        return idx

    @property
    def out_columns(self) -> list[str]:
        cols = [f.name for f in self.dims]
        cols += [f"{name}_label" for name in self.label_idx]
        return [*cols, "value", "symbol", "line"]


def _make_plan(mapping: Mapping, header: list[str], path: str, where: str) -> _Plan:
    positions: dict[str, int] = {}
    dupes: set[str] = set()
    for i, h in enumerate(header):
        if h in positions:
            dupes.add(h)
        positions.setdefault(h, i)
    shown = ", ".join(repr(h) for h in header if h)

    if "" not in positions:
        # An empty header cell is named by its position; "" still finds the first such column.
        for i, h in enumerate(header):
            if re.fullmatch(r"column\d+|[A-Z]{1,3}", h) and h in (f"column{i + 1}", _letter(i)):
                positions[""] = i
                break

    def col(key: str, name: str) -> int:
        if name not in positions:
            raise MappingError(
                f"column {name!r} named in mapping {mapping.path or '(given in code)'} "
                f"key {key!r} is not in the header",
                path=path,
                location=where,
                value=name,
                expected=f"one of the columns {shown}",
            )
        if name in dupes:
            raise ShapeError(
                f"column {name!r} appears more than once in the header",
                path=path,
                location=where,
                value=name,
            )
        return positions[name]

    dims = mapping.fields()
    dim_idx: dict[str, int] = {}
    label_idx: dict[str, int] = {}
    for f in dims:
        key = f.name if f.name in ("area", "period", "indicator") else f"groups.{f.name}"
        if f.column is not None:
            dim_idx[f.name] = col(f"{key}.column", f.column)
        if f.label_column is not None:
            label_idx[f.name] = col(f"{key}.label_column", f.label_column)
    vc = mapping.values
    value_cols: list[tuple[int, str, dict[str, str]]] = []
    if not vc.is_wide:
        value_cols.append((col("values.column", vc.column or ""), vc.column or "", {}))
    else:
        for h, consts in vc.columns.items():
            value_cols.append((col(f"values.columns.{h}", h), h, consts))
        if vc.pattern is not None:
            taken = {h for _, h, _ in value_cols}
            named = set(vc.pattern.groupindex) & {"period", "indicator"}
            for i, h in enumerate(header):
                if h in taken:
                    continue
                m = vc.pattern.search(h)
                if not m:
                    continue
                consts = {k: m.group(k) for k in named} if named else {vc.to: m.group(1)}
                if any(v is None or v == "" for v in consts.values()):
                    continue
                value_cols.append((i, h, consts))
            if not value_cols:
                raise MappingError(
                    f"no header matches values.pattern of mapping "
                    f"{mapping.path or '(given in code)'}",
                    path=path,
                    location=where,
                    value=vc.pattern.pattern,
                    expected=f"a pattern matching some of the columns {shown}",
                )
    used = {i: "dimension" for i in dim_idx.values()}
    for i, h, _ in value_cols:
        if i in used:
            raise MappingError(
                f"column {h!r} is mapped both as a dimension and as a value column",
                path=path,
                location=where,
                value=h,
            )
    seen_keys: dict[tuple[tuple[str, str], ...], str] = {}
    for _, h, consts in value_cols:
        k = tuple(sorted(consts.items()))
        if k in seen_keys:
            raise MappingError(
                f"value columns {seen_keys[k]!r} and {h!r} fix the same "
                + ", ".join(f"{a}={b!r}" for a, b in k),
                path=path,
                location=where,
                value=h,
            )
        seen_keys[k] = h
    status_idx = None
    if mapping.status is not None:
        status_idx = col("status.column", mapping.status.column)
    fill_idx = tuple(col("format.fill_down", c) for c in mapping.format.fill_down)
    return _Plan(
        dims,
        dim_idx,
        label_idx,
        value_cols,
        header,
        status_idx=status_idx,
        status_values=None if mapping.status is None else mapping.status.values,
        fill_idx=fill_idx,
        scale=mapping.values.scale,
        filter_idx={col(f"filter.{c}", c): vs for c, vs in mapping.filter.items()},
    )


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def _required_names(mapping: Mapping) -> set[str]:
    """The column names a header must hold for the mapping (a pattern needs one match)."""
    names = {f.column for f in mapping.fields() if f.column is not None}
    names |= {f.label_column for f in mapping.fields() if f.label_column is not None}
    if mapping.status is not None:
        names.add(mapping.status.column)
    names |= set(mapping.format.fill_down)
    names |= set(mapping.filter)
    if mapping.values.column is not None:
        names.add(mapping.values.column)
    names |= set(mapping.values.columns)
    return names


def _header_fits(mapping: Mapping, header: list[str]) -> bool:
    """Whether ``header`` holds every column the mapping names (and one a pattern matches)."""
    if not _required_names(mapping) <= set(header):
        return False
    pattern = mapping.values.pattern
    return pattern is None or any(pattern.search(h) for h in header if h)


def _name_blank_columns(header: list[str], excel: bool) -> list[str]:
    """Empty header cells named by position: ``A``, ``B`` … in Excel, ``column1`` … elsewhere."""
    from openpyxl.utils import get_column_letter

    out = []
    for i, h in enumerate(header):
        if h:
            out.append(h)
        else:
            out.append(get_column_letter(i + 1) if excel else f"column{i + 1}")
    return out


# --------------------------------------------------------------------------------------------
# records -> normalised frames


@dataclass
class _Source:
    """How to name a place in the source for error messages."""

    path: str
    kind: str  # "csv" or "xlsx"
    sheet: str | None = None

    def where(self, line: int, column: int | None, header: list[str]) -> str:
        if self.kind == "xlsx":
            from openpyxl.utils import get_column_letter

            letter = get_column_letter((column or 0) + 1)
            return f"{self.sheet}!{letter}{line}"
        if self.kind == "parquet":
            return f"row {line}" + ("" if column is None else f", column {header[column]!r}")
        if column is None:
            return f"line {line}"
        return f"line {line}, column {header[column]!r}"


def _dimension_series(
    f: Field, raw: list[Any], lines: list[int] | pl.Series, idx: int, plan: _Plan, src: _Source
) -> pl.Series:
    s = _str_series(raw).rename(f.name).str.strip_chars()
    empty = s.is_null() | (s == "")
    if empty.any():
        i = int(empty.arg_true()[0])
        raise ValueFormatError(
            f"empty {f.name}",
            path=src.path,
            location=src.where(lines[i], idx, plan.header),
            value="",
            expected=f"a code for {f.name} in column {f.column!r}",
        )
    if f.pad is not None:
        s = s.str.zfill(f.pad)
    for step in f.key:
        # Codes looked up in a key file; a code whose key row ``where`` leaves out becomes null
        # and its row is dropped by the caller.
        in_key = s.is_null() | s.is_in(list(step.table)) | s.is_in(list(step.excluded))
        if not in_key.all():
            i = int((~in_key).arg_true()[0])
            raise MappingError(
                f"{f.name} code not in the key file {Path(step.file).name}",
                path=src.path,
                location=src.where(lines[i], idx, plan.header),
                value=s[i],
                expected=f"a code in column {step.source!r} of {step.file}",
            )
        s = s.replace_strict(
            list(step.table), list(step.table.values()), default=None, return_dtype=pl.String
        )
    if f.values is not None:
        known = s.is_null() | s.is_in(list(f.values))
        if not known.all():
            i = int((~known).arg_true()[0])
            listed = ", ".join(repr(k) for k in f.values)
            raise MappingError(
                f"value not listed under {f.name}.values in mapping",
                path=src.path,
                location=src.where(lines[i], idx, plan.header),
                value=s[i],
                expected=f"one of {listed}",
            )
        s = s.replace_strict(list(f.values), list(f.values.values()), return_dtype=pl.String)
    if f.bands is not None:
        from skillnader.readers.mapping import band_of

        codes = s.drop_nulls().unique().to_list()
        banded = {c: band_of(f.bands, c) for c in codes}
        bad = [c for c, b in banded.items() if b is None]
        if bad:
            i = int((s == bad[0]).arg_true()[0])
            raise MappingError(
                f"{f.name} code without a leading number cannot be put in a band",
                path=src.path,
                location=src.where(lines[i], idx, plan.header),
                value=bad[0],
                expected="codes such as 0, 7, '7 years' or '100+' (filter out totals first)",
            )
        s = s.replace_strict(list(banded), list(banded.values()), return_dtype=pl.String)
    return s


def _csv_values(
    raw: pl.Series, lines: pl.Series, idx: int, plan: _Plan, src: _Source, fmt: _NumberFormat
) -> tuple[pl.Series, pl.Series]:
    s = _str_series(raw).str.strip_chars()
    missing = s.is_in(list(fmt.missing))
    valid = s.str.contains(fmt.pattern)  # type: ignore[attr-defined]
    bad = ~(missing | valid)
    if bad.any():
        i = int(bad.arg_true()[0])
        raise ValueFormatError(
            "not a number",
            path=src.path,
            location=src.where(lines[i], idx, plan.header),
            value=raw[i],
            expected=fmt.expected(),
        )
    cleaned = s.str.replace_all(fmt.seps, "")  # type: ignore[attr-defined]
    if fmt.decimal != ".":
        cleaned = cleaned.str.replace(fmt.decimal, ".", literal=True)
    cleaned = cleaned.str.replace("\u2212", "-", literal=True)
    frame = pl.DataFrame({"c": cleaned, "m": missing, "s": s})
    out = frame.select(
        pl.when(pl.col("m")).then(None).otherwise(pl.col("c")).cast(pl.Float64).alias("value"),
        pl.when(pl.col("m")).then(pl.col("s")).otherwise(None).alias("symbol"),
    )
    return out["value"], out["symbol"]


def _excel_values(
    raw: list[Any], lines: pl.Series, idx: int, plan: _Plan, src: _Source, fmt: _NumberFormat
) -> tuple[pl.Series, pl.Series]:
    vals: list[float | None] = []
    syms: list[str | None] = []
    for v, line in zip(raw, lines.to_list(), strict=True):
        if v is None:
            vals.append(None)
            syms.append("")
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise ValueFormatError(
                "not a number",
                path=src.path,
                location=src.where(line, idx, plan.header),
                value=v,
                expected=fmt.expected(),
            )
        if isinstance(v, (int, float)):
            vals.append(float(v))
            syms.append(None)
            continue
        t = v.strip(_SPACES + "\t\r\n")
        if t in fmt.missing:
            vals.append(None)
            syms.append(t)
            continue
        parsed = fmt.parse(t)
        if parsed is None:
            raise ValueFormatError(
                "not a number",
                path=src.path,
                location=src.where(line, idx, plan.header),
                value=v,
                expected=fmt.expected(),
            )
        vals.append(parsed)
        syms.append(None)
    return pl.Series(vals, dtype=pl.Float64), pl.Series(syms, dtype=pl.String)


def _build_frame(
    plan: _Plan,
    cols: dict[int, Any],
    lines: pl.Series,
    src: _Source,
    fmt: _NumberFormat,
    value_parser: Callable[..., tuple[pl.Series, pl.Series]],
) -> pl.DataFrame:
    """Normalise one chunk: ``cols`` maps header positions to raw cells (a String Series, or a
    list for Excel), ``lines`` gives each row's line (CSV) or row number (Excel)."""
    if plan.fill_idx:
        cols = dict(cols)
        for i in plan.fill_idx:
            raw = [None if (c is None or str(c).strip() == "") else c for c in list(cols[i])]
            last = plan.carry.get(i)
            for k, c in enumerate(raw):
                if c is None:
                    raw[k] = last
                else:
                    last = c
            plan.carry[i] = last
            cols[i] = raw if not isinstance(cols[i], pl.Series) else pl.Series(raw, dtype=pl.String)
    if plan.filter_idx:
        # rows the mapping's filter leaves out are not imported (nor checked)
        keep = None
        for i, allowed in plan.filter_idx.items():
            s = _str_series([None if c is None else str(c) for c in cols[i]]).str.strip_chars()
            ok = s.is_in(list(allowed)).fill_null(False)
            keep = ok if keep is None else (keep & ok)
        if keep is not None and not keep.all():
            idx = keep.arg_true().to_list()
            cols = {
                i: c.gather(idx) if isinstance(c, pl.Series) else [c[k] for k in idx]
                for i, c in cols.items()
            }
            lines = lines.gather(idx)
    status = None
    if plan.status_idx is not None:
        status = _status_symbols(plan, cols[plan.status_idx], lines, src)
    base: dict[str, pl.Series] = {}
    for f in plan.dims:
        if f.name in plan.dim_idx:
            i = plan.dim_idx[f.name]
            base[f.name] = _dimension_series(f, cols[i], lines, i, plan, src)
    for name, i in plan.label_idx.items():
        base[f"{name}_label"] = _str_series(cols[i]).str.strip_chars()
    line_s = lines.rename("line").cast(pl.Int64)
    keyed = [base[f.name] for f in plan.dims if f.key and f.name in base]
    dropped = None
    if keyed:
        # rows whose code a key file's ``where`` leaves out are not imported
        dropped = pl.select(pl.any_horizontal([k.is_null() for k in keyed])).to_series()
    if dropped is not None and not dropped.any():
        dropped = None
    scale = plan.scale
    frames = []
    for i, _h, consts in plan.value_cols:
        values, symbols = value_parser(cols[i], lines, i, plan, src, fmt)
        if scale is not None:
            values = values * scale
        if status is not None:
            # A flagged cell never keeps its number (Kolada sends 0 with "Missing").
            flagged = status != ""
            values = pl.select(
                pl.when(flagged).then(None).otherwise(values).alias("value")
            ).to_series()
            symbols = pl.select(
                pl.when(flagged).then(status).otherwise(symbols).alias("symbol")
            ).to_series()
        frame = pl.DataFrame(
            {**base, "value": values, "symbol": symbols, "line": line_s}, strict=False
        )
        consts_all = {f.name: f.value for f in plan.dims if f.value is not None}
        consts_all.update(consts)
        frame = frame.with_columns(
            [pl.lit(v, dtype=pl.String).alias(k) for k, v in consts_all.items()]
        )
        if dropped is not None:
            frame = frame.filter(~dropped)
        frames.append(frame.select(plan.out_columns))
    return frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical")


def _status_symbols(plan: _Plan, raw: Any, lines: pl.Series, src: _Source) -> pl.Series:
    """The status column recoded to symbols ("" for a plain number); unlisted flags are errors."""
    table = plan.status_values or {"": ""}
    s = _str_series([None if c is None else str(c) for c in raw]).fill_null("").str.strip_chars()
    known = s.is_in(list(table))
    if not known.all():
        i = int((~known).arg_true()[0])
        raise MappingError(
            "status flag not listed under status.values in mapping",
            path=src.path,
            location=src.where(int(lines[i]), plan.status_idx, plan.header),
            value=s[i],
            expected="one of " + ", ".join(repr(k) for k in table),
        )
    return s.replace_strict(list(table), list(table.values()), return_dtype=pl.String)


def _str_series(raw: Any) -> pl.Series:
    if isinstance(raw, pl.Series):
        return raw
    return pl.Series(list(raw), dtype=pl.String)


def _columns_from_rows(plan: _Plan, rows: list[list[Any]]) -> dict[int, list[Any]]:
    needed = plan.needed
    if len(needed) > 1:
        columns = list(zip(*map(operator.itemgetter(*needed), rows), strict=True))
    else:
        columns = [tuple(r[needed[0]] for r in rows)]
    return {i: list(c) for i, c in zip(needed, columns, strict=True)}


# --------------------------------------------------------------------------------------------
# footer handling shared by CSV and Excel


OK, SOFT, BAD = 0, 1, 2


class _Footer:
    """Separates data records from trailing footer records.

    Each record has a kind: ``OK`` (a data row), ``BAD`` (wrong field count: a footer line, or an
    error in the middle of the file) or ``SOFT`` (right shape but no number after a blank line,
    as in PxWeb exports whose footer lines are padded with delimiters: footer at the end, a row
    of missing values in the middle). The trailing run of records that are not OK is the footer,
    after the ``explicit`` last records, which are dropped whatever they hold. Memory is bounded
    by the length of that run.
    """

    def __init__(
        self, explicit: int, on_error: Callable[[int, list[Any]], InputError] | None
    ) -> None:
        self.explicit = explicit
        self.on_error = on_error
        self.hold: deque[tuple[int, list[Any], int]] = deque()
        self.dropped: list[tuple[int, list[Any]]] = []

    def _settle(self, upto: int) -> Iterator[tuple[int, list[Any]]]:
        """Emit hold[0..upto] as data: an OK record at ``upto`` proves they are not footer."""
        for _ in range(upto + 1):
            line, row, kind = self.hold.popleft()
            if kind == BAD and self.on_error is not None:
                raise self.on_error(line, row)
            yield line, row

    def feed(self, line: int, row: list[Any], kind: int) -> Iterator[tuple[int, list[Any]]]:
        self.hold.append((line, row, kind))
        k = len(self.hold) - 1 - self.explicit
        if k >= 0 and self.hold[k][2] == OK:
            yield from self._settle(k)

    def finish(self) -> Iterator[tuple[int, list[Any]]]:
        hold = list(self.hold)
        cut = max(len(hold) - self.explicit, 0)
        last_ok = max((i for i in range(cut) if hold[i][2] == OK), default=-1)
        yield from self._settle(last_ok)
        self.dropped = [(line, row) for line, row, _ in self.hold]
        self.hold.clear()


# --------------------------------------------------------------------------------------------
# streaming


class _RowStream:
    """Iterator of normalised frames; ``meta`` fills in as the file is read."""

    def __init__(self, gen_factory: Callable[[_RowStream], Iterator[pl.DataFrame]]) -> None:
        self.meta: dict[str, object] = {}
        self._it = gen_factory(self)

    def __iter__(self) -> _RowStream:
        return self

    def __next__(self) -> pl.DataFrame:
        return next(self._it)


def _as_mapping(mapping: Mapping | dict | str | Path) -> Mapping:
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, dict):
        return Mapping.from_dict(mapping)
    return Mapping.load(mapping)


def iter_tabular_rows(
    path: str | Path,
    mapping: Mapping | dict | str | Path,
    *,
    chunk_rows: int = 100_000,
    progress: Progress | None = None,
) -> Iterator[pl.DataFrame]:
    """Read a CSV or Excel table in normalised chunks of at most ``chunk_rows`` source rows.

    Each chunk is a :class:`polars.DataFrame` with one String column per mapped dimension (cube
    order: ``indicator``, ``area``, groups, ``period``; constants filled in), ``<dim>_label`` for
    fields with a ``label_column``, ``value`` (Float64, null when missing), ``symbol`` (String:
    the missing-value symbol, null when there is a number) and ``line`` (the record's first line
    in a CSV file, its row number in Excel). A wide table yields one row per source row and value
    column. Memory stays bounded by the chunk size, so files of any size can be imported.

    ``progress`` is called as ``progress(bytes_read, total_bytes)`` after each block read.
    The returned iterator has a ``meta`` dict (encoding, delimiter, decimal, footer lines
    dropped, rows) that is complete once the iterator is exhausted.

    Duplicate cells are not detected here (that needs the whole file); :func:`read_tabular` and
    the importer do it.
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    m = _as_mapping(mapping)
    p = Path(path)
    if not p.exists():
        raise FormatError("file not found", path=str(p))
    if p.suffix.lower() in _EXCEL_SUFFIXES:
        return _RowStream(lambda s: _iter_excel(p, m, chunk_rows, progress, s.meta))
    if _is_parquet(p):
        return _RowStream(lambda s: _iter_parquet(p, m, chunk_rows, progress, s.meta))
    if p.suffix.lower() == ".xls":
        raise FormatError(
            "the old Excel 97–2003 format (.xls) is not supported",
            path=str(p),
            expected="save the sheet as .xlsx or CSV",
        )
    return _RowStream(lambda s: _iter_csv(p, m, chunk_rows, progress, s.meta))


def _is_parquet(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"PAR1"


def _iter_parquet(
    path: Path,
    mapping: Mapping,
    chunk_rows: int,
    progress: Progress | None,
    meta: dict[str, object],
) -> Iterator[pl.DataFrame]:
    """Apache Parquet: typed columns, so numbers need no parsing; text cells in a value column
    are read as in Excel (missing-value symbols, the mapping's decimal mark)."""
    fopt = mapping.format
    try:
        df = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise FormatError(
            f"not a readable Parquet file ({exc.__class__.__name__})",
            path=str(path),
            expected="an Apache Parquet file",
        ) from None
    src = _Source(str(path), "parquet")
    header = _name_blank_columns([str(c).strip() for c in df.columns], excel=False)
    meta.update(format="parquet", header=header, header_line=0, bytes=path.stat().st_size)
    plan = _make_plan(mapping, header, str(path), "columns")
    meta["value_columns"] = [h for _, h, _ in plan.value_cols]
    fmt = _NumberFormat(
        fopt.decimal or ".",
        fopt.thousands,
        tuple(fopt.missing) + tuple(fopt.suppressed),
        tuple(fopt.suppressed),
    )
    value_idx = {i for i, _, _ in plan.value_cols}
    n = df.height
    if n == 0:
        raise NoDataError("the Parquet file has no rows", path=str(path), expected="data rows")
    for start in range(0, n, chunk_rows):
        part = df.slice(start, chunk_rows)
        cols: dict[int, Any] = {}
        for i in plan.needed:
            c = part.get_column(df.columns[i])
            if i in value_idx:
                cols[i] = c.to_list()
            else:
                cols[i] = [_excel_text(v) for v in c.to_list()]
        lines = pl.Series(range(start + 1, start + part.height + 1), dtype=pl.Int64)
        yield _build_frame(plan, cols, lines, src, fmt, _excel_values)
        if progress is not None:
            progress(min(start + chunk_rows, n), n)
    meta["rows"] = n


def _iter_csv(
    path: Path,
    mapping: Mapping,
    chunk_rows: int,
    progress: Progress | None,
    meta: dict[str, object],
) -> Iterator[pl.DataFrame]:
    fopt = mapping.format
    src = _Source(str(path), "csv")
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise EmptyFileError("the file is empty", path=str(path), expected="a header and data")
    if fopt.encoding:
        encoding = fopt.encoding
        bom = 0
        if encoding in ("utf-8", "utf-8-sig") and head.startswith(codecs.BOM_UTF8):
            encoding, bom = "utf-8", 3
        elif encoding.startswith("utf-16") and head[:2] in (
            codecs.BOM_UTF16_LE,
            codecs.BOM_UTF16_BE,
        ):
            encoding = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
            bom = 2
    else:
        encoding, bom = _detect_encoding(path, head)
    meta.update(format="csv", encoding=encoding + ("-sig" if bom == 3 else ""), bytes=size)
    blocks = iter(_Blocks(path, encoding, bom, progress))
    buf: deque[str] = deque()

    def fill(n: int) -> bool:
        """Make sure ``buf`` holds at least ``n`` lines if the file has them."""
        while len(buf) < n:
            nxt = next(blocks, None)
            if nxt is None:
                return False
            buf.extend(nxt[:-1].split("\n"))
        return True

    line_no = 0
    skipped = 0
    while skipped < fopt.skip_rows and fill(1):
        buf.popleft()
        skipped += 1
        line_no += 1
    header_line = ""
    # blank lines above the header are not the header
    while fill(1):
        raw = buf.popleft()
        line_no += 1
        if raw.strip():
            header_line = raw
            break
    if not header_line:
        raise EmptyFileError(
            "the file is empty" if not skipped else f"nothing after the {skipped} skipped lines",
            path=str(path),
            expected="a header line",
        )
    header_at = line_no
    fill(100)

    def split_header(text: str, delim: str) -> list[str]:
        try:
            h = next(csv.reader([text], delimiter=delim))
        except (csv.Error, StopIteration):
            return []
        return _name_blank_columns([x.strip().lstrip("\ufeff") for x in h], excel=False)

    if fopt.skip_rows == 0 and not any(
        _header_fits(mapping, split_header(header_line, d))
        for d in ([fopt.delimiter] if fopt.delimiter else [";", "\t", ",", "|"])
    ):
        # A preamble above the header (Skolverket: source, title, selected year, notes): the
        # header is the first of the next 100 lines that holds the mapping's columns.
        for k in range(min(100, len(buf))):
            line_k = buf[k].rstrip("\r")
            if any(
                _header_fits(mapping, split_header(line_k, d))
                for d in ([fopt.delimiter] if fopt.delimiter else [";", "\t", ",", "|"])
            ):
                header_line = line_k
                for _ in range(k + 1):
                    buf.popleft()
                header_at = line_no + k + 1
                line_no = header_at
                fill(50)
                break
    sample = [header_line + "\n"] + [buf[i] + "\n" for i in range(min(50, len(buf)))]
    delimiter = fopt.delimiter or _sniff_delimiter(sample)
    try:
        header = next(csv.reader([header_line], delimiter=delimiter))
    except csv.Error as exc:
        raise FormatError(
            f"unreadable header: {exc}", path=str(path), location=f"line {header_at}"
        ) from None
    header = _name_blank_columns([h.strip().lstrip("\ufeff") for h in header], excel=False)
    ncols = len(header)
    meta.update(delimiter=delimiter, header=header, header_line=header_at)
    plan = _make_plan(mapping, header, str(path), f"header (line {header_at})")
    meta["value_columns"] = [h for _, h, _ in plan.value_cols]
    value_idx = [i for i, _, _ in plan.value_cols]
    needed = plan.needed

    def wrong_count(line: int, row: list[Any]) -> InputError:
        return ShapeError(
            f"line has {len(row)} fields, the header (line {header_at}) has {ncols}",
            path=str(path),
            location=f"line {line}",
            value=delimiter.join(row),
            expected=f"{ncols} fields separated by {delimiter!r}; quote fields that contain it",
        )

    footer = _Footer(fopt.footer_lines, wrong_count)
    fmt: _NumberFormat | None = None
    rows: list[list[str]] = []  # records from the csv module, not yet in ``pending``
    lines: list[int] = []
    pending: list[tuple[dict[int, pl.Series], pl.Series]] = []
    state = {"pending_n": 0, "n_out": 0, "after_blank": False}

    def rows_to_pending() -> None:
        if rows:
            cols = {
                i: pl.Series(v, dtype=pl.String) for i, v in _columns_from_rows(plan, rows).items()
            }
            pending.append((cols, pl.Series(lines, dtype=pl.Int64)))
            state["pending_n"] += len(rows)
            rows.clear()
            lines.clear()

    def emit(final: bool) -> Iterator[pl.DataFrame]:
        nonlocal fmt
        while state["pending_n"] >= chunk_rows or (final and state["pending_n"]):
            if len(pending) == 1:
                cols, ln = pending[0]
            else:
                cols = {i: pl.concat([pc[i] for pc, _ in pending]) for i in needed}
                ln = pl.concat([pl_ for _, pl_ in pending])
            pending.clear()
            take = min(chunk_rows, ln.len())
            if take < ln.len():
                pending.append(({i: c.slice(take) for i, c in cols.items()}, ln.slice(take)))
                cols = {i: c.slice(0, take) for i, c in cols.items()}
                ln = ln.slice(0, take)
            state["pending_n"] -= take
            if fmt is None:
                samples = [x for i in value_idx for x in cols[i].head(5000).to_list()]
                fmt = _choose_format(fopt, delimiter, samples)
                meta.update(decimal=fmt.decimal, thousands=fmt.thousands)
            state["n_out"] += take
            yield _build_frame(plan, cols, ln, src, fmt, _csv_values)

    schema = {f"c{i}": pl.String for i in range(ncols)}

    def vectorised(text: str, n: int, first: int) -> bool:
        """Split a block without quotes in Polars; False if it needs the csv module."""
        if state["after_blank"] or footer.hold or footer.explicit:
            return False
        if text.startswith("\n") or "\n\n" in text:
            return False  # blank lines: footer separators, the careful path decides
        if text.count(delimiter) != n * (ncols - 1):
            return False  # a ragged line (footer or error)
        try:
            df = pl.read_csv(
                text.encode("utf-8"),
                has_header=False,
                separator=delimiter,
                quote_char=None,
                schema=schema,
                empty_string_is_null=False,
                raise_if_empty=False,
            )
        except pl.exceptions.PolarsError:
            return False  # a line with too many fields and another with too few
        if df.height != n:
            return False
        if (df["c0"].str.strip_chars() == "").any():
            all_empty = df.select(pl.all_horizontal(pl.all().str.strip_chars() == "")).to_series()
            if all_empty.any():
                return False  # rows of empty fields, which the careful path skips as blank
        rows_to_pending()
        pending.append(
            (
                {i: df[f"c{i}"] for i in needed},
                pl.int_range(first, first + n, dtype=pl.Int64, eager=True),
            )
        )
        state["pending_n"] += n
        return True

    def careful(text: str, first: int) -> None:
        lines_in = [ln + "\n" for ln in text[:-1].split("\n")]
        if text.count('"') % 2:
            # Blocks end between records, so an odd number of quotes means a quoted field that
            # is never closed: it would swallow the rest of the file as one field.
            _raise_unclosed_quote(lines_in, first, path)
        reader = csv.reader(lines_in, delimiter=delimiter, strict=False)
        prev = first - 1
        try:
            for row in reader:
                start = prev + 1
                prev = first - 1 + reader.line_num
                if not row or (not row[0].strip() and not any(c.strip() for c in row)):
                    state["after_blank"] = True
                    continue
                if len(row) != ncols:
                    kind = BAD
                elif state["after_blank"] and not any(row[i].strip() for i in value_idx):
                    kind = SOFT
                else:
                    kind = OK
                    state["after_blank"] = False
                if kind == OK and not footer.hold and not footer.explicit:
                    rows.append(row)
                    lines.append(start)
                else:
                    for ln, r in footer.feed(start, row, kind):
                        rows.append(r)
                        lines.append(ln)
        except csv.Error as exc:
            raise FormatError(
                f"not readable as CSV: {exc}", path=str(path), location=f"line {prev + 1}"
            ) from None

    first = header_at + 1
    text: str | None = "".join(ln + "\n" for ln in buf)
    buf.clear()
    while text is not None:
        if text:
            n = text.count("\n")
            if '"' in text or not vectorised(text, n, first):
                careful(text, first)
                if len(rows) >= chunk_rows:
                    rows_to_pending()
            yield from emit(False)
            first += n
        text = next(blocks, None)
    for ln, r in footer.finish():
        rows.append(r)
        lines.append(ln)
    rows_to_pending()
    dropped = footer.dropped
    meta.update(
        footer_lines_dropped=len(dropped),
        footer=[delimiter.join(r) for _, r in dropped],
    )
    yield from emit(True)
    meta["rows"] = state["n_out"]
    if state["n_out"] == 0:
        raise NoDataError(
            "no data rows after the header"
            + (
                f" ({len(dropped)} footer line{'s' if len(dropped) != 1 else ''} dropped)"
                if dropped
                else ""
            ),
            path=str(path),
            location=f"line {header_at}",
            expected="at least one row of data",
        )


def _choose_format(fopt: Any, delimiter: str | None, samples: list[Any]) -> _NumberFormat:
    decimal = fopt.decimal
    if decimal is None:
        decimal = _sniff_decimal(
            [x for x in samples if isinstance(x, str)], delimiter, fopt.thousands
        )
    thousands = fopt.thousands if fopt.thousands != decimal else None
    return _NumberFormat(
        decimal, thousands, tuple(fopt.missing) + tuple(fopt.suppressed), tuple(fopt.suppressed)
    )


def _excel_text(v: Any) -> Any:
    """A cell as the text a dimension code is made of; numbers that are whole become ints."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v).upper()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, _dt.datetime):
        return v.date().isoformat() if v.time() == _dt.time() else v.isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


def footer_metadata(lines: list[str]) -> dict[str, str]:
    """SCB's footer as ``{key: value}``: a line ending in ``:`` names the lines below it
    (``Units:`` / ``number``, ``Internal reference code:`` / ``BE0101D9``); repeated keys keep
    every value, joined by a new line."""
    out: dict[str, list[str]] = {}
    key = None
    for text in lines:
        t = text.strip()
        if not t:
            continue
        if t.endswith(":") and len(t) <= 60:
            key = t[:-1].strip()
            out.setdefault(key, [])
        elif key is not None:
            out[key].append(t)
    return {k: "\n".join(v) for k, v in out.items()}


def _iter_excel(
    path: Path,
    mapping: Mapping,
    chunk_rows: int,
    progress: Progress | None,
    meta: dict[str, object],
) -> Iterator[pl.DataFrame]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    from skillnader.readers.ziplimits import check_archive

    fopt = mapping.format
    check_archive(path)  # a decompression bomb is refused before anything is unpacked
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise FormatError(
            f"not a readable .xlsx workbook ({exc.__class__.__name__})",
            path=str(path),
            expected="an Excel 2007+ workbook",
        ) from None
    try:
        if fopt.sheet is not None:
            if fopt.sheet not in wb.sheetnames:
                raise MappingError(
                    f"sheet named in mapping {mapping.path or '(given in code)'} key "
                    "'format.sheet' is not in the workbook",
                    path=str(path),
                    value=fopt.sheet,
                    expected="one of the sheets " + ", ".join(repr(s) for s in wb.sheetnames),
                )
            ws = wb[fopt.sheet]
        else:
            ws = wb.worksheets[0]
        sheet = ws.title
        src = _Source(str(path), "xlsx", sheet)
        meta.update(format="xlsx", sheet=sheet, bytes=path.stat().st_size)
        rows_it = iter(ws.iter_rows(values_only=True))
        row_no = 0
        for _ in range(fopt.skip_rows):
            if next(rows_it, None) is None:
                break
            row_no += 1
        header_row = None
        for r in rows_it:
            row_no += 1
            if any(c is not None and str(c).strip() for c in r):
                header_row = r
                break
        if header_row is None:
            raise EmptyFileError(
                f"sheet {sheet!r} is empty", path=str(path), expected="a header row"
            )

        def as_header(r) -> list[str]:
            h = [("" if c is None else _excel_text(c)).strip() for c in r]
            while h and h[-1] == "":
                h.pop()
            return _name_blank_columns(h, excel=True)

        header = as_header(header_row)
        if not _header_fits(mapping, header) and fopt.skip_rows == 0:
            # A preamble (title, notes) above the header: the header is the first row that
            # holds the mapping's columns.
            ahead = []
            for _ in range(100):
                r = next(rows_it, None)
                if r is None:
                    break
                ahead.append(r)
                if any(c is not None and str(c).strip() for c in r) and _header_fits(
                    mapping, as_header(r)
                ):
                    row_no += len(ahead)
                    header = as_header(r)
                    ahead = []
                    break
            if ahead:
                import itertools

                rows_it = itertools.chain(ahead, rows_it)
        ncols = len(header)
        header_at = row_no
        meta.update(header=header, header_line=header_at)
        plan = _make_plan(mapping, header, str(path), f"header ({sheet}!A{header_at})")
        meta["value_columns"] = [h for _, h, _ in plan.value_cols]

        # a row with one filled cell is footer text at the end, a sparse data row elsewhere
        footer = _Footer(fopt.footer_lines, None)
        fmt = _NumberFormat(
            fopt.decimal or ",",
            fopt.thousands,
            tuple(fopt.missing) + tuple(fopt.suppressed),
            tuple(fopt.suppressed),
        )
        meta.update(decimal=fmt.decimal, thousands=fmt.thousands)
        rows: list[list[Any]] = []
        lines: list[int] = []
        n_out = 0
        dim_cols = set(plan.dim_idx.values()) | set(plan.label_idx.values())
        for r in rows_it:
            row_no += 1
            cells = list(r[:ncols]) + [None] * (ncols - len(r))
            cells = [None if isinstance(c, str) and not c.strip() else c for c in cells]
            filled = sum(c is not None for c in cells)
            if filled == 0:
                continue
            status_cols = set() if plan.status_idx is None else {plan.status_idx}
            for i in dim_cols | set(plan.fill_idx) | status_cols | set(plan.filter_idx):
                cells[i] = _excel_text(cells[i])
            kind = OK if filled > 1 or ncols == 1 else SOFT
            for ln, rr in footer.feed(row_no, cells, kind):
                rows.append(rr)
                lines.append(ln)
            if len(rows) >= chunk_rows:
                n_out += len(rows)
                yield _build_frame(
                    plan, _columns_from_rows(plan, rows), pl.Series(lines), src, fmt, _excel_values
                )
                rows, lines = [], []
        for ln, rr in footer.finish():
            rows.append(rr)
            lines.append(ln)
        footer_text = [" ".join(str(c) for c in rr if c is not None) for _, rr in footer.dropped]
        meta.update(
            footer_lines_dropped=len(footer.dropped),
            footer=footer_text,
            footer_meta=footer_metadata(footer_text),
        )
        if rows:
            n_out += len(rows)
            yield _build_frame(
                plan, _columns_from_rows(plan, rows), pl.Series(lines), src, fmt, _excel_values
            )
        meta["rows"] = n_out
        if progress is not None:
            size = path.stat().st_size
            progress(size, size)
        if n_out == 0:
            raise NoDataError(
                f"no data rows below the header in sheet {sheet!r}",
                path=str(path),
                location=f"{sheet}!A{header_at}",
                expected="at least one row of data",
            )
    finally:
        wb.close()


# --------------------------------------------------------------------------------------------
# dense cube


_ROLES = {"area": "geo", "period": "time", "indicator": "content"}


def _sum_cells(df: pl.DataFrame, keys: list[str], suppressed: tuple[str, ...]) -> pl.DataFrame:
    """Rows that fall on the same cell summed (``aggregate: sum``).

    A sum with a missing part is missing (its symbol kept), and one with a part the producer
    suppressed is suppressed: an unknown part never counts as zero. ``line`` is the first row's.
    """
    labels = [c for c in df.columns if c.endswith("_label")]
    sup = list(suppressed)
    return (
        df.group_by(keys, maintain_order=True)
        .agg(
            pl.when(pl.col("value").is_null().any())
            .then(None)
            .otherwise(pl.col("value").sum())
            .alias("value"),
            pl.when(pl.col("symbol").is_in(sup).any())
            .then(pl.col("symbol").filter(pl.col("symbol").is_in(sup)).first())
            .otherwise(pl.col("symbol").drop_nulls().first())
            .alias("symbol"),
            pl.col("line").min().alias("line"),
            *[pl.col(c).first() for c in labels],
        )
        .select(df.columns)
    )


def read_tabular(
    path: str | Path,
    mapping: Mapping | dict | str | Path,
    *,
    progress: Progress | None = None,
) -> Cube:
    """Read a CSV or Excel table into a dense :class:`Cube` using a mapping.

    ``mapping`` is a :class:`Mapping`, the dict form of one, or the path of a YAML mapping file.
    The cube has one dimension per mapped field (``indicator``, ``area``, the groups, ``period``,
    in that order; a constant gives a dimension of one code) over the distinct codes in order of
    first appearance. Combinations the file lacks are NaN without a symbol; a missing-value
    symbol in the file (``..``, ``-``, ``.``, empty) is kept in ``cube.symbols``. Two rows that
    fill the same cell raise :class:`~skillnader.errors.DuplicateKeyError` naming both lines.

    In Excel, numeric cells are taken as they are and text cells are parsed with the mapping's
    decimal mark (``","`` unless ``format.decimal`` says otherwise); an empty cell is missing
    with the symbol ``""``.

    ``meta`` holds ``format``, ``encoding``, ``delimiter``, ``decimal``, ``thousands``,
    ``header``, ``rows``, ``footer_lines_dropped``, ``footer`` (the dropped lines' text),
    ``area_level``, ``area_vintage`` and ``mapping`` (the mapping file).
    """
    m = _as_mapping(mapping)
    stream = iter_tabular_rows(path, m, chunk_rows=200_000, progress=progress)
    frames = list(stream)
    meta = dict(stream.meta)  # type: ignore[attr-defined]
    df = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
    fields = m.fields()
    if m.aggregate == "sum":
        df = _sum_cells(df, [f.name for f in fields], m.format.suppressed)
        meta["aggregated"] = "sum"
    dims: list[Dimension] = []
    flat = pl.Series("flat", np.zeros(df.height, dtype=np.int64))
    all_codes = [df[f.name].unique(maintain_order=True).to_list() for f in fields]
    sizes = [len(c) for c in all_codes]
    total = int(np.prod(sizes, dtype=np.float64)) if sizes else 1
    if total > MAX_DENSE_CELLS:
        raise ShapeError(
            "the dense cube would be too large: "
            + " × ".join(f"{f.name} {n}" for f, n in zip(fields, sizes, strict=True)),
            path=str(path),
            value=total,
            expected=f"at most {MAX_DENSE_CELLS} cells; check the mapping, or stream the file "
            "with iter_tabular_rows",
        )
    stride = 1
    for f, codes in reversed(list(zip(fields, all_codes, strict=True))):
        n = len(codes)
        col = df[f.name]
        idx = col.replace_strict(codes, list(range(n)), return_dtype=pl.Int64)
        flat = flat + idx * stride
        stride *= n
        labels = codes
        if f"{f.name}_label" in df.columns:
            first = df.select(f.name, f"{f.name}_label").unique(
                subset=[f.name], keep="first", maintain_order=True
            )
            by_code = dict(
                zip(first[f.name].to_list(), first[f"{f.name}_label"].to_list(), strict=True)
            )
            labels = [by_code.get(c) or c for c in codes]
        dims.insert(
            0,
            Dimension(
                code=f.name,
                label=f.column or f.name,
                codes=codes,
                labels=labels,
                role=_ROLES.get(f.name),
            ),
        )
    dup = flat.is_duplicated()
    if dup.any():
        first_i = int(dup.arg_true()[0])
        target = flat[first_i]
        hits = (flat == target).arg_true()[:2].to_list()
        a, b = (int(df["line"][h]) for h in hits)
        coords = {f.name: df[f.name][first_i] for f in fields}
        unit = "row" if meta.get("format") == "xlsx" else "line"
        raise DuplicateKeyError(
            f"two rows fill the same cell ({unit}s {a} and {b})",
            path=str(path),
            location=f"{unit} {b}",
            value=", ".join(f"{k}={v}" for k, v in coords.items()),
            expected="one row per " + " × ".join(f.name for f in fields),
        )
    values = np.full(total, np.nan)
    flat_np = flat.to_numpy()
    vals_np = df["value"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    values[flat_np] = vals_np
    sym_mask = df["symbol"].is_not_null()
    symbols: dict[int, str] = {}
    if sym_mask.any():
        symbols = dict(
            zip(
                flat.filter(sym_mask).to_list(),
                df["symbol"].filter(sym_mask).to_list(),
                strict=True,
            )
        )
    meta.update(
        mapping=m.path,
        area_level=m.area.level,
        area_vintage=m.area.vintage,
        cells_filled=int(df.height),
    )
    return Cube(
        dimensions=dims,
        values=values,
        symbols=symbols,
        meta=meta,
        source=str(path),
    )
