"""Finding 2: the default SQLite database answers concurrent writers as PostgreSQL does:
conflicts as conflicts (409), a submit during autosaves as a submit, never "database is locked"."""

import pytest
from django.db import connection
from django.test import Client

from reports.models import SectionText, Submission
from tests.conftest import build_world
from tests.hardening.helpers import lock_wait, section_url, writable_nodes, write_all, write_lock_held
from tests.test_concurrency import together
from tests.units.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite settings are checked on SQLite; PostgreSQL has its own race tests")


def test_the_file_database_runs_in_wal_mode_with_a_busy_timeout():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def clients(*users):
    made = []
    for user in users:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        made.append(client)
    return made


def test_two_people_saving_one_section_get_a_save_and_a_conflict(world):
    second = MembershipFactory(unit=world.unit_a, role="drafter").user
    lan, hung = clients(world.drafter_a, second)
    url = section_url(world.report_a)
    for round_ in range(8):
        version = SectionText.objects.filter(report=world.report_a).values_list("version", flat=True).first() or 0

        def save(client, text, version=version):
            return client.post(url, {"version": version, "content": f"<p>{text}</p>"}, HTTP_X_AUTOSAVE="1").status_code

        first, second = f"Lan {round_}", f"Hùng {round_}"
        statuses = together(lambda a=first: save(lan, a), lambda b=second: save(hung, b))
        assert sorted(statuses) == [200, 409], (round_, statuses)


def test_a_submit_during_autosaves_is_a_submit(world):
    write_all(world.report_a, world.drafter_a)
    nodes = writable_nodes(world.report_a)
    writers = clients(*[world.drafter_a] * 4)
    submitter = writers[0]
    from django.urls import reverse

    def autosave(client, node):
        section = SectionText.objects.get(report=world.report_a, node=node)
        return client.post(
            section_url(world.report_a, node),
            {"version": section.version, "content": "<p>Gõ thêm khi đang nộp</p>", "is_done": "on"},
            HTTP_X_AUTOSAVE="1",
        ).status_code

    statuses = together(
        lambda: submitter.post(reverse("reports:report_submit", args=[world.report_a.pk])).status_code,
        *[lambda c=c, n=n: autosave(c, n) for c, n in zip(writers[1:], nodes, strict=False)],
    )
    assert statuses[0] == 302, statuses
    assert all(status in (200, 409, 423) for status in statuses[1:]), statuses
    snapshot = Submission.objects.get(report=world.report_a).sections
    for node in nodes:
        assert SectionText.objects.get(report=world.report_a, node=node).content == snapshot[node.key]


# Issue 23, finding 9: 22 autosavers on an overloaded machine still met "database is locked" (500, in
# Django's English debug page under `make run`). A writer that waited its whole turn is told to come back
# (503 with Retry-After, in Vietnamese), and the page's next try stores the text: never a 500.
WRITERS = 22


def busy(response):
    """A 503 that says when to try again, and says it in Vietnamese."""
    assert response.status_code == 503, response.status_code
    assert int(response["Retry-After"]) > 0
    return response


@pytest.fixture
def short_lock_wait():
    with lock_wait(seconds=0.2):
        yield


def test_22_autosavers_past_the_lock_wait_get_a_retryable_503_and_lose_nothing(short_lock_wait):
    world = build_world(sections=WRITERS)
    report = world.report_a
    nodes = writable_nodes(report)
    writers = clients(*[MembershipFactory(unit=world.unit_a, role="drafter").user for _ in nodes])
    texts = {node.key: f"<p>Đoạn của người viết mục {node.number}</p>" for node in nodes}
    versions = dict.fromkeys(texts, 0)

    def autosave(client, node):
        response = client.post(
            section_url(report, node),
            {"version": versions[node.key], "content": texts[node.key]},
            HTTP_X_AUTOSAVE="1",
            HTTP_ACCEPT="application/json",
        )
        return node, response

    # All 22 at once while the database is held past their wait: each is told to come back.
    with write_lock_held():
        answers = together(*[lambda c=c, n=n: autosave(c, n) for c, n in zip(writers, nodes, strict=True)])
    refused = [busy(response) for _, response in answers]
    assert all("thử lại" in response.json()["error"] for response in refused)
    assert not SectionText.objects.filter(report=report).exists()

    # The pages try again (the same text, the same version) until every one is stored; 22 writers at once
    # may still find the lock taken, which is a 503 again, never anything else.
    pending = dict(zip((n.key for n in nodes), zip(writers, nodes, strict=True), strict=True))
    for _ in range(20):
        if not pending:
            break
        answers = together(*[lambda c=c, n=n: autosave(c, n) for c, n in pending.values()])
        for node, response in answers:
            if response.status_code == 200:
                pending.pop(node.key)
            else:
                busy(response)
    assert not pending
    stored = dict(SectionText.objects.filter(report=report).values_list("node__key", "content"))
    assert stored == texts


def test_a_save_past_the_lock_wait_gets_the_vietnamese_busy_page(world, short_lock_wait):
    (drafter,) = clients(world.drafter_a)
    url = section_url(world.report_a)
    with write_lock_held():
        # Reading goes on while another writes (WAL): the page opens.
        assert drafter.get(url).status_code == 200
        response = busy(drafter.post(url, {"version": 0, "content": "<p>Lưu bằng nút</p>", "go": "stay"}))
    page = response.content.decode()
    assert '<html lang="vi">' in page and "thử lại" in page
    assert "database is locked" not in page and "OperationalError" not in page
