"""A ratio rolls up over the units that gave both its parts, and each rolled-up row says how many units
it counts: the roll-up page, the consolidated Word file and the consolidated Excel file (recalculated by
LibreOffice) show the same figure.

Four CĐCS below the superior union, for 2020: A and B typed both their members and their workers
(90/100 and 30/60), D only its members (500), E only its workers (1.000). Over the units that gave both:
120 ÷ 160 = 75,0 %; the sums of all (620 ÷ 1.160 = 53,4 %) would count D's members against nobody's
workers and E's workers against nobody's members."""

import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from exports.docx import build_consolidated_docx
from exports.selectors import consolidated
from exports.xlsx import build_consolidated_xlsx
from reports import totals
from reports.models import Report, ReportStatus
from reports.selectors import report_appendix, rollup
from tests.indicators.factories import make_catalogue
from tests.reports.factories import ReportFactory
from tests.reports.test_rollup_totals import assert_stored_right, save
from tests.units.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ratio_world(world):
    cat = make_catalogue(world.round.outline_version)
    extra = []
    for name in ("Công đoàn cơ sở Công ty Dệt", "Công đoàn cơ sở Công ty Ém"):
        unit = UnitFactory(name=name, parent=world.superior)
        extra.append(ReportFactory(round=world.round, unit=unit))
    totals.rebuild(world.round)  # two reports made behind the services' back
    report_d, report_e = extra
    figures = [
        (world.report_a, {("DV", "2020"): "90", ("CNVCLD", "2020"): "100"}),
        (world.report_b, {("DV", "2020"): "30", ("CNVCLD", "2020"): "60"}),
        (report_d, {("DV", "2020"): "500"}),
        (report_e, {("CNVCLD", "2020"): "1.000"}),
    ]
    for report, cells in figures:
        save(world, report, world.admin, cells, cat)  # through the service: the totals move cell by cell
    assert_stored_right(world)
    Report.objects.filter(round=world.round, unit__is_grassroots=True).update(status=ReportStatus.SUBMITTED)
    totals.rebuild(world.round)  # the statuses were set in bulk
    return world, cat


def test_the_roll_up_adds_a_ratio_up_over_the_units_that_gave_both_parts(ratio_world):
    world, _cat = ratio_world
    rows = {r.indicator.code: r for r in rollup(round=world.round, unit=world.superior).rows}
    assert rows["TL_DV"].value("2020") == D(75)  # 120 ÷ 160, not 620 ÷ 1.160
    assert rows["DV"].value("2020") == D(620)  # each part is still the sum of every unit that gave it
    assert rows["CNVCLD"].value("2020") == D(1160)
    assert (rows["TL_DV"].units_counted, rows["DV"].units_counted, rows["CNVCLD"].units_counted) == (2, 3, 3)
    assert rows["DV_MOI"].units_counted == 0
    assert rows["THU_NHAP"].units_counted is None  # an average is not added up: no count to give

    # The province above adds up the same units; the totals read afresh agree with the stored ones.
    province = {r.indicator.code: r for r in rollup(round=world.round, unit=world.province).rows}
    assert province["TL_DV"].value("2020") == D(75)
    assert_stored_right(world)


def test_a_part_cleared_or_given_moves_the_ratio(ratio_world):
    world, cat = ratio_world
    Report.objects.filter(pk=world.report_b.pk).update(status=ReportStatus.DRAFTING)
    totals.rebuild(world.round)
    everything = tuple(ReportStatus.values)
    # B clears its workers: only A gives both.
    save(world, world.report_b, world.drafter_b, {("CNVCLD", "2020"): ""}, cat)
    rows = {r.indicator.code: r for r in rollup(round=world.round, unit=world.superior, statuses=everything).rows}
    assert rows["TL_DV"].value("2020") == D(90) and rows["TL_DV"].units_counted == 1
    # B gives them again, and its start of term in one part only: the start column pairs nobody.
    save(world, world.report_b, world.drafter_b, {("CNVCLD", "2020"): "40", ("DV", "start"): "10"}, cat)
    rows = {r.indicator.code: r for r in rollup(round=world.round, unit=world.superior, statuses=everything).rows}
    assert rows["TL_DV"].value("2020") == D(120) * 100 / D(140)
    assert rows["TL_DV"].value("start") is None
    assert_stored_right(world)


