import datetime
import io
import re
import zipfile

import pytest
from django.utils import timezone
from docx.shared import Mm, Pt

from documents.official import name_lines, vietnamese_date
from exports.docx import build_consolidated_docx, build_outline_docx, build_report_docx
from exports.selectors import consolidated, outline_document, report_document
from outline.models import NodeKind, OutlineNode
from reports.models import Report
from tests.exports.conftest import open_docx

pytestmark = pytest.mark.django_db
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (datetime.date(2020, 12, 5), "Bình An, ngày 05 tháng 12 năm 2020"),
        (datetime.date(2021, 2, 14), "Bình An, ngày 14 tháng 02 năm 2021"),
        (datetime.date(2021, 3, 9), "Bình An, ngày 09 tháng 3 năm 2021"),
    ],
)
def test_place_and_date_follow_the_rules(date, text):
    assert vietnamese_date(date, "Bình An") == text


def test_page_margins_fonts_and_sections(filled):
    report, _cat = filled
    doc = open_docx(build_report_docx(report_document(report)))
    first, appendix = doc.sections[0], doc.sections[-1]
    assert abs(first.page_width - Mm(210)) < Mm(0.5) and abs(first.page_height - Mm(297)) < Mm(0.5)  # A4
    assert Mm(20) <= first.top_margin <= Mm(25) and Mm(20) <= first.bottom_margin <= Mm(25)
    assert Mm(30) <= first.left_margin <= Mm(35) and Mm(15) <= first.right_margin <= Mm(20)
    assert appendix.page_width > appendix.page_height  # the wide table is landscape
    assert doc.styles["Normal"].font.name == "Times New Roman"
    fonts = {r.element.rPr.rFonts.get(f"{W}ascii") for p in doc.paragraphs for r in p.runs}
    assert fonts == {"Times New Roman"}
    # Page numbers at the top, not on page 1.
    assert first.different_first_page_header_footer
    assert 'w:instr="PAGE"' in first.header._element.xml
    assert "PAGE" not in first.first_page_header._element.xml
    body = [p for p in doc.paragraphs if p.text.startswith("Nội dung của mục")]
    assert body and all(p.paragraph_format.alignment == 3 for p in body)  # justified
    assert all(Pt(13) <= r.font.size <= Pt(14) for p in body for r in p.runs)
    assert all(p.paragraph_format.first_line_indent >= Mm(10) for p in body)
    assert all(p.paragraph_format.space_after >= Pt(6) for p in body)


def flat(text):
    return " ".join(text.split())


def test_header_block_title_and_closing(filled, world):
    report, _cat = filled
    doc = open_docx(build_report_docx(report_document(report)))
    header = doc.tables[0]
    left, right = (flat(cell.text) for cell in header.rows[0].cells)
    assert world.superior.name.upper() in left and world.unit_a.name.upper() in left
    # The national motto on two lines, bold, on the right (Nghị định 30/2020; the union's own rules).
    motto = header.rows[0].cells[1].paragraphs
    assert [p.text for p in motto[:2]] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert all(p.runs[0].bold for p in motto[:2])
    # "Số:" on the same line as the place and date.
    number, date = header.rows[1].cells
    assert number.text == "Số: 15/BC-CĐCS"
    assert date.text.startswith("Bình An, ngày ") and date.paragraphs[0].runs[0].italic
    assert 'w:val="nil"' in header._tbl.xml  # borderless
    titles = [p for p in doc.paragraphs if p.text == "BÁO CÁO"]
    assert titles and titles[0].runs[0].bold
    closing = doc.tables[-2]  # the appendix table is last
    assert "<w:cantSplit/>" in closing.rows[0]._tr.xml  # the signature block never splits
    left, right = closing.rows[0].cells
    assert (
        left.paragraphs[0].text == "Nơi nhận:" and left.paragraphs[0].runs[0].bold and left.paragraphs[0].runs[0].italic
    )
    assert left.paragraphs[0].runs[0].font.size == Pt(12)
    assert [p.text for p in left.paragraphs[1:]] == ["- LĐLĐ tỉnh Thử;", "- Đảng ủy Công ty;", "- Lưu: VT."]
    assert all(p.runs[0].font.size == Pt(11) for p in left.paragraphs[1:])
    assert [p.text for p in right.paragraphs] == ["TM. BAN CHẤP HÀNH", "CHỦ TỊCH", "Nguyễn Thị Lan"]
    assert right.paragraphs[2].runs[0].bold
    # Vietnamese, and the file's properties name the unit and the title, dated today.
    assert 'w:val="vi-VN"' in doc.styles.element.xml
    props = doc.core_properties
    assert props.author == world.unit_a.name and "giữa nhiệm kỳ" in props.title.lower()
    assert props.created.date() == timezone.now().date() and props.language == "vi-VN"


