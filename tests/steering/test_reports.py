"""The board follow-up report (DOCX, HTML, PDF) and the city report's "Måluppfyllelse"."""

from __future__ import annotations

import datetime as dt

import docx
import pytest

from skillnader.errors import InputError
from skillnader.web.steering.models import Goal
from skillnader.web.steering.report import board_report, fulfilment_section
from skillnader.web.steering.views import save_judgement


@pytest.fixture
def judged(users):
    goal = Goal.objects.get(owner_id="skarholmen")
    save_judgement(goal, {"year": 2017, "report": "annual", "as_of": dt.date(2017, 12, 31),
                          "status": "delvis", "analysis": "Andelen har minskat."},
                   users["sk"])  # fmt: skip
    return goal


@pytest.mark.django_db
def test_board_report_docx(judged, tmp_path):
    out = board_report("skarholmen", 2017, "annual", tmp_path / "r.docx")
    d = docx.Document(out)
    text = "\n".join(p.text for p in d.paragraphs)
    assert (
        "Uppföljning av nämndmål – Skärholmens stadsdelsnämnd – Verksamhetsberättelse 2017" in text
    )
    assert "1.2.1 Fler blir självförsörjande (Exempel)" in text
    assert "Andelen har minskat." in text and "Delvis uppfyllt" in text
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    assert "Andel med ekonomiskt bistånd (Stockholm): högst 5,5 (2017)" in cells
    assert "Uppfyllt" in cells  # 5,1 with its Byar interval is at most 5,5
    assert any(c.startswith("5,10 (4,87 – 5,34)") for c in cells)


@pytest.mark.django_db
def test_board_report_pdf_and_errors(judged, tmp_path):
    out = board_report("skarholmen", 2017, "t2", tmp_path / "r.pdf")
    assert out.read_bytes()[:5] == b"%PDF-"
    with pytest.raises(InputError, match="unknown board"):
        board_report("ingen", 2017, "annual", tmp_path / "x.pdf")
    with pytest.raises(InputError, match="unknown report format"):
        board_report("skarholmen", 2017, "annual", tmp_path / "x.txt")


@pytest.mark.django_db
def test_board_report_download(client, judged):
    r = client.get("/mal/2015-2018/namnd/skarholmen/2017/rapport-annual.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert client.get("/mal/2015-2018/namnd/skarholmen/2017/rapport-x.docx").status_code == 404


@pytest.mark.django_db
def test_fulfilment_section_for_the_city_report(judged):
    from skillnader.reports import render

    sec = fulfilment_section(2017)
    by_number = {(r["number"], r["board"]): r for r in sec["rows"]}
    kf = by_number[("1.2", "")]
    assert kf["computed"] == "Helt uppfyllt"  # its one target is met
    assert kf["targets"][0]["text"] == "social_assistance_share: högst 5,5 (2017)"
    board = by_number[("1.2.1", "Skärholmens stadsdelsnämnd")]
    assert board["judgement"] == "Delvis uppfyllt" and board["example"]
    assert fulfilment_section(2030) is None
    html = render.render_template("_fulfilment.html", {"fulfilment": sec, "year": 2017})
    assert '<h2 id="fulfilment">Måluppfyllelse</h2>' in html
    assert "Fler blir självförsörjande" in html


@pytest.mark.django_db
def test_the_city_report_gets_the_goal_chapter_from_the_goals_app(judged):
    # the reports import no goals code: the chapter arrives through the registration the goals
    # app makes when Django starts
    from skillnader.reports import city, sections

    assert "fulfilment" in sections.registered()
    via_report = city.fulfilment_section(2017, "sv")
    assert via_report == fulfilment_section(2017, "sv")
    assert via_report["rows"] and via_report["title"] == "Måluppfyllelse"
    assert city.fulfilment_section(2017, "en")["title"] == "Goal fulfilment"


def test_a_chapter_nobody_provides_is_left_out():
    from skillnader.reports import sections

    assert sections.chapter("no-such-chapter", 2017, "sv") is None
