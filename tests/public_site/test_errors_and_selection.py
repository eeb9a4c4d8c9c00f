"""Error pages in the site's layout and Swedish, and a level change that keeps no stale
boundaries (issue: changing "Områdesnivå" gave "Inga data")."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from tests.web.conftest import world  # noqa: F401  (fixture)


def test_level_change_with_the_old_levels_vintage_shows_the_new_level(client, world):  # noqa: F811
    # The form kept the district level's boundaries (2023) when the visitor chose the city.
    r = client.get("/indicator/employment/?level=kommun&vintage=2023&year=2023")
    assert r.status_code == 200
    body = r.content.decode()
    assert '<option value="kommun" selected>' in body
    assert '<option value="1971" selected>' in body


def test_a_vintage_no_level_has_is_still_not_found(client, world):  # noqa: F811
    r = client.get("/indicator/employment/?level=sdo&vintage=1899")
    assert r.status_code == 404


@override_settings(DEBUG=False)
def test_not_found_is_a_styled_swedish_page_with_navigation(world):  # noqa: F811
    r = Client().get("/indicator/no-such-indicator/")
    assert r.status_code == 404
    body = r.content.decode()
    assert '<html lang="sv">' in body
    assert "Sidan finns inte" in body
    assert 'class="site-header"' in body and "/static/public/site.css" in body
    assert 'href="/domain/work/"' in body and "Arbete och försörjning" in body
    assert "Not Found" not in body and "urlpatterns" not in body.lower()


@override_settings(DEBUG=False)
def test_api_not_found_stays_json(world):  # noqa: F811
    r = Client().get("/api/v1/no-such-endpoint/")
    assert r.status_code == 404
    assert r["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_server_error_is_a_styled_swedish_page():
    from django.test import RequestFactory

    from skillnader.web.public.errors import server_error

    r = server_error(RequestFactory().get("/indicator/x/"))
    assert r.status_code == 500
    body = r.content.decode()
    assert "Något gick fel" in body and 'class="site-header"' in body
    assert "Traceback" not in body


def test_debug_is_off_unless_asked_for(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLNADER_")}
    env["SKILLNADER_HOME"] = str(tmp_path)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    env["DJANGO_SETTINGS_MODULE"] = "skillnader.web.settings"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
    env["SKILLNADER_DEBUG"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "True", out.stderr
