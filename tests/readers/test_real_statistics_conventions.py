"""Conventions of real statistical files as they come: Skolverket's CSV (preamble, `;`, decimal
comma, BOM, `..`, `.`, `~100`) and Kolada's Parquet with status flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillnader.errors import MappingError
from skillnader.readers.detect import detect_format
from skillnader.readers.tabular import read_tabular

FIX = Path(__file__).resolve().parents[1] / "fixtures"
SKOLVERKET = FIX / "skolverket" / "behorighet_grundskola_2024_25_3_kommuner.csv"
KOLADA = FIX / "kolada" / "kolada_N15428_N09890_4_kommuner.parquet"

SKOLVERKET_MAPPING = {
    "area": {"column": "Kommun-kod", "label_column": "Kommun", "level": "kommun"},
    "period": {"value": "2025"},
    "indicator": {"value": "upper_secondary_eligibility"},
    "groups": {
        "sex": {
            "column": "Kön",
            "values": {"Flickor": "women", "Pojkar": "men", "Samtliga": "total"},
        },
        "organiser": {
            "column": "Typ av huvudman",
            "values": {"Samtliga": "total", "Kommunal": "municipal", "Enskild": "independent"},
        },
    },
    "values": {"column": "Andel (%) elever behöriga till yrkesprog."},
}


def test_skolverket_csv_preamble_markers_and_decimal_comma():
    cube = read_tabular(SKOLVERKET, SKOLVERKET_MAPPING)
    assert cube.meta["header_line"] == 10  # after the BOM and nine lines of preamble
    assert cube.meta["delimiter"] == ";" and cube.meta["decimal"] == ","
    assert cube.dimension("area").codes == ["1440", "0604", "0180"]
    v = {
        "indicator": "upper_secondary_eligibility",
        "period": "2025",
    }
    assert cube.value(**v, area="0180", sex="total", organiser="total") == 88.8
    assert cube.value(**v, area="0180", sex="women", organiser="independent") == 90.9
    # "~100": withheld by Skolverket (near 100 %): no number, the marker kept
    assert cube.value(**v, area="1440", sex="women", organiser="independent") is None
    # ".": no pupils of that kind: missing, never zero
    assert cube.value(**v, area="0604", sex="women", organiser="independent") is None
    assert set(cube.symbols.values()) == {".", "~100"}
    assert sum(1 for s in cube.symbols.values() if s == "~100") == 7
    assert not (cube.values == 0).any()


def test_skolverket_thousands_with_a_space():
    mapping = {**SKOLVERKET_MAPPING, "values": {"column": "Antal elever"}}
    cube = read_tabular(SKOLVERKET, mapping)
    assert (
        cube.value(
            indicator="upper_secondary_eligibility",
            period="2025",
            area="0180",
            sex="total",
            organiser="total",
        )
        == 11318
    )
    # ".." (too few pupils to publish) in the count column
    assert (
        cube.value(
            indicator="upper_secondary_eligibility",
            period="2025",
            area="0604",
            sex="women",
            organiser="independent",
        )
        is None
    )
    assert ".." in cube.symbols.values()


KOLADA_MAPPING = {
    "area": {"column": "municipality_id", "label_column": "municipality", "level": "kommun"},
    "period": {"column": "year"},
    "indicator": {"column": "kpi"},
    "groups": {"sex": {"column": "gender", "values": {"T": "total", "K": "women", "M": "men"}}},
    "status": {
        "column": "status",
        "values": {"": "", "Missing": "..", "Not applicable": "-", "Privacy": "x"},
    },
    "values": {"column": "value"},
}


def test_kolada_parquet_with_status_flags():
    assert detect_format(KOLADA) == "parquet"
    cube = read_tabular(KOLADA, KOLADA_MAPPING)
    assert cube.meta["format"] == "parquet"
    assert cube.dimension("area").labels == ["Upplands Väsby", "Vallentuna", "Värmdö", "Stockholm"]
    # Kolada's check value (SOURCES of the data): Stockholm N15428 2024 = 88.66
    assert cube.value(indicator="N15428", area="0180", sex="total", period="2024") == pytest.approx(
        88.661766, abs=1e-6
    )
    # Privacy (Värmdö N09890 2020) is withheld; Missing is missing: neither becomes a number
    assert cube.value(indicator="N09890", area="0120", sex="total", period="2020") is None
    assert cube.value(indicator="N09890", area="0120", sex="total", period="2018") is None
    symbols = sorted(set(cube.symbols.values()))
    assert symbols == ["..", "x"]
    assert sum(1 for s in cube.symbols.values() if s == "x") == 3
    assert sum(1 for s in cube.symbols.values() if s == "..") == 8


def test_kolada_unknown_status_flag_is_named(tmp_path):
    mapping = {
        **KOLADA_MAPPING,
        "status": {"column": "status", "values": {"": "", "Missing": ".."}},
    }
    with pytest.raises(MappingError) as err:
        read_tabular(KOLADA, mapping)
    msg = str(err.value)
    assert "status flag not listed" in msg and "Privacy" in msg and "row " in msg


def test_parquet_value_column_that_is_not_a_number_is_named(tmp_path):
    mapping = {**KOLADA_MAPPING, "values": {"column": "municipality_type"}}
    with pytest.raises(Exception) as err:
        read_tabular(KOLADA, mapping)
    assert "not a number" in str(err.value) and "municipality_type" in str(err.value)
    assert "row 1" in str(err.value)
