"""The outline draft editor: an outline written in the site line by line (headings and guidance in their
own boxes, added, moved, deleted), or as one text, previewed, compared with its source and published."""

import unicodedata

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outline.editing import OutlineEditRefused, add_line, delete_line, edit_line, move_line
from outline.models import OutlineDraft, OutlineNode, OutlineVersion
from outline.parsing import check_outline, parse_outline, roman
from outline.services import outline_draft_create, outline_version_publish
from tests.units.factories import UserFactory

pytestmark = pytest.mark.django_db

SMALL = (
    "ĐỀ CƯƠNG BÁO CÁO\n"
    "Đánh giá giữa nhiệm kỳ {nhiem_ky}\n"
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


def line_of(text, raw):
    """The 0-based line of ``raw`` in ``text``."""
    return text.split("\n").index(raw)


def headings(text):
    return [(n.kind, n.number, n.text) for n in parse_outline(text) if n.kind in ("section", "item")]


# The edits themselves: text in, text out.


def test_editing_a_heading_keeps_its_number_and_a_bullet_keeps_its_dash():
    out = edit_line(SMALL, line_of(SMALL, "I. TÌNH HÌNH"), "TÌNH HÌNH CHUNG\n").text
    out = edit_line(out, line_of(out, "- Số lượng, chất lượng."), "Số lượng  đoàn viên").text
    assert "I. TÌNH HÌNH CHUNG\n" in out and "- Số lượng đoàn viên\n" in out
    assert [n.kind for n in parse_outline(out)] == [n.kind for n in parse_outline(SMALL)]


@pytest.mark.parametrize(
    ("raw", "words", "message"),
    [
        ("- Số lượng, chất lượng.", "", "không được để trống"),
        ("PHẦN THỨ NHẤT", "Kết quả chung", "PHẦN THỨ"),
        ("Kết quả", "III. Mục lạ", "được đọc thành một loại dòng khác"),
    ],
)
def test_an_edit_that_would_change_the_outline_is_refused_in_words(raw, words, message):
    with pytest.raises(OutlineEditRefused) as refused:
        edit_line(SMALL, line_of(SMALL, raw), words)
    assert message in refused.value.message


def test_add_move_and_delete_keep_the_numbering():
    # A section after the first: it becomes II and "BÀI HỌC" III.
    out = add_line(SMALL, line_of(SMALL, "I. TÌNH HÌNH"), "after", "PHONG TRÀO").text
    assert headings(out) == [
        ("section", "I", "TÌNH HÌNH"),
        ("item", "1", "Bối cảnh"),
        ("item", "2", "Đoàn viên"),
        ("section", "II", "PHONG TRÀO"),
        ("section", "III", "BÀI HỌC"),
    ]
    # An item after the first: Đoàn viên becomes 3.
    out = add_line(out, line_of(out, "1. Bối cảnh"), "after", "Việc làm").text
    assert [h[1:] for h in headings(out)[:4]] == [
        ("I", "TÌNH HÌNH"),
        ("1", "Bối cảnh"),
        ("2", "Việc làm"),
        ("3", "Đoàn viên"),
    ]
    # Moved up: "Đoàn viên" and its guidance go before "Việc làm".
    moved = move_line(out, line_of(out, "3. Đoàn viên"), "up")
    lines = moved.text.split("\n")
    assert lines[moved.line] == "2. Đoàn viên" and lines[moved.line + 1] == "- Số lượng, chất lượng."
    assert "3. Việc làm" in lines
    # Down again, then deleted with what is under it.
    back = move_line(moved.text, moved.line, "down")
    assert back.text.split("\n")[back.line] == "3. Đoàn viên"
    gone = delete_line(back.text, back.line).text
    assert "Đoàn viên" not in gone and "Số lượng" not in gone
    assert [h[1] for h in headings(gone)] == ["I", "1", "2", "II", "III"]
    # Guidance and items added under a heading; the checks find nothing wrong.
    out = add_line(gone, line_of(gone, "III. BÀI HỌC"), "guidance", "Nêu cách làm hay.").text
    out = add_line(out, line_of(out, "II. PHONG TRÀO"), "item", "Thi đua").text
    assert "III. BÀI HỌC\n- Bài học kinh nghiệm (nếu có).\n- Nêu cách làm hay." in out
    assert "II. PHONG TRÀO\n1. Thi đua\n" in out
    assert check_outline(parse_outline(out)).warnings == []


def test_a_line_at_the_end_of_its_list_does_not_move_further():
    with pytest.raises(OutlineEditRefused) as refused:
        move_line(SMALL, line_of(SMALL, "I. TÌNH HÌNH"), "up")
    assert "đầu danh sách" in refused.value.message
    with pytest.raises(OutlineEditRefused):
        move_line(SMALL, line_of(SMALL, "II. BÀI HỌC"), "down")
    with pytest.raises(OutlineEditRefused):
        delete_line(SMALL, 0)  # the title


# The pages.


@pytest.fixture
def admin():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def base(admin):
    return outline_version_publish(code="dc-goc", name="Đề cương gốc 2023–2028", source=SMALL, actor=admin)


@pytest.fixture
def draft(base, admin):
    return outline_draft_create(base=base, code="dc-moi", name="Đề cương 2025–2030", actor=admin)


def post_line(client, draft, raw, action="save", **fields):
    draft.refresh_from_db()
    line = line_of(draft.text, raw) + 1
    data = {f"l{line}-revision": draft.revision, "action": action}
    data.update({f"l{line}-{name}": value for name, value in fields.items()})
    return client.post(reverse("outline:draft_line", args=[draft.pk, line]), data)


def test_admin_makes_a_draft_from_a_published_version(admin_client, base):
    response = admin_client.get(reverse("outline:draft_create") + "?tu=dc-goc")
    assert response.status_code == 200 and "Đề cương gốc 2023–2028" in response.content.decode()
    response = admin_client.post(reverse("outline:draft_create"), {"tu": "dc-goc", "code": "dc-goc", "name": "X"})
    assert response.status_code == 400 and "Đã có phiên bản đề cương với mã này" in response.content.decode()
    response = admin_client.post(
        reverse("outline:draft_create"), {"tu": "dc-goc", "code": "dc-2025", "name": "Đề cương 2025–2030"}
    )
    draft = OutlineDraft.objects.get(code="dc-2025")
    assert response.status_code == 302 and response["Location"] == reverse("outline:draft_edit", args=[draft.pk])
    assert draft.text == SMALL and draft.base == base
    # The outline page lists the draft being written.
    assert (
        reverse("outline:draft_edit", args=[draft.pk])
        in admin_client.get(reverse("outline:outline_upload")).content.decode()
    )


def test_a_heading_and_a_bullet_edited_in_their_boxes_change_what_the_drafter_sees(admin_client, draft, admin):
    page = admin_client.get(reverse("outline:draft_edit", args=[draft.pk])).content.decode()
    # The preview fills the placeholders as a drafter of the draft's term will see them.
    assert "Đánh giá giữa nhiệm kỳ 2025–2030" in page
    assert post_line(admin_client, draft, "I. TÌNH HÌNH", words="TÌNH HÌNH ĐOÀN VIÊN").status_code == 302
    response = post_line(admin_client, draft, "- Số lượng, chất lượng.", words="Số lượng đến {ngay_chot_so_lieu}.")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert "I. TÌNH HÌNH ĐOÀN VIÊN\n" in draft.text and "- Số lượng đến {ngay_chot_so_lieu}.\n" in draft.text
    assert draft.updated_by == admin and draft.revision == 3
    page = admin_client.get(response["Location"]).content.decode()
    preview = page.split("data-outline-preview")[1]
    # The example unit's facts are marked as examples (the preview is no unit's report).
    assert "I. TÌNH HÌNH ĐOÀN VIÊN" in preview and "Số lượng đến 30/11/2027 (ví dụ)." in preview
    diff = page.split("data-outline-diff")[1].split("</ul>")[0]
    assert "I. TÌNH HÌNH" in diff and "I. TÌNH HÌNH ĐOÀN VIÊN" in diff and "Bối cảnh" not in diff


def test_add_move_delete_through_the_page(admin_client, draft):
    assert post_line(admin_client, draft, "1. Bối cảnh", "add", add="after", new_words="Việc làm").status_code == 302
    assert post_line(admin_client, draft, "3. Đoàn viên", "up").status_code == 302
    assert post_line(admin_client, draft, "I. TÌNH HÌNH", "add", add="item", new_words="Thi đua").status_code == 302
    assert post_line(admin_client, draft, "II. BÀI HỌC", "delete").status_code == 302
    draft.refresh_from_db()
    assert headings(draft.text) == [
        ("section", "I", "TÌNH HÌNH"),
        ("item", "1", "Bối cảnh"),
        ("item", "2", "Đoàn viên"),
        ("item", "3", "Việc làm"),
        ("item", "4", "Thi đua"),
    ]
    # Adding with no words is refused beside the box, with the choice kept.
    response = post_line(admin_client, draft, "1. Bối cảnh", "add", add="guidance", new_words="  ")
    assert response.status_code == 400
    assert "Hãy gõ nội dung của dòng mới" in response.content.decode()


def test_bad_input_is_refused_in_vietnamese_and_the_words_typed_stay(admin_client, draft):
    before = OutlineDraft.objects.get(pk=draft.pk).text
    response = post_line(admin_client, draft, "2. Đoàn viên", words="Đoàn viên {nhiem_ki}")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="Đoàn viên {nhiem_ki}"' in page
    line = line_of(before, "2. Đoàn viên") + 1
    assert f"Dòng {line} chưa được sửa" in page and f'href="#dong-{line}"' in page
    assert "không biết {nhiem_ki}" in page
    assert OutlineDraft.objects.get(pk=draft.pk).text == before


def test_an_edit_from_an_out_of_date_page_is_refused_and_kept(admin_client, draft):
    line = line_of(draft.text, "2. Đoàn viên") + 1
    stale = {f"l{line}-revision": draft.revision, "action": "save", f"l{line}-words": "Đoàn viên mới"}
    assert post_line(admin_client, draft, "I. TÌNH HÌNH", words="TÌNH HÌNH MỚI").status_code == 302
    response = admin_client.post(reverse("outline:draft_line", args=[draft.pk, line]), stale)
    page = response.content.decode()
    assert response.status_code == 400 and "đã lưu bản nháp" in page and 'value="Đoàn viên mới"' in page
    draft.refresh_from_db()
    assert "Đoàn viên mới" not in draft.text
    # Sent again from the page shown, it is saved.
    assert f'name="l{line}-revision" value="{draft.revision}"' in page
    stale[f"l{line}-revision"] = draft.revision
    assert admin_client.post(reverse("outline:draft_line", args=[draft.pk, line]), stale).status_code == 302


def test_text_is_stored_nfc(admin_client, draft):
    decomposed = unicodedata.normalize("NFD", "Tình hình việc làm")
    assert post_line(admin_client, draft, "1. Bối cảnh", words=decomposed).status_code == 302
    draft.refresh_from_db()
    assert "1. Tình hình việc làm\n" in draft.text
    assert unicodedata.is_normalized("NFC", draft.text)
    response = admin_client.post(
        reverse("outline:draft_text", args=[draft.pk]),
        {
            "text": unicodedata.normalize("NFD", draft.text.replace("Kết quả", "Kết quả đạt được")),
            "revision": draft.revision,
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert "Kết quả đạt được\n" in draft.text and unicodedata.is_normalized("NFC", draft.text)


def test_the_text_editor_saves_through_the_same_checks(admin_client, draft):
    page = admin_client.get(reverse("outline:draft_text", args=[draft.pk])).content.decode()
    assert "Chèn trường" in page and "{nhiem_ky}" in page
    wrong = draft.text.replace("2. Đoàn viên", "1. Đoàn viên")
    response = admin_client.post(
        reverse("outline:draft_text", args=[draft.pk]), {"text": wrong, "revision": draft.revision}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Dòng 8" in page and "1. Đoàn viên" in page
    assert OutlineDraft.objects.get(pk=draft.pk).text == SMALL


def test_an_outline_past_the_upload_bounds_is_refused_in_words(admin_client, draft):
    text = draft.text + "".join(f"- Gợi ý {i}.\n" for i in range(2_000))
    response = admin_client.post(reverse("outline:draft_text", args=[draft.pk]), {"text": text, "revision": 1})
    assert response.status_code == 400 and "Đề cương quá dài (tối đa 2.000 dòng)" in response.content.decode()
    assert OutlineDraft.objects.get(pk=draft.pk).text == SMALL


def test_warnings_stand_beside_the_line_that_has_them(admin_client, draft):
    post_line(admin_client, draft, "1. Bối cảnh", words="Bối cảnh năm 2019")
    page = admin_client.get(reverse("outline:draft_edit", args=[draft.pk])).content.decode()
    line = line_of(OutlineDraft.objects.get(pk=draft.pk).text, "1. Bối cảnh năm 2019") + 1
    own = page.split(f'id="dong-{line}"')[1].split("</li>")[0]
    assert "data-line-warnings" in own and "năm 2019 nằm ngoài nhiệm kỳ 2025–2030" in own
    assert page.count("data-line-warnings") == 1


def test_publishing_makes_a_version_and_then_the_draft_is_read_only(admin_client, draft):
    post_line(admin_client, draft, "I. TÌNH HÌNH", words="TÌNH HÌNH CHUNG")
    response = admin_client.post(reverse("outline:draft_publish", args=[draft.pk]))
    version = OutlineVersion.objects.get(code="dc-moi")
    assert response.status_code == 302
    assert OutlineNode.objects.get(version=version, key="p1.I").text == "TÌNH HÌNH CHUNG"
    draft.refresh_from_db()
    assert draft.published_version == version and draft.is_published
    stored = draft.text
    for response in (
        post_line(admin_client, draft, "I. TÌNH HÌNH CHUNG", words="ĐỔI"),
        post_line(admin_client, draft, "II. BÀI HỌC", "delete"),
        admin_client.post(reverse("outline:draft_text", args=[draft.pk]), {"text": SMALL, "revision": draft.revision}),
        admin_client.post(reverse("outline:draft_publish", args=[draft.pk])),
    ):
        assert response.status_code == 400
        assert "không sửa được" in response.content.decode() or "không được thay đổi" in response.content.decode()
    draft.refresh_from_db()
    assert draft.text == stored and OutlineVersion.objects.filter(code="dc-moi").count() == 1
    page = admin_client.get(reverse("outline:draft_edit", args=[draft.pk])).content.decode()
    assert "data-draft-published" in page and "draft_line" not in page and 'name="action"' not in page


def test_the_seed_copied_into_a_draft_stays_byte_for_byte(admin_client, admin):
    call_command("loaddata", "outline_gnk_2018_2023", verbosity=0)
    seed = OutlineVersion.objects.get(code="gnk-cdcs-2018-2023")
    text, nodes = seed.source_text, list(OutlineNode.objects.filter(version=seed).order_by("position").values_list())
    draft = outline_draft_create(base=seed, code="gnk-moi", name="Đề cương 2025–2030", actor=admin)
    post_line(admin_client, draft, next(n.raw for n in parse_outline(text) if n.kind == "section"), "down")
    admin_client.post(reverse("outline:draft_publish", args=[draft.pk]))
    seed.refresh_from_db()
    assert seed.source_text == text
    assert list(OutlineNode.objects.filter(version=seed).order_by("position").values_list()) == nodes
    # An unchanged draft publishes the seed's lines exactly.
    same = outline_draft_create(base=seed, code="gnk-y-nguyen", name="Y nguyên", actor=admin)
    admin_client.post(reverse("outline:draft_publish", args=[same.pk]))
    assert OutlineVersion.objects.get(code="gnk-y-nguyen").source_text == text


def test_the_editor_query_count_does_not_grow_with_the_sections(admin_client, admin):
    counts = []
    for sections in (2, 40):
        source = "ĐỀ CƯƠNG\nTóm tắt\nPHẦN THỨ NHẤT\n" + "".join(
            f"{roman(i)}. MỤC\n1. Việc\n- Gợi ý năm 2019.\n" for i in range(1, sections + 1)
        )
        base = outline_version_publish(code=f"dc-{sections}", name="Gốc", source=source, actor=admin)
        draft = outline_draft_create(base=base, code=f"nhap-{sections}", name="Nháp 2025–2030", actor=admin)
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(reverse("outline:draft_edit", args=[draft.pk]))
        assert response.status_code == 200 and response.content.decode().count("data-line-warnings") == sections
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_only_administrators_reach_the_editor(client, draft):
    client.force_login(UserFactory())
    for name, method in (
        ("outline:draft_edit", "get"),
        ("outline:draft_text", "post"),
        ("outline:draft_publish", "post"),
    ):
        assert getattr(client, method)(reverse(name, args=[draft.pk])).status_code == 403
    assert client.post(reverse("outline:draft_line", args=[draft.pk, 5]), {}).status_code == 403
    assert OutlineDraft.objects.get(pk=draft.pk).revision == 1
