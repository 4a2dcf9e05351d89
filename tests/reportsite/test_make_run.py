"""Issue 23, finding 9: `make run` (the README's way to try the site, on SQLite) showed Django's English
debug page when something failed. It serves the site as a user should see it: the Vietnamese error pages,
the static files, and Django's debug pages only when asked for (DJANGO_DEBUG=1)."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def make_run_server():
    """`manage.py runserver` with the settings `make run` uses (manage.py's default), on the test database."""
    if connection.vendor != "sqlite":
        pytest.skip("make run's default database is SQLite")
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
    environment["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(server.stderr.read())
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(10)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_make_run_shows_the_vietnamese_pages_and_serves_its_static_files(make_run_server):
    status, _, page = get(make_run_server + "/khong-co-trang-nay/")
    assert status == 404
    assert '<html lang="vi">' in page and "Không tìm thấy trang" in page
    assert "URLconf" not in page and "DEBUG = True" not in page

    status, _, page = get(make_run_server + "/dang-nhap/")
    assert status == 200 and '<html lang="vi">' in page

    status, headers, css = get(make_run_server + "/static/css/site.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and css
    status, _, _ = get(make_run_server + "/static/vendor/bootstrap/css/bootstrap.min.css")
    assert status == 200
