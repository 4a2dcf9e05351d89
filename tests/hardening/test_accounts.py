"""Finding 7: people change and reset their own passwords; pages and files are not kept by
browsers or proxies; a session lasts a working day, not two weeks."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.indicators.factories import make_catalogue

pytestmark = pytest.mark.django_db


def logs_in(client, username, password):
    """Through the log-in page, as a person does (Axes needs the request)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and response.url == reverse("home")


def test_a_user_changes_their_own_password(client, world):
    user = world.drafter_a
    user.set_password("mat-khau-cu-2026")
    user.save()
    client.force_login(user)
    page = client.get(reverse("password_change")).content.decode()
    assert "Đổi mật khẩu" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": "mat-khau-cu-2026", "new_password1": "Hoa-sen-no-2027", "new_password2": "Hoa-sen-no-2027"},
    )
    assert response.status_code == 302
    client.logout()
    assert logs_in(client, user.username, "Hoa-sen-no-2027")


def test_a_user_resets_a_forgotten_password_by_email(client, world):
    user = world.drafter_a
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page
    client.post(reverse("password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "mật khẩu" in message.subject.lower() or "mật khẩu" in message.body
    link = re.search(r"https?://[^\s]+/dat-lai-mat-khau/[^\s]+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else "/" + path
    assert "Mật khẩu mới" in response.content.decode()
    response = client.post(form_url, {"new_password1": "Song-Hong-2027", "new_password2": "Song-Hong-2027"})
    assert response.status_code == 302
    assert logs_in(client, user.username, "Song-Hong-2027")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, world):
    response = client.post(reverse("password_reset"), {"email": "khong-co@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_report_pages_and_downloads_are_not_stored_by_caches(client, world):
    make_catalogue(world.round.outline_version)
    client.force_login(world.drafter_a)
    for url in (
        reverse("reports:report_detail", args=[world.report_a.pk]),
        reverse("reports:appendix_xlsx", args=[world.report_a.pk]),
        reverse("exports:report_docx", args=[world.report_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        cache_control = response.headers.get("Cache-Control", "")
        assert "no-store" in cache_control and "private" in cache_control, (url, cache_control)


def test_a_session_lasts_a_working_day(client, world):
    assert 4 * 3600 <= settings.SESSION_COOKIE_AGE <= 12 * 3600
    user = world.drafter_a
    user.set_password("Mat-khau-2026")
    user.save()
    response = client.post(reverse("login"), {"username": user.username, "password": "Mat-khau-2026"})
    assert response.status_code == 302
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == settings.SESSION_COOKIE_AGE


def test_reset_mails_are_capped_and_point_at_the_site(client, world, settings):
    settings.SITE_URL = "https://baocao.congdoan.vn"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]  # a Host header the site accepts
    for _ in range(5):
        response = client.post(reverse("password_reset"), {"email": world.drafter_a.email}, HTTP_HOST="evil.example")
        assert response.status_code == 302  # the same answer every time
    assert len(mail.outbox) == 3
    assert "https://baocao.congdoan.vn/dat-lai-mat-khau/" in mail.outbox[0].body
    assert "evil.example" not in mail.outbox[0].body


def test_nul_in_the_login_or_reset_forms_is_said_in_vietnamese(client, world):
    for url, data in (
        (reverse("login"), {"username": "a\x00b", "password": "x\x00y"}),
        (reverse("password_reset"), {"email": "a\x00@example.org"}),
    ):
        page = client.post(url, data).content.decode()
        assert "Null characters" not in page


def test_a_reset_lifts_the_pause_and_the_words_are_vietnamese(client, world):
    user = world.drafter_a
    user.set_password("Mat-khau-cu-2026")
    user.save()
    for _ in range(5):
        client.post(reverse("login"), {"username": user.username, "password": "sai"})
    locked = client.post(reverse("login"), {"username": user.username, "password": "Mat-khau-cu-2026"})
    assert locked.status_code == 429
    assert reverse("password_reset") in locked.content.decode()  # the lock page says what to do next
    client.post(reverse("password_reset"), {"email": user.email})
    body = mail.outbox[0].body
    assert body.startswith(f"Chào {user.last_name} {user.first_name},")  # Vietnamese name order
    path = "/" + re.search(r"https?://[^\s]+/(dat-lai-mat-khau/[^\s]+/)", body).group(1)
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    short = client.post(form_url, {"new_password1": "ngan", "new_password2": "ngan"}).content.decode()
    assert "Mật khẩu quá ngắn" in short and "too short" not in short
    client.post(form_url, {"new_password1": "Song-Hong-2027", "new_password2": "Song-Hong-2027"})
    assert logs_in(client, user.username, "Song-Hong-2027")