def test_signing_authority_filed_line_and_number_prefix(filled, world):
    report, _cat = filled
    Report.objects.filter(pk=report.pk).update(
        signing_authority="KT. CHỦ TỊCH", signer_title="PHÓ CHỦ TỊCH", filed="VT, BTG", doc_number="7"
    )
    world.unit_a.doc_prefix = "BC-CĐCTY"
    world.unit_a.save()
    report = Report.objects.get(pk=report.pk)
    doc = open_docx(build_report_docx(report_document(report)))
    assert doc.tables[0].rows[1].cells[0].text == "Số: 7/BC-CĐCTY"
    left, right = doc.tables[-2].rows[0].cells
    assert [p.text for p in right.paragraphs] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Thị Lan"]
    assert left.paragraphs[-1].text == "- Lưu: VT, BTG."


def test_names_break_between_word_groups_only():
    lines = name_lines("Công đoàn cơ sở Công ty Trách nhiệm hữu hạn May mặc Hòa Bình", 22)
    assert len(lines) > 1 and all(len(line) <= 22 or " " not in line for line in lines)
    joined = " | ".join(lines)
    for group in ("CÔNG ĐOÀN", "CƠ SỞ", "CÔNG TY", "TRÁCH NHIỆM HỮU HẠN", "HÒA BÌNH"):
        assert group in joined, (group, lines)
    assert name_lines("Công đoàn KCN Thử", 22) == ["CÔNG ĐOÀN KCN THỬ"]


def test_a_submitted_report_prints_the_names_of_its_day(filled, world):
    from reports.selectors import report_appendix
    from reports.services import appendix_save, report_submit

    report, cat = filled
    appendix_save(
        report=report,
        cells={},
        notes={cat["CNVCLD"].pk: (None, "Sáp nhập hai phân xưởng")},
        base_version=report_appendix(report).version,
        actor=world.drafter_a,
    )
    report_submit(report=report, actor=world.drafter_a)
    world.unit_a.name = "Công đoàn cơ sở Công ty May Á (sáp nhập)"
    world.unit_a.save()
    world.superior.name = "Công đoàn Khu kinh tế Thử"
    world.superior.save()
    report = Report.objects.get(pk=report.pk)
    header = flat(open_docx(build_report_docx(report_document(report))).tables[0].rows[0].cells[0].text)
    assert "CÔNG ĐOÀN KCN THỬ" in header and "SÁP NHẬP" not in header


def test_headings_in_order_byte_exact_and_texts_with_formatting(filled):
    report, _cat = filled
    doc = open_docx(build_report_docx(report_document(report)))
    texts = [p.text for p in doc.paragraphs]
    fill = report.blank_fill
    headings = [
        n.heading_filled(fill)
        for n in OutlineNode.objects.filter(version=report.round.outline_version).order_by("position")
        if n.kind in (NodeKind.PART, NodeKind.SECTION, NodeKind.ITEM)
    ]
    positions = [texts.index(h) for h in headings]
    assert positions == sorted(positions)
    rich = next(p for p in doc.paragraphs if p.text.startswith("Đoàn viên tăng mạnh"))
    styled = {r.text: (bool(r.bold), bool(r.italic), bool(r.underline)) for r in rich.runs}
    assert styled["tăng mạnh"] == (True, False, False)
    assert styled["nữ chiếm 78%"] == (False, True, False)
    assert styled["vượt chỉ tiêu"] == (False, False, True)
    assert "- Thuận lợi: được quan tâm" in texts and "- Khó khăn: việc làm" in texts
    assert "1. Bước một" in texts and "2. Bước hai" in texts
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Năm")
    assert table.rows[1].cells[1].text == "1.250"
    assert table.rows[2].cells[0].text == "Ghi chú gộp ô" and 'w:gridSpan w:val="2"' in table._tbl.xml
    xml = zipfile.ZipFile(io.BytesIO(build_report_docx(report_document(report)))).read("word/document.xml").decode()
    assert "alert" not in xml and "<script" not in xml


