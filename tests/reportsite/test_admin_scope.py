"""A union administrator reaches, in the admin, only what lies in the units they administer: the
subtrees of the units where they hold the Administrator role (units.selectors.administered_units_q).

The world (tests/conftest.py): province → superior S (units A, B; the round is S's) and superior T
(unit C). A CĐCS administrator holds the role on C, a district one on S, a province one on the
province; none is a superuser."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outline.models import OutlineVersion
from reports.models import Report, Round
from tests.units.factories import MembershipFactory, UnitFactory, UserFactory
from tests.units.test_imports import workbook
from units.imports import import_plan
from units.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db


def _admin_of(unit, username):
    return MembershipFactory(unit=unit, role=Role.ADMIN, user=UserFactory(username=username, is_staff=True)).user


@pytest.fixture
def cdcs_admin(world):
    return _admin_of(world.unit_c, "quantri_c")


@pytest.fixture
def district_admin(world):
    return _admin_of(world.superior, "quantri_s")


@pytest.fixture
def province_admin(world):
    return _admin_of(world.province, "quantri_tinh")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(client, name) -> set:
    response = client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def not_found(response) -> bool:
    # Django's admin answers an object outside the queryset with a redirect to its index.
    return response.status_code in (302, 403, 404)


def test_each_changelist_shows_only_the_administrators_subtree(world, cdcs_admin, district_admin, province_admin):
    c, s, p = client_for(cdcs_admin), client_for(district_admin), client_for(province_admin)
    assert listed(c, "units_unit") == {world.unit_c.pk}
    assert listed(s, "units_unit") == {world.superior.pk, world.unit_a.pk, world.unit_b.pk}
    assert listed(p, "units_unit") == set(Unit.objects.values_list("pk", flat=True))
    assert listed(c, "reports_round") == set() and listed(s, "reports_round") == {world.round.pk}
    assert listed(c, "reports_report") == set()
    in_s = Report.objects.filter(unit__path__startswith=world.superior.path)
    assert listed(s, "reports_report") == set(in_s.values_list("pk", flat=True))
    assert world.report_a.pk in listed(s, "reports_report")
    assert listed(c, "units_membership") == set(
        Membership.objects.filter(unit=world.unit_c).values_list("pk", flat=True)
    )
    # Accounts: those whose roles all lie in the subtree (the reviewer of T and the drafters are not C's).
    assert listed(c, "auth_user") == {cdcs_admin.pk}
    assert listed(s, "auth_user") == {district_admin.pk, world.drafter_a.pk, world.drafter_b.pk, world.reviewer.pk}
    assert world.reviewer_elsewhere.pk in listed(p, "auth_user")
    assert world.admin.pk not in listed(p, "auth_user")  # a superuser: never for a union administrator


def test_a_superuser_still_sees_everything(world):
    su = client_for(world.admin)
    assert listed(su, "units_unit") == set(Unit.objects.values_list("pk", flat=True))
    assert listed(su, "reports_report") == set(Report.objects.values_list("pk", flat=True))
    assert su.get(reverse("admin:reports_round_change", args=[world.round.pk])).status_code == 200


def test_objects_outside_the_subtree_are_not_found(world, cdcs_admin, province_admin):
    c = client_for(cdcs_admin)
    boss_membership = province_admin.memberships.get()
    for name, pk in [
        ("reports_round", world.round.pk),
        ("reports_report", world.report_a.pk),
        ("units_unit", world.province.pk),
        ("units_unit", world.unit_a.pk),
        ("units_membership", boss_membership.pk),
        ("auth_user", province_admin.pk),
    ]:
        for view in ("change", "delete", "history"):
            assert not_found(c.get(reverse(f"admin:{name}_{view}", args=[pk]))), (name, view)
    # Nor changed by a post.
    c.post(reverse("admin:units_unit_delete", args=[world.unit_a.pk]), {"post": "yes"})
    assert Unit.objects.filter(pk=world.unit_a.pk).exists()
    # The site's own round page and the admin agree.
    assert c.get(reverse("reports:round_edit", args=[world.round.code])).status_code == 404


def test_no_role_granted_outside_the_subtree(world, cdcs_admin):
    c = client_for(cdcs_admin)
    for unit in (world.province, world.other_superior, world.unit_a):
        response = c.post(
            reverse("admin:units_membership_add"), {"user": cdcs_admin.pk, "unit": unit.pk, "role": Role.ADMIN}
        )
        assert response.status_code == 200 and response.context["adminform"].form.errors["unit"]
    assert list(cdcs_admin.memberships.values_list("unit", flat=True)) == [world.unit_c.pk]
    # Nor to an account they do not administer (no role in their units), on their own unit.
    response = c.post(
        reverse("admin:units_membership_add"),
        {"user": world.drafter_a.pk, "unit": world.unit_c.pk, "role": Role.DRAFTER},
    )
    assert response.context["adminform"].form.errors["user"]
    assert not Membership.objects.filter(user=world.drafter_a, unit=world.unit_c).exists()
    # Within it, a role is given as before.
    drafter = MembershipFactory(unit=world.unit_c, role=Role.DRAFTER).user
    done = c.post(reverse("admin:units_membership_add"), {"user": drafter.pk, "unit": world.unit_c.pk, "role": "admin"})
    assert done.status_code == 302 and drafter.memberships.filter(role=Role.ADMIN).exists()


def test_a_round_is_organised_only_by_a_unit_they_administer(world, district_admin):
    s = client_for(district_admin)
    form = s.get(reverse("admin:reports_round_add")).context["adminform"].form
    assert set(form.fields["organising_unit"].queryset) == {world.superior, world.unit_a, world.unit_b}
    # The reports list filters by the rounds listed, not by every round of the province.
    Round.objects.create(code="KHAC", name="Đợt của đơn vị khác", organising_unit=world.other_superior,
                         outline_version=world.round.outline_version, deadline=world.round.deadline,
                         term_start_year=2023, term_end_year=2028, cutoff_date=world.round.cutoff_date)  # fmt: skip
    page = s.get(reverse("admin:reports_report_changelist")).content.decode()
    assert "Đợt của đơn vị khác" not in page and str(world.round) in page


def test_the_autocomplete_offers_only_the_subtree(world, district_admin):
    s = client_for(district_admin)
    url = reverse("admin:autocomplete")
    found = s.get(url, {"app_label": "units", "model_name": "membership", "field_name": "unit", "term": ""}).json()
    assert {int(r["id"]) for r in found["results"]} == {world.superior.pk, world.unit_a.pk, world.unit_b.pk}


def _user_form_data(client, user):
    form = client.get(reverse("admin:auth_user_change", args=[user.pk])).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v not in (None, False) and k in form.fields and k != "password"}
    data.update({"date_joined_0": "01/01/2025", "date_joined_1": "00:00:00"})
    data.update({"invitations-TOTAL_FORMS": 0, "invitations-INITIAL_FORMS": 0})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    return data


def test_a_staff_accounts_email_and_status_are_for_superusers(world, district_admin):
    s = client_for(district_admin)
    colleague = MembershipFactory(unit=world.unit_a, role=Role.ADMIN, user=UserFactory(is_staff=True)).user
    page = s.get(reverse("admin:auth_user_change", args=[colleague.pk])).content.decode()
    assert 'name="email"' not in page and 'name="is_staff"' not in page and 'name="is_active"' not in page
    data = {**_user_form_data(s, colleague), "email": "ke-gian@evil.example", "first_name": "Mới"}
    assert s.post(reverse("admin:auth_user_change", args=[colleague.pk]), data).status_code == 302
    colleague.refresh_from_db()
    assert colleague.email != "ke-gian@evil.example" and colleague.is_staff and colleague.first_name == "Mới"
    # A drafter's account (not staff) in the subtree: its e-mail is the administrator's to correct.
    data = {**_user_form_data(s, world.drafter_a), "email": "lan.moi@congdoan.example"}
    assert s.post(reverse("admin:auth_user_change", args=[world.drafter_a.pk]), data).status_code == 302
    world.drafter_a.refresh_from_db()
    assert world.drafter_a.email == "lan.moi@congdoan.example"
    # A superuser changes a staff account's e-mail.
    su = client_for(world.admin)
    page = su.get(reverse("admin:auth_user_change", args=[colleague.pk])).content.decode()
    assert 'name="email"' in page


def test_the_province_administrator_is_out_of_a_cdcs_administrators_reach(world, cdcs_admin, province_admin):
    # The reviewer's scenario: the e-mail of the province's administrator rewritten, then "Quên mật khẩu".
    c = client_for(cdcs_admin)
    url = reverse("admin:auth_user_change", args=[province_admin.pk])
    assert not_found(c.post(url, {"username": province_admin.username, "email": "ke-gian@evil.example"}))
    province_admin.refresh_from_db()
    assert province_admin.email != "ke-gian@evil.example"


def test_an_account_added_by_an_administrator_stays_theirs(world, district_admin, mailoutbox):
    s = client_for(district_admin)
    data = {"username": "moi", "last_name": "Trần", "first_name": "Bình", "email": "moi@congdoan.example"}
    done = s.post(reverse("admin:auth_user_add"), data)
    assert done.status_code == 302
    added = s.get(done["Location"])
    assert added.status_code == 200 and "moi@congdoan.example" in added.content.decode()
    # Another administrator (elsewhere) does not see the account without a role.
    assert "moi" not in {u.username for u in client_for(_admin_of(world.unit_c, "x")).get(
        reverse("admin:auth_user_changelist")).context["cl"].result_list}  # fmt: skip


def test_a_new_unit_goes_under_a_unit_they_administer(world, district_admin):
    s = client_for(district_admin)
    data = {"code": "MOI", "name": "Công đoàn mới", "kind": "CĐCS", "is_grassroots": "on", "is_active": "on"}
    data.update({"memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})
    for parent in ("", world.other_superior.pk, world.province.pk):
        response = s.post(reverse("admin:units_unit_add"), {**data, "parent": parent})
        assert response.status_code == 200 and response.context["adminform"].form.errors["parent"]
    assert s.post(reverse("admin:units_unit_add"), {**data, "parent": world.superior.pk}).status_code == 302
    assert Unit.objects.get(code="MOI").parent == world.superior
    # The top of their subtree keeps its parent: it is read-only on its page.
    form = s.get(reverse("admin:units_unit_change", args=[world.superior.pk])).context["adminform"].form
    assert "parent" not in form.fields


def test_catalogues_are_read_by_all_and_changed_from_the_top(world, district_admin, province_admin):
    version = OutlineVersion.objects.get(pk=world.round.outline_version_id)
    url = reverse("admin:outline_outlineversion_change", args=[version.pk])
    s = client_for(district_admin)
    assert s.get(url).status_code == 200 and s.get(url).context["has_change_permission"] is False
    assert s.post(url, {"code": "X", "name": "Đổi"}).status_code == 403
    assert s.get(reverse("admin:outline_outlineversion_add")).status_code == 403
    assert client_for(province_admin).get(url).context["has_change_permission"] is True
    # The outline upload page follows the same rule.
    assert s.get(reverse("outline:outline_upload")).status_code == 403
    assert client_for(province_admin).get(reverse("outline:outline_upload")).status_code == 200


def test_the_import_refuses_units_outside_the_subtree(world, cdcs_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rows = [
        ("N1", "Công đoàn mới 1", "CĐCS", world.province.code, "Có", ""),  # under the province
        ("N2", "Công đoàn mới 2", "CĐCS", "", "Có", ""),  # a top-level unit
        (world.unit_a.code, world.unit_a.name, "CĐCS", world.unit_c.code, "Có", ""),  # someone else's
        ("N3", "Công đoàn mới 3", "CĐCS", world.unit_c.code, "Có", ""),  # fine
        ("N4", "Công đoàn mới 4", "CĐCS", "N3", "Có", "", world.drafter_a.username, "", "", "Người soạn"),
    ]
    c = client_for(cdcs_admin)
    preview = c.post(reverse("admin:units_unit_import"), {"file": SimpleUploadedFile("f.xlsx", workbook(rows))})
    text = preview.content.decode().lower()  # the page starts each error with a capital
    assert preview.context["digest"] == "" and 'name="confirm"' not in text
    assert f"đơn vị cấp trên {world.province.code.lower()} không thuộc các đơn vị bạn quản trị" in text
    assert "chỉ quản trị kỹ thuật mới thêm được đơn vị cấp cao nhất" in text
    assert f"đơn vị {world.unit_a.code.lower()} không thuộc các đơn vị bạn quản trị" in text
    assert f"tài khoản {world.drafter_a.username} có vai trò ở đơn vị ngoài" in text
    errors = {e.row for e in import_plan(workbook(rows), actor=cdcs_admin).errors}
    assert errors == {2, 3, 4, 6}
    # A superuser (and the management command, with no actor) imports anywhere.
    assert import_plan(workbook(rows[:2]), actor=world.admin).ok and import_plan(workbook(rows[:2])).ok


def test_the_merge_and_move_pages_accept_only_the_subtree(world, district_admin):
    s = client_for(district_admin)
    merge = s.post(
        reverse("admin:units_unit_merge"),
        {"sources": [world.unit_a.pk, world.unit_c.pk], "into": "existing", "target": world.unit_b.pk,
         "effective": "01/07/2025"},
    )  # fmt: skip
    assert merge.context["form"].errors["sources"]
    new_unit = {"sources": [world.unit_a.pk], "into": "new", "code": "AB", "name": "Mới", "kind": "CĐCS"}
    merge = s.post(reverse("admin:units_unit_merge"), {**new_unit, "effective": "01/07/2025"})
    assert "chỉ quản trị kỹ thuật mới thêm được đơn vị cấp cao nhất" in merge.content.decode()
    for parent in ("", world.other_superior.pk):
        move = s.post(reverse("admin:units_unit_move"), {"unit": world.unit_a.pk, "new_parent": parent})
        assert move.context["form"].errors["new_parent"]
    move = s.post(reverse("admin:units_unit_move"), {"unit": world.unit_c.pk, "new_parent": world.superior.pk})
    assert move.context["form"].errors["unit"]
    deactivate = s.post(reverse("admin:units_unit_deactivate"), {"units": [world.unit_c.pk]})
    assert deactivate.context["form"].errors["units"]
    assert Unit.objects.filter(is_active=True).count() == 6 and world.unit_c.parent == world.other_superior
    # The round opens only when it is theirs: the action reaches only the listed rounds.
    assert Round.objects.filter(pk=world.round.pk).exists()


def _users_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    return len(ctx)


def test_the_users_list_costs_the_same_queries_for_few_or_many_accounts(world, district_admin):
    s = client_for(district_admin)
    few = _users_page_queries(s)
    for i in range(15):
        unit = UnitFactory(parent=world.superior)
        MembershipFactory(unit=unit, role=Role.DRAFTER, user=UserFactory(username=f"nhieu{i}"))
    assert _users_page_queries(s) == few


def test_a_unit_whose_member_also_has_a_role_elsewhere_still_saves(world, district_admin):
    # The reviewer of S also reviews for T: not an account S's administrator administers, yet a member.
    MembershipFactory(user=world.reviewer, unit=world.other_superior, role=Role.REVIEWER)
    s = client_for(district_admin)
    url = reverse("admin:units_unit_change", args=[world.superior.pk])
    page = s.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v not in (None, False) and k in form.fields}
    data["name"] = "Công đoàn KCN Thử (đổi tên)"
    formset = page.context["inline_admin_formsets"][0].formset
    data.update(
        {f"{formset.prefix}-TOTAL_FORMS": len(formset.forms), f"{formset.prefix}-INITIAL_FORMS": len(formset.forms)}
    )
    for i, inline_form in enumerate(formset.forms):
        member = inline_form.instance
        row = {"id": member.pk, "unit": world.superior.pk, "user": member.user_id, "role": member.role}
        data.update({f"{formset.prefix}-{i}-{key}": value for key, value in row.items()})
    response = s.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    world.superior.refresh_from_db()
    assert world.superior.name == "Công đoàn KCN Thử (đổi tên)"
