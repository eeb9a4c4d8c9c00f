"""Clean-up and structure of the real Skärholmen answer (TXT extract of a PDF)."""

from __future__ import annotations

from skillnader.remiss.passages import passages
from skillnader.remiss.structure import _join_lines, canonical_key, sentence_spans


def test_sections_of_the_real_answer(real_doc):
    got = [(s.title, s.key, s.level) for s in real_doc.sections]
    assert got == [
        ("Sammanfattning", "sammanfattning", 1),
        ("Bakgrund", "bakgrund", 1),
        ("Ärendet", "arendet", 1),
        ("Ärendets beredning", "arendets_beredning", 1),
        ("Förvaltningens synpunkter och förslag", "synpunkter", 1),
        ("Bostäder/Trygghet", None, 2),
        ("Arbete och egen försörjning", None, 2),
        ("Utbildning/Informationsspridning", None, 2),
        ("Ensamkommande flyktingbarn", None, 2),
        ("Bilaga", "bilagor", 1),
    ]
    sub = real_doc.section("Ensamkommande flyktingbarn")
    assert sub.path == ("Förvaltningens synpunkter och förslag", "Ensamkommande flyktingbarn")
    # A section runs to the next heading of its level: the subsection ends before "Bilaga".
    assert real_doc.text[sub.end :].lstrip().startswith("Bilaga")
    synp = real_doc.section("synpunkter")
    assert (
        real_doc.text[synp.start : synp.end]
        .rstrip()
        .endswith("det här innebär att fler behöver rekryteras.")
    )


def test_pages_follow_the_leading_space_convention(real_doc):
    assert real_doc.page_count == 7
    assert [(s.title, s.page) for s in real_doc.sections][:2] == [
        ("Sammanfattning", 1),
        ("Bakgrund", 2),
    ]
    assert real_doc.section("Bostäder/Trygghet").page == 4
    assert real_doc.section("Bilaga").page == 7


def test_footnotes_are_linked_to_their_sentences(real_doc):
    notes = real_doc.footnotes
    assert [(f.number, f.text, f.page) for f in notes] == [
        ("1", "Rapporten ”Skillnadernas Stockholm” Sid. 80 f.", 3),
        ("2", "Rapporten ”Skillnadernas Stockholm” Sid. 59", 4),
        (
            "3",
            "Artikeln i dagens Arena ”Var tredje arbetslös kodad som funktionsnedsatt” 150927",
            5,
        ),
    ]
    assert notes[0].sentence == (
        "Förvaltningen instämmer i att utjämnandet av existerande skillnader och en socialt "
        "hållbar utveckling skulle förverkliga en stor outnyttjad potential både ur ett individ- "
        "och samhällsperspektiv."
    )
    assert notes[1].sentence == (
        "I samband med att nya bostäder byggs så är det samtidigt en möjlighet att utforma den "
        "fysiska miljön för att öka trygghetskänslan för de boende och skapa förutsättningar för "
        "en förbättrad social integration."
    )
    assert notes[2].sentence == (
        "Var tredje inskriven på Arbetsförmedlingen bedöms ha någon form av funktionsnedsättning."
    )
    for f in notes:
        assert real_doc.text[f.sentence_start : f.sentence_end] == f.sentence
        # The marker stood right after the sentence's full stop.
        assert f.marker_offset == f.sentence_end
        assert real_doc.text[f.marker_offset - 1] == "."
    assert real_doc.warnings == []


def test_interrupted_sentences_and_pages_are_rejoined(real_doc):
    text = real_doc.text
    # Footnote 2's text stood between "därför" and "kunna" across a page break.
    assert "De senare skulle därför kunna användas till bostadsbyggandet" in text
    # A page break inside a paragraph (no footnote).
    assert "de olika förutsättningar som råder och därmed ökar också" in text
    # Marker digits are gone from the running text.
    assert "samhällsperspektiv. Förvaltningen anser att ett viktigt led" in text
    assert "funktionsnedsättning. Med ökad problematik" in text
    # Footnote texts are not in the running text.
    assert "Sid. 59" not in text and "150927" not in text and "Sid. 80" not in text
    assert "\uf0b7" not in text and "  " not in text


