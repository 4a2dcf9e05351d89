"""Issue 23: the Excel import under a scoped administrator and a full disk. Its refusals name the row and
the rule, never what is stored outside the importer's scope; the file kept between the preview and the
confirmation is whole or absent."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.units.factories import MembershipFactory, UserFactory
from tests.units.test_imports import workbook
from units.imports import import_plan
from units.models import Role

pytestmark = pytest.mark.django_db


def _admin_of(unit, username):
    return MembershipFactory(unit=unit, role=Role.ADMIN, user=UserFactory(username=username, is_staff=True)).user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def preview(client, rows):
    return client.post(reverse("admin:units_unit_import"), {"file": SimpleUploadedFile("f.xlsx", workbook(rows))})


# --- 3. Nothing stored outside the scope in the preview ---


def test_the_preview_shows_nothing_stored_outside_the_importers_scope(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cdcs_admin = _admin_of(world.unit_c, "quantri_c")
    su = world.admin
    su.email, su.first_name, su.last_name = "sieu.quan.tri@congdoan.example", "Tối", "Cao Văn"
    su.save()
    reviewer = world.reviewer_elsewhere
    reviewer.email, reviewer.first_name, reviewer.last_name = "kin.dao@congdoan.example", "Kín", "Đào Văn"
    reviewer.save()
    world.drafter_a.email = "lan.a@congdoan.example"  # an address that does not spell the user name
    world.drafter_a.save()
    world.superior.congress_number = "XIV"
    world.superior.save()
    c = world.unit_c.code
    rows = [
        # The superuser's and an outside reviewer's user names, with and without a name and an e-mail.
        (c, "", "", "", "", "", su.username, "", "", "Người soạn"),
        (c, "", "", "", "", "", reviewer.username, "Người Khác", "khac@congdoan.example", "Người soạn"),
        # An outside drafter's e-mail given to a new account.
        (c, "", "", "", "", "", "moi", "Trần Mới", world.drafter_a.email, "Người soạn"),
        # Units outside the scope, named alone and described again.
        (world.unit_a.code, "", "", "", "", ""),
        (world.superior.code, "Tên khác", "CĐCS", world.province.code, "Có", "I"),
    ]
    page = preview(client_for(cdcs_admin), rows).content.decode()
    assert 'name="confirm"' not in page
    stored = [
        su.email,
        "Cao Văn Tối",
        reviewer.email,
        "Đào Văn Kín",
        world.drafter_a.username,
        world.unit_a.name,
        world.superior.name,
        world.superior.kind,
        "XIV",
    ]
    assert [value for value in stored if value in page] == []
    # Every row is still refused, and says why.
    plan = import_plan(workbook(rows), actor=cdcs_admin)
    assert {e.row for e in plan.errors} == {2, 3, 4, 5, 6}


def test_within_the_scope_a_refusal_names_the_rule_not_the_stored_values(world):
    district_admin = _admin_of(world.superior, "quantri_s")
    drafter = world.drafter_a
    rows = [(world.unit_a.code, "", "", "", "", "", drafter.username, "Tên Sai", "sai@congdoan.example", "Người soạn")]
    messages = [str(e) for e in import_plan(workbook(rows), actor=district_admin).errors]
    assert messages and not [m for m in messages if drafter.email in m or drafter.last_name in m]
    assert any("tên" in m.lower() or "e-mail" in m.lower() for m in messages)
