import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outline.models import OutlineNode
from reports.models import ReportStatus, SectionText, Submission
from reports.services import report_submit, section_save
from tests.conftest import build_world

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "drafter_a", "drafter_b", "reviewer", "reviewer_elsewhere", "admin"]


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world.users()[role])
    return client


def first_key(report):
    return (
        OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True)
        .order_by("position")
        .first()
        .key
    )


def submit_all(world, report, user):
    for node in OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True):
        section_save(
            report=report,
            node=node,
            base_version=0,
            is_done=True,
            actor=user,
            content=f"<p>Mục {node.number}</p>",
        )
    return report_submit(report=report, actor=user)


# Expected status per role: anonymous always goes to the log-in page (302).
READ = {
    "anonymous": 302,
    "drafter_a": 200,
    "drafter_b": 404,
    "reviewer": 200,
    "reviewer_elsewhere": 404,
    "admin": 200,
}
WRITE = {
    "anonymous": 302,
    "drafter_a": 302,
    "drafter_b": 404,
    "reviewer": 403,
    "reviewer_elsewhere": 404,
    "admin": 403,
}
# The drafter's submit is refused (sections still empty) and the page says which: 200.
SUBMIT_PAGE = {**WRITE, "drafter_a": 200}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role):
    login(client, world, role)
    report = world.report_a
    key = first_key(report)
    detail = reverse("reports:report_detail", args=[report.pk])
    section = reverse("reports:section_edit", args=[report.pk, key])
    submit = reverse("reports:report_submit", args=[report.pk])

    assert client.get(reverse("reports:report_list")).status_code in ((302,) if role == "anonymous" else (200, 302))
    assert client.get(detail).status_code == READ[role]
    assert client.get(section).status_code == READ[role]
    assert client.get(submit).status_code == SUBMIT_PAGE[role]
    response = client.post(section, {"content": "<p>Thử</p>", "version": 0, "go": "stay"})
    assert response.status_code == WRITE[role]
    saved = SectionText.objects.filter(report=report, node__key=key).first()
    assert (saved is not None) == (role == "drafter_a")
    if role == "drafter_a":
        assert response["Location"] == section
    assert client.post(submit).status_code == SUBMIT_PAGE[role]
    assert not Submission.objects.exists()
    assert client.get(reverse("admin:index")).status_code == (200 if role == "admin" else 302)


@pytest.mark.parametrize("role", ROLES)
def test_submission_snapshot_permissions(client, world, role):
    submit_all(world, world.report_a, world.drafter_a)
    login(client, world, role)
    url = reverse("reports:submission_detail", args=[world.report_a.pk, 1])
    response = client.get(url)
    assert response.status_code == READ[role]
    if response.status_code == 200:
        assert "Mục 1" in response.content.decode()
    assert client.get(reverse("reports:submission_detail", args=[world.report_a.pk, 2])).status_code in (
        302,
        404,
    )


def test_anonymous_is_sent_to_login_in_vietnamese(client, world):
    response = client.get(reverse("reports:report_list"), follow=True)
    html = response.content.decode()
    assert "Đăng nhập" in html and "Tên đăng nhập" in html and "Mật khẩu" in html


def test_drafter_lands_on_own_report_and_sees_only_it(client, world):
    client.force_login(world.drafter_a)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:report_detail", args=[world.report_a.pk])
    html = response.content.decode()
    assert world.unit_a.name in html
    assert world.unit_b.name not in html
    assert "Chưa bắt đầu" in html
    assert "Nộp báo cáo" in html


def test_reviewer_lists_units_below_only(client, world):
    client.force_login(world.reviewer)
    html = client.get(reverse("reports:report_list")).content.decode()
    assert world.unit_a.name in html and world.unit_b.name in html
    assert world.unit_c.name not in html
    client.force_login(world.reviewer_elsewhere)
    html = client.get(reverse("reports:report_list")).content.decode()
    assert world.unit_a.name not in html


