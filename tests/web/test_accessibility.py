"""Static accessibility checks of the HTML (WCAG 2.1 AA landmarks, headings, labels, contrast).

Browser-based axe-core runs belong to ``tests/browser``; these checks need no browser.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

PAGES = [
    "/",
    "/domain/work/",
    "/domain/health/",
    "/indicator/employment/",
    "/area/sdo/2023/11/",
    "/compare/?a=sdo/2023/11&a=sdo/2023/12",
    "/search/?q=soder",
]


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.ids, self.labels_for, self.controls = [], set(), set(), []
        self.landmarks, self.imgs_without_alt, self.first_link = set(), 0, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids.add(a["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("header", "nav", "main", "footer"):
            self.landmarks.add(tag)
        if tag == "label" and "for" in a:
            self.labels_for.add(a["for"])
        if tag in ("select", "textarea") or (
            tag == "input" and a.get("type") not in ("hidden", "submit")
        ):
            self.controls.append(a.get("id"))
        if tag == "img" and "alt" not in a:
            self.imgs_without_alt += 1
        if tag == "a" and self.first_link is None:
            self.first_link = a


@pytest.mark.parametrize("url", PAGES)
def test_page_structure(client, world, url):
    body = client.get(url).content.decode()
    p = Outline()
    p.feed(body)
    assert {"header", "nav", "main", "footer"} <= p.landmarks
    assert p.first_link.get("class") == "skip-link" and p.first_link["href"] == "#main"
    assert p.headings[0] == 1 and p.headings.count(1) == 1
    for prev, cur in zip(p.headings, p.headings[1:], strict=False):
        assert cur <= prev + 1, f"heading level skipped: h{prev} -> h{cur}"
    unlabelled = [c for c in p.controls if c not in p.labels_for]
    assert not unlabelled, unlabelled
    assert p.imgs_without_alt == 0


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio (definition of 'contrast ratio' in the WCAG glossary)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_of_text_colours():
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0  # the definition's end point
    pairs = [
        ("#1a1a1a", "#ffffff"),  # body text
        ("#0a4a85", "#ffffff"),  # links
        ("#4d4d4d", "#ffffff"),  # muted text
        ("#ffffff", "#0a3d6b"),  # header
        ("#ffffff", "#1f64a8"),  # "better" badge
        ("#000000", "#f2c53d"),  # "similar" badge
        ("#ffffff", "#c8461b"),  # "worse" badge
        ("#ffffff", "#6a4c9c"),  # "higher" badge
        ("#000000", "#c9b3e6"),  # "lower" badge
        ("#000000", "#8c8c8c"),  # "suppressed" badge
    ]
    for fg, bg in pairs:
        assert contrast(fg, bg) >= 4.5, (fg, bg, contrast(fg, bg))


def test_css_uses_the_checked_colours(client):
    css = b"".join(client.get("/static/public/site.css").streaming_content).decode()
    for colour in ("#1a1a1a", "#0a4a85", "#4d4d4d", "#0a3d6b", "#1f64a8", "#c8461b"):
        assert colour in css
    assert ":focus-visible" in css
