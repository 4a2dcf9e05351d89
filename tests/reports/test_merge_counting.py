"""A merger and the rounds it touches: a report counts in its round unless its unit was merged on or
before the round's cut-off date (Report.is_counted); then the successor's report counts the members.
The dashboard, the roll-up, its stored totals and the consolidated files all follow that one rule."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from exports.selectors import consolidated, unit_report_rows
from reports import reorganisation, review
from reports.models import Report, ReportStatus, RollupTotal
from reports.selectors import dashboard, rollup
from reports.services import report_submit
from tests.indicators.factories import make_catalogue
from tests.reports.test_reorganisation import assert_totals_right, new_unit
from tests.reports.test_review import write_all
from tests.reports.test_rollup_totals import added_up, save

pytestmark = pytest.mark.django_db
EFFECTIVE = datetime.date(2025, 7, 1)


def merge(world):
    return reorganisation.unit_merge(
        sources=[world.unit_a, world.unit_b], new_unit=new_unit(world), effective=EFFECTIVE, actor=world.admin
    )


def figures_before_the_merger(world):
    """A submitted with 1.000 members, B drafting with 10: both typed before the merger."""
    cat = make_catalogue(world.round.outline_version)
    save(world, world.report_a, world.drafter_a, {("CNVCLD", "2020"): "1.000"}, cat)
    save(world, world.report_b, world.drafter_b, {("CNVCLD", "2020"): "10"}, cat)
    write_all(world, world.report_a, world.drafter_a)
    report_submit(report=world.report_a, actor=world.drafter_a)
    return cat


def members_2020(round_, unit, statuses=(ReportStatus.SUBMITTED, ReportStatus.APPROVED)):
    rows = {r.indicator.code: r for r in rollup(round=round_, unit=unit, statuses=statuses).rows}
    return rows["CNVCLD"].value("2020")


@pytest.fixture
def running(world):
    """The round's figures are taken at 31/12/2025: the merger of 01/07/2025 comes before its cut-off."""
    world.round.cutoff_date = datetime.date(2025, 12, 31)
    world.round.save(update_fields=["cutoff_date"])
    return world


def test_a_merger_before_the_cut_off_counts_the_members_once_through_the_successor(running):
    world = running
    cat = figures_before_the_merger(world)
    assert rollup(round=world.round, unit=world.superior).total == 2
    assert members_2020(world.round, world.superior) == Decimal(1000)

    successor = merge(world)
    own = Report.objects.get(round=world.round, unit=successor)
    after = rollup(round=world.round, unit=world.superior)
    # Only the successor is below the superior union in this round: the old units are not counted twice.
    assert (after.total, after.counted) == (1, 0)
    assert [r.unit_id for r in after.excluded] == [successor.pk]
    assert members_2020(world.round, world.superior) is None
    assert not RollupTotal.objects.filter(round=world.round, unit=world.superior, total__gt=0).exists()
    assert_totals_right(world.round, world.superior, world.province)

    # The successor types the members of both and submits: counted once.
    save(world, own, world.drafter_a, {("CNVCLD", "2020"): "1.010"}, cat)
    write_all(world, own, world.drafter_a)
    Report.objects.filter(pk=own.pk).update(doc_number="2", place="Bình An", signer_name="Lê Văn Ký")
    own.refresh_from_db()
    report_submit(report=own, actor=world.drafter_a)
    assert members_2020(world.round, world.superior) == Decimal(1010)
    assert members_2020(world.round, world.province) == Decimal(1010)
    # An old report approved later does not shift the totals: it no longer counts.
    review.report_approve(report=Report.objects.get(pk=world.report_a.pk), actor=world.reviewer)
    assert members_2020(world.round, world.superior) == Decimal(1010)
    assert_totals_right(world.round, world.superior, world.province)
    statuses = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
    assert set(added_up(world.round, world.superior, statuses).values()) == {Decimal(1010)}

    # The dashboard: neither a row nor a status count for the old units.
    board = dashboard(world.reviewer, world.round)
    assert [row.report.unit.name for row in board.rows] == [successor.name]
    assert sum(board.counts.values()) == 1 and board.counts[ReportStatus.APPROVED] == 0
    page = Client()
    page.force_login(world.reviewer)
    html = page.get(reverse("reports:dashboard", args=[world.round.code])).content.decode()
    assert successor.name in html and world.unit_b.name not in html

    # The superior union's consolidated files: the status table and the annex list the successor only.
    superior_report = Report.objects.get(round=world.round, unit=world.superior)
    assert [r.name for r in unit_report_rows(superior_report)] == [successor.name]
    files = consolidated(superior_report, include_drafts=True)
    assert [u.name for u in files.units] == [successor.name]
    assert files.rollup.total == 1

    # The old reports stay readable, saying why they are not in the roll-up.
    for report in (world.report_a, world.report_b):
        html = page.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
        assert "Không tính vào tổng hợp của đợt này: đơn vị đã hợp nhất vào" in html
        assert f"{successor.name} từ ngày 01/07/2025" in html
    successor_page = page.get(reverse("reports:report_detail", args=[own.pk])).content.decode()
    assert "Tiền thân:" in successor_page and "Không tính vào tổng hợp" not in successor_page


