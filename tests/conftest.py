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
