import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.text import format_number, nfc, vietnamese_sort_key
from reports.models import Report
from tests.reports.factories import ReportFactory
from tests.units.factories import UnitFactory
from units import services
from units.models import Unit


@pytest.mark.django_db
def test_paths_and_subtree_in_one_query():
    root = UnitFactory(is_grassroots=False)
    mid = UnitFactory(parent=root, is_grassroots=False)
    leaves = [UnitFactory(parent=mid) for _ in range(3)]
    deep = UnitFactory(parent=leaves[0])
    other = UnitFactory()
    assert deep.path == f"/{root.pk}/{mid.pk}/{leaves[0].pk}/{deep.pk}/"
    assert deep.depth == 4
    with CaptureQueriesContext(connection) as ctx:
        below = set(Unit.objects.subtree_of(root).values_list("pk", flat=True))
    assert len(ctx.captured_queries) == 1
    assert below == {root.pk, mid.pk, deep.pk, *(u.pk for u in leaves)}
    assert other.pk not in below
    assert set(Unit.objects.subtree_of(mid, include_self=False).values_list("pk", flat=True)) == {
        deep.pk,
        *(u.pk for u in leaves),
    }


@pytest.mark.django_db
def test_move_rewrites_the_subtree_and_keeps_reports():
    old_parent = UnitFactory(is_grassroots=False)
    new_parent = UnitFactory(is_grassroots=False)
    unit = UnitFactory(parent=old_parent)
    child = UnitFactory(parent=unit)
    report = ReportFactory(unit=unit)

    services.unit_move(unit=unit, new_parent=new_parent)

    unit.refresh_from_db()
    child.refresh_from_db()
    assert unit.parent == new_parent
    assert unit.path == f"{new_parent.path}{unit.pk}/"
    assert child.path == f"{new_parent.path}{unit.pk}/{child.pk}/"
    assert Report.objects.get(pk=report.pk).unit == unit
    assert set(Unit.objects.subtree_of(new_parent).values_list("pk", flat=True)) == {
        new_parent.pk,
        unit.pk,
        child.pk,
    }
    assert not Unit.objects.subtree_of(old_parent, include_self=False).exists()


@pytest.mark.django_db
def test_cannot_move_a_unit_under_its_own_subtree():
    unit = UnitFactory(is_grassroots=False)
    child = UnitFactory(parent=unit)
    with pytest.raises(ValidationError):
        services.unit_move(unit=unit, new_parent=child)
    child.refresh_from_db()
    assert child.path == f"{unit.path}{child.pk}/"


@pytest.mark.django_db
def test_unit_names_are_stored_nfc():
    decomposed = "Công đoàn cơ sở Trường Tiểu học Lê Lợi".encode().decode()
    import unicodedata

    unit = UnitFactory(name=unicodedata.normalize("NFD", decomposed))
    unit.refresh_from_db()
    assert unit.name == unicodedata.normalize("NFC", decomposed)


def test_vietnamese_order():
    names = [
        "Đông Á",
        "Bình An",
        "Ánh Dương",
        "An Phú",
        "Dệt May",
        "Ân Thi",
        "Ấp Bắc",
        "Ô Môn",
        "Ơn Nghĩa",
        "Xuân",
        "Ư",
    ]
    assert sorted(names, key=vietnamese_sort_key) == [
        "An Phú",
        "Ánh Dương",
        "Ân Thi",
        "Ấp Bắc",
        "Bình An",
        "Dệt May",
        "Đông Á",
        "Ô Môn",
        "Ơn Nghĩa",
        "Ư",
        "Xuân",
    ]


def test_numbers_and_control_characters():
    assert format_number(1234.5, 1) == "1.234,5"
    assert format_number(1250) == "1.250"
    assert nfc("a\x00b\x07c\n") == "abc\n"


def _merge_queries(people: int) -> tuple[int, dict]:
    """Merge two units with ``people`` members each (one of them holding the same role in both and in
    the unit merged into) into a third: the queries run, and the roles each person ends up with."""
    from tests.units.factories import MembershipFactory, UserFactory
    from units.models import Membership, Role

    root = UnitFactory(is_grassroots=False)
    a, b, target = (UnitFactory(parent=root) for _ in range(3))
    both = UserFactory()
    for unit in (a, b, target):
        MembershipFactory(user=both, unit=unit, role=Role.DRAFTER)
    MembershipFactory(user=both, unit=a, role=Role.ADMIN)
    MembershipFactory(user=both, unit=b, role=Role.ADMIN)
    for unit in (a, b):
        for _ in range(people):
            MembershipFactory(unit=unit, role=Role.DRAFTER)
    with CaptureQueriesContext(connection) as ctx:
        services.unit_merge(sources=[a, b], target=target)
    roles = {}
    for user, role in Membership.objects.filter(unit=target).values_list("user", "role"):
        roles.setdefault(user, []).append(role)
    assert not Membership.objects.filter(unit__in=[a, b]).exists()
    assert sorted(roles.pop(both.pk)) == ["admin", "drafter"]  # each role once
    assert len(roles) == 2 * people and all(r == ["drafter"] for r in roles.values())
    return len(ctx.captured_queries), roles


@pytest.mark.django_db
def test_a_merger_moves_its_people_in_the_same_queries_whatever_their_number():
    few, _roles = _merge_queries(2)
    many, _roles = _merge_queries(12)
    assert few == many


@pytest.mark.django_db
def test_a_move_reads_the_new_parent_after_locking_it():
    """The check runs on the rows as locked, not as handed in: a parent object read before another
    move put it below the unit is refused (the crossing moves that would make a loop)."""
    root = UnitFactory(is_grassroots=False)
    x = UnitFactory(parent=root, is_grassroots=False)
    y = UnitFactory(parent=root, is_grassroots=False)
    stale_y = Unit.objects.get(pk=y.pk)  # read before y moves under x
    services.unit_move(unit=y, new_parent=x)
    with pytest.raises(ValidationError):
        services.unit_move(unit=x, new_parent=stale_y)
    x.refresh_from_db()
    assert x.parent_id == root.pk and not x.path.startswith(Unit.objects.get(pk=y.pk).path)