def test_report_page_shows_states_progress_and_filled_blanks(client, world):
    report = world.report_a
    nodes = list(
        OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True).order_by("position")
    )
    section_save(
        report=report,
        node=nodes[0],
        base_version=0,
        is_done=True,
        actor=world.drafter_a,
        content="<p>Xong</p>",
    )
    section_save(
        report=report,
        node=nodes[1],
        base_version=0,
        is_done=False,
        actor=world.drafter_a,
        content="<p>Đang</p>",
    )
    client.force_login(world.drafter_a)
    html = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "2 / 5" in html or "2 trên 5" in html
    assert html.count("xong") >= 1 and "đang viết" in html and "trống" in html
    assert "40%" in html
    # The dotted blank carries the unit, its congress number and the term, in capitals.
    assert "ĐẠI HỘI CÔNG ĐOÀN CƠ SỞ CÔNG TY MAY Á LẦN THỨ V, NHIỆM KỲ 2018–2023" in html


def test_section_page_shows_guidance_and_editor(client, world):
    client.force_login(world.drafter_a)
    url = reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.2"])
    response = client.get(url)
    html = response.content.decode()
    assert "2. Nội dung số 2" in html
    assert "Gợi ý cho mục 2." in html
    assert "(Báo cáo cần có số liệu minh họa.)" in html
    assert "data-django-prose-editor-configurable" in html
    assert f'nonce="{response.wsgi_request.csp_nonce}"' in html
    assert "Lưu" in html and "Mục trước" in html and "Mục sau" in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_save_next_previous_navigation(client, world):
    client.force_login(world.drafter_a)
    url = reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.2"])
    response = client.post(url, {"content": "<p>Hai</p>", "version": 0, "go": "next"})
    assert response["Location"] == reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.3"])
    response = client.post(url, {"content": "<p>Hai bis</p>", "version": 1, "go": "previous"})
    assert response["Location"] == reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"])
    assert SectionText.objects.get(node__key="p1.II.2", report=world.report_a).content == "<p>Hai bis</p>"


def test_autosave_returns_json_and_detects_conflict(client, world):
    client.force_login(world.drafter_a)
    url = reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"])
    headers = {"X-Autosave": "1"}
    response = client.post(url, {"content": "<p>Gõ dở</p>", "version": 0}, headers=headers)
    assert response.status_code == 200
    assert response.json()["version"] == 1
    response = client.post(url, {"content": "<p>Gõ tiếp</p>", "version": 1}, headers=headers)
    assert response.json()["version"] == 2
    # A second window opened at version 1 tries to save: refused, nothing overwritten.
    response = client.post(url, {"content": "<p>Cửa sổ cũ</p>", "version": 1}, headers=headers)
    assert response.status_code == 409
    assert "Không nội dung nào bị ghi đè" in response.json()["error"]
    assert SectionText.objects.get(report=world.report_a, node__key="p1.II.1").content == "<p>Gõ tiếp</p>"


