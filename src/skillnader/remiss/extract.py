"""Read a consultation answer (PDF, DOCX, ODT, TXT) into raw lines or blocks with page numbers.

Formats differ in what they know. A word-processor file (DOCX, ODT) knows its paragraphs,
headings and footnotes but not its pages; a PDF knows pages and glyph positions but not
paragraphs; a TXT export of a PDF knows only a line convention. So this module does not try to
produce paragraphs for every format: it produces a :class:`RawDocument` holding either
``blocks`` (paragraph-level, from word processors) or ``lines`` (layout-level, from PDFs and
text exports), and :mod:`skillnader.remiss.structure` turns both into one cleaned document.

The file type is checked from the bytes (magic numbers), not only from the name, so a PNG renamed
``.pdf`` fails with a message that says so instead of a parser traceback.
"""

from __future__ import annotations

import contextlib
import io
import re
import statistics
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from skillnader.errors import EncodingError
from skillnader.remiss.errors import (
    DocumentError,
    EmptyDocumentError,
    EncryptedPdfError,
    ScannedPdfError,
    UnsafeDocumentError,
    WrongFileTypeError,
)

FORMATS = ("pdf", "docx", "odt", "txt")


@dataclass
class RawLine:
    """One visual line of a page-based source.

    ``markers`` are footnote markers found on the line as ``(offset_in_text, number)``;
    ``kind`` is ``"body"``, ``"footnote"`` (the text of a footnote at the foot of a page; then
    ``footnote`` is its number when the line starts one), ``"blank"`` (an empty paragraph), or
    ``"furniture"`` (running header/footer, page number: dropped by the clean-up).
    ``para_end`` is True when the source says the paragraph ends after this line, None when it
    does not know. ``heading`` is a hint from typography (larger or bold font).
    """

    text: str
    page: int
    kind: str = "body"
    markers: list[tuple[int, str]] = field(default_factory=list)
    para_end: bool | None = None
    heading: bool = False
    footnote: str | None = None
    size: float | None = None
    y: float | None = None


@dataclass
class RawBlock:
    """One paragraph of a word-processor source, with its footnote markers.

    ``style`` is ``"heading"`` (with ``level``), ``"list"`` or ``"body"``.
    """

    text: str
    style: str = "body"
    level: int | None = None
    markers: list[tuple[int, str]] = field(default_factory=list)
    page: int | None = None


@dataclass
class RawFootnote:
    """The text of a footnote as stored by the source, keyed by its marker number."""

    number: str
    text: str
    page: int | None = None


@dataclass
class RawDocument:
    """What a file holds before clean-up. Exactly one of ``lines`` and ``blocks`` is filled."""

    path: str | None
    format: str
    lines: list[RawLine] = field(default_factory=list)
    blocks: list[RawBlock] = field(default_factory=list)
    footnotes: list[RawFootnote] = field(default_factory=list)
    page_count: int | None = None


# --- file type -------------------------------------------------------------------------------

_MAGIC = [
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"{\\rtf", "rtf"),
    (b"PK\x03\x04", "zip"),
]

_FOUND_LABEL = {
    "png": "en PNG-bild",
    "jpeg": "en JPEG-bild",
    "gif": "en GIF-bild",
    "tiff": "en TIFF-bild",
    "ole": "ett äldre Office-dokument (.doc)",
    "rtf": "ett RTF-dokument",
    "zip": "ett ZIP-arkiv",
    "pdf": "en PDF",
    "docx": "ett Word-dokument (DOCX)",
    "odt": "ett OpenDocument-dokument (ODT)",
    "binary": "binärdata",
    "txt": "text",
}

_EXPECTED = {
    "pdf": "en PDF (börjar med %PDF-)",
    "docx": "ett Word-dokument (.docx)",
    "odt": "ett OpenDocument-textdokument (.odt)",
    "txt": "en textfil (UTF-8 eller Windows-1252)",
}


def sniff(data: bytes) -> str:
    """Return the format of ``data`` from its first bytes: one of ``pdf``, ``docx``, ``odt``,
    ``txt`` for readable documents, or ``png``, ``jpeg``, ``zip``, ``ole``, ``binary`` ...

    ZIP containers are told apart by their members (``word/document.xml`` for DOCX, the
    ``mimetype`` entry for ODT).
    """
    head = data[:16].lstrip(b"\xef\xbb\xbf") if not data.startswith(b"%PDF") else data[:16]
    # PDFs may have a few bytes of junk before the header; readers accept up to 1 KiB.
    if b"%PDF-" in data[:1024]:
        return "pdf"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind != "zip":
                return kind
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    names = set(zf.namelist())
                    if "word/document.xml" in names:
                        return "docx"
                    if "mimetype" in names:
                        mime = zf.read("mimetype").decode("ascii", "replace").strip()
                        if mime == "application/vnd.oasis.opendocument.text":
                            return "odt"
                        return "zip"
                    if "content.xml" in names:
                        return "odt"
            except zipfile.BadZipFile:
                return "binary"
            return "zip"
    if b"\x00" in data[:4096]:
        # UTF-16 text has NULs too; accept it when it has a BOM.
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return "txt"
        return "binary"
    return "txt"


MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a consultation answer may cost to read. Every limit is checked before the work it
    bounds: the file size before reading, the declared and the actual unpacked sizes of a
    DOCX/ODT before parsing, the page count of a PDF before extracting text; PDF text is
    extracted in a separate process with a memory and a time limit."""

    max_bytes: tuple[tuple[str, int], ...] = (
        ("pdf", 25 * MIB),
        ("docx", 10 * MIB),
        ("odt", 10 * MIB),
        ("txt", 2 * MIB),
    )
    max_unpacked: int = 40 * MIB  # all members of a DOCX/ODT together
    max_member: int = 20 * MIB  # one member
    max_ratio: int = 100  # unpacked/packed for a member above 1 MiB
    max_members: int = 2000
    max_pages: int = 300
    max_xml_depth: int = 200
    pdf_seconds: float = 10.0
    pdf_memory: int = 768 * MIB

    def size_limit(self, kind: str) -> int:
        """The largest file accepted for ``kind`` (``pdf``, ``docx``, ``odt``, ``txt``)."""
        return dict(self.max_bytes).get(kind, max(v for _k, v in self.max_bytes))

    @classmethod
    def from_mapping(cls, values: dict | None) -> Limits:
        """Limits with some values replaced (``max_bytes`` as a mapping of kind to bytes)."""
        if not values:
            return cls()
        values = dict(values)
        if isinstance(values.get("max_bytes"), dict):
            merged = dict(cls().max_bytes) | values["max_bytes"]
            values["max_bytes"] = tuple(merged.items())
        return cls(**values)


DEFAULT_LIMITS = Limits()


def _mib(n: int) -> str:
    return f"{n / MIB:.0f} MB" if n >= MIB else f"{n} byte"


def check_size(size: int, kind: str, path: str | None, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a file larger than the limit for its kind."""
    limit = limits.size_limit(kind)
    if size > limit:
        raise UnsafeDocumentError(
            path,
            f"filen är för stor ({_mib(size)}; högst {_mib(limit)} för {kind.upper()})",
            value=size,
            expected=f"en {kind.upper()}-fil på högst {_mib(limit)}",
        )


def extract(path: str | Path, *, format: str | None = None) -> RawDocument:
    """Read ``path`` into a :class:`RawDocument`.

    The format is taken from ``format`` or the file suffix and must agree with the file's bytes;
    a file whose suffix is unknown is read as whatever its bytes say.

    Raises :class:`~skillnader.remiss.errors.WrongFileTypeError`,
    :class:`~skillnader.remiss.errors.EmptyDocumentError`,
    :class:`~skillnader.remiss.errors.ScannedPdfError`,
    :class:`~skillnader.remiss.errors.EncryptedPdfError`.
    """
    path = Path(path)
    check_size(path.stat().st_size, (format or path.suffix.lower().lstrip(".")) or "pdf", str(path))
    data = path.read_bytes()
    return extract_bytes(data, format=format or path.suffix.lower().lstrip("."), path=str(path))


def extract_bytes(
    data: bytes, *, format: str | None, path: str | None = None, limits: Limits | None = None
) -> RawDocument:
    """Like :func:`extract` for bytes in memory; ``format`` is a suffix such as ``"pdf"``.

    Any failure of a reader is a :class:`~skillnader.remiss.errors.DocumentError` naming the
    file and the problem (never a parser's own exception)."""
    limits = limits or DEFAULT_LIMITS
    if not data.strip():
        raise EmptyDocumentError(path, "filen är tom")
    found = sniff(data)
    wanted = (format or "").lower()
    if wanted in ("text", "md"):
        wanted = "txt"
    if wanted not in FORMATS:
        if found not in FORMATS:
            raise WrongFileTypeError(
                path or "<bytes>", _FOUND_LABEL.get(found, found), "PDF, DOCX, ODT eller TXT"
            )
        wanted = found
    if found != wanted:
        raise WrongFileTypeError(
            path or "<bytes>", _FOUND_LABEL.get(found, found), _EXPECTED[wanted]
        )
    check_size(len(data), wanted, path, limits)
    if wanted in ("docx", "odt"):
        check_package(data, path, limits)
    try:
        if wanted == "pdf":
            raw = _read_pdf(data, path, limits)
        else:
            reader = {"docx": _read_docx, "odt": _read_odt, "txt": _read_txt}[wanted]
            raw = reader(data, path)
    except DocumentError:
        raise
    except RecursionError as exc:
        raise UnsafeDocumentError(
            path,
            "dokumentet är för djupt nästlat för att läsas",
            expected=_EXPECTED[wanted],
        ) from exc
    except MemoryError as exc:
        raise UnsafeDocumentError(
            path, "dokumentet kräver för mycket minne för att läsas", expected=_EXPECTED[wanted]
        ) from exc
    except Exception as exc:  # any parser's own failure: a typed error that names the file
        raise WrongFileTypeError(
            path or "<bytes>", f"ett trasigt dokument ({type(exc).__name__})", _EXPECTED[wanted]
        ) from exc
    if not any(line.text.strip() for line in raw.lines) and not any(
        b.text.strip() for b in raw.blocks
    ):
        raise EmptyDocumentError(path)
    return raw


# --- packages (DOCX, ODT) --------------------------------------------------------------------

_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)


