"""PxWeb API v1 JSON reader on SCB responses (tests/fixtures/formats/pxweb_v1_json)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from skillnader.readers.pxweb import read_pxweb_v1

V1 = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "pxweb_v1_json"


def test_civilstand_2017_without_metadata():
    c = read_pxweb_v1(V1 / "scb_v1_BefolkningNy_civilstand_2017_response.json")
    # 4 data rows (OG, G, SK, ÄNKL) × 1 year × 1 content column
    assert [d.code for d in c.dimensions] == ["Civilstand", "Tid", "ContentsCode"]
    assert c.shape == (4, 1, 1)
    assert len(c) == 4
    assert c.dimension("Civilstand").codes == ["OG", "G", "SK", "ÄNKL"]
    assert c.value(Civilstand="OG", Tid="2017", ContentsCode="BE0101N1") == 5347489
    assert c.value(Civilstand="ÄNKL", Tid="2017", ContentsCode="BE0101N1") == 435643
    assert c.value(Civilstand="SK", Tid="2017", ContentsCode="Folkmängd") == 978713
    assert c.dimension("Tid").role == "time"
    assert c.dimension("ContentsCode").role == "content"
    assert c.meta["title"] == "Folkmängd efter civilstånd, år och tabellinnehåll"
    assert c.meta["infofile"] == "BE0101"
    assert "absent_cells" not in c.meta


def test_personroster_with_metadata_labels_and_order():
    c = read_pxweb_v1(
        V1 / "scb_v1_ME0104T24_personroster_response.json",
        metadata=V1 / "scb_v1_ME0104T24_metadata.json",
    )
    # Parti M, C × Kon 1 × Tid 2002 × 1 content column = 2 cells
    assert c.shape == (2, 1, 1, 1)
    assert len(c) == 2
    parti = c.dimension("Parti")
    assert parti.codes == ["M", "C"]
    assert parti.labels == ["Moderaterna", "Centerpartiet"]
    assert parti.elimination is True
    assert c.dimension("Kon").labels == ["män"]
    assert c.dimension("ContentsCode").label == "tabellinnehåll"
    assert c.value(Parti="M", Kon="1", Tid="2002", ContentsCode="ME0104AV") == 133222
    assert c.value(Parti="Centerpartiet", Kon="män", Tid="2002", ContentsCode="ME0104AV") == 59183


def test_symbols_and_sparse_rows():
    doc = json.loads((V1 / "scb_v1_BefolkningNy_civilstand_2017_response.json").read_text("utf-8"))
    doc["columns"].insert(1, {"code": "Kon", "text": "kön", "type": "d"})
    doc["data"] = [
        {"key": ["OG", "1", "2017"], "values": ["2765437"]},
        {"key": ["OG", "2", "2017"], "values": [".."]},
        {"key": ["G", "1", "2017"], "values": ["-"]},
    ]
    c = read_pxweb_v1(doc)
    assert c.shape == (2, 2, 1, 1)
    flat = c.values.reshape(-1)
    assert flat[0] == 2765437
    assert c.symbols == {1: "..", 2: "-"}
    assert math.isnan(flat[3]) and 3 not in c.symbols  # absent from the response
    assert c.meta["absent_cells"] == 1
