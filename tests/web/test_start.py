"""The start page and its JSON/CSV twins."""

from __future__ import annotations

import csv
import io
import json

from django.urls import reverse


def test_start_lists_domains_with_latest_city_value(client, world):
    resp = client.get("/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert '<html lang="sv">' in body
    assert "Arbete och försörjning" in body
    assert "Förvärvsfrekvens" in body
    # Latest city value 2023 with its interval, Swedish decimal comma.
    assert "81,2" in body and "81,0–81,4" in body
    # Health has a catalogue entry but no data: say so, and where to import it from.
    assert "Medellivslängd" in body and "N00925" in body


def test_start_json_twin_matches_db(client, world):
    data = json.loads(client.get("/index.json").content)
    work = next(d for d in data["domains"] if d["id"] == "work")
    assert work["indicators"] == [
        {
            "domain": "work",
            "indicator": "employment",
            "name": "Förvärvsfrekvens",
            "unit": "%",
            "year": 2023,
            "value": 81.2,
            "lower": 81.0,
            "upper": 81.4,
            "status": "ok",
        }
    ]
    health = next(d for d in data["domains"] if d["id"] == "health")
    assert health["indicators"] == []
    assert health["missing"][0]["external_ids"] == {"kolada": "N00925"}
    assert (
        client.get(reverse("public:start") + "?format=json").content
        == client.get("/index.json").content
    )


def test_start_csv_twin(client, world):
    resp = client.get("/index.csv")
    assert resp["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert [(r["indicator"], r["year"], r["value"]) for r in rows] == [
        ("employment", "2023", "81.2"),
        ("overcrowding", "2023", "12.0"),
    ]


def test_csv_cells_that_look_like_formulas_are_quoted():
    from skillnader.web.public.twins import csv_text

    text = csv_text([{"name": "=HYPERLINK(1)", "value": -1.5, "code": "-"}])
    assert text == "name,value,code\r\n'=HYPERLINK(1),-1.5,'-\r\n"
