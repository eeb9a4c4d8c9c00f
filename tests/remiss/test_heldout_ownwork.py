"""A third held-out set (``tests/remiss/heldout_ownwork``) for the board's own work: answers
whose own-work part stands under headings in the board's words ("Pågående insatser", "Så bidrar
förvaltningen", "Nämndens arbete"), in first-person sentences without headings ("Vi arbetar med
…"), or after the challenges under one general heading; the additional challenges said in the
board's words ("vilket rapporten inte berör", "Rapporten belyser inte …", "som inte nämns i
rapporten") under headings such as "Övrigt" or under the challenges heading. Written with their
gold (commit ea7fa80) before the mapping was changed for the own-work question and not read
while it was changed; scored here with the measures of test_gold.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from .gold import print_scores, score_folder

HELDOUT = sorted((Path(__file__).parent / "heldout_ownwork").glob("*.txt"))


@pytest.fixture(scope="module")
def heldout(consultation, codebook):
    return score_folder(HELDOUT, consultation, codebook)


def test_heldout_ownwork_scores(heldout):
    total, per = heldout
    print_scores(total, per)
    print(total.errors)
    assert len(HELDOUT) == 5
    # First run (2026-12-07, after the own-work change, before anything was tuned on this set):
    # sections P 0.87 R 0.87, mapping P 1.00 R 0.69 (tp 11 fn 5), challenges P 1.00 R 0.60
    # (tp 3 fn 2); codes are not in this gold. Misses: the Skarpnäck answer was refused as not
    # an answer ("no_answer": its headings "Nämndens arbete" and "Stadsdelens utmaningar" were
    # not found as sections), "Yttrande" in the Bromma letterhead became a section, and the
    # Äldre answer's "Övrigt" passage ("Rapporten belyser inte att …") was not taken for
    # question 3. Those three causes were then fixed in general (headings after a list of
    # documents followed by running text start a part of their own; a document type in the
    # letterhead followed by its dnr is metadata; a weak heading's suggestion is confirmed by
    # its passage's evidence wherever it stands): sections, mapping and challenges 1.00/1.00, no
    # errors. From then on this set is development data, no longer held out; the thresholds
    # are the values after the fix less about one item each.
    assert total.errors == []
    assert total.mapping.precision >= 0.95 and total.mapping.recall >= 0.9
    assert total.challenges.precision >= 0.95 and total.challenges.recall >= 0.8
    assert total.sections.precision >= 0.9 and total.sections.recall >= 0.9
