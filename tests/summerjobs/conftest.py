"""A small summer-job round with synthetic applicants and positions, an officer, a signed-in
user without the role, and an allocation."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache

from skillnader.allocation import inputs, synthetic
from skillnader.web.summerjobs.access import officer_group
from skillnader.web.summerjobs.models import Round
from skillnader.web.summerjobs.services import import_files, run_allocation

POLICY = Path(__file__).resolve().parents[2] / "src/skillnader/allocation/data/policy_example.yaml"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rnd(db, tmp_path):
    r = Round.objects.create(
        slug="feriejobb-2027",
        title="Feriejobb 2027",
        policy_yaml=POLICY.read_text(encoding="utf-8"),
    )
    inputs.write_applicants(synthetic.applicants(300, seed=5), tmp_path / "a.csv")
    inputs.write_positions(synthetic.positions(200, 40, seed=5), tmp_path / "p.csv")
    import_files(r, tmp_path / "a.csv", tmp_path / "p.csv")
    return r


@pytest.fixture
def allocated(rnd):
    rnd.seed = "publicerat-2027-04-01"
    rnd.save()
    return run_allocation(rnd)


@pytest.fixture
def users(db, django_user_model):
    officer = django_user_model.objects.create_user("handlaggare")
    officer.groups.add(officer_group())
    other = django_user_model.objects.create_user("analytiker")
    return {"officer": officer, "other": other}
