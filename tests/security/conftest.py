"""Fixtures of the security suite: the public site's small world and an empty cache per test."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from tests.web.conftest import make_world


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def staff(django_user_model, client):
    user = django_user_model.objects.create_superuser(
        "analytiker", "a@example.org", "Lång-lösenfras-för-test-42"
    )
    client.force_login(user)
    return client
