"""Similar areas on the area page: nearest by standardised distance, usable in comparisons."""

from __future__ import annotations

import json
import math

import numpy as np
from tests.web.conftest import world  # noqa: F401  (fixture)


def test_similar_areas_on_the_area_page(client, world):  # noqa: F811
    data = json.loads(client.get("/area/sdo/2023/11.json").content)
    sim = data["similar"]
    # Employment has a suppressed district (2 of 3 values): not a background indicator here.
    assert [b["indicator"] for b in sim["background"]] == ["overcrowding"]
    x = np.array([6.0, 12.3, 20.5])
    z = (x - x.mean()) / x.std(ddof=1)
    assert [a["code"] for a in sim["areas"]] == ["12", "13"]
    assert math.isclose(sim["areas"][0]["distance"], abs(z[1] - z[0]), rel_tol=1e-12)
    body = client.get("/area/sdo/2023/11/").content.decode()
    assert "Liknande områden" in body and 'name="bg" value="overcrowding" checked' in body
    # Usable in comparisons: one link compares the area with all of them.
    assert 'href="/compare/?a=sdo/2023/11&amp;a=sdo/2023/12&amp;a=sdo/2023/13"' in body
    r = client.get("/compare/?a=sdo/2023/11&a=sdo/2023/12&a=sdo/2023/13")
    assert r.status_code == 200


def test_unknown_background_indicators_fall_back_to_the_default(client, world):  # noqa: F811
    data = json.loads(client.get("/area/sdo/2023/11.json?bg=nope").content)
    assert [b["indicator"] for b in data["similar"]["background"]] == ["overcrowding"]
