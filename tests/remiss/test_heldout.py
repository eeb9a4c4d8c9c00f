"""Held-out answers (``tests/remiss/heldout``): written with their gold before development and
not used to tune the reading; scored here with the same measures as test_gold.py. The
thresholds are set at the scores measured when they were first run (see the module's commit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .gold import print_scores, score_folder

HELDOUT = sorted((Path(__file__).parent / "heldout").glob("*.txt"))


@pytest.fixture(scope="module")
def heldout(consultation, codebook):
    return score_folder(HELDOUT, consultation, codebook)


def test_heldout_scores(heldout):
    total, per = heldout
    print_scores(total, per)
    assert len(HELDOUT) == 3
    # First run (2026-12-07), after development: sections 1.00/1.00, mapping 0.88/0.88 (the
    # "4.2 … arbete med unga i riskzon" heading went to the challenges question: "risk" and
    # "arbete med" tie, and a tie goes to challenges), codes P 0.44 R 1.00, challenges
    # 1.00/1.00, no metadata, board or heading errors. The code lists in these gold files were
    # written as the codes an answer must get; the extra codes found are named in the texts
    # (medborgardialoger, ensamhet, språkutvecklande, fritidsverksamhet, lokaler, ytterstaden,
    # föräldraskapsstöd), so the low precision is the gold's incompleteness more than the
    # tagger's, but the gold is kept as it was written.
    assert total.errors == []
    assert total.sections.precision >= 0.95 and total.sections.recall >= 0.95
    assert total.mapping.precision >= 0.85 and total.mapping.recall >= 0.85
    assert total.codes.recall >= 0.95 and total.codes.precision >= 0.4
    assert total.challenges.precision >= 0.95 and total.challenges.recall >= 0.95
