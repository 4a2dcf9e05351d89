"""The synthesis panel of a superior union's own report: its counted units' texts to quote (searched
accent-free, filtered, paged, marked passages first), the reviewers' marks, and the units' figures
counted as sentences."""

import datetime
import io
import re
import unicodedata
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.templatetags.vn import person
from devtools.scale import build_scale
from outline.models import OutlineNode
from reports.models import IndicatorValue, PassageMark, Report, ReportStatus, SectionText
from reports.selectors import SYNTHESIS_PAGE_SIZE, attribution, synthesis_counts
from reports.services import round_open, section_save
from tests.indicators.factories import make_catalogue
from tests.outline.factories import make_outline
from tests.reports.factories import RoundFactory
from tests.units.factories import MembershipFactory, UnitFactory
from units.models import Membership, Role

pytestmark = pytest.mark.django_db
KEY = "p1.II.1"


def write(report, html, key=KEY):
    node = _node(report, key)
    SectionText.objects.update_or_create(report=report, node=node, defaults={"content": html, "version": 1})


def _node(report, key=KEY):
    return OutlineNode.objects.get(version=report.round.outline_version, key=key)


def status(report, value):
    Report.objects.filter(pk=report.pk).update(status=value)


@pytest.fixture
def own(world):
    """The superior union's own report, and one of its drafters signed in."""
    report = Report.objects.get(round=world.round, unit=world.superior)
    return report, MembershipFactory(unit=world.superior, role="drafter").user


def panel(client, report, **params):
    url = reverse("reports:synthesis_texts", args=[report.pk, KEY])
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_panel_shows_only_texts_that_count(client, world, own):
    """Submitted and approved reports of the grassroots unions below: a draft, a returned report, a unit
    merged before the cut-off date and a unit under another superior are never shown."""
    report, writer = own
    write(world.report_a, "<p>Bài của Á đã nộp.</p>")
    write(world.report_b, "<p>Bài của Bình đang soạn.</p>")
    # A unit under another superior union (the round is the superior's: made by hand).
    c = Report.objects.create(round=world.round, unit=world.unit_c)
    write(c, "<p>Bài của trường ngoài.</p>")
    merged = UnitFactory(parent=world.superior, name="Công đoàn cơ sở Đã Nhập")
    round_open(round=world.round)
    merged_report = Report.objects.get(round=world.round, unit=merged)
    # Merged before the round's cut-off date: its successor's report counts its members.
    type(merged).objects.filter(pk=merged.pk).update(merged_on=datetime.date(2020, 1, 1))
    write(merged_report, "<p>Bài của đơn vị đã hợp nhất.</p>")
    approved = UnitFactory(parent=world.superior, name="Công đoàn cơ sở Duyệt")
    round_open(round=world.round)
    approved_report = Report.objects.get(round=world.round, unit=approved)
    write(approved_report, "<p>Bài của đơn vị đã duyệt.</p>")
    status(world.report_a, ReportStatus.SUBMITTED)
    status(world.report_b, ReportStatus.DRAFTING)
    status(c, ReportStatus.SUBMITTED)
    status(merged_report, ReportStatus.SUBMITTED)
    status(approved_report, ReportStatus.APPROVED)
    client.force_login(writer)
    for html in (
        panel(client, report),
        client.get(reverse("reports:section_edit", args=[report.pk, KEY])).content.decode(),
    ):
        assert "Bài của Á đã nộp." in html and "Bài của đơn vị đã duyệt." in html
        assert "Bình đang soạn" not in html and "trường ngoài" not in html and "đã hợp nhất" not in html
    status(world.report_a, ReportStatus.RETURNED)
    assert "Bài của Á" not in panel(client, report)
    # Only the submitted ones, or only the approved ones.
    status(world.report_a, ReportStatus.SUBMITTED)
    html = panel(client, report, trang_thai="approved")
    assert "đã duyệt" in html and "Bài của Á" not in html
    # A grassroots report has no panel.
    client.force_login(world.drafter_a)
    assert client.get(reverse("reports:synthesis_texts", args=[world.report_a.pk, KEY])).status_code == 404


