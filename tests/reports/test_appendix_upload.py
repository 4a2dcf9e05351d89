import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import IndicatorNote, IndicatorValue
from reports.services import appendix_save
from tests.indicators.factories import make_catalogue
from tests.reports.factories import RoundFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def cat(world):
    return make_catalogue(world.round.outline_version)


def download(client, report):
    response = client.get(reverse("reports:appendix_xlsx", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def upload(client, report, data, name="phu-luc.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("reports:appendix_upload", args=[report.pk]), {"file": file}, follow=True)


def to_bytes(wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def find_row(ws, code):
    return next(r for r in range(6, ws.max_row + 1) if ws.cell(row=r, column=2).value == code)


def stored(report):
    return {(v.indicator.code, v.column): v.value for v in IndicatorValue.objects.filter(report=report)}


def test_template_layout(client, world, cat):
    appendix_save(
        report=world.report_a,
        cells={(cat["CNVCLD"].pk, "2020"): "1.250"},
        notes={cat["CNVCLD"].pk: ('=HYPERLINK("http://x")', None)},
        base_version=0,
        actor=world.drafter_a,
    )
    client.force_login(world.drafter_a)
    wb = download(client, world.report_a)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[5]] == [
        "TT",
        "Mã",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Chỉ tiêu Nghị quyết",
        "Đầu nhiệm kỳ",
        "2018",
        "2019",
        "2020",
        "Cùng kỳ nhiệm kỳ trước",
        "Ghi chú",
        "Giải trình",
    ]
    assert world.unit_a.name in ws["A2"].value
    row = find_row(ws, "CNVCLD")
    assert ws.cell(row=row, column=9).value == 1250
    assert ws.cell(row=row, column=3).protection.locked
    assert not ws.cell(row=row, column=9).protection.locked
    assert ws.protection.sheet
    assert ws.cell(row=row, column=3).font.name == "Times New Roman"
    # The note that looks like a formula is written as text.
    note = ws.cell(row=row, column=11)
    assert note.value == '=HYPERLINK("http://x")' and note.data_type == "s"
    ratio_row = find_row(ws, "TL_DV")
    assert str(ws.cell(row=ratio_row, column=9).value).startswith("=IF(")
    assert wb["_meta"].sheet_state == "veryHidden"
    assert ws.page_setup.orientation == "landscape"


def test_round_trip_gives_back_the_same_values(client, world, cat):
    client.force_login(world.drafter_a)
    ws_book = download(client, world.report_a)
    ws = ws_book.worksheets[0]
    figures = {"CNVCLD": [1100, 1000, 1030, 1060, 1080, 950], "DV": [1050, 900, "940", "985", "1.020", 850]}
    for code, values in figures.items():
        row = find_row(ws, code)
        for offset, value in enumerate(values):
            ws.cell(row=row, column=5 + offset).value = value
    ws.cell(row=find_row(ws, "THU_NHAP"), column=9).value = 7.4
    ws.cell(row=find_row(ws, "DV"), column=11).value = "@SUM(A1) ghi chú"
    response = upload(client, world.report_a, to_bytes(ws_book))
    assert "Đã lưu số liệu từ tệp" in response.content.decode()
    values = stored(world.report_a)
    assert values[("DV", "2020")] == D(1020)
    assert values[("CNVCLD", "prev")] == D(950)
    assert values[("THU_NHAP", "2020")] == D("7.4")
    assert IndicatorNote.objects.get(report=world.report_a, indicator=cat["DV"]).note == "@SUM(A1) ghi chú"
    # Downloading again gives the same figures back.
    again = download(client, world.report_a).worksheets[0]
    assert [again.cell(row=find_row(again, "DV"), column=c).value for c in range(5, 11)] == [
        1050,
        900,
        940,
        985,
        1020,
        850,
    ]
    assert again.cell(row=find_row(again, "THU_NHAP"), column=9).value == 7.4


def test_errors_listed_by_row_and_column_nothing_saved_until_confirmed(client, world, cat):
    client.force_login(world.drafter_a)
    wb = download(client, world.report_a)
    ws = wb.worksheets[0]
    workers, women = find_row(ws, "CNVCLD"), find_row(ws, "NU")
    ws.cell(row=workers, column=9).value = 100
    ws.cell(row=women, column=9).value = 120
    ws.cell(row=workers, column=8).value = "=1+1"
    ws.cell(row=workers, column=7).value = "hai trăm"
    ws.cell(row=workers, column=6).value = -4
    ws.cell(row=find_row(ws, "DV"), column=9).value = 80
    response = upload(client, world.report_a, to_bytes(wb))
    html = response.content.decode()
    assert f"Dòng {women}, cột I (2020)" in html and "Lớn hơn" in html
    assert f"Dòng {workers}, cột H (2019)" in html and "công thức" in html
    assert f"Dòng {workers}, cột G (2018)" in html and "không phải là số" in html
    assert f"Dòng {workers}, cột F (Đầu nhiệm kỳ)" in html and "âm" in html
    assert stored(world.report_a) == {}
    response = client.post(reverse("reports:appendix_upload", args=[world.report_a.pk]), {"confirm": "1"}, follow=True)
    assert stored(world.report_a) == {("CNVCLD", "2020"): D(100), ("DV", "2020"): D(80)}
    assert "Đã lưu số liệu từ tệp" in response.content.decode()


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda ctx: b"TT,Ma,Chi tieu\n1,CNVCLD,100\n", "không phải tệp Excel"),
        (lambda ctx: _zip({"hello.txt": b"xin chao"}), "không phải tệp Excel"),
        (lambda ctx: _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}), "Không đọc được"),
        (
            lambda ctx: _zip(
                {
                    "[Content_Types].xml": b"<x/>",
                    "xl/workbook.xml": b"<x/>",
                    "xl/worksheets/sheet1.xml": b"0" * (40 * 1024 * 1024),
                }
            ),
            "lớn bất thường",
        ),
        (lambda ctx: b"x" * (2 * 1024 * 1024 + 1), "quá lớn"),
        (lambda ctx: ctx["plain"], "không phải biểu mẫu"),
        (lambda ctx: ctx["other_unit"], "đơn vị khác"),
        (lambda ctx: ctx["other_round"], "đợt báo cáo khác"),
        (lambda ctx: ctx["moved_columns"], "Các cột"),
    ],
    ids=[
        "csv",
        "zip",
        "broken-xlsx",
        "zip-bomb",
        "oversized",
        "plain-workbook",
        "other-unit",
        "other-round",
        "moved-columns",
    ],
)
def test_wrong_files_are_refused_with_a_message(client, world, cat, make, message):
    from openpyxl import Workbook

    from reports.selectors import report_appendix
    from reports.services import round_open
    from reports.xlsx import build_template

    plain = Workbook()
    plain.active["A1"] = "Phụ lục"
    other_round = RoundFactory(outline_version=world.round.outline_version, organising_unit=world.superior)
    round_open(round=other_round)
    other_report = other_round.reports.get(unit=world.unit_a)
    moved = load_workbook(io.BytesIO(build_template(world.report_a, report_appendix(world.report_a).rows)))
    moved.worksheets[0].cell(row=5, column=7).value = "2017"
    ctx = {
        "plain": to_bytes(plain),
        "other_unit": build_template(world.report_b, report_appendix(world.report_b).rows),
        "other_round": build_template(other_report, report_appendix(other_report).rows),
        "moved_columns": to_bytes(moved),
    }
    client.force_login(world.drafter_a)
    response = upload(client, world.report_a, make(ctx))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored(world.report_a) == {}


