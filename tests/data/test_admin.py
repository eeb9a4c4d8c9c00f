"""The analysts' import page runs the same transactional importer as the command line."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.data.conftest import snapshot
from tests.data.test_importer import PX, SPEC

from skillnader.web.data import models as m

URL = "/admin/data/observation/import/"


@pytest.fixture
def staff(django_user_model, client):
    user = django_user_model.objects.create_superuser("analytiker", "a@example.org", "pw-123456")
    client.force_login(user)
    return client


def upload(client, data: bytes, spec: str = SPEC):
    return client.post(
        URL,
        {
            "file": SimpleUploadedFile("BE0101F1.px", data),
            "mapping": SimpleUploadedFile("spec.yaml", spec.encode()),
        },
    )


def test_anonymous_and_non_staff_cannot_reach_the_import(vocab, client, django_user_model):
    r = client.get(URL)
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    user = django_user_model.objects.create_user("medborgare", password="pw-123456")
    client.force_login(user)
    r = client.post(URL, {"file": SimpleUploadedFile("x.px", PX.read_bytes())})
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    assert m.Observation.objects.count() == 0


def test_staff_upload_imports_the_file(vocab, staff):
    r = upload(staff, PX.read_bytes())
    assert r.status_code == 302
    assert m.Observation.objects.count() == 12
    assert m.Release.objects.get().imported_by == "analytiker"


def test_bad_upload_shows_the_typed_error_and_writes_nothing(vocab, staff):
    before = snapshot()
    bad = PX.read_bytes().replace(b"\n14 38", b"\n1x4 38", 1)
    r = upload(staff, bad)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'role="alert"' in body and "1x4" in body and "BE0101F1.px" in body
    assert snapshot() == before


def test_admin_is_swedish_by_default(vocab, staff):
    r = staff.get("/admin/")
    assert 'lang="sv"' in r.content.decode()
