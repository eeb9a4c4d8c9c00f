"""Every page: a JSON twin, headings in order, labelled form controls, Swedish by default."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from .conftest import login

pytestmark = pytest.mark.django_db


class Outline(HTMLParser):
    """Headings, form controls and labels of a page."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.controls: list[dict] = []
        self.labels: set[str] = set()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag in ("input", "textarea", "select") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a)
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])


def outline(html: str) -> Outline:
    o = Outline()
    o.feed(html)
    return o


def assert_accessible(html: str, where: str):
    o = outline(html)
    assert len(o.ids) == len(set(o.ids)), f"{where}: duplicate ids"
    assert o.headings and o.headings[0] == 1 and o.headings.count(1) == 1, where
    for prev, cur in zip(o.headings, o.headings[1:], strict=False):
        assert cur <= prev + 1, f"{where}: h{prev} followed by h{cur}"
    for control in o.controls:
        if control.get("id") == "site-search":
            continue
        assert control.get("id") in o.labels, f"{where}: unlabelled {control}"


def test_pages_have_json_twins_and_are_accessible(answered, users):
    c = answered
    base = f"/remiss/{c.slug}/"
    analyst = login(Client(), users["analyst"])
    pages = [
        "/remiss/",
        "/remiss/namnder/",
        base,
        base + "svar/skarholmen/",
        base + "svar/skarholmen/versioner/",
        base + "svar/skarholmen/versioner/1/",
        base + "matris/",
        base + "granskning/",
        base + "sammanstallning/",
    ]
    for url in pages:
        page = analyst.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert '<html lang="sv">' in html
        assert_accessible(html, url)
        twin = analyst.get(url + "?format=json")
        assert twin.status_code == 200 and twin["Content-Type"] == "application/json", url
        assert isinstance(twin.json(), dict)


def test_writer_form_is_labelled(consultation, users):
    c = consultation
    writer = login(Client(), users["b"])
    html = writer.get(f"/remiss/{c.slug}/svar/bromma/").content.decode()
    assert_accessible(html, "response form")
    assert "<legend>Nämndens beslut</legend>" in html
    assert "Spara utkast" in html and "Ladda upp tjänsteutlåtandet" in html
    english = login(Client(), users["b"])
    english.cookies["django_language"] = "en"
    assert "Save draft" in english.get(f"/remiss/{c.slug}/svar/bromma/").content.decode()
