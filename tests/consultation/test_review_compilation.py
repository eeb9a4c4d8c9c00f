"""The review queue of candidate additional challenges and the compilation with downloads."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from skillnader.web.consultation.models import ReviewDecision

from .conftest import login

pytestmark = pytest.mark.django_db


def test_review_decisions_are_logged(answered, users):
    c = answered
    analyst = login(Client(), users["analyst"])
    queue = analyst.get(f"/remiss/{c.slug}/granskning/?format=json").json()
    assert queue["codebook_version"] == "1.1"
    skh = {i["candidate"]: i for i in queue["queue"] if i["board"] == "skarholmen"}
    assert skh["p9"]["reason"] == "beyond_report"
    assert skh["p9"]["codes"] == [
        "unaccompanied_minors",
        "perceived_insecurity",
        "violence_close_relationships",
    ]
    assert "p6" in skh and skh["p6"]["reason"] == "uncoded"

    accepted = analyst.post(
        f"/remiss/{c.slug}/granskning/",
        {
            "board": "skarholmen",
            "candidate": "p9",
            "action": "accept",
            "code": "unaccompanied_minors",
        },
    )
    assert accepted.status_code == 302
    merged = analyst.post(
        f"/remiss/{c.slug}/granskning/",
        {
            "board": "skarholmen",
            "candidate": "p40",
            "action": "merge",
            "code": "unaccompanied_minors",
            "add_term": "ensamkommande",
        },
    )
    assert merged.status_code == 302
    created = analyst.post(
        f"/remiss/{c.slug}/granskning/",
        {
            "board": "skarholmen",
            "candidate": "p6",
            "action": "create_code",
            "new_code_id": "kommissionens_arbete",
            "domain": "democracy",
            "label_sv": "Kommissionens arbete",
            "label_en": "The commission's work",
            "terms": "delrapporten",
        },
    )
    assert created.status_code == 302
    bad = analyst.post(
        f"/remiss/{c.slug}/granskning/",
        {"board": "bromma", "candidate": "nonexistent", "action": "merge", "code": ""},
    )
    assert bad.status_code == 400

    log = list(ReviewDecision.objects.filter(consultation=c).order_by("decided_at"))
    assert [(d.candidate, d.action, d.code) for d in log] == [
        ("p9", "accept", "unaccompanied_minors"),
        ("p40", "merge", "unaccompanied_minors"),
        ("p6", "create_code", "kommissionens_arbete"),
    ]
    assert all(d.decided_by == users["analyst"] and d.decided_at for d in log)
    assert [(d.version_before, d.version_after) for d in log] == [
        ("1.1", "1.1"),
        ("1.1", "1.2"),
        ("1.2", "1.3"),
    ]
    assert log[1].details["added_term"] == "ensamkommande"
    after = analyst.get(f"/remiss/{c.slug}/granskning/?format=json").json()
    assert after["codebook_version"] == "1.3"
    left = {(i["board"], i["candidate"]) for i in after["queue"]}
    assert not left & {("skarholmen", "p9"), ("skarholmen", "p40"), ("skarholmen", "p6")}
    assert [d["decided_by"] for d in after["decisions"]] == ["analyst"] * 3
    html = analyst.get(f"/remiss/{c.slug}/granskning/").content.decode()
    assert "Sammanslagen med befintlig kod" in html and "1.2 → 1.3" in html

    # Merging two codes of the codebook is a decision too.
    same = analyst.post(
        f"/remiss/{c.slug}/granskning/",
        {"form": "merge_codes", "source": "overcrowding", "target": "overcrowding"},
    )
    assert same.status_code == 400 and "Välj en annan kod." in same.content.decode()
    codes = analyst.post(
        f"/remiss/{c.slug}/granskning/",
        {"form": "merge_codes", "source": "kommissionens_arbete", "target": "overcrowding"},
    )
    assert codes.status_code == 302
    last = ReviewDecision.objects.filter(consultation=c).order_by("decided_at").last()
    assert (last.action, last.code, last.details["merged"]) == (
        "merge",
        "overcrowding",
        "kommissionens_arbete",
    )
    assert (last.version_before, last.version_after, last.response) == ("1.3", "1.4", None)
    assert last.decided_by == users["analyst"]
    book = analyst.get(f"/remiss/{c.slug}/granskning/?format=json").json()
    assert book["codebook_version"] == "1.4" and book["decisions"][-1]["candidate"] is None


def test_compilation_page_and_downloads(answered, users):
    c = answered
    analyst = login(Client(), users["analyst"])
    data = analyst.get(f"/remiss/{c.slug}/sammanstallning/?format=json").json()
    q2 = next(q for q in data["by_question"] if q["question"] == "q2")
    skh = next(b for b in q2["boards"] if b["board"] == "skarholmen")
    assert skh["status"] == "answered"
    assert skh["quotes"][0]["text"].startswith("De huvudsakliga utmaningarna")
    assert skh["quotes"][0]["page"] == 2 and skh["quotes"][0]["paragraph"] == 8
    bromma = next(b for b in q2["boards"] if b["board"] == "bromma")
    assert bromma["quotes"][0]["text"] == "Trångboddheten är den största utmaningen i stadsdelen."
    challenges = {e["code"]: [b["board"] for b in e["boards"]] for e in data["by_challenge"]}
    for code in ("unaccompanied_minors", "perceived_insecurity", "violence_close_relationships"):
        assert "skarholmen" in challenges[code]
    assert challenges["overcrowding"] == ["bromma", "skarholmen"]  # both name trångboddhet
    assert data["matrix"]["slk"]["q1"]["status"] == "missing"
    assert data["board_decisions_and_reservations"] == [
        {
            "board": "Bromma stadsdelsnämnd",
            "decision_differs": True,
            "board_decision": "Nämnden lägger till ett yttrande om parkerna.",
            "reservations": [
                {"group": "(V)", "kind": "sarskilt_uttalande", "text": "Vi vill se fler parker."}
            ],
        }
    ]
    html = analyst.get(f"/remiss/{c.slug}/sammanstallning/").content.decode()
    assert "Remissammanställning" in html and "Särskilt uttalande" in html

    import docx
    import openpyxl

    got = analyst.get(f"/remiss/{c.slug}/sammanstallning.docx")
    assert got.status_code == 200 and got["Content-Disposition"].endswith('.docx"')
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(got.content)).paragraphs)
    assert "De huvudsakliga utmaningarna" in text
    got = analyst.get(f"/remiss/{c.slug}/sammanstallning.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(got.content))
    cells = [v for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    assert "Skärholmens stadsdelsnämnd" in cells
    got = analyst.get(f"/remiss/{c.slug}/sammanstallning.pdf")
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    got = analyst.get(f"/remiss/{c.slug}/sammanstallning.json")
    assert json.loads(got.content)["consultation"]["id"] == c.slug
    assert analyst.get(f"/remiss/{c.slug}/sammanstallning.exe").status_code == 404
