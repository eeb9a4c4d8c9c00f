"""One definition of the observation columns every writer uses, held to the model."""

from __future__ import annotations

import pytest

from skillnader.web.data.bulk import OBSERVATION_COLUMNS, ObservationRow, rows_from_columns


def test_the_written_columns_are_the_models_columns():
    from skillnader.web.data.models import Observation

    model = {f.attname for f in Observation._meta.concrete_fields}
    # the key is the database's; why a cell is suppressed is decided after all cells are
    # written, by the joint protection (skillnader.web.data.protection)
    assert set(OBSERVATION_COLUMNS) == model - {"id", "suppression"}
    assert len(set(OBSERVATION_COLUMNS)) == len(OBSERVATION_COLUMNS)


def test_rows_are_built_by_name_whatever_order_they_are_given_in():
    values = {c: f"{c}-value" for c in OBSERVATION_COLUMNS}
    shuffled = dict(reversed(list({c: [v] for c, v in values.items()}.items())))
    (row,) = rows_from_columns(shuffled)
    assert row == ObservationRow(**values)
    assert row == tuple(values[c] for c in OBSERVATION_COLUMNS)
    with pytest.raises(KeyError, match="release_id"):
        rows_from_columns({c: [1] for c in OBSERVATION_COLUMNS if c != "release_id"})
