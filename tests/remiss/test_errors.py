"""Bad input gives a typed error with a message the user can act on."""

from __future__ import annotations

import io

import pytest

from skillnader.errors import FormatError, InputError
from skillnader.remiss.errors import (
    EmptyDocumentError,
    EncryptedPdfError,
    ScannedPdfError,
    WrongFileTypeError,
)
from skillnader.remiss.extract import extract


def _image_pdf() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(img).text((40, 40), "Sammanfattning", fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PDF", resolution=72)
    return buf.getvalue()


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(buf, format="PNG")
    return buf.getvalue()


def test_scanned_pdf(tmp_path):
    path = tmp_path / "inskannad.pdf"
    path.write_bytes(_image_pdf())
    with pytest.raises(ScannedPdfError) as info:
        extract(path)
    assert "saknar textlager" in str(info.value) and "OCR" in str(info.value)
    assert info.value.path == str(path) and info.value.exit_code == 2


def test_encrypted_pdf(tmp_path):
    from pypdf import PdfWriter

    w = PdfWriter(clone_from=io.BytesIO(_image_pdf()))
    w.encrypt(user_password="hemligt")
    path = tmp_path / "last.pdf"
    with open(path, "wb") as fh:
        w.write(fh)
    with pytest.raises(EncryptedPdfError, match="lösenordsskyddad"):
        extract(path)


def test_png_renamed_pdf(tmp_path):
    path = tmp_path / "svar.pdf"
    path.write_bytes(_png())
    with pytest.raises(WrongFileTypeError) as info:
        extract(path)
    assert isinstance(info.value, FormatError)
    assert info.value.value == "en PNG-bild"
    assert "PDF" in info.value.expected
    assert "svar.pdf" in str(info.value)


def test_pdf_renamed_docx_and_binary_txt(tmp_path, real_docx):
    path = tmp_path / "svar.docx"
    path.write_bytes(_image_pdf())
    with pytest.raises(WrongFileTypeError, match="en PDF"):
        extract(path)
    path = tmp_path / "svar.pdf"
    path.write_bytes(real_docx)
    with pytest.raises(WrongFileTypeError, match="Word-dokument"):
        extract(path)
    path = tmp_path / "svar.txt"
    path.write_bytes(b"\x00\x01\x02garbage\x00" * 20)
    with pytest.raises(WrongFileTypeError, match="binärdata"):
        extract(path)
    path = tmp_path / "svar.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(WrongFileTypeError, match="äldre Office"):
        extract(path)


def test_empty_documents(tmp_path):
    from pypdf import PdfWriter

    (tmp_path / "tom.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\n \n", encoding="utf-8")
    w = PdfWriter()
    w.add_blank_page(595, 842)
    with open(tmp_path / "tom.pdf", "wb") as fh:
        w.write(fh)
    import docx

    docx.Document().save(tmp_path / "tom.docx")
    for name in ("tom.txt", "blank.txt", "tom.pdf", "tom.docx"):
        with pytest.raises(EmptyDocumentError) as info:
            extract(tmp_path / name)
        assert isinstance(info.value, InputError)
        assert "ingen text" in str(info.value)
