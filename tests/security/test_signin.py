"""Sign-in: lockout after failed attempts (django-axes), Django's password validators, and the
client address counted behind the shipped proxy (issue 16, item 6)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory

from skillnader.web.security import client_ip

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "Rätt-lösenfras-för-analytiker-7"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Lockout does not depend on the hash; a fast one keeps 50 attempts quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("analytiker", "a@example.org", PASSWORD)


def attempt(client: Client, password: str, username: str = "analytiker", ip: str = "203.0.113.9"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def test_fifty_wrong_passwords_then_the_right_one_is_refused(admin_user):
    client = Client()
    statuses = [attempt(client, f"fel-{i}").status_code for i in range(50)]
    # The first failures show the form again; from the limit on the answer is 429.
    assert statuses[:4] == [200] * 4
    assert set(statuses[5:]) == {429}
    r = attempt(client, PASSWORD)
    assert r.status_code == 429
    assert int(r["Retry-After"]) >= 60
    body = r.content.decode()
    assert 'lang="sv"' in body and "spärrad" in body
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still not signed in


def test_the_account_is_locked_from_another_address_too(admin_user):
    for i in range(5):
        attempt(Client(), f"fel-{i}", ip=f"198.51.100.{i + 1}")
    r = attempt(Client(), PASSWORD, ip="192.0.2.77")
    assert r.status_code == 429


def test_an_address_guessing_many_names_is_locked(admin_user):
    client = Client()
    for i in range(5):
        attempt(client, "gissning", username=f"anvandare{i}")
    r = attempt(client, PASSWORD)
    assert r.status_code == 429


def test_a_few_mistakes_then_the_right_password_signs_in_and_resets(admin_user):
    client = Client()
    for i in range(3):
        assert attempt(client, f"fel-{i}").status_code == 200
    r = attempt(client, PASSWORD)
    assert r.status_code == 302 and client.get("/admin/").status_code == 200
    client.logout()
    # The count was reset by the success: three more mistakes are allowed again.
    for i in range(3):
        assert attempt(client, f"fel-igen-{i}").status_code == 200


@pytest.mark.parametrize(
    "password",
    ["kort", "12345678901234", "password1234", "analytiker2024!"],
)
def test_weak_passwords_are_refused(admin_user, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=admin_user)


def test_a_long_passphrase_is_accepted(admin_user):
    validate_password("korv-med-bröd-på-Medborgarplatsen", user=admin_user)


def test_the_client_address_behind_the_proxy():
    rf = RequestFactory()
    direct = rf.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(direct) == "203.0.113.5"  # not a proxy: the header is not believed
    proxied = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert client_ip(proxied) == "203.0.113.5"  # the address our proxy saw, not the forged one
    bare = rf.get("/", REMOTE_ADDR="127.0.0.1")
    assert client_ip(bare) == "127.0.0.1"