def test_a_round_whose_cut_off_came_before_the_merger_keeps_counting_the_old_units(world):
    # The round's figures were taken at 30/11/2020, long before the merger of 01/07/2025.
    figures_before_the_merger(world)
    successor = merge(world)
    after = rollup(round=world.round, unit=world.superior)
    counted = {r.unit_id for r in after.included}
    assert counted == {world.unit_a.pk}
    assert {r.unit_id for r in after.excluded} == {world.unit_b.pk, successor.pk}
    assert members_2020(world.round, world.superior) == Decimal(1000)
    assert_totals_right(world.round, world.superior, world.province)
    names = {row.report.unit.name for row in dashboard(world.reviewer, world.round).rows}
    assert {world.unit_a.name, world.unit_b.name} <= names
    page = Client()
    page.force_login(world.reviewer)
    html = page.get(reverse("reports:report_detail", args=[world.report_a.pk])).content.decode()
    assert "Đã hợp nhất vào" in html and "Không tính vào tổng hợp" not in html


def test_stored_totals_of_a_round_are_made_again_by_the_merger(running):
    """The totals stored before the merger held A's figures; the merger leaves none of them behind,
    without waiting for a roll-up page to notice."""
    world = running
    figures_before_the_merger(world)
    assert RollupTotal.objects.filter(round=world.round, unit=world.superior, total=1000).exists()
    merge(world)
    assert not RollupTotal.objects.filter(round=world.round, unit=world.superior, total__gt=0).exists()


def _appendix_table(html: str, table_xpath: str) -> tuple[list[str], list[list[str]]]:
    import lxml.html

    table = lxml.html.fromstring(html).xpath(table_xpath)[0]
    header = [th.text_content().strip() for th in table.xpath(".//thead/tr/th")]
    rows = [[cell.text_content().strip() for cell in tr.xpath("./th|./td")] for tr in table.xpath(".//tbody/tr")]
    return header, rows


@pytest.mark.parametrize("previous", ["", "950"])
def test_the_reading_and_print_pages_show_each_figure_under_its_column(running, previous):
    """A first congress: without a previous-term figure that column is left out, header and cells
    alike (the columns come from the selector, not from the template guessing the last one)."""
    world = running
    cat = figures_before_the_merger(world)
    successor = merge(world)
    own = Report.objects.get(round=world.round, unit=successor)
    cells = {("CNVCLD", "2020"): "1.010"}
    if previous:
        cells[("CNVCLD", "prev")] = previous
    save(world, own, world.drafter_a, cells, cat)
    page = Client()
    page.force_login(world.reviewer)
    for url, xpath in (
        (reverse("reports:report_read", args=[own.pk]), "//section[.//h2[contains(., 'Phụ lục')]]//table"),
        (reverse("exports:report_print", args=[own.pk]), "//table[contains(@class, 'print-appendix')]"),
    ):
        header, rows = _appendix_table(page.get(url).content.decode(), xpath)
        assert ("Cùng kỳ nhiệm kỳ trước" in header) == bool(previous), url
        for row in rows:
            assert len(row) == len(header), (url, row)
        members = next(r for r in rows if any(cell.startswith(cat["CNVCLD"].name) for cell in r[:2]))
        assert "2020" in header, header
        assert members[header.index("2020")] == "1.010", url
        if previous:
            assert members[header.index("Cùng kỳ nhiệm kỳ trước")] == previous, url
