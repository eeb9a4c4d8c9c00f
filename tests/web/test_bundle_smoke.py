"""Every page type against the real bundled Stockholm data (slow: loads ~72,000 cells)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow


def test_every_page_renders_on_the_bundle(client, db):
    from skillnader.bundle.load import load_bundle
    from skillnader.web.data.models import Area, Domain, Indicator

    load_bundle()
    urls = ["/", "/index.json", "/compare/", "/search/?q=sodermalm", "/api/v1/indicators"]
    urls += [f"/domain/{d}/" for d in Domain.objects.values_list("id", flat=True)]
    published = list(Indicator.objects.filter(published=True).values_list("id", flat=True))
    for iid in published:
        urls += [f"/indicator/{iid}/", f"/indicator/{iid}.json", f"/indicator/{iid}.csv"]
        urls += [f"/api/v1/comparisons?indicator={iid}", f"/api/v1/indicators/{iid}"]
    seen = set()
    for level, vintage, code in Area.objects.order_by(
        "level_id", "vintage__code", "code"
    ).values_list("level_id", "vintage__code", "code"):
        if (level, vintage) not in seen:
            seen.add((level, vintage))
            urls += [f"/area/{level}/{vintage}/{code}/", f"/api/v1/geojson/{level}/{vintage}"]
    for url in urls:
        resp = client.get(url)
        # Indicators with catalogue entries but no data still get a page saying so.
        assert resp.status_code == 200, (url, resp.content[:300])

    # The district areas: the city is the 2023 vintage's parent and every district has a value.
    data = json.loads(client.get("/indicator/social_assistance_share.json").content)
    assert data["selection"]["level"] == "sdo"
    assert data["city"]["area"] == "0180"
    assert all(r["status"] in ("ok", "suppressed", "missing") for r in data["areas"])
    start = client.get("/").content.decode()
    # Every domain has bundled data now (health and education per kommun).
    assert "Inga öppna data i paketet ännu." not in start
