"""The draft brought in from Word: every paragraph lands where its heading says, in the page and in
the exported Word file; formatting kept; refusals in words with nothing written."""

import copy
import io
import re
import time
import zipfile
from collections import Counter
from types import SimpleNamespace

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from docx.oxml.ns import qn
from rapidfuzz import fuzz

from exports.docx import build_report_docx
from exports.selectors import report_document
from outline.models import OutlineNode, OutlineVersion
from reports.drafts import (
    DISCARD,
    Decision,
    DraftRefused,
    compose_sections,
    match_draft,
    matching,
    read_draft,
    undecided,
)
from reports.drafts.reading import MAX_PARAGRAPHS, Block
from reports.models import AuditEntry, AuditKind, Report, ReportStatus, SectionText
from reports.selectors import draft_entries, draft_preview
from reports.services import DraftConflict, ReportLocked, draft_import, report_submit, round_open, section_save
from tests.conftest import build_world
from tests.reports.draft_files import SHAPES, Writer, footnote_and_image, table_and_bullets, typed_numbers
from tests.reports.factories import RoundFactory

pytestmark = pytest.mark.django_db

MARKER = re.compile(r"\[[\w.]+#\w+\]")


@pytest.fixture(scope="module")
def real_world(django_db_setup, django_db_blocker):
    """Unit A's report in a round on the seed outline (17 sections), made once for the module: made in
    a transaction rolled back after its last test, each test running in a savepoint of it (pytest-django),
    so no test sees another's changes."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "outline_gnk_2018_2023", verbosity=0)
        world = build_world(sections=1)
        round_ = RoundFactory(
            code="GK-WORD",
            outline_version=OutlineVersion.objects.get(code="gnk-cdcs-2018-2023"),
            organising_unit=world.superior,
        )
        round_open(round=round_)
        # A report is submitted with its number, place and signer (Report.REQUIRED_DOCUMENT_FIELDS).
        Report.objects.filter(round=round_).update(doc_number="1", place="Bình An", signer_name="Nguyễn Văn Ký")
        world.report = Report.objects.select_related("round", "unit").get(round=round_, unit=world.unit_a)
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def real(real_world, db):
    """The module's world with the report and the drafter read afresh: a test may change them in memory."""
    world = copy.copy(real_world)
    world.report = Report.objects.select_related("round", "unit").get(pk=real_world.report.pk)
    world.drafter_a = type(real_world.drafter_a).objects.get(pk=real_world.drafter_a.pk)
    return world


def _import_all(report, data, actor, name="bao-cao.docx"):
    """Preview, leave out what is unplaced, confirm: the page's flow with its defaults."""
    preview = draft_preview(report, name, data)
    decision = Decision(targets={c["id"]: DISCARD for c in undecided(preview["chunks"], Decision({}, {}))}, modes={})
    texts = compose_sections(preview["chunks"], decision, {})
    versions = {k: v["version"] for k, v in preview["sections"].items()}
    draft_import(report=report, texts=texts, versions=versions, actor=actor)
    return preview


def _stored_places(report) -> dict[str, str]:
    places = {}
    for section in SectionText.objects.filter(report=report).select_related("node"):
        for marker in MARKER.findall(section.content):
            places[marker] = section.node.key
    return places


def _exported_places(report) -> dict[str, str]:
    """Marker → the section whose heading it follows in the exported Word file."""
    document = docx.Document(io.BytesIO(build_report_docx(report_document(report, with_appendix=False))))
    fill = report.blank_fill
    headings = {n.heading_filled(fill): n.key for n in OutlineNode.objects.filter(version=report.round.outline_version)}
    places, current = {}, ""
    for element in document.element.body.iterchildren():
        text = "".join(t.text or "" for t in element.iter(qn("w:t")))
        if element.tag == qn("w:p") and text in headings:
            current = headings[text]
            continue
        for marker in MARKER.findall(text):
            places[marker] = current
    return places


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_paragraph_lands_where_its_heading_says(real, shape):
    built = SHAPES[shape]()
    preview = _import_all(real.report, built.data, real.drafter_a)
    unplaced = "".join(c["html"] for c in preview["chunks"] if not c["key"])
    stored, exported = _stored_places(real.report), _exported_places(real.report)
    for marker, key in built.expected.items():
        if key:
            assert stored.get(marker) == key, (shape, marker, stored.get(marker))
            assert exported.get(marker) == key, (shape, marker, exported.get(marker))
        else:
            # Text with no section is never dropped unseen: it was in the "not placed" list.
            assert marker in unplaced and marker not in stored, (shape, marker)


