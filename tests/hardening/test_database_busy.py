"""Issue 23, finding 9 on PostgreSQL: a write that could not get its row lock within lock_timeout (another
transaction holding the report) is the same retryable 503 as SQLite's "database is locked", never a 500."""

import psycopg2
import pytest
from django.db import connection, connections
from django.test import Client

from reports.models import Report, SectionText
from tests.hardening.helpers import section_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql_lock_timeout():
    if connection.vendor != "postgresql":
        pytest.skip("lock_timeout is PostgreSQL's; SQLite's lock wait is tested in test_sqlite.py")
    options = connections.settings["default"]["OPTIONS"]
    saved = dict(options)
    options["options"] = "-c lock_timeout=200"
    connection.close()
    yield
    options.clear()
    options.update(saved)
    connection.close()


def test_a_report_locked_past_lock_timeout_answers_a_retryable_503(world, postgresql_lock_timeout):
    client = Client(raise_request_exception=False)
    client.force_login(world.drafter_a)
    url = section_url(world.report_a)
    data = {"version": 0, "content": "<p>Viết khi báo cáo đang bị giữ</p>"}
    params = connection.settings_dict
    holder = psycopg2.connect(
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"],
    )
    try:
        with holder.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {Report._meta.db_table} WHERE id = %s FOR UPDATE", [world.report_a.pk])
            response = client.post(url, data, HTTP_X_AUTOSAVE="1", HTTP_ACCEPT="application/json")
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert "thử lại" in response.json()["error"]
    assert not SectionText.objects.filter(report=world.report_a).exists()
    # The page's next try, with the report free again, is stored.
    assert client.post(url, data, HTTP_X_AUTOSAVE="1").status_code == 200
    assert SectionText.objects.get(report=world.report_a).content == data["content"]
