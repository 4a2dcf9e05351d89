"""Uploading an outline (text or Word), checking it, correcting it and publishing it as a version."""

import io
import zipfile

import docx
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outline.models import OutlineNode, OutlineVersion
from outline.parsing import OutlineFormatError, check_outline, parse_outline
from outline.reading import OutlineFileRefused, read_outline_file
from outline.services import outline_version_publish
from tests.units.factories import UserFactory

pytestmark = pytest.mark.django_db

SEED = settings.BASE_DIR / "fixtures" / "seed" / "de-cuong-bao-cao-giua-nhiem-ky.txt"
URL = "outline:outline_upload"
FIELDS = ("key", "kind", "number", "text", "raw", "line_no", "position", "is_writable", "is_required", "parent__key")

SMALL = (
    "ĐỀ CƯƠNG BÁO CÁO\n"
    "Đánh giá giữa nhiệm kỳ 2023–2028\n"
    "PHẦN THỨ NHẤT\n"
    "Kết quả\n"
    "I. TÌNH HÌNH\n"
    "1. Bối cảnh\n"
    "- Nêu thuận lợi, khó khăn.\n"
    "2. Đoàn viên\n"
    "- Số lượng, chất lượng.\n"
    "II. BÀI HỌC\n"
    "- Bài học kinh nghiệm (nếu có).\n"
)


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def nodes_of(version):
    return list(OutlineNode.objects.filter(version=version).order_by("position").values_list(*FIELDS))


def test_the_seed_through_the_upload_path_is_the_first_version_byte_for_byte():
    call_command("loaddata", "outline_gnk_2018_2023", verbosity=0)
    seed = OutlineVersion.objects.get(code="gnk-cdcs-2018-2023")
    text = read_outline_file("de-cuong.txt", SEED.read_bytes())
    assert text == SEED.read_text(encoding="utf-8")
    uploaded = outline_version_publish(code="tai-len", name="Đề cương tải lên", source=text, actor=None)
    assert uploaded.source_text == seed.source_text
    assert nodes_of(uploaded) == nodes_of(seed)
    # The seed stays as it was: its version, its nodes.
    call_command("loaddata", "outline_gnk_2018_2023", verbosity=0)
    assert OutlineVersion.objects.order_by("pk").first() == seed
    assert nodes_of(seed) == nodes_of(uploaded)


def test_text_in_utf16_or_with_a_byte_order_mark_reads_the_same():
    text = SEED.read_text(encoding="utf-8")
    assert read_outline_file("a.txt", "\ufeff".encode() + text.encode()) == text
    assert read_outline_file("a.TXT", text.encode("utf-16")) == text
    assert read_outline_file("a.txt", text.replace("\n", "\r\n").encode()) == text


def word_file(paragraphs) -> bytes:
    document = docx.Document()
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_word_file_reads_its_paragraphs_with_the_numbers_word_adds():
    data = word_file(
        [
            ("ĐỀ CƯƠNG BÁO CÁO", None),
            ("Đánh giá giữa nhiệm kỳ 2023–2028", None),
            ("PHẦN THỨ NHẤT", None),
            ("I. TÌNH HÌNH", None),
            ("Bối cảnh", "List Number"),
            ("Nêu thuận lợi, khó khăn.", "List Bullet"),
            ("Đoàn viên", "List Number"),
        ]
    )
    text = read_outline_file("de-cuong.docx", data)
    assert text.splitlines()[4:] == ["1. Bối cảnh", "- Nêu thuận lợi, khó khăn.", "2. Đoàn viên"]
    nodes = {n.key: n for n in parse_outline(text)}
    assert nodes["p1.I.1"].text == "Bối cảnh" and nodes["p1.I.1"].is_writable
    assert nodes["p1.I.1.g1"].text == "Nêu thuận lợi, khó khăn."


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.txt", "Đoàn viên".encode("cp1258"), "không phải Unicode (UTF-8)"),
        ("a.pdf", b"%PDF-1.4", "tệp văn bản (.txt) hoặc tệp Word (.docx)"),
        ("a.doc", b"\xd0\xcf\x11\xe0", "lưu lại thành .docx"),
        ("a.docx", b"PK not a zip", "không phải tệp Word (.docx)"),
        ("a.txt", b"a\x00b", "không phải tệp văn bản"),
        ("a.txt", b"x\n" * 2_001, "quá dài"),
    ],
)
def test_bad_files_are_refused_in_vietnamese(name, data, message):
    with pytest.raises(OutlineFileRefused) as refused:
        read_outline_file(name, data)
    assert message in refused.value.message


def test_a_zip_bomb_is_refused_before_it_is_opened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + " " * 30_000_000 + "</w:document>")
    with pytest.raises(OutlineFileRefused) as refused:
        read_outline_file("bom.docx", buffer.getvalue())
    assert "lớn hơn nhiều" in refused.value.message