def test_formatting_is_kept_in_the_page_and_the_word_file(real):
    _import_all(real.report, table_and_bullets().data, real.drafter_a)
    texts = {s.node.key: s.content for s in SectionText.objects.filter(report=real.report).select_related("node")}
    assert "<table>" in texts["p1.IV"] and "<td><p>[p1.IV#t2] Đoàn viên mới</p></td>" in texts["p1.IV"]
    assert "<ul><li>[p1.IV#2] Đoàn viên tăng</li><li>[p1.IV#3] Thu nhập ổn định</li></ul>" in texts["p1.IV"]
    assert "<ol><li>[p1.IV#4] Bước một</li></ol>" in texts["p1.IV"]
    # Typed bullets ("·", "•", "-") became list items, a "+" a point of the item before it.
    assert texts["p1.V"].startswith("<ul><li>[p1.V#5] một điểm hạn chế</li><li>[p1.V#6]")
    assert "<li>[p1.V#7] một điểm hạn chế<ul><li>[p1.V#8] một điểm hạn chế</li></ul></li>" in texts["p1.V"]
    assert "·" not in texts["p1.V"] and "•" not in texts["p1.V"]
    assert texts["p1.VI"] == "<p>[p1.VI#9] dòng một<br>dòng hai sau ngắt dòng</p>"
    document = docx.Document(io.BytesIO(build_report_docx(report_document(real.report, with_appendix=False))))
    lines = [p.text for p in document.paragraphs]
    assert "- [p1.IV#2] Đoàn viên tăng" in lines and "1. [p1.IV#4] Bước một" in lines
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "[p1.IV#t2] Đoàn viên mới" in cells


def test_bold_italic_underline_are_kept(real):
    _import_all(real.report, SHAPES["auto_numbered"]().data, real.drafter_a)
    content = SectionText.objects.get(report=real.report, node__key="p1.II.4").content
    assert "<strong> tăng mạnh</strong>" in content
    assert "<em>nữ chiếm 78%</em>" in content and "<u>đầu nhiệm kỳ</u>" in content


def test_each_section_gets_a_history_entry_and_keeps_its_done_mark(real):
    node = OutlineNode.objects.get(version=real.report.round.outline_version, key="p1.V")
    section_save(report=real.report, node=node, content="<p>Cũ</p>", base_version=0, is_done=True, actor=real.drafter_a)
    _import_all(real.report, typed_numbers().data, real.drafter_a)
    written = SectionText.objects.filter(report=real.report)
    assert written.count() == 17
    assert set(
        AuditEntry.objects.filter(report=real.report, kind=AuditKind.SECTION).values_list("target", flat=True)
    ) == set(written.values_list("node__key", flat=True))
    assert written.get(node=node).is_done


def test_a_section_changed_since_the_preview_is_a_conflict_and_nothing_is_written(real):
    preview = draft_preview(real.report, "a.docx", typed_numbers().data)
    node = OutlineNode.objects.get(version=real.report.round.outline_version, key="p1.II.3")
    section_save(
        report=real.report,
        node=node,
        content="<p>Của người khác</p>",
        base_version=0,
        is_done=False,
        actor=real.drafter_a,
    )
    texts = compose_sections(preview["chunks"], Decision({}, {}), {})
    with pytest.raises(DraftConflict) as caught:
        draft_import(report=real.report, texts=texts, versions={}, actor=real.drafter_a)
    assert caught.value.key == "p1.II.3"
    assert list(SectionText.objects.filter(report=real.report).values_list("content", flat=True)) == [
        "<p>Của người khác</p>"
    ]


def test_a_submitted_report_is_refused_in_words(real):
    _import_all(real.report, typed_numbers().data, real.drafter_a)
    report_submit(report=real.report, actor=real.drafter_a)
    report = Report.objects.get(pk=real.report.pk)
    before = list(SectionText.objects.filter(report=report).values_list("content", "version"))
    with pytest.raises(ReportLocked, match="đã nộp"):
        draft_import(report=report, texts={"p1.V": "<p>Mới</p>"}, versions={}, actor=real.drafter_a)
    assert list(SectionText.objects.filter(report=report).values_list("content", "version")) == before


