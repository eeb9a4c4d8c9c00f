"""Documents that are not answers are left out of the compilation and named in its warnings."""

from __future__ import annotations

from skillnader.remiss.compile import compile_answers, to_html
from skillnader.remiss.gate import check_answer
from skillnader.remiss.pipeline import parse_text

LINK_LIST = """Farsta stadsdelsnämnd

Relaterade dokument

Skillnadernas Stockholm – delrapport

https://www.stockholm.se/kommissionen

Protokoll från sammanträde 2015-09-17

Budget 2016 för Farsta stadsdelsnämnd

Kontakt och öppettider
"""

SENDER_REPORT = """Kommunstyrelsen
Dnr 123-456/2016
2016-03-01

Sammanställning av remissvaren om Skillnadernas Stockholm

Sammanfattning

Kommunstyrelsen har sammanställt de inkomna svaren. Flera nämnder lyfter trångboddheten
och arbetslösheten som stora utmaningar.
"""

NO_ANSWER = """Bromma stadsdelsnämnd
Dnr 1.2-3/2015

Bromma stadsdelsnämnd har tagit emot remissen och återkommer.
"""


def test_a_list_of_links_is_not_an_answer(consultation, codebook):
    a = parse_text(LINK_LIST, name="farsta.html.txt", consultation=consultation, codebook=codebook)
    assert a.board == "farsta"
    assert "link_list" in [r.code for r in check_answer(a, consultation)]
    comp = compile_answers(consultation, [a], codebook=codebook)
    assert not any(b["answered"] for b in comp.boards)
    assert comp.boards_raising("overcrowding") == []
    assert any("lista med rubriker eller länkar" in w for w in comp.warnings)
    assert "lista med rubriker eller länkar" in to_html(comp)


def test_the_senders_own_report_is_not_an_answer(consultation, codebook):
    c = consultation
    assert c.sender == "Kommunstyrelsen" and c.recipient("kommunstyrelsen") is None
    a = parse_text(SENDER_REPORT, name="ks.txt", consultation=c, codebook=codebook)
    codes = [r.code for r in check_answer(a, c)]
    assert "from_sender" in codes
    comp = compile_answers(c, [a], codebook=codebook)
    assert [r["reasons"] for r in comp.refused] == [codes]
    assert comp.by_challenge == []


def test_a_document_without_question_or_stance_is_not_counted(consultation, codebook):
    a = parse_text(NO_ANSWER, name="bromma.txt", consultation=consultation, codebook=codebook)
    assert a.board == "bromma"
    assert [r.code for r in check_answer(a, consultation)] == ["no_answer"]


def test_a_real_answer_passes(real_path, consultation, codebook):
    from skillnader.remiss.pipeline import parse_file

    real = parse_file(real_path, consultation=consultation, codebook=codebook)
    assert check_answer(real, consultation) == []
