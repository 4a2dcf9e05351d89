"""Issue 23, finding 7: a unit code has one folded ASCII form (upper case, no accents, Đ as D), so no two
units differ only by look-alike letters, case, accents or invisible characters. The form, the import,
the services and the database (a unique index on the upper-cased code) all hold to it, and the
migration that brings the index reports twins already stored instead of failing on them."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from tests.units.factories import UnitFactory, UserFactory
from tests.units.test_imports import workbook
from units.imports import ImportInvalid, import_plan, units_import
from units.models import Unit
from units.services import unit_create

CYRILLIC_ES = "\u0421"  # looks like the Latin C
ZERO_WIDTH = "\u200b"
NOT_LATIN = "không phải chữ cái Latinh"
INVISIBLE = "ký tự vô hình"


@pytest.mark.django_db
def test_the_services_fold_case_accents_and_d_and_refuse_look_alikes_and_invisible_characters():
    top = UnitFactory(code="TOP", is_grassroots=False)
    assert unit_create(code=" px-dup ", name="A", kind="CĐCS", parent=top).code == "PX-DUP"
    assert unit_create(code="CĐCS-Hòa_Bình.1", name="B", kind="CĐCS", parent=top).code == "CDCS-HOA_BINH.1"
    for twin in ("PX-DUP", "Px-Dup", "px-dụp"):
        with pytest.raises(ValidationError):
            unit_create(code=twin, name="C", kind="CĐCS", parent=top)
    for bad, words in ((f"{CYRILLIC_ES}S-1", NOT_LATIN), (f"CS{ZERO_WIDTH}X", INVISIBLE), ("CS 01", INVISIBLE)):
        with pytest.raises(ValidationError) as refused:
            unit_create(code=bad, name="D", kind="CĐCS", parent=top)
        assert words in " ".join(refused.value.messages)
    assert Unit.objects.count() == 3


@pytest.mark.django_db
def test_the_import_makes_one_unit_of_twins_and_refuses_look_alikes():
    UnitFactory(code="TOP", is_grassroots=False)
    UnitFactory(code="PX-DUP", name="Công đoàn cơ sở Đúp", parent=Unit.objects.get(code="TOP"))
    rows = [
        (f"{CYRILLIC_ES}S-1", "Công đoàn Kirin", "CĐCS", "TOP", "Có", "V"),
        ("cs-thuong", "Công đoàn chữ thường", "CĐCS", "TOP", "Có", "V"),
        ("CS-ĐỨC", "Công đoàn có dấu", "CĐCS", "TOP", "Có", "V"),
        (f"CS{ZERO_WIDTH}VH", "Công đoàn vô hình", "CĐCS", "TOP", "Có", "V"),
        ("px-dup", "Công đoàn cơ sở Đúp", "CĐCS", "top", "Có", "V"),
    ]
    plan = import_plan(workbook(rows))
    refused = {e.row: str(e) for e in plan.errors}
    assert set(refused) == {2, 5} and NOT_LATIN in refused[2] and INVISIBLE in refused[5]
    units_import(data=workbook(rows[1:3] + rows[4:]))
    codes = set(Unit.objects.values_list("code", flat=True))
    assert codes == {"TOP", "PX-DUP", "CS-THUONG", "CS-DUC"}
    # The same unit written in two cases in one file is one unit, described once.
    plan = import_plan(
        workbook([("NEW-X", "Một", "CĐCS", "TOP", "Có", "V"), ("new-x", "Hai", "CĐCS", "TOP", "Có", "V")])
    )
    assert [e.row for e in plan.errors] == [3] and "NEW-X" in str(plan.errors[0])
    with pytest.raises(ImportInvalid):
        units_import(data=workbook(rows[:1]))


@pytest.mark.django_db
def test_the_unit_page_folds_the_code_and_refuses_a_twin_in_words():
    top = UnitFactory(code="TOP", is_grassroots=False)
    UnitFactory(code="PX-DUP", parent=top)
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = {"name": "Công đoàn mới", "kind": "CĐCS", "is_grassroots": "on", "parent": top.pk}
    data.update({"memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0})
    page = client.post(reverse("admin:units_unit_add"), {**data, "code": "px-dụp"})
    assert page.status_code == 200 and "đã có" in " ".join(page.context["adminform"].form.errors["code"]).lower()
    page = client.post(reverse("admin:units_unit_add"), {**data, "code": f"{CYRILLIC_ES}S-2"})
    assert page.status_code == 200 and NOT_LATIN in " ".join(page.context["adminform"].form.errors["code"])
    assert client.post(reverse("admin:units_unit_add"), {**data, "code": "cs-mới"}).status_code == 302
    assert Unit.objects.filter(code="CS-MOI").exists()


@pytest.mark.django_db
def test_the_database_refuses_a_case_twin_written_behind_the_services_back():
    top = UnitFactory(code="TOP", is_grassroots=False)
    UnitFactory(code="PX-DUP", parent=top)
    other = UnitFactory(code="OTHER", parent=top)
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=other.pk).update(code="px-dup")


# --- The migration ---------------------------------------------------------------------------

BEFORE = [("units", "0006_unit_code_validator")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest():
    return [key for key in MigrationExecutor(connection).loader.graph.leaf_nodes() if key[0] == "units"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_reports_stored_twins_and_folds_the_other_codes(capsys):
    old = _migrate(BEFORE)
    try:
        OldUnit = old.get_model("units", "Unit")
        top = OldUnit.objects.create(code="TOP", name="Tỉnh", kind="LĐLĐ", path="/1/")
        rows = {"PX-DUP": "Đúp hoa", "px-dup": "Đúp thường", "CĐCS-A": "Có Đ", "cs-b": "Thường", "CS-C": "Đúng"}
        for code, name in rows.items():
            OldUnit.objects.create(code=code, name=name, kind="CĐCS", parent=top, path="/1/x/")
        with pytest.raises(CommandError) as refused:
            _migrate(_latest())
        message = str(refused.value)
        # What the operator needs: which units, by code and name, and what to do.
        assert "PX-DUP" in message and "px-dup" in message and "Đúp thường" in message
        assert "migrate" in message
        assert set(OldUnit.objects.values_list("code", flat=True)) == {"TOP", *rows}  # nothing changed
        # Once the twin is renamed, the upgrade goes through and folds the other codes.
        OldUnit.objects.filter(code="px-dup").update(code="PX-DUP-2")
        new = _migrate(_latest())
        codes = set(new.get_model("units", "Unit").objects.values_list("code", flat=True))
        assert codes == {"TOP", "PX-DUP", "PX-DUP-2", "CDCS-A", "CS-B", "CS-C"}
        assert "CĐCS-A → CDCS-A" in capsys.readouterr().out
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_check_unit_codes_lists_twins_before_an_upgrade():
    top = UnitFactory(code="TOP", is_grassroots=False)
    twin = UnitFactory(code="PX-DUP", name="Đúp thường", parent=top)
    out = io.StringIO()
    call_command("check_unit_codes", stdout=out)
    assert "Không có hai đơn vị nào trùng mã" in out.getvalue()
    # A twin written behind the services' back (no index on SQLite's older schema): named, with its unit.
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS unit_code_folded_unique")
    Unit.objects.filter(pk=twin.pk).update(code="px-dup")
    Unit.objects.filter(pk=UnitFactory(code="TAM", name="Đúp hoa", parent=top).pk).update(code="PX-DUP")
    with pytest.raises(CommandError) as refused:
        call_command("check_unit_codes", stdout=out)
    assert "“px-dup” (Đúp thường" in str(refused.value) and "“PX-DUP” (Đúp hoa" in str(refused.value)


@pytest.mark.django_db
def test_the_merge_page_folds_the_new_units_code_and_refuses_a_twin():
    top = UnitFactory(code="TOP", is_grassroots=False)
    a, b = UnitFactory(code="A1", parent=top), UnitFactory(code="B1", parent=top)
    UnitFactory(code="PX-DUP", parent=top)
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = {"sources": [a.pk, b.pk], "into": "new", "name": "Hợp nhất", "kind": "CĐCS", "parent": top.pk}
    data.update({"is_grassroots": "on", "congress_number": "I", "effective": "01/07/2025", "confirm": "1"})
    page = client.post(reverse("admin:units_unit_merge"), {**data, "code": "px-dụp"})
    assert "đã có" in " ".join(page.context["form"].errors["code"]).lower()
    assert client.post(reverse("admin:units_unit_merge"), {**data, "code": "hợp-nhất"}).status_code == 302
    assert Unit.objects.get(code="HOP-NHAT").name == "Hợp nhất"
