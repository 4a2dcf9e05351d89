"""Rows only superior unions count: a CĐCS is not asked for them, nor are they printed in its files;
the superior union's own report, the roll-up and the consolidated files have them."""

import io
from decimal import Decimal

import docx
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from exports.docx import build_report_docx
from exports.selectors import consolidated, outline_document, report_document
from exports.xlsx import build_consolidated_xlsx, build_report_xlsx
from indicators.models import Indicator, Kind, Rollup
from reports import totals
from reports.forms import cell_name
from reports.models import IndicatorValue, Report, ReportStatus
from reports.selectors import comment_anchors, rollup
from reports.services import appendix_save
from tests.indicators.factories import make_catalogue
from tests.units.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ONLY = "Tổng số công đoàn cơ sở trực thuộc"
SHARE = "Tỷ lệ công đoàn cơ sở giới thiệu được đoàn viên ưu tú cho Đảng"


@pytest.fixture
def cat(world):
    made = make_catalogue(world.round.outline_version)
    node = made["DV"].node
    made["SO_CDCS"] = Indicator.objects.create(
        outline_version=world.round.outline_version,
        code="SO_CDCS",
        name=ONLY,
        unit_of_measure="CĐCS",
        kind=Kind.COUNT,
        rollup=Rollup.SUM,
        node=node,
        position=20,
        superior_only=True,
    )
    made["CDCS_GT"] = Indicator.objects.create(
        outline_version=world.round.outline_version,
        code="CDCS_GT",
        name="Số công đoàn cơ sở giới thiệu được đoàn viên ưu tú cho Đảng",
        unit_of_measure="CĐCS",
        kind=Kind.COUNT,
        rollup=Rollup.SUM,
        node=node,
        position=21,
        part_of=made["SO_CDCS"],
        superior_only=True,
    )
    made["TL_GT"] = Indicator.objects.create(
        outline_version=world.round.outline_version,
        code="TL_GT",
        name=SHARE,
        unit_of_measure="%",
        kind=Kind.RATIO,
        rollup=Rollup.RATIO_OF_SUMS,
        node=node,
        position=22,
        numerator=made["CDCS_GT"],
        denominator=made["SO_CDCS"],
        decimals=1,
        superior_only=True,
    )
    for indicator in made.values():
        indicator.full_clean()
    return made


def own_report(world):
    return Report.objects.select_related("round", "unit").get(round=world.round, unit=world.superior)


def test_a_ratio_or_part_of_a_superior_only_row_must_be_superior_only(cat):
    cat["TL_GT"].superior_only = False
    with pytest.raises(Exception, match="chỉ dành cho công đoàn cấp trên"):
        cat["TL_GT"].full_clean()
    cat["CDCS_GT"].superior_only = False
    with pytest.raises(Exception, match="chỉ dành cho công đoàn cấp trên"):
        cat["CDCS_GT"].full_clean()


def test_the_grassroots_form_does_not_ask_for_them_and_refuses_them(client, world, cat):
    client.force_login(world.drafter_a)
    url = reverse("reports:appendix_edit", args=[world.report_a.pk])
    page = client.get(url).content.decode()
    assert "Tổng số đoàn viên công đoàn" in page
    assert ONLY not in page and SHARE not in page
    client.post(url, {"version": 0, cell_name(cat["DV"].pk, "2020"): "10", cell_name(cat["SO_CDCS"].pk, "2020"): "3"})
    stored = set(IndicatorValue.objects.filter(report=world.report_a).values_list("indicator__code", flat=True))
    assert stored == {"DV"}
    # The service refuses them too, whatever a form sends.
    appendix_save(report=world.report_a, cells={(cat["SO_CDCS"].pk, "2020"): "3"}, notes={}, base_version=1, actor=None)
    assert not IndicatorValue.objects.filter(indicator=cat["SO_CDCS"]).exists()
    assert "indicator:SO_CDCS" not in comment_anchors(world.report_a)


def test_the_superior_unions_own_report_has_them(client, world, cat):
    drafter = MembershipFactory(unit=world.superior).user
    client.force_login(drafter)
    own = own_report(world)
    url = reverse("reports:appendix_edit", args=[own.pk])
    page = client.get(url).content.decode()
    assert ONLY in page and "chỉ công đoàn cấp trên" in page
    client.post(
        url,
        {"version": 0, cell_name(cat["SO_CDCS"].pk, "2020"): "40", cell_name(cat["CDCS_GT"].pk, "2020"): "30"},
    )
    figures = dict(IndicatorValue.objects.filter(report=own).values_list("indicator__code", "value"))
    assert figures == {"SO_CDCS": Decimal(40), "CDCS_GT": Decimal(30)}
    rows = {r.indicator.code: r for r in report_document(own).rows}
    assert rows["TL_GT"].value("2020") == Decimal(75)
    assert "indicator:SO_CDCS" in comment_anchors(own)


