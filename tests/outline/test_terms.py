"""One outline right for every term and level: the 2025–2030 round of the demo, a CĐCS's report and the
province's own, on the page, in "Bắt đầu từ gợi ý" and in the Word files, print no other term's years,
dates, congress or plans and no other level's bodies; the warnings before opening a round say so."""

import html
import io
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from exports.docx import build_consolidated_docx
from exports.selectors import consolidated
from outline.models import OutlineNode, OutlineVersion
from outline.parsing import check_outline, parse_outline
from outline.services import outline_version_publish
from outline.terms import stale_references
from reports.models import Report, Round
from units.models import Role
from units.services import membership_grant

pytestmark = pytest.mark.django_db

STALE_TERM = ("2018", "2019", "2020", "30/11/2020", "lần thứ XII", "85/KH-LĐLĐ", "Đại hội IX")
OTHER_LEVEL = ("huyện", "Huyện ủy", "UBND huyện")
NEXT_TERM_NAME = (
    "Đề cương báo cáo đánh giá giữa nhiệm kỳ thực hiện Nghị quyết Đại hội công đoàn (nhiệm kỳ 2025–2030, mọi cấp)"
)
KEYS = ["p1.I.1", "p1.I.2", "p1.II.2", "p1.II.4", "p1.II.5", "p1.II.9", "p1.III", "p1.IV", "p2.1", "p2.2"]


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    return Round.objects.get(code="GNK-2025-2030")


def _outline_part(page: str) -> str:
    """The page's main content, without the navigation (which lists every round by its term)."""
    main = re.search(r"<main.*?</main>", page, re.S)
    # A superior's synthesis panel names the units below it ("LĐLĐ huyện …"): their names, not the outline's.
    main = re.sub(
        r'<details class="card mt-3 (?:unit-texts|synthesis-counts)".*?</details>',
        "",
        main.group(0) if main else page,
        flags=re.S,
    )
    return html.unescape(main)


