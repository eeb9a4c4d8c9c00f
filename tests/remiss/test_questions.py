"""Question mapping on the real answer and on constructed answers organised by question."""

from __future__ import annotations

import pytest

from skillnader.remiss.errors import ConsultationConfigError
from skillnader.remiss.passages import passages
from skillnader.remiss.pipeline import parse_file, parse_text
from skillnader.remiss.questions import (
    consultation_from_dict,
    detect_questions,
    question_for_heading,
)

from .builders import farsta_by_question, rinkeby_without_q1


@pytest.fixture(scope="module")
def real(real_path, consultation, codebook):
    return parse_file(real_path, consultation=consultation, codebook=codebook)


def test_questions_read_from_the_answer_equal_the_configuration(real_doc, consultation):
    found = detect_questions(passages(real_doc))
    assert [q.text for q in found] == [q.text for q in consultation.questions]
    assert [q.role for q in found] == ["own_work", "main_challenges", "additional_challenges"]


def test_question_quotations_are_never_answers(real):
    quotes = [(p.number, p.quoted_question) for p in real.passages if p.role == "question_quote"]
    # Quoted twice: as bullets in the summary, numbered under Ärendet.
    assert quotes == [(3, "q1"), (4, "q2"), (5, "q3"), (19, "q1"), (20, "q2"), (21, "q3")]
    intros = [p.number for p in real.passages if p.role == "question_intro"]
    assert intros == [2, 18]
    not_answers = {n for n, _ in quotes} | set(intros)
    for m in real.mappings:
        assert not {a.passage for a in m.answers} & not_answers
        assert not {c.passage for c in m.candidates} & not_answers


def test_summary_statements_answer_questions_2_and_3(real):
    q1, q2, q3 = real.mappings
    assert (q2.question, q2.status) == ("q2", "answered")
    assert [(a.passage, a.method, a.evidence) for a in q2.answers] == [
        (8, "statement", "De huvudsakliga utmaningarna")
    ]
    assert real.passage(8).text.startswith(
        "De huvudsakliga utmaningarna som nämnden ser inom sitt område handlar om att öka antalet"
    )
    assert real.passage(8).section_key == "sammanfattning"
    assert (q3.question, q3.status) == ("q3", "answered")
    assert [(a.passage, a.method) for a in q3.answers] == [(9, "statement"), (40, "cue")]
    assert q3.answers[0].evidence == (
        "Andra utmaningar som nämnden har identifierat och som inte lyfts upp i rapporten"
    )
    text = real.document.text
    for m in (q2, q3):
        a = m.answers[0]
        assert text[a.evidence_start : a.evidence_end] == a.evidence


def test_question_1_is_answered_by_own_work_statements_with_lower_confidence(real):
    q1 = real.mappings[0]
    assert q1.status == "answered"
    # No heading or numbering names question 1: the board's statements of its own work
    # ("förvaltningen erbjuder …") under its thematic headings are the answer, below the
    # confidence of an explicit statement.
    assert {a.method for a in q1.answers} == {"cue"}
    assert all(0.5 <= a.confidence < 0.9 for a in q1.answers)
    for a in q1.answers:
        p = real.passage(a.passage)
        assert p.section_key == "synpunkter" and len(p.section_path) == 2
    assert 1 <= len(q1.candidates) <= 3
    scores = [c.score for c in q1.candidates]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.08
    # Candidates come from the board's own text, never from Bakgrund/Ärendet.
    for c in q1.candidates:
        assert real.passage(c.passage).section_key in ("sammanfattning", "synpunkter")


def test_numbered_subheadings_map_whole_sections(real_doc, consultation, codebook):
    a = parse_text(
        farsta_by_question(real_doc),
        name="farsta.txt",
        consultation=consultation,
        codebook=codebook,
    )
    assert a.board == "farsta"
    by_q = {m.question: m for m in a.mappings}
    assert [m.status for m in a.mappings] == ["answered"] * 3
    assert {x.method for m in a.mappings for x in m.answers} == {"heading"}
    assert [x.evidence for x in by_q["q1"].answers] == ["1. Nämndens egna verksamhetsområden"] * 3
    first = a.passage(by_q["q3"].answers[0].passage)
    assert first.text.startswith("Ytterligare en utmaning som staden står inför")
    assert first.section_path == (
        "Förvaltningens synpunkter och förslag",
        "3. Ytterligare utmaningar",
    )