def test_search_is_accent_and_case_free(client, world, own):
    report, writer = own
    write(world.report_a, "<p>Công đoàn tổ chức Đại hội điểm.</p><p>Chăm lo đời sống.</p>")
    write(world.report_b, "<p>Thương lượng tập thể.</p>")
    status(world.report_a, ReportStatus.SUBMITTED)
    status(world.report_b, ReportStatus.SUBMITTED)
    client.force_login(writer)
    found = panel(client, report, tim="Cong doan")
    assert "Công đoàn tổ chức" in found and "Thương lượng" not in found
    assert "Công đoàn tổ chức" in panel(client, report, tim="DAI HOI diem")  # Đ as D, words in any place
    assert "Thương lượng" in panel(client, report, tim="thuong luong")
    # Typed with decomposed accents, or with a NUL byte: the same search, never an error.
    assert "Công đoàn tổ chức" in panel(client, report, tim=unicodedata.normalize("NFD", "Công\x00 đoàn"))
    nothing = panel(client, report, tim="khong co dau")
    assert "Công đoàn tổ chức" not in nothing and "Không có bài nào khớp" in nothing


def test_a_province_filters_by_the_union_its_units_come_through(client):
    province = UnitFactory(is_grassroots=False, name="LĐLĐ tỉnh Thử")
    north = UnitFactory(is_grassroots=False, parent=province, name="Công đoàn KCN Bắc")
    south = UnitFactory(is_grassroots=False, parent=province, name="LĐLĐ huyện Nam")
    big = UnitFactory(parent=north, name="Công đoàn cơ sở Công ty Lớn")
    far = UnitFactory(parent=south, name="Công đoàn cơ sở Công ty Xa")
    round_ = RoundFactory(organising_unit=province)
    round_open(round=round_)
    for unit, words in ((big, "Bài ở Bắc."), (far, "Bài ở Nam.")):
        r = Report.objects.get(round=round_, unit=unit)
        write(r, f"<p>{words}</p>")
        status(r, ReportStatus.SUBMITTED)
    own = Report.objects.get(round=round_, unit=province)
    client.force_login(MembershipFactory(unit=province, role="drafter").user)
    both = panel(client, own)
    assert "Bài ở Bắc." in both and "Bài ở Nam." in both
    assert "qua Công đoàn KCN Bắc" in both and "qua LĐLĐ huyện Nam" in both
    north_only = panel(client, own, qua=north.code)
    assert "Bài ở Bắc." in north_only and "Bài ở Nam." not in north_only
    # A code that is not a union below: ignored, never an error.
    assert "Bài ở Nam." in panel(client, own, qua="KHONG-CO")


