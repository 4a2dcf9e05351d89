"""Review fixes of the onboarding work: no unit under a merged one, codes a URL can hold, an invitation
page that tells nothing about a made-up link, a resend that never wipes a password just set, one
account per e-mail address in the admin too."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.units.factories import UnitFactory, UserFactory
from tests.units.test_import_admin import admin_client  # noqa: F401 (a fixture)
from tests.units.test_imports import workbook
from tests.units.test_invitations import NEW_PASSWORD, invited_user, link_in, open_link
from units.imports import ImportInvalid, import_plan, units_import
from units.invitations import users_invite
from units.models import Unit
from units.services import unit_deactivate, unit_merge, unit_move

pytestmark = pytest.mark.django_db
User = get_user_model()
NO_SLASH = "không được chứa dấu gạch chéo"


def test_unit_move_refuses_an_inactive_parent_and_moves_nothing():
    top = UnitFactory(is_grassroots=False)
    a, b = UnitFactory(parent=top), UnitFactory(parent=top)
    merged = unit_merge(sources=[a], target=b) and Unit.objects.get(pk=a.pk)
    c = UnitFactory(parent=top)
    with pytest.raises(ValidationError) as refused:
        unit_move(unit=c, new_parent=merged)
    assert "không còn hoạt động" in refused.value.messages[0]
    c.refresh_from_db()
    assert c.parent_id == top.pk and c.path == f"{top.path}{c.pk}/"


def test_the_import_refuses_a_closed_parent_but_not_an_unchanged_row():
    top = UnitFactory(code="TOP", is_grassroots=False)
    closed = UnitFactory(code="CLOSED", parent=top)
    unit_deactivate(unit=closed)
    plan = import_plan(workbook([("NEW", "Công đoàn cơ sở mới", "CĐCS", "CLOSED", "Có", "V")]))
    assert [e.row for e in plan.errors] == [2] and "không còn hoạt động" in str(plan.errors[0])
    # The closed unit itself, listed as it is, is not an error.
    plan = import_plan(workbook([("CLOSED", closed.name, closed.kind, "TOP", "Có", closed.congress_number)]))
    assert plan.ok, plan.errors


def test_a_code_with_a_slash_is_refused_by_the_import_and_the_model():
    top = UnitFactory(code="TOP", is_grassroots=False)
    with pytest.raises(ImportInvalid) as refused:
        units_import(data=workbook([("CS/01", "Công đoàn cơ sở X", "CĐCS", "TOP", "Có", "V")]))
    assert NO_SLASH in str(refused.value.plan.errors[0]) and "CS/01" in str(refused.value.plan.errors[0])
    assert not Unit.objects.filter(code="CS/01").exists()
    unit = Unit(code="CS/01", name="X", kind="CĐCS", parent=top, path="/")
    with pytest.raises(ValidationError) as invalid:
        unit.full_clean()
    assert NO_SLASH in invalid.value.message_dict["code"][0]
    Unit(code="CS-01.a_b Đ", name="X", kind="CĐCS", parent=top, path="/").full_clean()


def test_a_made_up_link_says_the_same_for_an_account_with_a_password_as_without():
    with_password = UserFactory(username="has")
    without = invited_user(username="without")
    pages = []
    for user in (with_password, without):
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        pages.append(Client().get(reverse("invitation_accept", args=[uid, "abc-def"])).content.decode())
    for page in pages:
        assert "không hợp lệ" in page and "đã được dùng" not in page


def test_a_resend_after_the_password_was_set_keeps_it(client, django_capture_on_commit_callbacks):
    lan = invited_user(username="lan")
    with django_capture_on_commit_callbacks(execute=True):
        users_invite(users=[lan])
    stale = User.objects.get(pk=lan.pk)  # read before the password is set, as a resend page would
    page = open_link(client, link_in(mail.outbox[0]))
    done = client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    result = users_invite(users=[stale], resend=True)
    assert not result.sent and result.skipped
    lan.refresh_from_db()
    assert lan.check_password(NEW_PASSWORD)
    # The used link still says it was used (it was genuine).
    assert "đã được dùng" in open_link(type(client)(), link_in(mail.outbox[0])).content.decode()


def test_the_user_add_form_refuses_an_e_mail_already_used(admin_client):  # noqa: F811
    UserFactory(username="lan", email="Lan@CongDoan.example")
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {"username": "lan2", "last_name": "Nguyễn Thị", "first_name": "Lan", "email": "lan@congdoan.example"},
    )
    assert response.status_code == 200
    assert "đã được dùng cho tài khoản khác" in response.content.decode()
    assert response.context["adminform"].form["username"].value() == "lan2"  # nothing typed is lost
    assert not User.objects.filter(username="lan2").exists() and not mail.outbox


def unit_page_data(unit, **changes):
    data = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "congress_number": unit.congress_number,
        "is_active": "on",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        **changes,
    }
    if unit.is_grassroots:
        data["is_grassroots"] = "on"
    return data


@pytest.mark.parametrize("where", ["closed", "below"])
def test_the_unit_page_refuses_a_parent_that_is_closed_or_below_in_words(admin_client, where):  # noqa: F811
    top = UnitFactory(is_grassroots=False)
    middle = UnitFactory(parent=top, is_grassroots=False)
    below = UnitFactory(parent=middle)
    closed = UnitFactory(parent=top)
    unit_deactivate(unit=closed)
    target = closed if where == "closed" else below
    url = reverse("admin:units_unit_change", args=[middle.pk])
    response = admin_client.post(url, unit_page_data(middle, parent=target.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert ("không còn hoạt động" if where == "closed" else "không thể chuyển") in text.lower()
    middle.refresh_from_db()
    assert middle.parent_id == top.pk


def test_a_parent_closed_between_the_plan_and_the_writes_is_refused_in_words(monkeypatch):
    top = UnitFactory(code="TOP", is_grassroots=False)
    other = UnitFactory(code="OTHER", is_grassroots=False, parent=top)
    moving = UnitFactory(code="MOVING", parent=top)
    data = workbook([("MOVING", moving.name, moving.kind, "OTHER", "Có", moving.congress_number)])
    import units.imports.applying as imports

    planned = imports.import_plan

    def plan_then_close(data, **kwargs):
        plan = planned(data, **kwargs)
        Unit.objects.filter(pk=other.pk).update(is_active=False)  # another administrator, meanwhile
        return plan

    monkeypatch.setattr(imports, "import_plan", plan_then_close)
    with pytest.raises(ImportInvalid) as refused:
        units_import(data=data)
    assert "không còn hoạt động" in str(refused.value.plan.errors[0])
    moving.refresh_from_db()
    assert moving.parent_id == top.pk


def test_the_user_page_refuses_an_e_mail_of_another_account(admin_client):  # noqa: F811
    UserFactory(username="lan", email="lan@congdoan.example")
    hoa = UserFactory(username="hoa", email="hoa@congdoan.example")
    url = reverse("admin:auth_user_change", args=[hoa.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v not in (None, False) and k in form.fields and k != "password"}
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.update(
        {
            "date_joined_0": "01/01/2025",
            "date_joined_1": "00:00:00",
            "invitations-TOTAL_FORMS": 0,
            "invitations-INITIAL_FORMS": 0,
        }
    )
    data["groups"] = data["user_permissions"] = []
    refused = admin_client.post(url, {**data, "email": "LAN@congdoan.example"})
    assert refused.status_code == 200 and "đã được dùng cho tài khoản khác" in refused.content.decode()
    hoa.refresh_from_db()
    assert hoa.email == "hoa@congdoan.example"
    # Its own address, unchanged, is fine.
    assert admin_client.post(url, {**data, "first_name": "Hoa"}).status_code == 302
