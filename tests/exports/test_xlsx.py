import datetime
import io

import pytest
from openpyxl import load_workbook

from exports.selectors import consolidated, report_document
from exports.xlsx import build_consolidated_xlsx, build_report_xlsx
from reports.models import Report, ReportStatus

pytestmark = pytest.mark.django_db


def test_report_workbook_layout_and_formulas(filled):
    report, _cat = filled
    wb = load_workbook(io.BytesIO(build_report_xlsx(report_document(report))))
    ws = wb.worksheets[0]
    assert ws.title == "Phụ lục"
    assert ws.freeze_panes == "A5"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    header = [c.value for c in ws[4]]
    assert header[:6] == ["TT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu Nghị quyết", "Đầu nhiệm kỳ"]
    assert header[10:16] == [
        "Kết quả giữa nhiệm kỳ",
        "% chỉ tiêu",
        "So với đầu nhiệm kỳ",
        "So với đầu nhiệm kỳ (%)",
        "So với nhiệm kỳ trước",
        "So với nhiệm kỳ trước (%)",
    ]
    rows = {ws.cell(row=r, column=2).value: r for r in range(5, ws.max_row + 1)}
    dv = rows["DV"]
    assert ws.cell(row=dv, column=9).value == 1250 and ws.cell(row=dv, column=9).number_format == "#,##0"
    assert ws.cell(row=dv, column=11).value.startswith("=IF(")
    assert ws.cell(row=dv, column=3).font.name == "Times New Roman"
    ratio = ws.cell(row=rows["TL_DV"], column=9).value
    assert ratio.startswith("=IF(") and f"I{dv}" in ratio
    flow = ws.cell(row=rows["DV_MOI"], column=11).value
    assert "SUM(G" in flow  # a flow's result adds its years up
    note = ws.cell(row=dv, column=17)  # after the six computed columns
    assert note.value == '=HYPERLINK("http://x")' and note.data_type == "s"  # text, not a formula


def test_consolidated_workbook_sheets(filled, world):
    own = Report.objects.get(round=world.round, unit=world.superior)
    Report.objects.filter(pk=world.report_a.pk).update(status=ReportStatus.SUBMITTED)
    wb = load_workbook(io.BytesIO(build_consolidated_xlsx(consolidated(own))))
    assert wb.sheetnames == ["Tổng hợp", "Chi tiết", "Trạng thái"]
    detail = list(wb["Chi tiết"].values)
    typed = 6  # the test catalogue: seven indicators, one of them a ratio
    assert len(detail) == 1 + typed  # only the submitted unit: a draft's figures never stand in the file
    assert wb["Chi tiết"].cell(row=2, column=2).font.name == "Times New Roman"
    assert {row[0] for row in detail[1:]} == {world.unit_a.code}

    Report.objects.filter(pk=world.report_b.pk).update(
        status=ReportStatus.DRAFTING
    )  # a draft (its figures, if any, would be marked)
    with_drafts = load_workbook(io.BytesIO(build_consolidated_xlsx(consolidated(own, include_drafts=True))))
    rows = list(with_drafts["Chi tiết"].values)[1:]
    assert {row[0] for row in rows} == {world.unit_a.code, world.unit_b.code}
    assert {row[-1] for row in rows if row[0] == world.unit_b.code} == {"BẢN NHÁP – chưa nộp"}
    assert {row[-1] for row in rows if row[0] == world.unit_a.code} == {None}
    status = list(wb["Trạng thái"].values)
    assert status[0][0] == "Công đoàn cấp trên"
    assert [row[0] for row in status[1:]] == [world.superior.name] * 2  # grouped under the superior union
    assert [row[2] for row in status[1:]] == [world.unit_b.name, world.unit_a.name]  # Vietnamese order
    submitted = next(row for row in status[1:] if row[2] == world.unit_a.name)
    assert isinstance(submitted[7], datetime.datetime)  # a real date, not text
    summary = wb["Tổng hợp"]
    cell = summary.cell(row=5, column=9).value
    assert cell.startswith("=IF(COUNTIFS(") and "SUMIFS('Chi tiết'!$J$2:$J$7" in cell
