"""Accounts by invitation: a one-time link to choose one's own password."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.units.factories import MembershipFactory, UnitFactory, UserFactory
from units.invitations import invitation_tokens, users_invite
from units.models import Invitation, Role

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "Hoa-sen-nở-2026"


def invited_user(**kwargs):
    user = UserFactory(**kwargs)
    user.set_unusable_password()
    user.save()
    return user


def link_in(message) -> str:
    return re.search(r"https?://\S+/moi/\S+/", message.body).group(0).split("://", 1)[1].split("/", 1)[1]


def open_link(client, path):
    return client.get("/" + path, follow=True)


def test_the_command_invites_those_not_yet_invited_once(django_capture_on_commit_callbacks):
    unit = UnitFactory(name="Công đoàn cơ sở Công ty Hòa Bình")
    lan = invited_user(username="lan", first_name="Lan", last_name="Nguyễn Thị")
    MembershipFactory(user=lan, unit=unit, role=Role.DRAFTER)
    UserFactory(username="has-password")  # already has a password: never invited
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite_users")
    assert [m.to for m in mail.outbox] == [[lan.email]]
    body = mail.outbox[0].body
    assert "Chào Nguyễn Thị Lan" in body and "lan" in body and "7 ngày" in body
    assert "Công đoàn cơ sở Công ty Hòa Bình" in body
    assert Invitation.objects.get().user == lan
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite_users")
    assert len(mail.outbox) == 1  # not twice
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite_users", "--resend")
    assert len(mail.outbox) == 2 and Invitation.objects.count() == 2


def test_the_link_sets_the_password_logs_in_and_cannot_be_used_twice(client, django_capture_on_commit_callbacks):
    lan = invited_user(username="lan")
    admin = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        users_invite(users=[lan], actor=admin)
    assert Invitation.objects.get().sent_by == admin
    path = link_in(mail.outbox[0])
    page = open_link(client, path)
    assert "Đặt mật khẩu" in page.content.decode() or "mật khẩu" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    # Django's validators apply, in Vietnamese.
    refused = client.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert "quá ngắn" in refused.content.decode() or "ngắn" in refused.content.decode()
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    lan.refresh_from_db()
    assert lan.check_password(NEW_PASSWORD)
    assert Invitation.objects.get().accepted_at is not None
    assert client.get(reverse("password_change")).status_code == 200  # logged in
    # The same link again, in another browser.
    other = type(client)()
    again = open_link(other, path)
    assert again.status_code == 200
    text = again.content.decode()
    assert "đã được dùng" in text and reverse("password_reset") in text
    lan.refresh_from_db()
    assert lan.check_password(NEW_PASSWORD)


def test_an_expired_link_says_so_and_sends_a_new_one(client, settings, django_capture_on_commit_callbacks):
    lan = invited_user(username="lan")
    with django_capture_on_commit_callbacks(execute=True):
        users_invite(users=[lan], actor=None)
    path = link_in(mail.outbox[0])
    later = datetime.datetime.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS, hours=1)
    invitation_tokens._now = lambda: later
    try:
        page = open_link(client, path)
        assert page.status_code == 200
        assert "hết hạn" in page.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            resent = client.post("/" + path, {"resend": "1"})
        assert resent.status_code == 200 and "liên kết mới" in resent.content.decode()
    finally:
        del invitation_tokens._now
    assert len(mail.outbox) == 2 and Invitation.objects.count() == 2
    # The old link is void now; the new one works.
    assert "không hợp lệ" in open_link(type(client)(), path).content.decode()
    page = open_link(client, link_in(mail.outbox[1]))
    assert page.context["validlink"] is True


def test_a_made_up_link_is_refused_in_words(client):
    lan = invited_user(username="lan")
    response = client.get(reverse("invitation_accept", args=["MQ", "abc-def"]))
    assert response.status_code == 200 and "không hợp lệ" in response.content.decode()
    response = client.post(reverse("invitation_accept", args=["MQ", "abc-def"]), {"resend": "1"})
    assert response.status_code == 200 and not mail.outbox
    assert not lan.has_usable_password()
