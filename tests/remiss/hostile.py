"""Hostile consultation uploads, built in memory: XML entity attacks, decompression bombs,
deep nesting, cyclic and oversized PDFs. Shared by the library and the web tests."""

from __future__ import annotations

import io
import zipfile
import zlib

XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b'<w:footnote w:id="1"><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:footnote></w:footnotes>'
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b'<w:footnote w:id="1"><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:footnote></w:footnotes>'
)


def replace_member(package: bytes, name: str, data: bytes | None = None, *, stream=None) -> bytes:
    """``package`` with member ``name`` replaced by ``data`` (or written from ``stream``, an
    iterable of chunks, so that a huge member never sits in memory)."""
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == name:
                continue
            dst.writestr(info, src.read(info.filename))
        if stream is None:
            dst.writestr(name, data)
        else:
            with dst.open(name, "w", force_zip64=True) as fh:
                for chunk in stream:
                    fh.write(chunk)
    return out.getvalue()


def spaces(total: int, chunk: int = 8 * 1024 * 1024):
    """``total`` bytes of XML-looking filler in chunks."""
    yield b'<?xml version="1.0"?><w:footnotes xmlns:w="x">'
    left = total
    block = b" " * chunk
    while left > 0:
        yield block[: min(chunk, left)]
        left -= chunk
    yield b"</w:footnotes>"


def deep_xml(depth: int) -> bytes:
    return (
        b'<?xml version="1.0"?><w:document '
        b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + b"<w:p>" * depth
        + b"</w:p>" * depth
        + b"</w:body></w:document>"
    )


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def cyclic_pdf() -> bytes:
    """A page tree whose /Kids contains the tree itself."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def many_pages_pdf(n: int = 200_000) -> bytes:
    """``n`` pages sharing one content stream."""
    kids = b" ".join(f"{i} 0 R".encode() for i in range(4, 4 + n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(n).encode() + b" >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"
    objects += [page] * n
    return _pdf(objects)


def flate_bomb_pdf(unpacked: int = 1024 * 1024 * 1024) -> bytes:
    """One page whose content stream inflates to ``unpacked`` bytes."""
    comp = zlib.compressobj(9)
    parts = []
    chunk = b" " * (16 * 1024 * 1024)
    left = unpacked
    while left > 0:
        parts.append(comp.compress(chunk[: min(len(chunk), left)]))
        left -= len(chunk)
    parts.append(comp.flush())
    stream = b"".join(parts)
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
            + stream
            + b"\nendstream",
        ]
    )


def deep_pdf(depth: int = 100_000) -> bytes:
    """A dictionary nested ``depth`` levels deep."""
    nested = b"<< /A " * depth + b"1" + b" >>" * depth
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /X " + nested + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )
