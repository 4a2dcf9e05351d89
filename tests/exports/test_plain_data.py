"""The Word and Excel builders are functions of plain data: built here from objects made in memory, with
no database at all (pytest-django refuses any query in a test not marked django_db), and what they print
is what they were handed."""

import datetime
import io
from decimal import Decimal

import docx
from openpyxl import load_workbook

from exports.docx import build_consolidated_docx, build_outline_docx, build_report_docx
from exports.selectors import Consolidated, ReportDocument, UnitReport
from exports.xlsx import build_consolidated_xlsx, build_report_xlsx
from indicators.figures import compute_rows
from indicators.models import Indicator, Kind, OverYears, Rollup
from outline.models import NodeKind, OutlineNode
from reports.selectors import Rollup as RollupResult
from units.models import Unit

YEARS = [2018, 2019, 2020]
FIELDS = {
    "superior": "Công đoàn các Khu công nghiệp tỉnh Bình An",
    "unit": "Công đoàn cơ sở Công ty TNHH May Hòa Bình",
    "heading": "",
    "number": "15/BC-CĐCS",
    "place": "Bình An",
    "signing_authority": "TM. BAN CHẤP HÀNH",
    "signer_title": "CHỦ TỊCH",
    "signer_name": "Nguyễn Thị Lan",
    "recipients": ["Công đoàn các KCN tỉnh"],
    "filed": "VT",
    "fill": "Công đoàn cơ sở Công ty TNHH May Hòa Bình lần thứ V",
}


def _nodes():
    part = OutlineNode(pk=1, key="p1", kind=NodeKind.PART, text="PHẦN THỨ NHẤT", raw="PHẦN THỨ NHẤT")
    section = OutlineNode(pk=2, key="p1.II", kind=NodeKind.SECTION, number="II", text="KẾT QUẢ", parent_id=1)
    item = OutlineNode(
        pk=3, key="p1.II.1", kind=NodeKind.ITEM, number="1", text="Phát triển đoàn viên", parent_id=2, is_writable=True
    )
    guidance = OutlineNode(
        pk=4, key="p1.II.1.g1", kind=NodeKind.GUIDANCE, text="Số đoàn viên mới.", raw="- Số đoàn viên mới.", parent_id=3
    )
    summary = OutlineNode(pk=5, key="summary", kind=NodeKind.SUMMARY, text="Đánh giá giữa nhiệm kỳ ……")
    return [summary, part, section, item, guidance]


def _catalogue():
    workers = Indicator(
        pk=1, code="CNVCLD", name="Tổng số CNVCLĐ", unit_of_measure="người", kind=Kind.COUNT, rollup=Rollup.SUM
    )
    members = Indicator(
        pk=2, code="DV", name="Tổng số đoàn viên", unit_of_measure="người", kind=Kind.COUNT, rollup=Rollup.SUM
    )
    share = Indicator(
        pk=3,
        code="TL_DV",
        name="Tỷ lệ đoàn viên",
        unit_of_measure="%",
        kind=Kind.RATIO,
        rollup=Rollup.RATIO_OF_SUMS,
        over_years=OverYears.LATEST,
        numerator=members,
        denominator=workers,
        decimals=1,
    )
    return [workers, members, share]


def _rows(values):
    return compute_rows(_catalogue(), YEARS, values)


VALUES = {(1, "2020"): Decimal(1080), (2, "2020"): Decimal(1049), (1, "target"): Decimal(1100)}


def _document(texts=None, rows=None):
    return ReportDocument(
        fields=FIELDS,
        date=datetime.date(2020, 12, 5),
        nodes=_nodes(),
        texts={"p1.II.1": "<p>Kết nạp <strong>120</strong> đoàn viên mới.</p>"} if texts is None else texts,
        rows=_rows(VALUES) if rows is None else rows,
        years=YEARS,
        round_name="Báo cáo giữa nhiệm kỳ 2018–2023",
        cutoff_date=datetime.date(2020, 11, 30),
    )


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_report_files_print_what_they_are_handed():
    text = _text(build_report_docx(_document()))
    assert "Số: 15/BC-CĐCS" in text and "Bình An, ngày 05 tháng 12 năm 2020" in text
    assert "II. KẾT QUẢ" in text and "Kết nạp 120 đoàn viên mới." in text
    assert "97,1" in text  # 1.049 of 1.080 members, as the site shows it
    assert "Nguyễn Thị Lan" in text
    sheet = load_workbook(io.BytesIO(build_report_xlsx(_document())))["Phụ lục"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert 1080 in cells and 1049 in cells and "Tỷ lệ đoàn viên" in " ".join(str(c) for c in cells)


def test_blank_outline_prints_the_guidance():
    text = _text(build_outline_docx(_document(texts={}, rows=_rows({}))))
    assert "- Số đoàn viên mới." in text and "Kết nạp" not in text


def test_consolidated_files_print_every_unit_handed_to_them():
    superior = Unit(pk=10, code="CDKCN", name="Công đoàn các KCN")
    units = [
        UnitReport(
            pk=100 + n,
            code=f"CDCS-{n}",
            name=name,
            superior="Công đoàn các KCN",
            status=status,
            status_label=label,
            submitted_at=datetime.datetime(2020, 12, n + 1, 3, tzinfo=datetime.UTC) if status != "drafting" else None,
            approved_at=None,
            updated_at=datetime.datetime(2020, 12, n + 1, 3, tzinfo=datetime.UTC),
            deadline=datetime.date(2020, 12, 31),
        )
        for n, (name, status, label) in enumerate(
            [
                ("Công đoàn cơ sở Công ty Ánh Dương", "submitted", "Đã nộp"),
                ("Công đoàn cơ sở Công ty Bình Minh", "drafting", "Đang soạn"),
            ]
        )
    ]
    data = Consolidated(
        document=_document(rows=[]),
        unit_name=superior.name,
        include_drafts=False,
        statuses=("submitted", "approved"),
        units=units,
        detail_order=[100],  # only the submitted unit counts
        rollup=RollupResult(unit=superior, rows=_rows(VALUES), statuses=("submitted",), counted=1, total=2),
        indicators=_catalogue(),
        texts=iter([("p1.II.1", "<p>Ánh Dương kết nạp 40 đoàn viên.</p>", 100)]),
        values=iter([(100, 1, "2020", Decimal(1080)), (100, 2, "2020", Decimal(1049))]),
    )
    text = _text(build_consolidated_docx(data))
    assert "Ánh Dương kết nạp 40 đoàn viên." in text
    # The status table lists both (a code never breaks at its hyphen: U+2011).
    assert "CDCS\u20110\nĐã nộp" in text and "CDCS\u20111\nĐang soạn" in text
    data.texts, data.values = iter([]), iter([(100, 1, "2020", Decimal(1080)), (100, 2, "2020", Decimal(1049))])
    book = load_workbook(io.BytesIO(build_consolidated_xlsx(data)))
    detail = [row for row in book["Chi tiết"].iter_rows(min_row=2, values_only=True)]
    # Only the submitted unit's figures stand in the workbook; the draft is only in the status sheet.
    assert {row[0] for row in detail} == {"CDCS-0"}
    assert [row[1] for row in book["Trạng thái"].iter_rows(min_row=2, values_only=True)] == ["CDCS-0", "CDCS-1"]