def test_appendix_is_a_table_with_a_repeated_header_and_the_stored_figures(filled):
    report, _cat = filled
    doc = open_docx(build_report_docx(report_document(report)))
    table = doc.tables[-1]
    assert "<w:tblHeader/>" in table.rows[0]._tr.xml
    header = [c.text for c in table.rows[0].cells]
    assert header[:5] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu Nghị quyết", "Đầu nhiệm kỳ"]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    members = rows["Tổng số đoàn viên công đoàn"]
    assert members[3:5] == ["1.200", "900"] and members[7] == "1.250"
    assert header[9:11] == ["Kết quả giữa nhiệm kỳ", "% chỉ tiêu"]
    assert members[9] == "1.250" and members[10] == "104,2%"  # the result, then its share of the target
    assert rows["Tỷ lệ đoàn viên"][7] == "62,5"
    # Rows never split across pages; the table fills the landscape text width and no more.
    assert all("<w:cantSplit/>" in row._tr.xml for row in table.rows)
    widths = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"', table._tbl.xml)]
    assert abs(sum(widths) - (297 - 32 - 18) / 10 * 567) < 20
    # A flow says its result adds the years up.
    assert "(lũy kế 2018–2020)" in next(r.cells[1].text for r in table.rows if "kết nạp mới" in r.cells[1].text)


def test_blank_outline_has_guidance_in_italics(world):
    doc = open_docx(build_outline_docx(outline_document(world.report_a)))
    prompts = [p for p in doc.paragraphs if "Gợi ý cho mục" in p.text]
    assert len(prompts) == 5 and all(r.italic for p in prompts for r in p.runs)


def test_blank_outline_keeps_the_seeds_bullets_and_has_the_blank_appendix(world):
    from django.core.management import call_command

    from indicators.models import Indicator
    from outline.models import OutlineVersion
    from reports.models import Round

    call_command("loaddata", "outline_gnk_2018_2023", "indicators_gnk_2018_2023", verbosity=0)
    Round.objects.filter(pk=world.round.pk).update(
        outline_version=OutlineVersion.objects.get(code="gnk-cdcs-2018-2023")
    )
    report = Report.objects.get(pk=world.report_a.pk)
    doc = open_docx(build_outline_docx(outline_document(report)))
    bullets = [p.text for p in doc.paragraphs if p.text.startswith("- Nêu rõ những thuận lợi, khó khăn")]
    assert bullets, "the guidance keeps its '- '"
    table = doc.tables[-1]
    assert table.rows[0].cells[0].text == "TT"
    assert len(table.rows) == 1 + Indicator.objects.filter(outline_version__code="gnk-cdcs-2018-2023").count()
    assert all(c.text == "" for row in table.rows[1:] for c in row.cells[3:9])  # nothing filled in


def _two_units_wrote(filled, world):
    from reports.services import section_save

    own = Report.objects.get(round=world.round, unit=world.superior)
    node = OutlineNode.objects.get(version=world.round.outline_version, key="p1.II.2")
    for report, user, text in (
        (world.report_b, world.drafter_b, "Văn bản của đơn vị Bình"),
        (own, world.reviewer, "Báo cáo riêng của cấp trên"),
    ):
        section_save(report=report, node=node, base_version=0, is_done=True, actor=user, content=f"<p>{text}</p>")
    return own


