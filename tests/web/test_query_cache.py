"""The process-local layer of ``queries.cached``: shared values without unpickling, never stale."""

from __future__ import annotations

from django.core.cache import cache

from skillnader.web.data import queries


def test_area_geometries_are_kept_in_the_process_while_the_shared_entry_lives(world):
    first = queries.level_areas("sdo", "2023")
    assert [a["code"] for a in first] == ["11", "12", "13"]
    # the second call returns the very same object: nothing was unpickled or recomputed
    assert queries.level_areas("sdo", "2023") is first
    # other arguments are other entries
    assert sorted(a["code"] for a in queries.level_areas("sdo", "2020")) == ["01", "02", "03", "04"]


def test_clearing_the_shared_cache_drops_the_process_copy(world):
    from skillnader.web.data.models import Area

    before = queries.level_areas("sdo", "2023")
    Area.objects.filter(level_id="sdo", vintage__code="2023", code="12").update(name="Söder")
    # Area names are not part of the data version: the cached copy is still served ...
    assert queries.level_areas("sdo", "2023") is before
    # ... until the shared cache is cleared (as after an area import), in every process
    cache.clear()
    after = queries.level_areas("sdo", "2023")
    assert after is not before
    assert [a["name_sv"] for a in after if a["code"] == "12"] == ["Söder"]


def test_a_new_data_version_is_a_new_entry(world):
    from skillnader.web.data.models import data_changed

    before = queries.level_areas("sdo", "2023")
    world["employment"].observations.update(published=False)
    data_changed()
    after = queries.level_areas("sdo", "2023")
    assert after is not before
    assert after == before  # same areas, computed again for the new version


def test_the_process_copy_is_bounded(world):
    for i in range(queries._LOCAL_SIZE + 5):
        queries.cached("bounded-test", i, compute=lambda i=i: [i], local=True)
    assert len(queries._LOCAL) <= queries._LOCAL_SIZE