# The page.


def _upload(client, report, data, name="bao-cao.docx"):
    return client.post(reverse("reports:draft_import", args=[report.pk]), {"file": SimpleUploadedFile(name, data)})


def test_the_page_previews_then_writes_after_every_part_is_placed(real, client):
    client.force_login(real.drafter_a)
    page = client.get(reverse("reports:report_detail", args=[real.report.pk]))
    assert "Nhập từ tệp Word" in page.content.decode()
    response = _upload(client, real.report, SHAPES["bold_paragraphs"]().data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Chưa xếp mục" in page and "Kính gửi: Công đoàn cấp trên" in page
    assert "Từng mục" in page and "chắc chắn" in page
    assert not SectionText.objects.filter(report=real.report).exists()
    # Confirming with a part left undecided writes nothing and says why.
    url = reverse("reports:draft_import", args=[real.report.pk])
    response = client.post(url, {"confirm": "1"})
    assert "Hãy chọn mục" in response.content.decode()
    assert not SectionText.objects.filter(report=real.report).exists()
    chunks = client.session[f"draft-import-{real.report.pk}"]["chunks"]
    first = next(c for c in chunks if c["reason"] == "before_first")
    # The greeting placed by hand in section VI; section V left as it is.
    response = client.post(url, {"confirm": "1", f"target_{first['id']}": "p1.VI", "mode_p1.V": "keep"})
    assert response.status_code == 302
    texts = dict(SectionText.objects.filter(report=real.report).values_list("node__key", "content"))
    assert "Kính gửi" in texts["p1.VI"] and "p1.V" not in texts and len(texts) == 16


def test_the_page_shows_a_conflict_as_one(real, client):
    client.force_login(real.drafter_a)
    _upload(client, real.report, typed_numbers().data)
    node = OutlineNode.objects.get(version=real.report.round.outline_version, key="p1.I.2")
    section_save(
        report=real.report, node=node, content="<p>Vừa sửa</p>", base_version=0, is_done=False, actor=real.drafter_a
    )
    response = client.post(reverse("reports:draft_import", args=[real.report.pk]), {"confirm": "1"})
    page = response.content.decode()
    assert "sau khi xem trước" in page and "Vừa sửa" in page
    assert SectionText.objects.filter(report=real.report).count() == 1
    # Confirming again, having seen it, replaces it.
    response = client.post(reverse("reports:draft_import", args=[real.report.pk]), {"confirm": "1"})
    assert response.status_code == 302
    assert "Vừa sửa" not in SectionText.objects.get(report=real.report, node=node).content


def test_the_page_refuses_a_submitted_report(real, client):
    _import_all(real.report, typed_numbers().data, real.drafter_a)
    report_submit(report=real.report, actor=real.drafter_a)
    client.force_login(real.drafter_a)
    response = client.get(reverse("reports:draft_import", args=[real.report.pk]), follow=True)
    assert "đã nộp" in response.content.decode()


def test_unsupported_things_are_listed_by_kind_and_tracked_changes_accepted(real, client):
    w = Writer()
    w.heading("V. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN", 1)
    w.body("p1.V", "Trước")
    data = _inject(
        w.build().data,
        '<w:p><w:r><w:t xml:space="preserve">Giữ </w:t></w:r>'
        '<w:ins w:id="1" w:author="A" w:date="2026-01-01T00:00:00Z"><w:r><w:t>chữ chèn</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="A" w:date="2026-01-01T00:00:00Z"><w:r><w:delText>chữ xoá</w:delText></w:r></w:del>'
        '<w:r><w:commentReference w:id="0"/></w:r></w:p>',
    )
    client.force_login(real.drafter_a)
    _upload(client, real.report, data)
    page = client.get(reverse("reports:draft_import", args=[real.report.pk])).content.decode()
    assert "2 thay đổi được theo dõi" in page and "1 nhận xét (comment)" in page
    assert "Giữ chữ chèn" in page and "chữ xoá" not in page


def _inject(data: bytes, xml: str, *, part="word/document.xml", before="<w:sectPr") -> bytes:
    """The .docx with ``xml`` put into ``part`` before ``before``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member)
            if member.filename == part:
                text = body.decode()
                index = text.rfind(before)
                body = (text[:index] + xml + text[index:]).encode()
            target.writestr(member, body)
    return out.getvalue()


# Hostile and wrong files: refused fast, in words, nothing written.


def test_an_old_word_file_is_answered_with_how_to_save_it_as_docx():
    with pytest.raises(DraftRefused, match="Lưu thành"):
        read_draft("bao-cao.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)


def test_hostile_files_are_refused_fast():
    small = typed_numbers().data
    # Declared entities (the start of a "billion laughs").
    entity = _rewrite(small, "word/document.xml", lambda t: t.replace("?>", '?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1))
    # A part that would unpack to far more than a report (a zip bomb).
    huge = _rewrite(small, "word/document.xml", lambda t: t.replace("<w:body>", "<w:body>" + " " * 30_000_000, 1))
    # Too many paragraphs for the site's element budget.
    many = _rewrite(small, "word/document.xml", lambda t: t.replace("<w:body>", "<w:body>" + "<w:p/>" * 20_001, 1))
    # Tables nested past the site's depth limit.
    deep = "<w:tbl><w:tr><w:tc>" * 45 + "<w:p/>" + "</w:tc></w:tr></w:tbl>" * 45
    nested = _rewrite(small, "word/document.xml", lambda t: t.replace("<w:body>", "<w:body>" + deep, 1))
    for data, words in (
        (entity, "thực thể XML"),
        (huge, "lớn hơn rất nhiều"),
        (many, "dài hơn rất nhiều"),
        (nested, "lồng nhau"),
        (b"PK\x03\x04 not a zip", "không phải tệp Word"),
    ):
        started = time.monotonic()
        with pytest.raises(DraftRefused, match=words):
            read_draft("x.docx", data)
        assert time.monotonic() - started < 5, words


def _rewrite(data: bytes, part: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member)
            if member.filename == part:
                body = change(body.decode()).encode()
            target.writestr(member, body)
    return out.getvalue()


def test_a_hostile_upload_writes_nothing_and_says_why(real, client):
    client.force_login(real.drafter_a)
    response = _upload(client, real.report, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="cu.doc")
    assert response.status_code == 200
    assert "Lưu thành" in response.content.decode()
    assert f"draft-import-{real.report.pk}" not in client.session


# The command line.


def test_the_command_prints_the_mapping_and_writes_only_without_dry_run(real, tmp_path, capsys):
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(SHAPES["extra_section"]().data)
    call_command("import_draft", "GK-WORD", real.unit_a.code, str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "9. Công tác chỉ đạo và tổ chức thực hiện → II.9. Công tác chỉ đạo" in out
    assert "10. Công tác an sinh xã hội tại địa phương → ?" in out
    assert not SectionText.objects.filter(report=real.report).exists()
    # Text with no section stops the import, unless the clerk says to leave it out.
    with pytest.raises(CommandError, match="--leave-out-unplaced"):
        call_command("import_draft", "GK-WORD", real.unit_a.code, str(path))
    assert not SectionText.objects.filter(report=real.report).exists()
    call_command("import_draft", "GK-WORD", real.unit_a.code, str(path), "--leave-out-unplaced")
    assert set(SectionText.objects.filter(report=real.report).values_list("node__key", flat=True)) == {
        "p1.II.8",
        "p1.II.9",
        "p1.V",
    }


def test_the_command_refuses_a_locked_report_and_writes_nothing(real, tmp_path):
    _import_all(real.report, typed_numbers().data, real.drafter_a)
    report_submit(report=real.report, actor=real.drafter_a)
    before = list(SectionText.objects.filter(report=real.report).values_list("content", "version"))
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(SHAPES["bold_paragraphs"]().data)
    with pytest.raises(CommandError, match="Chưa ghi gì"):
        call_command("import_draft", "GK-WORD", real.unit_a.code, str(path), "--leave-out-unplaced")
    assert list(SectionText.objects.filter(report=real.report).values_list("content", "version")) == before
    assert Report.objects.get(pk=real.report.pk).status == ReportStatus.SUBMITTED


def test_a_footnote_follows_its_paragraph_and_an_image_is_listed(real):
    preview = _import_all(real.report, footnote_and_image(), real.drafter_a)
    assert preview["unsupported"] == ["1 hình ảnh", "1 chú thích cuối trang (đặt ngay sau đoạn có chú thích)"]
    content = SectionText.objects.get(report=real.report, node__key="p1.V").content
    assert content == (
        "<p>[p1.V#1] Đoàn viên tăng chậm[1] năm 2020.</p><p><em>[1] Số liệu của phòng nhân sự.</em></p>"
        "<p>[p1.V#2] Đoạn sau chú thích</p>"
    )


def test_sub_headings_inside_a_section_stay_in_it(real):
    w = Writer()
    w.heading("4. Xây dựng tổ chức công đoàn vững mạnh", 2)
    w.body("p1.II.4")
    w.bold("4.1. Phát triển đoàn viên")
    w.body("p1.II.4")
    w.heading("a) Thành lập công đoàn cơ sở mới", 3)
    w.body("p1.II.4")
    w.bold("b) Công tác cán bộ")
    w.body("p1.II.4")
    w.heading("5. Phát huy hiệu quả các phong trào thi đua", 2)
    w.body("p1.II.5")
    built = w.build()
    preview = _import_all(real.report, built.data, real.drafter_a)
    assert not [c for c in preview["chunks"] if not c["key"] and c["html"]]
    assert _stored_places(real.report) == built.expected
    content = SectionText.objects.get(report=real.report, node__key="p1.II.4").content
    assert "<p><strong>4.1. Phát triển đoàn viên</strong></p>" in content
    assert "<p><strong>a) Thành lập công đoàn cơ sở mới</strong></p>" in content


FUZZ_FUNCTIONS = ("ratio", "token_sort_ratio", "token_set_ratio", "partial_ratio")


def test_matching_a_long_file_stays_fast(real, monkeypatch):
    """8,000 paragraphs (the most a file may have) against the outline: pairs ruled out by their
    lengths are never compared (this took 53 s before)."""
    entries = draft_entries(real.report)
    words = [
        "công",
        "đoàn",
        "đoàn",
        "viên",
        "người",
        "lao",
        "động",
        "chăm",
        "lo",
        "phúc",
        "lợi",
        "thi",
        "đua",
        "tổ",
        "chức",
        "xây",
        "dựng",
        "vững",
        "mạnh",
    ]
    blocks = [
        Block(kind="para", html="x", text=" ".join(words[(i * 7 + j) % len(words)] for j in range(5 + i % 70)))
        for i in range(MAX_PARAGRAPHS)
    ]
    # Counted, not timed (speed is the bench's): the full comparisons made, through the real rapidfuzz.
    calls = Counter()

    def counted(name):
        real_function = getattr(fuzz, name)

        def call(*args, **kwargs):
            calls[name] += 1
            return real_function(*args, **kwargs)

        return call

    monkeypatch.setattr(matching, "fuzz", SimpleNamespace(**{n: counted(n) for n in FUZZ_FUNCTIONS}))
    chunks = match_draft(blocks, entries)
    assert sum(len(c.blocks) for c in chunks) == len(blocks)
    # Every paragraph against every heading would be len(blocks) × len(entries) full comparisons.
    pairs = len(blocks) * len(entries)
    print(f"{dict(calls)} of {pairs:,} pairs")
    assert calls["token_set_ratio"] < pairs / 20, (dict(calls), pairs)


def test_a_bulleted_point_is_never_taken_for_a_heading(real):
    """A point that repeats the next item's words, bulleted by Word or typed with "-", stays where it is."""
    w = Writer()
    w.heading("1. Nâng cao hiệu quả thực hiện nhiệm vụ đại diện, bảo vệ quyền lợi", 2)
    w.body("p1.II.1")
    w.body("p1.II.1", "Chăm lo lợi ích thiết thực cho đoàn viên và người lao động", style="List Bullet")
    typed = w.body("p1.II.1", "Chăm lo lợi ích thiết thực cho đoàn viên và người lao động")
    typed.runs[0].text = "- " + typed.runs[0].text
    w.heading("2. Chăm lo lợi ích thiết thực cho đoàn viên và người lao động", 2)
    w.body("p1.II.2")
    built = w.build()
    _import_all(real.report, built.data, real.drafter_a)
    assert _stored_places(real.report) == built.expected