def check_package(data: bytes, path: str | None, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a DOCX/ODT whose members are too many, too large, too compressed or declare
    XML entities, by reading every member through a bounded decompressor (the sizes a ZIP
    declares can lie). Costs at most ``max_unpacked`` bytes of decompression."""
    expected = f"ett dokument på högst {_mib(limits.max_unpacked)} uppackat"
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise WrongFileTypeError(
            path or "<bytes>", "ett trasigt ZIP-paket", "DOCX eller ODT"
        ) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise UnsafeDocumentError(
                path, f"paketet har {len(infos)} delar", value=len(infos), expected=expected
            )
        total = 0
        for info in infos:
            if info.file_size > limits.max_member or (
                info.file_size > MIB
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)
            ):
                raise UnsafeDocumentError(
                    path,
                    f"delen {info.filename} packas upp till {_mib(info.file_size)} "
                    f"(från {_mib(info.compress_size)}): en dekomprimeringsbomb",
                    value=info.filename,
                    expected=expected,
                )
            got = 0
            head = b""
            try:
                with zf.open(info) as fh:
                    while True:
                        chunk = fh.read(256 * 1024)
                        if not chunk:
                            break
                        got += len(chunk)
                        total += len(chunk)
                        if len(head) < 64 * 1024:
                            head += chunk[: 64 * 1024 - len(head)]
                        if (
                            got > limits.max_member
                            or total > limits.max_unpacked
                            or (got > MIB and got > limits.max_ratio * max(info.compress_size, 1))
                        ):
                            raise UnsafeDocumentError(
                                path,
                                f"delen {info.filename} packas upp till mer än "
                                f"{_mib(min(got, limits.max_member))}: en dekomprimeringsbomb",
                                value=info.filename,
                                expected=expected,
                            )
            except UnsafeDocumentError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
                raise WrongFileTypeError(
                    path or "<bytes>", f"ett trasigt ZIP-paket ({info.filename})", "DOCX eller ODT"
                ) from exc
            if info.filename.endswith((".xml", ".rels")) and _DTD.search(head):
                raise UnsafeDocumentError(
                    path,
                    f"delen {info.filename} innehåller en XML-dokumenttypdeklaration (entiteter), "
                    "som ett remissvar aldrig behöver; den läses inte",
                    value=info.filename,
                    expected="ett DOCX- eller ODT-dokument utan DOCTYPE/ENTITY",
                )
            if info.filename.endswith(".xml") and _too_deep(zf, info, limits.max_xml_depth):
                raise UnsafeDocumentError(
                    path,
                    f"delen {info.filename} är nästlad djupare än {limits.max_xml_depth} nivåer",
                    value=info.filename,
                    expected="ett dokument med normal struktur",
                )


def _too_deep(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bool:
    """Whether an XML member nests elements deeper than ``limit`` (streamed, constant memory)."""
    import xml.parsers.expat

    depth = 0
    deepest = 0

    def start(_name, _attrs):
        nonlocal depth, deepest
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                raise _Deep

    def end(_name):
        nonlocal depth
        depth -= 1

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with zf.open(info) as fh:
            parser.ParseFile(fh)
    except _Deep:
        return True
    except xml.parsers.expat.ExpatError:
        return False  # the document parser reports broken XML with its own message
    return False


class _Deep(Exception):
    pass


# --- TXT -------------------------------------------------------------------------------------


def decode_text(data: bytes, path: str | None = None) -> str:
    """Decode a text file: BOM-marked UTF-8/UTF-16, UTF-8, else Windows-1252 (older exports
    from Swedish Windows machines)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise EncodingError(
                "texten kan inte avkodas",
                path=path,
                location=f"byte {exc.start}",
                expected="UTF-8 eller Windows-1252",
            ) from exc


_FOOTNOTE_RULE = re.compile(r"^[ \t]{10,}$")
_MARKER_LINE = re.compile(r"^\d{1,2}$")


def _read_txt(data: bytes, path: str | None) -> RawDocument:
    text = decode_text(data, path).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    nonempty = [i for i, line in enumerate(lines) if line.strip()]
    followed_by_empty = sum(1 for i in nonempty if i + 1 < len(lines) and lines[i + 1] == "")
    trailing_space = sum(1 for i in nonempty if lines[i].endswith(" "))
    # A text dump of a PDF (as the city's archive produces) separates every visual line by an
    # empty line and ends almost every line with a space; plain text separates paragraphs by
    # empty lines.
    if (
        nonempty
        and followed_by_empty / len(nonempty) > 0.6
        and trailing_space / len(nonempty) > 0.5
    ):
        return RawDocument(path, "txt", lines=_pdf_dump_lines(lines), page_count=None)
    return RawDocument(path, "txt", lines=_plain_lines(lines))


_PAGE_MARK = re.compile(r"^\s*<!--\s*(?:sida|page|s\.)\s*(\d{1,5})\s*-->\s*$", re.I)


def _plain_lines(lines: list[str]) -> list[RawLine]:
    page = 1
    out: list[RawLine] = []
    for line in lines:
        if "\f" in line:
            page += line.count("\f")
            line = line.replace("\f", "")
        m = _PAGE_MARK.match(line)
        if m:
            # A page marker left by a conversion ("<!-- sida 27 -->"): the original's page.
            page = int(m.group(1))
            if out and out[-1].kind == "body" and out[-1].text[-1:] in ".?!:":
                out[-1].para_end = True
            continue
        if not line.strip():
            if out and out[-1].kind == "body":
                out[-1].para_end = True
            continue
        out.append(RawLine(line.strip(), page, para_end=False))
    if out:
        out[-1].para_end = True
    _unwrapped_paragraphs(out)
    return out


def _unwrapped_paragraphs(out: list[RawLine]) -> None:
    """Text saved with one line per paragraph (a word processor's "save as text") separates
    paragraphs by a line break only. When lines run beyond any wrapping width (two in five of
    the lines of 40 characters or more over 120) or nearly all of them end a sentence (four in
    five), a line that ends a sentence ends its paragraph ("Fråga 1. …",
    "Fråga 2. …" on lines of their own are two paragraphs, not one). Hard-wrapped text, whose
    lines break inside sentences at a fixed width, keeps joining its lines. A line ending in a
    colon stays with the list it introduces."""
    joined = [ln.text for ln in out if ln.kind == "body" and ln.para_end is False]
    long = [t for t in joined if len(t) >= 40]
    if len(long) < 2:
        return
    beyond_width = sum(len(t) > 120 for t in long) >= 0.4 * len(long)
    # hard wrapping breaks lines inside sentences; a line per paragraph ends them
    sentence_ends = sum(t[-1] in '.!?:…”"' for t in long) >= 0.8 * len(long)
    if not (beyond_width or sentence_ends):
        return
    for ln in out:
        if ln.kind == "body" and ln.para_end is False and ln.text[-1:] in '.!?…”"':
            ln.para_end = True


def _pdf_dump_lines(lines: list[str]) -> list[RawLine]:
    """Lines of a PDF text dump in the archive's convention.

    Observed on the city's archived answers: every visual line is followed by an empty line; a
    line of one or two spaces is an empty paragraph; a line ending in two or more spaces ends its
    paragraph (a hard break in the original); a new page starts with a line that has a leading
    space; a footnote marker is a bare number on its own line, after which the interrupted line
    continues (with a leading space that is *not* a page break); the footnotes of a page follow a
    line of many spaces, each as its number on its own line and its text, and run until the next
    page starts.
    """
    out: list[RawLine] = []
    page = 0
    in_footnotes = False
    after_marker = False
    current_fn: RawLine | None = None
    first = True
    for line in lines:
        if line == "":
            continue
        if _FOOTNOTE_RULE.match(line):
            in_footnotes = True
            current_fn = None
            continue
        if not line.strip():
            if in_footnotes:
                continue
            if first:
                page, first = 1, False
            out.append(RawLine("", page, kind="blank", para_end=True))
            continue
        stripped = line.strip()
        leading = line[0] in " \t"
        if in_footnotes:
            if _MARKER_LINE.match(stripped):
                current_fn = RawLine("", page, kind="footnote", footnote=stripped)
                out.append(current_fn)
                continue
            if leading and current_fn is not None and current_fn.text == "":
                current_fn.text = stripped
                continue
            if not leading and current_fn is not None:
                current_fn.text = f"{current_fn.text} {stripped}".strip()
                continue
            in_footnotes = False
            current_fn = None
        if (
            _MARKER_LINE.match(stripped)
            and out
            and out[-1].kind == "body"
            and not line[0].isspace()
        ):
            prev = out[-1]
            prev.markers.append((len(prev.text), stripped))
            after_marker = True
            continue
        if after_marker and out and out[-1].kind == "body":
            # The line goes on after the marker; the leading space is the space after it.
            prev = out[-1]
            prev.text = prev.text + " " + stripped
            prev.para_end = len(line) - len(line.rstrip(" ")) >= 2
            after_marker = False
            continue
        after_marker = False
        if first or leading:
            page = page + 1 if not first else 1
            first = False
        trailing = len(line) - len(line.rstrip(" "))
        out.append(RawLine(stripped, page, para_end=trailing >= 2))
    for raw in out:
        if raw.kind == "footnote":
            raw.text = raw.text.strip()
    return out


# --- PDF -------------------------------------------------------------------------------------


def _read_pdf(data: bytes, path: str | None, limits: Limits = DEFAULT_LIMITS) -> RawDocument:
    """Text, positions and sizes of a PDF's words.

    Poppler's ``pdftotext -bbox-layout`` runs in a child process with a memory limit
    (``RLIMIT_AS``), a CPU limit and a wall-clock timeout, and reads at most one page more than
    the page limit: a decompression bomb, a cyclic page tree or a 200,000-page file ends the
    child, not the server, and is refused with a typed error. (About five times faster than
    pypdf's own extraction; pypdf is used only where poppler is not installed.)
    """
    import shutil

    if shutil.which("pdftotext") is None:
        return _read_pdf_pypdf(data, path, limits)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="skillnader-pdf-") as tmp:
        src = Path(tmp) / "in.pdf"
        dst = Path(tmp) / "out.html"
        src.write_bytes(data)
        # One page more than the limit is extracted: a longer file is refused without
        # reading the rest (and without a separate page count). The output goes to a file
        # (limited in size by RLIMIT_FSIZE) rather than a pipe: half a megabyte of word boxes
        # through a 64 KiB pipe costs a hundred hand-overs between the two processes, which
        # on a busy machine took as long as poppler itself.
        out = _run_limited(
            [
                "pdftotext",
                "-enc",
                "UTF-8",
                "-l",
                str(limits.max_pages + 1),
                "-bbox-layout",
                str(src),
                str(dst),
            ],
            path,
            limits,
        )
        if out.returncode != 0:
            err = out.stderr.decode("utf-8", "replace").lower()
            if "password" in err or "encrypt" in err or out.returncode == 3:
                raise EncryptedPdfError(path or "<bytes>")
            raise WrongFileTypeError(path or "<bytes>", "en trasig PDF", _EXPECTED["pdf"])
        xhtml = dst.read_bytes()
    pages_n = xhtml.count(b"<page ")
    if pages_n == 0:
        raise WrongFileTypeError(path or "<bytes>", "en PDF utan sidor", _EXPECTED["pdf"])
    if pages_n > limits.max_pages:
        raise UnsafeDocumentError(
            path,
            f"PDF-filen har fler än {limits.max_pages} sidor; högst {limits.max_pages} läses",
            value=pages_n,
            expected=f"ett remissvar på högst {limits.max_pages} sidor",
        )
    pages = _bbox_pages(xhtml)
    if not any(t.strip() for frags in pages for t, *_ in frags):
        if re.search(rb"/Subtype\s*/Image", data):
            raise ScannedPdfError(path or "<bytes>", pages_n)
        raise EmptyDocumentError(path, "PDF-filen har varken text eller bilder")
    return RawDocument(path, "pdf", lines=_pdf_lines(pages), page_count=pages_n)


