"""Swedish by default whatever the browser prefers; English when the visitor chooses it."""

import pytest


@pytest.mark.django_db
def test_swedish_even_for_an_english_browser_until_english_is_chosen(client):
    r = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="sv"' in r.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    r = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="sv")
    assert 'lang="en"' in r.content.decode()


@pytest.mark.django_db
def test_nul_characters_in_parameters_are_a_bad_request(client):
    # Found by schemathesis on PostgreSQL, which cannot compare text with NUL bytes.
    r = client.get("/api/v1/observations", {"group": "a\x00b", "indicator": "x"})
    assert r.status_code == 400
    assert client.get("/search/", {"q": "\x00"}).status_code == 400
