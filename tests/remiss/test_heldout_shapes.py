"""A fourth held-out set (``tests/remiss/heldout_shapes``): answers in shapes none of the
earlier sets has — the three questions asked again as question headings in the board's own
words, bullet lists under headings of the board's own after the background ("Kontorets arbete",
"Utmaningar"), "Fråga N." at the start of paragraphs saved one line per paragraph, and a whole
answer in one paragraph. Written with their gold (the commit before this test) and run once
before anything was changed for them; scored with the measures of test_gold.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from .gold import print_scores, score_folder

HELDOUT = sorted((Path(__file__).parent / "heldout_shapes").glob("*.txt"))


@pytest.fixture(scope="module")
def heldout(consultation, codebook):
    return score_folder(HELDOUT, consultation, codebook)


def test_heldout_shapes_scores(heldout):
    total, per = heldout
    print_scores(total, per)
    assert len(HELDOUT) == 4
    # First run (2026-12-08, before any change for this set): sections P 1.00 R 1.00, mapping
    # P 1.00 R 0.33 (tp 5 fn 10), challenges P 1.00 R 0.25 (tp 1 fn 3), and the Stadsbyggnad
    # answer refused as "no answer". General causes, then fixed: headings of the board's own
    # after "Bakgrund" were nested in the background (a frame section) and so never read as
    # answers; text saved one line per paragraph was joined into one paragraph ("Fråga 1." …
    # "Fråga 3." in one passage); "utöver det som rapporten behandlar" and "rapporten inte
    # belyser" were not read as beyond the report (the latter even as a quote of the report);
    # the board named as one word ("Stadsbyggnadskontoret") and the inverted word order ("arbetar
    # vi") were not read as its own work; one paragraph could answer only one question. After
    # the fixes every measure is 1.00; from then on this set is development data. The thresholds
    # are those values less about one item each.
    assert total.errors == []
    assert total.sections.precision >= 0.95 and total.sections.recall >= 0.9
    assert total.mapping.precision >= 0.9 and total.mapping.recall >= 0.9
    assert total.challenges.precision >= 0.9 and total.challenges.recall >= 0.75
