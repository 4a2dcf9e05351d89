"""Issue 23: what a scoped administrator must not be able to lose (see tests/conftest.py for the world:
province → superior S (units A, B) and superior T (unit C))."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.units.factories import MembershipFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db
User = get_user_model()


def _admin_of(unit, username):
    return MembershipFactory(unit=unit, role=Role.ADMIN, user=UserFactory(username=username, is_staff=True)).user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- 5. Staff accounts are deleted by superusers only ---


def test_an_administrator_cannot_delete_a_fellow_administrators_account(world):
    district_admin = _admin_of(world.superior, "quantri_s")
    colleague = _admin_of(world.unit_a, "quantri_a")
    s = client_for(district_admin)
    url = reverse("admin:auth_user_delete", args=[colleague.pk])
    assert s.get(url).status_code == 403
    assert s.post(url, {"post": "yes"}).status_code == 403
    # Nor through the list's bulk action, alone or among accounts they may delete.
    changelist = reverse("admin:auth_user_changelist")
    for chosen in ([colleague.pk], [colleague.pk, world.drafter_a.pk]):
        s.post(changelist, {"action": "delete_selected", "_selected_action": chosen, "post": "yes"})
    assert User.objects.filter(pk=colleague.pk).exists() and User.objects.filter(pk=world.drafter_a.pk).exists()
    # The confirmation page says why, in Vietnamese.
    page = s.post(changelist, {"action": "delete_selected", "_selected_action": [colleague.pk]}).content.decode()
    assert "quantri_a" in page and "quản trị kỹ thuật" in page
    # The change page offers no "Delete" link for it.
    assert url not in s.get(reverse("admin:auth_user_change", args=[colleague.pk])).content.decode()
    # Their own staff account neither.
    assert s.post(reverse("admin:auth_user_delete", args=[district_admin.pk]), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=district_admin.pk).exists()


def test_an_administrator_still_deletes_a_drafters_account_and_a_superuser_a_staff_account(world):
    district_admin = _admin_of(world.superior, "quantri_s")
    colleague = _admin_of(world.unit_a, "quantri_a")
    s = client_for(district_admin)
    changelist = reverse("admin:auth_user_changelist")
    done = s.post(changelist, {"action": "delete_selected", "_selected_action": [world.drafter_a.pk], "post": "yes"})
    assert done.status_code == 302 and not User.objects.filter(pk=world.drafter_a.pk).exists()
    su = client_for(world.admin)
    done = su.post(reverse("admin:auth_user_delete", args=[colleague.pk]), {"post": "yes"})
    assert done.status_code == 302 and not User.objects.filter(pk=colleague.pk).exists()
