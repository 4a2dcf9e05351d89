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
        "So với đầu nhiệm kỳ (% hoặc điểm %)",
        "So với cùng kỳ nhiệm kỳ trước",
        "So với cùng kỳ nhiệm kỳ trước (% hoặc điểm %)",
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


def test_a_round_of_whole_previous_terms_says_so_in_every_heading(client, filled, world):
    """The round form's choice: the page, Word, Excel and the appendix template all say "cả nhiệm kỳ trước"."""
    from django.urls import reverse
    from docx import Document

    from exports.docx import build_report_docx
    from reports.models import PreviousTerm
    from tests.reports.test_rounds import edit_data, province_admin

    report, _cat = filled
    client.force_login(province_admin(world))
    url = reverse("reports:round_edit", args=[world.round.code])
    assert 'value="whole_term"' in client.get(url).content.decode()
    assert client.post(url, edit_data(world, previous_term="whole_term")).status_code == 302
    world.round.refresh_from_db()
    assert world.round.previous_term == PreviousTerm.WHOLE_TERM
    report.refresh_from_db()

    doc = report_document(report)
    ws = load_workbook(io.BytesIO(build_report_xlsx(doc))).worksheets[0]
    header = [c.value for c in ws[4]]
    assert "Cả nhiệm kỳ trước" in header and "So với cả nhiệm kỳ trước (% hoặc điểm %)" in header
    assert not any("cùng kỳ" in (h or "") for h in header)
    word = Document(io.BytesIO(build_report_docx(doc)))
    word_header = [c.text for c in word.tables[-1].rows[0].cells]
    assert "Cả nhiệm kỳ trước" in word_header and "So với cả nhiệm kỳ trước" in word_header
    client.force_login(world.drafter_a)
    page = client.get(reverse("reports:appendix_edit", args=[report.pk])).content.decode()
    assert "So với cả nhiệm kỳ trước" in page and "cùng kỳ" not in page
    template = load_workbook(io.BytesIO(client.get(reverse("reports:appendix_xlsx", args=[report.pk])).content))
    assert "Cả nhiệm kỳ trước" in [c.value for c in template.worksheets[0][5]]
