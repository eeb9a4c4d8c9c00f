"""A new file format is one reader plus one registry entry: a toy format, defined here, is
detected, offered by the command line and the admin form, and imported into the database
without a change anywhere else."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tests.data.conftest import vocab  # noqa: F401  (fixture)
from tests.readers.toy_format import TOY

from skillnader.errors import InputError
from skillnader.readers import registry
from skillnader.readers.detect import detect_format


@pytest.fixture
def toy_format():
    registry.register(TOY)
    yield TOY
    registry.unregister(TOY.name)


@pytest.fixture
def toy_file(tmp_path):
    path = tmp_path / "population.txt"  # content, not the extension, says what it is
    path.write_text("#TOYCUBE\n0114;2023;48000\n0115;2023;35000\n0180;2023;988943\n")
    return path


def test_the_built_in_formats_are_registered_with_their_shapes():
    assert registry.names("cube") == ("px", "jsonstat", "pxweb_v1")
    assert registry.names("table") == ("csv", "excel", "parquet")
    assert registry.names("areas") == ("geojson", "geopackage")
    with pytest.raises(InputError, match="unknown file format"):
        registry.get("sdmx")
    with pytest.raises(InputError, match="registered"):
        registry.register(registry.get("px"))


def test_a_registered_format_is_detected_by_its_own_content_test(toy_format, toy_file):
    assert detect_format(toy_file) == "toycube"
    registry.unregister("toycube")
    assert detect_format(toy_file) == "csv"  # without it, the text is delimited text


def test_the_command_line_and_the_admin_form_offer_a_registered_format(toy_format):
    from skillnader.web.data.forms import ImportForm

    assert ("toycube", "Toy cube") in ImportForm().fields["kind"].choices
    assert "toycube" in registry.names("cube", "table")
    # the command line reads the registry when it is loaded
    code = (
        "from tests.readers.toy_format import TOY; from skillnader.readers import registry;"
        "registry.register(TOY); import skillnader.cli as c;"
        "kind = next(p for p in c.import_.params if p.name == 'kind');"
        "print('toycube' in kind.type.choices)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.strip() == "True", done.stderr


@pytest.mark.django_db
def test_a_registered_format_imports_into_the_database(
    toy_format,
    toy_file,
    vocab,  # noqa: F811
    tmp_path,
):
    from skillnader.web.data import models as m
    from skillnader.web.data.importer import import_file

    mapping = tmp_path / "toy.yaml"
    mapping.write_text(
        "indicator: population\narea: {dimension: area, level: kommun}\n"
        "period: {dimension: period}\n",
        encoding="utf-8",
    )
    result = import_file(toy_file, mapping=mapping)
    assert result.created == 3
    got = {
        o.area.code: o.value
        for o in m.Observation.objects.filter(release_id=result.release_id).select_related("area")
    }
    assert got == {"0114": 48000, "0115": 35000, "0180": 988943}
