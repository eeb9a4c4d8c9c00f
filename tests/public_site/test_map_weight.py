"""An indicator's map carries its boundaries simplified for its size, not at full resolution."""

from __future__ import annotations

import json
import re

import shapely
from shapely.geometry import mapping, shape
from tests.web.conftest import world  # noqa: F401  (fixture)


def _map_shapes(client) -> dict[str, dict]:
    body = client.get("/indicator/overcrowding/").content.decode()
    spec = json.loads(
        re.search(
            r'<script id="map-spec" type="application/json">(.*?)</script>', body, re.S
        ).group(1)
    )
    return {s["properties"]["code"]: s["geometry"] for s in spec["layer"][0]["data"]["values"]}


def test_the_map_draws_a_dense_boundary_with_few_vertices(client, world):  # noqa: F811
    from django.core.cache import cache

    from skillnader.web.data.models import Area

    before = _map_shapes(client)
    area = world["a23"]["11"]
    stored = shape(area.geometry)
    # The same square with a vertex every ~1 m along its edges (about 9,000 vertices).
    dense = shapely.segmentize(stored, 0.00001)
    assert shapely.get_num_coordinates(dense) > 5000
    Area.objects.filter(pk=area.pk).update(geometry=json.loads(json.dumps(mapping(dense))))
    cache.clear()
    after = _map_shapes(client)
    drawn = shape(after["11"])
    assert shapely.get_num_coordinates(drawn) <= 10
    # Still the same area, within the tolerance (the level's extent / 1120: 0.06/1120 degrees).
    assert shapely.hausdorff_distance(drawn, stored) <= 0.06 / 1120
    # The other areas are drawn as before.
    assert {k: v for k, v in after.items() if k != "11"} == {
        k: v for k, v in before.items() if k != "11"
    }
