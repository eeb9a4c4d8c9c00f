"""Loads the bundled real data once per test session into the test database."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def bundle_db(django_db_setup, django_db_blocker):
    """The test database with the bundle loaded; returns the loader's summary text.

    Loaded outside the per-test transactions, so it stays for the whole session; tests that read
    it still need ``@pytest.mark.django_db``.
    """
    from skillnader.bundle.load import load_bundle

    with django_db_blocker.unblock():
        return load_bundle()