@pytest.mark.engine_independent  # LibreOffice: once, in the PostgreSQL pass
def test_the_page_word_and_excel_show_the_ratio_over_the_units_that_gave_both(ratio_world, soffice, tmp_path):
    world, cat = ratio_world
    client = Client()
    client.force_login(world.reviewer)
    html = client.get(reverse("reports:rollup", args=[world.round.code, world.superior.code])).content.decode()
    tl = cat["TL_DV"].pk
    assert re.search(rf'data-out="{tl}:2020">75,0<', html)
    # Each row says how many of the four units it counts.
    row_html = {
        int(pk): unescape(body)
        for pk, body in re.findall(r'<tr data-indicator="(\d+)"[^>]*>(.*?)</tr>', html, flags=re.S)
    }
    assert "2/4 CĐCS" in row_html[tl]
    assert "3/4 CĐCS" in row_html[cat["DV"].pk] and "3/4 CĐCS" in row_html[cat["CNVCLD"].pk]

    own = Report.objects.get(round=world.round, unit=world.superior)
    data = consolidated(own)
    document = Document(io.BytesIO(build_consolidated_docx(data, part="report")))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "TT" and len(t.rows[0].cells) > 10)
    header = [c.text for c in table.rows[0].cells]
    word_row = next(r for r in table.rows[1:] if r.cells[1].text.startswith(cat["TL_DV"].name))
    assert word_row.cells[header.index("2020")].text == "75,0"
    assert "(2/4 CĐCS)" in word_row.cells[1].text

    source = tmp_path / "tong-hop.xlsx"
    source.write_bytes(build_consolidated_xlsx(consolidated(own)))
    sheet = load_workbook(soffice(source, "xlsx"), data_only=True, read_only=True)["Tổng hợp"]
    rows = list(sheet.iter_rows(values_only=True))
    heading = rows[3]
    excel_row = next(r for r in rows if r[1] == "TL_DV")
    assert round(excel_row[heading.index("2020")], 9) == 75  # LibreOffice's own sum over A and B
    assert excel_row[2].endswith("(2/4 CĐCS)")
    assert excel_row[heading.index("Kết quả giữa nhiệm kỳ")] == pytest.approx(75)


def test_paired_sums_cost_no_query_more_on_the_roll_up(ratio_world):
    world, _cat = ratio_world
    rollup(round=world.round, unit=world.superior)
    with CaptureQueriesContext(connection) as ctx:
        rollup(round=world.round, unit=world.superior)
    # The catalogue, the reports per status, the members held, the totals (paired sums among them).
    assert len(ctx) == 4, [q["sql"] for q in ctx.captured_queries]


def test_entry_hints_are_for_rows_a_user_types(ratio_world, client):
    """ "Nhập số của riêng từng năm" is said of a row a drafter types (a flow), never of a computed one (a
    ratio of flows), on the roll-up page and on the appendix."""
    from indicators.models import Indicator, Kind, OverYears
    from indicators.models import Rollup as RollupRule

    world, cat = ratio_world
    flow_ratio = Indicator.objects.create(
        outline_version=world.round.outline_version,
        code="TL_MOI",
        name="Tỷ lệ kết nạp mới",
        unit_of_measure="%",
        kind=Kind.RATIO,
        rollup=RollupRule.RATIO_OF_SUMS,
        over_years=OverYears.SUM,
        numerator=cat["DV_MOI"],
        denominator=cat["DV_MOI"],
        node=cat["DV_MOI"].node,
        position=99,
        decimals=1,
    )
    hint = "Nhập số của riêng từng năm"
    for user, url in (
        (world.reviewer, reverse("reports:rollup", args=[world.round.code, world.superior.code])),
        (world.drafter_a, reverse("reports:appendix_edit", args=[world.report_a.pk])),
    ):
        client.force_login(user)
        html = client.get(url).content.decode()
        rows = dict(re.findall(r'<tr data-indicator="(\d+)"[^>]*>(.*?)</tr>', html, flags=re.S))
        assert hint in rows[str(cat["DV_MOI"].pk)], url
        assert hint not in rows[str(flow_ratio.pk)], url
        assert "lũy kế" in rows[str(flow_ratio.pk)]  # what its result is still says so


def test_lay_so_lieu_tong_hop_fills_the_parts_and_says_the_ratio_over_the_units_that_gave_both(ratio_world, client):
    """The superior's "Lấy số liệu tổng hợp" fills its members and workers with the sums of every unit
    (620 and 1.160: they are its totals), so its own ratio is 53,4 %; it says, beside, the roll-up's
    75,0 % over the 2 CĐCS that gave both, so the drafter sees which units each figure counts."""
    from django.contrib.messages import get_messages

    from units.models import Role
    from units.services import membership_grant

    world, _cat = ratio_world
    own = Report.objects.get(round=world.round, unit=world.superior)
    writer = UserFactory()
    membership_grant(user=writer, unit=world.superior, role=Role.DRAFTER)
    client.force_login(writer)
    response = client.post(reverse("reports:appendix_fill", args=[own.pk]))
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    rows = {r.indicator.code: r for r in report_appendix(own).rows}
    assert (rows["DV"].value("2020"), rows["CNVCLD"].value("2020")) == (D(620), D(1160))
    assert any(
        "“Tỷ lệ đoàn viên”: 75,0 % tính trên 2 CĐCS có đủ cả hai số (bảng tổng hợp); 53,4 % nếu tính từ các số vừa lấy"
        in text
        for text in shown
    ), shown
