"""Fixtures for the consultation app: the board registry, the bundled consultation (sent, with
a deadline in the future unless a test moves it), and users of two boards, an analyst and an
outsider."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from skillnader.web.consultation.access import analyst_group
from skillnader.web.consultation.models import BoardMembership, Response
from skillnader.web.consultation.registry import import_consultation, sync_boards

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "remiss"
SKARHOLMEN = FIXTURES / "skarholmen_2015_skillnadernas_stockholm.txt"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Uploads are read within the request unless a test asks for the background (a loaded
    # test machine must not turn a 422 into a hand-over).
    settings.REMISS_UPLOAD_WAIT_SECONDS = 120
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def consultation(db):
    sync_boards()
    c = import_consultation(status="sent")
    c.deadline = timezone.localdate() + dt.timedelta(days=30)
    c.save()
    return c


@pytest.fixture
def users(db, django_user_model):
    """``a1`` and ``a2`` write for Skärholmen, ``b`` for Bromma; ``analyst`` is in the group
    Analytiker; ``outsider`` has an account and no board."""
    made = {}
    for name in ("a1", "a2", "b", "analyst", "outsider"):
        made[name] = django_user_model.objects.create_user(name)  # no password: fast to make
    sync_boards()
    BoardMembership.objects.create(user=made["a1"], board_id="skarholmen")
    BoardMembership.objects.create(user=made["a2"], board_id="skarholmen")
    BoardMembership.objects.create(user=made["b"], board_id="bromma")
    made["analyst"].groups.add(analyst_group())
    return made


def login(client, user):
    client.force_login(user)
    return client


def form_data(version: int, answers: dict[str, str], **extra) -> dict:
    """A POST body of the response form."""
    data = {"base_version": str(version)}
    for qid in ("q1", "q2", "q3"):
        data[f"answer_{qid}"] = answers.get(qid, "")
    data.update({"res_0_group": "", "res_0_kind": "reservation", "res_0_text": ""})
    data.update(extra)
    return data


def response_url(c, board: str, suffix: str = "") -> str:
    return f"/remiss/{c.slug}/svar/{board}/{suffix}"


def save(client, c, board, version, answers, **extra):
    return client.post(response_url(c, board), form_data(version, answers, **extra))


def response_of(c, board: str) -> Response:
    return Response.objects.get(consultation=c, board_id=board)


@pytest.fixture
def answered(consultation, users):
    """Skärholmen submits its real statement unchanged; Bromma submits typed answers."""
    c = consultation
    a1 = login(Client(), users["a1"])
    a1.post(
        f"/remiss/{c.slug}/svar/skarholmen/ladda-upp/",
        {
            "base_version": "0",
            "statement": SimpleUploadedFile(SKARHOLMEN.name, SKARHOLMEN.read_bytes()),
        },
    )
    a1.post(f"/remiss/{c.slug}/svar/skarholmen/skicka/", {"base_version": "1"})
    b = login(Client(), users["b"])
    save(
        b,
        c,
        "bromma",
        0,
        {
            "q2": "Trångboddheten är den största utmaningen i stadsdelen.",
            "q3": "Skuldsättning bland unga hushåll är en utmaning utöver rapporten.",
        },
        decision_differs="on",
        board_decision="Nämnden lägger till ett yttrande om parkerna.",
        res_0_group="(V)",
        res_0_kind="sarskilt_uttalande",
        res_0_text="Vi vill se fler parker.",
    )
    b.post(f"/remiss/{c.slug}/svar/bromma/skicka/", {"base_version": "1"})
    return c