def test_consolidated_counts_submitted_reports_only_and_marks_drafts_when_asked(filled, world):
    own = _two_units_wrote(filled, world)
    Report.objects.filter(pk=filled[0].pk).update(status="submitted")  # A submitted; B still drafting
    calls = []
    doc = open_docx(build_consolidated_docx(consolidated(own), progress=lambda d, t: calls.append((d, t))))
    texts = [p.text for p in doc.paragraphs]
    assert "Báo cáo riêng của cấp trên" in texts
    annex = texts.index("PHỤ LỤC: TỔNG HỢP NỘI DUNG BÁO CÁO CỦA CÁC ĐƠN VỊ")
    after = texts[annex:]
    assert any("1 trong 2 CĐCS" in t and "không được đưa vào" in t for t in after)  # the rule, on the cover
    assert "Văn bản của đơn vị Bình" not in after  # B never submitted
    heading = "2. Nội dung số 2"  # the outline's heading of p1.II.2, with its numbering
    unit_line = after[after.index(heading) + 1]
    assert unit_line.startswith(f"{world.unit_a.name} ({world.unit_a.code}) – Đã nộp")
    assert calls[-1][0] == calls[-1][1]
    # The headings keep the outline's numbering, in Word's heading styles, nested under the annex's title
    # (level 1): an item under a section under a part is level 4.
    styles = {p.text: p.style.name for p in doc.paragraphs}
    assert styles[heading] == "Heading 4" and any(v == "Heading 1" for v in styles.values())
    rollup_table = next(t for t in doc.tables if t.rows[0].cells[0].text == "TT" and len(t.rows[0].cells) > 10)
    assert "<w:tblHeader/>" in rollup_table.rows[0]._tr.xml
    # Where each unit stands, under its superior union.
    status = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:3] == ["TT", "Đơn vị", "Mã"])
    rows = [[c.text for c in r.cells] for r in status.rows[1:]]
    assert rows[0][0] == world.superior.name
    assert [r[1] for r in rows[1:]] == [world.unit_b.name, world.unit_a.name]  # Vietnamese order
    assert [r[3] for r in rows[1:]] == ["Đang soạn", "Đã nộp"]

    with_drafts = open_docx(build_consolidated_docx(consolidated(own, include_drafts=True)))
    texts = [p.text for p in with_drafts.paragraphs]
    draft = next(t for t in texts if t.startswith(world.unit_b.name))
    assert draft.endswith("BẢN NHÁP – chưa nộp") and "Văn bản của đơn vị Bình" in texts


def test_consolidated_parts_make_separate_files(filled, world):
    own = _two_units_wrote(filled, world)
    report_only = [p.text for p in open_docx(build_consolidated_docx(consolidated(own), part="report")).paragraphs]
    assert "Báo cáo riêng của cấp trên" in report_only
    assert "PHỤ LỤC: TỔNG HỢP NỘI DUNG BÁO CÁO CỦA CÁC ĐƠN VỊ" not in report_only
    annex = open_docx(build_consolidated_docx(consolidated(own), part="annex"))
    texts = [p.text for p in annex.paragraphs]
    assert "PHỤ LỤC: TỔNG HỢP NỘI DUNG BÁO CÁO CỦA CÁC ĐƠN VỊ" in texts
    assert "Báo cáo riêng của cấp trên" not in texts and "Nơi nhận:" not in "".join(
        c.text for t in annex.tables for r in t.rows for c in r.cells
    )


@pytest.mark.parametrize("role", ["drafter_a", "drafter_b", "reviewer", "anonymous"])
def test_document_details_are_set_by_the_unit_and_printed(client, world, role):
    from django.urls import reverse

    from tests.reports.test_views import login

    login(client, world, role)
    url = reverse("reports:document_info", args=[world.report_a.pk])
    response = client.post(
        url,
        {
            "doc_number": "07/BC-CĐCS",
            "place": "Thuận An",
            "signer_name": "Lê Văn Bình",
            "signer_title": "Phó Chủ tịch",
            "recipients": "Công đoàn KCN",
        },
    )
    assert response.status_code == {"drafter_a": 302, "drafter_b": 404, "reviewer": 403, "anonymous": 302}[role]
    report = Report.objects.get(pk=world.report_a.pk)
    if role != "drafter_a":
        assert report.doc_number == "1"  # as the world set it
        return
    text = "\n".join(
        c.text for t in open_docx(build_report_docx(report_document(report))).tables for r in t.rows for c in r.cells
    )
    assert "Số: 07/BC-CĐCS" in text and "Thuận An, ngày" in text
    assert "PHÓ CHỦ TỊCH" in text and "Lê Văn Bình" in text and "- Công đoàn KCN;" in text


