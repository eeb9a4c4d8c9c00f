"""Uploading the official statement: the real Skärholmen answer pre-fills questions 2 and 3;
files the library cannot read leave the draft as it was."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from skillnader.web.consultation.models import Statement

from .conftest import SKARHOLMEN, login, response_of, response_url, save

pytestmark = pytest.mark.django_db

MAIN = (
    "De huvudsakliga utmaningarna som nämnden ser inom sitt område handlar om att öka antalet "
    "syselssatta genom utbildning och förvärvsarbete, informationsspridning om samhället och "
    "den ökade bostadsbristen."
)
ADDITIONAL = (
    "Andra utmaningar som nämnden har identifierat och som inte lyfts upp i rapporten är ett "
    "ökat antal ensamkommande flyktingbarn och ungdomar samt upplevd otrygghet i offentliga "
    "miljöer och våld i nära relationer som understödjer otrygghetkänslan."
)


def upload(client, c, board, version, name, data):
    return client.post(
        response_url(c, board, "ladda-upp/"),
        {"base_version": str(version), "statement": SimpleUploadedFile(name, data)},
    )


def test_real_answer_prefills_questions_2_and_3(client, consultation, users):
    c = consultation
    login(client, users["a1"])
    save(client, c, "skarholmen", 0, {"q1": "Egen text om nämndens arbete."})
    resp = upload(client, c, "skarholmen", 1, SKARHOLMEN.name, SKARHOLMEN.read_bytes())
    assert resp.status_code == 302
    r = response_of(c, "skarholmen")
    v = r.current()
    assert r.current_version == 2 and v.kind == "upload" and v.based_on == 1
    assert v.answers["q2"] == MAIN
    # Question 3: the summary's statement and the later "Ytterligare en utmaning …" passage.
    assert v.answers["q3"].startswith(ADDITIONAL + "\n\nYtterligare en utmaning som staden")
    # The statement answers question 1 only through statements of the board's own work
    # (lower confidence than a heading or an explicit statement): the typed text stays, the
    # passages are offered with their references.
    assert v.answers["q1"] == "Egen text om nämndens arbete."
    assert v.prefill["q1"]["status"] == "answered" and v.prefill["q1"]["confidence"] < 0.9
    assert {q["method"] for q in v.prefill["q1"]["quotes"]} == {"cue"}
    assert v.prefill["q2"]["quotes"] == [
        {
            "paragraph": 8,
            "page": 2,
            "text": MAIN,
            "method": "statement",
            "evidence": "De huvudsakliga utmaningarna",
        }
    ]
    assert v.prefill["q3"]["quotes"][0]["paragraph"] == 9
    assert v.prefill["q3"]["quotes"][0]["page"] == 2
    stmt = v.statement
    assert stmt.status == Statement.Status.PARSED and stmt.original_name == SKARHOLMEN.name
    assert stmt.file.read() == SKARHOLMEN.read_bytes()
    assert stmt.parsed["board"] == "skarholmen"
    page = client.get(response_url(c, "skarholmen")).content.decode()
    assert "sida 2" in page and "stycke 8" in page
    download = client.get(response_url(c, "skarholmen", f"utlatanden/{stmt.pk}/"))
    assert b"".join(download.streaming_content) == SKARHOLMEN.read_bytes()


def _image_pdf() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(img).text((40, 40), "Sammanfattning", fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PDF", resolution=72)
    return buf.getvalue()


def _encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter(clone_from=io.BytesIO(_image_pdf()))
    w.encrypt(user_password="hemligt")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(buf, format="PNG")
    return buf.getvalue()


def _empty_docx() -> bytes:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


BAD = [
    ("inskannad.pdf", _image_pdf, "ScannedPdfError", "saknar textlager"),
    ("last.pdf", _encrypted_pdf, "EncryptedPdfError", "lösenordsskyddad"),
    ("svar.pdf", _png, "WrongFileTypeError", "PNG"),
    ("svar.png", _png, "WrongFileTypeError", "PDF, DOCX, ODT eller TXT"),
    ("tom.txt", lambda: b"   \n\n", "EmptyDocumentError", "ingen text"),
    ("tom.docx", _empty_docx, "EmptyDocumentError", "ingen text"),
]


@pytest.mark.parametrize(("name", "make", "error", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_upload_leaves_draft_unchanged(
    client, consultation, users, settings, name, make, error, words
):
    c = consultation
    login(client, users["a1"])
    save(client, c, "skarholmen", 0, {"q2": "Det vi redan skrivit."})
    before = response_of(c, "skarholmen").current().content()
    data = make()
    resp = upload(client, c, "skarholmen", 1, name, data)
    assert resp.status_code == 422
    html = resp.content.decode()
    assert words in html and "Utkastet har inte ändrats" in html
    assert 'id="upload_statement-error"' in html
    assert 'aria-describedby="upload_statement-error upload_statement_helptext"' in html
    r = response_of(c, "skarholmen")
    assert r.current_version == 1 and r.versions.count() == 1
    assert r.current().content() == before
    stmt = r.statements.get()
    assert stmt.status == Statement.Status.REJECTED and stmt.error_type == error
    # A refused file is not kept on disk: the name, checksum and reason are.
    assert not stmt.file and stmt.sha256 == hashlib.sha256(data).hexdigest()
    stored = Path(settings.MEDIA_ROOT) / "remiss"
    assert not stored.exists() or not any(f.is_file() for f in stored.rglob("*"))
    listing = client.get(response_url(c, "skarholmen") + "?format=json").json()
    assert listing["statements"][0]["status"] == "rejected"


def test_statement_from_another_board_is_flagged(client, consultation, users):
    c = consultation
    login(client, users["b"])
    resp = upload(client, c, "bromma", 0, SKARHOLMEN.name, SKARHOLMEN.read_bytes())
    page = client.get(resp.url).content.decode()
    assert (
        "Kontrollera filen: utlåtandet verkar komma från Skärholmens stadsdelsnämnd, inte "
        "Bromma stadsdelsnämnd." in page
    )
    assert response_of(c, "bromma").statements.get().parsed["detected_board"] == "skarholmen"
