"""A statement that takes long to read is read in the background: the upload request returns
at once, the statement's page shows how far the reading has come and then its result, and
nobody outside the board (or the analysts) learns anything of the file from its id."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from skillnader.web.consultation import services
from skillnader.web.consultation.models import Statement

from .conftest import SKARHOLMEN, login, response_of, response_url, save

MAIN = (
    "De huvudsakliga utmaningarna som nämnden ser inom sitt område handlar om att öka antalet "
    "syselssatta genom utbildning och förvärvsarbete, informationsspridning om samhället och "
    "den ökade bostadsbristen."
)


def _builders():
    path = Path(__file__).resolve().parents[1] / "remiss" / "builders.py"
    spec = importlib.util.spec_from_file_location("remiss_builders_bg", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def gate(monkeypatch):
    """Holds every reading job at its start until the test opens the gate (a long reading
    without a long test); the reading itself is the real one."""
    opened = threading.Event()
    started = threading.Event()
    real = services._read

    def held(*args, **kwargs):
        started.set()
        assert opened.wait(60), "the test never opened the gate"
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_read", held)
    return started, opened


def status_url(c, board, pk):
    return response_url(c, board, f"utlatanden/{pk}/status/")


def wait_done(client, url, seconds=120.0):
    """Poll the status as the page does. A 503 (database busy, with Retry-After) is polled
    again: the test database is SQLite's shared in-memory one, where a read meets the
    background thread's write lock at once instead of reading the last committed state."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        resp = client.get(url + "?format=json")
        if resp.status_code == 503:
            assert resp.headers.get("Retry-After")
            time.sleep(0.05)
            continue
        data = resp.json()
        if data["done"]:
            return data
        time.sleep(0.05)
    raise AssertionError(f"the background reading did not finish in {seconds} s")


@pytest.mark.django_db(transaction=True)
def test_a_slow_reading_does_not_block_the_upload_and_shows_progress(
    consultation, users, settings, gate
):
    started, opened = gate
    settings.REMISS_UPLOAD_WAIT_SECONDS = 0.2
    c = consultation
    client = login(Client(), users["a1"])
    save(client, c, "skarholmen", 0, {"q1": "Egen text om nämndens arbete."})
    t0 = time.monotonic()
    resp = client.post(
        response_url(c, "skarholmen", "ladda-upp/"),
        {
            "base_version": "1",
            "statement": SimpleUploadedFile(SKARHOLMEN.name, SKARHOLMEN.read_bytes()),
        },
    )
    assert time.monotonic() - t0 < 10  # the request did not wait for the reading
    assert started.is_set()
    stmt = response_of(c, "skarholmen").statements.get()
    url = status_url(c, "skarholmen", stmt.pk)
    assert resp.status_code == 302 and resp.url == url
    # While it is being read: status, stage and share done, nothing pre-filled yet.
    assert stmt.status == Statement.Status.PROCESSING and not stmt.file
    page = client.get(url).content.decode()
    assert 'http-equiv="refresh"' in page and "<progress" in page
    assert "Filen läses in i bakgrunden" in page
    assert "Filen är stor och läses in i bakgrunden" in page  # the message after the upload
    data = client.get(url + "?format=json").json()
    assert data["status"] == "processing" and not data["done"] and data["progress"] < 100
    assert response_of(c, "skarholmen").current_version == 1
    listing = client.get(response_url(c, "skarholmen")).content.decode()
    assert "läses in" in listing and url in listing

    opened.set()
    data = wait_done(client, url)
    assert data["status"] == "parsed" and data["progress"] == 100 and data["version"] == 2
    assert data["questions"] == {"q1": "answered", "q2": "answered", "q3": "answered"}
    r = response_of(c, "skarholmen")
    v = r.current()
    assert r.current_version == 2 and v.kind == "upload" and v.based_on == 1
    assert v.statement_id == stmt.pk and v.answers["q2"] == MAIN
    assert v.answers["q1"] == "Egen text om nämndens arbete."  # typed text kept
    stmt.refresh_from_db()
    assert stmt.file and stmt.parsed["board"] == "skarholmen"
    page = client.get(url).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "Utlåtandet lästes in och svaren fylldes i (version 2)" in page


@pytest.mark.django_db(transaction=True)
def test_a_real_pdf_read_in_the_background_ends_as_the_same_answer(consultation, users, settings):
    builders = _builders()
    data = builders.pdf_bytes(builders.real_document())
    settings.REMISS_UPLOAD_WAIT_SECONDS = 0  # always hand over unless it is already done
    c = consultation
    client = login(Client(), users["a1"])
    resp = client.post(
        response_url(c, "skarholmen", "ladda-upp/"),
        {"base_version": "0", "statement": SimpleUploadedFile("utlatande.pdf", data)},
    )
    assert resp.status_code == 302
    stmt = response_of(c, "skarholmen").statements.get()
    result = wait_done(client, status_url(c, "skarholmen", stmt.pk))
    assert result["status"] == "parsed" and result["version"] == 1
    v = response_of(c, "skarholmen").current()
    assert v.answers["q2"] == MAIN
    # The same reading as the library's own of the same bytes, pages of the PDF included.
    from skillnader.remiss.extract import extract_bytes
    from skillnader.remiss.pipeline import analyse

    direct = analyse(
        extract_bytes(data, format="pdf"),
        consultation=services.library_consultation(c),
        codebook=services.codebook_for(c),
        board="skarholmen",
    )
    stmt.refresh_from_db()
    assert stmt.parsed["mapping"] == direct.to_dict()["mapping"]
    pages = {direct.passage(a.passage).page for a in direct.mapping("q2").answers}
    assert {q["page"] for q in v.prefill["q2"]["quotes"]} == pages


