"""Issue 23: what a scoped administrator must not be able to lose (see tests/conftest.py for the world:
province → superior S (units A, B) and superior T (unit C))."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from reports import reorganisation
from reports.models import Report
from tests.units.factories import MembershipFactory, UnitFactory, UserFactory
from units.models import Role, Unit
from units.services import unit_deactivate

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


# --- 6. A unit is deactivated and reactivated from above; a superuser reactivates any unit ---


def test_an_administrator_cannot_deactivate_the_unit_they_administer(world):
    cdcs_admin = _admin_of(world.unit_c, "quantri_c")
    c = client_for(cdcs_admin)
    page = c.post(reverse("admin:units_unit_deactivate"), {"units": [world.unit_c.pk], "confirm": "1"})
    assert page.status_code == 200 and page.context["form"].errors["units"]
    # Nor through the list's action (which only carries the units to that page).
    c.post(
        reverse("admin:units_unit_changelist"), {"action": "deactivate_units", "_selected_action": [world.unit_c.pk]}
    )
    world.unit_c.refresh_from_db()
    assert world.unit_c.is_active


def test_a_unit_deactivated_from_above_is_reactivated_from_above_and_its_drafter_reads_the_report_again(world):
    district_admin = _admin_of(world.superior, "quantri_s")
    cdcs_admin = _admin_of(world.unit_a, "quantri_a")
    s, a = client_for(district_admin), client_for(cdcs_admin)
    drafter = client_for(world.drafter_a)
    report_url = reverse("reports:report_detail", args=[world.report_a.pk])
    assert drafter.get(report_url).status_code == 200
    done = s.post(reverse("admin:units_unit_deactivate"), {"units": [world.unit_a.pk], "confirm": "1"})
    assert done.status_code == 302
    assert drafter.get(report_url).status_code == 404
    # The unit's own administrator cannot bring it back; the one above can, from the list's action.
    reactivate = reverse("admin:units_unit_reactivate")
    page = a.post(reactivate, {"units": [world.unit_a.pk], "confirm": "1"})
    assert page.status_code in (200, 403) and not _active(world.unit_a)
    chosen = s.post(
        reverse("admin:units_unit_changelist"), {"action": "reactivate_units", "_selected_action": [world.unit_a.pk]}
    )
    assert chosen.status_code == 302 and reactivate in chosen["Location"]
    form = s.get(chosen["Location"]).content.decode()
    assert "Hoạt động trở lại" in form or "hoạt động trở lại" in form
    confirm = s.post(reactivate, {"units": [world.unit_a.pk]}).content.decode()
    assert world.unit_a.name in confirm and 'name="confirm"' in confirm
    assert s.post(reactivate, {"units": [world.unit_a.pk], "confirm": "1"}).status_code == 302
    assert _active(world.unit_a)
    assert drafter.get(report_url).status_code == 200


def test_a_superuser_reactivates_any_unit_even_a_top_level_one(world):
    top = UnitFactory(code="TOP-CU", name="Liên đoàn Lao động tỉnh Cũ", is_grassroots=False)
    unit_deactivate(unit=top)
    unit_deactivate(unit=world.unit_c)
    su = client_for(world.admin)
    reactivate = reverse("admin:units_unit_reactivate")
    assert su.post(reactivate, {"units": [top.pk, world.unit_c.pk], "confirm": "1"}).status_code == 302
    assert _active(top) and _active(world.unit_c)
    # Its administrator gets its rights back with it.
    cdcs_admin = _admin_of(world.unit_c, "quantri_c")
    assert client_for(cdcs_admin).get(reverse("admin:units_unit_change", args=[world.unit_c.pk])).status_code == 200


def test_reactivating_refuses_a_merged_unit_and_a_unit_under_a_closed_parent_in_words(world):
    su = client_for(world.admin)
    reorganisation.unit_merge(sources=[world.unit_b], target=world.unit_a, actor=world.admin)
    reorganisation.unit_deactivate(unit=world.unit_c, actor=world.admin)
    reorganisation.unit_deactivate(unit=world.other_superior, actor=world.admin)
    reactivate = reverse("admin:units_unit_reactivate")
    page = su.post(reactivate, {"units": [world.unit_b.pk], "confirm": "1"}).content.decode()
    assert "hợp nhất" in page and not _active(world.unit_b)
    page = su.post(reactivate, {"units": [world.unit_c.pk], "confirm": "1"}).content.decode()
    assert world.other_superior.name in page and not _active(world.unit_c)
    # Both together: the parent first.
    both = {"units": [world.unit_c.pk, world.other_superior.pk], "confirm": "1"}
    assert su.post(reactivate, both).status_code == 302
    assert _active(world.unit_c) and _active(world.other_superior)


def _active(unit) -> bool:
    unit.refresh_from_db()
    return unit.is_active


def test_a_unit_reactivated_while_a_round_runs_gets_its_report(world):
    late = UnitFactory(code="CS-MUON", name="Công đoàn cơ sở Muộn", parent=world.superior)
    unit_deactivate(unit=late)
    assert not Report.objects.filter(round=world.round, unit=late).exists()
    reorganisation.unit_reactivate(unit=late, actor=world.admin)
    assert Report.objects.filter(round=world.round, unit=late).exists()


def test_a_unit_is_deleted_only_from_above_too(world):
    cdcs_admin = _admin_of(world.unit_c, "quantri_c")
    c = client_for(cdcs_admin)
    url = reverse("admin:units_unit_delete", args=[world.unit_c.pk])
    assert c.get(url).status_code == 403 and c.post(url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:units_unit_changelist")
    c.post(changelist, {"action": "delete_selected", "_selected_action": [world.unit_c.pk], "post": "yes"})
    assert _active(world.unit_c)  # still there
    # A unit made by mistake below theirs is theirs to delete; the one above deletes theirs.
    below = UnitFactory(code="NHAM", name="Đơn vị tạo nhầm", parent=world.unit_c)
    assert c.post(reverse("admin:units_unit_delete", args=[below.pk]), {"post": "yes"}).status_code == 302
    district_admin = _admin_of(world.other_superior, "quantri_t")
    done = client_for(district_admin).post(url, {"post": "yes"})
    assert done.status_code == 302 and not Unit.objects.filter(pk=world.unit_c.pk).exists()
