"""The admin's import status page in a real browser: while the import runs, the page updates its
progress bar from the JSON twin (no reload, no inline script), then shows the result once the
import is done; axe-core finds no serious or critical WCAG 2.1 A/AA violations in either state."""

from __future__ import annotations

import re
import threading

import pytest
from tests.browser.test_pages import run_axe
from tests.data.test_importer import PX, SPEC

from skillnader.web.data import importer
from skillnader.web.data import models as m

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "pw-import-4711"


@pytest.fixture
def analyst(transactional_db, django_user_model, settings, tmp_path):
    from tests.data.conftest import vocab

    vocab.__wrapped__(None)  # the importer tests' vocabulary, in this test's database
    settings.DATA_IMPORT_DIR = str(tmp_path)
    settings.DATA_IMPORT_WAIT_SECONDS = 0.1
    return django_user_model.objects.create_superuser("analytiker", "a@example.org", PASSWORD)


def test_status_page_follows_the_import_to_its_result(
    page, live_server, analyst, tmp_path, monkeypatch
):
    reached, go_on = threading.Event(), threading.Event()
    real = importer.import_file
    monkeypatch.setattr(importer, "CUBE_ROWS", 4)

    def held_import(*args, progress=None, **kwargs):
        def report(done, total):
            progress(done, total)
            if not reached.is_set():
                reached.set()
                go_on.wait(60)

        return real(*args, progress=report, **kwargs)

    monkeypatch.setattr(importer, "import_file", held_import)
    try:
        page.goto(live_server.url + "/admin/login/?next=/admin/data/observation/import/")
        page.fill("#id_username", "analytiker")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(re.compile(r".*/admin/data/observation/import/$"))
        (tmp_path / "BE0101F1.px").write_bytes(PX.read_bytes())
        (tmp_path / "spec.yaml").write_text(SPEC, encoding="utf-8")
        page.set_input_files("#id_file", str(tmp_path / "BE0101F1.px"))
        page.set_input_files("#id_mapping", str(tmp_path / "spec.yaml"))
        page.click("input[type=submit]")
        page.wait_for_url(re.compile(r".*/admin/data/observation/import/\d+/$"))
        assert reached.wait(60)
        # The script asks the JSON twin and moves the bar to the first batch's share.
        page.locator("#import-percent").filter(has_not_text=re.compile(r"^[0-5] %$")).wait_for(
            timeout=20000
        )
        assert 5 < page.evaluate("() => document.getElementById('import-progress').value") < 90
        assert page.locator("label[for=import-progress]").inner_text() == (
            "Kontrollerar och skriver cellerna"
        )
        running = run_axe(page)
        assert not [v for v in running if v["impact"] in ("serious", "critical")], running
        go_on.set()
        # Reloaded by the script once the import is done.
        page.get_by_text("BE0101F1.px importerades.").wait_for(timeout=30000)
        assert "Skrivna leveranser" in page.inner_text("#content")
        done = run_axe(page)
        assert not [v for v in done if v["impact"] in ("serious", "critical")], done
        assert m.Observation.objects.count() == 12
        outside = [u for u in page.requests_seen if not u.startswith(live_server.url)]
        assert not outside, outside
    finally:
        go_on.set()
