"""What an office signs: the document details asked for before submitting, the reviewer named, empty
optional headings left out, the appendix attached to its report, a heading tree without skipped levels,
any name the database allows, files strict readers (pandoc) open."""

import io
import itertools
import os
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document

from exports.docx import build_consolidated_docx, build_outline_docx, build_report_docx
from exports.selectors import consolidated, outline_document, report_document
from exports.xlsx import build_consolidated_xlsx, build_report_xlsx
from outline.models import OutlineNode
from reports.models import IndicatorValue, Report, ReportStatus, SectionText
from reports.services import report_submit
from tests.exports.conftest import open_docx

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).parent / "golden"
ZIP64_EXTRA = 0x0001


def _all_exports(world) -> dict[str, bytes]:
    report = Report.objects.get(pk=world.report_a.pk)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    own = Report.objects.get(round=world.round, unit=world.superior)
    return {
        "report.docx": build_report_docx(report_document(report)),
        "outline.docx": build_outline_docx(outline_document(report)),
        "report.xlsx": build_report_xlsx(report_document(report)),
        "consolidated.docx": build_consolidated_docx(consolidated(own)),
        "consolidated-annex.docx": build_consolidated_docx(consolidated(own, include_drafts=True), part="annex"),
        "consolidated.xlsx": build_consolidated_xlsx(consolidated(own)),
    }


def _zip64_entries(data: bytes) -> list[str]:
    """The members whose local or central header carries a ZIP64 extra field."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            local = data[info.header_offset : info.header_offset + 30]
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            start = info.header_offset + 30 + name_len
            for extra in (data[start : start + extra_len], info.extra):
                pos = 0
                while pos + 4 <= len(extra):
                    tag, size = struct.unpack("<HH", extra[pos : pos + 4])
                    if tag == ZIP64_EXTRA:
                        found.append(info.filename)
                    pos += 4 + size
    return found


def test_every_export_is_a_plain_zip(filled, world):
    for name, data in _all_exports(world).items():
        assert not _zip64_entries(data), name
        assert b"PK\x06\x06" not in data[-200:], name  # no ZIP64 end of central directory


@pytest.mark.engine_independent
def test_pandoc_reads_every_word_export(filled, world, tmp_path):
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        reason = "pandoc is not installed (apt-get install pandoc): the strict reader of .docx"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs it: {reason}")
        pytest.skip(reason)
    for name, data in _all_exports(world).items():
        if name.endswith(".docx"):
            path = tmp_path / name
            path.write_bytes(data)
            out = subprocess.run([pandoc, "-t", "plain", str(path)], capture_output=True, text=True, timeout=120)
            assert out.returncode == 0, (name, out.stderr)
            assert "PHẦN THỨ NHẤT" in out.stdout, name


def test_names_of_255_characters_print_in_every_export(filled, world):
    long = ("Công đoàn cơ sở Công ty Trách nhiệm hữu hạn Một thành viên Sản xuất Thương mại Dịch vụ " * 4)[:255]
    long_superior = ("Công đoàn các Khu công nghiệp và Khu chế xuất tỉnh Bình An " * 6)[:255]
    assert len(long) == len(long_superior) == 255
    type(world.unit_a).objects.filter(pk=world.unit_a.pk).update(name=long)
    type(world.superior).objects.filter(pk=world.superior.pk).update(name=long_superior)
    files = _all_exports(world)
    report = open_docx(files["report.docx"])
    assert len(report.core_properties.title) <= 255 and report.core_properties.title.endswith("…")
    cells = " ".join(c.text for t in report.tables for r in t.rows for c in r.cells)
    assert " ".join(long.upper().split()) in " ".join(cells.split())  # the header block, whole
    consolidated_docx = open_docx(files["consolidated.docx"])
    assert any(long in c.text for t in consolidated_docx.tables for r in t.rows for c in r.cells)
    from openpyxl import load_workbook

    for name in ("report.xlsx", "consolidated.xlsx"):
        wb = load_workbook(io.BytesIO(files[name]))
        assert len(wb.properties.title) <= 255, name
        assert any(long in str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value), name


def _outline_levels(data: bytes) -> list[tuple[int, str]]:
    doc = Document(io.BytesIO(data))
    return [(int(p.style.name.split()[-1]), p.text) for p in doc.paragraphs if p.style.name.startswith("Heading ")]


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.docx")))
def test_the_heading_tree_skips_no_level(name):
    """The demo's Word files (byte-equal to what the site makes: test_golden) as the navigation pane
    shows them: every heading at most one level below the one before, the appendix's "PHỤ LỤC" a level-1
    heading, the annex's parts under its title."""
    levels = _outline_levels((GOLDEN / name).read_bytes())
    assert levels and levels[0][0] == 1
    for (before, _t), (level, text) in itertools.pairwise(levels):
        assert level <= before + 1, (name, text)
    texts = {t: lv for lv, t in levels}
    if name.startswith(("report", "consolidated-full", "consolidated-report")):
        assert texts["PHỤ LỤC"] == 1
    if "annex" in name or "full" in name:
        annex = next(i for i, (_lv, t) in enumerate(levels) if t.startswith("PHỤ LỤC: TỔNG HỢP"))
        assert levels[annex][0] == 1
        assert levels[annex + 1] == (2, "PHẦN THỨ NHẤT")


