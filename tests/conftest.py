"""Suite-wide test configuration.

Every test that touches the database is marked ``database`` automatically, so that
``scripts/test.sh`` can run exactly those again on PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ARTIFACTS = ROOT / "test-artifacts"

os.environ.setdefault("SKILLNADER_HOME", "/tmp/skillnader-test-home")


def pytest_configure(config):
    config.addinivalue_line("markers", "database: touches the database (run on SQLite and PostgreSQL)")


def pytest_collection_modifyitems(config, items):
    db_fixtures = {"db", "transactional_db", "django_db_setup", "live_server", "client",
                   "admin_client", "django_user_model", "bundle_db"}
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            db_fixtures & set(getattr(item, "fixturenames", ()))
        )
        if uses_db:
            item.add_marker(pytest.mark.database)


def wipe_data() -> None:
    """Delete every row of the data app, children first."""
    from skillnader.web.data import models as m

    for model in (m.Observation, m.Release, m.Source, m.Group.values.through, m.Group,
                  m.DimensionValue, m.Dimension, m.Indicator, m.AreaLink, m.Area, m.Vintage,
                  m.AreaLevel, m.Domain):
        model.objects.all().delete()


@pytest.fixture(scope="module")
def bundle_db(django_db_setup, django_db_blocker):
    """The test database with the bundled real data, for the tests of one module.

    The bundle is loaded outside the per-test transactions (tests that read it still need
    ``@pytest.mark.django_db``) and removed again when the module is done, so that tests which
    build their own small fixtures always start from an empty database.
    """
    from skillnader.bundle.load import load_bundle

    with django_db_blocker.unblock():
        wipe_data()
        summary = load_bundle()
    yield summary
    with django_db_blocker.unblock():
        wipe_data()
