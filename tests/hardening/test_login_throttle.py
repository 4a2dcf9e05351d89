"""Finding 4: behind the documented proxy the site reads the client address from X-Real-IP only;
an account locks for the address that failed, an address that fails on many accounts locks.
Issue 23, finding 10: an address locks by the number of accounts it failed on, never by typos
repeated on a few: an office behind one address does not lock itself out."""

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.units.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_axes_reset")]
PASSWORD = "mat-khau-dung-2026"
BEHIND_PROXY = override_settings(CLIENT_IP_HEADER="HTTP_X_REAL_IP")


@pytest.fixture
def _axes_reset():
    from axes.models import AccessAttempt, AccessFailureLog

    yield
    AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()


def user(name):
    account = UserFactory(username=name)
    account.set_password(PASSWORD)
    account.save()
    return account


def attempt(client, username, password, address, **headers):
    # The proxy (nginx on the same machine) is the one that connects: REMOTE_ADDR is always itself.
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP=address,
        **headers,
    )


def logged_in(response):
    return response.status_code == 302 and response.url == reverse("home")


def locked(response):
    return response.status_code == 429


@BEHIND_PROXY
def test_five_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(client):
    user("lan")
    for _ in range(5):
        attempt(client, "lan", "sai", "203.0.113.5")
    assert locked(attempt(client, "lan", PASSWORD, "203.0.113.5"))
    assert logged_in(attempt(client, "lan", PASSWORD, "198.51.100.7"))


@BEHIND_PROXY
def test_a_forged_forwarded_for_header_does_not_change_the_address(client):
    user("hung")
    for n in range(5):
        attempt(client, "hung", "sai", "203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert locked(attempt(client, "hung", PASSWORD, "203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.9"))


@BEHIND_PROXY
def test_an_address_guessing_over_many_accounts_is_locked(client):
    for n in range(21):
        user(f"doanvien{n}")
    for n in range(20):
        attempt(client, f"doanvien{n}", "mat-khau-hay-dung", "203.0.113.66")
    # One guess on each of twenty accounts: no account lock, but the address is locked now.
    assert locked(attempt(client, "doanvien20", PASSWORD, "203.0.113.66"))
    assert logged_in(attempt(client, "doanvien20", PASSWORD, "198.51.100.8"))


@BEHIND_PROXY
def test_five_colleagues_behind_one_address_with_four_typos_each_are_not_locked_out(client):
    names = [f"canbo{n}" for n in range(5)]
    for name in names:
        user(name)
    for _ in range(4):
        for name in names:
            attempt(client, name, "sai-chinh-ta", "192.0.2.20")
    # Twenty failures over five accounts, each its owner's typos: each gets in with the right password.
    for name in names:
        assert logged_in(attempt(client, name, PASSWORD, "192.0.2.20")), name
        client.logout()


@BEHIND_PROXY
def test_an_office_behind_one_address_does_not_lock_itself_out(client):
    user("typo")
    user("colleague")
    for _ in range(5):
        attempt(client, "typo", "sai", "192.0.2.10")
    assert locked(attempt(client, "typo", PASSWORD, "192.0.2.10"))
    assert logged_in(attempt(client, "colleague", PASSWORD, "192.0.2.10"))


def test_without_a_proxy_the_header_is_not_trusted(client):
    user("mai")
    for n in range(5):
        attempt(client, "mai", "sai", f"203.0.113.{n}")
    # Not behind the proxy (make run): X-Real-IP is anybody's to forge, the connection decides.
    assert locked(attempt(client, "mai", PASSWORD, "198.51.100.1"))


@BEHIND_PROXY
def test_an_address_lock_ends_with_its_window_and_never_locks_a_colleague(client):
    from datetime import timedelta

    from axes.models import AccessFailureLog
    from django.utils import timezone

    for n in range(20):
        user(f"nhanvien{n}")
    user("dongnghiep")
    for n in range(20):
        attempt(client, f"nhanvien{n}", f"doan-{n}", "192.0.2.77")
    # The colleague in the same office tries their own right password while the address is locked.
    for _ in range(6):
        assert locked(attempt(client, "dongnghiep", PASSWORD, "192.0.2.77"))
    # Those refusals are not failures: once the guesses are older than the window, they get in.
    AccessFailureLog.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert logged_in(attempt(client, "dongnghiep", PASSWORD, "192.0.2.77"))
