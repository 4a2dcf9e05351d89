"""The address e-mails link to (issue 14): in production it is SITE_URL, else https:// and the site's first
host name, never the development default 127.0.0.1:8000; the notification e-mails carry it."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from reports import review
from tests.reports.test_review import submitted

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "reportsite.settings.production",
    "DJANGO_SECRET_KEY": "x" * 50,
    "DATABASE_URL": "sqlite:////tmp/site-url-check.sqlite3",
}


def production_site_url(**env) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DJANGO_ALLOWED_HOSTS")}
    environment.update(PRODUCTION, **env)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)",
        ],
        env=environment,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def test_production_links_to_the_sites_own_address():
    assert production_site_url(DJANGO_ALLOWED_HOSTS="baocao.congdoan.vn,www.baocao.congdoan.vn") == (
        "https://baocao.congdoan.vn"
    )
    assert production_site_url(DJANGO_ALLOWED_HOSTS="baocao.congdoan.vn", SITE_URL="https://bc.ldld.vn/") == (
        "https://bc.ldld.vn"
    )
    assert "Set SITE_URL" in production_site_url(DJANGO_ALLOWED_HOSTS="")


@pytest.mark.django_db(transaction=True)
def test_a_notification_e_mail_links_to_the_site_url(world, settings):
    settings.SITE_URL = "https://baocao.congdoan.vn"
    report = submitted(world)
    mail.outbox.clear()
    review.report_return(report=report, note="Bổ sung số liệu", items=[], due=None, actor=world.reviewer)
    body = mail.outbox[0].body
    assert "https://baocao.congdoan.vn" + reverse("reports:report_detail", args=[report.pk]) in body
    assert "127.0.0.1" not in body