#: The largest text output of the PDF child process (word boxes are about 45 KB per page).
_PDF_OUTPUT_BYTES = 256 * 2**20


def _run_limited(cmd: list[str], path: str | None, limits: Limits):
    """Run ``cmd`` with limits on address space, CPU time and output file size.

    The limits are set by util-linux's ``prlimit`` in front of the command, which lets Python
    start the child with vfork; a ``preexec_fn`` (used only where ``prlimit`` is missing) makes
    it copy the whole parent process first (about 15 ms for a web worker) and is not safe in a
    threaded process."""
    import resource
    import shutil
    import subprocess

    cpu = int(limits.pdf_seconds) + 1
    prlimit = shutil.which("prlimit")
    preexec = None
    if prlimit:
        cmd = [
            prlimit,
            f"--as={limits.pdf_memory}",
            f"--cpu={cpu}",
            f"--fsize={_PDF_OUTPUT_BYTES}",
            *cmd,
        ]
    else:  # pragma: no cover - util-linux is part of every supported system

        def preexec() -> None:  # runs in the child
            resource.setrlimit(resource.RLIMIT_AS, (limits.pdf_memory, limits.pdf_memory))
            resource.setrlimit(resource.RLIMIT_FSIZE, (_PDF_OUTPUT_BYTES, _PDF_OUTPUT_BYTES))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    try:
        res = subprocess.run(
            cmd, capture_output=True, timeout=limits.pdf_seconds, preexec_fn=preexec, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise UnsafeDocumentError(
            path,
            f"PDF-filen tog mer än {limits.pdf_seconds:.0f} s att läsa och avbröts",
            expected="en PDF som går att läsa inom tidsgränsen",
        ) from exc
    if res.returncode < 0 or res.returncode in (137, 152):
        # Killed by a signal: the memory or CPU limit.
        raise UnsafeDocumentError(
            path,
            "PDF-filen kräver mer minne eller tid än tillåtet för att läsas (t.ex. en "
            "dekomprimeringsbomb) och avbröts",
            expected="en vanlig PDF med text",
        )
    if res.returncode != 0 and b"alloc" in res.stderr.lower():
        raise UnsafeDocumentError(
            path,
            "PDF-filen kräver mer minne än tillåtet för att läsas och avbröts",
            expected="en vanlig PDF med text",
        )
    return res


_BBOX_PAGE = re.compile(rb'<page width="[\d.]+" height="([\d.]+)">')
_BBOX_WORD = re.compile(
    rb'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="[\d.-]+" yMax="([\d.-]+)">([^<]*)</word>'
)


def _bbox_pages(xhtml: bytes) -> list[list[tuple[str, float, float, float, str]]]:
    """Word fragments per page as ``(text, x, y, size, font)`` in page space (y upwards), the
    shape :func:`_pdf_lines` groups into lines. A word's box height stands for its font size
    (poppler reports ascent to descent, about 1.2 × the size).

    One pass over poppler's output, as bytes (the regular expressions run faster on bytes and
    only the words' text is decoded): pages are cut at their start tags, lines at their end
    tags, and a line whose words all have the same box (nearly every line) is taken whole
    without per-word arithmetic; only a line with boxes of different heights is looked at word
    by word for a footnote marker."""
    import html as _html

    unescape = _html.unescape
    find_words = _BBOX_WORD.findall
    heads = list(_BBOX_PAGE.finditer(xhtml))
    pages = []
    for i, pm in enumerate(heads):
        height = float(pm.group(1))
        stop = heads[i + 1].start() if i + 1 < len(heads) else len(xhtml)
        frags: list[tuple[str, float, float, float, str]] = []
        for line in xhtml[pm.end() : stop].split(b"</line>"):
            words = find_words(line)
            if not words:
                continue
            if len({(w[1], w[2]) for w in words}) == 1:
                # One box height for the whole line: no smaller marker can stand in it.
                y1 = float(words[0][2])
                top = (y1 - float(words[0][1])) / 1.2
                text = unescape(b" ".join([w[3] for w in words]).decode("utf-8", "replace"))
                frags.append((text, float(words[0][0]), height - y1 + 0.2 * top, top, ""))
                frags.append(("\n", 0.0, 0.0, 0.0, ""))
                continue
            texts = [w[3].decode("utf-8", "replace") for w in words]
            sizes = [(float(w[2]) - float(w[1])) / 1.2 for w in words]
            top = max(sizes)
            if any(
                sz < 0.85 * top and t.strip().isdigit() for sz, t in zip(sizes, texts, strict=True)
            ):
                # A footnote marker (a small digit) stands in the line: word by word, so that
                # the line grouping can tell the marker from the text.
                for k, (w, t, size) in enumerate(zip(words, texts, sizes, strict=True)):
                    text = (" " if k else "") + unescape(t)
                    frags.append((text, float(w[0]), height - float(w[2]) + 0.2 * size, size, ""))
            else:
                # The whole line at once; its baseline and size are those of its largest word.
                k = sizes.index(top)
                y1 = float(words[k][2])
                text = unescape(" ".join(texts))
                frags.append((text, float(words[0][0]), height - y1 + 0.2 * top, top, ""))
            frags.append(("\n", 0.0, 0.0, 0.0, ""))
        pages.append(frags)
    return pages


def _read_pdf_pypdf(data: bytes, path: str | None, limits: Limits = DEFAULT_LIMITS) -> RawDocument:
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
    except PdfReadError as exc:
        raise WrongFileTypeError(path or "<bytes>", "en trasig PDF", _EXPECTED["pdf"]) from exc
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except Exception as exc:  # unsupported algorithms raise, not return
            raise EncryptedPdfError(path or "<bytes>") from exc
        if not ok:
            raise EncryptedPdfError(path or "<bytes>")
    if len(reader.pages) > limits.max_pages:
        raise UnsafeDocumentError(
            path,
            f"PDF-filen har {len(reader.pages)} sidor; högst {limits.max_pages} läses",
            value=len(reader.pages),
            expected=f"ett remissvar på högst {limits.max_pages} sidor",
        )
    pages: list[list[tuple[str, float, float, float, str]]] = []
    images = 0
    for page in reader.pages:
        frags: list[tuple[str, float, float, float, str]] = []

        def visit(text, cm, tm, font_dict, font_size, frags=frags):
            if not text or not text.strip("\n"):
                return
            # Text space to page space: the text matrix times the current transformation.
            a, b, c, d, e, f = cm
            x = tm[4] * a + tm[5] * c + e
            y = tm[4] * b + tm[5] * d + f
            scale = abs(tm[3] * d + tm[2] * b) or abs(tm[0] * a) or 1.0
            name = str((font_dict or {}).get("/BaseFont", "")) if font_dict else ""
            frags.append((text, x, y, font_size * scale, name))

        page.extract_text(visitor_text=visit)
        pages.append(frags)
    if not any(t.strip() for frags in pages for t, *_ in frags):
        for page in reader.pages:
            with contextlib.suppress(Exception):  # a broken image is still an image
                images += len(page.images)
        if images:
            raise ScannedPdfError(path or "<bytes>", len(reader.pages))
        raise EmptyDocumentError(path, "PDF-filen har varken text eller bilder")
    lines = _pdf_lines(pages)
    return RawDocument(path, "pdf", lines=lines, page_count=len(reader.pages))


_SPACES = re.compile(r"\s+")
_FOOTNOTE_LINE = re.compile(r"^(\d{1,2})\s+(.*)$")
_DIGITS = re.compile(r"\d+")


def _pdf_lines(pages) -> list[RawLine]:
    """Group glyph runs into lines, find superscript markers, footnote areas and paragraph
    breaks from sizes and vertical gaps."""
    per_page: list[list[dict]] = []
    for page_no, frags in enumerate(pages, start=1):
        lines: list[dict] = []
        for text, _x, y, size, font in frags:
            if text == "\n":  # the end of a line (most fragments from poppler)
                if lines:
                    lines[-1]["closed"] = True
                continue
            for k, piece in enumerate(text.split("\n")):
                if k > 0 and lines:
                    lines[-1]["closed"] = True
                if not piece.strip():
                    continue
                cur = lines[-1] if lines and not lines[-1].get("closed") else None
                if cur is not None and abs(cur["y"] - y) > max(2.0, 0.3 * cur["size"]):
                    is_sup = (
                        piece.strip().isdigit()
                        and size < 0.85 * cur["size"]
                        and abs(cur["y"] - y) < cur["size"]
                    )
                    if not is_sup:
                        cur["closed"] = True
                        cur = None
                if cur is None:
                    cur = {"y": y, "size": size, "parts": [], "page": page_no, "bold": True}
                    lines.append(cur)

                if (
                    piece.strip().isdigit()
                    and cur["parts"]
                    and size < 0.85 * cur["size"]
                    and len(piece.strip()) <= 2
                ):
                    joined = "".join(p for p, _ in cur["parts"]).rstrip()
                    cur.setdefault("markers", []).append((len(joined), piece.strip()))
                    cur["parts"] = [(joined, cur["size"])]
                    continue
                if not cur["parts"]:
                    cur["size"] = size
                    cur["y"] = y
                cur["parts"].append((piece, size))
                if "bold" not in font.lower():
                    cur["bold"] = False
        for ln in lines:
            ln["text"] = _SPACES.sub(" ", "".join([p for p, _ in ln["parts"]])).strip()
        lines = [ln for ln in lines if ln["text"]]
        # A bullet drawn on its own (often after the item's first line) joins the line it
        # stands on.
        for b in [ln for ln in lines if ln["text"] in _BULLETS]:
            host = next(
                (
                    ln
                    for ln in lines
                    if ln is not b and ln["text"] not in _BULLETS and abs(ln["y"] - b["y"]) < 2
                ),
                None,
            )
            if host is not None:
                host["text"] = b["text"] + " " + host["text"]
                host["markers"] = [(o + 2, n) for o, n in host.get("markers", [])]
                b["text"] = ""
        per_page.append([ln for ln in lines if ln["text"]])

    sizes: dict[float, int] = {}
    for lines in per_page:
        for ln in lines:
            key = round(ln["size"], 1)
            sizes[key] = sizes.get(key, 0) + len(ln["text"])
    body_size = max(sizes, key=sizes.__getitem__) if sizes else 10.0

    _mark_furniture(per_page)

    gaps: list[float] = []
    for lines in per_page:
        body = [ln for ln in lines if not ln.get("furniture") and abs(ln["size"] - body_size) < 0.6]
        # Page space has y growing upwards: reading order is descending y.
        body.sort(key=lambda ln: ln["y"], reverse=True)
        for a, b in zip(body, body[1:], strict=False):
            gaps.append(abs(a["y"] - b["y"]))
    line_gap = statistics.median(gaps) if gaps else body_size * 1.2
    widths = [len(ln["text"]) for lines in per_page for ln in lines if not ln.get("furniture")]
    full = statistics.quantiles(widths, n=10)[8] if len(widths) >= 10 else max(widths or [60])

    out: list[RawLine] = []
    for lines in per_page:
        # Running headers and footers leave the text but are kept as metadata lines: a
        # header often carries the board's name and its registration number.
        out.extend(
            RawLine(ln["text"], ln["page"], kind="furniture") for ln in lines if ln.get("furniture")
        )
        ordered = sorted(
            (ln for ln in lines if not ln.get("furniture")),
            key=lambda ln: ln["y"],
            reverse=True,
        )
        in_foot = False
        prev: dict | None = None
        for ln in ordered:
            small = ln["size"] < body_size - 0.6
            m = _FOOTNOTE_LINE.match(ln["text"]) if small else None
            if small and m and prev is not None and (in_foot or not prev.get("small")):
                in_foot = True
                out.append(RawLine(m.group(2), ln["page"], kind="footnote", footnote=m.group(1)))
                prev = {**ln, "small": True}
                continue
            if in_foot and small:
                out[-1].text += " " + ln["text"]
                continue
            gap = abs(prev["y"] - ln["y"]) if prev is not None else None
            if out and out[-1].kind == "body" and out[-1].page == ln["page"] and gap is not None:
                if gap > 1.45 * line_gap:
                    out[-1].para_end = True
            elif (
                out
                and out[-1].kind == "body"
                and out[-1].page != ln["page"]
                and out[-1].para_end is None
            ):
                # Across a page: a full last line means the paragraph goes on.
                out[-1].para_end = len(out[-1].text) < 0.8 * full
            heading = ln["size"] > body_size * 1.1 or (ln["bold"] and len(ln["text"]) < 80)
            if heading and out and out[-1].kind == "body":
                out[-1].para_end = True
            out.append(
                RawLine(
                    ln["text"],
                    ln["page"],
                    markers=list(ln.get("markers", [])),
                    heading=heading,
                    para_end=True if heading else None,
                    size=ln["size"],
                    y=ln["y"],
                )
            )
            prev = ln
        # The last body line of a page decides continuation on the next page (above).
    nxt: RawLine | None = None  # the next body line, walking backwards
    for line in reversed(out):
        if line.kind != "body":
            continue
        if line.para_end is None:
            if nxt is None:
                line.para_end = True
            elif nxt.page != line.page:
                line.para_end = len(line.text) < 0.8 * full
            else:
                line.para_end = False
        nxt = line
    return out


_BULLETS = {"•", "\uf0b7", "▪", "●", "◦", "\u2013", "-", "*"}


_PAGE_NUMBER = re.compile(
    r"^(?:(?:sida|page|s\.)\s*)?-?\s*\d{1,3}\s*-?(?:\s*(?:\(|av|/|of)\s*\d{1,3}\)?)?$", re.I
)


def _mark_furniture(per_page: list[list[dict]]) -> None:
    """Mark running headers/footers and page numbers.

    A line near the top or bottom of a page whose text, with digits masked, recurs on at least
    half of the pages (and on two or more) is furniture; so is a bare page number there.
    """
    n = len(per_page)
    edge_keys: dict[str, int] = {}
    for lines in per_page:
        seen = set()
        for ln in _edges(lines):
            key = _DIGITS.sub("#", ln["text"].lower())
            if key not in seen:
                edge_keys[key] = edge_keys.get(key, 0) + 1
                seen.add(key)
    for lines in per_page:
        for ln in _edges(lines):
            key = _DIGITS.sub("#", ln["text"].lower())
            if _PAGE_NUMBER.match(ln["text"]) or (
                n >= 2 and edge_keys.get(key, 0) >= max(2, n / 2)
            ):
                ln["furniture"] = True


def _edges(lines: list[dict]) -> list[dict]:
    if not lines:
        return []
    ordered = sorted(lines, key=lambda ln: ln["y"], reverse=True)
    return ordered[:2] + ordered[-2:]


# --- DOCX ------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _read_docx(data: bytes, path: str | None) -> RawDocument:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for a broken package
        raise WrongFileTypeError(path or "<bytes>", "en trasig DOCX", _EXPECTED["docx"]) from exc
    styles = {}
    outline: dict[str, int] = {}  # style id → heading level from the style's outline level
    for style in document.styles:
        try:
            styles[style.style_id] = style.name or ""
        except Exception:  # latent styles without names
            continue
        # A custom style is a heading when it (or the style it is based on) has an outline
        # level or a heading name: "Rubrik nämnd" based on "Heading 2".
        s_el, depth = style, 0
        while s_el is not None and depth < 6:
            lvl = _outline_level(getattr(s_el, "element", None))
            named = _heading_level(getattr(s_el, "name", "") or "")
            level = lvl or named
            if level:
                outline[style.style_id] = level
                break
            s_el, depth = getattr(s_el, "base_style", None), depth + 1
    blocks: list[RawBlock] = []
    page = 1
    for p in document.element.body.iter(f"{_W}p"):
        text_parts: list[str] = []
        markers: list[tuple[int, str]] = []
        start_page = page
        for el in p.iter():
            tag = el.tag
            if tag == f"{_W}t":
                text_parts.append(el.text or "")
            elif tag == f"{_W}tab":
                text_parts.append("\t")
            elif tag == f"{_W}br":
                if el.get(f"{_W}type") == "page":
                    page += 1
                else:
                    text_parts.append("\n")
            elif tag == f"{_W}lastRenderedPageBreak":
                page += 1
            elif tag == f"{_W}footnoteReference":
                markers.append((len("".join(text_parts)), el.get(f"{_W}id")))
            elif tag == f"{_W}instrText":
                continue
        text = "".join(text_parts)
        ppr = p.find(f"{_W}pPr")
        style_name = ""
        style_id = None
        is_list = False
        if ppr is not None:
            ps = ppr.find(f"{_W}pStyle")
            style_id = ps.get(f"{_W}val") if ps is not None else None
            if style_id is not None:
                style_name = styles.get(style_id, style_id or "")
            is_list = ppr.find(f"{_W}numPr") is not None
        level = _heading_level(style_name)
        if not level and ppr is not None:
            level = _outline_level(ppr, direct=True) or outline.get(style_id or "")
        style = (
            "heading" if level else ("list" if is_list or "list" in style_name.lower() else "body")
        )
        if not text.strip() and not markers:
            continue
        blocks.append(RawBlock(text, style=style, level=level, markers=markers, page=start_page))
    footnotes = _docx_footnotes(data)
    # Word numbers footnotes by order of reference; the stored ids are arbitrary (separators
    # often take 0 and 1). Show the numbers a reader sees.
    order: dict[str, str] = {}
    for b in blocks:
        for _off, fid in b.markers:
            order.setdefault(fid, str(len(order) + 1))
    for b in blocks:
        b.markers = [(off, order[fid]) for off, fid in b.markers]
    footnotes = sorted(
        (RawFootnote(order[f.number], f.text) for f in footnotes if f.number in order),
        key=lambda f: int(f.number),
    )
    known_pages = page > 1
    if not known_pages:
        for b in blocks:
            b.page = None
    return RawDocument(
        path, "docx", blocks=blocks, footnotes=footnotes, page_count=page if known_pages else None
    )


def _outline_level(el, *, direct: bool = False) -> int | None:
    """The heading level from a ``w:outlineLvl`` (0-based; 9 means body text) in a paragraph's
    or a style's properties."""
    if el is None:
        return None
    node = el.find(f"{_W}outlineLvl") if direct else el.find(f"{_W}pPr/{_W}outlineLvl")
    if node is None:
        return None
    try:
        value = int(node.get(f"{_W}val"))
    except (TypeError, ValueError):
        return None
    return value + 1 if 0 <= value < 9 else None


def _heading_level(style_name: str) -> int | None:
    m = re.match(r"^(?:heading|rubrik)\s*(\d)$", style_name.strip(), re.I)
    if m:
        return int(m.group(1))
    if style_name.strip().lower() in ("title", "rubrik"):
        return 1
    return None


def _docx_footnotes(data: bytes) -> list[RawFootnote]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if "word/footnotes.xml" not in zf.namelist():
            return []
        root = ET.fromstring(zf.read("word/footnotes.xml"))
    out = []
    for fn in root.iter(f"{_W}footnote"):
        if fn.get(f"{_W}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        number = fn.get(f"{_W}id")
        if number is None:  # w:id is required by the schema; without it nothing can refer to it
            continue
        text = "".join(t.text or "" for t in fn.iter(f"{_W}t")).strip()
        out.append(RawFootnote(number, text))
    return out


# --- ODT -------------------------------------------------------------------------------------

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _read_odt(data: bytes, path: str | None) -> RawDocument:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            root = ET.fromstring(zf.read("content.xml"))
    except (KeyError, zipfile.BadZipFile, ET.ParseError) as exc:
        raise WrongFileTypeError(path or "<bytes>", "en trasig ODT", _EXPECTED["odt"]) from exc
    body = root.find(f"{_OFFICE}body/{_OFFICE}text")
    blocks: list[RawBlock] = []
    footnotes: list[RawFootnote] = []
    if body is None:
        return RawDocument(path, "odt")

    def inline(el, parts: list[str], markers: list[tuple[int, str]]) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            tag = child.tag
            if tag == f"{_TEXT}note":
                cit = child.find(f"{_TEXT}note-citation")
                number = (cit.text or "").strip() if cit is not None else str(len(footnotes) + 1)
                markers.append((len("".join(parts)), number))
                nb = child.find(f"{_TEXT}note-body")
                note_text = " ".join(
                    "".join(p.itertext()).strip() for p in (nb if nb is not None else [])
                )
                footnotes.append(RawFootnote(number, note_text.strip()))
            elif tag == f"{_TEXT}s":
                parts.append(" " * int(child.get(f"{_TEXT}c", "1")))
            elif tag == f"{_TEXT}tab":
                parts.append("\t")
            elif tag == f"{_TEXT}line-break":
                parts.append("\n")
            else:
                inline(child, parts, markers)
            if child.tail:
                parts.append(child.tail)

    def walk(el, in_list: bool) -> None:
        for child in el:
            tag = child.tag
            if tag in (f"{_TEXT}p", f"{_TEXT}h"):
                parts: list[str] = []
                markers: list[tuple[int, str]] = []
                inline(child, parts, markers)
                text = "".join(parts)
                if not text.strip():
                    continue
                if tag == f"{_TEXT}h":
                    level = int(child.get(f"{_TEXT}outline-level", "1"))
                    blocks.append(RawBlock(text, "heading", level, markers))
                else:
                    blocks.append(RawBlock(text, "list" if in_list else "body", None, markers))
            elif tag in (f"{_TEXT}list", f"{_TEXT}list-item"):
                walk(child, True)
            elif (
                tag.endswith("}section")
                or tag.endswith("}table")
                or tag.endswith("}table-row")
                or tag.endswith("}table-cell")
            ):
                walk(child, in_list)

    walk(body, False)
    return RawDocument(path, "odt", blocks=blocks, footnotes=footnotes)
