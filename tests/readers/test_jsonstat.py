"""JSON-stat 2.0 reader on SCB PxWebApi 2.0 responses (tests/fixtures/formats/jsonstat2)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

from skillnader.errors import InputError
from skillnader.readers.jsonstat import (
    MetadataOnlyError,
    read_jsonstat,
    read_jsonstat_metadata,
)

JS = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "jsonstat2"
DATA = JS / "pxwebpy_TAB6471_data.json"


def test_tab6471_population_per_month():
    c = read_jsonstat(DATA)
    # Region 21 län × Alder 11 ten-year groups × Kon 3 × ContentsCode 1 × Tid 4 months
    assert [d.code for d in c.dimensions] == ["Region", "Alder", "Kon", "ContentsCode", "Tid"]
    assert c.shape == (21, 11, 3, 1, 4)
    assert len(c) == 2772
    # value lines 252-253 of the file: the first two cells
    key = {"Region": "01", "Alder": "0-9", "Kon": "TotSa", "ContentsCode": "000007SF"}
    assert c.value(**key, Tid="2026M01") == 245284
    assert c.value(**key, Tid="2026M02") == 247245
    # value[132..135] (lines 384-387): Uppsala län, 0-9 år, totalt, 2026M01-M04
    up = {**key, "Region": "03"}
    assert [c.value(**up, Tid=f"2026M0{m}") for m in (1, 2, 3, 4)] == [38987, 39257, 39613, 39950]
    # the last four values: Norrbottens län, 100+ år, kvinnor
    last = {"Region": "25", "Alder": "100+10", "Kon": "2", "ContentsCode": "000007SF"}
    assert c.value(**last, Tid="2026M04") == 54
    assert c.value(**last, Tid="2026M01") == 62
    assert c.dimension("Region").labels[20] == "Norrbottens län"
    assert c.dimension("Tid").role == "time"
    contents = c.dimension("ContentsCode")
    assert contents.role == "content"
    assert contents.units == {"000007SF": "antal"}
    assert c.dimension("Kon").elimination == "TotSa"
    assert c.dimension("Region").elimination is False
    assert c.meta["title"] == "Folkmängden per månad efter region, ålder, kön och månad"
    assert c.meta["updated"] == "2026-06-08T06:00:00Z"
    assert c.meta["table_id"] == "TAB6471"
    assert c.meta["language"] == "sv"
    assert len(c.meta["notes"]) == 4
    assert c.meta["decimals"] == {"000007SF": 0}
    assert c.symbols == {}


def test_metadata_document_is_refused_as_data_and_read_as_metadata():
    path = JS / "pxwebpy_TAB6471_metadata.json"
    with pytest.raises(MetadataOnlyError) as exc:
        read_jsonstat(path)
    assert str(path) in str(exc.value)
    assert "value" in str(exc.value)
    md = read_jsonstat_metadata(path)
    # 312 regions × 134 ages × 3 sexes × 1 content × 16 months (2025M01-2026M04)
    assert md.size == [312, 134, 3, 1, 16]
    assert md.cell_count == 2006784
    assert md.dimensions[4].codes[0] == "2025M01"
    assert md.dimensions[4].codes[-1] == "2026M04"
    assert md.dimensions[0].codes[0] == "00"


def test_object_input_equals_path_input():
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    a = read_jsonstat(doc)
    b = read_jsonstat(DATA)
    assert (a.values == b.values).all()
    assert a.source == "<object>"


SMALL = {
    "version": "2.0",
    "class": "dataset",
    "label": "small",
    "id": ["area", "year"],
    "size": [2, 3],
    "role": {"geo": ["area"], "time": ["year"]},
    "dimension": {
        "area": {"label": "Area", "category": {"index": ["0180", "0114"]}},
        "year": {
            "label": "Year",
            "category": {"index": {"2021": 0, "2022": 1, "2023": 2}, "label": {"2021": "År 2021"}},
        },
    },
    "value": [1, 2, None, 4, 5.5, None],
    "status": ["", "", "..", "", "p", None],
}


def test_index_list_and_dict_status_list():
    c = read_jsonstat(SMALL)
    assert c.dimension("area").codes == ["0180", "0114"]
    assert c.dimension("area").role == "geo"
    assert c.dimension("year").labels == ["År 2021", "2022", "2023"]
    assert c.value(area="0114", year="2022") == 5.5
    assert c.symbols == {2: ".."}  # null with status; cell 5 is null without status
    assert c.meta["status"] == {2: "..", 4: "p"}
    assert math.isnan(c.values[1, 2])


def test_sparse_value_and_status_dict_and_string():
    doc = copy.deepcopy(SMALL)
    doc["value"] = {"0": 10, "4": 11}
    doc["status"] = {"1": "-"}
    c = read_jsonstat(doc)
    assert c.values.reshape(-1)[0] == 10 and c.values.reshape(-1)[4] == 11
    assert c.symbols == {1: "-"}
    doc["status"] = "e"
    c = read_jsonstat(doc)
    assert c.meta["status"] == dict.fromkeys(range(6), "e")
    assert set(c.symbols) == {1, 2, 3, 5}


def test_single_category_without_index_and_unit_labels():
    doc = copy.deepcopy(SMALL)
    doc["id"] = ["area", "year", "measure"]
    doc["size"] = [2, 3, 1]
    doc["role"]["metric"] = ["measure"]
    doc["dimension"]["measure"] = {
        "label": "Measure",
        "category": {"label": {"rate": "Sysselsättningsgrad"}, "unit": {"rate": {"label": "%"}}},
    }
    c = read_jsonstat(doc)
    m = c.dimension("measure")
    assert m.codes == ["rate"] and m.labels == ["Sysselsättningsgrad"]
    assert m.role == "content" and m.units == {"rate": "%"}


def test_collection_pick_by_label_position_or_error():
    ds2 = copy.deepcopy(SMALL)
    ds2["label"] = "other"
    ds2["value"] = [9, 9, 9, 9, 9, 9]
    coll = {"version": "2.0", "class": "collection", "link": {"item": [SMALL, ds2]}}
    assert read_jsonstat(coll, dataset="other").values.reshape(-1)[0] == 9
    assert read_jsonstat(coll, dataset=0).values.reshape(-1)[0] == 1
    with pytest.raises(InputError) as exc:
        read_jsonstat(coll)
    assert "several datasets" in str(exc.value) and "'other'" in str(exc.value)
    with pytest.raises(InputError):
        read_jsonstat(coll, dataset="missing")


def test_version1_bundle():
    ds = copy.deepcopy(SMALL)
    for key in ("version", "class", "id", "size", "role"):
        ds.pop(key)
    ds["dimension"]["id"] = ["area", "year"]
    ds["dimension"]["size"] = [2, 3]
    c = read_jsonstat({"befolkning": ds})
    assert c.shape == (2, 3)
    assert c.value(area="0180", year="2021") == 1
