"""Hostile uploads on the consultation pages: a 422 page that says what was wrong, the draft
unchanged and nothing of the file kept on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from skillnader.web.consultation.models import Statement

from .conftest import login, response_of, response_url, save


def _load(name: str):
    # The hostile files are built by the library tests' helpers (tests/remiss).
    import importlib.util
    import sys

    path = Path(__file__).resolve().parents[1] / "remiss" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"remiss_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


hostile = _load("hostile")


def _cases():
    base = _docx()
    return [
        (
            "xxe.docx",
            lambda: hostile.replace_member(base, "word/footnotes.xml", hostile.XXE),
            "dokumenttypdeklaration",
        ),
        (
            "bomb.docx",
            lambda: hostile.replace_member(
                base, "word/footnotes.xml", stream=hostile.spaces(1024 * 1024 * 1024)
            ),
            "dekomprimeringsbomb",
        ),
        ("sidor.pdf", lambda: hostile.many_pages_pdf(200_000), "fler än 300 sidor"),
    ]


def _docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Förvaltningens synpunkter", 1)
    d.add_paragraph("Nämnden ser stora utmaningar i trångboddheten.")
    import io

    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("case", range(3), ids=["xxe", "docx-bomb", "200000-pages"])
def test_hostile_upload_gets_422_with_the_reason(client, consultation, users, settings, case):
    name, make, words = _cases()[case]
    c = consultation
    login(client, users["a1"])
    save(client, c, "skarholmen", 0, {"q2": "Vårt utkast."})
    resp = client.post(
        response_url(c, "skarholmen", "ladda-upp/"),
        {"base_version": "1", "statement": SimpleUploadedFile(name, make())},
    )
    assert resp.status_code == 422
    html = resp.content.decode()
    assert words in html and "Utkastet har inte ändrats" in html
    r = response_of(c, "skarholmen")
    assert r.current_version == 1
    stmt = r.statements.get()
    assert stmt.status == Statement.Status.REJECTED
    assert stmt.error_type == "UnsafeDocumentError" and not stmt.file
    stored = Path(settings.MEDIA_ROOT) / "remiss"
    assert not stored.exists() or not any(f.is_file() for f in stored.rglob("*"))


def test_size_limit_is_checked_before_reading(client, consultation, users, settings):
    settings.SKILLNADER_CONSULTATION_UPLOAD_LIMITS = {"max_bytes": {"pdf": 1024}}
    c = consultation
    login(client, users["a1"])
    resp = client.post(
        response_url(c, "skarholmen", "ladda-upp/"),
        {"base_version": "0", "statement": SimpleUploadedFile("stor.pdf", b"%PDF-1.4\n" * 500)},
    )
    assert resp.status_code == 422
    assert "filen är för stor" in resp.content.decode()
    assert not response_of(c, "skarholmen").statements.get().file


def test_a_document_that_is_not_an_answer_is_flagged_on_upload(client, consultation, users):
    c = consultation
    login(client, users["a1"])
    text = "Skärholmens stadsdelsnämnd\n\nNämnden har tagit emot remissen och återkommer.\n"
    resp = client.post(
        response_url(c, "skarholmen", "ladda-upp/"),
        {"base_version": "0", "statement": SimpleUploadedFile("svar.txt", text.encode())},
        follow=True,
    )
    html = resp.content.decode()
    assert "Kontrollera filen: dokumentet besvarar ingen av remissens frågor" in html
