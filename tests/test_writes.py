"""The permission matrix and the fuzz tests compare every stored row only after a statement that may
have written one (tests/writes.py): that first look must notice every write, however it is sent."""

import pytest
from django.db import connection

from tests.units.factories import UnitFactory
from tests.writes import watched
from units.models import Unit

pytestmark = pytest.mark.django_db

APPS = ("units", "reports")


def test_reads_and_writes_that_change_nothing_are_not_writes():
    unit = UnitFactory(name="Công đoàn cơ sở Thử")
    with watched(APPS) as writes:
        list(Unit.objects.all())
        Unit.objects.filter(pk=-1).update(name="Không có")
        Unit.objects.filter(pk=-1).delete()
        list(Unit.objects.select_for_update().filter(pk=unit.pk))
    assert not writes, writes.statements


@pytest.mark.parametrize("how", ["create", "bulk_create", "update", "delete", "save", "raw"])
def test_every_way_of_writing_a_row_is_noticed(how):
    unit = UnitFactory(name="Công đoàn cơ sở Thử")
    with watched(APPS) as writes:
        if how == "create":
            UnitFactory(name="Công đoàn cơ sở Mới")
        elif how == "bulk_create":
            twin = Unit.objects.get(pk=unit.pk)
            twin.pk, twin.code, twin.path = None, "MOI01", unit.path + "9999"
            Unit.objects.bulk_create([twin])
        elif how == "update":
            Unit.objects.filter(pk=unit.pk).update(name="Đổi tên")
        elif how == "delete":
            Unit.objects.filter(pk=unit.pk).delete()
        elif how == "save":
            unit.name = "Đổi tên"
            unit.save()
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {Unit._meta.db_table} SET name = %s WHERE id = %s", ["Đổi tên", unit.pk])
    assert writes


def test_a_write_to_another_apps_table_is_not_one_of_the_apps():
    from django.contrib.auth.models import User

    with watched(APPS) as writes:
        User.objects.create(username="nguoi-moi")
    assert not writes, writes.statements
