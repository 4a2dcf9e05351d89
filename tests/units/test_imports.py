"""Units and people from one Excel file: every row checked, all or nothing, twice the same."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from core.workbook import WorkbookRefused
from tests.units.factories import MembershipFactory, UnitFactory, UserFactory
from units.imports import COLUMNS, ImportInvalid, build_template, import_plan, units_import
from units.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db
User = get_user_model()
HEADER = ["Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên", "Là CĐCS", "Đại hội lần thứ",
          "Tên đăng nhập", "Họ tên", "Thư điện tử", "Vai trò"]  # fmt: skip


def workbook(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def province(n_units: int, *, people=True, top="LDLD-T", p=""):
    """A province under ``top``: one superior union per 50 units, a drafter in each unit."""
    rows = [(top, "Liên đoàn Lao động tỉnh Thử", "LĐLĐ tỉnh", "", "Không", "XI")]
    for s in range(0, n_units, 50):
        rows.append(
            (f"{p}CT-{s // 50:03d}", f"Công đoàn cấp trên số {s // 50}", "Công đoàn cấp trên", top, "Không", "II")
        )
    for i in range(n_units):
        code = f"{p}CS-{i:05d}"
        parent = f"{p}CT-{i // 50:03d}"
        row = [code, f"Công đoàn cơ sở Công ty số {i}", "CĐCS", parent, "Có", "V"]
        if people:
            row += [f"{p}soan{i:05d}", f"Nguyễn Thị Lan {i}", f"{p}soan{i:05d}@congdoan.example", "Người soạn"]
        rows.append(tuple(row))
    return rows


def snapshot():
    return (
        list(Unit.objects.order_by("pk").values_list()),
        list(User.objects.order_by("pk").values_list("pk", "username", "first_name", "last_name", "email")),
        list(Membership.objects.order_by("pk").values_list("user_id", "unit_id", "role")),
    )


def test_the_template_has_the_columns_and_reads_back_empty():
    data = build_template()
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert [str(label) for _k, label in COLUMNS] == HEADER
    with pytest.raises(WorkbookRefused):
        import_plan(data)  # only the header: nothing to import, said in words


def test_a_thousand_rows_import_with_parents_after_children(django_assert_max_num_queries):
    rows = province(1000)
    rows.reverse()  # children first: the order of the rows does not matter
    data = workbook(rows)
    with django_assert_max_num_queries(80):
        plan = units_import(data=data, actor=None)
    assert plan.counts["created"] == 1000 + 20 + 1
    top = Unit.objects.get(code="LDLD-T")
    unit = Unit.objects.get(code="CS-00999")
    superior = Unit.objects.get(code="CT-019")
    assert unit.parent == superior and superior.parent == top
    assert unit.path == f"/{top.pk}/{superior.pk}/{unit.pk}/"
    assert unit.is_grassroots and not superior.is_grassroots and unit.congress_number == "V"
    assert Unit.objects.subtree_of(top).count() == 1021
    user = User.objects.get(username="soan00999")
    assert (user.last_name, user.first_name, user.has_usable_password()) == ("Nguyễn Thị Lan", "999", False)
    assert Membership.objects.get(user=user).unit == unit


def test_reimporting_the_same_file_changes_nothing():
    data = workbook(province(60))
    units_import(data=data)
    before = snapshot()
    plan = units_import(data=data)
    assert plan.counts["unchanged"] == 60 + 2 + 1
    assert not plan.changes_anything
    assert snapshot() == before


def _import_queries(size):
    data = workbook(province(size, top=f"TOP{size}", p=f"S{size}"))
    with CaptureQueriesContext(connection) as plan_queries:
        import_plan(data)
    with CaptureQueriesContext(connection) as import_queries:
        units_import(data=data)
    with CaptureQueriesContext(connection) as again:
        units_import(data=data)
    inserts = [q for q in import_queries if q["sql"].startswith("INSERT")]
    others = len(import_queries) - len(inserts)
    return len(plan_queries), others, len(inserts), len(again)


def test_planning_and_importing_take_the_same_queries_at_any_size():
    small, large = _import_queries(10), _import_queries(100)
    # Reading and planning, the updates and a re-import: the same at 10 and 100 rows.
    assert (small[0], small[1], small[3]) == (large[0], large[1], large[3]), (small, large)
    # Units, accounts, roles: one INSERT each (SQLite splits them in batches of its 999 parameters).
    assert small[2] == 3
    assert large[2] <= (3 if connection.vendor == "postgresql" else 6), large


def test_bad_rows_write_nothing_and_every_error_is_listed():
    MembershipFactory(user=UserFactory(username="lan", email="lan@congdoan.example"), role=Role.DRAFTER)
    UserFactory(username="other", email="taken@congdoan.example")
    existing = UnitFactory(code="CO-SAN")
    rows = [
        ("A", "Đơn vị A", "CĐCS", "KHONG-CO", "Có", "V"),  # 2 unknown parent
        ("B", "Đơn vị B", "CĐCS", "C", "Có", ""),  # 3 loop B → C → B
        ("C", "Đơn vị C", "CĐCS", "B", "Có", ""),  # 4
        ("D", "Đơn vị D", "CĐCS", "KHONG-CO-2", "Có lẽ", ""),  # 5 not yes/no, and an unknown parent
        ("E", "Đơn vị E", "CĐCS", "", "Có", "", "e1", "Trần Văn E", "e@congdoan.example", "Thư ký"),  # 6 role
        ("F", "Đơn vị F", "CĐCS", "", "Có", "", "f1", "Trần Văn F", "khong-phai-thu", "Bí thư"),  # 7 e-mail, role
        ("G", "Đơn vị G", "CĐCS", "", "Có", "", "lan", "Lê Thị Khác", "", "Người soạn"),  # 8 other name
        ("H", "Đơn vị H", "CĐCS", "", "Có", "", "h1", "Phạm H", "h@congdoan.example", "Người soạn"),
        ("H", "", "", "", "", "", "h1", "Phạm Khác", "h@congdoan.example", "Người duyệt"),  # 10 name differs
        ("A", "Đơn vị A khác", "CĐCS", "", "Có", "V"),  # 11 duplicate code, described differently
        ("", "Không mã", "CĐCS", "", "Có", ""),  # 12 no code
        ("NEW", "", "", "", "", "", "n1", "Vũ N", "n@congdoan.example", "Người soạn"),  # 13 unknown unit
        ("I", "Đơn vị I", "CĐCS", "", "Có", "", "i1", "Đỗ I", "taken@congdoan.example", "Người soạn"),  # 14
        ("J", "Đơn vị J", "", "", "Có", ""),  # 15 no kind
        (existing.code, "", "", "", "", "", "k1", "", "", "Người soạn"),  # 16 new account without e-mail
    ]
    before = snapshot()
    with pytest.raises(ImportInvalid) as caught:
        units_import(data=workbook(rows))
    assert snapshot() == before
    errors = [str(e) for e in caught.value.plan.errors]
    rows_with_errors = sorted({e.row for e in caught.value.plan.errors})
    assert rows_with_errors == [2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16], errors
    text = "\n".join(errors)
    assert "KHONG-CO" in text and ("B → C → B" in text or "C → B → C" in text)
    assert "Dòng 2:" in text
    assert "Có lẽ" in text and "Thư ký" in text and "khong-phai-thu" in text
    # A row with several errors lists them all.
    assert len([e for e in caught.value.plan.errors if e.row == 5]) == 2 and "KHONG-CO-2" in text
    assert len([e for e in caught.value.plan.errors if e.row == 7]) == 2 and "Bí thư" in text


def test_a_move_recomputes_the_subtree_and_a_change_is_shown():
    rows = province(3)
    units_import(data=workbook(rows))
    rows.append(("CT-NEW", "Công đoàn phường Mới", "Công đoàn cấp trên", "LDLD-T", "Không", "I"))
    rows[1] = ("CT-000", "Công đoàn cấp trên số 0", "Công đoàn cấp trên", "CT-NEW", "Không", "III")
    plan = import_plan(workbook(rows))
    assert plan.ok, plan.errors
    lines = {line.code: line for line in plan.units}
    assert lines["CT-NEW"].action == "created"
    assert lines["CT-000"].action == "moved" and lines["CT-000"].old_parent_code == "LDLD-T"
    assert any("II → III" in change for change in lines["CT-000"].changes)
    units_import(data=workbook(rows))
    new = Unit.objects.get(code="CT-NEW")
    leaf = Unit.objects.get(code="CS-00002")
    assert leaf.path.startswith(new.path) and leaf.path.count("/") == 5
    assert Unit.objects.get(code="CT-000").congress_number == "III"


def test_values_are_normalised_and_roles_read_without_accents():
    decomposed = "Công đoàn cơ sở Hòa Bình".replace("ò", "o\u0300")
    rows = [
        (
            "  X1 ",
            f"  {decomposed}  ",
            "CĐCS",
            "",
            "co",
            "5",
            "x1",
            "Lê  Văn  Tám",
            "tam@congdoan.example",
            "NGUOI DUYET",
        )
    ]
    units_import(data=workbook(rows))
    unit = Unit.objects.get(code="X1")
    assert unit.name == "Công đoàn cơ sở Hòa Bình" and unit.congress_number == "5" and unit.is_grassroots
    assert Membership.objects.get(unit=unit).role == Role.REVIEWER
    assert User.objects.get(username="x1").last_name == "Lê Văn"


def test_a_file_that_is_not_a_workbook_is_refused_in_words():
    with pytest.raises(WorkbookRefused) as caught:
        import_plan(b"not a zip")
    assert "Excel" in caught.value.message
    with pytest.raises(WorkbookRefused) as caught:
        import_plan(workbook([("A", "B")], header=["Mã", "Tên"]))
    assert "Tên đơn vị" in caught.value.message or "Mã đơn vị" in caught.value.message


def test_the_command_imports_checks_and_writes_the_template(tmp_path, capsys, django_capture_on_commit_callbacks):
    template = tmp_path / "mau.xlsx"
    call_command("import_units", "--template", str(template))
    assert load_workbook(template).worksheets[0]["A1"].value == "Mã đơn vị"
    good = tmp_path / "don-vi.xlsx"
    good.write_bytes(workbook(province(3)))
    call_command("import_units", str(good), "--dry-run")
    assert not Unit.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_units", str(good), "--invite")
    assert Unit.objects.count() == 5
    assert sorted(m.to[0] for m in mail.outbox) == [f"soan0000{i}@congdoan.example" for i in range(3)]
    bad = tmp_path / "loi.xlsx"
    bad.write_bytes(workbook([("Z", "Đơn vị Z", "CĐCS", "KHONG-CO", "Có", "")]))
    with pytest.raises(CommandError):
        call_command("import_units", str(bad))
    assert "KHONG-CO" in capsys.readouterr().err


def test_moving_a_unit_under_its_own_descendant_is_a_loop():
    top = UnitFactory(code="P", is_grassroots=False)
    middle = UnitFactory(code="M", parent=top, is_grassroots=False)
    UnitFactory(code="L", parent=middle)
    # P under L, which the site keeps under M, under P: a loop through units the file does not describe.
    plan = import_plan(workbook([("P", "Tỉnh", "LĐLĐ tỉnh", "L", "Không", "")]))
    assert [e.row for e in plan.errors] == [2]
    assert "P → L → M → P" in plan.errors[0].message


def test_a_unit_moved_under_a_new_unit_in_the_same_file():
    top = UnitFactory(code="P", is_grassroots=False)
    old = UnitFactory(code="OLD", parent=top, is_grassroots=False)
    leaf = UnitFactory(code="LEAF", parent=old)
    rows = [
        ("OLD", old.name, old.kind, "NEW", "Không", old.congress_number),  # children before parents
        ("NEW", "Công đoàn phường Mới", "Công đoàn cấp trên", "P", "Không", "I"),
    ]
    units_import(data=workbook(rows))
    new = Unit.objects.get(code="NEW")
    leaf.refresh_from_db()
    assert leaf.path == f"/{top.pk}/{new.pk}/{old.pk}/{leaf.pk}/"
    assert Unit.objects.get(code="OLD").parent == new


@pytest.mark.django_db
def test_a_chain_of_units_deeper_than_any_union_is_refused_by_row_and_writes_nothing():
    # Each unit under the one before: the materialised path would outgrow its column (PostgreSQL
    # refused it with a 500 at the confirmation) long before a real union's few levels.
    rows = [("C0", "Đơn vị 0", "LĐLĐ tỉnh", "", "Không", "")]
    rows += [(f"C{n}", f"Đơn vị {n}", "Công đoàn", f"C{n - 1}", "Không", "") for n in range(1, 200)]
    plan = import_plan(workbook(rows))
    messages = [str(e) for e in plan.errors]
    assert messages and all("cấp" in m for m in messages), messages[:3]
    assert messages[0].startswith(f"Dòng {2 + 30}:")
    with pytest.raises(ImportInvalid):
        units_import(data=workbook(rows))
    assert not Unit.objects.exists()