@pytest.mark.django_db(transaction=True)
def test_a_file_refused_in_the_background_is_not_kept(consultation, users, settings, gate):
    started, opened = gate
    settings.REMISS_UPLOAD_WAIT_SECONDS = 0.1
    c = consultation
    client = login(Client(), users["a1"])
    resp = client.post(
        response_url(c, "skarholmen", "ladda-upp/"),
        {"base_version": "0", "statement": SimpleUploadedFile("svar.pdf", b"inte en pdf " * 50)},
    )
    stmt = response_of(c, "skarholmen").statements.get()
    assert resp.status_code == 302 and stmt.status == Statement.Status.PROCESSING
    opened.set()
    data = wait_done(client, status_url(c, "skarholmen", stmt.pk))
    assert data["status"] == "rejected" and "PDF" in data["error"]
    stmt.refresh_from_db()
    assert not stmt.file and stmt.error_type == "WrongFileTypeError"
    assert response_of(c, "skarholmen").current_version == 0
    stored = Path(settings.MEDIA_ROOT) / "remiss"
    assert not stored.exists() or not any(f.is_file() for f in stored.rglob("*"))
    page = client.get(status_url(c, "skarholmen", stmt.pk)).content.decode()
    assert "Filen kunde inte läsas" in page and "Utkastet har inte ändrats" in page


@pytest.mark.django_db
def test_another_users_id_in_the_url_reveals_nothing(consultation, users):
    c = consultation
    a1 = login(Client(), users["a1"])
    resp = a1.post(
        response_url(c, "skarholmen", "ladda-upp/"),
        {
            "base_version": "0",
            "statement": SimpleUploadedFile("hemligt-namn.txt", SKARHOLMEN.read_bytes()),
        },
    )
    assert resp.status_code == 302
    stmt = response_of(c, "skarholmen").statements.get()
    assert a1.get(status_url(c, "skarholmen", stmt.pk)).status_code == 200
    # Bromma's writer starts a response of its own, so that its board's URLs exist.
    b = login(Client(), users["b"])
    save(b, c, "bromma", 0, {"q2": "Brommas utkast."})
    tries = {
        "other board": (b, status_url(c, "skarholmen", stmt.pk)),
        "other board, own board in the URL": (b, status_url(c, "bromma", stmt.pk)),
        "other board, file": (b, response_url(c, "bromma", f"utlatanden/{stmt.pk}/")),
        "other board, file of the board": (
            b,
            response_url(c, "skarholmen", f"utlatanden/{stmt.pk}/"),
        ),
        "outsider": (login(Client(), users["outsider"]), status_url(c, "skarholmen", stmt.pk)),
        "anonymous": (Client(), status_url(c, "skarholmen", stmt.pk)),
    }
    for who, (client, url) in tries.items():
        for suffix in ("", "?format=json"):
            resp = client.get(url + suffix)
            assert resp.status_code == 404, (who, suffix)
            body = b"".join(resp.streaming_content) if resp.streaming else resp.content
            assert b"hemligt" not in body and b"parsed" not in body, (who, suffix)
    # The analysts read every board's statements.
    analyst = login(Client(), users["analyst"])
    data = analyst.get(status_url(c, "skarholmen", stmt.pk) + "?format=json").json()
    assert data["status"] == "parsed" and data["name"] == "hemligt-namn.txt"


@pytest.mark.django_db
def test_a_reading_that_stopped_reporting_is_shown_as_interrupted(consultation, users, settings):
    settings.REMISS_UPLOAD_STALE_SECONDS = 60
    c = consultation
    client = login(Client(), users["a1"])
    save(client, c, "skarholmen", 0, {"q2": "Utkast."})
    r = response_of(c, "skarholmen")
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    fresh = Statement.objects.create(
        response=r,
        original_name="pågår.pdf",
        status="processing",
        progress=40,
        stage="structure",
        updated_at=timezone.now(),
        based_on=1,
    )
    dead = Statement.objects.create(
        response=r,
        original_name="avbruten.pdf",
        status="processing",
        progress=5,
        stage="read",
        updated_at=long_ago,
        based_on=1,
    )
    data = client.get(status_url(c, "skarholmen", fresh.pk) + "?format=json").json()
    assert (
        data["status"] == "processing" and data["stage"] == "structure" and data["progress"] == 40
    )
    page = client.get(status_url(c, "skarholmen", fresh.pk)).content.decode()
    assert "Hittar rubriker och stycken" in page and 'value="40"' in page
    data = client.get(status_url(c, "skarholmen", dead.pk) + "?format=json").json()
    assert data["status"] == "rejected" and data["done"] and "avbröts" in data["error"]
    assert response_of(c, "skarholmen").current_version == 1


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_failure_in_the_background_is_reported(
    consultation, users, settings, monkeypatch
):
    opened = threading.Event()

    def broken(*args, **kwargs):
        assert opened.wait(60)
        raise RuntimeError("a bug in the reader")

    monkeypatch.setattr(services, "_read", broken)
    settings.REMISS_UPLOAD_WAIT_SECONDS = 0.1
    c = consultation
    client = login(Client(), users["a1"])
    resp = client.post(
        response_url(c, "skarholmen", "ladda-upp/"),
        {"base_version": "0", "statement": SimpleUploadedFile("svar.txt", SKARHOLMEN.read_bytes())},
    )
    assert resp.status_code == 302
    stmt = response_of(c, "skarholmen").statements.get()
    opened.set()
    data = wait_done(client, status_url(c, "skarholmen", stmt.pk))
    assert data["status"] == "rejected" and "fel i tjänsten" in data["error"]
    stmt.refresh_from_db()
    assert not stmt.file and response_of(c, "skarholmen").current_version == 0
