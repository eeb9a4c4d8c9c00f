"""The analysts' import page runs the same transactional importer as the command line, in the
background: the upload is answered at once with a status page that shows how far the import has
come and then its result or typed error; only the analyst who started it sees it, and messages
name the uploaded file, never a path on the server."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.data.conftest import snapshot
from tests.data.test_importer import PX, SPEC

from skillnader.web.data import importer, jobs
from skillnader.web.data import models as m

URL = "/admin/data/observation/import/"


@pytest.fixture(autouse=True)
def _private_work_dir(settings, tmp_path):
    settings.DATA_IMPORT_DIR = str(tmp_path / "imports")
    (tmp_path / "imports").mkdir()
    # Small imports finish within the request unless a test asks for the background.
    settings.DATA_IMPORT_WAIT_SECONDS = 60
    return tmp_path / "imports"


@pytest.fixture
def staff(django_user_model, client):
    user = django_user_model.objects.create_superuser("analytiker", "a@example.org", "pw-123456")
    client.force_login(user)
    return client


def importer_user(django_user_model, name: str, *, may_import: bool = True):
    user = django_user_model.objects.create_user(name, is_staff=True)
    if may_import:
        user.user_permissions.add(Permission.objects.get(codename="add_observation"))
    return user


def upload(client, data: bytes, spec: str = SPEC, name: str = "BE0101F1.px"):
    return client.post(
        URL,
        {
            "file": SimpleUploadedFile(name, data),
            "mapping": SimpleUploadedFile("spec.yaml", spec.encode()),
        },
    )


def wait_done(client, url: str, seconds: float = 120.0) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = client.get(url + "?format=json").json()
        if data["done"]:
            return data
        time.sleep(0.05)
    raise AssertionError(f"the import did not finish in {seconds} s")


def test_anonymous_and_non_staff_cannot_reach_the_import(vocab, client, django_user_model):
    r = client.get(URL)
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    user = django_user_model.objects.create_user("medborgare", password="pw-123456")
    client.force_login(user)
    r = client.post(URL, {"file": SimpleUploadedFile("x.px", PX.read_bytes())})
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    assert m.Observation.objects.count() == 0 and m.ImportJob.objects.count() == 0


def test_staff_without_the_import_right_cannot_import(vocab, client, django_user_model):
    client.force_login(importer_user(django_user_model, "läsare", may_import=False))
    r = upload(client, PX.read_bytes())
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert m.Observation.objects.count() == 0 and m.ImportJob.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_staff_upload_imports_the_file_and_the_status_page_shows_the_result(
    vocab, staff, _private_work_dir
):
    r = upload(staff, PX.read_bytes())
    job = m.ImportJob.objects.get()
    status_url = f"{URL}{job.pk}/"
    assert r.status_code == 302 and r["Location"] == status_url
    data = wait_done(staff, status_url)
    assert data["status"] == "done" and data["progress"] == 100 and data["error"] is None
    assert data["file"] == "BE0101F1.px" and data["mapping"] == "spec.yaml"
    release = m.Release.objects.get()
    assert data["result"]["release"] == release.pk and data["result"]["created"] == 12
    assert m.Observation.objects.count() == 12
    assert release.imported_by == "analytiker" and release.file_name == "BE0101F1.px"
    page = staff.get(status_url).content.decode()
    assert 'lang="sv"' in page and "BE0101F1.px importerades." in page
    assert (
        f'href="/admin/data/release/{release.pk}/change/"' in page
        and "<caption>Skrivna leveranser</caption>" in page
    )
    assert "<progress" not in page and "import_status.js" not in page
    # The private copy of the upload is gone.
    assert not any(_private_work_dir.iterdir())
    # The import page lists the analyst's latest imports.
    assert status_url in staff.get(URL).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_broken_file_names_the_uploaded_file_and_no_server_path(vocab, staff, _private_work_dir):
    before = snapshot()
    bad = PX.read_bytes().replace(b"\n14 38", b"\n1x4 38", 1)
    r = upload(staff, bad, name="Flyttningar 2020.px")
    assert r.status_code == 302
    data = wait_done(staff, r["Location"])
    assert data["status"] == "failed" and data["error_type"] == "ValueFormatError"
    assert data["error"].startswith("Flyttningar 2020.px: ") and "1x4" in data["error"]
    page = staff.get(r["Location"]).content.decode()
    assert 'role="alert"' in page and "1x4" in page and "Flyttningar 2020.px" in page
    assert "inget skrevs" in page
    for body in (page, str(data)):
        assert "/tmp" not in body and str(_private_work_dir) not in body
        assert "skillnader-import-" not in body
    assert snapshot() == before
    assert not any(_private_work_dir.iterdir())


@pytest.mark.django_db(transaction=True)
def test_an_error_in_the_mapping_names_the_uploaded_mapping(vocab, staff, _private_work_dir):
    r = upload(staff, PX.read_bytes(), spec=SPEC.replace("inmigrated", "no_such_indicator"))
    data = wait_done(staff, r["Location"])
    assert data["status"] == "failed" and "no_such_indicator" in data["error"]
    assert str(_private_work_dir) not in data["error"] and "/tmp" not in data["error"]
    assert m.Observation.objects.count() == 0


@pytest.fixture
def held(monkeypatch):
    """Holds the import after its first batch of cells until the test lets it go on (a long
    import without a long test); the import itself is the real one."""
    reached, go_on = threading.Event(), threading.Event()
    real = importer.import_file
    monkeypatch.setattr(importer, "CUBE_ROWS", 4)  # the PC-Axis file's cells in batches of 4

    def held_import(*args, progress=None, **kwargs):
        def report(done, total):
            progress(done, total)
            if not reached.is_set():
                reached.set()
                assert go_on.wait(60), "the test never let the import go on"

        return real(*args, progress=report, **kwargs)

    monkeypatch.setattr(importer, "import_file", held_import)
    yield reached, go_on
    go_on.set()  # a failed test must not leave the import waiting


@pytest.mark.django_db(transaction=True)
def test_a_long_import_runs_in_the_background_with_progress(
    vocab, staff, settings, held, _private_work_dir, monkeypatch
):
    reached, go_on = held
    settings.DATA_IMPORT_WAIT_SECONDS = 0.1
    # A stage without reports is not taken for an interrupted import: the job shows it is alive.
    settings.DATA_IMPORT_STALE_SECONDS = 1
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.1)
    t0 = time.monotonic()
    r = upload(staff, PX.read_bytes(), name="flyttningar.px")
    assert time.monotonic() - t0 < 10  # the request did not wait for the import
    assert r.status_code == 302
    assert reached.wait(60)
    # After the first batch: stage and share done; nothing of the file is visible yet.
    data = staff.get(r["Location"] + "?format=json").json()
    assert data["status"] == "running" and not data["done"] and data["stage"] == "writing"
    assert 5 < data["progress"] < 90 and data["stage_label"] == "Kontrollerar och skriver cellerna"
    page = staff.get(r["Location"]).content.decode()
    assert '<progress id="import-progress" max="100"' in page
    assert '<label for="import-progress">Kontrollerar och skriver cellerna</label>' in page
    assert 'role="status" aria-live="polite"' in page and "import_status.js" in page
    assert "Filen importeras i bakgrunden" in page
    time.sleep(2.5)  # held past the stale limit: still running
    assert staff.get(r["Location"] + "?format=json").json()["status"] == "running"
    # The upload waits in a directory only the site's user can read.
    (work,) = list(_private_work_dir.iterdir())
    assert work.stat().st_mode & 0o777 == 0o700
    assert (work / "data" / "flyttningar.px").read_bytes() == PX.read_bytes()
    # A second import meanwhile is refused with a clear message, naming its own file.
    second = upload(staff, PX.read_bytes(), name="andra.px")
    assert second.status_code in (302, 409), second.status_code
    if second.status_code == 302:  # recorded, then refused by the import's lock
        refused = wait_done(staff, second["Location"])
        assert refused["status"] == "failed" and refused["error_type"] == "ImportBusyError"
        error = refused["error"]
    else:  # not even recorded: the database's write lock is held
        error = second.content.decode()
    assert "andra.px" in error and "another import is running" in error
    go_on.set()
    data = wait_done(staff, r["Location"])
    assert data["status"] == "done" and data["result"]["created"] == 12
    assert m.Observation.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_only_the_analyst_who_started_an_import_sees_it(vocab, staff, django_user_model):
    r = upload(staff, PX.read_bytes(), name="hemligt-namn.px")
    url = r["Location"]
    assert wait_done(staff, url)["status"] == "done"
    other = Client()
    other.force_login(importer_user(django_user_model, "annan-analytiker"))
    reader = Client()
    reader.force_login(importer_user(django_user_model, "utan-rätt", may_import=False))
    citizen = Client()
    citizen.force_login(django_user_model.objects.create_user("medborgare"))
    missing = f"{URL}{m.ImportJob.objects.get().pk + 1000}/"
    for who, client, status in [
        ("another importer", other, 404),
        ("staff without the right", reader, 404),
        ("not staff", citizen, 302),
        ("anonymous", Client(), 302),
    ]:
        for suffix in ("", "?format=json"):
            resp = client.get(url + suffix)
            assert resp.status_code == status, (who, suffix)
            assert b"hemligt" not in resp.content and b"done" not in resp.content, (who, suffix)
            if status == 302:
                assert "/admin/login/" in resp["Location"], (who, suffix)
    # A job that does not exist answers the same as another's.
    assert other.get(url).status_code == other.get(missing).status_code == 404
    assert b"hemligt" not in other.get(URL).content  # not in the other's list either


@pytest.mark.django_db
def test_an_import_that_stopped_reporting_is_shown_as_interrupted(
    vocab, staff, django_user_model, settings, _private_work_dir
):
    settings.DATA_IMPORT_STALE_SECONDS = 60
    user = django_user_model.objects.get(username="analytiker")
    work = _private_work_dir / "skillnader-import-dead"
    work.mkdir()
    jobs._write_progress(work, "writing", 0.4)
    job = m.ImportJob.objects.create(
        user=user, file_name="stor.csv", status="running", work_dir=str(work)
    )
    data = staff.get(f"{URL}{job.pk}/?format=json").json()
    assert data["status"] == "running" and data["progress"] == 40 and data["stage"] == "writing"
    old = time.time() - 300
    import os

    os.utime(work / jobs.PROGRESS_FILE, (old, old))
    data = staff.get(f"{URL}{job.pk}/?format=json").json()
    assert data["status"] == "failed" and data["done"] and data["error_type"] == "Interrupted"
    assert "Inget skrevs" in data["error"] and not work.exists()
    # A record without any report is interrupted only once it is older than the limit.
    fresh = m.ImportJob.objects.create(user=user, file_name="ny.csv", status="running")
    assert staff.get(f"{URL}{fresh.pk}/?format=json").json()["status"] == "running"
    fresh.created_at = timezone.now() - dt.timedelta(minutes=5)
    fresh.save()
    assert staff.get(f"{URL}{fresh.pk}/?format=json").json()["status"] == "failed"


def test_admin_is_swedish_by_default(vocab, staff):
    r = staff.get("/admin/")
    assert 'lang="sv"' in r.content.decode()
