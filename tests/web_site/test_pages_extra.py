"""An indicator without a confidence interval says why, in Swedish and in English."""

import pytest

from skillnader.catalog import load_catalog


def test_every_indicator_without_interval_has_a_swedish_reason():
    specs = [s for s in load_catalog() if s.interval == "none"]
    assert specs
    for s in specs:
        assert s.interval_note and s.interval_note_sv, s.id


@pytest.mark.django_db
def test_indicator_page_explains_a_missing_interval(bundle_db, client):
    r = client.get("/indicator/mean_wage_income/")
    body = r.content.decode()
    assert "Inget konfidensintervall visas:" in body and "spridningsmått" in body
    r = client.get("/indicator/born_abroad_share/")
    assert "Wilson för andelar" in r.content.decode()


@pytest.mark.django_db
def test_pages_offer_the_reports(bundle_db, client):
    body = client.get("/").content.decode()
    assert 'href="/report/city/?lang=sv"' in body and "Stadens rapport om skillnader" in body
    body = client.get("/area/sdo/2023/0180-sdo-jarva/").content.decode()
    assert 'href="/report/area/sdo/2023/0180-sdo-jarva/?lang=sv"' in body
    assert 'href="/report/city/' in client.get("/indicator/born_abroad_share/").content.decode()
