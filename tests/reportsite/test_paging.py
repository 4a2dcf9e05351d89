"""core.paging: long lists counted exactly up to a bound, then (on PostgreSQL) by the planner's estimate,
which the pages and the admin say is one ("khoảng")."""

import pytest
from django.db import connection
from django.urls import reverse

from core.paging import EstimatedCountPaginator
from tests.units.factories import UnitFactory
from units.models import Unit

pytestmark = pytest.mark.django_db


class SmallBound(EstimatedCountPaginator):
    exact_up_to = 5


def test_a_count_is_exact_up_to_the_bound_and_estimated_past_it():
    top = UnitFactory(name="Liên đoàn Lao động tỉnh Đếm", is_grassroots=False)
    for n in range(12):
        UnitFactory(parent=top, name=f"Công đoàn cơ sở số {n}")
    units = Unit.objects.filter(parent=top).order_by("pk")
    exact = SmallBound(units.filter(name__endswith="1"), 2)  # "số 1" and "số 11"
    assert exact.count == 2 and not exact.estimated
    many = SmallBound(units, 5)
    if connection.vendor == "postgresql":
        # Past the bound: the planner's figure, never below what was counted, and said to be one.
        assert many.count >= 6 and many.estimated
    else:
        assert not many.estimated and many.count == 12
    # The pages still slice the list itself.
    assert [u.name for u in many.page(1)] == [f"Công đoàn cơ sở số {n}" for n in range(5)]


def test_the_admin_says_khoang_before_an_estimated_count(client, world, monkeypatch):
    monkeypatch.setattr("core.paging.PagePaginator.exact_up_to", 2)
    client.force_login(world.admin)
    html = client.get(reverse("admin:units_unit_changelist")).content.decode()
    count = Unit.objects.count()
    if connection.vendor == "postgresql":
        assert "khoảng" in html
    else:
        assert f"{count} đơn vị" in html and "khoảng" not in html
