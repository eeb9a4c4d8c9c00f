"""PC-Axis (``.px``) reader.

The format is described in Statistics Sweden's *PX-file format specification* (PC-Axis file
format, version 2013, https://www.scb.se/en/services/statistical-programs-for-px-files/px-file-format/).
A file is a header of ``KEYWORD[lang]("sub","keys")=value;`` statements followed by ``DATA=``
and the cells, stub variables first then heading variables, last variable fastest.

The header is small and parsed in memory; the ``DATA`` part is read in fixed-size chunks and
converted with NumPy straight into the preallocated cube, so memory stays close to the size of
the cube itself (8 bytes per cell) whatever the size of the file.
"""

from __future__ import annotations

import codecs
import io
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from skillnader.errors import (
    EncodingError,
    FormatError,
    InputError,
    ShapeError,
    ValueFormatError,
)
from skillnader.readers.base import Cube, Dimension, StreamedCube

__all__ = [
    "DuplicateKeywordError",
    "EmptyFileError",
    "MissingDataError",
    "MissingValuesError",
    "NotPxError",
    "PX_SYMBOLS",
    "TruncatedFileError",
    "read_px",
]

#: Missing-value symbols of the PX format, mapped to the keyword that declares their display text.
PX_SYMBOLS: dict[str, str] = {
    ".": "DATASYMBOL1",
    "..": "DATASYMBOL2",
    "...": "DATASYMBOL3",
    "....": "DATASYMBOL4",
    ".....": "DATASYMBOL5",
    "......": "DATASYMBOL6",
    "-": "DATASYMBOLNIL",
}

_CHUNK = 1 << 18  # 256 KiB of DATA text per conversion step (temporaries stay near 15 MiB)
_HEADER_LIMIT = 256 << 20  # a header larger than this is not a real PX header


class EmptyFileError(FormatError):
    """The file holds no bytes (or only whitespace)."""


class NotPxError(FormatError):
    """The bytes are not a PX file at all (binary content, no keyword syntax)."""


class MissingDataError(FormatError):
    """The header never reaches the ``DATA=`` keyword."""


class TruncatedFileError(FormatError):
    """The file ends in the middle of a statement or before all cells of ``DATA``."""


class DuplicateKeywordError(FormatError):
    """The same keyword (with the same language and sub-keys) occurs twice."""


class MissingValuesError(FormatError):
    """A ``STUB``/``HEADING`` variable has no ``VALUES`` statement."""


@dataclass
class _Stmt:
    keyword: str
    lang: str | None
    subkeys: tuple[str, ...]
    raw: bytes
    line: int
    raw_sub: bytes | None = None
    items: list[str] | None = None
    bare: list[str] | None = None  # unquoted items in order (YES/NO, numbers, TLIST(...))
    text: str = ""


# keyword[lang]("sub","keys")=   -- the parenthesis part may hold quoted strings with any content
_KW_RE = re.compile(
    rb'[ \t\r\n\x1a]*([A-Za-z][A-Za-z0-9_\-]*)[ \t]*(?:\[([^\]\r\n";=]*)\])?[ \t]*'
    rb'(\((?:"[^"]*"|[^"()=;])*\))?[ \t\r\n]*='
)
_VAL_RE = re.compile(rb'((?:"[^"]*"|[^";])*);')
_SUBKEY_RE = re.compile(r'"([^"]*)"')
_NUM_CHARS = b"0123456789.-+eE \t\r\n\x0b\x0c"
_NUM_CHARS_QUOTED = _NUM_CHARS + b'"'
_NUMBER_RE = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _line_of(buf: bytes, pos: int) -> int:
    return buf.count(b"\n", 0, pos) + 1


def _open(source: str | os.PathLike[str] | bytes | bytearray) -> tuple[BinaryIO, str, int]:
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(bytes(source)), "<bytes>", len(source)
    path = Path(source)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the caller
        return fh, str(path), os.fstat(fh.fileno()).st_size
    except OSError as exc:
        raise InputError(f"cannot open file: {exc.strerror}", path=str(path)) from exc


def read_px(
    source: str | os.PathLike[str] | bytes | bytearray, *, language: str | None = None
) -> Cube:
    """Read a PC-Axis file into a :class:`Cube`.

    ``source`` is a path or the file's bytes. ``language`` picks one of the file's ``LANGUAGES``
    for labels (default: the main ``LANGUAGE``); labels in every language of the file are kept in
    ``Dimension.labels_by_lang``. Codes (``CODES``) are language-independent and used as the cube's
    value codes; without ``CODES`` the main-language ``VALUES`` serve as codes.

    Missing cells (``"."`` … ``"......"`` and ``"-"``) become NaN and their symbol is kept in
    ``Cube.symbols``; the texts declared by ``DATASYMBOL1``–``6``/``DATASYMBOLNIL``/``DATASYMBOLSUM``
    are in ``meta["symbol_texts"]``. ``CELLNOTE``/``CELLNOTEX``/``DATANOTECELL`` go to
    ``Cube.notes`` (flat index → text; ``DATANOTECELL`` markers also in ``meta["datanotecell"]``).

    Reference: Statistics Sweden, *PX file format specification* (2013). Raises subclasses of
    :class:`~skillnader.errors.InputError` naming the file and line for every defect.
    """
    fh, path, size = _open(source)
    with fh:
        return _Reader(fh, path, language, size).read()


