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
# The shared folder of real data lies beside the project (``../shared``); tests that cross-check
# against it read it by this path only, never by an absolute one.
SHARED = ROOT.parent / "shared"


def shared_file(relative: str) -> Path:
    """A file of ``../shared``; skips the test where the folder is absent, but fails in CI."""
    path = SHARED / relative
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must have ../shared beside the project")
        pytest.skip(f"{path} not present (../shared is beside the project in CI)")
    return path


os.environ.setdefault("SKILLNADER_HOME", "/tmp/skillnader-test-home")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "database: touches the database (run on SQLite and PostgreSQL)"
    )


def pytest_collection_modifyitems(config, items):
    db_fixtures = {
        "db",
        "transactional_db",
        "django_db_setup",
        "live_server",
        "client",
        "admin_client",
        "django_user_model",
        "bundle_db",
    }
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            db_fixtures & set(getattr(item, "fixturenames", ()))
        )
        if uses_db:
            item.add_marker(pytest.mark.database)


def wipe_data() -> None:
    """Delete every row of the data app, children first."""
    from skillnader.web.data import models as m

    for model in (
        m.Observation,
        m.Release,
        m.Source,
        m.Group.values.through,
        m.Group,
        m.DimensionValue,
        m.Dimension,
        m.Indicator,
        m.AreaLink,
        m.Area,
        m.Vintage,
        m.AreaLevel,
        m.Domain,
    ):
        # Raw deletes, children first: no per-row signals or cascade collection (the bundle has
        # 150,000 observations); the data version is bumped once at the end.
        qs = model.objects.all()
        qs._raw_delete(qs.db)
    m.data_changed()


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


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session, driven by Playwright's sync API (a
    second Playwright session in the same process is not allowed, so every browser test in
    every package shares this one)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    # Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
    # in such a thread unless told this is deliberate.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()
