"""Codebook, deterministic tagging with verbatim evidence, candidates and the review operations."""

from __future__ import annotations

import datetime as dt

import pytest

from skillnader.remiss.codebook import (
    DOMAIN_IDS,
    accept,
    bump_version,
    codebook_from_dict,
    create_code,
    merge,
)
from skillnader.remiss.errors import CodebookError
from skillnader.remiss.pipeline import parse_file
from skillnader.remiss.tagging import Tag, Tagger, TagSpanError, check_span

WHEN = dt.datetime(2015, 11, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def real(real_path, consultation, codebook):
    return parse_file(real_path, consultation=consultation, codebook=codebook)


def test_codebook_has_the_five_domains_and_the_named_challenges(codebook):
    assert tuple(d.id for d in codebook.domains) == DOMAIN_IDS
    assert codebook.domain("housing").label_sv == "Boende och stadsmiljö"
    assert codebook.domain("democracy").label_en == "Democracy and safety"
    ids = {c.id for c in codebook.codes}
    for needed in (
        "housing_shortage",
        "overcrowding",
        "homelessness_sublets",
        "perceived_insecurity",
        "violence_close_relationships",
        "long_term_social_assistance",
        "mental_ill_health_young",
        "unaccompanied_minors",
        "indebtedness",
        "school_eligibility",
        "parental_support",
        "park_area",
        "segregation_inner_suburbs",
        "recruitment_social_workers",
        "reports_of_concern",
        "housing_prices_homogeneous",
    ):
        assert needed in ids
    for c in codebook.codes:
        assert c.domain in DOMAIN_IDS and c.label_sv and c.label_en
    assert codebook.version == "1.1"
    again = codebook_from_dict(__import__("yaml").safe_load(codebook.to_yaml()))
    assert again.codes == codebook.codes and again.version == codebook.version


def test_the_three_additional_challenges_are_tagged_with_evidence(real):
    text = real.document.text
    summary = real.passage(9)
    assert summary.text.startswith("Andra utmaningar som nämnden har identifierat")
    tags = [(t.code, t.evidence) for t in real.tags if t.passage == 9]
    assert tags == [
        ("unaccompanied_minors", "ensamkommande flyktingbarn"),
        ("perceived_insecurity", "otrygghet"),
        ("violence_close_relationships", "våld i nära relationer"),
        ("perceived_insecurity", "otrygghetkänslan"),  # sic: the answer's spelling
    ]
    for t in real.tags:
        assert text[t.start : t.end] == t.evidence
        assert summary.start <= t.start or t.passage != 9


def test_body_tags_of_the_real_answer(real):
    by_code = {}
    for t in real.tags:
        by_code.setdefault(t.code, set()).add(t.passage)
    assert by_code["overcrowding"] == {27}  # "mest trångbodda"
    assert by_code["homelessness_sublets"] == {27}  # bostadslösa, "i andra, tredje och fjärde hand"
    assert by_code["school_eligibility"] == {36}
    assert by_code["indebtedness"] == {39}
    assert by_code["recruitment_social_workers"] == {41}
    assert by_code["unaccompanied_minors"] == {9, 40, 41}
    assert by_code["violence_close_relationships"] == {9, 29}
    assert "reports_of_concern" not in by_code and "mental_ill_health_young" not in by_code
    # Quotations and the description of the commission (Ärendet) are not coded.
    quoted = {p.number for p in real.passages if p.role != "text" or p.section_key == "arendet"}
    assert not quoted & {t.passage for t in real.tags}
    evidence = {t.evidence for t in real.tags if t.code == "homelessness_sublets"}
    assert "hyr i andra, tredje och fjärde hand" in evidence


def test_candidate_additional_challenges(real):
    got = {c.passage: (c.reason, c.codes, c.cue) for c in real.candidates}
    assert got[9] == (
        "beyond_report",
        ["unaccompanied_minors", "perceived_insecurity", "violence_close_relationships"],
        "inte lyfts upp i rapporten",
    )
    assert got[40][0] == "beyond_report" and got[40][2] == "Ytterligare en utmaning"
    # The only passage of the board's own view that no code covers.
    uncoded = [n for n, v in got.items() if v[0] == "uncoded"]
    assert uncoded == [6]
    assert real.passage(6).text.startswith("Förvaltningen ställer sig positiv")


def test_a_tag_whose_span_does_not_match_is_rejected():
    text = "Våld i nära relationer är ett problem."
    ok = Tag("violence_close_relationships", "democracy", 1, 0, 22, "Våld i nära relationer", "t")
    assert check_span(text, ok) is ok
    with pytest.raises(TagSpanError):
        check_span(text, Tag("x", "democracy", 1, 1, 22, "Våld i nära relationer", "t"))
    with pytest.raises(TagSpanError):
        check_span(text, Tag("x", "democracy", 1, 30, 90, "problem.", "t"))


def test_review_create_code_then_tag(real, codebook):
    new_book, decision = create_code(
        codebook,
        "vandalism_littering",
        domain="democracy",
        label_sv="Skadegörelse och nedskräpning",
        label_en="Vandalism and littering",
        terms=["skadegörelse", "nedskräpning"],
        by="analytiker@stockholm.se",
        at=WHEN,
        candidate=real.candidates[0],
    )
    assert codebook.version == "1.1" and new_book.version == "1.2"
    assert (decision.action, decision.by, decision.at, decision.code) == (
        "create_code",
        "analytiker@stockholm.se",
        WHEN,
        "vandalism_littering",
    )
    assert (decision.version_before, decision.version_after) == ("1.1", "1.2")
    tags = Tagger(new_book).tag(real.document.text, real.passages)
    found = [(t.passage, t.evidence) for t in tags if t.code == "vandalism_littering"]
    assert found == [(28, "skadegörelse"), (28, "nedskräpning")]
    with pytest.raises(CodebookError, match="finns redan"):
        create_code(
            new_book, "vandalism_littering", domain="democracy", label_sv="x", label_en="x", by="a"
        )
    with pytest.raises(CodebookError, match="område"):
        create_code(codebook, "x_code", domain="transport", label_sv="x", label_en="x", by="a")
    with pytest.raises(CodebookError, match="beslutsfattare"):
        create_code(codebook, "x_code", domain="health", label_sv="x", label_en="x", by=" ")


def test_review_accept_and_merge(real, codebook):
    cand = next(c for c in real.candidates if c.passage == 6)
    book, decision = accept(codebook, cand, "segregation_inner_suburbs", by="granskare", at=WHEN)
    assert book is codebook and decision.candidate == "p6" and decision.details == {}
    book, decision = accept(
        codebook,
        cand,
        "segregation_inner_suburbs",
        by="granskare",
        at=WHEN,
        add_term="socialt hållbart Stockholm",
    )
    assert book.version == "1.2"
    assert "socialt hållbart Stockholm" in book.code("segregation_inner_suburbs").terms
    assert decision.details == {"added_term": "socialt hållbart Stockholm"}
    with pytest.raises(CodebookError, match="förekommer inte"):
        accept(codebook, cand, "overcrowding", by="g", add_term="trångbodda")

    merged, decision = merge(
        codebook, "violence_public_places", "perceived_insecurity", by="g", at=WHEN
    )
    assert "violence_public_places" not in {c.id for c in merged.codes}
    assert merged.code("violence_public_places").id == "perceived_insecurity"  # old ids resolve
    assert merged.code("perceived_insecurity").merged_from == ("violence_public_places",)
    assert decision.details == {"merged": "violence_public_places", "domain_changed": False}
    assert len(merged.codes) == len(codebook.codes) - 1
    with pytest.raises(CodebookError):
        merge(codebook, "overcrowding", "overcrowding", by="g")


def test_bump_version():
    assert bump_version("1.0") == "1.1"
    assert bump_version("2015.9") == "2015.10"
    assert bump_version("3") == "3.1"


def test_role_evidence_reads_the_report_under_other_names():
    from skillnader.remiss.codebook import load_codebook
    from skillnader.remiss.extract import extract_bytes
    from skillnader.remiss.passages import passages
    from skillnader.remiss.pipeline import _tagger
    from skillnader.remiss.structure import structure
    from skillnader.remiss.tagging import role_evidence

    text = (
        "Nämndens synpunkter\n\n"
        "Trångboddheten är stor och många familjer bor i andra hand.\n\n"
        "Ensamheten bland äldre tas inte upp i underlaget.\n\n"
        "Kommissionen visar att arbetslösheten har minskat.\n\n"
        "Förvaltningen arbetar med medborgardialoger i parkerna.\n"
    )
    doc = structure(extract_bytes(text.encode(), format="txt", path="x.txt"))
    ps = passages(doc)
    tags = _tagger(load_codebook()).tag(doc.text, ps)
    ev = role_evidence(doc.text, ps, tags)
    by_text = {p.text.split()[0]: ev.get(p.number, {}) for p in ps}
    assert (
        by_text["Trångboddheten"].get("challenge", 0) >= 1
        and "beyond" not in by_text["Trångboddheten"]
    )
    assert by_text["Ensamheten"].get("beyond") == 1.0
    # A quote of the report is neither a challenge of the board's nor beyond the report.
    assert by_text["Kommissionen"] == {}
    assert by_text["Förvaltningen"].get("own_work", 0) >= 1 and not by_text["Förvaltningen"].get(
        "challenge"
    )
