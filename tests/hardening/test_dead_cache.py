"""Issue 23, finding 8: the cache is an optimisation. With REDIS_URL pointing at a Redis that is down
(a closed port) or that never answers (a port that takes the connection and stays silent), every page
a user lands on answers as it does with the cache up, in Vietnamese: never a 500, never a hang."""

import contextlib
import os
import runpy
import signal
import socket
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from reports.models import SectionText
from tests.hardening.helpers import section_url, writable_nodes
from tests.units.factories import UserFactory

pytestmark = pytest.mark.django_db

SETTINGS = Path(__file__).resolve().parents[2] / "reportsite" / "settings" / "base.py"
PASSWORD = "mat-khau-dung-2026"


def caches_for(redis_url, monkeypatch):
    """CACHES as the settings make them from REDIS_URL (the module read afresh with that environment)."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    return runpy.run_path(str(SETTINGS))["CACHES"]


@pytest.fixture
def dead_cache(settings, monkeypatch):
    """A Redis URL on a closed port: every connection is refused."""
    settings.CACHES = caches_for("redis://127.0.0.1:1/0", monkeypatch)
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    cache.clear()  # what an earlier test left in this process's memory


@pytest.fixture
def silent_cache(settings, monkeypatch):
    """A Redis URL on a port that accepts connections and never answers (a hung Redis, a lost network)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    settings.CACHES = caches_for(f"redis://127.0.0.1:{listener.getsockname()[1]}/0", monkeypatch)
    yield
    listener.close()


def browser(user=None):
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def visit(client, url, method="get", data=None, **headers):
    response = getattr(client, method)(url, data or {}, **headers)
    return (url, method, response.status_code), response


def pages_answer(world):
    """Every page a drafter, a reviewer and a stranger land on; returns (failures, responses)."""
    drafter, reviewer, nobody = browser(world.drafter_a), browser(world.reviewer), browser()
    account = UserFactory(username="lan.cache")
    account.set_password(PASSWORD)
    account.save()
    report = world.report_a
    seen = []
    for client, url in [
        (nobody, reverse("login")),
        (nobody, reverse("password_reset")),
        (drafter, reverse("reports:report_list")),
        (drafter, reverse("reports:report_detail", args=[report.pk])),
        (drafter, reverse("reports:report_detail", args=[report.pk])),  # the second visit: from the cache
        (drafter, section_url(report)),
        (reviewer, reverse("reports:dashboard", args=[world.round.code])),
        (reviewer, reverse("reports:rollup", args=[world.round.code, world.superior.code])),
        (reviewer, reverse("reports:rollup", args=[world.round.code, world.superior.code])),
        (drafter, reverse("javascript-catalog")),
    ]:
        seen.append(visit(client, url))
    seen.append(
        visit(
            drafter,
            section_url(report),
            "post",
            {"version": 0, "content": "<p>Gõ khi bộ nhớ đệm hỏng</p>"},
            HTTP_X_AUTOSAVE="1",
        )
    )
    seen.append(visit(drafter, reverse("exports:report_docx", args=[report.pk])))
    seen.append(visit(nobody, reverse("login"), "post", {"username": "lan.cache", "password": PASSWORD}))
    seen.append(visit(browser(), reverse("login"), "post", {"username": "lan.cache", "password": "sai"}))
    seen.append(visit(browser(), reverse("password_reset"), "post", {"email": account.email}))
    failures = [key for key, response in seen if response.status_code not in (200, 302)]
    return failures, seen


def assert_vietnamese(seen):
    for (url, _method, status), response in seen:
        if status == 200 and response["Content-Type"].startswith("text/html"):
            assert '<html lang="vi">' in response.content.decode(), url


def test_every_page_works_with_the_cache_refusing_connections(world, dead_cache):
    failures, seen = pages_answer(world)
    assert failures == [], failures
    assert_vietnamese(seen)
    # What the autosave sent is stored; the right password logs in; the reset mail went out.
    stored = SectionText.objects.get(report=world.report_a, node=writable_nodes(world.report_a)[0])
    assert stored.content == "<p>Gõ khi bộ nhớ đệm hỏng</p>" and stored.version == 1
    logins = [response for (url, method, _), response in seen if url == reverse("login") and method == "post"]
    assert logins[0].status_code == 302 and logins[0].url == reverse("home")
    assert logins[1].status_code == 200 and "Tên đăng nhập hoặc mật khẩu không đúng" in logins[1].content.decode()
    assert [m.to for m in mail.outbox] == [["lan.cache@congdoan.example"]]


class Hung(BaseException):
    """Not an Exception: Django's handler must not turn it into a 500 page and carry on."""


@contextlib.contextmanager
def within(seconds):
    def give_up(signum, frame):
        raise Hung(f"the pages still waited for the cache after {seconds} s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_every_page_works_with_a_cache_that_never_answers(world, silent_cache):
    # A silent Redis costs a short wait once, not a wait per cache call on every page.
    with within(seconds=15):
        failures, seen = pages_answer(world)
    assert failures == [], failures
    assert_vietnamese(seen)


def test_the_reset_mail_limit_still_holds_with_the_cache_down(dead_cache):
    """Fail-safe, not fail-open: with the shared cache down the limit is counted in each worker's
    memory, so the form still cannot flood a mailbox (at most the limit per worker and hour)."""
    account = UserFactory(username="lan.limit")
    for _ in range(6):
        response = browser().post(reverse("password_reset"), {"email": account.email})
        assert response.status_code == 302
    assert len(mail.outbox) == 3


def test_with_redis_up_the_cache_is_the_shared_one(settings, monkeypatch):
    """The fallback changes nothing while Redis answers: what one worker caches, another reads from Redis."""
    import redis

    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    # A prefix of this process's own: CI's SQLite and PostgreSQL passes run side by side on one Redis.
    monkeypatch.setenv("CACHE_KEY_PREFIX", f"test-dead-cache-{os.getpid()}")
    settings.CACHES = caches_for(url, monkeypatch)
    cache.set("shared", "bản ghi", 30)
    try:
        assert redis.Redis.from_url(url).exists(cache.make_key("shared")) == 1
        assert cache.get("shared") == "bản ghi"
    finally:
        cache.delete("shared")
