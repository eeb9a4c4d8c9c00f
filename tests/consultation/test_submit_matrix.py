"""Submission, late answers and the completeness matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from .conftest import login, response_of, save

pytestmark = pytest.mark.django_db


def submit(client, c, board, version):
    return client.post(f"/remiss/{c.slug}/svar/{board}/skicka/", {"base_version": str(version)})


def test_submission_records_who_and_when_and_closes_the_draft(consultation, users):
    c = consultation
    a1 = login(Client(), users["a1"])
    assert submit(a1, c, "skarholmen", 0).status_code == 302  # nothing saved: refused
    assert not response_of(c, "skarholmen").is_submitted
    save(a1, c, "skarholmen", 0, {"q1": "Svar ett."})
    save(a1, c, "skarholmen", 1, {"q1": "Svar ett, rättat."})
    assert submit(a1, c, "skarholmen", 1).status_code == 302  # stale: refused
    assert not response_of(c, "skarholmen").is_submitted
    before = timezone.now()
    assert submit(a1, c, "skarholmen", 2).status_code == 302
    r = response_of(c, "skarholmen")
    assert r.submitted_by == users["a1"] and r.submitted_at >= before
    assert r.submitted_version == 2 and r.late is False
    # Submitted: no more changes, from either writer.
    a2 = login(Client(), users["a2"])
    assert save(a2, c, "skarholmen", 2, {"q1": "Efteråt."}).status_code == 403
    assert response_of(c, "skarholmen").current_version == 2


def test_late_submission_is_marked(consultation, users):
    c = consultation
    c.deadline = timezone.localdate() - dt.timedelta(days=1)
    c.save()
    b = login(Client(), users["b"])
    save(b, c, "bromma", 0, {"q2": "Sent svar."})
    resp = submit(b, c, "bromma", 1)
    r = response_of(c, "bromma")
    assert r.late is True
    follow = b.get(resp.url)
    assert "Sent inkommet: efter sista svarsdag." in follow.content.decode()


def test_completeness_matrix(consultation, users):
    c = consultation
    a1 = login(Client(), users["a1"])
    save(a1, c, "skarholmen", 0, {"q1": "Om vårt arbete.", "q2": "Bostadsbristen."})
    submit(a1, c, "skarholmen", 1)
    b = login(Client(), users["b"])
    save(b, c, "bromma", 0, {"q1": "Utkast som aldrig skickas in."})
    c.deadline = timezone.localdate() - dt.timedelta(days=1)
    c.save()
    # A third board answers after the deadline.
    from django.contrib.auth import get_user_model

    from skillnader.web.consultation.models import BoardMembership

    f = get_user_model().objects.create_user("f")
    BoardMembership.objects.create(user=f, board_id="farsta")
    fc = login(Client(), f)
    save(fc, c, "farsta", 0, {"q3": "Sent om ytterligare utmaningar."})
    submit(fc, c, "farsta", 1)

    analyst = login(Client(), users["analyst"])
    data = analyst.get(f"/remiss/{c.slug}/matris/?format=json").json()
    rows = {row["board"]: row for row in data["rows"]}
    assert len(rows) == 22 and data["questions"] == ["q1", "q2", "q3"]

    def statuses(board):
        return [rows[board]["cells"][q]["status"] for q in ("q1", "q2", "q3")]

    assert statuses("skarholmen") == ["answered", "answered", "no_explicit_answer"]
    assert statuses("bromma") == ["missing", "missing", "missing"]
    assert rows["bromma"]["draft_started"] is True
    assert statuses("farsta") == ["late", "late", "late"]
    assert [rows["farsta"]["cells"][q]["answer_status"] for q in ("q1", "q2", "q3")] == [
        "no_explicit_answer",
        "no_explicit_answer",
        "answered",
    ]
    assert statuses("slk") == ["missing"] * 3
    counts = {}
    for row in rows.values():
        for cell in row["cells"].values():
            counts[cell["status"]] = counts.get(cell["status"], 0) + 1
    assert counts == {"answered": 2, "no_explicit_answer": 1, "late": 3, "missing": 60}
    html = analyst.get(f"/remiss/{c.slug}/matris/").content.decode()
    assert "Inget uttryckligt svar" in html and "Sent inkommet" in html
    assert "Svar saknas" in html and "<h1>Svarsmatris</h1>" in html