def stream_px(
    source: str | os.PathLike[str] | bytes | bytearray, *, language: str | None = None
) -> StreamedCube:
    """As :func:`read_px`, but the numbers are read only as :meth:`StreamedCube.cells` reaches
    them, about 256 KiB of the file at a time: memory does not grow with the number of cells.

    The header is read and checked at once (its errors are raised by this call); defects of the
    DATA section are raised while the cells are iterated. The file stays open until then.
    """
    fh, path, size = _open(source)
    try:
        cube = _Reader(fh, path, language, size).read(stream=True)
    except BaseException:
        fh.close()
        raise
    assert isinstance(cube, StreamedCube)
    cube.close = fh.close
    return cube


class _Reader:
    def __init__(self, fh: BinaryIO, path: str, language: str | None, size: int) -> None:
        self.fh = fh
        self.size = size
        self.transcoded = False
        self.path = path
        self.language = language
        self.buf = b""
        self.eof = False
        self.encoding = "cp1252"
        self.bom: str | None = None

    # -- low-level input -------------------------------------------------------------------------
    def _more(self) -> bool:
        if self.eof:
            return False
        if len(self.buf) > _HEADER_LIMIT:
            raise FormatError(
                "no DATA keyword in the first 256 MiB; this is not a PX header",
                path=self.path,
            )
        # Reads grow with the buffer (half its size, 256 KiB at least), so that a header of many
        # megabytes costs a few reads and the statement being matched is rescanned a few times,
        # not once per 256 KiB (which made a 64 MB header take minutes).
        chunk = self.fh.read(max(_CHUNK, len(self.buf) // 2))
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _line_at(self, pos: int) -> int:
        """The line of byte ``pos`` of the buffer, counted on from the last position asked
        about (statements come in file order, so the header is counted through once)."""
        last_pos, last_line = getattr(self, "_line_mark", (0, 1))
        if pos < last_pos:
            last_pos, last_line = 0, 1
        line = last_line + self.buf.count(b"\n", last_pos, pos)
        self._line_mark = (pos, line)
        return line

    def _err(self, cls: type[InputError], msg: str, line: int | None = None, **kw) -> InputError:
        return cls(msg, path=self.path, location=None if line is None else f"line {line}", **kw)

    # -- header ----------------------------------------------------------------------------------
    def _prepare(self) -> None:
        self._more()
        if self.buf.startswith(codecs.BOM_UTF8):
            self.buf = self.buf[3:]
            self.bom = "utf-8"
        elif self.buf.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            # Rare; the byte-level tokenizer needs an ASCII-compatible encoding, so transcode.
            while self._more():
                pass
            try:
                self.buf = self.buf.decode("utf-16").encode("utf-8")
            except UnicodeDecodeError as exc:
                raise self._err(EncodingError, f"invalid UTF-16: {exc.reason}") from exc
            self.bom = "utf-8"
            self.transcoded = True
            self.size = len(self.buf)
        else:
            self.bom = None
        if not self.buf.strip(b" \t\r\n\x1a"):
            while self._more():
                if self.buf.strip(b" \t\r\n\x1a"):
                    break
            else:
                raise self._err(EmptyFileError, "the file is empty")
        head = self.buf[:4096]
        if b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head) > 8:
            raise self._err(
                NotPxError,
                "binary content, not a PX text file",
                1,
                expected='text starting with a keyword such as CHARSET="ANSI";',
            )

    def _statements(self) -> tuple[list[_Stmt], int]:
        """Parse header statements up to ``DATA=``; returns them and the offset of the data."""
        pos = 0
        stmts: list[_Stmt] = []
        while True:
            m = _KW_RE.match(self.buf, pos)
            if m is None or m.end() == len(self.buf):
                if not self.eof and len(self.buf) - pos < (1 << 16) and self._more():
                    continue
                if m is None:
                    rest = self.buf[pos:].strip(b" \t\r\n\x1a")
                    line = _line_of(self.buf, len(self.buf) - len(self.buf[pos:].lstrip()))
                    if not rest:
                        if not stmts:
                            raise self._err(EmptyFileError, "the file is empty")
                        raise self._err(
                            MissingDataError,
                            "the file ends without a DATA keyword",
                            line,
                            expected="DATA= followed by the cells",
                        )
                    shown = rest[:40].decode(self.encoding, "replace")
                    if b"=" not in rest[:2000] and self.eof:
                        raise self._err(
                            TruncatedFileError if stmts else FormatError,
                            "the file ends inside a keyword"
                            if stmts
                            else "not a PX keyword statement",
                            line,
                            value=shown,
                            expected='KEYWORD=value; or KEYWORD("variable")=value;',
                        )
                    raise self._err(
                        FormatError,
                        "unknown keyword syntax",
                        line,
                        value=shown,
                        expected='KEYWORD=value; or KEYWORD[lang]("variable")=value;',
                    )
            kw_start = m.start(1)
            keyword = m.group(1).decode("ascii").upper()
            lang = m.group(2)
            sub = m.group(3)
            line = self._line_at(kw_start)
            if keyword == "DATA" and lang is None and sub is None:
                return stmts, m.end()
            while True:
                v = _VAL_RE.match(self.buf, m.end())
                if v is not None:
                    break
                if not self._more():
                    raise self._err(
                        TruncatedFileError,
                        f"the file ends inside the value of {keyword} "
                        "(unterminated string or missing ';')",
                        line,
                        expected="a value ending with ';'",
                    )
            stmts.append(
                _Stmt(
                    keyword=keyword,
                    lang=None if lang is None else lang.decode("ascii", "replace").strip(),
                    subkeys=(),
                    raw_sub=sub,
                    raw=v.group(1),
                    line=line,
                )
            )
            pos = v.end()

    def _subkeys(self, sub: bytes, line: int) -> list[str]:
        text = self._decode(sub, line)
        inner = text[1:-1]
        keys = _SUBKEY_RE.findall(inner)
        leftover = _SUBKEY_RE.sub("", inner).replace(",", "").strip()
        if leftover:
            raise self._err(
                FormatError,
                "sub-keys in parentheses must be quoted strings",
                line,
                value=text,
                expected='("variable") or ("variable","value")',
            )
        return keys

    def _decode(self, raw: bytes, line: int) -> str:
        try:
            return raw.decode(self.encoding)
        except UnicodeError as exc:
            start = getattr(exc, "start", 0)
            end = getattr(exc, "end", start + 1)
            bad_line = line + raw.count(b"\n", 0, start)
            raise self._err(
                EncodingError,
                f"bytes that are not valid {self.encoding}",
                bad_line,
                value=raw[max(0, start - 10) : end + 10],
                expected="text in the declared CODEPAGE",
            ) from exc

    def _tokenize(self, st: _Stmt) -> None:
        """Split a value into items: quoted strings (adjacent ones concatenated), bare tokens."""
        text = self._decode(st.raw, st.line)
        st.text = text
        items: list[str] = []
        bare: list[str] = []
        cur: str | None = None
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c in " \t\r\n\x1a":
                i += 1
            elif c == '"':
                j = text.find('"', i + 1)
                if j < 0:  # cannot happen after _VAL_RE, kept for safety
                    raise self._err(TruncatedFileError, "unterminated string", st.line)
                cur = (cur or "") + text[i + 1 : j]
                i = j + 1
            elif c == ",":
                items.append(cur if cur is not None else "")
                cur = None
                i += 1
            else:
                j = i
                depth = 0
                while j < n:
                    ch = text[j]
                    if ch == "(":
                        depth += 1
                    elif ch == ")":
                        depth -= 1
                    elif ch == '"' and depth > 0:
                        k = text.find('"', j + 1)
                        j = n if k < 0 else k
                    elif depth <= 0 and (ch in ', \t\r\n"'):
                        break
                    j += 1
                token = text[i:j]
                bare.append(token)
                cur = (cur or "") + token
                i = j
        if cur is not None or text.rstrip().endswith(","):
            items.append(cur if cur is not None else "")
        st.items = items
        st.bare = bare

    # -- main ------------------------------------------------------------------------------------
    def read(self, stream: bool = False) -> Cube:
        self._prepare()
        stmts, data_pos = self._statements()
        data_line = _line_of(self.buf, data_pos)
        by_kw: dict[str, list[_Stmt]] = {}
        for st in stmts:
            by_kw.setdefault(st.keyword, []).append(st)
        self._choose_encoding(by_kw)
        for st in stmts:
            if st.raw_sub is not None:
                st.subkeys = tuple(self._subkeys(st.raw_sub, st.line))
            self._tokenize(st)
        header = _Header(self, stmts)
        dims, cube_meta = header.build()
        expected = 1
        for d in dims:
            expected *= len(d)
        if stream:
            symbols: dict[int, str] = {}
            streamed = StreamedCube(
                dimensions=dims,
                values=np.empty(0),
                symbols=symbols,
                meta=cube_meta,
                source=self.path,
                size=expected,
                chunks=self._data_chunks(data_pos, data_line, expected, dims, symbols),
            )
            header.attach_cell_notes(streamed)
            return streamed
        values, symbols = self._read_data(data_pos, data_line, expected, dims)
        cube = Cube(
            dimensions=dims,
            values=values.reshape(tuple(len(d) for d in dims)),
            symbols=symbols,
            meta=cube_meta,
            source=self.path,
        )
        header.attach_cell_notes(cube)
        return cube

    def _choose_encoding(self, by_kw: dict[str, list[_Stmt]]) -> None:
        declared = by_kw.get("CODEPAGE")
        if self.transcoded:  # UTF-16 file, already turned into UTF-8 whatever it declares
            self.encoding = "utf-8"
        elif declared:
            st = declared[0]
            name = st.raw.decode("ascii", "replace").strip().strip('"').strip()
            try:
                info = codecs.lookup(name)
                enc = info.name
                # The tokenizer works on bytes, so only ASCII-compatible text encodings qualify
                # (not UTF-16/32, not base64 and other bytes-to-bytes codecs).
                probe = 'KEYWORD("a")="0,9";'
                if not getattr(info, "_is_text_encoding", True) or (
                    probe.encode(enc) != probe.encode("ascii")
                ):
                    raise LookupError(name)
            except (LookupError, UnicodeError, TypeError, ValueError) as exc:
                raise self._err(
                    FormatError,
                    "unknown CODEPAGE",
                    st.line,
                    value=name,
                    expected="a character set such as iso-8859-1, windows-1252 or utf-8",
                ) from exc
            if self.bom and enc not in ("utf-8", "utf-8-sig"):
                raise self._err(
                    EncodingError,
                    "the file starts with a UTF-8 byte-order mark but declares another CODEPAGE",
                    st.line,
                    value=name,
                    expected='CODEPAGE="utf-8"',
                )
            self.encoding = enc
        elif self.bom:
            self.encoding = "utf-8"
        else:
            # The specification's default is iso-8859-1; SCB's CHARSET="ANSI" files are Windows
            # code page 1252, a superset for every printable character.
            self.encoding = "cp1252"

    # -- DATA ------------------------------------------------------------------------------------
    def _read_data(
        self, pos: int, data_line: int, expected: int, dims: list[Dimension]
    ) -> tuple[np.ndarray, dict[int, str]]:
        # Every cell takes at least two bytes ("0 "), so the file size bounds the cells that can
        # come; a header that declares more than that cannot make us allocate the declared size.
        out = np.empty(min(expected, self.size // 2 + 1), dtype=np.float64)
        symbols: dict[int, str] = {}
        for filled, vals in self._data_chunks(pos, data_line, expected, dims, symbols):
            k = len(vals)
            if filled + k > out.size:
                out = np.concatenate([out, np.empty(filled + k - out.size)])
            out[filled : filled + k] = vals
        return out, symbols

    def _data_chunks(
        self,
        pos: int,
        data_line: int,
        expected: int,
        dims: list[Dimension],
        symbols: dict[int, str],
    ) -> Iterator[tuple[int, np.ndarray]]:
        """The DATA section as ``(offset, values)`` chunks of about 256 KiB of text each, in cell
        order; the missing-value symbols go into ``symbols`` (flat index -> symbol) as they come.
        Every defect (too many or too few cells, text after the closing ';') is raised when the
        chunk that shows it is reached."""
        filled = 0
        pending = self.buf[pos:]
        self.buf = b""
        line = data_line
        terminated = False
        shape_txt = " × ".join(str(len(d)) for d in dims) or "1"

        def overflow(count: int, at_line: int) -> ShapeError:
            return ShapeError(
                f"DATA holds {count} cells but the dimensions ({shape_txt}) need {expected}",
                path=self.path,
                location=f"line {at_line}",
                value=count,
                expected=f"{expected} cells",
            )

        while True:
            if not terminated and not self.eof:
                chunk = self.fh.read(_CHUNK)
                if not chunk:
                    self.eof = True
                pending += chunk
            semi = pending.find(b";")
            if semi >= 0 and not terminated:
                tail = pending[semi + 1 :]
                pending = pending[:semi]
                terminated = True
                self._check_tail(tail, line + pending.count(b"\n"))
            if terminated or self.eof:
                segment, pending = pending, b""
            else:
                cut = max(pending.rfind(b" "), pending.rfind(b"\n"), pending.rfind(b"\t"))
                if cut < 0:
                    if len(pending) > _CHUNK * 4:
                        raise self._err(
                            ValueFormatError,
                            "a DATA token longer than 1 MiB",
                            line,
                            expected="numbers separated by blanks",
                        )
                    continue
                segment, pending = pending[:cut], pending[cut:]
            if b"\x1a" in segment:
                segment = segment.replace(b"\x1a", b" ")
            vals = self._convert(segment, line, filled, symbols)
            k = len(vals)
            if filled + k > expected:
                total = filled + k
                if not terminated:
                    total += self._count_rest(pending)
                raise overflow(total, data_line)
            if k:
                yield filled, vals
            filled += k
            line += segment.count(b"\n")
            if terminated or (self.eof and not pending):
                break
        if filled < expected:
            if terminated:
                raise overflow(filled, data_line)
            raise TruncatedFileError(
                f"the file ends after {filled} of {expected} cells ({shape_txt}) "
                "and DATA is not closed by ';'",
                path=self.path,
                location=f"line {line}",
                expected=f"{expected} cells followed by ';'",
            )

    def _check_tail(self, tail: bytes, line: int) -> None:
        while True:
            stripped = tail.strip(b" \t\r\n\x1a\x00")
            if stripped:
                raise self._err(
                    FormatError,
                    "text after the ';' that closes DATA",
                    line,
                    value=stripped[:40].decode(self.encoding, "replace"),
                    expected="DATA to be the last keyword",
                )
            if self.eof:
                return
            tail = self.fh.read(_CHUNK)
            if not tail:
                self.eof = True
                return

    def _count_rest(self, pending: bytes) -> int:
        """Count the remaining tokens (to report the true cell count) without storing them."""
        count = 0
        carry = pending
        while True:
            chunk = b"" if self.eof else self.fh.read(_CHUNK)
            if not chunk:
                self.eof = True
            data = carry + chunk
            semi = data.find(b";")
            if semi >= 0:
                return count + len(data[:semi].split())
            if self.eof:
                return count + len(data.split())
            cut = data.rfind(b" ")
            count += len(data[:cut].split())
            carry = data[cut:]

    @staticmethod
    def _convert_with_symbols(
        tokens: list[bytes], offset: int, symbols: dict[int, str]
    ) -> np.ndarray | None:
        """Vectorised conversion of a segment that mixes numbers and symbols.

        Symbols are the only tokens without a digit, so a byte-matrix view of the tokens finds
        them without a Python loop over every cell. Returns None when anything looks odd (the
        caller's token-by-token path then finds and reports it).
        """
        if max(map(len, tokens)) > 40:
            return None  # no number or symbol is this long; avoid a wide byte matrix
        sarr = np.array(tokens)
        n = sarr.size
        width = sarr.dtype.itemsize
        u8 = sarr.view(np.uint8).reshape(n, width)
        has_digit = ((u8 >= 48) & (u8 <= 57)).any(axis=1)
        if (u8[has_digit] == 34).any():
            return None  # quoted numbers: rare, handled token by token
        out = np.empty(n, dtype=np.float64)
        try:
            nums = sarr[has_digit].astype(np.float64)
        except ValueError:
            return None
        if not np.isfinite(nums).all():
            return None
        out[has_digit] = nums
        sym_idx = np.flatnonzero(~has_digit)
        found: dict[int, str] = {}
        for i in sym_idx.tolist():
            tok = tokens[i]
            bare = tok[1:-1] if len(tok) >= 2 and tok[:1] == b'"' == tok[-1:] else tok
            sym = bare.decode("latin-1")
            if sym not in PX_SYMBOLS:
                return None
            found[offset + i] = sym
        out[sym_idx] = np.nan
        symbols.update(found)
        return out

    def _convert(
        self, segment: bytes, line: int, offset: int, symbols: dict[int, str]
    ) -> np.ndarray:
        fast = _parse_plain(segment, offset, symbols)
        if fast is not None:
            return fast
        tokens = segment.split()
        if not tokens:
            return np.empty(0, dtype=np.float64)
        if not segment.translate(None, _NUM_CHARS):
            try:
                arr = np.array(tokens, dtype=np.float64)
            except ValueError:
                pass
            else:
                if np.isfinite(arr).all():
                    return arr
        if not segment.translate(None, _NUM_CHARS_QUOTED):
            converted = self._convert_with_symbols(tokens, offset, symbols)
            if converted is not None:
                return converted
        # Slow path: symbols, quoted numbers or a bad token somewhere in this segment.
        arr = np.empty(len(tokens), dtype=np.float64)
        i = 0
        for ln, raw_line in enumerate(segment.split(b"\n")):
            for tok in raw_line.split():
                bare = tok[1:-1] if len(tok) >= 2 and tok[:1] == b'"' == tok[-1:] else tok
                number = float(bare) if _NUMBER_RE.fullmatch(bare) else math.nan
                if math.isfinite(number):
                    arr[i] = number
                else:
                    sym = bare.decode("latin-1")
                    if sym not in PX_SYMBOLS:
                        raise self._err(
                            ValueFormatError,
                            "a DATA value that is neither a number nor a PX missing-value symbol",
                            line + ln,
                            value=tok.decode(self.encoding, "replace"),
                            expected='a number or one of "." ".." "..." "...." "....." '
                            '"......" "-"',
                        )
                    arr[i] = np.nan
                    symbols[offset + i] = sym
                i += 1
        return arr


_POW10F = 10.0 ** np.arange(19)
_PLAIN_CHARS = b'0123456789.-" \t\r\n\x0b\x0c'


def _parse_plain(segment: bytes, offset: int, symbols: dict[int, str]) -> np.ndarray | None:
    """Parse a DATA segment of plain decimals (``-12``, ``3.25``) and PX symbols without
    creating a Python object per cell.

    Works on the bytes as a NumPy array: token starts from the whitespace mask, per-token sums with
    ``np.add.reduceat``. A value is ``sign * digits / 10**decimals``; with at most 15 digits both
    operands are exact doubles, so the one rounding of the division gives the same double as
    ``float(token)``. Returns None for anything else (exponents, ``+``, quoted numbers, too many
    digits, unknown tokens); the caller's slower paths handle and report those.
    """
    if segment.translate(None, _PLAIN_CHARS):
        return None
    b = np.frombuffer(segment, dtype=np.uint8)
    ws = b <= 32  # only blanks, tabs and line ends are left below 33 after the check above
    nonws = ~ws
    if not nonws.any():
        return np.empty(0, dtype=np.float64)
    prev_ws = np.empty_like(ws)
    prev_ws[0] = True
    prev_ws[1:] = ws[:-1]
    # Temporaries are deleted as soon as they are used: the chunk's peak stays a few MiB.
    c = b[nonws]
    is_start = prev_ws[nonws]
    del ws, nonws, prev_ws
    starts = np.flatnonzero(is_start)  # token starts, as indices into ``c``
    n = starts.size
    is_digit = (c >= 48) & (c <= 57)
    is_minus = c == 45
    if (is_minus & ~is_start).any():
        return None
    tid = np.cumsum(is_start, dtype=np.int32)
    tid -= 1
    del is_start
    ndig = np.add.reduceat(is_digit.astype(np.int32), starts)
    if ndig.max(initial=0) > 15:
        return None
    right = ndig[tid]
    if ((c == 34) & (right > 0)).any():
        return None  # a quoted number: rare, left to the token-by-token path
    left = np.cumsum(is_digit, dtype=np.int32)
    before = np.zeros(n, dtype=np.int32)
    before[1:] = left[starts[1:] - 1]
    right -= left
    del left
    right += before[tid]  # now: digits to the right of each byte in its token
    del tid, before
    is_dot = c == 46
    if ((np.add.reduceat(is_dot.astype(np.int32), starts) > 1) & (ndig > 0)).any():
        return None  # "1.2.3"; symbols ("..") have no digits and are checked below
    decimals = np.add.reduceat(right * is_dot, starts)
    del is_dot
    # Integers below 2**53 are exact in float64, so the mantissa can be summed in doubles.
    weights = _POW10F[right]
    del right
    weights *= (c - 48) * is_digit
    del is_digit
    out = np.add.reduceat(weights, starts)
    del weights
    out /= _POW10F[decimals]
    np.negative(out, out=out, where=is_minus[starts])
    sym_tokens = np.flatnonzero(ndig == 0)
    if sym_tokens.size:
        ends = np.append(starts[1:], c.size)
        found: dict[int, str] = {}
        for t in sym_tokens.tolist():
            tok = c[starts[t] : ends[t]].tobytes()
            bare = tok[1:-1] if len(tok) >= 2 and tok[:1] == b'"' == tok[-1:] else tok
            sym = bare.decode("ascii")
            if sym not in PX_SYMBOLS:
                return None
            found[offset + t] = sym
        out[sym_tokens] = np.nan
        symbols.update(found)
    return out


_PER_YEAR = {"A1": 1, "H1": 2, "Q1": 4, "M1": 12}


def _expand_tlist(unit: str, bounds: list[str]) -> list[str]:
    """Periods of an interval TIMEVAL, e.g. ``TLIST(Q1, "20231"-"20242")``.

    PX writes a year as ``YYYY``, a half-year or quarter as ``YYYYn`` and a month as ``YYYYmm``.
    Week lists (W1) and malformed bounds are not expanded (an empty list is returned).
    """
    per = _PER_YEAR.get(unit)
    if per is None or len(bounds) != 2 or not all(b.isdigit() for b in bounds):
        return []
    width = {1: 0, 2: 1, 4: 1, 12: 2}[per]

    def index(text: str) -> int | None:
        if len(text) != 4 + width:
            return None
        year, sub = int(text[:4]), int(text[4:] or 1)
        return None if not 1 <= sub <= per else year * per + sub - 1

    lo, hi = index(bounds[0]), index(bounds[1])
    if lo is None or hi is None or hi < lo or hi - lo > 100_000:
        return []
    out = []
    for k in range(lo, hi + 1):
        year, sub = divmod(k, per)
        out.append(f"{year}" if per == 1 else f"{year}{sub + 1:0{width}d}")
    return out


class _Header:
    """Interprets the parsed statements: dimensions, languages, notes, metadata."""

    def __init__(self, reader: _Reader, stmts: list[_Stmt]) -> None:
        self.r = reader
        self.path = reader.path
        main = None
        for st in stmts:
            if st.keyword == "LANGUAGE" and st.lang is None:
                main = (st.items or [""])[0].strip() or None
        self.main = main
        langs = None
        langs_line = None
        for st in stmts:
            if st.keyword == "LANGUAGES" and st.lang is None:
                langs = [x.strip() for x in st.items or [] if x.strip()]
                langs_line = st.line
        self.languages = langs or ([main] if main else [])
        if main and langs and main not in langs:
            raise self._err(
                FormatError,
                "LANGUAGE is not one of LANGUAGES",
                langs_line,
                value=main,
                expected=", ".join(langs),
            )
        self.table: dict[tuple[str, str | None, tuple[str, ...]], _Stmt] = {}
        for st in stmts:
            lang = None if st.lang in (None, "", main) else st.lang
            key = (st.keyword, lang, st.subkeys)
            if key in self.table:
                first = self.table[key]
                name = st.keyword + (f"[{lang}]" if lang else "")
                if st.subkeys:
                    name += "(" + ",".join(f'"{s}"' for s in st.subkeys) + ")"
                raise self._err(
                    DuplicateKeywordError,
                    f"keyword {name} occurs twice (first on line {first.line})",
                    st.line,
                    expected="each keyword once per language and sub-key",
                )
            self.table[key] = st
        chosen = reader.language
        if chosen is None or chosen == main:
            self.lang: str | None = None
        else:
            if chosen not in self.languages:
                raise InputError(
                    f"language {chosen!r} is not in the file",
                    path=self.path,
                    location="keyword LANGUAGES",
                    value=chosen,
                    expected=", ".join(self.languages) or "the file's only language",
                )
            self.lang = chosen

    def _err(self, cls: type[InputError], msg: str, line: int | None, **kw) -> InputError:
        return self.r._err(cls, msg, line, **kw)

    def get(self, keyword: str, *subkeys: str, lang: str | None = None) -> _Stmt | None:
        return self.table.get((keyword, lang, tuple(subkeys)))

    def text(self, keyword: str, *subkeys: str, lang: str | None = None) -> str | None:
        st = self.get(keyword, *subkeys, lang=lang)
        if st is None:
            return None
        if st.items:
            return "".join(st.items) if len(st.items) == 1 else ", ".join(st.items)
        return st.text.strip()

    def items(self, keyword: str, *subkeys: str, lang: str | None = None) -> list[str] | None:
        st = self.get(keyword, *subkeys, lang=lang)
        return None if st is None else list(st.items or [])

    # ---------------------------------------------------------------------------------------------
    def build(self) -> tuple[list[Dimension], dict[str, object]]:
        stub = self.items("STUB") or []
        heading = self.items("HEADING") or []
        if self.get("KEYS") is not None or any(k[0] == "KEYS" for k in self.table):
            st = next(s for k, s in self.table.items() if k[0] == "KEYS")
            raise self._err(
                FormatError,
                "the sparse KEYS data layout is not supported",
                st.line,
                expected="a file with a dense DATA block (no KEYS keyword)",
            )
        if not stub and not heading:
            raise self._err(
                FormatError,
                "neither STUB nor HEADING is given",
                1,
                expected='STUB="variable",...; and/or HEADING="variable",...;',
            )
        variables = stub + heading
        if len(set(variables)) != len(variables):
            raise self._err(
                FormatError,
                "a variable is named twice in STUB/HEADING",
                (self.get("STUB") or self.get("HEADING")).line,  # type: ignore[union-attr]
                value=variables,
            )
        other_langs = [lg for lg in self.languages if lg and lg != self.main]
        names_by_lang: dict[str, list[str]] = {}
        for lg in other_langs:
            s = self.items("STUB", lang=lg) or []
            h = self.items("HEADING", lang=lg) or []
            if len(s) == len(stub) and len(h) == len(heading):
                names_by_lang[lg] = s + h
        contvar = self.text("CONTVARIABLE")
        dims: list[Dimension] = []
        meta: dict[str, object] = {}
        timeval: dict[str, dict[str, object]] = {}
        for i, var in enumerate(variables):
            vst = self.get("VALUES", var)
            if vst is None:
                where = self.get("STUB") if var in stub else self.get("HEADING")
                raise self._err(
                    MissingValuesError,
                    f'no VALUES("{var}") for a variable named in '
                    f"{'STUB' if var in stub else 'HEADING'}",
                    where.line if where else None,
                    expected=f'VALUES("{var}")="…","…";',
                )
            labels_main = list(vst.items or [])
            if not labels_main:
                raise self._err(
                    MissingValuesError, f'VALUES("{var}") is empty', vst.line, expected="values"
                )
            cst = self.get("CODES", var)
            if cst is not None:
                codes = list(cst.items or [])
                if len(codes) != len(labels_main):
                    raise self._err(
                        ShapeError,
                        f'CODES("{var}") has {len(codes)} items but VALUES has {len(labels_main)}',
                        cst.line,
                        value=len(codes),
                        expected=f"{len(labels_main)} codes",
                    )
                # Old files end a CODES list with an empty item ("1","2",;); the label stands in.
                codes = [c if c.strip() else lab for c, lab in zip(codes, labels_main, strict=True)]
            else:
                codes = list(labels_main)
            if len(set(codes)) != len(codes):
                dup = next(c for c in codes if codes.count(c) > 1)
                raise self._err(
                    FormatError,
                    f'two values of "{var}" have the same code',
                    (cst or vst).line,
                    value=dup,
                    expected="unique codes",
                )
            labels_by_lang = {self.main or "": labels_main} if self.main else {}
            label_by_lang = {self.main: var} if self.main else {}
            for lg, names in names_by_lang.items():
                lv = self.items("VALUES", names[i], lang=lg)
                if lv is not None and len(lv) == len(labels_main):
                    labels_by_lang[lg] = lv
                    label_by_lang[lg] = names[i]
            if self.lang is None:
                labels, label = labels_main, var
            else:
                labels = labels_by_lang.get(self.lang, labels_main)
                label = label_by_lang.get(self.lang, var)
            code = self.text("VARIABLE-CODE", var) or var
            role = None
            if self.get("TIMEVAL", var) is not None:
                role = "time"
                timeval[code] = self._timeval(self.get("TIMEVAL", var))  # type: ignore[arg-type]
            elif contvar is not None and var == contvar:
                role = "content"
            elif self.get("MAP", var) is not None:
                role = "geo"
            elim_st = self.get("ELIMINATION", var)
            elimination: str | bool | None = None
            if elim_st is not None:
                if elim_st.bare and elim_st.bare[0].upper() in ("YES", "NO"):
                    elimination = elim_st.bare[0].upper() == "YES"
                else:
                    target = "".join(elim_st.items or [])
                    elimination = (
                        codes[labels_main.index(target)]
                        if target in labels_main
                        else (target if target in codes else target)
                    )
            units: dict[str, str] = {}
            if role == "content":
                lang_names = labels_by_lang.get(self.lang or "", labels_main)
                for c, lab_main, lab in zip(codes, labels_main, lang_names, strict=True):
                    u = (self.text("UNITS", lab, lang=self.lang) if self.lang else None) or (
                        self.text("UNITS", lab_main)
                    )
                    if u is not None:
                        units[c] = u
            dims.append(
                Dimension(
                    code=code,
                    label=label,
                    codes=codes,
                    labels=labels,
                    role=role,
                    elimination=elimination,
                    labels_by_lang={k: v for k, v in labels_by_lang.items() if k},
                    label_by_lang={k: v for k, v in label_by_lang.items() if k},
                    units=units,
                )
            )
        self.dims = dims
        self.variables = variables
        meta.update(self._table_meta(dims, variables))
        if timeval:
            meta["timeval"] = timeval
        return dims, meta

    def _timeval(self, st: _Stmt) -> dict[str, object]:
        bare = st.bare or []
        tlist = next((b for b in bare if b.upper().startswith("TLIST(")), None)
        if tlist is None:
            return {"values": list(st.items or [])}
        inner = tlist[6:-1]
        parts = [p.strip() for p in inner.split(",", 1)]
        out: dict[str, object] = {"unit": parts[0]}
        if len(parts) > 1:  # interval form TLIST(A1, "1994"-"1996")
            bounds = _SUBKEY_RE.findall(parts[1])
            out["range"] = bounds
            out["values"] = _expand_tlist(parts[0].upper(), bounds)
            return out
        out["values"] = list(st.items[1:]) if st.items and len(st.items) > 1 else []
        return out

    def _table_meta(self, dims: list[Dimension], variables: list[str]) -> dict[str, object]:
        meta: dict[str, object] = {}
        lang = self.lang
        simple = {
            "TITLE": "title",
            "DESCRIPTION": "description",
            "CONTENTS": "contents",
            "UNITS": "units",
            "SOURCE": "source",
            "MATRIX": "matrix",
            "SUBJECT-CODE": "subject_code",
            "SUBJECT-AREA": "subject_area",
            "LAST-UPDATED": "updated",
            "CREATION-DATE": "created",
            "DECIMALS": "decimals",
            "SHOWDECIMALS": "show_decimals",
            "STOCKFA": "stockfa",
            "CONTACT": "contact",
            "REFPERIOD": "refperiod",
            "BASEPERIOD": "baseperiod",
            "DATABASE": "database",
            "INFOFILE": "infofile",
            "AXIS-VERSION": "axis_version",
            "CHARSET": "charset",
            "CODEPAGE": "codepage",
            "COPYRIGHT": "copyright",
            "OFFICIAL-STATISTICS": "official_statistics",
            "DATANOTE": "datanote",
            "DATANOTESUM": "datanotesum",
            "TABLEID": "table_id",
        }
        for kw, name in simple.items():
            val = (self.text(kw, lang=lang) if lang else None) or self.text(kw)
            if val is not None:
                meta[name] = val
        for key in ("decimals", "show_decimals"):
            if key in meta:
                try:
                    meta[key] = int(str(meta[key]))
                except ValueError as exc:
                    st = self.get("DECIMALS" if key == "decimals" else "SHOWDECIMALS")
                    raise self._err(
                        FormatError,
                        f"{key.upper().replace('_', '')} is not an integer",
                        st.line if st else None,
                        value=meta[key],
                        expected="an integer 0-15",
                    ) from exc
        meta["language"] = lang or self.main
        meta["languages"] = list(self.languages)
        meta["encoding"] = self.r.encoding
        notes = []
        for kw in ("NOTEX", "NOTE"):
            t = (self.text(kw, lang=lang) if lang else None) or self.text(kw)
            if t:
                notes.append({"text": t, "mandatory": kw == "NOTEX"})
        if notes:
            meta["notes"] = notes
        # Per-variable and per-value notes are keyed by main-language names in the table.
        var_notes: dict[str, list[dict[str, object]]] = {}
        value_notes: dict[str, dict[str, list[dict[str, object]]]] = {}
        for d, var in zip(dims, variables, strict=True):
            for kw in ("NOTEX", "NOTE"):
                t = self.text(kw, var)
                if t:
                    var_notes.setdefault(d.code, []).append({"text": t, "mandatory": kw == "NOTEX"})
            labels_main = d.labels_by_lang.get(self.main or "", d.labels)
            for c, lab in zip(d.codes, labels_main, strict=True):
                for kw in ("VALUENOTEX", "VALUENOTE"):
                    t = self.text(kw, var, lab)
                    if t:
                        value_notes.setdefault(d.code, {}).setdefault(c, []).append(
                            {"text": t, "mandatory": kw == "VALUENOTEX"}
                        )
        # DOMAIN names the value set (often the area vintage, e.g. "Region1999/2003") and MAP
        # the boundary set a variable can be drawn with; both matter when matching areas.
        for kw, key in (("DOMAIN", "domains"), ("MAP", "maps")):
            found = {d.code: self.text(kw, var) for d, var in zip(dims, variables, strict=True)}
            found = {k: v for k, v in found.items() if v}
            if found:
                meta[key] = found
        if var_notes:
            meta["variable_notes"] = var_notes
        if value_notes:
            meta["value_notes"] = value_notes
        sym_texts = {}
        for sym, kw in PX_SYMBOLS.items():
            t = (self.text(kw, lang=lang) if lang else None) or self.text(kw)
            if t is not None:
                sym_texts[sym] = t
        t = (self.text("DATASYMBOLSUM", lang=lang) if lang else None) or self.text("DATASYMBOLSUM")
        if t is not None:
            sym_texts["sum"] = t
        if sym_texts:
            meta["symbol_texts"] = sym_texts
        contvar = self.text("CONTVARIABLE")
        if contvar is not None:
            if contvar not in variables:
                st = self.get("CONTVARIABLE")
                raise self._err(
                    FormatError,
                    "CONTVARIABLE names a variable that is not in STUB or HEADING",
                    st.line if st else None,
                    value=contvar,
                    expected=", ".join(variables),
                )
            d = dims[variables.index(contvar)]
            per: dict[str, dict[str, str]] = {}
            labels_main = d.labels_by_lang.get(self.main or "", d.labels)
            for c, lab in zip(d.codes, labels_main, strict=True):
                for kw in (
                    "LAST-UPDATED",
                    "STOCKFA",
                    "CONTACT",
                    "UNITS",
                    "REFPERIOD",
                    "BASEPERIOD",
                    "CFPRICES",
                    "DAYADJ",
                    "SEASADJ",
                ):
                    t = self.text(kw, lab)
                    if t is not None:
                        per.setdefault(c, {})[kw.lower()] = t
            if per:
                meta["content_meta"] = per
        return meta

    # ---------------------------------------------------------------------------------------------
    def _cell_indices(self, st: _Stmt, lang: str | None) -> np.ndarray:
        if len(st.subkeys) != len(self.dims):
            raise self._err(
                FormatError,
                f"{st.keyword} has {len(st.subkeys)} sub-keys but the table has "
                f"{len(self.dims)} variables",
                st.line,
                value=list(st.subkeys),
                expected=f'{len(self.dims)} sub-keys (values, codes or "*")',
            )
        axes = []
        for d, key in zip(self.dims, st.subkeys, strict=True):
            if key == "*":
                axes.append(np.arange(len(d)))
                continue
            labels = d.labels_by_lang.get(lang or self.main or "", d.labels)
            if key in d.codes:
                axes.append(np.array([d.codes.index(key)]))
            elif key in labels:
                axes.append(np.array([labels.index(key)]))
            else:
                raise self._err(
                    FormatError,
                    f"{st.keyword} names a value that {d.code!r} does not have",
                    st.line,
                    value=key,
                    expected='a value, a code or "*"',
                )
        grids = np.meshgrid(*axes, indexing="ij")
        return np.ravel_multi_index([g.ravel() for g in grids], [len(d) for d in self.dims])

    def attach_cell_notes(self, cube: Cube) -> None:
        if not self.dims:
            return
        lang = self.lang
        datanotecell: dict[int, str] = {}
        texts: dict[int, list[str]] = {}
        for (kw, lg, subkeys), st in self.table.items():
            if not subkeys:
                continue
            if kw == "DATANOTECELL" and lg is None:
                marker = "".join(st.items or [])
                for i in self._cell_indices(st, None).tolist():
                    datanotecell[i] = marker
            elif kw in ("CELLNOTEX", "CELLNOTE") and lg == lang:
                note = "".join(st.items or [])
                for i in self._cell_indices(st, lang).tolist():
                    texts.setdefault(i, []).append(note)
        for i, marker in datanotecell.items():
            texts.setdefault(i, []).insert(0, marker)
        cube.notes = {i: "\n".join(parts) for i, parts in sorted(texts.items())}
        if datanotecell:
            cube.meta["datanotecell"] = dict(sorted(datanotecell.items()))