def test_the_appendix_says_which_report_it_is_attached_to(filled):
    report, _cat = filled
    doc = open_docx(build_report_docx(report_document(report)))
    texts = [p.text for p in doc.paragraphs]
    appendix = texts.index("PHỤ LỤC")
    line = next(t for t in texts[appendix:] if t.startswith("(Kèm theo"))
    assert line.startswith("(Kèm theo Báo cáo số 15/BC-CĐCS ngày ")
    assert line.endswith(f"của {report.unit.name})")


def test_an_empty_optional_heading_is_left_out_of_word_and_the_print_view(client, filled, world):
    report, _cat = filled
    node = OutlineNode.objects.get(version=world.round.outline_version, key="p1.II.5")
    OutlineNode.objects.filter(pk=node.pk).update(is_required=False)
    SectionText.objects.filter(report=report, node=node).delete()
    texts = [p.text for p in open_docx(build_report_docx(report_document(report))).paragraphs]
    assert "4. Nội dung số 4" in texts and "5. Nội dung số 5" not in texts
    client.force_login(world.drafter_a)
    page = client.get(reverse("exports:report_print", args=[report.pk])).content.decode()
    assert "Nội dung số 4" in page and "Nội dung số 5" not in page
    # A required heading with no text still prints (the outline asks for it).
    OutlineNode.objects.filter(pk=node.pk).update(is_required=True)
    texts = [p.text for p in open_docx(build_report_docx(report_document(report))).paragraphs]
    assert "5. Nội dung số 5" in texts


def test_submitting_without_document_details_is_refused_in_words_with_a_link(client, filled, world):
    report, cat = filled
    # No unusual figure to explain (the fixture's 1.000 → 2.000 workers is one).
    IndicatorValue.objects.filter(report=report, indicator=cat["CNVCLD"], column="2020").update(value=1010)
    Report.objects.filter(pk=report.pk).update(doc_number="", signer_name="")
    # The round is organised by the province: the report still goes to its direct superior.
    type(world.round).objects.filter(pk=world.round.pk).update(organising_unit=world.province)
    client.force_login(world.drafter_a)
    url = reverse("reports:report_submit", args=[report.pk])
    page = client.get(url).content.decode()
    assert "File Word in số văn bản, địa danh và người ký" in page
    assert reverse("reports:document_info", args=[report.pk]) in page
    assert "Số văn bản" in page and "Người ký" in page and "Địa danh" not in page
    response = client.post(url, follow=True)
    assert "Hãy điền thông tin văn bản (số văn bản, người ký) trước" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status != ReportStatus.SUBMITTED
    with pytest.raises(Exception, match="thông tin văn bản"):
        report_submit(report=Report.objects.get(pk=report.pk), actor=world.drafter_a)

    Report.objects.filter(pk=report.pk).update(doc_number="15", signer_name="Nguyễn Thị Lan")
    page = client.get(url).content.decode()
    main = page.split("<main", 1)[-1]
    assert f"được gửi đến {world.superior.name}" in main and world.province.name not in main
    client.post(url)
    report = Report.objects.get(pk=report.pk)
    assert report.status == ReportStatus.SUBMITTED
    cells = " ".join(
        c.text for t in open_docx(build_report_docx(report_document(report))).tables for r in t.rows for c in r.cells
    )
    assert "Số: 15/BC-CĐCS" in cells and "Bình An, ngày" in cells and "Nguyễn Thị Lan" in cells


def _cached_and_formulas(path):
    from openpyxl import load_workbook

    formulas, cached = load_workbook(path), load_workbook(path, data_only=True)
    for ws in formulas:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    yield ws.title, cell.coordinate, cached[ws.title][cell.coordinate].value