def test_answer_without_question_1(real_doc, consultation, codebook):
    a = parse_text(
        rinkeby_without_q1(real_doc), name="rk.txt", consultation=consultation, codebook=codebook
    )
    assert a.board == "rinkeby_kista"
    assert [m.status for m in a.mappings] == ["no_explicit_answer", "answered", "answered"]
    # The header lines are metadata, not passages.
    assert [x.passage for x in a.mapping("q2").answers] == [1, 2]
    assert [x.passage for x in a.mapping("q3").answers] == [3, 4]


def test_question_for_heading(consultation):
    qs = consultation.questions
    assert question_for_heading("Fråga 2", qs).id == "q2"
    assert question_for_heading("Svar på fråga 3", qs).id == "q3"
    assert question_for_heading("1. Nämndens arbete", qs).id == "q1"
    assert question_for_heading("4. Övrigt", qs) is None
    assert question_for_heading("Bostäder/Trygghet", qs) is None


def test_configuration_errors():
    with pytest.raises(ConsultationConfigError, match="questions"):
        consultation_from_dict({"title": "x"})
    with pytest.raises(ConsultationConfigError, match="reguljärt"):
        consultation_from_dict(
            {"title": "x", "questions": [{"id": "a", "text": "?", "cues": ["(unclosed"]}]}
        )
    with pytest.raises(ConsultationConfigError, match="datum"):
        consultation_from_dict(
            {"title": "x", "deadline": "30 okt", "questions": [{"id": "a", "text": "?"}]}
        )
    c = consultation_from_dict(
        {"title": "Remiss", "questions": [{"id": "a", "text": "Vilka huvudsakliga utmaningar?"}]}
    )
    assert c.questions[0].role == "main_challenges" and c.questions[0].cues


@pytest.mark.parametrize(
    ("heading", "qid"),
    [
        ("Förvaltningens bidrag till en sammanhållen stad", "q1"),
        ("Utmaningar i våra verksamheter", "q2"),
        ("Nämndens arbete med barn i riskzon", "q1"),
        ("Samhällsutmaningar i stadsdelen", "q2"),
        ("Andra utmaningar än de rapporten lyfter", "q3"),
        ("Frågor som rapporten inte tar upp", "q3"),
    ],
)
def test_headings_in_the_boards_own_words(consultation, heading, qid):
    from skillnader.remiss.questions import ANSWER_CONFIDENCE, match_heading

    q, conf = match_heading(heading, consultation.questions)
    assert q.id == qid and ANSWER_CONFIDENCE <= conf < 1.0


def test_thematic_headings_are_not_questions(consultation):
    from skillnader.remiss.questions import SUGGEST_CONFIDENCE, match_heading

    for heading in (
        "Bostäder/Trygghet",
        "Arbete och egen försörjning",
        "Ensamkommande flyktingbarn",
    ):
        q, conf = match_heading(heading, consultation.questions)
        assert q is None or conf < SUGGEST_CONFIDENCE


@pytest.mark.parametrize(
    ("sentence", "own", "problem"),
    [
        ("Sedan förra året driver nämnden en mötesplats för nyanlända föräldrar.", True, False),
        ("Inom äldreomsorgen har förvaltningen infört fasta kontaktpersoner.", True, False),
        ("Vi arbetar med att minska arbetslösheten bland unga vuxna.", True, False),
        ("Kontoret samordnar stadens arbete med grönytor.", True, False),
        ("I våra fritidsgårdar finns personal varje kväll.", True, False),
        ("Samtidigt ser vi att skuldsättningen ökar bland pensionärer.", False, True),
        ("I vår stadsdel är arbetslösheten hög.", False, True),
        ("Förvaltningen delar kommissionens bild.", False, False),
        ("Alla sökande ungdomar fick ett sommarjobb.", False, False),
    ],
)
def test_sentences_on_the_boards_own_work(sentence, own, problem):
    from skillnader.remiss.tagging import _sentence_features

    assert _sentence_features(sentence) == (False, problem, own)


