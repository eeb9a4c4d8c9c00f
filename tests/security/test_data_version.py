"""The data version is a counter bumped in the transaction of every change of data, so that no
cached page, download or API answer outlives the data it shows (issue 16, item 1).

Each path that changes data has its own test: the admin's publish and withdraw actions, an edit
in the admin's change form, an import (raw SQL), the bundle load (raw SQL), an area import, a
failed import (which must not change the version)."""

from __future__ import annotations

import textwrap

import pytest

from skillnader.web.data import models as m
from skillnader.web.data import queries

PAGE = "/indicator/employment/"
API = "/api/v1/observations?indicator=employment&level=sdo&vintage=2023&period=2023"


def counter() -> int:
    return int(queries.data_version().rsplit("-", 1)[1])


def cell(world, code="11", year="2023"):
    return m.Observation.objects.get(
        indicator=world["employment"], area=world["a23"][code], group__key="", period=year
    )


def admin_action(client, model: str, action: str, pks):
    return client.post(
        f"/admin/data/{model}/",
        {"action": action, "_selected_action": [str(pk) for pk in pks], "index": 0},
    )


def test_withdraw_then_publish_another_never_brings_the_withdrawn_value_back(world, staff):
    """The old fingerprint (max ids, published count, last release time) returned to an earlier
    value after a withdrawal and another publication, and the page cached under it came back."""
    secret = m.Observation.objects.get(value=987.654)
    assert "86,0" in staff.get(PAGE).content.decode()
    assert "86.0" in staff.get(API).content.decode()
    first = queries.data_version()

    r = admin_action(staff, "observation", "withdraw", [cell(world).pk])
    assert r.status_code == 302
    assert "86,0" not in staff.get(PAGE).content.decode()
    r = admin_action(staff, "observation", "publish", [secret.pk])
    assert r.status_code == 302
    # Same number of published cells, same maximum ids, same releases as at first ...
    assert queries.data_version() != first
    # ... and the withdrawn value stays gone from the page, its JSON twin and the API.
    assert "86,0" not in staff.get(PAGE).content.decode()
    assert "86.0" not in staff.get(PAGE.rstrip("/") + ".json").content.decode()
    assert "86.0" not in staff.get(API).content.decode()


def test_the_counter_only_grows(world, staff):
    seen = [counter()]
    target = cell(world)
    for action in ("withdraw", "publish", "withdraw", "publish"):
        admin_action(staff, "observation", action, [target.pk])
        seen.append(counter())
    assert seen == sorted(seen) and len(set(seen)) == len(seen)


def test_withdrawing_an_indicator_in_the_admin_is_visible_at_once(world, staff):
    assert staff.get("/api/v1/indicators/overcrowding").status_code == 200
    admin_action(staff, "indicator", "withdraw", ["overcrowding"])
    assert staff.get("/api/v1/indicators/overcrowding").status_code == 404
    assert "Trångboddhet" not in staff.get("/").content.decode()


def test_an_edit_in_the_admin_change_form_is_stale_at_once(world, staff):
    target = cell(world)
    assert "86,0" in staff.get(PAGE).content.decode()
    before = counter()
    form = staff.get(f"/admin/data/observation/{target.pk}/change/")
    assert form.status_code == 200
    data = {
        "indicator": target.indicator_id,
        "area": target.area_id,
        "group": target.group_id,
        "period": target.period,
        "year": target.year,
        "value": "55.5",
        "lower": "54.5",
        "upper": "56.5",
        "status": target.status,
        "release": target.release_id,
        "published": "on",
        "note": target.note,
        "_save": "Spara",
    }
    for f in m.Observation._meta.fields:
        if f.name not in data and f.name != "id" and f.editable:
            v = getattr(target, f.attname)
            if isinstance(v, bool):
                if v:
                    data[f.name] = "on"
            elif v is not None:
                data[f.name] = v
    r = staff.post(f"/admin/data/observation/{target.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert cell(world).value == pytest.approx(55.5)
    assert counter() > before
    body = staff.get(PAGE).content.decode()
    assert "86,0" not in body and "55,5" in body


def test_an_import_bumps_the_version_in_its_transaction(world, client, tmp_path):
    from skillnader.web.data.importer import import_file

    assert "2024" not in client.get(API.replace("2023&", "2024&")).content.decode()
    cached = client.get(API.replace("period=2023", "period=2024")).content
    data = tmp_path / "syss.csv"
    data.write_text("sdo;år;andel\n11;2024;77.7\n12;2024;66.6\n", encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        textwrap.dedent(
            """\
            source: {id: scb}
            area: {column: sdo, level: sdo}
            period: {column: år}
            indicator: {value: employment}
            values: {column: andel}
            """
        ),
        encoding="utf-8",
    )
    before = counter()
    result = import_file(data, mapping=mapping)
    assert result.created == 2
    assert counter() == before + 1
    fresh = client.get(API.replace("period=2023", "period=2024")).content
    assert fresh != cached and b"77.7" in fresh


def test_a_failed_import_leaves_the_version_alone(world, tmp_path):
    from skillnader.errors import InputError
    from skillnader.web.data.importer import import_file

    data = tmp_path / "syss.csv"
    data.write_text("sdo;år;andel\n11;2024;77.7\n99;2024;66.6\n", encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "source: {id: scb}\narea: {column: sdo, level: sdo}\nperiod: {column: år}\n"
        "indicator: {value: employment}\nvalues: {column: andel}\n",
        encoding="utf-8",
    )
    before = queries.data_version()
    with pytest.raises(InputError):
        import_file(data, mapping=mapping)
    assert queries.data_version() == before


def test_an_area_import_bumps_the_version(world, tmp_path):
    import json

    from skillnader.web.data.areas import import_areas

    ring = [[18.0, 59.3], [18.02, 59.3], [18.02, 59.32], [18.0, 59.32], [18.0, 59.3]]
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"kod": "12", "namn": "Södermalm (ny gräns)"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    path = tmp_path / "sdo.geojson"
    path.write_text(json.dumps(fc), encoding="utf-8")
    before = counter()
    import_areas(path, level="sdo", vintage="2023", code_field="kod", name_field="namn")
    assert counter() == before + 1


@pytest.mark.django_db
def test_the_bundle_load_bumps_the_version(monkeypatch):
    """The bundle's observations are written with raw SQL: the load bumps the version itself."""
    from skillnader.bundle import load

    written = []
    # The real build reads every bundled file (minutes); the write step is what is under test.
    monkeypatch.setattr(load.bundle_build, "build", lambda specs: object())
    monkeypatch.setattr(load, "load_catalog", lambda: [])
    monkeypatch.setattr(load, "_write", lambda *a: written.append(a))
    # The bundled files that enter through the import path are imports: tested above.
    monkeypatch.setattr("skillnader.bundle.imports.run_imports", lambda **kw: None)
    before = counter()
    load.load_bundle(force=True)
    assert written and counter() == before + 1