def test_characters_xml_forbids_are_dropped_on_the_way_in_so_the_report_exports(world):
    """U+FFFF, U+FFFE and lone surrogates are refused by Word's XML: stored text never holds them."""
    from outline.models import OutlineNode
    from reports.models import SectionText
    from reports.services import section_save

    node = OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True).first()
    section_save(
        report=world.report_a,
        node=node,
        base_version=0,
        is_done=True,
        actor=world.drafter_a,
        content="<p>Đoàn\uffff viên\ufffe mới\ud800</p>",
    )
    assert SectionText.objects.get(report=world.report_a, node=node).content == "<p>Đoàn viên mới</p>"
    assert any(
        p.text == "Đoàn viên mới" for p in open_docx(build_report_docx(report_document(world.report_a))).paragraphs
    )


def test_a_superior_unions_report_speaks_as_a_superior_union(world):
    """The round's outline for superior unions is data: its summary line names the superior union
    without "CĐCS" before it, and the superior union numbers its documents its own way."""
    from django.core.management import call_command

    from outline.models import OutlineVersion
    from reports.models import Round

    call_command("loaddata", "outline_gnk_2018_2023", "outline_gnk_2018_2023_cap_tren", verbosity=0)
    grassroots = OutlineVersion.objects.get(code="gnk-cdcs-2018-2023")
    superior_version = OutlineVersion.objects.get(code="gnk-cdct-2018-2023")
    round_ = Round.objects.create(
        code="GNK-THU",
        name="Giữa nhiệm kỳ",
        outline_version=grassroots,
        superior_outline_version=superior_version,
        organising_unit=world.superior,
        term_start_year=2018,
        term_end_year=2023,
        data_years=[2018, 2019, 2020],
        cutoff_date=datetime.date(2020, 11, 30),
        deadline=datetime.date(2030, 1, 1),
    )
    round_.full_clean()
    world.superior.doc_prefix = "BC-CĐKCN"
    world.superior.save()
    own = Report.objects.create(round=round_, unit=world.superior)
    unit = Report.objects.create(round=round_, unit=world.unit_a)
    own_doc = open_docx(build_report_docx(report_document(Report.objects.get(pk=own.pk))))
    summary = next(p.text for p in own_doc.paragraphs if "Nghị quyết Đại hội" in p.text)
    assert f"Đại hội {world.superior.name}" in summary and "CĐCS" not in summary
    assert own_doc.tables[0].rows[1].cells[0].text == "Số: …/BC-CĐKCN"
    unit_summary = next(
        p.text for p in open_docx(build_report_docx(report_document(unit))).paragraphs if "Nghị quyết Đại hội" in p.text
    )
    assert "Đại hội CĐCS Công ty May Á" in unit_summary  # a grassroots union keeps the outline as written
    # The site's own pages word it the same way.
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:report_detail", args=[own.pk])).content.decode()
    assert f"Đại hội {world.superior.name}" in page and f"CĐCS {world.superior.name}" not in page


def test_kt_chu_tich_asks_for_the_vice_chairs_position(client, world):
    from django.urls import reverse

    client.force_login(world.drafter_a)
    data = {"doc_number": "3", "place": "Bình An", "signing_authority": "KT. CHỦ TỊCH", "signer_title": "CHỦ TỊCH"}
    response = client.post(reverse("reports:document_info", args=[world.report_a.pk]), data)
    assert "PHÓ CHỦ TỊCH" in response.content.decode() and response.context["form"].errors
    data["signer_title"] = "PHÓ CHỦ TỊCH"
    assert client.post(reverse("reports:document_info", args=[world.report_a.pk]), data).status_code == 302
