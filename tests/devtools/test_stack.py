"""The production shape of `make stack` (devtools.stack): nginx in front of two gunicorn nodes. One node is
killed with SIGKILL while a drafter autosaves and reads through nginx: every save the page sends (again,
after a 502, as section_edit.js does) is stored, every page read answers, and the last text acknowledged
is the one the database holds. Needs nginx and PostgreSQL (the production database): skipped locally
without them, a failure under CI, which installs nginx."""

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as DjangoClient
from django.urls import reverse

from devtools.bench_load import CSRF_FIELD, VERSION_FIELD, Client
from devtools.stack import Stack
from outline.models import OutlineNode
from reports.models import SectionText
from tests.conftest import build_world

BUSY = (502, 503, 504, 599)


def _nginx_or_skip():
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        reason = "nginx is not installed (Debian: apt-get install nginx-light)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the two-node test: {reason}")
        pytest.skip(reason)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _session(user) -> str:
    """A logged-in session in the database, as the login page leaves one (any node reads it)."""
    client = DjangoClient()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _save(client, path, form, headers):
    """Send one autosave until it is stored, as the page does; returns (status, answers seen)."""
    seen = []
    for _ in range(40):
        status, data, _h, _ms = client.request("POST", path, body=form, headers=headers)
        seen.append(status)
        if status not in BUSY:
            return status, data, seen
        time.sleep(0.25)
    return status, data, seen


@pytest.mark.django_db(transaction=True)
def test_a_node_killed_under_a_drafter_loses_no_save_and_no_page(tmp_path):
    _nginx_or_skip()
    if connection.vendor != "postgresql":
        pytest.skip("the production shape runs on PostgreSQL (the PostgreSQL pass of CI runs it)")
    world = build_world()
    node = OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True).order_by("position")[0]
    env = {
        "DJANGO_SETTINGS_MODULE": "reportsite.settings.test",
        "DATABASE_URL": _database_url(),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "REDIS_URL": "",
    }
    section_path = reverse("reports:section_edit", args=[world.report_a.pk, node.key])
    report_path = reverse("reports:report_detail", args=[world.report_a.pk])
    with Stack(Path(settings.BASE_DIR), env, nodes=2, workers=0, web_concurrency=1, run_dir=tmp_path / "run") as stack:
        client = Client(stack.port, _session(world.drafter_a))
        status, page, _h, _ms = client.request("GET", section_path)
        assert status == 200
        token = CSRF_FIELD.search(page).group(1).decode()
        version = int(VERSION_FIELD.search(page).group(1))
        headers = {"X-CSRFToken": token, "X-Autosave": "1", "Accept": "application/json"}
        answers, pages = [], []
        for n in range(12):
            if n == 4:
                # Both nodes have served this drafter by now (nginx takes them in turn); one goes.
                os.killpg(stack.nodes[0].pid, signal.SIGKILL)
                stack.nodes[0].wait(10)
            form = {"content": f"<p>Lần lưu số {n}.</p>", "version": version, "is_done": "", "go": "stay"}
            status, data, seen = _save(client, section_path, form, headers)
            answers.append((n, status, seen))
            assert status == 200, answers
            version = json.loads(data)["version"]
            pages.append(client.request("GET", report_path)[0])
        assert pages == [200] * 12
    stored = SectionText.objects.get(report=world.report_a, node=node)
    assert "Lần lưu số 11." in stored.content
    assert stored.version == version
