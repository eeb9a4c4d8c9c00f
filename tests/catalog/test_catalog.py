"""The indicator catalogue: the real files validate, and broken files fail with typed errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skillnader.catalog import CATALOG_DIR, CatalogError, load_catalog
from skillnader.domains import DOMAIN_IDS
from skillnader.errors import InputError


def test_bundled_catalogue_is_valid_and_covers_every_domain():
    specs = load_catalog()
    by_id = {s.id: s for s in specs}
    assert len(by_id) == len(specs)
    assert {s.domain for s in specs} == set(DOMAIN_IDS)
    born = by_id["born_abroad_share"]
    assert (born.measure, born.multiplier, born.polarity, born.interval) == (
        "proportion",
        100.0,
        "no_judgement",
        "wilson",
    )
    wage = by_id["mean_wage_income"]
    assert wage.interval == "none" and "dispersion" in wage.interval_note
    assert by_id["registered_unemployed"].measure == "count"
    assert by_id["socioeconomic_area_type"].measure == "index"
    assert all(s.catalogue_version == "2026.1" for s in specs)
    for s in specs:
        assert s.name_sv and s.name_en and s.definition_sv and s.definition_en, s.id


def _write(tmp_path: Path, domain: str, entries: list[dict], version="1") -> Path:
    path = tmp_path / f"{domain}.yaml"
    path.write_text(
        yaml.safe_dump(
            {"catalogue_version": version, "domain": domain, "indicators": entries},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return path


def _entry(**over):
    base = yaml.safe_load((CATALOG_DIR / "work.yaml").read_text(encoding="utf-8"))["indicators"][0]
    base = dict(base)
    base.update(over)
    return base


def test_minimal_valid_file(tmp_path):
    _write(tmp_path, "work", [_entry(id="x1")])
    (spec,) = load_catalog(tmp_path)
    assert spec.id == "x1" and spec.catalogue_version == "1"
    assert spec.suppress_zeros is False
    assert spec.rounding_base == 1  # counts are published exactly unless the entry says so


def test_the_publication_policy_is_read_from_the_entry(tmp_path):
    from skillnader.stats.disclosure import policy_for

    _write(tmp_path, "work", [_entry(id="x1", publication_threshold=10, suppress_zeros=True)])
    (spec,) = load_catalog(tmp_path)
    policy = policy_for(spec)
    assert (policy.threshold, policy.suppress_zeros) == (10, True)


def test_the_rounding_base_is_read_from_the_entry(tmp_path):
    from skillnader.stats.disclosure import policy_for

    _write(tmp_path, "work", [_entry(id="x1", publication_threshold=10, rounding_base=5)])
    (spec,) = load_catalog(tmp_path)
    assert spec.rounding_base == 5
    assert policy_for(spec).rounding_base == 5


@pytest.mark.parametrize(
    ("threshold", "base", "problem"),
    [
        (10, 0, "invalid rounding_base"),
        (10, -5, "invalid rounding_base"),
        (10, 2.5, "invalid rounding_base"),
        (10, "5", "invalid rounding_base"),
        (10, True, "invalid rounding_base"),
        (10, None, "invalid rounding_base"),
        # a base above the threshold would publish small counts (say 1 or 2 of base 5) as 0
        (3, 5, "above the publication threshold"),
        (0, 5, "above the publication threshold"),
    ],
)
def test_a_bad_rounding_base_names_file_and_indicator(tmp_path, threshold, base, problem):
    path = _write(
        tmp_path,
        "work",
        [_entry(id="x1"), _entry(id="x2", publication_threshold=threshold, rounding_base=base)],
    )
    with pytest.raises(CatalogError, match=problem) as err:
        load_catalog(tmp_path)
    e = err.value
    assert isinstance(e, InputError)
    assert e.path == str(path)
    assert "'x2'" in e.location and "rounding_base" in e.location
    assert e.value == base


def test_a_rounding_base_equal_to_the_threshold_is_valid(tmp_path):
    _write(tmp_path, "work", [_entry(id="x1", publication_threshold=5, rounding_base=5)])
    assert load_catalog(tmp_path)[0].rounding_base == 5


def test_bad_domain_names_file_and_entry(tmp_path):
    path = _write(tmp_path, "work", [_entry(id="x1", domain="welfare")])
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    e = err.value
    assert isinstance(e, InputError)
    assert e.path == str(path)
    assert "x1" in e.location and "domain" in e.location
    assert e.value == "welfare"
    assert "health" in e.expected


def test_bad_polarity(tmp_path):
    path = _write(tmp_path, "work", [_entry(id="x1"), _entry(id="x2", polarity="up")])
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert err.value.path == str(path)
    assert "'x2'" in err.value.location and "polarity" in err.value.location
    assert "higher_is_better" in str(err.value)


def test_duplicate_id_across_files(tmp_path):
    # files are read in name order: housing.yaml first, so work.yaml holds the duplicate
    _write(tmp_path, "housing", [_entry(id="same", domain="housing")])
    second = _write(tmp_path, "work", [_entry(id="same")])
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert err.value.path == str(second)
    assert "duplicate" in err.value.message
    assert "'same'" in err.value.location
    assert "housing.yaml" in err.value.expected


def test_duplicate_id_in_one_file(tmp_path):
    _write(tmp_path, "work", [_entry(id="same"), _entry(id="same")])
    with pytest.raises(CatalogError, match="duplicate indicator id"):
        load_catalog(tmp_path)


def test_missing_name(tmp_path):
    entry = _entry(id="x1")
    del entry["name"]
    path = _write(tmp_path, "work", [entry])
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert err.value.path == str(path)
    assert "'name'" in err.value.message and "x1" in err.value.location


def test_name_without_swedish(tmp_path):
    _write(tmp_path, "work", [_entry(id="x1", name={"en": "Only English"})])
    with pytest.raises(CatalogError, match="Swedish"):
        load_catalog(tmp_path)


@pytest.mark.parametrize(
    ("over", "fragment"),
    [
        ({"measure": "ratio"}, "measure"),
        ({"multiplier": "100"}, "multiplier"),
        ({"publication_threshold": -1}, "publication_threshold"),
        ({"interval": "wilson", "measure": "mean"}, "interval"),
        ({"interval": "none", "interval_note": ""}, "interval_note"),
        ({"external_ids": {"kolada": 925}}, "external_ids"),
        ({"colour": "red"}, "indicator 'x1'"),
        ({"suppress_zeros": "yes"}, "suppress_zeros"),
    ],
)
def test_other_invalid_entries(tmp_path, over, fragment):
    _write(tmp_path, "work", [_entry(id="x1", **over)])
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert fragment in str(err.value)


def test_file_level_errors(tmp_path):
    (tmp_path / "work.yaml").write_text("domain: work\nindicators: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML") as err:
        load_catalog(tmp_path)
    assert err.value.location.startswith("line ")
    (tmp_path / "work.yaml").unlink()
    _write(tmp_path, "work", [_entry(id="x1")], version="")
    with pytest.raises(CatalogError, match="catalogue_version"):
        load_catalog(tmp_path)
    (tmp_path / "work.yaml").unlink()
    path = tmp_path / "housing.yaml"
    path.write_text(
        yaml.safe_dump({"catalogue_version": "1", "domain": "work", "indicators": []}),
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="file name and domain differ"):
        load_catalog(tmp_path)


@pytest.mark.django_db
def test_sync_catalog_upserts_indicators(tmp_path):
    from skillnader.web.data.catalog_sync import sync_catalog
    from skillnader.web.data.models import Domain, Indicator

    _write(tmp_path, "work", [_entry(id="sync_a"), _entry(id="sync_b", polarity="no_judgement")])
    specs = load_catalog(tmp_path)
    assert sync_catalog(specs) == {"created": 2, "updated": 0}
    assert sync_catalog(specs) == {"created": 0, "updated": 0}
    assert set(Domain.objects.values_list("id", flat=True)) == set(DOMAIN_IDS)
    ind = Indicator.objects.get(id="sync_b")
    assert (ind.domain_id, ind.polarity, ind.catalogue_version) == ("work", "no_judgement", "1")
    assert ind.name_sv == specs[1].name_sv
    ind.name_sv = "changed"
    ind.save()
    assert sync_catalog(specs) == {"created": 0, "updated": 1}
    assert Indicator.objects.get(id="sync_b").name_sv == specs[1].name_sv
    assert Indicator.objects.get(id="sync_b").rounding_base == 1
    # the rounding base is a catalogue setting the sync carries to the database
    _write(
        tmp_path,
        "work",
        [
            _entry(id="sync_a"),
            _entry(id="sync_b", polarity="no_judgement", publication_threshold=10, rounding_base=5),
        ],
    )
    assert sync_catalog(load_catalog(tmp_path)) == {"created": 0, "updated": 1}
    assert Indicator.objects.get(id="sync_b").rounding_base == 5
