"""Unpublished and suppressed data never reach a page, a download, a chart or the API."""

from __future__ import annotations

import json

import pytest
from tests.web.conftest import SECRET_NAMES, SECRET_VALUES

URLS = [
    "/",
    "/index.json",
    "/index.csv",
    "/domain/work/",
    "/domain/work.json",
    "/domain/work.csv",
    "/indicator/employment/",
    "/indicator/employment.json",
    "/indicator/employment.csv",
    "/indicator/employment/?group=sex=female",
    "/indicator/employment.json?group=sex=female",
    "/indicator/employment/?trend=12&trend=13",
    "/indicator/employment/?level=kommun",
    "/indicator/employment/chart/map.svg",
    "/indicator/employment/chart/bars.svg",
    "/indicator/employment/chart/trend.svg?trend=12",
    "/indicator/employment/chart/groups.svg",
    "/area/kommun/1971/0180/",
    "/area/kommun/1971/0180.json",
    "/area/sdo/2023/12/",
    "/area/sdo/2023/12.json",
    "/area/sdo/2023/12.csv",
    "/compare/?a=kommun/1971/0180&a=sdo/2023/12",
    "/compare.json?a=kommun/1971/0180&a=sdo/2023/12",
    "/search/?q=indikator",
    "/search.json?q=secretind",
    "/api/v1/",
    "/api/v1/domains",
    "/api/v1/domains/work",
    "/api/v1/indicators",
    "/api/v1/indicators/employment",
    "/api/v1/observations?limit=5000",
    "/api/v1/observations?format=csv&limit=5000",
    "/api/v1/observations?indicator=secretind",
    "/api/v1/observations?year=2024",
    "/api/v1/comparisons?indicator=employment",
    "/api/v1/comparisons?indicator=employment&level=kommun",
    "/api/v1/inequality?indicator=employment",
    "/api/v1/inequality?indicator=employment&format=csv",
    "/api/v1/openapi.json",
    "/api/v1/findings",
]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_no_secret_in_any_response(client, world, language):
    client.cookies["django_language"] = language
    for url in URLS:
        resp = client.get(url)
        assert resp.status_code == 200, url
        body = resp.content.decode("utf-8-sig")
        for secret in SECRET_VALUES + SECRET_NAMES:
            assert secret not in body, (url, secret)
        assert "2024" not in body.replace("2024-01", ""), url  # the unpublished year


def test_unpublished_year_and_group_cell_are_not_offered(client, world):
    data = json.loads(client.get("/indicator/employment.json?group=sex=female").content)
    # The female cell of Södermalm 2023 is unpublished: the area shows "no data".
    got = {r["area"]: (r["value"], r["status"]) for r in data["areas"]}
    assert got == {"11": (None, "missing"), "12": (None, "missing"), "13": (None, "missing")}
    assert data["options"]["years"] == [2023]


def test_suppressed_cell_is_labelled_never_zero(client, world):
    body = client.get("/indicator/employment/").content.decode()
    row = body[body.index(">Älvsjö</a>") :]
    row = row[: row.index("</tr>")]
    assert "Prickad" in row and "0,0" not in row
    client.cookies["django_language"] = "en"
    body = client.get("/indicator/employment/").content.decode()
    row = body[body.index(">Älvsjö</a>") :]
    assert "Suppressed" in row[: row.index("</tr>")]


def test_withdrawing_publication_takes_effect_on_cached_pages(client, world):
    from skillnader.web.data.models import Observation

    assert "86,0" in client.get("/indicator/employment/").content.decode()
    Observation.objects.filter(area=world["a23"]["11"], indicator=world["employment"]).update(
        published=False
    )
    from skillnader.web.data.models import data_changed

    # Bulk updates send no signals: whoever changes publication in bulk says so.
    data_changed()
    assert "86,0" not in client.get("/indicator/employment/").content.decode()


@pytest.mark.parametrize("model", ["indicator", "observation"])
def test_withdrawal_in_the_admin_reaches_cached_api_and_pages_at_once(
    client, world, django_user_model, model
):
    from skillnader.web.data.models import Observation

    api = "/api/v1/observations?indicator=employment&area=11&year=2023&group="
    assert [r["value"] for r in client.get(api).json()["results"]] == [86.0]
    assert "86,0" in client.get("/indicator/employment/").content.decode()
    staff = django_user_model.objects.create_superuser("analytiker", password="x")
    admin = type(client)()
    admin.force_login(staff)
    if model == "indicator":
        pk = world["employment"].pk
    else:
        pk = Observation.objects.get(
            indicator=world["employment"], area=world["a23"]["11"], group__key="", year=2023
        ).pk
    resp = admin.post(
        f"/admin/data/{model}/", {"action": "withdraw", "_selected_action": [pk]}, follow=True
    )
    assert resp.status_code == 200
    assert client.get(api).json()["results"] == []
    assert "86,0" not in client.get("/indicator/employment/").content.decode()