def test_paragraphs_and_bullets(real_doc):
    ps = passages(real_doc)
    # 54 blocks less 10 headings, less the two signature lines (names and titles: metadata)
    assert len(ps) == 42
    for p in ps:
        assert real_doc.text[p.start : p.end] == p.text
    bullets = [p.text for p in ps if real_doc.blocks[p.block].bullet]
    assert len(bullets) == 7  # three quoted questions, four tasks of the commission
    assert bullets[0].startswith("Hur ser nämnden/bolagstyrelsen")
    assert ps[-1].text == "1. Rapporten ”Skillnadernas Stockholm”"
    assert ps[-1].section_key == "bilagor"
    assert ps[0].text == "som svar på remissen."  # the extract starts mid-decision
    # Signatures are neither headings nor passages: they are kept as metadata.
    assert ps[1].text.startswith("Stadsdelsnämnden har förelagts")
    signatures = [m.text for m in real_doc.meta if m.kind in ("name", "job_title")]
    assert signatures == ["Kerstin Sandström  Lena Thorson", "Stadsdelsdirektör  Avdelningschef"]


def test_header_fields_absent_in_the_extract(real_doc):
    assert all(v is None for v in real_doc.header.as_dict().values())


def test_line_joining_and_hyphenation():
    assert _join_lines(["inner-", "stad"]) == "innerstad"
    assert _join_lines(["inriktnings-", "och verksamhetsmål"]) == "inriktnings- och verksamhetsmål"
    assert _join_lines(["Stockholms-", "Mälardalen"]) == "Stockholms-Mälardalen"
    assert _join_lines(["SL-", "kort"]) == "SL-kort"
    assert _join_lines(["beroende- och/", "eller socialpsykiatrisk"]) == (
        "beroende- och/eller socialpsykiatrisk"
    )
    assert _join_lines(["en  ", " rad"]) == "en rad"


def test_sentences_and_section_names():
    text = "Se bl.a. Rapporten Sid. 80 f. för detta. Nästa mening? Ja."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Se bl.a. Rapporten Sid. 80 f. för detta.",
        "Nästa mening?",
        "Ja.",
    ]
    assert canonical_key("Förvaltningens synpunkter och förslag") == "synpunkter"
    assert canonical_key("BILAGOR:") == "bilagor"
    assert canonical_key("Bostäder/Trygghet") is None


def test_header_fields_of_a_full_statement(real_doc):
    from skillnader.remiss.pipeline import parse_text

    from .builders import farsta_by_question

    header = parse_text(farsta_by_question(real_doc)).document.header
    assert header.as_dict() == {
        "reference_dnr": None,
        "addressee": "Farsta stadsdelsnämnd",
        "board": "Farsta stadsdelsnämnd",
        "administration": "Farsta stadsdelsförvaltning",
        "dnr": "1.5.1-512/2015",
        "date": "2015-10-21",
        "handlaggare": "Anna Lind",
        "title": "Svar på remiss av ”Skillnadernas Stockholm”",
    }


def test_link_artefacts_and_plain_text():
    from skillnader.remiss.extract import extract_bytes
    from skillnader.remiss.structure import structure

    text = (
        "Sammanfattning\n\n"
        'Se HYPERLINK "http://www.stockholm.se/kommission" www.stockholm.se/kommission och '
        "<https://start.stockholm/rapport> för rap-\nporten.\n\n"
        "Förvaltningens synpunkter\n\nBostäder\n\nTrångboddheten ökar i ytter-\nstaden.\n"
    )
    doc = structure(extract_bytes(text.encode("utf-8"), format="txt"))
    assert doc.blocks[1].text == (
        "Se www.stockholm.se/kommission och https://start.stockholm/rapport för rapporten."
    )
    assert [(s.title, s.level) for s in doc.sections] == [
        ("Sammanfattning", 1),
        ("Förvaltningens synpunkter", 1),
        ("Bostäder", 2),
    ]
    assert doc.blocks[-1].text == "Trångboddheten ökar i ytterstaden."
