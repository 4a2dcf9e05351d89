"""The admin's search ignores accents and capitals, as the dashboard's does (core.db.Folded with
core.text.fold: lower(unaccent()) on PostgreSQL, vi_fold on SQLite), whichever database runs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.units.factories import MembershipFactory, UnitFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def union_admin(db):
    province = UnitFactory(code="LDLD-T", name="LĐLĐ tỉnh Thử", is_grassroots=False)
    user = UserFactory(username="quantri", first_name="Tuấn", last_name="Lê Minh", is_staff=True)
    MembershipFactory(user=user, unit=province, role=Role.ADMIN)
    for code, name in [
        ("KCN-DA", "Khu công nghiệp Đông Á"),
        ("CDCS-DN", "Công đoàn cơ sở Công ty ĐỒNG NAI"),
        ("CDCS-HB", "Công đoàn cơ sở Công ty May Hòa Bình"),
        ("CDCS-SV", "Công đoàn cơ sở Thực phẩm Sao Việt"),
    ]:
        UnitFactory(code=code, name=name, parent=province)
    return user


def found(client, url, term):
    response = client.get(url, {"q": term})
    assert response.status_code == 200
    return sorted(str(obj) for obj in response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("khu cong", ["Khu công nghiệp Đông Á"]),
        ("KHU CÔNG", ["Khu công nghiệp Đông Á"]),
        # "Đ" and "đ" are "d"; Đồng and Đông are one word without accents.
        ("dong a", ["Công đoàn cơ sở Công ty ĐỒNG NAI", "Khu công nghiệp Đông Á"]),
        ('"đông á"', ["Khu công nghiệp Đông Á"]),
        ("Đồng", ["Công đoàn cơ sở Công ty ĐỒNG NAI", "Khu công nghiệp Đông Á"]),
        ("dong nai", ["Công đoàn cơ sở Công ty ĐỒNG NAI"]),
        ("hoa binh", ["Công đoàn cơ sở Công ty May Hòa Bình"]),
        # Every word must be found, in any of the fields (the code is one of them).
        ("cong doan sao", ["Công đoàn cơ sở Thực phẩm Sao Việt"]),
        ("cdcs-sv", ["Công đoàn cơ sở Thực phẩm Sao Việt"]),
        ('"khu cong nghiep"', ["Khu công nghiệp Đông Á"]),
        ("khu nai", []),
        ("100%", []),
    ],
)
def test_unit_search_ignores_accents_and_capitals(client, union_admin, term, expected):
    client.force_login(union_admin)
    assert found(client, reverse("admin:units_unit_changelist"), term) == expected


def test_the_search_box_says_so(client, union_admin):
    client.force_login(union_admin)
    page = client.get(reverse("admin:units_unit_changelist")).content.decode()
    assert "Gõ có dấu hay không dấu" in page


def test_searching_through_a_relation_and_the_autocomplete(client, union_admin):
    """A membership is found by its person's name; the unit picker (autocomplete) searches alike."""
    lan = UserFactory(username="lan", first_name="Lan", last_name="Nguyễn Thị")
    MembershipFactory(user=lan, unit=union_admin.memberships.get().unit, role=Role.DRAFTER)
    client.force_login(union_admin)
    memberships = found(client, reverse("admin:units_membership_changelist"), "nguyen thi lan")
    assert len(memberships) == 1 and memberships[0].startswith("lan ·")
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "units", "model_name": "unit", "field_name": "parent", "term": "khu cong"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Khu công nghiệp Đông Á"]


def test_users_are_found_without_accents(client, union_admin):
    hung = UserFactory(username="hung", first_name="Hùng", last_name="Trần Văn")
    # An administrator lists the accounts with roles in their units (reportsite.admin_site.UserAdminMixin).
    MembershipFactory(user=hung, unit=union_admin.memberships.get().unit, role=Role.DRAFTER)
    client.force_login(union_admin)
    assert found(client, reverse("admin:auth_user_changelist"), "tran van hung") == ["hung"]


def test_the_search_costs_the_same_queries_for_ten_or_a_hundred_units(client, union_admin):
    client.force_login(union_admin)
    province = union_admin.memberships.get().unit

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:units_unit_changelist"), {"q": "cong doan"}).status_code == 200
        return len(captured)

    for n in range(10):
        UnitFactory(name=f"Công đoàn cơ sở Trường số {n}", parent=province)
    few = queries()
    for n in range(90):
        UnitFactory(name=f"Công đoàn cơ sở Nhà máy số {n}", parent=province)
    assert queries() == few


def test_every_list_costs_the_same_queries_with_more_rows(client, filled, world):
    """Each list the union administrator opens, plain and searched, whatever the number of rows."""
    from reports.models import Appendix, IndicatorNote, IndicatorValue, Submission
    from reports.services import round_open
    from tests.units.factories import UnitFactory as Units

    admin_user = UserFactory(username="quantri", is_staff=True)
    MembershipFactory(user=admin_user, unit=world.province, role=Role.ADMIN)
    client.force_login(admin_user)
    lists = [
        app_model["admin_url"] for app in client.get("/quan-tri/").context["app_list"] for app_model in app["models"]
    ]

    def queries():
        counts = {}
        for url in lists:
            for query in ({}, {"q": "cong doan"}):
                with CaptureQueriesContext(connection) as captured:
                    assert client.get(url, query).status_code == 200
                counts[url, bool(query)] = len(captured)
        return counts

    def copy_rows(model, report):
        # One more row like each there is, on another report (what the site's pages would make).
        for row in list(model.objects.all()):
            row.pk, row.report = None, report
            row.save()

    few = queries()
    for n in range(6):
        unit = Units(name=f"Công đoàn cơ sở Công ty mới {n}", parent=world.superior)
        MembershipFactory(unit=unit, role=Role.DRAFTER)
    round_open(round=world.round)
    other = world.report_b
    for model in (Submission, IndicatorValue, IndicatorNote, Appendix):
        copy_rows(model, other)
    assert queries() == few
