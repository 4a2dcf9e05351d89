"""The rules written once for the whole site ("below this unit", "counted in this round", "past its
deadline") say in SQL what their one-row forms say in Python, for every case of a small tree."""

import datetime

import pytest

from reports.models import Report
from units.models import Unit, subtree_q, subtrees_q

pytestmark = pytest.mark.django_db


def test_below_a_unit_is_the_same_in_sql_and_for_a_unit_in_hand(world):
    units = list(Unit.objects.all())
    for top in units:
        below = {u.pk for u in units if u.is_within(top)}
        assert set(Unit.objects.filter(subtree_q(top)).values_list("pk", flat=True)) == below
        assert set(Unit.objects.subtree_of(top, include_self=False).values_list("pk", flat=True)) == below - {top.pk}
        reports = Report.objects.filter(subtree_q(top, "unit"), round=world.round)
        assert {r.unit_id for r in reports} == below & set(
            Report.objects.filter(round=world.round).values_list("unit_id", flat=True)
        )
    either = {u.pk for u in units if u.is_within(world.superior) or u.is_within(world.other_superior)}
    both = Unit.objects.filter(subtrees_q([world.superior, world.other_superior]))
    assert set(both.values_list("pk", flat=True)) == either
    assert not Unit.objects.filter(subtrees_q([])).exists()


def test_the_reports_a_roll_up_adds_up_are_the_counted_grassroots_reports_below(world):
    # Unit B merged on the round's cut-off date: its successor's report counts its members, not its own.
    Unit.objects.filter(pk=world.unit_b.pk).update(merged_on=world.round.cutoff_date)
    reports = list(Report.objects.filter(round=world.round).select_related("unit", "round"))
    for top in Unit.objects.all():
        expected = {r.pk for r in reports if r.unit.is_grassroots and r.is_counted and r.unit.is_within(top)}
        assert set(Report.objects.counted_below(world.round, top).values_list("pk", flat=True)) == expected
    assert set(Report.objects.counted_below(world.round, world.superior)) == {world.report_a}


@pytest.mark.parametrize("round_days", [-3, -1, 0, 2])
@pytest.mark.parametrize("extension_days", [None, -2, -1, 0, 1, 4])
def test_past_its_deadline_is_the_same_in_sql_and_for_a_report_in_hand(world, round_days, extension_days):
    today = datetime.date.today()
    round_ = world.round
    round_.deadline = today + datetime.timedelta(days=round_days)
    round_.save(update_fields=["deadline"])
    extended = None if extension_days is None else today + datetime.timedelta(days=extension_days)
    Report.objects.filter(pk=world.report_a.pk).update(extended_until=extended)
    report = Report.objects.select_related("round").get(pk=world.report_a.pk)
    assert Report.objects.filter(pk=report.pk).past_deadline(round_, today).exists() == report.is_past_deadline
