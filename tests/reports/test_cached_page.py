"""The report page from its cache: a hit reads the session, the user with the units they act for and
the report (with its unit's superior, which the cached body's key names, and the user's unread
notifications), nothing else, whatever the size of the report."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outline.models import OutlineNode
from reports.services import section_save
from tests.conftest import build_world


def _tables(sql: str) -> str:
    """The table a statement reads from (its outer FROM, not a subquery's)."""
    depth = 0
    for index, char in enumerate(sql):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and sql.startswith(" FROM ", index):
            return sql[index + 6 :].split(" ", 1)[0].strip('"')
    raise AssertionError(sql)


def _hit(client, report) -> list[str]:
    url = reverse("reports:report_detail", args=[report.pk])
    assert client.get(url).status_code == 200  # the miss fills the cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [_tables(q["sql"]) for q in ctx.captured_queries]


def test_a_cached_report_page_takes_three_statements_whatever_its_size(client, db):
    counts = []
    for sections in (3, 30):
        world = build_world(sections=sections)
        for node in OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True):
            section_save(
                report=world.report_a,
                node=node,
                base_version=0,
                is_done=True,
                actor=world.drafter_a,
                content="<p>Có</p>",
            )
        client.force_login(world.drafter_a)
        tables = _hit(client, world.report_a)
        # The session; the user, joined with their memberships and units (units.backends); the report with its
        # round, unit and superior, and the bell's unread count. No membership, unit or outline read apart.
        assert tables == ["django_session", "auth_user", "reports_report"], tables
        counts.append(len(tables))
        client.force_login(world.reviewer)
        assert _hit(client, world.report_a) == tables
    assert counts[0] == counts[1]


def test_the_user_read_with_their_units_has_the_same_access_as_read_apart(db):
    from django.contrib.auth import get_user_model

    from units.selectors import user_access, user_with_access

    world = build_world()
    world.unit_b.is_active = False  # a unit no longer active gives no access, read either way
    type(world.unit_b).objects.filter(pk=world.unit_b.pk).update(is_active=False)
    for user in [*world.users().values()]:
        joined = user_access(user_with_access(user.pk))
        apart = user_access(get_user_model().objects.get(pk=user.pk))
        assert joined == apart, user
        assert joined.drafter_units == apart.drafter_units and joined.overseen_units == apart.overseen_units
    assert user_with_access(10**9) is None


def test_the_menu_counts_the_unread_notifications_on_the_report_page_as_elsewhere(client, db):
    from reports.models import Notification

    world = build_world()
    for n in range(3):
        Notification.objects.create(
            user=world.drafter_a, report=world.report_a, kind="comment", message=f"Thông báo {n}"
        )
    Notification.objects.filter(pk=Notification.objects.order_by("pk").first().pk).update(read_at="2026-01-01T00:00Z")
    Notification.objects.create(user=world.reviewer, report=world.report_a, kind="comment", message="Của người khác")
    client.force_login(world.drafter_a)
    for url in (reverse("reports:report_detail", args=[world.report_a.pk]), reverse("password_change")):
        response = client.get(url)
        assert response.context["unread_notifications"] == 2, url
        assert '<span class="badge text-bg-warning">2</span>' in response.content.decode(), url