def test_repeated_number_is_an_error_with_its_line_and_a_gap_is_a_warning():
    with pytest.raises(OutlineFormatError) as error:
        parse_outline(SMALL.replace("2. Đoàn viên", "1. Đoàn viên"))
    assert error.value.line == 8
    assert "Dòng 8" in error.value.message and "dòng 6" in error.value.message
    check = check_outline(parse_outline(SMALL.replace("2. Đoàn viên", "3. Đoàn viên")))
    assert check.errors == []
    assert check.warnings == ["Dòng 8: “3.” trong khi lẽ ra là “2.”; kiểm tra lại cách đánh số."]
    assert check_outline(parse_outline("Tiêu đề\nTóm tắt\n")).errors


def test_page_reads_a_file_and_shows_the_tree(admin_client):
    upload = SimpleUploadedFile("de-cuong.txt", SMALL.encode())
    response = admin_client.post(reverse(URL), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "PHẦN THỨ NHẤT" in page and "Bối cảnh" in page
    assert page.count("data-writable") == 3  # items 1 and 2, and section II without items
    assert "Ô soạn thảo (không bắt buộc)" in page  # "(nếu có)"
    assert 'name="text"' in page and "Xuất bản" in page
    assert not OutlineVersion.objects.exists()


def test_correct_the_text_check_again_and_publish(admin_client):
    wrong = SMALL.replace("2. Đoàn viên", "1. Đoàn viên")
    response = admin_client.post(reverse(URL), {"file": SimpleUploadedFile("a.txt", wrong.encode())})
    page = response.content.decode()
    assert "Dòng 8" in page and "chưa thể xuất bản" in page
    # Publishing the wrong text is refused, and the text typed is kept.
    response = admin_client.post(reverse(URL), {"text": wrong, "code": "dc-2023", "name": "Đề cương", "publish": "1"})
    assert response.status_code == 200 and not OutlineVersion.objects.exists()
    assert "1. Đoàn viên" in response.content.decode()
    response = admin_client.post(reverse(URL), {"text": SMALL, "code": "dc-2023", "name": "Đề cương", "check": "1"})
    assert "chưa thể xuất bản" not in response.content.decode() and not OutlineVersion.objects.exists()
    response = admin_client.post(
        reverse(URL), {"text": SMALL, "code": "dc-2023", "name": "Đề cương 2023–2028", "publish": "1"}
    )
    version = OutlineVersion.objects.get(code="dc-2023")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:outline_outlineversion_change", args=[version.pk])
    assert version.source_text == SMALL
    nodes = {n.key: n for n in OutlineNode.objects.filter(version=version).select_related("parent")}
    assert nodes["p1.I.2"].parent.key == "p1.I" and nodes["p1.I.2.g1"].raw == "- Số lượng, chất lượng."
    assert [k for k, n in nodes.items() if n.is_writable] == ["p1.I.1", "p1.I.2", "p1.II"]
    assert not nodes["p1.II"].is_required


def test_publish_needs_a_free_code_and_a_name(admin_client):
    outline_version_publish(code="dc-2023", name="Có rồi", source=SMALL, actor=None)
    response = admin_client.post(reverse(URL), {"text": SMALL, "code": "dc-2023", "name": "Khác", "publish": "1"})
    assert "Đã có phiên bản đề cương với mã này" in response.content.decode()
    response = admin_client.post(reverse(URL), {"text": SMALL, "code": "Mã Có Dấu", "name": "", "publish": "1"})
    page = response.content.decode()
    assert "chữ thường không dấu" in page and "Cần điền để xuất bản" in page
    assert OutlineVersion.objects.count() == 1
    with pytest.raises(ValidationError):
        outline_version_publish(code="dc-2023", name="Lần nữa", source=SMALL, actor=None)


def test_word_upload_through_the_page(admin_client):
    data = word_file([(line, None) for line in SMALL.splitlines()])
    response = admin_client.post(reverse(URL), {"file": SimpleUploadedFile("de-cuong.docx", data)})
    assert response.status_code == 200
    assert response.content.decode().count("data-writable") == 3


def test_a_file_too_large_is_refused_while_it_streams_in(admin_client, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = admin_client.post(reverse(URL), {"file": SimpleUploadedFile("a.txt", b"x" * 5000)})
    assert response.status_code == 200
    assert "Tệp quá lớn" in response.content.decode()


def test_only_those_who_may_add_outlines_open_the_page(client):
    client.force_login(UserFactory())
    assert client.get(reverse(URL)).status_code == 403
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(URL)).status_code == 403


def test_page_query_count_does_not_grow_with_the_outline(admin_client):
    long = SMALL + "".join(f"- Gợi ý thêm {i}.\n" for i in range(300))
    counts = []
    for text in (SMALL, long):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(reverse(URL), {"text": text, "code": "", "name": "", "check": "1"})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_text_box_sent_with_windows_line_endings_publishes_the_seed_byte_for_byte(admin_client):
    call_command("loaddata", "outline_gnk_2018_2023", verbosity=0)
    seed = OutlineVersion.objects.get(code="gnk-cdcs-2018-2023")
    text = SEED.read_text(encoding="utf-8").replace("\n", "\r\n")
    admin_client.post(reverse(URL), {"text": text, "code": "tu-o-nhap", "name": "Từ ô nhập", "publish": "1"})
    version = OutlineVersion.objects.get(code="tu-o-nhap")
    assert version.source_text == seed.source_text
    assert nodes_of(version) == nodes_of(seed)
