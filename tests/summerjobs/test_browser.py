"""The youth-facing form and the public pages in Chromium on a phone-sized screen: axe-core finds
no serious or critical WCAG 2.1 A/AA violation, nothing scrolls sideways, and the form can be
filled in and sent with the keyboard alone."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from skillnader.allocation import inputs, synthetic
from skillnader.web.summerjobs.models import Application, Round
from skillnader.web.summerjobs.services import import_files, run_allocation

pytestmark = [pytest.mark.browser, pytest.mark.slow]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = (Path(__file__).resolve().parents[1] / "browser" / "vendor" / "axe.min.js").read_text(
    encoding="utf-8"
)
POLICY = Path(__file__).resolve().parents[2] / "src/skillnader/allocation/data/policy_example.yaml"


@pytest.fixture
def live_round(transactional_db, tmp_path):
    r = Round.objects.create(
        slug="feriejobb-2027",
        title="Feriejobb 2027",
        policy_yaml=POLICY.read_text(encoding="utf-8"),
        seed="s1",
    )
    inputs.write_applicants(synthetic.applicants(200, seed=2), tmp_path / "a.csv")
    inputs.write_positions(synthetic.positions(150, 30, seed=2), tmp_path / "p.csv")
    import_files(r, tmp_path / "a.csv", tmp_path / "p.csv")
    run_allocation(r)
    return r


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = Path(__file__).resolve().parents[2] / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,  # only so that axe-core can be injected
    )
    yield context.new_page()
    context.close()


def _axe(page):
    page.add_script_tag(content=AXE)
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )


def _check(page, name, artifacts):
    page.screenshot(path=str(artifacts / f"browser-summerjobs-{name}.png"), full_page=True)
    violations = _axe(page)
    (artifacts / f"axe-summerjobs-{name}.json").write_text(json.dumps(violations, indent=2))
    assert not [v for v in violations if v["impact"] in ("serious", "critical")], violations
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("path", ["/feriejobb/", "/feriejobb/ansok/", "/feriejobb/rapport/"])
def test_public_pages_on_a_phone(phone, live_server, live_round, artifacts, path):
    phone.goto(live_server.url + path)
    _check(phone, path.strip("/").replace("/", "-") or "policy", artifacts)


def test_form_with_errors_and_then_sent_with_the_keyboard(
    phone, live_server, live_round, artifacts
):
    phone.goto(live_server.url + "/feriejobb/ansok/")
    with phone.expect_navigation():
        phone.click("form.apply button[type=submit]")
    assert phone.locator(".error-summary").count() == 1, phone.content()[:3000]
    _check(phone, "apply-errors", artifacts)
    assert phone.locator(".error-summary a[href='#id_first_name']").count() == 1
    phone.focus("#id_first_name")
    phone.keyboard.type("Amina")
    phone.keyboard.press("Tab")
    phone.keyboard.type("amina@example.se")
    phone.fill("#id_birth_date", "2010-04-02")
    for name, value in (("sex", "female"), ("born_in_sweden", "nej"), ("social_assistance", "ja"),
                        ("newly_arrived", "nej"), ("support_needs", "nej"), ("earlier_summer_job", "nej")):  # fmt: skip
        phone.focus(f"input[name={name}][value='{value}']")
        phone.keyboard.press("Space")
    phone.select_option("#id_home_area", "0180R101")
    phone.select_option("#id_category_1", index=0)
    phone.focus("#id_consent")
    phone.keyboard.press("Space")
    phone.focus("form.apply button[type=submit]")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/feriejobb/ansokan/**")
    app = Application.objects.get(first_name="Amina")
    assert app.social_assistance and app.home_area == "0180R101" and app.consent_at
    assert app.pseudonym in phone.content()
    _check(phone, "status", artifacts)