def test_a_quote_keeps_its_attribution_through_cleaning_the_page_and_word(client, world, own):
    """What "Trích dẫn vào bài" puts in the editor (static/js/synthesis.js: the words in quotation marks,
    the unit in italics) is kept by the allow-list, shown on the page and printed in the Word file."""
    from docx import Document

    report, writer = own
    name = attribution(world.unit_a.name)
    assert name == "CĐCS Công ty May Á"
    quoted = f"<p>Đánh giá chung.</p><p>“Tổ chức 12 buổi đối thoại” <em>({name})</em></p>"
    section_save(report=report, node=_node(report), content=quoted, base_version=0, is_done=False, actor=writer)
    stored = SectionText.objects.get(report=report, node=_node(report)).content
    assert "<em>(CĐCS Công ty May Á)</em>" in stored
    client.force_login(writer)
    html = client.get(reverse("reports:section_edit", args=[report.pk, KEY])).content.decode()
    assert "(CĐCS Công ty May Á)" in html
    response = client.get(reverse("exports:report_docx", args=[report.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    paragraph = next(p for p in document.paragraphs if "Tổ chức 12 buổi đối thoại" in p.text)
    assert paragraph.text.strip() == "“Tổ chức 12 buổi đối thoại” (CĐCS Công ty May Á)"
    assert any(run.italic and "(CĐCS Công ty May Á)" in run.text for run in paragraph.runs)


def test_reviewers_mark_passages_which_come_first_in_the_panel(client, world, own):
    report, writer = own
    # "Bình" comes before "May Á"... no: "Công ty Bình" sorts before "Công ty May Á", so Á's text is second
    # until a reviewer marks one of its paragraphs.
    write(world.report_a, "<p>Đoạn một của Á.</p><p>Mô hình hay của Á.</p>")
    write(world.report_b, "<p>Bài của Bình.</p>")
    status(world.report_a, ReportStatus.SUBMITTED)
    status(world.report_b, ReportStatus.SUBMITTED)
    client.force_login(writer)
    html = panel(client, report)
    assert html.index("Bài của Bình.") < html.index("Đoạn một của Á.")

    # The reading page offers the marks to reviewers only.
    read = reverse("reports:report_read", args=[world.report_a.pk])
    client.force_login(world.drafter_a)
    assert "Đánh dấu để cấp trên trích dẫn" not in client.get(read).content.decode()
    client.force_login(world.reviewer)
    reading = client.get(read).content.decode()
    assert "Đánh dấu để cấp trên trích dẫn" in reading and "Mô hình hay của Á." in reading
    mark_url = reverse("reports:passage_mark", args=[world.report_a.pk])
    response = client.post(mark_url, {"node": KEY, "paragraph": 2, "kind": "typical", "next": read})
    assert response.status_code == 302
    mark = PassageMark.objects.get()
    assert (mark.paragraph, mark.quote, mark.kind, mark.marked_by) == (
        2,
        "Mô hình hay của Á.",
        "typical",
        world.reviewer,
    )
    # A paragraph that is not there: said, nothing stored.
    response = client.post(mark_url, {"node": KEY, "paragraph": 9, "kind": "attention", "next": read}, follow=True)
    assert "Đoạn này không còn trong bài" in response.content.decode() and PassageMark.objects.count() == 1
    client.post(mark_url, {"node": KEY, "paragraph": 0, "kind": "attention", "next": read})
    assert PassageMark.objects.count() == 2

    client.force_login(writer)
    html = panel(client, report)
    assert html.index("Mô hình hay của Á.") < html.index("Bài của Bình.")
    reviewer_name = person(world.reviewer)
    assert "Điển hình" in html and "Cần lưu ý" in html and reviewer_name in html

    # The unit's drafter may not mark nor unmark; the reviewer unmarks.
    client.force_login(world.drafter_a)
    assert client.post(mark_url, {"node": KEY, "paragraph": 1, "kind": "typical"}).status_code == 403
    unmark = reverse("reports:passage_unmark", args=[world.report_a.pk, mark.pk])
    assert client.post(unmark).status_code == 403 and PassageMark.objects.count() == 2
    client.force_login(world.reviewer)
    assert client.post(unmark).status_code == 302
    assert list(PassageMark.objects.values_list("paragraph", flat=True)) == [0]


def test_a_mark_follows_its_paragraph_when_an_edit_moves_it(client, world, own):
    report, writer = own
    write(world.report_a, "<p>Một.</p><p>Hai.</p>")
    status(world.report_a, ReportStatus.SUBMITTED)
    from reports.services import passage_mark

    passage_mark(report=world.report_a, node_key=KEY, paragraph=2, kind="typical", actor=world.reviewer)
    write(world.report_a, "<p>Mới thêm.</p><p>Một.</p><p>Hai.</p>")
    client.force_login(writer)
    html = panel(client, report)
    # The badge sits on "Hai.", now the third paragraph.
    assert re.search(r"Điển hình.*?</div>\s*<p class=\"mb-1\">Hai\.</p>", html, re.S)


def figures(report, indicator, **columns):
    IndicatorValue.objects.bulk_create(
        IndicatorValue(report=report, indicator=indicator, column=column, value=Decimal(value))
        for column, value in columns.items()
    )


def test_the_units_figures_counted_as_sentences(client, world, own):
    report, writer = own
    cat = make_catalogue(world.round.outline_version)
    extra = UnitFactory(parent=world.superior, name="Công đoàn cơ sở Công ty Chưa Nộp")
    round_open(round=world.round)
    # A level: Á reached its target (120 of 100), Bình did not (150 of 200).
    figures(world.report_a, cat["DV"], target=100, **{"2020": 120})
    figures(world.report_b, cat["DV"], target=200, **{"2020": 150})
    # A flow over 3 of the term's 5 years (60 % elapsed): Á 70 of 100 is on pace, Bình 30 of 100 behind.
    figures(world.report_a, cat["DV_MOI"], target=100, **{"2018": 20, "2019": 20, "2020": 30})
    figures(world.report_b, cat["DV_MOI"], target=100, **{"2018": 10, "2019": 10, "2020": 10})
    status(world.report_a, ReportStatus.SUBMITTED)
    status(world.report_b, ReportStatus.APPROVED)
    Report.objects.filter(round=world.round, unit=extra).update(status=ReportStatus.DRAFTING)
    client.force_login(writer)
    html = client.get(reverse("reports:section_edit", args=[report.pk, KEY])).content.decode()
    text = re.sub(r"\s+", " ", html)
    assert (
        "Trong 2 CĐCS có báo cáo được tính, 1 CĐCS đạt chỉ tiêu Nghị quyết về tổng số đoàn viên công đoàn, "
        "1 CĐCS chưa đạt." in text
    )
    assert "Cao nhất là CĐCS Công ty May Á (đạt 120% chỉ tiêu), thấp nhất là CĐCS Công ty Bình (75%)." in text
    assert (
        "Trong 2 CĐCS có báo cáo được tính, 0 CĐCS đã đạt chỉ tiêu cả nhiệm kỳ về số đoàn viên kết nạp mới, "
        "1 CĐCS chậm so với tiến độ nhiệm kỳ (đã qua 60% nhiệm kỳ)" in text
    )
    # The indicators nobody typed: what could not be compared is said.
    assert "2 CĐCS chưa có chỉ tiêu hoặc kết quả để so sánh" in text
    assert "1 CĐCS chưa nộp báo cáo: CĐCS Công ty Chưa Nộp." in text
    assert 'data-insert-sentence="Trong 2 CĐCS' in html
    # Kept while nothing below changes; a report returned for rework leaves the counts at once.
    status(world.report_b, ReportStatus.RETURNED)
    text = re.sub(r"\s+", " ", client.get(reverse("reports:section_edit", args=[report.pk, KEY])).content.decode())
    assert "Trong 1 CĐCS có báo cáo được tính, 1 CĐCS đạt chỉ tiêu Nghị quyết về tổng số đoàn viên" in text
    assert "2 CĐCS chưa nộp báo cáo: CĐCS Công ty Bình, CĐCS Công ty Chưa Nộp." in text


@pytest.mark.django_db(transaction=True)
def test_a_large_subtrees_figures_are_counted_by_the_worker_not_the_page(client, world, own, settings):
    """Past SYNTHESIS_COUNTS_INLINE_UNITS counted units (a province, the country) the page reads no unit's
    figures: it says they are being counted and queues the count; the worker's counts show next time,
    and after a change the last counts show, marked, while new ones are made."""
    settings.SYNTHESIS_COUNTS_INLINE_UNITS = 0
    report, writer = own
    cat = make_catalogue(world.round.outline_version)
    figures(world.report_a, cat["DV"], target=100, **{"2020": 120})
    figures(world.report_b, cat["DV"], target=200, **{"2020": 150})
    status(world.report_a, ReportStatus.SUBMITTED)
    status(world.report_b, ReportStatus.APPROVED)
    client.force_login(writer)
    url = reverse("reports:section_edit", args=[report.pk, KEY])

    def shown():
        return re.sub(r"\s+", " ", client.get(url).content.decode())

    with CaptureQueriesContext(connection) as queries:
        text = shown()
    assert "Số liệu của 2 CĐCS có báo cáo được tính đang được đếm ở chế độ nền" in text
    assert "Trong 2 CĐCS có báo cáo được tính" not in text
    # The page reads its own report's figures, never the units' (a subquery of the reports below).
    units_figures = [
        q for q in queries if "reports_indicatorvalue" in q["sql"] and '"report_id" IN (SELECT' in q["sql"]
    ]
    assert not units_figures
    assert shown().count("đang được đếm ở chế độ nền") == 1  # queued once, not once per view
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    text = shown()
    assert "Trong 2 CĐCS có báo cáo được tính, 1 CĐCS đạt chỉ tiêu Nghị quyết về tổng số đoàn viên" in text
    assert "đang được đếm" not in text and "lần đếm gần nhất" not in text
    # A change below: the last counts, said to be the last, while the worker counts again.
    status(world.report_b, ReportStatus.RETURNED)
    text = shown()
    assert "Đây là lần đếm gần nhất" in text and "Trong 2 CĐCS có báo cáo được tính" in text
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    text = shown()
    assert "Trong 1 CĐCS có báo cáo được tính" in text and "lần đếm gần nhất" not in text


def test_numbers_in_the_sentences_are_vietnamese(world, own):
    report, _writer = own
    cat = make_catalogue(world.round.outline_version)
    figures(world.report_a, cat["DV"], target=1000, **{"2020": "1234.5"})
    figures(world.report_b, cat["DV"], target=3, **{"2020": 1})
    status(world.report_a, ReportStatus.SUBMITTED)
    status(world.report_b, ReportStatus.SUBMITTED)
    counts = synthesis_counts(report, _node(report))
    dv = next(s for s in counts.sentences if s.indicator.code == "DV")
    assert dv.text.startswith("Trong 2 CĐCS có báo cáo được tính, 1 CĐCS đạt chỉ tiêu")
    assert "Cao nhất là CĐCS Công ty May Á (đạt 123,5% chỉ tiêu), thấp nhất là CĐCS Công ty Bình (33,3%)." in dv.text
    assert counts.missing_sentence == "Tất cả 2 CĐCS trực thuộc đã nộp báo cáo."


def _scale_queries(units: int):

    version = make_outline(3)
    make_catalogue(version)
    round_ = build_scale(units=units, seed=units, version=version, code_prefix=f"Q{units}")
    own = Report.objects.get(round=round_, unit=round_.organising_unit)
    writer = Membership.objects.filter(unit=round_.organising_unit, role=Role.DRAFTER).first().user
    client = Client()
    client.force_login(writer)
    counted = Report.objects.counted_below(round_, own.unit).filter(status__in=["submitted", "approved"]).count()
    # A reviewer's mark on one of the texts, so the marks' query is not left out.
    first = SectionText.objects.filter(
        report__in=Report.objects.counted_below(round_, own.unit), node=_node(own)
    ).first()
    PassageMark.objects.create(
        report=first.report,
        node=first.node,
        paragraph=1,
        quote="",
        kind="typical",
        marked_by=writer,
        marked_at=datetime.datetime.now(datetime.UTC),
    )
    measured = {}
    for name, url in (
        ("page", reverse("reports:section_edit", args=[own.pk, KEY])),
        ("texts", reverse("reports:synthesis_texts", args=[own.pk, KEY])),
        ("search", reverse("reports:synthesis_texts", args=[own.pk, KEY]) + "?tim=cong+doan&don_vi=2"),
    ):
        client.get(url)  # the session warm, as for any later visit
        cache.clear()  # the counts worked out afresh: what is measured is what they cost
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        measured[name] = len(queries)
    return measured, counted


def test_the_panels_query_count_is_the_same_for_60_and_200_units():
    small, counted_small = _scale_queries(60)
    big, counted_big = _scale_queries(200)
    # Both provinces have more than a page of texts (a page filled by the marked texts alone needs no
    # second list); the big one many pages of them.
    assert counted_small > SYNTHESIS_PAGE_SIZE and counted_big > 3 * SYNTHESIS_PAGE_SIZE
    assert small == big


def test_marked_texts_lead_and_the_pages_follow_on_without_a_gap_or_a_repeat():
    from core.paging import PagePaginator
    from reports.selectors import synthesis_texts

    version = make_outline(3)
    make_catalogue(version)
    round_ = build_scale(units=60, seed=5, version=version, code_prefix="M60")
    own = Report.objects.get(round=round_, unit=round_.organising_unit)
    node = _node(own)
    before = synthesis_texts(own, node)
    in_order = [t.pk for t in before.rest[:1000]]
    assert before.marked_count == 0 and len(in_order) > SYNTHESIS_PAGE_SIZE + 3
    # Three texts from the end of the list get a reviewer's mark: they come first, in their own order.
    last_three = SectionText.objects.filter(pk__in=in_order[-3:])
    reviewer = Membership.objects.filter(unit=round_.organising_unit).first().user
    for text in last_three:
        PassageMark.objects.create(
            report_id=text.report_id,
            node=node,
            paragraph=0,
            quote="",
            kind="typical",
            marked_by=reviewer,
            marked_at=datetime.datetime.now(datetime.UTC),
        )
    paginator = PagePaginator(synthesis_texts(own, node), SYNTHESIS_PAGE_SIZE)
    shown = [t.pk for number in paginator.page_range for t in paginator.page(number).object_list]
    assert paginator.count == len(in_order) and not paginator.estimated
    assert shown == in_order[-3:] + in_order[:-3]