def test_conflict_page_shows_both_versions_and_keeps_typed_text(client, world):
    section_save(
        report=world.report_a,
        node=OutlineNode.objects.get(version=world.round.outline_version, key="p1.II.1"),
        base_version=0,
        is_done=False,
        actor=world.drafter_b,
        content="<p>Bản đã lưu trước</p>",
    )
    client.force_login(world.drafter_a)
    url = reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"])
    response = client.post(url, {"content": "<p>Bản tôi đang gõ</p>", "version": 0, "go": "stay"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bản đã lưu trước" in html
    assert "Bản tôi đang gõ" in html
    assert 'name="version" value="1"' in html
    assert SectionText.objects.get(report=world.report_a, node__key="p1.II.1").content == ("<p>Bản đã lưu trước</p>")


@pytest.mark.parametrize(
    ("payload", "stored"),
    [
        ("<p>Chào<script>alert('x')</script></p>", "<p>Chào</p>"),
        ('<p><a href="javascript:alert(1)">bấm</a></p>', "<p>bấm</p>"),
        ("<p>có\x00 NUL\x07</p>", "<p>có NUL</p>"),
        ("<p>Ca\u0301c ye\u0302u ca\u0302\u0300u</p>", "<p>Các yêu cầu</p>"),
        (
            '<p class="MsoNormal" style="mso-x:1"><span lang="VI">Dán từ Word</span><o:p></o:p></p>',
            "<p>Dán từ Word</p>",
        ),
        ('<iframe src="//evil"></iframe><p>Sau</p>', "<p>Sau</p>"),
    ],
)
def test_bad_input_is_cleaned(client, world, payload, stored):
    client.force_login(world.drafter_a)
    url = reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"])
    response = client.post(url, {"content": payload, "version": 0, "go": "stay"})
    assert response.status_code == 302
    assert SectionText.objects.get(report=world.report_a, node__key="p1.II.1").content == stored


def test_huge_text_is_refused_in_vietnamese_and_kept_in_the_box(client, world, settings):
    settings.SECTION_MAX_CHARS = 1000
    client.force_login(world.drafter_a)
    url = reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"])
    text = "<p>" + "Đoàn viên " * 200 + "</p>"
    response = client.post(url, {"content": text, "version": 0, "go": "stay"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "quá dài" in html
    assert "Đoàn viên Đoàn viên" in html
    assert not SectionText.objects.filter(report=world.report_a).exists()
    response = client.post(url, {"content": text, "version": 0}, headers={"X-Autosave": "1"})
    assert response.status_code == 400 and "quá dài" in response.json()["error"]


def test_bad_version_and_unknown_section(client, world):
    client.force_login(world.drafter_a)
    url = reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"])
    assert client.post(url, {"content": "<p>x</p>", "version": "abc"}).status_code == 200
    assert client.get(reverse("reports:section_edit", args=[world.report_a.pk, "p1.II"])).status_code == 404
    assert client.get(reverse("reports:section_edit", args=[world.report_a.pk, "nope"])).status_code == 404


def test_submit_flow_in_the_browser_forms(client, world):
    client.force_login(world.drafter_a)
    submit = reverse("reports:report_submit", args=[world.report_a.pk])
    html = client.get(submit).content.decode()
    assert "còn trống" in html and "Nội dung số 1" in html
    response = client.post(submit, follow=True)
    assert world.report_a.__class__.objects.get(pk=world.report_a.pk).status == ReportStatus.NOT_STARTED
    assert "Nội dung số 1" in response.content.decode()

    for node in OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True):
        section_save(
            report=world.report_a,
            node=node,
            base_version=0,
            is_done=False,
            actor=world.drafter_a,
            content="<p>Đủ</p>",
        )
    response = client.post(submit, follow=True)
    html = response.content.decode()
    assert "Đã nộp" in html
    assert Submission.objects.get(report=world.report_a).number == 1
    # Frozen: the section page is read-only and says why; autosave is refused with the reason.
    url = reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"])
    html = client.get(url).content.decode()
    assert "data-django-prose-editor" not in html and "đã nộp" in html.lower()
    response = client.post(url, {"content": "<p>Sửa</p>", "version": 1}, headers={"X-Autosave": "1"})
    assert response.status_code == 423
    assert SectionText.objects.get(report=world.report_a, node__key="p1.II.1").content == "<p>Đủ</p>"


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("view", ["report_detail", "section_edit", "report_list"])
def test_query_count_does_not_grow_with_sections(client, view):
    counts = []
    for size in (5, 40):
        world = build_world(sections=size)
        for node in OutlineNode.objects.filter(version=world.round.outline_version, is_writable=True):
            section_save(
                report=world.report_a,
                node=node,
                base_version=0,
                is_done=True,
                actor=world.drafter_a,
                content="<p>Nội dung</p>",
            )
        client.force_login(world.reviewer)
        args = {
            "report_detail": [world.report_a.pk],
            "section_edit": [world.report_a.pk, "p1.II.3"],
            "report_list": [],
        }[view]
        counts.append(_queries(client, reverse(f"reports:{view}", args=args)))
    assert counts[0] == counts[1], counts


def test_login_is_throttled(client, world):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": world.drafter_a.username, "password": "sai"})
    response = client.post(url, {"username": world.drafter_a.username, "password": "mat-khau-thu"})
    assert response.status_code in (403, 429)
    assert "30 phút" in response.content.decode()


def test_login_with_the_right_password(client, world):
    response = client.post(
        reverse("login"),
        {"username": world.drafter_a.username, "password": "mat-khau-thu"},
        follow=True,
    )
    assert response.wsgi_request.user == world.drafter_a
    client.logout()
    response = client.post(reverse("login"), {"username": "khong-co", "password": "x"})
    assert "không đúng" in response.content.decode()


def test_reports_are_listed_in_vietnamese_order(client, world):
    from tests.units.factories import UnitFactory

    for name in ("Công đoàn cơ sở Đông Hải", "Công đoàn cơ sở Dệt Việt", "Công đoàn cơ sở Ánh Sao"):
        UnitFactory(name=name, parent=world.superior)
    from reports.services import round_open

    round_open(round=world.round)
    client.force_login(world.reviewer)
    html = client.get(reverse("reports:report_list")).content.decode()
    positions = [
        html.index(name)
        for name in (
            "Công đoàn cơ sở Ánh Sao",
            "Công đoàn cơ sở Công ty Bình",
            "Công đoàn cơ sở Công ty May Á",
            "Công đoàn cơ sở Dệt Việt",
            "Công đoàn cơ sở Đông Hải",
        )
    ]
    assert positions == sorted(positions)


def test_oversized_or_garbled_requests_never_500(client, world):
    client.force_login(world.drafter_a)
    url = reverse("reports:section_edit", args=[world.report_a.pk, "p1.II.1"])
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post(url, {"content": huge, "version": 0})
    assert response.status_code == 400
    assert "quá lớn" in response.content.decode()
    response = client.post(
        url,
        data=b"content=%FF%FE%3Cp%3E%E1%BB&version=0&go=stay",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 302)
    stored = SectionText.objects.get(report=world.report_a, node__key="p1.II.1").content
    assert "<p>" in stored and "\x00" not in stored


def test_report_page_body_is_cached_by_revision_and_never_stale(client, world):
    """The report page's body comes from the cache while nothing changes, and shows a change at once."""
    report = world.report_a
    node = OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True).order_by("position")[0]
    url = reverse("reports:report_detail", args=[report.pk])
    client.force_login(world.drafter_a)
    first = _queries(client, url)
    again = _queries(client, url)
    assert again < first  # outline, sections, appendix and chart not read again
    html = client.get(url).content.decode()
    assert "0 / 5" in html or "0 trên 5" in html
    section_save(report=report, node=node, base_version=0, is_done=True, actor=world.drafter_a, content="<p>Mới</p>")
    html = client.get(url).content.decode()
    assert "1 / 5" in html or "1 trên 5" in html
    assert "20%" in html
    # The reviewer reads the same revision without the drafter's buttons.
    client.force_login(world.reviewer)
    html = client.get(url).content.decode()
    assert "1 trên 5" in html or "1 / 5" in html
    assert reverse("reports:report_submit", args=[report.pk]) not in html
    client.force_login(world.drafter_a)
    assert reverse("reports:report_submit", args=[report.pk]) in client.get(url).content.decode()
    # A renamed unit changes the dotted blanks straight away too.
    type(world.unit_a).objects.filter(pk=world.unit_a.pk).update(name="Công đoàn cơ sở Công ty Mới Đổi Tên")
    assert "CÔNG TY MỚI ĐỔI TÊN" in client.get(url).content.decode()
