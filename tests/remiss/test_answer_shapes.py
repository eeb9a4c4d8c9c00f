"""Answer shapes met on answers outside the development sets: the questions as question headings
in the board's words, text saved with one line per paragraph, the board's own headings after
the background, one paragraph that answers everything, the board named as one word
("Socialnämnden", "Stadsbyggnadskontoret"), and the vocabulary of elderly care and digital
services. Each test builds the smallest answer that shows the shape."""

from __future__ import annotations

from pathlib import Path

from skillnader.remiss.compile import compile_answers
from skillnader.remiss.pipeline import parse_file, parse_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "remiss"


def _mapped(answer, qid):
    return [a.passage for a in answer.mapping(qid).answers if a.confidence >= 0.5]


def test_questions_asked_again_as_headings_in_the_boards_words(consultation, codebook):
    a = parse_file(
        FIXTURES / "aldre_fragor_som_rubriker.txt", consultation=consultation, codebook=codebook
    )
    titles = [(s.title, s.level) for s in a.document.sections]
    assert (
        "Hur ser nämnden på sina egna verksamhetsområden i arbetet med att motverka ojämlika "
        "livsvillkor?",
        2,
    ) in titles
    assert ("Vilka utmaningar ser nämnden inom sitt område?", 2) in titles
    first = a.passage(_mapped(a, "q1")[0]).text
    assert first.startswith("Äldrenämnden ansvarar för stadsövergripande frågor")
    # one line per paragraph: the next line is a paragraph of its own
    assert "Seniorlotsen" not in first
    assert a.passage(_mapped(a, "q2")[0]).text.startswith("Den största utmaningen")
    codes = {t.code for t in a.tags}
    assert {"elderly_care", "health_inequality", "digital_exclusion", "informal_carers"} <= codes


def test_a_question_in_running_text_is_not_a_heading(consultation, codebook):
    text = (
        "Förvaltningens synpunkter\n\n"
        "Förvaltningen har tagit del av rapporten och ställer sig bakom dess beskrivning.\n"
        "Hur kan vi nå de äldre som inte själva söker stöd, och som inte\n"
        "finns med i statistiken? Det är en fråga som förvaltningen arbetar med.\n"
    )
    a = parse_text(text, consultation=consultation, codebook=codebook)
    assert [s.title for s in a.document.sections] == ["Förvaltningens synpunkter"]
    # a list of the questions asked is not a row of headings either
    listed = (
        "Bakgrund\n\n"
        "Nämnden har fått tre frågor att besvara:\n"
        "Hur ser nämnden på sina egna verksamhetsområden?\n"
        "Vilka huvudsakliga utmaningar ser nämnden?\n"
        "Vilka ytterligare utmaningar kan nämnden identifiera?\n"
    )
    b = parse_text(listed, consultation=consultation, codebook=codebook)
    assert [s.title for s in b.document.sections] == ["Bakgrund"]


def test_own_headings_after_the_background_are_parts_of_their_own(consultation, codebook):
    text = (
        "Bakgrund\n\n"
        "Kommunstyrelsen har remitterat kommissionens delrapport till stadens nämnder med tre "
        "frågor som nämnden ombetts att besvara senast den 30 oktober.\n\n"
        "Kontorets arbete\n\n"
        "Stadsbyggnadskontoret bidrar till en sammanhållen stad genom planeringen av nya bostäder "
        "och offentliga miljöer i alla delar av staden.\n\n"
        "Utmaningar\n\n"
        "Den största utmaningen är att nyproducerade bostäder har höga hyror som hushåll med "
        "låga inkomster inte kan betala.\n\n"
        "Utöver det som rapporten behandlar vill kontoret framhålla att bostäderna från "
        "miljonprogrammet behöver renoveras utan att hyrorna tvingar hushåll att flytta.\n"
    )
    a = parse_text(text, consultation=consultation, codebook=codebook)
    levels = {s.title: s.level for s in a.document.sections}
    assert levels == {"Bakgrund": 1, "Kontorets arbete": 1, "Utmaningar": 1}
    texts = {q: [a.passage(n).text[:20] for n in _mapped(a, q)] for q in ("q1", "q2", "q3")}
    assert texts["q1"] == ["Stadsbyggnadskontore"]
    assert texts["q2"] == ["Den största utmaning"]
    # under the challenges heading, but beyond the report by its own words
    assert texts["q3"] == ["Utöver det som rappo"]
    comp = compile_answers(consultation, [a])
    assert [x["quote"].text[:20] for x in comp.additional] == ["Utöver det som rappo"]


def test_one_paragraph_answers_all_three_questions(consultation, codebook):
    text = (
        "Farsta stadsdelsnämnd\n\n"
        "Nämnden ställer sig bakom rapportens beskrivning av skillnaderna i staden. I Farsta "
        "arbetar vi med öppen förskola och feriejobb för ungdomar. Den största utmaningen i "
        "stadsdelsområdet är arbetslösheten bland unga vuxna. Utöver det som rapporten tar upp "
        "vill nämnden peka på att många äldre lever ensamma, en fråga som rapporten inte berör.\n"
    )
    a = parse_text(text, consultation=consultation, codebook=codebook)
    assert _mapped(a, "q1") == _mapped(a, "q2") == _mapped(a, "q3") == [1]


def test_the_board_named_as_one_word_acts_and_a_report_left_out_is_no_quote(consultation, codebook):
    text = (
        "Förvaltningens svar\n"
        "Fråga 1. Socialnämnden har ett stadsövergripande ansvar för hemlöshet och våld i nära "
        "relationer, och Socialförvaltningen driver ett kriscentrum för våldsutsatta kvinnor.\n"
        "Fråga 2. Den största utmaningen är hemlösheten bland barnfamiljer, som har ökat kraftigt "
        "under de senaste åren och påverkar barnens skolgång.\n"
        "Fråga 3. Förvaltningen vill lägga till att rapporten inte belyser situationen för "
        "EU-migranter som lever i utsatthet i staden.\n"
    )
    a = parse_text(text, consultation=consultation, codebook=codebook)
    # one line per paragraph: three answers, one per question
    assert [_mapped(a, q) for q in ("q1", "q2", "q3")] == [[1], [2], [3]]
    polarities = {t.passage: t.polarity for t in a.tags}
    assert polarities.get(1) == "own_work"
    comp = compile_answers(consultation, [a])
    assert [x["quote"].text[:9] for x in comp.additional] == ["Fråga 3. "]