def test_grassroots_files_leave_them_out(world, cat):
    report = Report.objects.select_related("round", "unit").get(pk=world.report_a.pk)
    for document in (report_document(report), outline_document(report)):
        assert "SO_CDCS" not in {r.indicator.code for r in document.rows}
        assert "DV" in {r.indicator.code for r in document.rows}
    text = "\n".join(
        cell.text
        for table in docx.Document(io.BytesIO(build_report_docx(report_document(report)))).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "Tổng số đoàn viên công đoàn" in text and ONLY not in text
    book = load_workbook(io.BytesIO(build_report_xlsx(report_document(report))))
    values = {c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert "Tổng số đoàn viên công đoàn" in values and ONLY not in values


def test_roll_up_page_shows_them_marked(client, world, cat):
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:rollup", args=[world.round.code, world.superior.code])).content.decode()
    assert ONLY in page and SHARE in page and "chỉ công đoàn cấp trên" in page


def test_roll_up_and_consolidated_files_show_them(world, cat):
    IndicatorValue.objects.create(report=world.report_a, indicator=cat["DV"], column="2020", value=Decimal(9))
    Report.objects.filter(pk=world.report_a.pk).update(status=ReportStatus.SUBMITTED)
    totals.rebuild(world.round)
    summed = rollup(round=world.round, unit=world.superior)
    codes = [r.indicator.code for r in summed.rows]
    assert {"SO_CDCS", "TL_GT"} <= set(codes)
    assert {r.indicator.code: r for r in summed.rows}["DV"].value("2020") == Decimal(9)
    data = consolidated(own_report(world))
    assert "SO_CDCS" in {i.code for i in data.indicators}
    book = load_workbook(io.BytesIO(build_consolidated_xlsx(data)))
    summary, detail = book.worksheets[0], book.worksheets[1]
    # Named, with how many superior unions its figure comes from (none below this one).
    assert f"{ONLY} (từ 0 công đoàn cấp trên)" in {c.value for row in summary.iter_rows() for c in row}
    # The details list what each CĐCS typed: not the rows it was never asked for.
    detail_codes = {row[2].value for row in detail.iter_rows(min_row=2)}
    assert "DV" in detail_codes and "SO_CDCS" not in detail_codes


def test_a_provinces_roll_up_takes_them_from_its_superiors_own_reports(client, world, cat):
    """A province's roll-up of the rows only superior unions count adds up its districts' and
    industrial-zone unions' own reports (each counted the CĐCS below it); the page, the consolidated
    workbook and the stored totals agree, and a change in a superior's report shows at once."""
    from reports.models import Round
    from reports.selectors import rollup_stamp
    from reports.services import round_open
    from tests.reports.factories import RoundFactory

    round_ = RoundFactory(outline_version=world.round.outline_version, organising_unit=world.province)
    round_open(round=round_, tell_drafters=False)
    round_ = Round.objects.get(pk=round_.pk)
    mine = {r.unit_id: r for r in Report.objects.filter(round=round_)}
    for unit, (count, put_forward) in ((world.superior, (40, 10)), (world.other_superior, (25, 5))):
        appendix_save(
            report=mine[unit.pk],
            cells={(cat["SO_CDCS"].pk, "2020"): str(count), (cat["CDCS_GT"].pk, "2020"): str(put_forward)},
            notes={},
            base_version=0,
            actor=world.drafter_a,
        )
    appendix_save(
        report=mine[world.unit_a.pk],
        cells={(cat["DV"].pk, "2020"): "9"},
        notes={},
        base_version=0,
        actor=world.drafter_a,
    )
    Report.objects.filter(round=round_).update(status=ReportStatus.SUBMITTED)
    totals.rebuild(round_)
    before = rollup_stamp(round=round_, unit=world.province).revision(("submitted",))
    rows = {r.indicator.code: r for r in rollup(round=round_, unit=world.province).rows}
    assert rows["SO_CDCS"].value("2020") == Decimal(65)
    assert rows["CDCS_GT"].value("2020") == Decimal(15)
    assert rows["TL_GT"].value("2020") == Decimal(15) * 100 / 65
    assert rows["DV"].value("2020") == Decimal(9)  # the CĐCS's figures as before
    # The province's consolidated workbook prints the same figures, not blanks from "Chi tiết".
    summary = load_workbook(io.BytesIO(build_consolidated_xlsx(consolidated(mine[world.province.pk])))).worksheets[0]
    line = next(r for r in summary.iter_rows(values_only=True) if r[1] == "SO_CDCS")
    assert line[8] == 65
    # The superior's own report returned: its figures leave the province's roll-up, and its page's cache.
    Report.objects.filter(pk=mine[world.other_superior.pk].pk).update(status=ReportStatus.RETURNED)
    assert rollup_stamp(round=round_, unit=world.province).revision(("submitted",)) != before
    rows = {r.indicator.code: r for r in rollup(round=round_, unit=world.province).rows}
    assert rows["SO_CDCS"].value("2020") == Decimal(40)
