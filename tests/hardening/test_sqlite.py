"""Finding 2: the default SQLite database answers concurrent writers as PostgreSQL does:
conflicts as conflicts (409), a submit during autosaves as a submit, never "database is locked"."""

import pytest
from django.db import connection
from django.test import Client

from reports.models import SectionText, Submission
from tests.hardening.helpers import section_url, writable_nodes, write_all
from tests.test_concurrency import together

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
    from tests.units.factories import MembershipFactory

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