@pytest.mark.engine_independent
@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.xlsx")))
def test_every_cached_excel_value_is_what_its_formula_gives(name, soffice, tmp_path):
    """The demo's workbooks (byte-equal to what the site makes: test_golden) recalculated by LibreOffice:
    every formula cell's cached value, what a viewer that does not recalculate shows, equals the value
    recalculated from its formula ("+0,0%" cached where the formula rounds the change to 0 is a failure)."""
    from openpyxl import load_workbook

    source = tmp_path / name
    source.write_bytes((GOLDEN / name).read_bytes())
    recalculated = load_workbook(soffice(source, "xlsx"), data_only=True)
    checked, differ = 0, []
    for sheet, coordinate, cached in _cached_and_formulas(source):
        again = recalculated[sheet][coordinate].value
        checked += 1
        if cached in (None, "") and again in (None, ""):
            continue
        numbers = isinstance(cached, int | float) and isinstance(again, int | float)
        if numbers and abs(cached - again) <= 1e-9 * max(1, abs(again)):
            continue
        differ.append((sheet, coordinate, cached, again))
    assert checked > 200
    assert not differ, differ[:10]


def _pdf_pages(path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", Path(path).read_bytes()))


@pytest.mark.engine_independent
@pytest.mark.parametrize("written", [None, (3, 60), (1, 400), (10, 12)])
def test_the_page_estimate_is_within_a_page_of_the_printed_word_file(written, soffice, tmp_path, client):
    """The demo report, then the same with every section written in paragraphs of a given length: the
    estimate on the report's page and LibreOffice's page count of its Word file differ by one at most."""
    from django.core.management import call_command

    from reports.selectors import report_outline

    call_command("seed_demo", verbosity=0)
    report = Report.objects.select_related("round", "unit", "unit__parent").get(
        round__code="GNK-2018-2023", unit__code="CDCS-MHB"
    )
    if written:
        count, words = written
        sentence = [
            "công",
            "đoàn",
            "cơ",
            "sở",
            "chăm",
            "lo",
            "đời",
            "sống",
            "vật",
            "chất",
            "tinh",
            "thần",
            "cho",
            "đoàn",
            "viên",
            "người",
            "lao",
            "động",
        ]
        html = "".join(
            f"<p>{' '.join(sentence[(i + j) % len(sentence)] for j in range(words))}</p>" for i in range(count)
        )
        SectionText.objects.filter(report=report).delete()
        for node in OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True):
            SectionText.objects.create(report=report, node=node, content=html)
    doc = report_document(report)
    estimate = report_outline(report).document_pages(len(doc.rows))
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(build_report_docx(doc))
    printed = _pdf_pages(soffice(source, "pdf"))
    assert abs(estimate - printed) <= 1, (estimate, printed)
    if written is None:
        assert printed == 6  # the demo report: 3 portrait pages, the appendix on 3 landscape ones
        from units.models import Membership

        user = Membership.objects.filter(unit=report.unit).select_related("user").first().user
        client.force_login(user)
        page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
        assert f"khoảng {estimate} trang A4" in page


def test_a_parts_title_lines_stay_on_the_page_of_what_follows_them(filled):
    """The title of a part ("PHẦN THỨ HAI / Nhiệm vụ chủ yếu… / Những đề xuất và kiến nghị") once split
    over two pages in the printed file: every line of it keeps with the next paragraph."""
    from django.db.models import F

    from outline.models import NodeKind

    report, _cat = filled
    version = report.round.outline_version
    part = OutlineNode.objects.get(version=version, kind=NodeKind.PART)
    # The seed's second part has two title lines under "PHẦN THỨ HAI": give this one the same.
    OutlineNode.objects.filter(version=version, position__gt=part.position).update(position=F("position") + 1000)
    for n, text in enumerate(["Nhiệm vụ chủ yếu đến hết nhiệm kỳ", "Những đề xuất và kiến nghị"], 1):
        OutlineNode.objects.create(
            version=version, key=f"{part.key}.h{n}", kind=NodeKind.PART_HEADING, text=text, raw=text,
            parent=part, line_no=part.line_no, position=part.position + n,
        )  # fmt: skip
    fill = report.blank_fill
    titles = {
        n.heading_filled(fill)
        for n in OutlineNode.objects.filter(version=version, kind__in=[NodeKind.PART, NodeKind.PART_HEADING])
    }
    doc = open_docx(build_report_docx(report_document(report)))
    lines = [p for p in doc.paragraphs if p.text in titles]
    assert {p.text for p in lines} == titles and len(titles) == 3
    assert [p.text for p in lines if not p.paragraph_format.keep_with_next] == []
