"""The ingest package is a library package (no Django), and the web importer and the bundle
builder take their pure steps from it rather than keeping copies."""

from __future__ import annotations

import subprocess
import sys

from tests.architecture.test_layers import _library_units


def test_ingest_is_a_library_package_and_loads_no_django():
    assert "skillnader.ingest" in _library_units()
    code = (
        "import sys, pkgutil, importlib, skillnader.ingest as i\n"
        "for m in pkgutil.iter_modules(i.__path__):\n"
        "    importlib.import_module('skillnader.ingest.' + m.name)\n"
        "print(sorted(k for k in sys.modules if k == 'django' or k.startswith('django.')))\n"
        "print(len([k for k in sys.modules if k.startswith('skillnader.ingest.')]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    django, submodules = done.stdout.split("\n")[:2]
    assert django == "[]"
    assert int(submodules) >= 6


def test_the_importer_takes_its_pure_steps_from_ingest():
    from skillnader import ingest
    from skillnader.web.data import importer

    for name in (
        "Record",
        "SourceInfo",
        "load_spec",
        "key_files",
        "release_hash",
        "year_of",
        "cube_records",
        "iter_cube_records",
        "read_cube",
        "check",
        "add_intervals",
        "complete",
        "primary_suppressed",
        "MAX_ABS",
        "TOTAL",
    ):
        assert getattr(importer, name) is getattr(ingest, name), name
    # the database resolver is the ingest resolver filled from the models
    assert issubclass(importer._Resolver, ingest.Resolver)
    assert "indicator" not in vars(importer._Resolver)
    assert "area" not in vars(importer._Resolver)


def test_the_bundle_builder_has_no_interval_or_primary_rule_of_its_own():
    import inspect

    from skillnader.bundle import build

    source = inspect.getsource(build)
    assert "intervals." not in source
    assert "disclosure.primary_suppressed(" not in source
    assert "ingest.interval_bounds(" in source and "ingest.primary_mask(" in source


def test_the_group_key_of_ingest_is_the_one_the_database_stores():
    from skillnader import ingest
    from skillnader.web.data import models as m

    for parts in ({}, {"sex": "women"}, {"sex": "men", "age": "20-64", "birth_region": "sweden"}):
        assert ingest.make_group_key(parts) == m.Group.make_key(parts)
    assert ingest.make_group_key({"sex": "men", "age": "20-64"}) == "age=20-64;sex=men"
