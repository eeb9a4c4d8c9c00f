"""Swedish by default, English through Django's set_language, in pages and charts."""

from __future__ import annotations

import json
import re


def test_swedish_is_the_default(client, world):
    body = client.get("/indicator/employment/").content.decode()
    assert '<html lang="sv">' in body
    assert "<h1>Förvärvsfrekvens</h1>" in body
    assert "Hoppa till huvudinnehållet" in body
    assert "81,2 %" in body


def test_set_language_switches_to_english(client, world):
    resp = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/indicator/employment/?vintage=2023"}
    )
    assert resp.status_code == 302
    assert resp["Location"] == "/indicator/employment/?vintage=2023"
    body = client.get(resp["Location"]).content.decode()
    assert '<html lang="en">' in body
    assert "<h1>Employment rate</h1>" in body
    assert "Skip to main content" in body
    assert "81.2 %" in body and "Better than the city" in body
    assert "Northern inner city" in body  # the area's English name
    spec = json.loads(
        re.search(
            r'<script id="map-spec" type="application/json">(.*?)</script>', body, re.S
        ).group(1)
    )
    assert "Better than the city" in spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    # ...and back to Swedish.
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert '<html lang="sv">' in client.get("/").content.decode()


def test_language_switch_form_is_on_every_page(client, world):
    for url in ["/", "/domain/work/", "/indicator/employment/", "/area/sdo/2023/11/", "/search/"]:
        body = client.get(url).content.decode()
        assert 'action="/i18n/setlang/"' in body, url
        assert 'name="csrfmiddlewaretoken"' in body and "__CSRF_TOKEN__" not in body, url


def test_cached_page_gets_a_fresh_csrf_token(client, world):
    from django.test import Client

    first = client.get("/").content.decode()
    other = Client(enforce_csrf_checks=True)
    body = other.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    assert token != re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', first).group(1)
    resp = other.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert resp.status_code == 302


def test_json_twins_follow_the_language(client, world):
    client.cookies["django_language"] = "en"
    data = json.loads(client.get("/index.json").content)
    work = next(d for d in data["domains"] if d["id"] == "work")
    assert work["name"] == "Work and livelihood"
    assert work["indicators"][0]["name"] == "Employment rate"
