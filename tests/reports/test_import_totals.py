"""Units moved by the Excel import: the same move as the unit page's (history written), the roll-up's
stored totals made again, and no unit placed under a merged one."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from reports import reorganisation, totals
from reports.models import IndicatorValue, Report, ReportStatus
from reports.selectors import rollup
from tests.indicators.factories import make_catalogue
from tests.reports.factories import RoundFactory
from tests.reports.test_rollup_totals import STATUS_SETS, added_up, members
from tests.reports.test_rounds import run_background_tasks
from tests.units.factories import UnitFactory, UserFactory
from tests.units.test_import_admin import upload
from tests.units.test_imports import workbook
from units.imports import ImportInvalid
from units.models import Unit

pytestmark = pytest.mark.django_db


def swap_world():
    """Two superior unions S and T under P; S's reports have ids 101 and 104, T's 102 and 103: swapping
    them keeps each superior's number of reports and sum of ids."""
    p = UnitFactory(code="P", is_grassroots=False)
    s = UnitFactory(code="S", parent=p, is_grassroots=False)
    t = UnitFactory(code="T", parent=p, is_grassroots=False)
    units = {
        "A1": UnitFactory(code="A1", parent=s),
        "A2": UnitFactory(code="A2", parent=s),
        "C1": UnitFactory(code="C1", parent=t),
        "C2": UnitFactory(code="C2", parent=t),
    }
    round_ = RoundFactory(organising_unit=p)
    indicator = make_catalogue(round_.outline_version)["CNVCLD"]
    for pk, code, value in ((101, "A1", 10), (104, "A2", 10), (102, "C1", 1000), (103, "C2", 1000)):
        report = Report.objects.create(pk=pk, round=round_, unit=units[code], status=ReportStatus.SUBMITTED)
        IndicatorValue.objects.create(report=report, indicator=indicator, column="2020", value=value)
    totals.rebuild(round_)
    return round_, s, t


SWAP = workbook(
    [
        (code, f"Công đoàn cơ sở {code}", "CĐCS", parent, "Có", "V")
        for code, parent in (("A1", "T"), ("A2", "T"), ("C1", "S"), ("C2", "S"))
    ]
)


def assert_totals_right(round_, *units):
    for unit in units:
        unit.refresh_from_db()
        for statuses in STATUS_SETS:
            stored = totals.stored(round=round_, unit=unit, statuses=statuses, members=members(round_, unit))
            assert stored is not None, f"stored totals of {unit} do not hold the reports below it"
            assert stored == added_up(round_, unit, statuses), (unit.code, statuses)


def test_a_swap_by_import_leaves_totals_equal_to_the_figures_and_writes_history():
    round_, s, t = swap_world()
    actor = UserFactory(is_staff=True, is_superuser=True)
    plan = reorganisation.units_import_apply(data=SWAP, actor=actor)
    assert plan.count("moved") == 4
    assert {u.code for u in Unit.objects.filter(parent=s)} == {"C1", "C2"}
    assert_totals_right(round_, s, t)
    assert added_up(round_, s, (ReportStatus.SUBMITTED,)) and list(
        added_up(round_, s, (ReportStatus.SUBMITTED,)).values()
    ) == [2000]
    # The units' history ("Lịch sử") says who moved them, as a move on the unit page does.
    moved = Unit.objects.get(code="A1")
    entry = LogEntry.objects.get(object_id=str(moved.pk))
    assert entry.user == actor and f"sang “{t.name}”" in entry.get_change_message()


def test_the_admin_import_page_rebuilds_the_totals(admin_client):
    round_, s, t = swap_world()
    preview = upload(admin_client, SWAP)
    digest = preview.context["digest"]
    done = admin_client.post(reverse("admin:units_unit_import"), {"digest": digest, "confirm": "1"})
    assert done.status_code == 302
    assert_totals_right(round_, s, t)


def test_the_command_rebuilds_the_totals(tmp_path):
    round_, s, t = swap_world()
    path = tmp_path / "don-vi.xlsx"
    path.write_bytes(SWAP)
    call_command("import_units", str(path), "--dry-run")
    assert Unit.objects.get(code="A1").parent_id == s.pk
    call_command("import_units", str(path))
    assert Unit.objects.get(code="A1").parent_id == t.pk
    assert_totals_right(round_, s, t)


def test_a_grassroots_flag_changed_by_import_rebuilds_the_totals():
    round_, s, t = swap_world()
    data = workbook([("A1", "Công đoàn cơ sở A1", "CĐCS", "S", "Không", "V")])
    reorganisation.units_import_apply(data=data)
    assert_totals_right(round_, s, t)


def test_no_unit_is_hung_or_moved_under_a_merged_unit(world):
    reorganisation.unit_merge(sources=[world.unit_a], target=world.unit_b)
    data = workbook(
        [
            ("CS-NEW", "Công đoàn cơ sở mới", "CĐCS", world.unit_a.code, "Có", "V"),
            (world.unit_c.code, world.unit_c.name, "CĐCS", world.unit_a.code, "Có", "V"),
        ]
    )
    with pytest.raises(ImportInvalid) as refused:
        reorganisation.units_import_apply(data=data)
    messages = [str(e) for e in refused.value.plan.errors]
    assert len(messages) == 2 and all("không còn hoạt động" in m for m in messages), messages
    assert not Unit.objects.filter(code="CS-NEW").exists()


def test_a_swap_done_behind_the_services_back_is_found_and_added_up_afresh(django_capture_on_commit_callbacks):
    round_, s, t = swap_world()
    # Straight UPDATEs of parent and path, as a hand-made SQL fix would do: no service, no rebuild.
    for code, new_parent in (("A1", t), ("A2", t), ("C1", s), ("C2", s)):
        unit = Unit.objects.get(code=code)
        Unit.objects.filter(pk=unit.pk).update(parent=new_parent, path=f"{new_parent.path}{unit.pk}/")
    s.refresh_from_db()
    submitted = (ReportStatus.SUBMITTED,)
    # Same number of reports, same sum of ids: the squares tell them apart.
    assert totals.stored(round=round_, unit=s, statuses=submitted, members=members(round_, s)) is None
    with django_capture_on_commit_callbacks(execute=True):
        shown = rollup(round=round_, unit=s, statuses=submitted)
    assert [row.value("2020") for row in shown.rows if row.indicator.code == "CNVCLD"] == [2000]
    run_background_tasks()  # the rebuild the roll-up queued
    assert_totals_right(round_, s, t)
