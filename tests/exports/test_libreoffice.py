"""The files as LibreOffice opens them: Word converted to PDF and text, Excel recalculated."""

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from exports.docx import build_report_docx
from exports.selectors import consolidated, report_document
from exports.xlsx import build_consolidated_xlsx
from outline.models import NodeKind, OutlineNode
from reports.models import Report, ReportStatus
from reports.selectors import rollup

pytestmark = [pytest.mark.engine_independent, pytest.mark.django_db]


def test_word_report_opens_in_libreoffice_with_every_heading(filled, soffice, tmp_path):
    report, _cat = filled
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(build_report_docx(report_document(report)))
    pdf = soffice(source, "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    text = soffice(source, "txt:Text").read_text(encoding="utf-8")
    fill = report.blank_fill
    for node in OutlineNode.objects.filter(
        version=report.round.outline_version, kind__in=[NodeKind.SECTION, NodeKind.ITEM]
    ):
        assert node.heading_filled(fill) in text
    assert "Đoàn viên tăng mạnh, nữ chiếm 78%, vượt chỉ tiêu." in text  # diacritics intact
    assert "TM. BAN CHẤP HÀNH" in text and "Nơi nhận:" in text


def test_excel_formulas_recalculated_by_libreoffice_equal_the_site(filled, world, soffice, tmp_path):
    from reports.services import appendix_save

    cat = filled[1]
    appendix_save(
        report=world.report_b,
        cells={
            (cat["CNVCLD"].pk, "2020"): "10",
            (cat["DV"].pk, "2020"): "1",
            (cat["DV"].pk, "start"): "2",
            (cat["DV_MOI"].pk, "2019"): "7",
        },
        notes={},
        base_version=0,
        actor=world.drafter_b,
    )
    Report.objects.filter(pk__in=[world.report_a.pk, world.report_b.pk]).update(status=ReportStatus.SUBMITTED)
    own = Report.objects.get(round=world.round, unit=world.superior)
    source = tmp_path / "tong-hop.xlsx"
    source.write_bytes(build_consolidated_xlsx(consolidated(own)))
    recalculated = soffice(source, "xlsx")
    ws = load_workbook(recalculated, data_only=True)["Tổng hợp"]
    site = {row.indicator.code: row for row in rollup(round=world.round, unit=world.superior).rows}
    columns = ["target", "start", "2018", "2019", "2020", "prev"]
    checked = 0
    for r in range(5, ws.max_row + 1):
        code = ws.cell(row=r, column=2).value
        if code is None:
            continue  # the ratios' helper rows under the table (numerators, denominators over both)
        row = site[code]
        for offset, column in enumerate(columns):
            expected = row.value(column)
            got = ws.cell(row=r, column=5 + offset).value
            if expected is None:
                assert got in (None, ""), (code, column, got)
            else:
                assert round(Decimal(str(got)), 4) == round(expected, 4), (code, column, got, expected)
                checked += 1
        pct = ws.cell(row=r, column=12).value  # after the mid-term result
        if row.pct_of_target is not None:
            assert round(Decimal(str(pct)), 4) == round(row.pct_of_target, 4), code
    assert checked >= 8


def test_the_test_profile_recalculates_a_wrong_cached_value(soffice, tmp_path):
    """The premise of every recalculation test: a formula whose cached value is wrong comes back
    from LibreOffice with the right one."""
    import xlsxwriter

    source = tmp_path / "sai.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet()
    sheet.write_number(0, 0, 2)
    sheet.write_formula(0, 1, "=A1*21", None, 999)  # cached 999, truly 42
    book.close()
    assert load_workbook(source, data_only=True).active["B1"].value == 999
    assert load_workbook(soffice(source, "xlsx"), data_only=True).active["B1"].value == 42