def _docx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as docx:
        xml = docx.read("word/document.xml").decode()
    return html.unescape(re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n")))


def _login_drafter(client, report) -> None:
    drafter = get_user_model().objects.create_user(f"drafter-{report.pk}", password="x")
    membership_grant(user=drafter, unit=report.unit, role=Role.DRAFTER)
    client.force_login(drafter)


def _everything_shown(client, report) -> dict[str, str]:
    """The report page, each section page (its guidance, notes and "Bắt đầu từ gợi ý" draft), the Word
    report and the Word outline, as the unit's drafter sees them."""
    _login_drafter(client, report)
    shown = {"page": _outline_part(client.get(reverse("reports:report_detail", args=[report.pk])).content.decode())}
    for key in KEYS:
        response = client.get(reverse("reports:section_edit", args=[report.pk, key]))
        assert response.status_code == 200, key
        page = response.content.decode()
        shown[key] = _outline_part(page)
        skeleton = re.search(r'data-skeleton="([^"]*)"', page)
        # Part II's items are their own prompt: no guidance, no draft to start from.
        assert skeleton or key.startswith("p2."), key
        if skeleton:
            shown[f"{key} skeleton"] = html.unescape(skeleton.group(1))
    for name in ("report_docx", "outline_docx"):
        response = client.get(reverse(f"exports:{name}", args=[report.pk]))
        assert response.status_code == 200, name
        shown[name] = _docx_text(b"".join(response.streaming_content) if response.streaming else response.content)
    return shown


def _assert_none(shown: dict[str, str], words) -> None:
    found = [(where, word) for where, text in shown.items() for word in words if word in text]
    assert not found, found


def test_a_2025_2030_report_prints_its_own_term(client, demo):
    report = Report.objects.get(round=demo, unit__code="CDCS-MHB")
    shown = _everything_shown(client, report)
    _assert_none(shown, STALE_TERM + OTHER_LEVEL)
    # The round's facts, from the round and the unit.
    assert "đến hết 30/11/2026" in shown["p1.I.2"]
    assert "tính trong 2 năm là 2025 và 2026" in shown["p1.IV skeleton"]
    assert "Nghị quyết Đại hội Công đoàn các Khu công nghiệp tỉnh Bình An" in shown["p1.IV skeleton"]
    assert "cấp ủy, chính quyền cùng cấp và Công đoàn các Khu công nghiệp tỉnh Bình An" in shown["report_docx"]
    assert "tính trong 2 năm là 2025 và 2026" in shown["outline_docx"]
    assert (
        "Nghị quyết Đại hội Công đoàn cơ sở Công ty TNHH May Hòa Bình lần thứ V, nhiệm kỳ 2025–2030"
        in (shown["report_docx"])
    )


def test_the_provinces_own_report_prints_its_own_level(client, demo):
    report = Report.objects.get(round=demo, unit__code="LDLD-BA")
    shown = _everything_shown(client, report)
    _assert_none(shown, STALE_TERM + OTHER_LEVEL + ("CĐCS Liên đoàn", "Công đoàn các Khu công nghiệp"))
    assert "Nghị quyết Đại hội Liên đoàn Lao động tỉnh Bình An, nhiệm kỳ 2025–2030" in shown["report_docx"]
    # Its superior is Công đoàn Việt Nam (the Tổng Liên đoàn), named where a superior is: the outline's
    # placeholders, the superior's congress of the round's term, the header block and the recipients.
    assert "cấp ủy, chính quyền cùng cấp và Công đoàn Việt Nam" in shown["report_docx"]
    assert "công đoàn cấp trên" not in shown["report_docx"]
    assert "Nghị quyết Đại hội XIII Công đoàn Việt Nam" in shown["p1.IV skeleton"]
    assert shown["report_docx"].startswith("\nTỔNG LIÊN ĐOÀNLAO ĐỘNG VIỆT NAM\nLIÊN ĐOÀN LAO ĐỘNGTỈNH BÌNH AN")
    assert (
        "Tổng Liên đoàn Lao động Việt Nam;" in shown["report_docx"]
        or "Tổng Liên đoàn Lao động Việt Nam" in (shown["report_docx"].split("Nơi nhận")[-1])
    )
    # The report part of its consolidated file too.
    own = Report.objects.select_related("round", "unit", "unit__parent").get(pk=report.pk)
    consolidated_text = _docx_text(build_consolidated_docx(consolidated(own), part="report"))
    # The units it counts are printed by name: a district federation's own name says "huyện".
    names = Report.objects.filter(round=demo).exclude(unit=own.unit).values_list("unit__name", flat=True)
    wording = consolidated_text
    for name in sorted(names, key=len, reverse=True):
        wording = wording.replace(name, "")
    _assert_none({"consolidated": wording}, STALE_TERM + OTHER_LEVEL)
    assert "cấp ủy, chính quyền cùng cấp và Công đoàn Việt Nam" in consolidated_text


def test_the_seed_outline_printed_for_a_2025_round_fails_the_same_check(client, demo):
    """The check above catches the issue's stale outline: the seed's text, on a 2025–2030 round."""
    report = Report.objects.get(round=demo, unit__code="LDLD-BA")
    Round.objects.filter(pk=demo.pk).update(outline_version=OutlineVersion.objects.get(code="gnk-cdcs-2018-2023"))
    _login_drafter(client, report)
    page = client.get(reverse("reports:section_edit", args=[report.pk, "p2.2"])).content.decode()
    with pytest.raises(AssertionError, match="Huyện ủy"):
        _assert_none({"p2.2": _outline_part(page)}, OTHER_LEVEL)


def test_the_2025_outline_is_the_seed_through_the_publish_path(db):
    """The fixture is what the upload page's publish makes of the text, and the text is the seed's
    with the round's facts as placeholders: nothing of 2018–2020 or of the district left."""
    from django.conf import settings

    text = (settings.BASE_DIR / "fixtures" / "seed" / "de-cuong-bao-cao-giua-nhiem-ky-2025-2030.txt").read_text()
    published = outline_version_publish(code="thu-2025", name="Thử 2025–2030", source=text, actor=None)
    call_command("loaddata", "outline_gnk_2025_2030", verbosity=0)
    fixture = OutlineVersion.objects.get(code="gnk-2025-2030")
    rows = ("key", "kind", "number", "text", "raw", "is_writable", "is_required")
    assert list(OutlineNode.objects.filter(version=published).order_by("position").values_list(*rows)) == list(
        OutlineNode.objects.filter(version=fixture).order_by("position").values_list(*rows)
    )
    assert not check_outline(parse_outline(text)).errors
    lines = list(enumerate(text.split("\n"), 1))
    assert stale_references(lines, term=(2025, 2030)) == []
    # Every writable section of the seed is there, with the same key: the catalogue copies across.
    seed = OutlineVersion.objects.filter(code="gnk-cdcs-2018-2023")
    call_command("loaddata", "outline_gnk_2018_2023", verbosity=0)
    assert set(OutlineNode.objects.filter(version__in=seed, is_writable=True).values_list("key", flat=True)) == set(
        OutlineNode.objects.filter(version=fixture, is_writable=True).values_list("key", flat=True)
    )


def test_the_seed_on_a_2025_round_is_warned_in_words(db):
    from django.conf import settings

    text = (settings.BASE_DIR / "fixtures" / "seed" / "de-cuong-bao-cao-giua-nhiem-ky.txt").read_text()
    seed = list(enumerate(text.split("\n"), 1))
    warnings = "\n".join(stale_references(seed, term=(2025, 2030)))
    assert "Dòng 16" in warnings and "năm 2020 nằm ngoài nhiệm kỳ 2025–2030" in warnings  # the cut-off 30/11/2020
    assert "“lần thứ XII” (2018)" in warnings
    assert "Huyện ủy" in warnings and "{cap_tren}" in warnings
    assert "Đại hội IX" in warnings and "{dai_hoi_cap_tren}" in warnings
    # On its own term only the level's words remain.
    assert not [w for w in stale_references(seed, term=(2018, 2023)) if "ngoài nhiệm kỳ" in w]


def test_a_new_terms_outline_is_made_in_the_browser(client, db):
    """Copy a version, edit it as text, see the changes and the drafter's view, be warned of another
    term's years and another level's bodies, publish: the round can then choose it."""
    call_command("loaddata", "outline_gnk_2018_2023", verbosity=0)
    client.force_login(get_user_model().objects.create_superuser("it", "it@example.org", "x"))
    url = reverse("outline:outline_upload")
    seed_version = OutlineVersion.objects.get(code="gnk-cdcs-2018-2023")
    change = client.get(reverse("admin:outline_outlineversion_change", args=[seed_version.pk])).content.decode()
    assert f"{url}?tu=gnk-cdcs-2018-2023" in change  # "Sao chép để sửa" on the version's admin page
    page = html.unescape(client.get(url, {"tu": "gnk-cdcs-2018-2023"}).content.decode())
    assert "Sao chép để sửa" in page and "Chưa có thay đổi nào." in page
    seed = OutlineVersion.objects.get(code="gnk-cdcs-2018-2023").source_text
    assert seed.split("\n")[15] in page  # the text box holds the version's text
    edited = seed.replace("đến hết 30/11/2020", "đến hết {ngay_chot_so_lieu}")
    form = {"text": edited, "base": "gnk-cdcs-2018-2023", "name": "Đề cương 2025–2030", "code": "dc-2025-2030"}
    page = html.unescape(client.post(url, {**form, "check": "1"}).content.decode())
    shown = re.sub(r"<[^>]+>", "", page)
    # What changed, both ways, with its line.
    assert "− 16(Lưu ý giai đoạn từ đầu nhiệm kỳ đến hết 30/11/2020)." in shown
    assert "+ 16(Lưu ý giai đoạn từ đầu nhiệm kỳ đến hết {ngay_chot_so_lieu})." in shown
    # As a drafter of a round of the name's term will see it.
    assert "(Lưu ý giai đoạn từ đầu nhiệm kỳ đến hết 30/11/2027 (ví dụ))." in shown
    # Warned in words: the rest of 2018–2020 and the district.
    assert "năm 2019 nằm ngoài nhiệm kỳ 2025–2030" in page and "Huyện ủy" in page
    assert "Dòng 16" not in page.split("data-outline-warnings")[1].split("</div>")[0]
    response = client.post(url, {**form, "publish": "1"})
    assert response.status_code == 302
    node = OutlineNode.objects.get(version__code="dc-2025-2030", key="p1.I.n1")
    assert node.raw == "(Lưu ý giai đoạn từ đầu nhiệm kỳ đến hết {ngay_chot_so_lieu})."
    # A placeholder the site does not know is refused before anything is published.
    typo = {**form, "text": edited.replace("{ngay_chot_so_lieu}", "{ngay_chot}"), "code": "dc-typo", "publish": "1"}
    page = html.unescape(client.post(url, typo).content.decode())
    assert "trang không biết {ngay_chot}" in page
    assert not OutlineVersion.objects.filter(code="dc-typo").exists()


def test_opening_a_round_warns_of_another_terms_outline_and_superiors_without_drafter(client, db):
    call_command("seed_demo", stdout=io.StringIO())
    round_ = Round.objects.get(code="GNK-2025-2030")
    client.force_login(get_user_model().objects.get(username="quantri"))
    # A new 2025–2030 round on the seed outline, organised by the province.
    new = Round.objects.create(
        code="MOI-2025",
        name="Đợt mới",
        outline_version=OutlineVersion.objects.get(code="gnk-cdcs-2018-2023"),
        organising_unit=round_.organising_unit,
        term_start_year=2025,
        term_end_year=2030,
        data_years=[2025, 2026],
        cutoff_date=round_.cutoff_date,
        deadline=round_.deadline,
    )
    page = html.unescape(client.get(reverse("reports:round_open", args=[new.code])).content.decode())
    warnings = page.split("data-outline-warnings")[1].split("</div>")[0]
    assert "Dòng 16" in warnings and "năm 2020 nằm ngoài nhiệm kỳ 2025–2030" in warnings
    assert "“lần thứ XII” (2018) là của nhiệm kỳ khác" in warnings and "Huyện ủy" in warnings
    # The province has no drafter for its own report; the industrial-zone union has one (captren).
    nobody = page.split("data-no-drafter")[1].split("</div>")[0]
    assert "Liên đoàn Lao động tỉnh Bình An" in nobody and "Khu công nghiệp" not in nobody
    assert new.reports.count() == 0  # nothing opened by looking
    # The placeholder outline on its own term: no warning.
    Round.objects.filter(pk=new.pk).update(outline_version=round_.outline_version)
    page = client.get(reverse("reports:round_open", args=[new.code])).content.decode()
    assert "data-outline-warnings" not in page


def test_the_2025_fixture_is_what_the_script_generates(tmp_path):
    from django.conf import settings

    output = tmp_path / "outline.json"
    call_command(
        "build_outline_fixture",
        seed=settings.BASE_DIR / "fixtures" / "seed" / "de-cuong-bao-cao-giua-nhiem-ky-2025-2030.txt",
        output=output,
        code="gnk-2025-2030",
        name=NEXT_TERM_NAME,
        stdout=io.StringIO(),
    )
    committed = settings.BASE_DIR / "fixtures" / "outline_gnk_2025_2030.json"
    assert output.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")


def test_the_rollup_page_fills_the_outlines_blanks_with_the_unions_own(client, demo):
    """The roll-up page's section headings are the union's own report's (its name, congress, term), not
    the dots of an unfilled outline."""
    own = Report.objects.select_related("round", "unit").get(round=demo, unit__code="LDLD-BA")
    reviewer = get_user_model().objects.create_user("tong-hop", password="x")
    membership_grant(user=reviewer, unit=own.unit, role=Role.REVIEWER)
    client.force_login(reviewer)
    page = client.get(reverse("reports:rollup", args=[demo.code, own.unit.code])).content.decode()
    shown = _outline_part(page)
    assert "KẾT QUẢ THỰC HIỆN" in shown
    assert ".........." not in shown
    assert own.unit.name.upper() in shown.upper() and "2025–2030" in shown


def test_the_outline_preview_says_which_values_are_examples(client, db):
    """The drafter's view on the outline page makes up no congress number and no data years as if they
    were the round's: what it cannot know is a sample value marked “(ví dụ)”; the term a name states is
    the name's, unmarked."""
    client.force_login(get_user_model().objects.create_superuser("it", "it@example.org", "x"))
    text = (
        "ĐỀ CƯƠNG BÁO CÁO\nĐánh giá giữa nhiệm kỳ thực hiện Nghị quyết Đại hội CĐCS……\n\nPHẦN THỨ NHẤT\n"
        "Kết quả giữa nhiệm kỳ\n\nI. BỐI CẢNH\n1. Bối cảnh hoạt động công đoàn\n"
        "- Số liệu trong {nam_so_lieu}, đến hết {ngay_chot_so_lieu}; Nghị quyết {dai_hoi_cap_tren} "
        "nhiệm kỳ {nhiem_ky}; kiến nghị với {cap_tren}.\n"
    )
    url = reverse("outline:outline_upload")

    def preview(name):
        page = html.unescape(client.post(url, {"text": text, "name": name, "check": "1"}).content.decode())
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split("data-outline-preview")[1]))

    shown = preview("Đề cương 2025–2030")
    assert "Nghị quyết Đại hội CĐCS Công ty A (ví dụ), nhiệm kỳ 2025–2030" in shown
    assert "Số liệu trong 2025, 2026 và 2027 (ví dụ), đến hết 30/11/2027 (ví dụ)" in shown
    assert "Nghị quyết Đại hội Công đoàn cấp trên (ví dụ) nhiệm kỳ 2025–2030" in shown
    assert "kiến nghị với Công đoàn cấp trên (ví dụ)" in shown
    assert not re.search(r"lần thứ [IVX]+\b", shown)  # no made-up congress number
    assert "nhiệm kỳ 2025–2030 (ví dụ)" in preview("Đề cương mới")  # no term in the name: a sample one
    page = html.unescape(client.post(url, {"text": text, "name": "x", "check": "1"}).content.decode())
    assert "chỗ nào ghi “(ví dụ)” là giá trị mẫu" in page
