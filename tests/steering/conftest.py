"""A small hand-made world for the steering tests: one city, one indicator with three years,
the board registry, a council goal and two boards' nämndmål, and users in their roles."""

from __future__ import annotations

import textwrap

import pytest
from django.core.cache import cache

from skillnader.steering.io import read_yaml
from skillnader.web.consultation.models import BoardMembership
from skillnader.web.consultation.registry import sync_boards
from skillnader.web.steering.access import city_office_group
from skillnader.web.steering.importer import write_plan

PLAN = textwrap.dedent(
    """
    format: skillnader-steering/1
    periods:
      - {id: 2015-2018, name: Mandatperioden 2015–2018, start: 2015-01-01, end: 2018-12-31}
    goals:
      - {period: 2015-2018, level: inriktningsmal, number: "1", title: Ett Stockholm som håller samman, valid_from: 2015-01-01}
      - period: 2015-2018
        level: verksamhetsomradesmal
        number: "1.2"
        parent: "1"
        title: Tidiga sociala insatser skapar jämlika livschanser för alla
        valid_from: 2017-01-01
        indicators:
          - indicator: social_assistance_share
            targets:
              - {key: arsmal, kind: level, direction: decrease, year: 2017, value: 5.5, valid_from: 2017-01-01, decision: Budget 2017}
      - period: 2015-2018
        level: namndmal
        owner: skarholmen
        number: "1.2.1"
        parent: "1.2"
        title: Fler blir självförsörjande
        valid_from: 2017-01-01
        example: true
        indicators:
          - indicator: social_assistance_share
            targets:
              - key: arsmal
                kind: level
                direction: decrease
                year: 2017
                value: 5.5
                valid_from: 2017-01-01
                decision: Verksamhetsplan 2017
      - {period: 2015-2018, level: namndmal, owner: bromma, number: "1.2.1", parent: "1.2", title: Brommas mål, valid_from: 2017-01-01, example: true}
    measures:
      - {key: sk-feriejobb, title: Feriejobb, board: skarholmen, goals: [2015-2018/skarholmen/1.2.1], challenges: [summer_jobs], indicators: [social_assistance_share]}
      - {key: br-laxhjalp, title: Läxhjälp, board: bromma, goals: [2015-2018/bromma/1.2.1]}
    """
)

#: Hand-made city series: share (%) and persons, 2015-2017.
SERIES = [(2015, 6.2, 2219), (2016, 5.7, 2073), (2017, 5.1, 1876)]


def make_data():
    from skillnader.web.data import models as m

    m.Domain.objects.get_or_create(id="work", defaults={"name_sv": "Arbete", "order": 3})
    m.Indicator.objects.get_or_create(
        id="social_assistance_share",
        defaults=dict(
            name_sv="Andel med ekonomiskt bistånd", domain_id="work", measure="proportion",
            polarity="lower_is_better", unit="percent", multiplier=100.0,
        ),
    )  # fmt: skip
    level, _ = m.AreaLevel.objects.get_or_create(id="kommun", defaults={"name_sv": "Kommun"})
    vintage, _ = m.Vintage.objects.get_or_create(
        level=level, code="2003", defaults={"name_sv": "2003"}
    )
    city, _ = m.Area.objects.get_or_create(
        vintage=vintage, code="0180", defaults={"level": level, "name": "Stockholm"}
    )
    group, _ = m.Group.objects.get_or_create(key="")
    source, _ = m.Source.objects.get_or_create(id="test", defaults={"name": "Test"})
    release, _ = m.Release.objects.get_or_create(source=source, content_hash="x" * 64)
    for year, value, persons in SERIES:
        m.Observation.objects.update_or_create(
            indicator_id="social_assistance_share", area=city, group=group, period=str(year),
            defaults=dict(year=year, value=value, numerator=persons, release=release),
        )  # fmt: skip
    return city


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    sync_boards()
    make_data()
    write_plan(read_yaml("plan.yaml", PLAN))


@pytest.fixture
def users(db, django_user_model, world):
    """``sk`` writes for Skärholmen, ``br`` for Bromma, ``office`` is in the city office,
    ``outsider`` has an account and no role."""
    made = {n: django_user_model.objects.create_user(n) for n in ("sk", "br", "office", "outsider")}
    BoardMembership.objects.create(user=made["sk"], board_id="skarholmen")
    BoardMembership.objects.create(user=made["br"], board_id="bromma")
    made["office"].groups.add(city_office_group())
    return made


def sign_in(client, user):
    """A signed-in session for ``user`` written directly, as the session middleware reads it
    (no sign-in signal handlers run: these tests are about what a signed-in role may do)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return client
