"""Loading the bundle twice changes nothing."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _counts():
    from django.apps import apps

    return {m.__name__: m.objects.count() for m in apps.get_app_config("data").get_models()}


def test_second_load_creates_nothing(bundle_db):
    from skillnader.bundle.load import bundle_loaded, load_bundle
    from skillnader.web.data.models import Area

    before = _counts()
    ids = set(Area.objects.values_list("id", flat=True))
    assert bundle_loaded()
    text = load_bundle()
    assert text.startswith("The bundled data are already loaded")
    assert _counts() == before
    assert set(Area.objects.values_list("id", flat=True)) == ids


def test_summary_lists_levels_and_indicators(bundle_db):
    assert "sdo          2020      13" in bundle_db
    assert "regso        2020     127" in bundle_db
    assert "born_abroad_share" in bundle_db
    assert "Total observations:" in bundle_db


def test_changed_or_missing_release_means_not_loaded(bundle_db):
    from skillnader.bundle.load import bundle_loaded
    from skillnader.web.data.models import Release

    rel = Release.objects.get(kind="bundle", version="regso_mean_wage_income_tkr_2020_2023.csv")
    rel.content_hash = "0" * 64
    rel.save()
    assert not bundle_loaded()


@pytest.mark.slow
def test_forced_reload_keeps_ids_and_counts(bundle_db):
    from skillnader.bundle.load import load_bundle
    from skillnader.web.data.models import Area, Observation

    before = _counts()
    ids = dict(Area.objects.values_list("code", "id"))
    load_bundle(force=True)
    assert _counts() == before
    assert dict(Area.objects.values_list("code", "id")) == ids
    assert Observation.objects.filter(suppressed=True, value__isnull=False).count() == 0