_OWN_WORK_ANSWER = """Enskede-Årsta-Vantörs stadsdelsnämnd
Dnr 1.5.1-100/2015

Yttrande över Skillnadernas Stockholm

Nämndens synpunkter

Vi har under två år byggt upp en familjecentral i Årsta och erbjuder där rådgivning till föräldrar på fem språk. Biblioteken håller öppet längre på helgerna.

Andelen barn i ekonomiskt utsatta hushåll är hög i Rågsved och Hagsätra, och många familjer är trångbodda.

Att äldre kvinnor ofta lever med mycket låga pensioner nämns inte i rapporten.
"""


def test_own_work_without_codes_or_headings_answers_question_1(consultation, codebook):
    a = parse_text(_OWN_WORK_ANSWER, consultation=consultation, codebook=codebook)
    answered = {
        m.question: [a.passage(x.passage).text[:12] for x in m.answers if x.confidence >= 0.5]
        for m in a.mappings
    }
    assert answered == {"q1": ["Vi har under"], "q2": ["Andelen barn"], "q3": ["Att äldre kv"]}


_CHALLENGES_HEADING = """Älvsjö stadsdelsförvaltning
Tjänsteutlåtande
Dnr 1.5.1-200/2015

Förvaltningens synpunkter

Insatser som pågår
Förvaltningen har startat ett lokalt jobbtorg tillsammans med arbetsförmedlingen.

Problem i stadsdelen
Arbetslösheten bland utrikes födda kvinnor är hög och ökar.

Hemlösheten bland äldre män har vuxit, något som inte berörs i rapporten.

Övriga synpunkter
Kommissionen har inte tagit upp att många unga saknar en fritidsgård nära hemmet.
"""


def test_a_passage_the_board_says_the_report_lacks_answers_question_3(consultation, codebook):
    a = parse_text(_CHALLENGES_HEADING, consultation=consultation, codebook=codebook)
    answered = {
        m.question: [a.passage(x.passage).text[:12] for x in m.answers if x.confidence >= 0.5]
        for m in a.mappings
    }
    # Under a challenges heading in the board's own words, the passage that says the report
    # does not treat it answers question 3; the weak heading "Övriga synpunkter" (a suggestion)
    # is confirmed by its passage's own statement.
    assert answered == {
        "q1": ["Förvaltninge"],
        "q2": ["Arbetslöshet"],
        "q3": ["Hemlösheten ", "Kommissionen"],
    }


_AFTER_UNDERLAG = """Älvsjö stadsdelsförvaltning
Yttrande
Dnr 1.5.1-300/2015
2015-10-20

Svar på remissen Skillnadernas Stockholm

Beslutsunderlag
Kommunstyrelsens remiss, daterad den 1 september 2015.

Förvaltningens insatser
Förvaltningen har öppnat en familjecentral i Solberga och erbjuder språkstöd i förskolan.

Sammanfattning av utmaningarna
Trångboddheten i Solberga är stor och arbetslösheten bland unga vuxna är hög.
"""


def test_headings_after_a_list_of_documents_and_a_letterhead_document_type(consultation, codebook):
    a = parse_text(_AFTER_UNDERLAG, consultation=consultation, codebook=codebook)
    titles = [s.title for s in a.document.sections]
    # "Yttrande" followed by the dnr is the letterhead's document type, not a section; the
    # headings after "Beslutsunderlag" followed by running text are sections of their own.
    assert titles == [
        "Beslutsunderlag",
        "Förvaltningens insatser",
        "Sammanfattning av utmaningarna",
    ]
    answered = {
        m.question: [a.passage(x.passage).text[:12] for x in m.answers if x.confidence >= 0.5]
        for m in a.mappings
    }
    assert answered["q1"] == ["Förvaltninge"] and answered["q2"] == ["Trångboddhet"]


_UNDER_SUMMARY = """Sammanfattning
Nämnden instämmer i kommissionens beskrivning.

Vårt arbete
Nämnden driver tre träffpunkter för seniorer.

Utmaningar
Ensamheten bland äldre är stor.

Övriga synpunkter
Rapporten tar inte upp att många äldre har svårt att använda stadens e-tjänster.
"""


def test_a_weak_heading_under_the_summary_confirmed_by_its_passage(consultation, codebook):
    a = parse_text(_UNDER_SUMMARY, consultation=consultation, codebook=codebook)
    m = next(m for m in a.mappings if m.question == "q3")
    assert m.status == "answered"
    assert [a.passage(x.passage).text[:8] for x in m.answers] == ["Rapporte"]
