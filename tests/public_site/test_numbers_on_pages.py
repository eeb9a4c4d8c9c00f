"""Pages, chart tooltips and the people's CSV print the same, correctly rounded number; the
machine twins keep full precision."""

from __future__ import annotations

import csv
import io
import json
import re

from tests.web.conftest import world  # noqa: F401  (fixture)

NNBSP = "\u202f"


def _set_value(world, value, lower, upper):  # noqa: F811
    from skillnader.web.data.models import Observation

    Observation.objects.filter(
        indicator=world["overcrowding"], area=world["a23"]["11"], year=2023
    ).update(value=value, lower=lower, upper=upper)


def test_table_map_and_twins_agree(client, world):  # noqa: F811
    _set_value(world, 1234.35, 1234.25, 1234.45)
    body = client.get("/indicator/overcrowding/").content.decode()
    row = re.search(
        r'<table class="data[^"]*" id="table">.*?Norra innerstaden</a></th>(.*?)</tr>', body, re.S
    )
    cells = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]
    # Rounded half away from zero (not truncated to 1234,3), grouped by a narrow no-break space.
    assert cells[0] == f"1{NNBSP}234,4"
    assert cells[1] == f"1{NNBSP}234,3–1{NNBSP}234,5"
    # The map's tooltip says the same as the table.
    spec = json.loads(
        re.search(
            r'<script id="map-spec" type="application/json">(.*?)</script>', body, re.S
        ).group(1)
    )
    shapes = spec["layer"][0]["data"]["values"]
    display = next(s["properties"]["display"] for s in shapes if s["properties"]["code"] == "11")
    assert display.startswith(f"1{NNBSP}234,4 %")
    # Axis labels use the same separators and minus sign.
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["minus"] == "\u2212"
    # Machine twins: full precision.
    data = json.loads(client.get("/indicator/overcrowding.json").content)
    assert next(a for a in data["areas"] if a["area"] == "11")["value"] == 1234.35
    text = client.get("/indicator/overcrowding.csv").content.decode("utf-8-sig")
    assert "1234.35" in text


def test_swedish_excel_csv(client, world):  # noqa: F811
    _set_value(world, -1234.35, -1300.5, 10.25)
    resp = client.get("/indicator/overcrowding.sv.csv")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/csv")
    assert "excel" in resp["Content-Disposition"]
    raw = resp.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    row = next(r for r in rows if r[header.index("area")] == "11")
    assert row[header.index("value")] == "-1234,35"
    assert row[header.index("lower")] == "-1300,5"
    assert row[header.index("upper")] == "10,25"
    assert row[header.index("area_name")] == "Norra innerstaden"
    # Offered next to the standard CSV, keeping the page's selection.
    body = client.get("/indicator/overcrowding/?level=sdo&vintage=2023").content.decode()
    assert 'href="/indicator/overcrowding.sv.csv?level=sdo&amp;vintage=2023' in body
    assert "CSV för svenskt Excel" in body
    # Every page type has one.
    for url in ("/index.sv.csv", "/domain/work.sv.csv", "/area/sdo/2023/11.sv.csv"):
        r = client.get(url)
        assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf"), url