def test_the_explanation_column_is_taken_as_the_figures_giai_trinh(client, world, cat):
    """The template's "Giải trình" column is saved as the figure's explanation, which the checks count;
    the message counts the notes saved as well as the figures."""
    from reports.selectors import report_appendix

    client.force_login(world.drafter_a)
    book = download(client, world.report_a)
    ws = book.worksheets[0]
    assert ws.cell(row=5, column=12).value == "Giải trình"
    row = find_row(ws, "CNVCLD")
    ws.cell(row=row, column=5).value = 1000  # target
    ws.cell(row=row, column=9).value = 3000  # 2020: 300 % of the target, unusual
    ws.cell(row=row, column=11).value = "Ghi chú thường"
    ws.cell(row=row, column=12).value = "Sáp nhập thêm ba doanh nghiệp"
    ws.cell(row=find_row(ws, "DV"), column=11).value = "Ghi chú đoàn viên"
    response = upload(client, world.report_a, to_bytes(book))
    assert "Đã lưu số liệu từ tệp: 2 ô số liệu và 2 ghi chú, giải trình thay đổi." in response.content.decode()
    note = IndicatorNote.objects.get(report=world.report_a, indicator=cat["CNVCLD"])
    assert (note.note, note.explanation) == ("Ghi chú thường", "Sáp nhập thêm ba doanh nghiệp")
    appendix = report_appendix(world.report_a)
    assert next(r for r in appendix.rows if r.indicator.code == "CNVCLD").warnings()
    assert appendix.unexplained_warnings() == []
    # The explanation comes back in the next download.
    again = download(client, world.report_a).worksheets[0]
    assert again.cell(row=find_row(again, "CNVCLD"), column=12).value == "Sáp nhập thêm ba doanh nghiệp"
    # Notes alone are counted too (nothing else changed).
    ws = again.parent.worksheets[0]
    ws.cell(row=find_row(ws, "DV"), column=12).value = "Giải trình đoàn viên"
    response = upload(client, world.report_a, to_bytes(again.parent))
    assert "0 ô số liệu và 1 ghi chú, giải trình thay đổi." in response.content.decode()


def test_a_template_downloaded_before_the_explanation_column_is_still_read(client, world, cat):
    """A version-1 file (no "Giải trình" column, "Nhiệm kỳ trước") saves its figures and notes and
    leaves the stored explanations as they are."""
    appendix_save(
        report=world.report_a,
        cells={},
        notes={cat["DV"].pk: ("", "Giải trình cũ")},
        base_version=0,
        actor=world.drafter_a,
    )
    client.force_login(world.drafter_a)
    book = download(client, world.report_a)
    ws = book.worksheets[0]
    ws.delete_cols(12)
    ws.cell(row=5, column=10).value = "Nhiệm kỳ trước"
    book["_meta"]["A2"].value = "1"
    ws.cell(row=find_row(ws, "DV"), column=9).value = 900
    ws.cell(row=find_row(ws, "DV"), column=11).value = "Ghi chú mới"
    response = upload(client, world.report_a, to_bytes(book))
    assert "1 ô số liệu và 1 ghi chú, giải trình thay đổi." in response.content.decode()
    note = IndicatorNote.objects.get(report=world.report_a, indicator=cat["DV"])
    assert (note.note, note.explanation) == ("Ghi chú mới", "Giải trình cũ")
    assert stored(world.report_a)[("DV", "2020")] == D(900)
