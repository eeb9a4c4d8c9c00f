"""A district across boundary vintages, on the bundled real data: Skärholmen's page continues
the series of its earlier (identical) boundaries, lists the areas inside it and compares them,
and search shows the district once."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.django_db

URL = "/area/sdo/2023/0180-sdo-skarholmen/"


def test_skarholmen_shows_every_domain_with_data(bundle_db, client):
    from skillnader.web.data.models import Indicator, Observation

    data = json.loads(client.get(URL.rstrip("/") + ".json").content)
    rows = data["indicators"]
    assert len(rows) >= 10, [r["indicator"] for r in rows]
    domains = dict(Indicator.objects.values_list("id", "domain_id"))
    shown = {domains[r["indicator"]] for r in rows}
    # Every domain with data for the district or any of its earlier identical boundaries.
    chain = [v["vintage"] for v in data["vintages"]]
    assert chain == ["2007", "2020", "2023"]
    with_data = set(
        Observation.objects.filter(
            published=True,
            area__level_id="sdo",
            area__code="0180-sdo-skarholmen",
            area__vintage__code__in=chain,
        ).values_list("indicator__domain_id", flat=True)
    )
    assert with_data and with_data <= shown
    assert {"work", "housing"} <= shown
    # Social assistance comes from the 2007-2020 boundaries, ranked among those 14 districts.
    sa = next(r for r in rows if r["indicator"] == "social_assistance_share")
    assert sa["vintage"] == "2007" and sa["areas_ranked"] == 14
    # Housing from the district's own 2023 boundaries.
    rent = next(r for r in rows if r["indicator"] == "dwellings_rental_share")
    assert rent["vintage"] == "2023" and rent["areas_ranked"] == 11


def test_series_continue_across_vintages_on_one_page(bundle_db, client):
    body = client.get(URL).content.decode()
    assert "har behållit sina gränser" in body
    for vintage in ("2007", "2020"):
        assert f'href="/area/sdo/{vintage}/0180-sdo-skarholmen/"' in body
    # The population series runs from the 2007 boundaries into the 2023 ones.
    trends = re.search(
        r"<caption>De senaste åren för området och staden</caption>(.*?)</table>", body, re.S
    ).group(1)
    pop = re.search(r"Folkmängd.*?(?=<th scope=\"rowgroup\"|$)", trends, re.S).group(0)
    years = re.findall(r"<td>(\d{4})", pop)
    assert "2011" in years and "2023" in years
    assert "(indelning 2007)" in pop


def test_parts_are_listed_and_compared(bundle_db, client):
    body = client.get(URL).content.decode()
    for level, code, name in [
        ("regso", "0180R079", "Skärholmen"),
        ("regso", "0180R010", "Bredäng"),
        ("stadsdel", "0180-sd-varberg", "Vårberg"),
    ]:
        assert re.search(rf'href="/area/{level}/\d+/{code}/">{name}</a>', body), code
    assert "basområde" in body.lower() or "Basområde" in body
    data = json.loads(client.get(URL.rstrip("/") + ".json").content)
    levels = {p["level"]: len(p["areas"]) for p in data["parts"]}
    assert levels["regso"] == 4 and levels["stadsdel"] == 4 and levels["basomrade"] >= 10
    # A small multiple: one chart per indicator of the RegSO inside the district.
    charts = re.findall(r'<script id="part-([a-z_]+)-spec"', body)
    assert len(charts) >= 5 and "mean_wage_income" in charts


def test_search_shows_the_district_once(bundle_db, client):
    data = json.loads(client.get("/search.json?q=Skärholmen").content)
    sdo = [r for r in data["results"] if r["id"].startswith("sdo/")]
    assert [r["id"] for r in sdo] == ["sdo/2023/0180-sdo-skarholmen"]
    assert "2007" in sdo[0]["detail"] and "2023" in sdo[0]["detail"]


def test_search_finds_inflected_forms(bundle_db, client):
    data = json.loads(client.get("/search.json?q=arbetslöshet").content)
    assert "registered_unemployed" in [r["id"] for r in data["results"]]


def test_the_citys_many_parts_are_compared_by_their_ends(bundle_db, client):
    """The city's 127 RegSO: each indicator's small multiple shows the five highest and five
    lowest, says so, and links to the indicator's page with all of them."""
    body = client.get("/area/kommun/2003/0180/").content.decode()
    cards = re.findall(r'<div class="card">(.*?)</table>\s*</div>', body, re.S)
    assert len(cards) >= 5
    for card in cards:
        rows = re.findall(r'<tr><th scope="row">', card)
        total = re.search(r"(\d+) av (\d+) områden, de högsta och de lägsta", card)
        if total:
            assert int(total.group(1)) == len(rows) == 10 < int(total.group(2))
            assert f">alla {total.group(2)}</a>" in card
        else:
            assert len(rows) <= 15
    assert "10 av 127 områden" in body


def test_domains_without_district_data_are_named(bundle_db, client):
    """Every domain with data on the site is either on the district's page or named as having
    no values for it (health is published per kommun, turnout per valdistrikt)."""
    from skillnader.web.data.models import Indicator, Observation

    data = json.loads(client.get(URL.rstrip("/") + ".json").content)
    domains = dict(Indicator.objects.values_list("id", "domain_id"))
    shown = {domains[r["indicator"]] for r in data["indicators"]}
    anywhere = set(
        Observation.objects.filter(published=True, indicator__published=True).values_list(
            "indicator__domain_id", flat=True
        )
    )
    missing = set(data["domains_without_data"])
    assert missing and not missing & shown and shown | missing == anywhere
    assert {"health", "democracy"} <= missing
    body = client.get(URL).content.decode()
    note = re.search(r'<p class="note" id="missing-domains">(.*?)</p>', body, re.S).group(1)
    assert note.startswith("Området saknar värden inom:")
    assert '<a href="/domain/health/">Välbefinnande och hälsa</a>' in note
    assert '<a href="/domain/democracy/">' in note


def test_merged_districts_link_each_other(bundle_db, client):
    """Järva (2023) was formed from Rinkeby-Kista and Spånga-Tensta (2020): the pages link each
    other, the earlier districts' series stay on their own pages."""
    jarva = "/area/sdo/2023/0180-sdo-jarva/"
    body = client.get(jarva).content.decode()
    note = re.search(r'<div class="notice" role="note" id="merges">(.*?)</div>', body, re.S)
    assert "Järva bildades av de här områdena" in note.group(1)
    for code, name in [("rinkeby-kista", "Rinkeby-Kista"), ("spanga-tensta", "Spånga-Tensta")]:
        assert f'<a href="/area/sdo/2020/0180-sdo-{code}/">{name}</a>' in note.group(1)
    data = json.loads(client.get(jarva.rstrip("/") + ".json").content)
    assert {m["code"] for m in data["formed_from"]} == {
        "0180-sdo-rinkeby-kista",
        "0180-sdo-spanga-tensta",
    }
    assert data["part_of"] == []
    # And back: Rinkeby-Kista's pages (2007 and 2020, one chain) point to Järva.
    for vintage in ("2007", "2020"):
        page = client.get(f"/area/sdo/{vintage}/0180-sdo-rinkeby-kista/").content.decode()
        assert "I senare indelningar ingår Rinkeby-Kista i:" in page
        assert '<a href="/area/sdo/2023/0180-sdo-jarva/">Järva</a>' in page
    # A district whose boundaries were kept has neither.
    skarholmen = json.loads(client.get(URL.rstrip("/") + ".json").content)
    assert skarholmen["formed_from"] == [] and skarholmen["part_of"] == []
